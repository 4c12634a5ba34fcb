package iimmpactotel_test

import (
	"context"
	"testing"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	iimmpactotel "github.com/iimmpact-go/iimmpact/otel"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// BenchmarkBalanceOTel is a Balance round trip against the fake without an
// observer ("off") and with this module on a real SDK pipeline ("on":
// every span sampled and batched to an exporter that drops it, metrics
// aggregated for a reader), in the same run; on/off is the module's cost.
func BenchmarkBalanceOTel(b *testing.B) {
	srv := iimmpacttest.NewServer()
	b.Cleanup(srv.Close)
	ctx := context.Background()
	run := func(b *testing.B, c *iimmpact.Client) {
		b.Cleanup(c.CloseIdleConnections)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Balance(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("off", func(b *testing.B) { run(b, srv.Client()) })
	b.Run("on", func(b *testing.B) {
		tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter()))
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
		b.Cleanup(func() { _ = tp.Shutdown(ctx); _ = mp.Shutdown(ctx) })
		obs, err := iimmpactotel.New(iimmpactotel.WithTracerProvider(tp), iimmpactotel.WithMeterProvider(mp),
			iimmpactotel.WithPropagator(propagation.TraceContext{}))
		if err != nil {
			b.Fatal(err)
		}
		run(b, srv.Client(obs.Option()))
	})
}
