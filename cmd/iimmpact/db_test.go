package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/iimmpact-go/iimmpact/payments"
	"github.com/iimmpact-go/iimmpact/store/postgres"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
)

// pgHint says how to give the tests that use the payments store a
// database; like store/postgres's tests they fail without one, so a green
// run always means resolve and reconcile were tested.
const pgHint = "run the tests through .ci/postgres.sh from the repository root " +
	"(bash .ci/postgres.sh --module cmd/iimmpact: it starts a throwaway PostgreSQL and sets IIMMPACT_PG_DSN), " +
	"or set IIMMPACT_PG_DSN to a database the tests may create tables in"

// paymentsDBForTest is a migrated payments table of its own, dropped when
// the test ends, and the DSN the command reaches it by.
type paymentsDBForTest struct {
	dsn, table string
	store      *postgres.PaymentStore
}

func newPaymentsDB(t *testing.T) *paymentsDBForTest {
	t.Helper()
	dsn := os.Getenv("IIMMPACT_PG_DSN")
	if dsn == "" {
		t.Fatal("IIMMPACT_PG_DSN is not set: " + pgHint)
	}
	pool, err := pgxpool.New(context.Background(), dsn)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	table := fmt.Sprintf("iimmpact_cli_%016x", rand.Uint64())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := pool.Exec(ctx, "DROP TABLE IF EXISTS "+table); err != nil {
			t.Logf("drop %s: %v", table, err)
		}
	})
	store, err := postgres.NewPaymentStore(pool, postgres.WithPaymentsTable(table))
	require.NoError(t, err)
	require.NoError(t, store.Migrate(context.Background()))
	return &paymentsDBForTest{dsn: dsn, table: table, store: store}
}

// env is the fake's environment plus the store's DSN.
func (d *paymentsDBForTest) env(srv *iimmpacttest.Server) []string {
	return append(fakeEnv(srv), "IIMMPACT_DSN="+d.dsn)
}

// service is the merchant's own Manager over the table, its clock moved
// by shift (an hour back makes what it leaves open due for resolve now).
func (d *paymentsDBForTest) service(t *testing.T, srv *iimmpacttest.Server, shift time.Duration, effects *[]string) *payments.Manager {
	t.Helper()
	opts := []payments.Option{payments.WithClock(func() time.Time { return time.Now().Add(shift) })}
	if effects != nil {
		var mu sync.Mutex // deliveries for different refids run at once
		opts = append(opts, payments.WithEffects(func(_ context.Context, e payments.Effect, _ payments.Payment) error {
			mu.Lock()
			defer mu.Unlock()
			*effects = append(*effects, e.Key)
			return nil
		}))
	}
	m, err := payments.New(srv.Client(iimmpact.WithRetryPolicy(iimmpact.RetryPolicy{MaxAttempts: 1})), d.store, opts...)
	require.NoError(t, err)
	return m
}
