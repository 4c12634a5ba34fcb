package payments_test

import (
	"context"
	"fmt"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/iimmpact-go/iimmpact/payments"
)

// ListCreated yields a window's payments, oldest first, in every state:
// the merchant's side of a reconciliation (see package reconcile).
func ExampleManager_ListCreated() {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	m, _ := payments.New(srv.Client(), payments.NewMemoryStore())
	ctx := context.Background()
	start := time.Now()
	_, _ = m.Pay(ctx, iimmpact.TopupRequest{RefID: "order-1", Product: "D", Account: "0123456789", Amount: iimmpact.AmountFromInt(30)})
	_, _ = m.Pay(ctx, iimmpact.TopupRequest{RefID: "order-2", Product: "D", Account: "0123456789", Amount: iimmpact.AmountFromInt(33)})
	for p, err := range m.ListCreated(ctx, start, time.Now().Add(time.Second)) {
		if err != nil {
			panic(err)
		}
		fmt.Println(p.RefID(), p.State)
	}
	// Output:
	// order-1 succeeded
	// order-2 rejected
}

// A tool sharing the merchant's store re-asks open payments and reports
// what changed, leaving the effects to the merchant's own service.
func ExampleWithEffectsElsewhere() {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	srv.ScriptFaults("/v2/topup", iimmpacttest.ResetFault().AfterProcessing()) // the answer is lost
	store := payments.NewMemoryStore()
	client := srv.Client(iimmpact.WithRetryPolicy(iimmpact.RetryPolicy{MaxAttempts: 1}))
	service, _ := payments.New(client, store)
	ctx := context.Background()
	_, _ = service.Pay(ctx, iimmpact.TopupRequest{RefID: "order-3", Product: "D", Account: "0123456789", Amount: iimmpact.AmountFromInt(10)})

	later := func() time.Time { return time.Now().Add(time.Minute) } // past the first re-query's wait
	tool, _ := payments.New(client, store, payments.WithEffectsElsewhere(), payments.WithClock(later),
		payments.WithOnChange(func(_ context.Context, p payments.Payment, c payments.Change) {
			fmt.Println(p.RefID(), c.From, "->", c.To, "from", c.Source)
		}))
	n, _ := tool.ResolveOnce(ctx)
	p, _ := tool.Get(ctx, "order-3")
	fmt.Println(n, "re-asked; effects owed to the service:", len(p.Effects)-p.EffectsDone)
	// Output:
	// order-3 unknown -> succeeded from requery
	// 1 re-asked; effects owed to the service: 1
}

// WithOnChange sees every durable state change, whatever its source.
func ExampleWithOnChange() {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	m, _ := payments.New(srv.Client(), payments.NewMemoryStore(),
		payments.WithOnChange(func(_ context.Context, p payments.Payment, c payments.Change) {
			fmt.Println(p.RefID(), c.From, "->", c.To, "from", c.Source, "status", c.Status)
		}))
	_, _ = m.Pay(context.Background(), iimmpact.TopupRequest{RefID: "order-4", Product: "D", Account: "0123456789", Amount: iimmpact.AmountFromInt(30)})
	// Output:
	// order-4 recorded -> succeeded from answer status 20 (successful)
}
