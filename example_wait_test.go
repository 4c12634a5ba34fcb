package iimmpact_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
)

// A payment that stays Processing for two asks, against the local fake.
func slowPayment() (*iimmpacttest.Server, iimmpact.TopupRequest) {
	srv := iimmpacttest.NewServer(iimmpacttest.WithSettleAfter(2))
	return srv, iimmpact.TopupRequest{RefID: "wait-1", Product: "D", Account: "0123456789", Amount: iimmpact.AmountFromInt(10)}
}

func ExampleWithPollInterval() {
	srv, req := slowPayment()
	defer srv.Close()
	// Against IIMMPACT keep the default 5 to 10 s; a loopback fake allows
	// intervals down to a millisecond, so tests run fast.
	tx, err := srv.Client().WaitTopup(context.Background(), req,
		iimmpact.WithPollInterval(time.Millisecond, 2*time.Millisecond))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tx.StatusCode, srv.Requests("/v2/topup"))
	// Output: 20 (successful) 3
}

func ExampleWithOnPoll() {
	srv, req := slowPayment()
	defer srv.Close()
	_, err := srv.Client().WaitTopup(context.Background(), req,
		iimmpact.WithPollInterval(time.Millisecond, time.Millisecond),
		iimmpact.WithOnPoll(func(tx *iimmpact.Transaction) { fmt.Println("seen", tx.StatusCode) }))
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// seen 1 (processing)
	// seen 1 (processing)
	// seen 20 (successful)
}

func ExampleWithWaitTimeout() {
	srv := iimmpacttest.NewServer(iimmpacttest.WithSettleAfter(1_000_000))
	defer srv.Close()
	req := iimmpact.TopupRequest{RefID: "wait-2", Product: "D", Account: "0123456789", Amount: iimmpact.AmountFromInt(10)}
	tx, err := srv.Client().WaitTopup(context.Background(), req,
		iimmpact.WithPollInterval(time.Millisecond, time.Millisecond), iimmpact.WithWaitTimeout(20*time.Millisecond))
	// Giving up waiting is not failure: the last state seen comes back
	// with an error that says the outcome is still open.
	fmt.Println(tx.StatusCode, errors.Is(err, iimmpact.ErrOutcomeUnknown))
	// Output: 1 (processing) true
}
