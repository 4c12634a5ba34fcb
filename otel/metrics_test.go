package iimmpactotel_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	iimmpactotel "github.com/iimmpact-go/iimmpact/otel"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

func gaugeWhere[N int64 | float64](t *testing.T, rm metricdata.ResourceMetrics, name string, want ...attribute.KeyValue) []N {
	t.Helper()
	g, ok := findMetric(t, rm, name).(metricdata.Gauge[N])
	require.True(t, ok, "%s is not a gauge of that type", name)
	var out []N
	for _, dp := range g.DataPoints {
		if has(dp.Attributes, want...) {
			out = append(out, dp.Value)
		}
	}
	return out
}

func metricNames(rm metricdata.ResourceMetrics) []string {
	var names []string
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			names = append(names, m.Name)
		}
	}
	return names
}

// TestRetryBudgetGauge: the gauge follows the client's budget as retries
// spend it, and stops when unregistered.
func TestRetryBudgetGauge(t *testing.T) {
	h := newHarness(t)
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	c := srv.Client(h.obs.Option(), iimmpact.WithRetryPolicy(iimmpact.RetryPolicy{MaxAttempts: 3,
		BaseDelay: time.Millisecond, MaxDelay: time.Millisecond, Budget: 10, BudgetRefill: time.Hour}))
	reg, err := h.obs.ObserveClient(c, attribute.String("client", "main"))
	require.NoError(t, err)
	name := attribute.String("client", "main")
	assert.Equal(t, []int64{10}, gaugeWhere[int64](t, h.collect(t), iimmpactotel.MetricRetryBudget, name))
	srv.ScriptFaults("/v2/balance", iimmpacttest.StatusFault(500), iimmpacttest.StatusFault(500))
	_, err = c.Balance(context.Background())
	require.NoError(t, err)
	rm := h.collect(t)
	assert.Equal(t, []int64{8}, gaugeWhere[int64](t, rm, iimmpactotel.MetricRetryBudget, name))
	assert.Equal(t, []int64{10}, gaugeWhere[int64](t, rm, iimmpactotel.MetricRetryBudgetLimit, name))
	if st := c.Stats(); st.LimiterBurst > 0 {
		got := gaugeWhere[float64](t, rm, iimmpactotel.MetricLimiterTokens, name)
		require.Len(t, got, 1)
		assert.InDelta(t, st.LimiterTokens, got[0], 1) // tokens refill between the two reads
	} else { // no limiter: no point rather than a false zero
		assert.NotContains(t, metricNames(rm), iimmpactotel.MetricLimiterTokens)
	}
	require.NoError(t, reg.Unregister())
	assert.NotContains(t, metricNames(h.collect(t)), iimmpactotel.MetricRetryBudget)
}

// TestPaymentMetrics: state changes are counted, and the payments layer's
// snapshot becomes gauges by state plus the oldest open payment's age.
func TestPaymentMetrics(t *testing.T) {
	h := newHarness(t)
	snapshot := iimmpact.PaymentStats{ByState: map[string]int{"pending": 3, "unknown": 1, "succeeded": 7}, OldestUnresolved: 90 * time.Second}
	_, err := h.obs.ObservePayments(func(context.Context) (iimmpact.PaymentStats, error) { return snapshot, nil })
	require.NoError(t, err)
	ctx := context.Background()
	h.obs.PaymentState(ctx, iimmpact.PaymentStateChange{RefID: "p-1", From: "intent", To: "pending", Source: "answer", At: time.Now()})
	h.obs.PaymentState(ctx, iimmpact.PaymentStateChange{RefID: "p-1", From: "pending", To: "succeeded", Source: "callback", At: time.Now()})
	h.obs.PaymentState(ctx, iimmpact.PaymentStateChange{RefID: "p-2", From: "intent", To: "pending", Source: "answer", At: time.Now()})
	h.obs.LimiterWait(ctx, iimmpact.LimiterWait{Method: "POST", Path: "/v2/topup", Waited: 30 * time.Millisecond})
	h.obs.LimiterWait(ctx, iimmpact.LimiterWait{Waited: 10 * time.Millisecond}) // a hand-made event without a path still counts

	rm := h.collect(t)
	assert.Equal(t, int64(2), sumWhere(t, rm, iimmpactotel.MetricPaymentTransitions, attribute.String("iimmpact.payment.to", "pending")))
	assert.Equal(t, int64(1), sumWhere(t, rm, iimmpactotel.MetricPaymentTransitions,
		attribute.String("iimmpact.payment.to", "succeeded"), attribute.String("iimmpact.payment.source", "callback")))
	assert.Equal(t, []int64{3}, gaugeWhere[int64](t, rm, iimmpactotel.MetricPayments, attribute.String("iimmpact.payment.state", "pending")))
	assert.Equal(t, []int64{7}, gaugeWhere[int64](t, rm, iimmpactotel.MetricPayments, attribute.String("iimmpact.payment.state", "succeeded")))
	assert.Equal(t, []float64{90}, gaugeWhere[float64](t, rm, iimmpactotel.MetricOldestUnresolved))
	assert.Equal(t, int64(1), sumWhere(t, rm, iimmpactotel.MetricLimiterWait, attribute.String("url.template", "/v2/topup")))
	assert.Equal(t, int64(2), sumWhere(t, rm, iimmpactotel.MetricLimiterWait))

	// A failing snapshot reports no payment gauges rather than stale ones.
	snapshotErr := errors.New("store down")
	h2 := newHarness(t)
	_, err = h2.obs.ObservePayments(func(context.Context) (iimmpact.PaymentStats, error) { return iimmpact.PaymentStats{}, snapshotErr })
	require.NoError(t, err)
	var rm2 metricdata.ResourceMetrics
	err = h2.reader.Collect(ctx, &rm2)
	assert.ErrorIs(t, err, snapshotErr)
}
