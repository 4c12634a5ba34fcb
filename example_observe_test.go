package iimmpact_test

import (
	"context"
	"fmt"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
)

// attemptPrinter prints each attempt's end; NopObserver ignores the rest.
type attemptPrinter struct{ iimmpact.NopObserver }

func (attemptPrinter) AttemptEnd(_ context.Context, e iimmpact.AttemptEnd) {
	fmt.Printf("%s %s attempt %d: HTTP %d, %s\n", e.Method, e.Path, e.Attempt, e.HTTPStatus, e.Verdict)
}

func (attemptPrinter) CallEnd(_ context.Context, e iimmpact.CallEnd) {
	fmt.Printf("call: %s after %d attempts\n", e.Verdict, e.Attempts)
}

// An Observer sees every call and attempt; the otel module turns them into
// OpenTelemetry spans and metrics.
func ExampleWithObserver() {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	srv.ScriptFaults("/v2/balance", iimmpacttest.StatusFault(503))
	client := srv.Client(iimmpact.WithObserver(attemptPrinter{}), fastRetries())
	if _, err := client.Balance(context.Background()); err != nil {
		fmt.Println(err)
	}
	fmt.Printf("retry budget: %d of %d\n", client.Stats().RetryTokens, client.Stats().RetryBudget)
	// Output:
	// GET /v2/balance attempt 1: HTTP 503, retry
	// GET /v2/balance attempt 2: HTTP 200, success
	// call: success after 2 attempts
	// retry budget: 99 of 100
}
