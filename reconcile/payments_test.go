package reconcile_test

import (
	"context"
	"sync"
	"testing"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/iimmpact-go/iimmpact/payments"
	"github.com/iimmpact-go/iimmpact/reconcile"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// effectLog is the merchant's EffectFunc: the keys delivered, in order.
type effectLog struct {
	mu   sync.Mutex
	keys []string
}

func (l *effectLog) deliver(_ context.Context, e payments.Effect, _ payments.Payment) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.keys = append(l.keys, e.Key)
	return nil
}

func (l *effectLog) got() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.keys...)
}

// A day paid through payments.Manager against the fake: a success, a
// failure, a success refunded later, an answer lost (unknown), a refused
// request (rejected), an intent abandoned before it was sent, and two
// intents that did reach IIMMPACT before the process "died" (one then
// abandoned by mistake). Reconciling the store reports each open or stale
// one once and settles it through the transition function, with its
// effect; the second run is clean, and the resolver has nothing left.
func TestReconcilePaymentsStore(t *testing.T) {
	ctx := context.Background()
	m := newMerchant(t) // the fake and its clock
	fx := &effectLog{}
	store := payments.NewMemoryStore()
	pm, err := payments.New(m.c, store, payments.WithClock(m.clock), payments.WithEffects(fx.deliver))
	require.NoError(t, err)
	pay := func(refid, account, amount string) payments.Payment {
		t.Helper()
		p, err := pm.Pay(ctx, iimmpact.TopupRequest{RefID: refid, Product: "D", Account: account, Amount: iimmpact.MustParseAmount(amount)})
		require.NoError(t, err)
		return p
	}
	// sentThenCrashed records an intent and sends it outside the layer,
	// as a process that died before recording the answer would have.
	sentThenCrashed := func(refid string) {
		t.Helper()
		req := iimmpact.TopupRequest{RefID: refid, Product: "D", Account: "0123456789", Amount: iimmpact.AmountFromInt(10)}
		_, err := pm.Start(ctx, req)
		require.NoError(t, err)
		_, err = m.c.Topup(ctx, req)
		require.NoError(t, err)
	}

	require.Equal(t, payments.StateSucceeded, pay("ord-1", "0123456789", "30").State)
	require.Equal(t, payments.StateFailed, pay("ord-2", "60123450052", "10").State)
	require.Equal(t, payments.StateSucceeded, pay("ord-3", "0123456789", "50").State)
	require.True(t, m.srv.Refund("ord-3"))
	m.srv.ScriptFaults("/v2/topup", iimmpacttest.ResetFault().AfterProcessing())
	require.Equal(t, payments.StateUnknown, pay("ord-4", "0123456789", "10").State, "the answer was lost")
	require.Equal(t, payments.StateRejected, pay("ord-5", "0123456789", "33").State, "not a denomination: nothing created")
	_, err = pm.Start(ctx, iimmpact.TopupRequest{RefID: "ord-6", Product: "D", Account: "0123456789", Amount: iimmpact.AmountFromInt(5)})
	require.NoError(t, err)
	_, err = pm.Abandon(ctx, "ord-6")
	require.NoError(t, err)
	sentThenCrashed("ord-7")
	_, err = pm.Abandon(ctx, "ord-7")
	require.NoError(t, err)
	sentThenCrashed("ord-8")
	before := fx.got()

	ledger := reconcile.NewPaymentsLedger(pm)
	r, err := reconcile.New(m.c, ledger, reconcile.WithResolver(ledger), reconcile.WithClock(m.clock))
	require.NoError(t, err)
	rep, err := r.Day(ctx, mayNoon)
	require.NoError(t, err)
	assert.Equal(t, map[string][]reconcile.Kind{
		"ord-3": {reconcile.StatusDiffers},
		"ord-4": {reconcile.OursOpen},
		"ord-7": {reconcile.OursOpen},
		"ord-8": {reconcile.OursOpen},
	}, kinds(rep), "%+v", rep.Discrepancies)
	for _, d := range rep.Discrepancies {
		assert.True(t, d.Resolved, "%s: %s", d.RefID, d.ResolveError)
	}
	assert.Equal(t, 8, rep.Ours)
	assert.Equal(t, 4, rep.Matched, "ord-1, ord-2, and ord-5 and ord-6 that IIMMPACT rightly does not have")

	for refid, want := range map[string]payments.State{"ord-3": payments.StateRefunded, "ord-4": payments.StateSucceeded,
		"ord-7": payments.StateSucceeded, "ord-8": payments.StateSucceeded} {
		p, err := pm.Get(ctx, refid)
		require.NoError(t, err)
		assert.Equal(t, want, p.State, refid)
		last := p.History[len(p.History)-1]
		assert.Equal(t, payments.SourceHistory, last.Source, "%s changed by the history record", refid)
		assert.Equal(t, len(p.Effects), p.EffectsDone, refid)
	}
	assert.ElementsMatch(t, []string{"ord-3/refunded", "ord-4/succeeded", "ord-7/succeeded", "ord-8/succeeded"},
		fx.got()[len(before):], "one effect per settled payment, delivered by the layer")
	for _, id := range []string{"ord-4", "ord-7", "ord-8"} {
		assert.Equal(t, 1, m.srv.Debits(id), "%s was not paid again", id)
	}

	again, err := r.Day(ctx, mayNoon)
	require.NoError(t, err)
	assert.True(t, again.Clean(), "second run: %s\n%+v", again.Summary(), again.Discrepancies)
	assert.Equal(t, 8, again.Matched)
	n, err := pm.ResolveOnce(ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "nothing left open for the resolver")
}

// A history record that contradicts a final state, or is for another
// request, is refused and changes nothing; a refid the store never
// recorded is ErrUnknownRefID.
func TestPaymentsLedgerRefuses(t *testing.T) {
	ctx := context.Background()
	m := newMerchant(t)
	pm, err := payments.New(m.c, payments.NewMemoryStore(), payments.WithClock(m.clock))
	require.NoError(t, err)
	p, err := pm.Pay(ctx, iimmpact.TopupRequest{RefID: "f-1", Product: "D", Account: "60123450052", Amount: iimmpact.AmountFromInt(10)})
	require.NoError(t, err)
	require.Equal(t, payments.StateFailed, p.State)
	l := reconcile.NewPaymentsLedger(pm)
	rec := iimmpact.TransactionRecord{RefID: "f-1", ProductCode: "D", Account: "60123450052", Amount: iimmpact.AmountFromInt(10),
		StatusCode: iimmpact.StatusSuccessful, Price: iimmpact.MustParseAmount("9.8")}
	assert.ErrorIs(t, l.ApplyHistory(ctx, rec), reconcile.ErrConflict)
	other := rec
	other.StatusCode, other.Amount = p.Status, iimmpact.AmountFromInt(20)
	assert.ErrorContains(t, l.ApplyHistory(ctx, other), "another request")
	pending := rec
	pending.StatusCode = iimmpact.StatusProcessing
	assert.ErrorContains(t, l.ApplyHistory(ctx, pending), "not a final answer")
	rec.RefID = "nobody"
	assert.ErrorIs(t, l.ApplyHistory(ctx, rec), reconcile.ErrUnknownRefID)
	got, err := pm.Get(ctx, "f-1")
	require.NoError(t, err)
	assert.Equal(t, p.Version, got.Version, "nothing was written")
}

// Every payments state has its reconcile state.
func TestFromPaymentStates(t *testing.T) {
	tx := &iimmpact.Transaction{Cost: iimmpact.MustParseAmount("29.4")}
	for _, c := range []struct {
		state  payments.State
		want   reconcile.State
		status iimmpact.StatusCode
		cost   bool
	}{
		{payments.StateRecorded, reconcile.Unknown, 0, false}, // possibly sent before a crash
		{payments.StateSent, reconcile.Unknown, 0, false},
		{payments.StateUnknown, reconcile.Unknown, 0, false},
		{payments.StatePending, reconcile.Pending, 1, false},
		{payments.StateManual, reconcile.Unknown, 99, false},
		{payments.StateSucceeded, reconcile.Final, 20, true},
		{payments.StateFailed, reconcile.Final, 48, false},
		{payments.StateRefunded, reconcile.Final, 53, false},
		{payments.StateRejected, reconcile.Rejected, 58, false},
		{payments.StateAbandoned, reconcile.Abandoned, 0, false},
	} {
		p := payments.Payment{Request: iimmpact.TopupRequest{RefID: "r", Product: "D", Account: "1", Amount: iimmpact.AmountFromInt(30)},
			State: c.state, Status: c.status, Tx: tx, Created: mayNoon}
		got := reconcile.FromPayment(&p)
		assert.Equal(t, c.want, got.State, c.state.String())
		assert.Equal(t, c.cost, got.CostKnown, c.state.String())
		assert.True(t, got.Time.Equal(mayNoon))
		if c.want == reconcile.Final {
			assert.Equal(t, c.status, got.Status, c.state.String())
		}
	}
	require.Len(t, payments.States(), 10, "a new payments state needs its mapping here")
}
