package postgres

import (
	"context"
	"testing"

	"github.com/iimmpact-go/iimmpact/payments"
	"github.com/iimmpact-go/iimmpact/payments/paymentstest"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
)

// newPaymentStore returns a migrated PaymentStore on its own table.
func newPaymentStore(tb testing.TB, pool *pgxpool.Pool, opts ...PaymentOption) *PaymentStore {
	tb.Helper()
	s, err := NewPaymentStore(pool, append([]PaymentOption{WithPaymentsTable(newTable(tb, pool))}, opts...)...)
	require.NoError(tb, err)
	require.NoError(tb, s.Migrate(context.Background()))
	return s
}

func TestPaymentStoreConformance(t *testing.T) {
	pool := newPool(t, 16)
	paymentstest.Run(t, func(t *testing.T) payments.Store { return newPaymentStore(t, pool) })
}

func TestPaymentMigrateTwiceAndConcurrently(t *testing.T) {
	pool := newPool(t, 8)
	s := newPaymentStore(t, pool)
	errs := make(chan error, 4)
	for range 4 {
		go func() { errs <- s.Migrate(context.Background()) }()
	}
	for range 4 {
		require.NoError(t, <-errs)
	}
}

func TestNewPaymentStoreRefusesBadNames(t *testing.T) {
	_, err := NewPaymentStore(nil)
	require.Error(t, err)
	pool := newPool(t, 1)
	for _, name := range []string{"", "Bad", "a.b.c", "x;drop"} {
		_, err := NewPaymentStore(pool, WithPaymentsTable(name))
		require.Error(t, err, name)
	}
}
