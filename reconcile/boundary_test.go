package reconcile_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/iimmpact-go/iimmpact/reconcile"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAcrossMidnight: a payment made at 23:59:59 that succeeds after
// midnight is debited on the next day's statement. Each day reconciles
// clean: the first leaves it out of its debits, the second finds it in
// its lookback day; without the lookback the second day cannot explain
// the debit.
func TestAcrossMidnight(t *testing.T) {
	var now atomic.Int64
	clock := func() time.Time { return time.Unix(0, now.Add(int64(time.Millisecond))) }
	day1 := time.Date(2025, 5, 15, 0, 0, 0, 0, myt)
	now.Store(day1.Add(10 * time.Hour).UnixNano())
	srv := iimmpacttest.NewServer(iimmpacttest.WithServerClock(clock))
	defer srv.Close()
	m := &merchant{t: t, srv: srv, c: srv.Client(iimmpact.WithClock(clock)), ledger: reconcile.NewSliceLedger(), clock: clock}

	m.pay("morning", "D", "0123456789", "10")
	now.Store(day1.Add(24*time.Hour - time.Second).UnixNano())
	srv.SetSettleAfter(1)
	require.Equal(t, reconcile.Pending, m.pay("late", "D", "0123456789", "30"))
	now.Store(day1.Add(24*time.Hour + time.Second).UnixNano())
	require.True(t, srv.Settle("late"))
	srv.SetSettleAfter(0)
	m.pay("day2", "D", "0123456789", "5")

	run := func(day time.Time, opts ...reconcile.Option) *reconcile.Report {
		r, err := reconcile.New(m.c, m.ledger, append([]reconcile.Option{reconcile.WithClock(clock), reconcile.WithResolver(m.ledger)}, opts...)...)
		require.NoError(t, err)
		rep, err := r.Day(context.Background(), day)
		require.NoError(t, err)
		return rep
	}
	rep := run(day1)
	assert.Equal(t, map[string][]reconcile.Kind{"late": {reconcile.OursOpen}}, kinds(rep), "only the late answer, resolved")
	assert.Equal(t, 1, rep.History.SettledLater)
	assert.True(t, run(day1).Clean())

	day2 := day1.AddDate(0, 0, 1)
	rep = run(day2)
	assert.True(t, rep.Clean(), "%+v", rep.Discrepancies)
	assert.Equal(t, 1, rep.History.SettledEarlier)
	assert.Equal(t, 2, rep.Wallet.Count, "late and day2 were debited on day 2")

	rep = run(day2, reconcile.WithLookback(0))
	assert.Equal(t, map[string][]reconcile.Kind{"statement.transactions": {reconcile.WalletMismatch}}, kinds(rep))

	rep = run(day1.AddDate(0, 0, 1), reconcile.WithLookback(3))
	assert.True(t, rep.Clean(), "a longer lookback changes nothing")
	_, err := reconcile.New(m.c, m.ledger, reconcile.WithLookback(-1))
	assert.Error(t, err)
}

// TestSentAcrossMidnight: a payment the ledger dates 23:59:59 that
// IIMMPACT created after midnight is matched on both days; one recorded
// at 23:59 and never sent is Missing once, on its own day; a refid made
// outside the ledger just after midnight is Unrecorded once.
func TestSentAcrossMidnight(t *testing.T) {
	var now atomic.Int64
	clock := func() time.Time { return time.Unix(0, now.Add(int64(time.Millisecond))) }
	day1 := time.Date(2025, 5, 15, 0, 0, 0, 0, myt)
	day2 := day1.AddDate(0, 0, 1)
	now.Store(day1.Add(24*time.Hour - 30*time.Second).UnixNano())
	srv := iimmpacttest.NewServer(iimmpacttest.WithServerClock(clock))
	defer srv.Close()
	c := srv.Client(iimmpact.WithClock(clock))
	ledger := reconcile.NewSliceLedger()
	require.NoError(t, ledger.Add(reconcile.Payment{RefID: "never-sent", Product: "D", Account: "0123456789",
		Amount: iimmpact.AmountFromInt(10), State: reconcile.Unknown, Time: clock()}))

	now.Store(day2.Add(-time.Second).UnixNano())
	sent := clock()
	now.Store(day2.Add(time.Second).UnixNano())
	tx, err := c.Topup(context.Background(), iimmpact.TopupRequest{RefID: "midnight", Product: "D", Account: "0129999999", Amount: iimmpact.AmountFromInt(30)})
	require.NoError(t, err)
	require.NoError(t, ledger.Add(reconcile.Payment{RefID: "midnight", Product: "D", Account: "0129999999", Amount: tx.Amount,
		State: reconcile.Final, Status: tx.StatusCode, Cost: tx.Cost, CostKnown: true, Time: sent}))
	_, err = c.Topup(context.Background(), iimmpact.TopupRequest{RefID: "stranger", Product: "D", Account: "0128888888", Amount: iimmpact.AmountFromInt(5)})
	require.NoError(t, err)
	now.Store(day2.Add(8 * time.Hour).UnixNano())

	run := func(day time.Time, opts ...reconcile.Option) *reconcile.Report {
		r, err := reconcile.New(c, ledger, append([]reconcile.Option{reconcile.WithClock(clock)}, opts...)...)
		require.NoError(t, err)
		rep, err := r.Day(context.Background(), day)
		require.NoError(t, err)
		return rep
	}
	rep := run(day1)
	assert.Equal(t, map[string][]reconcile.Kind{"never-sent": {reconcile.Missing}}, kinds(rep))
	assert.Equal(t, 2, rep.Ours)
	assert.Equal(t, 1, rep.Matched, "midnight, found in the next day's history")
	rep = run(day2)
	assert.Equal(t, map[string][]reconcile.Kind{"stranger": {reconcile.Unrecorded}}, kinds(rep))
	assert.Equal(t, 1, rep.Matched)

	rep = run(day1, reconcile.WithBoundarySkew(0))
	assert.Equal(t, map[string][]reconcile.Kind{"never-sent": {reconcile.Missing}, "midnight": {reconcile.Missing}}, kinds(rep))
	rep = run(day2, reconcile.WithBoundarySkew(0))
	assert.Equal(t, map[string][]reconcile.Kind{"stranger": {reconcile.Unrecorded}, "midnight": {reconcile.Unrecorded}}, kinds(rep))
	_, err = reconcile.New(c, ledger, reconcile.WithBoundarySkew(-1))
	assert.Error(t, err)
}
