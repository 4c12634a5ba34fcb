package iimmpactotel_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/iimmpact-go/iimmpact/internal/benchloop"
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
		benchloop.Run(b, func() error { _, err := c.Balance(ctx); return err })
	}
	b.Run("off", func(b *testing.B) { run(b, srv.Client()) })
	b.Run("on", func(b *testing.B) { run(b, srv.Client(benchObserver(b).Option())) })
}

// benchObserver is this module on a real SDK pipeline: every span sampled
// and batched to an exporter that drops it, metrics aggregated for a reader.
func benchObserver(b *testing.B) *iimmpactotel.Observer {
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter()))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	b.Cleanup(func() { _ = tp.Shutdown(context.Background()); _ = mp.Shutdown(context.Background()) })
	obs, err := iimmpactotel.New(iimmpactotel.WithTracerProvider(tp), iimmpactotel.WithMeterProvider(mp),
		iimmpactotel.WithPropagator(propagation.TraceContext{}))
	if err != nil {
		b.Fatal(err)
	}
	return obs
}

// cannedBalance answers every request in memory with a balance body.
type cannedBalance struct{}

var balanceBody = []byte(`{"data":{"account":"3100528","name":"Demo","balance":"950.00","level":"1","access":1}}`)

func (cannedBalance) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(balanceBody)), ContentLength: int64(len(balanceBody)), Request: r}, nil
}

// BenchmarkBalanceOTelInMemory is the same comparison without sockets or a
// fake server, so on/off shows the module's own CPU cost per call.
func BenchmarkBalanceOTelInMemory(b *testing.B) {
	ctx := context.Background()
	run := func(b *testing.B, opts ...iimmpact.Option) {
		c, err := iimmpact.New("key", "c2VjcmV0", append(opts, iimmpact.WithHTTPClient(&http.Client{Transport: cannedBalance{}}))...)
		if err != nil {
			b.Fatal(err)
		}
		benchloop.Run(b, func() error { _, err := c.Balance(ctx); return err })
	}
	b.Run("off", func(b *testing.B) { run(b) })
	b.Run("on", func(b *testing.B) { run(b, benchObserver(b).Option()) })
}
