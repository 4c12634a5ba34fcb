package postgres

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/iimmpact-go/iimmpact/payments"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A transactional effect commits with its state change or not at all: a
// failing one leaves the payment as it was (no row, no state), and the
// resolver's next answer records both.
func TestTxEffectCommitsWithTheStateChange(t *testing.T) {
	ctx := context.Background()
	pool := newPool(t, 4)
	ledger := newLedgerTable(t, pool)
	var fail atomic.Bool
	fail.Store(true)
	insert := ledgerEffect(ledger)
	store := newPaymentStore(t, pool, WithTxEffects(func(ctx context.Context, tx pgx.Tx, e payments.Effect, p payments.Payment) error {
		if err := insert(ctx, tx, e, p); err != nil {
			return err
		}
		if fail.Load() {
			return errors.New("ledger refused") // after the row was written: it must roll back
		}
		return nil
	}))
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	var loose atomic.Int32
	now := time.Now()
	m, err := payments.New(srv.Client(), store, payments.WithClock(func() time.Time { return now }),
		payments.WithEffects(func(context.Context, payments.Effect, payments.Payment) error { loose.Add(1); return nil }))
	require.NoError(t, err)

	_, err = m.Pay(ctx, iimmpact.TopupRequest{RefID: "tx-1", Product: "D", Account: "0123456789", Amount: mustAmount(t, "10")})
	require.ErrorContains(t, err, "ledger refused")
	p, err := store.Get(ctx, "tx-1")
	require.NoError(t, err)
	assert.Equal(t, payments.StateRecorded, p.State, "the state change rolled back with its effect")
	assert.Equal(t, 0, countRows(t, pool, ledger))
	assert.Equal(t, 1, srv.Debits("tx-1"), "IIMMPACT did pay: the resolver must learn it")

	fail.Store(false)
	now = now.Add(payments.DefaultSendGrace)
	n, err := m.ResolveOnce(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	p, err = store.Get(ctx, "tx-1")
	require.NoError(t, err)
	assert.Equal(t, payments.StateSucceeded, p.State)
	assert.Equal(t, len(p.Effects), p.EffectsDone)
	assert.Equal(t, 1, countRows(t, pool, ledger))
	assert.Equal(t, 1, srv.Debits("tx-1"))
	assert.Zero(t, loose.Load(), "with transactional effects the Manager's own EffectFunc never runs")
}

// A payment settled by a tool that leaves effects to the merchant
// (payments.WithEffectsElsewhere, as the iimmpact command does) over a
// plain PaymentStore is owed its effect; the merchant's resolver over the
// transactional store then delivers it, once, in the rewrite of the row.
func TestTxEffectOwedByAnotherWriterIsDelivered(t *testing.T) {
	ctx := context.Background()
	pool := newPool(t, 4)
	ledger := newLedgerTable(t, pool)
	table := newTable(t, pool)
	plain, err := NewPaymentStore(pool, WithPaymentsTable(table))
	require.NoError(t, err)
	require.NoError(t, plain.Migrate(ctx))
	merchant, err := NewPaymentStore(pool, WithPaymentsTable(table), WithTxEffects(ledgerEffect(ledger)))
	require.NoError(t, err)

	srv := iimmpacttest.NewServer()
	defer srv.Close()
	tool, err := payments.New(srv.Client(), plain, payments.WithEffectsElsewhere())
	require.NoError(t, err)
	p, err := tool.Pay(ctx, iimmpact.TopupRequest{RefID: "tool-1", Product: "D", Account: "0123456789", Amount: mustAmount(t, "10")})
	require.NoError(t, err)
	require.Equal(t, payments.StateSucceeded, p.State)
	require.Equal(t, 0, p.EffectsDone, "the tool left the effect owed")
	assert.Equal(t, 0, countRows(t, pool, ledger))

	m, err := payments.New(srv.Client(), merchant)
	require.NoError(t, err)
	n, err := m.ResolveOnce(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	p, err = merchant.Get(ctx, "tool-1")
	require.NoError(t, err)
	assert.Equal(t, len(p.Effects), p.EffectsDone)
	assert.Equal(t, 1, countRows(t, pool, ledger))
	n, err = m.ResolveOnce(ctx)
	require.NoError(t, err)
	assert.Equal(t, 0, n, "nothing is due any more")
	assert.Equal(t, 1, countRows(t, pool, ledger))
}

// newLedgerTable is the merchant's own table that effects write to.
func newLedgerTable(t *testing.T, pool *pgxpool.Pool) string {
	t.Helper()
	ledger := newTable(t, pool)
	_, err := pool.Exec(context.Background(), "CREATE TABLE "+ledger+" (refid text NOT NULL, key text NOT NULL, state text NOT NULL)")
	require.NoError(t, err)
	return ledger
}
