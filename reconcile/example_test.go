package reconcile_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/iimmpact-go/iimmpact/reconcile"
)

// exampleDay is 15 May 2025 against the fake: a success, a failure, a
// success later refunded, a payment whose answer was lost, one paid outside
// the ledger, one whose amount was edited in the ledger, and a deposit.
func exampleDay() (*iimmpacttest.Server, *iimmpact.Client, *reconcile.SliceLedger, func() time.Time) {
	var n atomic.Int64
	noon := time.Date(2025, 5, 15, 12, 0, 0, 0, myt)
	clock := func() time.Time { return noon.Add(time.Duration(n.Add(1)) * time.Millisecond) }
	srv := iimmpacttest.NewServer(iimmpacttest.WithServerClock(clock), iimmpacttest.WithBalance(iimmpact.MustParseAmount("1000")))
	client := srv.Client(iimmpact.WithClock(clock), iimmpact.WithRetryPolicy(iimmpact.RetryPolicy{MaxAttempts: 1}))
	ledger := reconcile.NewSliceLedger()
	pay := func(refid, product, account, amount string, record bool) {
		req := iimmpact.TopupRequest{RefID: refid, Product: product, Account: account, Amount: iimmpact.MustParseAmount(amount)}
		p := reconcile.Payment{RefID: refid, Product: product, Account: account, Amount: req.Amount, Time: clock()}
		tx, err := client.Topup(context.Background(), req)
		switch {
		case errors.Is(err, iimmpact.ErrOutcomeUnknown):
			p.State = reconcile.Unknown
		case err != nil:
			panic(err)
		default:
			p.State, p.Status, p.Cost, p.CostKnown = reconcile.Final, tx.StatusCode, tx.Cost, tx.StatusCode.IsSuccess()
		}
		if record {
			_ = ledger.Add(p)
		}
	}
	pay("ord-1001", "D", "0123456789", "30", true)
	pay("ord-1002", "D", "60123450052", "10", true) // fails: invalid number
	pay("ord-1003", "TNB", "220012345678", "120.50", true)
	srv.Refund("ord-1003")
	srv.ScriptFaults("/v2/topup", iimmpacttest.ResetFault().AfterProcessing())
	pay("ord-1004", "M", "0191234567", "10", true) // the answer is lost
	pay("manual-77", "D", "0170000000", "5", false)
	pay("ord-1005", "D", "0181111111", "30", true)
	_ = ledger.Update("ord-1005", func(p *reconcile.Payment) { p.Amount = iimmpact.MustParseAmount("35") })
	srv.SetBalance(iimmpact.MustParseAmount("1500"))
	return srv, client, ledger, clock
}

// Reconcile a day, resolve what IIMMPACT's history settles, and run again.
func Example() {
	srv, client, ledger, clock := exampleDay()
	defer srv.Close()
	r, err := reconcile.New(client, ledger, reconcile.WithResolver(ledger), reconcile.WithClock(clock))
	if err != nil {
		panic(err)
	}
	day := time.Date(2025, 5, 15, 0, 0, 0, 0, myt)
	rep, err := r.Day(context.Background(), day)
	if err != nil {
		panic(err)
	}
	_ = rep.WriteTable(os.Stdout)

	fmt.Println()
	rep, _ = r.Day(context.Background(), day)
	_ = rep.WriteTable(os.Stdout)
	// Output:
	// 2025-05-15: 5 payments, 6 IIMMPACT records, wallet moved 500: 4 discrepancies (2 resolved)
	// history: 4 successful (amount 75, price 73.5), 1 failed, 0 pending, 1 refunded (price 118.09)
	// wallet:  opening 1000, transactions -191.59, refunds 118.09, deposits 573.5, commissions 0, closing 1500
	// KIND            REFID      FIELD   OURS/EXPECTED    THEIRS/ACTUAL    RESOLVED
	// status_differs  ord-1003   status  20 (successful)  53 (refunded)    yes
	// ours_open       ord-1004   status  unknown          20 (successful)  yes
	// unrecorded      manual-77  refid   absent           20 (successful)  no
	// amount_differs  ord-1005   amount  35               30               no
	//
	// 2025-05-15: 5 payments, 6 IIMMPACT records, wallet moved 500: 2 discrepancies (0 resolved)
	// history: 4 successful (amount 75, price 73.5), 1 failed, 0 pending, 1 refunded (price 118.09)
	// wallet:  opening 1000, transactions -191.59, refunds 118.09, deposits 573.5, commissions 0, closing 1500
	// KIND            REFID      FIELD   OURS/EXPECTED  THEIRS/ACTUAL    RESOLVED
	// unrecorded      manual-77  refid   absent         20 (successful)  no
	// amount_differs  ord-1005   amount  35             30               no
}

// A clean day is one line.
func ExampleReport_WriteTable() {
	var n atomic.Int64
	noon := time.Date(2025, 5, 15, 12, 0, 0, 0, myt)
	clock := func() time.Time { return noon.Add(time.Duration(n.Add(1)) * time.Millisecond) }
	srv := iimmpacttest.NewServer(iimmpacttest.WithServerClock(clock))
	defer srv.Close()
	client := srv.Client(iimmpact.WithClock(clock))
	tx, err := client.Topup(context.Background(), iimmpact.TopupRequest{RefID: "ord-1", Product: "D", Account: "0123456789",
		Amount: iimmpact.AmountFromInt(30)})
	if err != nil {
		panic(err)
	}
	ledger := reconcile.NewSliceLedger(reconcile.Payment{RefID: "ord-1", Product: "D", Account: "0123456789",
		Amount: iimmpact.AmountFromInt(30), State: reconcile.Final, Status: tx.StatusCode, Time: noon})
	r, _ := reconcile.New(client, ledger, reconcile.WithClock(clock))
	rep, _ := r.Day(context.Background(), noon)
	_ = rep.WriteTable(os.Stdout)
	// Output:
	// 2025-05-15: clean (1 payments match IIMMPACT's 1 records, 0 still open; wallet moved -29.4 as the records say)
}

// The JSON report, for a dashboard or an alert.
func ExampleReport_MarshalJSON() {
	srv, client, ledger, clock := exampleDay()
	defer srv.Close()
	r, _ := reconcile.New(client, ledger, reconcile.WithClock(clock))
	rep, _ := r.Day(context.Background(), time.Date(2025, 5, 15, 0, 0, 0, 0, myt))
	var out struct {
		Clean         bool `json:"clean"`
		Discrepancies []struct {
			Kind  string `json:"kind"`
			RefID string `json:"refid"`
		} `json:"discrepancies"`
	}
	b, _ := json.Marshal(rep)
	_ = json.Unmarshal(b, &out)
	fmt.Println(out.Clean, out.Discrepancies)
	// Output:
	// false [{status_differs ord-1003} {ours_open ord-1004} {unrecorded manual-77} {amount_differs ord-1005}]
}

// SliceLedger settles an open payment from a final history record, and
// refuses a record that contradicts a final state.
func ExampleSliceLedger_ApplyHistory() {
	ledger := reconcile.NewSliceLedger(
		reconcile.Payment{RefID: "a", Amount: iimmpact.AmountFromInt(30), State: reconcile.Unknown},
		reconcile.Payment{RefID: "b", Amount: iimmpact.AmountFromInt(30), State: reconcile.Final, Status: iimmpact.StatusInvalidAccount},
	)
	ok := iimmpact.TransactionRecord{RefID: "a", StatusCode: iimmpact.StatusSuccessful, Price: iimmpact.MustParseAmount("29.4")}
	fmt.Println(ledger.ApplyHistory(context.Background(), ok))
	p, _ := ledger.Get("a")
	fmt.Println(p.State, p.Status, p.Cost)
	ok.RefID = "b"
	err := ledger.ApplyHistory(context.Background(), ok)
	fmt.Println(errors.Is(err, reconcile.ErrConflict))
	// Output:
	// <nil>
	// final 20 (successful) 29.4
	// true
}

// Any function can be the Resolver, e.g. one that hands the record to the
// payments layer's transition.
func ExampleResolverFunc() {
	var settled []string
	resolver := reconcile.ResolverFunc(func(_ context.Context, rec iimmpact.TransactionRecord) error {
		settled = append(settled, rec.RefID+" "+rec.Outcome().String())
		return nil
	})
	_ = resolver.ApplyHistory(context.Background(), iimmpact.TransactionRecord{RefID: "ord-9", StatusCode: iimmpact.StatusRefund})
	fmt.Println(settled)
	// Output: [ord-9 refunded]
}

// Range reconciles several days at once, so a refund on the day after a
// payment nets out.
func ExampleReconciler_Range() {
	srv, client, ledger, clock := exampleDay()
	defer srv.Close()
	r, _ := reconcile.New(client, ledger, reconcile.WithClock(clock), reconcile.WithSettlingWindow(time.Hour), reconcile.WithPageSize(2))
	from := time.Date(2025, 5, 14, 0, 0, 0, 0, myt)
	rep, _ := r.Range(context.Background(), from, from.AddDate(0, 0, 1))
	fmt.Println(rep.Summary())
	// Output:
	// 2025-05-14 - 2025-05-15: 5 payments, 6 IIMMPACT records, wallet moved 500: 4 discrepancies (0 resolved)
}

// Day reports what does not reconcile; Count and Unresolved sort it.
func ExampleReconciler_Day() {
	srv, client, ledger, clock := exampleDay()
	defer srv.Close()
	r, _ := reconcile.New(client, ledger, reconcile.WithResolver(ledger), reconcile.WithClock(clock))
	rep, _ := r.Day(context.Background(), time.Date(2025, 5, 15, 0, 0, 0, 0, myt))
	fmt.Println(rep.Count(reconcile.OursOpen), rep.Count(reconcile.Unrecorded), len(rep.Unresolved()))
	p, _ := ledger.Get("ord-1004")
	fmt.Println(p.State, p.Status)
	// Output:
	// 1 1 2
	// final 20 (successful)
}

// A SliceLedger yields the payments sent in a half-open window.
func ExampleSliceLedger_Payments() {
	day := time.Date(2025, 5, 15, 0, 0, 0, 0, myt)
	ledger := reconcile.NewSliceLedger(
		reconcile.Payment{RefID: "late-14th", State: reconcile.Pending, Time: day.Add(-time.Second)},
		reconcile.Payment{RefID: "on-15th", State: reconcile.Pending, Time: day.Add(23 * time.Hour)},
	)
	for p, err := range ledger.Payments(context.Background(), day, day.AddDate(0, 0, 1)) {
		fmt.Println(p.RefID, err)
	}
	fmt.Println(ledger.Add(reconcile.Payment{RefID: "on-15th", State: reconcile.Pending}))
	// Output:
	// on-15th <nil>
	// reconcile: refid on-15th recorded twice
}

// New validates its options; the defaults suit a daily run.
func ExampleNew() {
	ledger := reconcile.NewSliceLedger()
	client, _ := iimmpact.New("iimm_dev_example", "c2VjcmV0", iimmpact.WithBaseURL("https://staging.iimmpact.com"))
	_, err := reconcile.New(client, ledger,
		reconcile.WithSettlingWindow(time.Hour), // sent over an hour ago and not at IIMMPACT: Missing
		reconcile.WithLookback(1),               // yesterday's late successes debited today
		reconcile.WithBoundarySkew(2*time.Minute),
		reconcile.WithPageSize(500))
	fmt.Println(err)
	_, err = reconcile.New(client, ledger, reconcile.WithLookback(-1))
	fmt.Println(err)
	// Output:
	// <nil>
	// reconcile: negative settling window, lookback or skew
}
