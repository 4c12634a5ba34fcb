package reconcile_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/iimmpact-go/iimmpact/reconcile"
	"github.com/stretchr/testify/require"
)

// fault is what a random day does to one payment.
type fault int

const (
	faultNone      fault = iota
	faultUnknown         // the answer is lost: ours Unknown (resolvable)
	faultRefund          // refunded after success (resolvable)
	faultPending         // still Processing when paid, settled before the run (resolvable)
	faultOutside         // paid without being recorded (tampering: Unrecorded)
	faultAmount          // amount tampered in the ledger (AmountDiffers)
	faultCost            // cost tampered in the ledger (CostDiffers)
	faultProduct         // product tampered in the ledger (RequestDiffers)
	faultNeverSent       // recorded, never sent, hours ago (Missing)
	faultCount
)

var tamperKind = map[fault]reconcile.Kind{
	faultOutside: reconcile.Unrecorded, faultAmount: reconcile.AmountDiffers, faultCost: reconcile.CostDiffers,
	faultProduct: reconcile.RequestDiffers, faultNeverSent: reconcile.Missing,
}

var resolvableKind = map[fault]reconcile.Kind{
	faultUnknown: reconcile.OursOpen, faultRefund: reconcile.StatusDiffers, faultPending: reconcile.OursOpen,
}

// randomDay pays n random payments with random faults against a fresh
// fake and returns the merchant and the kind expected for each faulted refid.
func randomDay(t *testing.T, seed uint64) (*merchant, map[string]reconcile.Kind, map[string]reconcile.Kind) {
	rng := rand.New(rand.NewPCG(seed, seed*7+1))
	m := newMerchant(t, iimmpacttest.WithBalance(iimmpact.MustParseAmount("100000")))
	tampered, resolvable := map[string]reconcile.Kind{}, map[string]reconcile.Kind{}
	accounts := []string{"0123456789", "0129876543", "60123450052", "60123450048"} // two succeed, two fail
	for i := range 2 + rng.IntN(18) {
		refid := fmt.Sprintf("r%d-%d", seed, i)
		acct := accounts[rng.IntN(len(accounts))]
		amount := []string{"5", "10", "30"}[rng.IntN(3)]
		f := fault(rng.IntN(int(faultCount)))
		if rng.IntN(2) == 0 {
			f = faultNone // half the payments are plain
		}
		if acct[:8] == "60123450" && f != faultNone && f != faultUnknown && f != faultOutside && f != faultAmount && f != faultNeverSent {
			f = faultNone // refunds, pending and costs need a success
		}
		if rng.IntN(5) == 0 {
			m.srv.SetBalance(iimmpact.AmountFromInt(int64(100000 + rng.IntN(1000)))) // a deposit (or withdrawal) mid-day
		}
		switch f {
		case faultOutside:
			m.outside(refid, "D", acct, amount)
		case faultNeverSent:
			require.NoError(t, m.ledger.Add(reconcile.Payment{RefID: refid, Product: "D", Account: acct,
				Amount: iimmpact.MustParseAmount(amount), State: reconcile.Unknown, Time: mayNoon.Add(-3 * 3600e9)}))
		case faultUnknown:
			m.srv.ScriptFaults("/v2/topup", iimmpacttest.ResetFault().AfterProcessing())
			require.Equal(t, reconcile.Unknown, m.pay(refid, "D", acct, amount))
		case faultPending:
			m.srv.SetSettleAfter(1)
			require.Equal(t, reconcile.Pending, m.pay(refid, "D", acct, amount))
			m.srv.SetSettleAfter(0)
			require.True(t, m.srv.Settle(refid))
		default:
			require.Equal(t, reconcile.Final, m.pay(refid, "D", acct, amount))
		}
		tamper(t, m, f, refid)
		if k, ok := tamperKind[f]; ok {
			tampered[refid] = k
		}
		if k, ok := resolvableKind[f]; ok {
			resolvable[refid] = k
		}
	}
	return m, tampered, resolvable
}

func tamper(t *testing.T, m *merchant, f fault, refid string) {
	var change func(*reconcile.Payment)
	switch f {
	case faultRefund:
		require.True(t, m.srv.Refund(refid))
	case faultAmount:
		change = func(p *reconcile.Payment) { p.Amount = p.Amount.Add(iimmpact.MustParseAmount("0.01")) }
	case faultCost:
		change = func(p *reconcile.Payment) { p.Cost = p.Cost.Sub(iimmpact.MustParseAmount("0.01")) }
	case faultProduct:
		change = func(p *reconcile.Payment) { p.Product = "C" }
	}
	if change != nil {
		require.NoError(t, m.ledger.Update(refid, change))
	}
}

// checkRandomDay: the first run finds every fault exactly once with its
// kind and resolves the resolvable ones; the second run reports exactly
// the tamperings, so a day without tampering is clean.
func checkRandomDay(t *testing.T, seed uint64) {
	m, tampered, resolvable := randomDay(t, seed)
	want := map[string][]reconcile.Kind{}
	for r, k := range tampered {
		want[r] = []reconcile.Kind{k}
	}
	after := map[string][]reconcile.Kind{}
	for r, k := range want {
		after[r] = k
	}
	for r, k := range resolvable {
		want[r] = []reconcile.Kind{k}
	}
	rep := m.run(reconcile.WithResolver(m.ledger))
	require.Equal(t, want, kinds(rep), "seed %d first run", seed)
	for _, d := range rep.Discrepancies {
		_, ok := resolvable[d.RefID]
		require.Equal(t, ok, d.Resolved, "seed %d %s %s %s", seed, d.RefID, d.Kind, d.ResolveError)
	}
	rep = m.run(reconcile.WithResolver(m.ledger))
	require.Equal(t, after, kinds(rep), "seed %d second run", seed)
	require.Equal(t, len(tampered) == 0, rep.Clean())
}

func TestPropertyRandomDays(t *testing.T) {
	for seed := range uint64(40) {
		checkRandomDay(t, seed)
	}
}

func FuzzReconcileDay(f *testing.F) {
	for _, s := range []uint64{0, 1, 7, 42, 1 << 40} {
		f.Add(s)
	}
	f.Fuzz(checkRandomDay)
}
