package iimmpactotel_test

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	iimmpactotel "github.com/iimmpact-go/iimmpact/otel"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// A client and its calls traced: one span per call, one per attempt.
func ExampleNew() {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	defer tp.Shutdown(context.Background())
	obs, err := iimmpactotel.New(iimmpactotel.WithTracerProvider(tp))
	if err != nil {
		panic(err)
	}
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	client := srv.Client(iimmpact.WithObserver(obs))
	if _, err := client.Balance(context.Background()); err != nil {
		panic(err)
	}
	for _, s := range spans.Ended() {
		fmt.Println(s.SpanKind(), s.Name())
	}
	// Output:
	// client GET /v2/balance
	// internal iimmpact GET /v2/balance
}

// The retry budget as a gauge, read by a manual reader.
func ExampleObserver_ObserveClient() {
	reader := sdkmetric.NewManualReader()
	obs, err := iimmpactotel.New(iimmpactotel.WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))))
	if err != nil {
		panic(err)
	}
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	client := srv.Client(obs.Option(), iimmpact.WithRetryPolicy(iimmpact.RetryPolicy{Budget: 20}))
	if _, err := obs.ObserveClient(client); err != nil {
		panic(err)
	}
	printGauges(reader, iimmpactotel.MetricRetryBudget, iimmpactotel.MetricRetryBudgetLimit)
	// Output:
	// iimmpact.client.retry_budget.tokens 20
	// iimmpact.client.retry_budget.limit 20
}

// The payments layer reports counts by state and its oldest open payment.
func ExampleObserver_ObservePayments() {
	reader := sdkmetric.NewManualReader()
	obs, err := iimmpactotel.New(iimmpactotel.WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))))
	if err != nil {
		panic(err)
	}
	_, err = obs.ObservePayments(func(context.Context) (iimmpact.PaymentStats, error) {
		return iimmpact.PaymentStats{ByState: map[string]int{"unknown": 2}, OldestUnresolved: 5 * time.Minute}, nil
	})
	if err != nil {
		panic(err)
	}
	printGauges(reader, iimmpactotel.MetricPayments, iimmpactotel.MetricOldestUnresolved)
	// Output:
	// iimmpact.payments 2
	// iimmpact.payments.oldest_unresolved.age 300
}

// Stdout writes spans and metrics as JSON, here to io.Discard.
func ExampleStdout() {
	obs, shutdown, err := iimmpactotel.Stdout(io.Discard, time.Minute)
	if err != nil {
		panic(err)
	}
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	_, err = srv.Client(obs.Option()).Balance(context.Background())
	fmt.Println(err, shutdown(context.Background()))
	// Output: <nil> <nil>
}

func printGauges(reader *sdkmetric.ManualReader, names ...string) {
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		panic(err)
	}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if !slices.Contains(names, m.Name) {
				continue
			}
			switch g := m.Data.(type) {
			case metricdata.Gauge[int64]:
				fmt.Println(m.Name, g.DataPoints[0].Value)
			case metricdata.Gauge[float64]:
				fmt.Println(m.Name, g.DataPoints[0].Value)
			}
		}
	}
}
