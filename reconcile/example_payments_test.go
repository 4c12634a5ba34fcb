package reconcile_test

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/iimmpact-go/iimmpact/payments"
	"github.com/iimmpact-go/iimmpact/reconcile"
)

// Reconcile the payments layer's store: a payment whose answer was lost is
// settled from IIMMPACT's history through the layer's transition, and the
// second run is clean.
func ExampleNewPaymentsLedger() {
	var n atomic.Int64
	noon := time.Date(2025, 5, 15, 12, 0, 0, 0, myt)
	clock := func() time.Time { return noon.Add(time.Duration(n.Add(1)) * time.Millisecond) }
	srv := iimmpacttest.NewServer(iimmpacttest.WithServerClock(clock))
	defer srv.Close()
	client := srv.Client(iimmpact.WithClock(clock), iimmpact.WithRetryPolicy(iimmpact.RetryPolicy{MaxAttempts: 1}))
	m, _ := payments.New(client, payments.NewMemoryStore(), payments.WithClock(clock))
	ctx := context.Background()
	_, _ = m.Pay(ctx, iimmpact.TopupRequest{RefID: "ord-1", Product: "D", Account: "0123456789", Amount: iimmpact.AmountFromInt(30)})
	srv.ScriptFaults("/v2/topup", iimmpacttest.ResetFault().AfterProcessing()) // this answer is lost
	_, _ = m.Pay(ctx, iimmpact.TopupRequest{RefID: "ord-2", Product: "D", Account: "0123456789", Amount: iimmpact.AmountFromInt(10)})

	ledger := reconcile.NewPaymentsLedger(m)
	r, _ := reconcile.New(client, ledger, reconcile.WithResolver(ledger), reconcile.WithClock(clock))
	rep, _ := r.Day(ctx, noon)
	_ = rep.WriteTable(os.Stdout)
	p, _ := m.Get(ctx, "ord-2")
	fmt.Println("ord-2:", p.State, "from", p.History[len(p.History)-1].Source)
	rep, _ = r.Day(ctx, noon)
	fmt.Println(rep.Summary())
	// Output:
	// 2025-05-15: 2 payments, 2 IIMMPACT records, wallet moved -39.2: 1 discrepancies (1 resolved)
	// history: 2 successful (amount 40, price 39.2), 0 failed, 0 pending, 0 refunded (price 0)
	// wallet:  opening 950, transactions -39.2, refunds 0, deposits 0, commissions 0, closing 910.8
	// KIND       REFID  FIELD   OURS/EXPECTED  THEIRS/ACTUAL    RESOLVED
	// ours_open  ord-2  status  unknown        20 (successful)  yes
	// ord-2: succeeded from history
	// 2025-05-15: clean (2 payments match IIMMPACT's 2 records, 0 still open; wallet moved -39.2 as the records say)
}

// FromPayment maps the payments layer's states to a ledger's: a recorded
// intent may have been sent before a crash, so it is unknown, not unsent.
func ExampleFromPayment() {
	for _, s := range []payments.State{payments.StateRecorded, payments.StateManual, payments.StateRejected, payments.StateAbandoned} {
		p := payments.Payment{Request: iimmpact.TopupRequest{RefID: "ord-9"}, State: s}
		fmt.Println(s, "->", reconcile.FromPayment(&p).State)
	}
	// Output:
	// recorded -> unknown
	// manual -> unknown
	// rejected -> rejected
	// abandoned -> abandoned
}

// Resolution says what a Resolver did with a discrepancy.
func ExampleDiscrepancy_Resolution() {
	for _, d := range []reconcile.Discrepancy{
		{Kind: reconcile.OursOpen, Resolved: true},
		{Kind: reconcile.OursOpen, ResolveError: "the record is for another request"},
		{Kind: reconcile.Unrecorded},
	} {
		fmt.Println(d.Kind, d.Resolution())
	}
	// Output:
	// ours_open yes
	// ours_open refused: the record is for another request
	// unrecorded no
}
