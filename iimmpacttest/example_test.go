package iimmpacttest_test

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
)

func ExampleNewServer() {
	srv := iimmpacttest.NewServer(iimmpacttest.WithBalance(iimmpact.MustParseAmount("100")))
	defer srv.Close()

	amount, _ := iimmpact.ParseAmount("30")
	tx, err := srv.Client().Topup(context.Background(), iimmpact.TopupRequest{
		RefID: "order-1", Product: "D", Account: "0123456789", Amount: amount,
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(tx.Status, tx.Cost, srv.Balance(), srv.Debits("order-1"))
	// Output: Succesful 29.4 70.6 1
}

func ExampleServer_ScriptFaults() {
	srv := iimmpacttest.NewServer()
	defer srv.Close()

	// The payment is applied, then the connection drops before the answer.
	srv.ScriptFaults("/v2/topup", iimmpacttest.ResetFault().AfterProcessing())

	client := srv.Client(iimmpact.WithRetryPolicy(iimmpact.RetryPolicy{
		MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 10 * time.Millisecond,
	}))
	amount, _ := iimmpact.ParseAmount("10")
	tx, err := client.Topup(context.Background(), iimmpact.TopupRequest{
		RefID: "order-2", Product: "D", Account: "0123456789", Amount: amount,
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(tx.Status, srv.Requests("/v2/topup"), srv.Debits("order-2"))
	// Output: Succesful 2 1
}

func ExampleWithSettleAfter() {
	srv := iimmpacttest.NewServer(iimmpacttest.WithSettleAfter(2))
	defer srv.Close()

	client := srv.Client()
	amount, _ := iimmpact.ParseAmount("10")
	req := iimmpact.TopupRequest{RefID: "order-3", Product: "C", Account: "0191234567", Amount: amount}
	for range 3 {
		tx, err := client.Topup(context.Background(), req)
		if err != nil {
			panic(err)
		}
		fmt.Println(int(tx.StatusCode), tx.Status)
	}
	// Output:
	// 1 Processing
	// 1 Processing
	// 20 Succesful
}

func ExampleServer_InjectFaults() {
	srv := iimmpacttest.NewServer(iimmpacttest.WithSeed(3))
	defer srv.Close()

	// About one balance request in three fails with a 503 (the same ones
	// for the same seed); the SDK's retries hide them.
	srv.InjectFaults("/v2/balance", 0.3, iimmpacttest.StatusFault(http.StatusServiceUnavailable))
	client := srv.Client(iimmpact.WithRetryPolicy(iimmpact.RetryPolicy{
		MaxAttempts: 10, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond,
	}))
	for range 10 {
		if _, err := client.Balance(context.Background()); err != nil {
			panic(err)
		}
	}
	fmt.Println(srv.Requests("/v2/balance"))
	// Output: 13
}
