package iimmpactotel

import (
	"context"
	"errors"

	"github.com/iimmpact-go/iimmpact"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// Instrument names. Durations are in seconds.
const (
	// MetricRequestDuration: one per HTTP attempt (OpenTelemetry's HTTP client
	// metric), by http.request.method, url.template (the path),
	// http.response.status_code, error.type, server.address and server.port;
	// its count is the request count.
	MetricRequestDuration = "http.client.request.duration"
	// MetricCallDuration: one per call (all its attempts), also by
	// iimmpact.verdict and iimmpact.call.kind (request or wait).
	MetricCallDuration = "iimmpact.client.call.duration"
	// MetricRetries counts attempts that were retried, by the attributes of
	// MetricRequestDuration.
	MetricRetries = "iimmpact.client.retries"
	// MetricOutcomesUnknown counts calls and waits that ended with
	// ErrOutcomeUnknown, by url.template and iimmpact.call.kind.
	MetricOutcomesUnknown = "iimmpact.client.outcomes_unknown"
	// MetricRetryBudget and MetricRetryBudgetLimit are the client-wide
	// retry tokens left and the budget (gauges; see ObserveClient).
	MetricRetryBudget      = "iimmpact.client.retry_budget.tokens"
	MetricRetryBudgetLimit = "iimmpact.client.retry_budget.limit"
	// MetricLimiterTokens is the rate limiter's tokens (gauge), reported
	// only for a client that has a limiter; MetricLimiterWait the waits.
	MetricLimiterTokens = "iimmpact.client.limiter.tokens"
	MetricLimiterWait   = "iimmpact.client.limiter.wait.duration"
	// MetricCallbacks counts callbacks answered, by iimmpact.callback.result,
	// http.response.status_code and http.request.method.
	MetricCallbacks = "iimmpact.callbacks"
	// MetricPaymentTransitions counts payment state changes by
	// iimmpact.payment.from, .to and .source.
	MetricPaymentTransitions = "iimmpact.payment.transitions"
	// MetricPayments is payments by iimmpact.payment.state, and
	// MetricOldestUnresolved the age of the oldest open one (gauges; see
	// ObservePayments).
	MetricPayments         = "iimmpact.payments"
	MetricOldestUnresolved = "iimmpact.payments.oldest_unresolved.age"
)

// durationBuckets suit IIMMPACT: loopback milliseconds to its 29 s
// integration timeout and polls of several minutes.
var durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300}

type instruments struct {
	requestDuration, callDuration, limiterWait metric.Float64Histogram
	retries, unknown, callbacks, transitions   metric.Int64Counter
}

func newInstruments(m metric.Meter) (instruments, error) {
	var in instruments
	var errs [7]error
	hist := func(name, desc string, err *error) metric.Float64Histogram {
		h, e := m.Float64Histogram(name, metric.WithUnit("s"), metric.WithDescription(desc),
			metric.WithExplicitBucketBoundaries(durationBuckets...))
		*err = e
		return h
	}
	count := func(name, unit, desc string, err *error) metric.Int64Counter {
		c, e := m.Int64Counter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		*err = e
		return c
	}
	in.requestDuration = hist(MetricRequestDuration, "Duration of HTTP client requests to IIMMPACT, one per attempt.", &errs[0])
	in.callDuration = hist(MetricCallDuration, "Duration of IIMMPACT calls, retries and waits included.", &errs[1])
	in.limiterWait = hist(MetricLimiterWait, "Time requests waited for the client-wide rate limiter.", &errs[2])
	in.retries = count(MetricRetries, "{retry}", "Attempts retried.", &errs[3])
	in.unknown = count(MetricOutcomesUnknown, "{call}", "Payments whose outcome is unknown: keep the refid and ask again.", &errs[4])
	in.callbacks = count(MetricCallbacks, "{callback}", "Callbacks answered, by result.", &errs[5])
	in.transitions = count(MetricPaymentTransitions, "{transition}", "Payment state changes.", &errs[6])
	return in, errors.Join(errs[:]...)
}

// ObserveClient reports c's retry budget (and rate limiter, when it has
// one) as gauges, with attrs added (e.g. a name for the client). Call
// Unregister on the result when c is retired.
func (o *Observer) ObserveClient(c *iimmpact.Client, attrs ...attribute.KeyValue) (metric.Registration, error) {
	if c == nil {
		return nil, errors.New("iimmpactotel: ObserveClient needs a client")
	}
	tokens, err1 := o.meter.Int64ObservableGauge(MetricRetryBudget, metric.WithUnit("{token}"),
		metric.WithDescription("Retries the client-wide budget allows now."))
	limit, err2 := o.meter.Int64ObservableGauge(MetricRetryBudgetLimit, metric.WithUnit("{token}"),
		metric.WithDescription("The client-wide retry budget."))
	limiter, err3 := o.meter.Float64ObservableGauge(MetricLimiterTokens, metric.WithUnit("{token}"),
		metric.WithDescription("Requests the client-wide rate limiter lets through now without waiting."))
	if err := errors.Join(err1, err2, err3); err != nil {
		return nil, err
	}
	set := metric.WithAttributeSet(attribute.NewSet(attrs...))
	return o.meter.RegisterCallback(func(_ context.Context, ob metric.Observer) error {
		s := c.Stats()
		ob.ObserveInt64(tokens, int64(s.RetryTokens), set)
		ob.ObserveInt64(limit, int64(s.RetryBudget), set)
		if s.LimiterBurst > 0 {
			ob.ObserveFloat64(limiter, s.LimiterTokens, set)
		}
		return nil
	}, tokens, limit, limiter)
}

// PaymentStatsFunc reports the payments layer's current counts; the
// payments store (or anything that can count payments by state) supplies it.
type PaymentStatsFunc func(ctx context.Context) (iimmpact.PaymentStats, error)

// ObservePayments reports payments by state and the age of the oldest
// unresolved one as gauges, asking f at each collection.
func (o *Observer) ObservePayments(f PaymentStatsFunc) (metric.Registration, error) {
	if f == nil {
		return nil, errors.New("iimmpactotel: ObservePayments needs a function")
	}
	byState, err1 := o.meter.Int64ObservableGauge(MetricPayments, metric.WithUnit("{payment}"),
		metric.WithDescription("Payments by state."))
	oldest, err2 := o.meter.Float64ObservableGauge(MetricOldestUnresolved, metric.WithUnit("s"),
		metric.WithDescription("Age of the oldest payment not yet in a final state; 0 when none is open."))
	if err := errors.Join(err1, err2); err != nil {
		return nil, err
	}
	return o.meter.RegisterCallback(func(ctx context.Context, ob metric.Observer) error {
		st, err := f(ctx)
		if err != nil {
			return err
		}
		for state, n := range st.ByState {
			ob.ObserveInt64(byState, int64(n), metric.WithAttributes(keyState.String(state)))
		}
		ob.ObserveFloat64(oldest, st.OldestUnresolved.Seconds())
		return nil
	}, byState, oldest)
}
