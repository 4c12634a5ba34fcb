package reconcile_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/iimmpact-go/iimmpact/payments"
	"github.com/iimmpact-go/iimmpact/reconcile"
	"github.com/stretchr/testify/require"
)

// payDay is a random day paid through payments.Manager against the fake.
type payDay struct {
	m        *merchant
	pm       *payments.Manager
	store    *payments.MemoryStore
	resolved map[string]reconcile.Kind // settled by the first run
	tampered map[string]reconcile.Kind // reported by every run
}

// payFault is what a random day does to one payment of the layer.
type payFault int

const (
	pfNone        payFault = iota
	pfUnknown              // the answer is lost
	pfPending              // Processing when paid, settled at IIMMPACT without a callback
	pfRefund               // refunded after success, no callback
	pfSentAbandon          // sent before a "crash", then abandoned by mistake
	pfOutside              // paid without the layer (Unrecorded)
	pfAmount               // the stored amount edited (AmountDiffers)
	pfCount
)

func randomPayDay(t *testing.T, seed uint64) *payDay {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(seed, seed*13+5))
	d := &payDay{m: newMerchant(t, iimmpacttest.WithBalance(iimmpact.MustParseAmount("100000"))), store: payments.NewMemoryStore(),
		resolved: map[string]reconcile.Kind{}, tampered: map[string]reconcile.Kind{}}
	pm, err := payments.New(d.m.c, d.store, payments.WithClock(d.m.clock))
	require.NoError(t, err)
	d.pm = pm
	accounts := []string{"0123456789", "0129876543", "60123450052", "60123450048"} // two succeed, two fail
	for i := range 2 + rng.IntN(16) {
		req := iimmpact.TopupRequest{RefID: fmt.Sprintf("p%d-%d", seed, i), Product: "D", Account: accounts[rng.IntN(4)],
			Amount: iimmpact.AmountFromInt([]int64{5, 10, 30}[rng.IntN(3)])}
		f := payFault(rng.IntN(int(pfCount)))
		if req.Account[:8] == "60123450" && (f == pfPending || f == pfRefund) {
			f = pfNone // they need a success
		}
		if rng.IntN(5) == 0 {
			d.m.srv.SetBalance(iimmpact.AmountFromInt(int64(100000 + rng.IntN(1000)))) // a deposit mid-day
		}
		d.pay(t, ctx, req, f)
	}
	return d
}

func (d *payDay) pay(t *testing.T, ctx context.Context, req iimmpact.TopupRequest, f payFault) {
	srv := d.m.srv
	switch f {
	case pfOutside:
		d.m.outside(req.RefID, req.Product, req.Account, req.Amount.String())
		d.tampered[req.RefID] = reconcile.Unrecorded
		return
	case pfSentAbandon:
		_, err := d.pm.Start(ctx, req)
		require.NoError(t, err)
		_, err = d.m.c.Topup(ctx, req)
		require.NoError(t, err)
		_, err = d.pm.Abandon(ctx, req.RefID)
		require.NoError(t, err)
		d.resolved[req.RefID] = reconcile.OursOpen
		return
	case pfUnknown:
		srv.ScriptFaults("/v2/topup", iimmpacttest.ResetFault().AfterProcessing())
		d.resolved[req.RefID] = reconcile.OursOpen
	case pfPending:
		srv.SetSettleAfter(1)
		defer func() { srv.SetSettleAfter(0); require.True(t, srv.Settle(req.RefID)) }()
		d.resolved[req.RefID] = reconcile.OursOpen
	}
	p, err := d.pm.Pay(ctx, req)
	require.NoError(t, err)
	switch f {
	case pfRefund:
		require.True(t, srv.Refund(req.RefID))
		d.resolved[req.RefID] = reconcile.StatusDiffers
	case pfAmount:
		edited := p
		edited.Request.Amount = p.Request.Amount.Add(iimmpact.MustParseAmount("0.01"))
		edited.Version = p.Version + 1
		_, err := d.store.Put(ctx, edited, p.Version)
		require.NoError(t, err)
		d.tampered[req.RefID] = reconcile.AmountDiffers
	}
}

// Random days through the payments layer: the first run reports every
// fault once with its kind and settles exactly the resolvable ones through
// the layer; the second reports only the tamperings, so a day without
// tampering is clean; and nothing is left for the resolver.
func TestPropertyPaymentsDays(t *testing.T) {
	ctx := context.Background()
	for seed := range uint64(24) {
		d := randomPayDay(t, seed)
		ledger := reconcile.NewPaymentsLedger(d.pm)
		r, err := reconcile.New(d.m.c, ledger, reconcile.WithResolver(ledger), reconcile.WithClock(d.m.clock))
		require.NoError(t, err)
		want, after := map[string][]reconcile.Kind{}, map[string][]reconcile.Kind{}
		for id, k := range d.tampered {
			want[id], after[id] = []reconcile.Kind{k}, []reconcile.Kind{k}
		}
		for id, k := range d.resolved {
			want[id] = []reconcile.Kind{k}
		}
		rep, err := r.Day(ctx, mayNoon)
		require.NoError(t, err)
		require.Equal(t, want, kinds(rep), "seed %d first run", seed)
		for _, dis := range rep.Discrepancies {
			_, ok := d.resolved[dis.RefID]
			require.Equal(t, ok, dis.Resolved, "seed %d %s %s %s", seed, dis.RefID, dis.Kind, dis.ResolveError)
		}
		rep, err = r.Day(ctx, mayNoon)
		require.NoError(t, err)
		require.Equal(t, after, kinds(rep), "seed %d second run", seed)
		require.Equal(t, len(d.tampered) == 0, rep.Clean(), "seed %d", seed)
		st, err := d.pm.Stats(ctx)
		require.NoError(t, err)
		for _, s := range payments.States() {
			if s.IsOpen() {
				require.Zero(t, st.Counts[s], "seed %d: %s payments left", seed, s)
			}
		}
	}
}
