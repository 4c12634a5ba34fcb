package iimmpactotel_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact"
	iimmpactotel "github.com/iimmpact-go/iimmpact/otel"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// harness is an Observer over an in-memory span recorder and a manual
// metric reader.
type harness struct {
	obs    *iimmpactotel.Observer
	spans  *tracetest.SpanRecorder
	reader *sdkmetric.ManualReader
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader()}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(h.spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(h.reader))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()); _ = mp.Shutdown(context.Background()) })
	var err error
	h.obs, err = iimmpactotel.New(iimmpactotel.WithTracerProvider(tp), iimmpactotel.WithMeterProvider(mp),
		iimmpactotel.WithPropagator(propagation.TraceContext{}))
	require.NoError(t, err)
	return h
}

// ended returns the ended spans named name.
func (h *harness) ended(name string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range h.spans.Ended() {
		if s.Name() == name {
			out = append(out, s)
		}
	}
	return out
}

func (h *harness) collect(t *testing.T) metricdata.ResourceMetrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, h.reader.Collect(context.Background(), &rm))
	return rm
}

func findMetric(t *testing.T, rm metricdata.ResourceMetrics, name string) metricdata.Aggregation {
	t.Helper()
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name == name {
				return m.Data
			}
		}
	}
	t.Fatalf("no metric %s", name)
	return nil
}

// has reports whether set holds every one of want.
func has(set attribute.Set, want ...attribute.KeyValue) bool {
	for _, kv := range want {
		if v, ok := set.Value(kv.Key); !ok || v != kv.Value {
			return false
		}
	}
	return true
}

// sumWhere adds the values of a counter's points (or the counts of a
// histogram's) whose attributes hold want.
func sumWhere(t *testing.T, rm metricdata.ResourceMetrics, name string, want ...attribute.KeyValue) int64 {
	t.Helper()
	var n int64
	switch data := findMetric(t, rm, name).(type) {
	case metricdata.Sum[int64]:
		for _, dp := range data.DataPoints {
			if has(dp.Attributes, want...) {
				n += dp.Value
			}
		}
	case metricdata.Histogram[float64]:
		for _, dp := range data.DataPoints {
			if has(dp.Attributes, want...) {
				n += int64(dp.Count)
			}
		}
	default:
		t.Fatalf("%s is a %T", name, data)
	}
	return n
}

func attrs(s sdktrace.ReadOnlySpan) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value
	}
	return m
}

// headerTap records the traceparent of every request as it leaves, after
// the signing transport.
type headerTap struct {
	mu     sync.Mutex
	seen   []string
	signed []bool
	base   http.RoundTripper
}

func (h *headerTap) RoundTrip(r *http.Request) (*http.Response, error) {
	h.mu.Lock()
	h.seen = append(h.seen, r.Header.Get("Traceparent"))
	h.signed = append(h.signed, r.Header.Get("X-Signature") != "")
	h.mu.Unlock()
	return h.base.RoundTrip(r)
}

func fastRetries() iimmpact.Option {
	return iimmpact.WithRetryPolicy(iimmpact.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond})
}

func digi(refID string) iimmpact.TopupRequest {
	return iimmpact.TopupRequest{RefID: refID, Product: "D", Account: "0123456789", Amount: iimmpact.MustParseAmount("30")}
}
