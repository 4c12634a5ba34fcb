package payments_test

import (
	"context"
	"fmt"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/iimmpact-go/iimmpact/payments"
)

func ExampleManager_Pay() {
	srv := iimmpacttest.NewServer() // IIMMPACT, faked
	defer srv.Close()
	m, err := payments.New(srv.Client(), payments.NewMemoryStore(),
		payments.WithEffects(func(_ context.Context, e payments.Effect, p payments.Payment) error {
			fmt.Println("effect", e.Key, "cost", p.Tx.Cost) // credit the order; idempotent on e.Key
			return nil
		}))
	if err != nil {
		panic(err)
	}
	p, err := m.Pay(context.Background(), iimmpact.TopupRequest{
		RefID: "order-1", Product: "D", Account: "0123456789", Amount: iimmpact.MustParseAmount("30"),
	})
	if err != nil {
		panic(err) // not recorded (nothing sent), or the answer not recorded (the resolver re-asks)
	}
	fmt.Println(p.State, p.Status)
	// Output:
	// effect order-1/succeeded cost 29.4
	// succeeded 20 (successful)
}

func ExampleManager_Run() {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	srv.ScriptFaults("/v2/topup", iimmpacttest.ResetFault().AfterProcessing()) // the answer is lost
	client := srv.Client(iimmpact.WithRetryPolicy(iimmpact.RetryPolicy{MaxAttempts: 1}))
	m, _ := payments.New(client, payments.NewMemoryStore(),
		payments.WithPollSchedule(10*time.Millisecond, 20*time.Millisecond, 6, time.Second))
	ctx := context.Background()
	p, _ := m.Pay(ctx, iimmpact.TopupRequest{RefID: "order-2", Product: "D", Account: "0123456789", Amount: iimmpact.MustParseAmount("10")})
	fmt.Println("after Pay:", p.State) // never "failed": the payment may have happened

	run, stop := context.WithCancel(ctx)
	defer stop()
	go m.Run(run) // asks again with the same refid
	p, _ = m.Wait(ctx, "order-2", 10*time.Millisecond)
	fmt.Println("resolved:", p.State, "debits:", srv.Debits("order-2"))
	// Output:
	// after Pay: unknown
	// resolved: succeeded debits: 1
}

func ExampleManager_Start() {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	m, _ := payments.New(srv.Client(), payments.NewMemoryStore())
	ctx := context.Background()
	req := iimmpact.TopupRequest{RefID: "order-3", Product: "D", Account: "0123456789", Amount: iimmpact.MustParseAmount("10")}
	p, _ := m.Start(ctx, req) // recorded, not sent
	fmt.Println(p.State)

	other := req
	other.Amount = iimmpact.MustParseAmount("50")
	_, err := m.Start(ctx, other)
	fmt.Println(err)

	p, _ = m.Abandon(ctx, "order-3") // the customer cancelled before it was sent
	fmt.Println(p.State, "requests:", srv.Requests("/v2/topup"))
	// Output:
	// recorded
	// payments: refid already recorded with different parameters: refid "order-3"
	// abandoned requests: 0
}

func ExampleManager_CallbackHandler() {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	m, _ := payments.New(srv.Client(), payments.NewMemoryStore())
	allow, _ := iimmpact.NewIPAllowlist(iimmpact.ProductionCallbackIPs()...)
	h, err := m.CallbackHandler(iimmpact.CallbackConfig{Allowlist: allow})
	fmt.Println(h != nil, err)
	// http.Handle("/iimmpact/callback", h)
	// Output: true <nil>
}

func ExampleManager_Apply() {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	m, _ := payments.New(srv.Client(), payments.NewMemoryStore())
	ctx := context.Background()
	_, _ = m.Start(ctx, iimmpact.TopupRequest{RefID: "order-4", Product: "D", Account: "0123456789", Amount: iimmpact.MustParseAmount("10")})
	for _, code := range []iimmpact.StatusCode{iimmpact.StatusSuccessful, iimmpact.StatusProcessing, iimmpact.StatusRefund} {
		p, _ := m.Apply(ctx, &iimmpact.Transaction{RefID: "order-4", StatusCode: code}, payments.SourceCallback)
		fmt.Println(code, "->", p.State)
	}
	// Output:
	// 20 (successful) -> succeeded
	// 1 (processing) -> succeeded
	// 53 (refunded) -> refunded
}

func ExampleManager_Stats() {
	srv := iimmpacttest.NewServer(iimmpacttest.WithSettleAfter(5))
	defer srv.Close()
	m, _ := payments.New(srv.Client(), payments.NewMemoryStore())
	ctx := context.Background()
	for _, id := range []string{"a", "b"} {
		_, _ = m.Pay(ctx, iimmpact.TopupRequest{RefID: id, Product: "D", Account: "0123456789", Amount: iimmpact.MustParseAmount("10")})
	}
	r, _ := m.Stats(ctx)
	fmt.Println("pending:", r.Counts[payments.StatePending], "due now:", r.Due)
	// Output: pending: 2 due now: 0
}
