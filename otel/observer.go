// Package iimmpactotel reports what an IIMMPACT client and callback handler
// do as OpenTelemetry traces and metrics. It implements iimmpact.Observer,
// so the SDK itself depends on nothing but the standard library:
//
//	obs, err := iimmpactotel.New() // the global tracer, meter and propagator providers
//	client, err := iimmpact.New(key, secret, iimmpact.WithObserver(obs))
//	reg, err := obs.ObserveClient(client) // retry-budget and limiter gauges
//	handler, err := iimmpact.NewCallbackHandler(iimmpact.CallbackConfig{..., Observer: obs})
//
// Traces: a span per call (an API method, or a whole WaitTopup with its
// polls as child calls) with a client span per HTTP attempt, following
// OpenTelemetry's HTTP client conventions (http.request.method, url.full
// with query values redacted, url.template, server.address, server.port,
// http.response.status_code, http.request.resend_count, error.type). The
// attempt's trace context is injected into its request headers, which the
// request signature does not cover. A server span per callback answered.
//
// Metrics are listed with the instrument names in metrics.go. Nothing
// secret or personal reaches a span or a metric: the SDK's events do not
// carry it.
package iimmpactotel

import (
	"context"
	"errors"

	"github.com/iimmpact-go/iimmpact"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// ScopeName is the instrumentation scope of every tracer and meter here.
const ScopeName = "github.com/iimmpact-go/iimmpact/otel"

// Option configures New.
type Option func(*config)

type config struct {
	tp   trace.TracerProvider
	mp   metric.MeterProvider
	prop propagation.TextMapPropagator
}

// WithTracerProvider sets the provider of spans; the default is otel's global one.
func WithTracerProvider(tp trace.TracerProvider) Option { return func(c *config) { c.tp = tp } }

// WithMeterProvider sets the provider of metrics; the default is otel's global one.
func WithMeterProvider(mp metric.MeterProvider) Option { return func(c *config) { c.mp = mp } }

// WithPropagator sets how trace context is written into outgoing requests;
// the default is otel's global propagator.
func WithPropagator(p propagation.TextMapPropagator) Option {
	return func(c *config) { c.prop = p }
}

// Observer is an iimmpact.Observer that records OpenTelemetry spans and
// metrics. It is safe for concurrent use; share one between clients and
// handlers.
type Observer struct {
	tracer trace.Tracer
	meter  metric.Meter
	prop   propagation.TextMapPropagator
	m      instruments
}

var _ iimmpact.Observer = (*Observer)(nil)

// New returns an Observer over the given (or global) providers.
func New(opts ...Option) (*Observer, error) {
	c := config{}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	if c.tp == nil {
		c.tp = otel.GetTracerProvider()
	}
	if c.mp == nil {
		c.mp = otel.GetMeterProvider()
	}
	if c.prop == nil {
		c.prop = otel.GetTextMapPropagator()
	}
	o := &Observer{tracer: c.tp.Tracer(ScopeName, trace.WithInstrumentationVersion(iimmpact.Version)),
		meter: c.mp.Meter(ScopeName, metric.WithInstrumentationVersion(iimmpact.Version)), prop: c.prop}
	var err error
	if o.m, err = newInstruments(o.meter); err != nil {
		return nil, errors.Join(errors.New("iimmpactotel: creating instruments"), err)
	}
	return o, nil
}

// Option returns iimmpact.WithObserver(o), for New's option list.
func (o *Observer) Option() iimmpact.Option { return iimmpact.WithObserver(o) }

// PaymentState records a payment changing state: a counter by from, to and
// source, and an event on the span in ctx, if any.
func (o *Observer) PaymentState(ctx context.Context, e iimmpact.PaymentStateChange) {
	attrs := paymentAttrs(e)
	o.m.transitions.Add(ctx, 1, metric.WithAttributes(attrs...))
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		span.AddEvent("iimmpact.payment.state", trace.WithTimestamp(e.At), trace.WithAttributes(append(attrs, keyRefID.String(e.RefID))...))
	}
}

// LimiterWait records the time a request waited for the client's limiter.
func (o *Observer) LimiterWait(ctx context.Context, e iimmpact.LimiterWait) {
	var set metric.MeasurementOption = metric.WithAttributes()
	if e.Path != "" {
		set = metric.WithAttributes(methodAttr(e.Method), templateKey.String(e.Path))
	}
	o.m.limiterWait.Record(ctx, e.Waited.Seconds(), set)
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		span.AddEvent("iimmpact.limiter.wait", trace.WithAttributes(keyWaited.Float64(e.Waited.Seconds())))
	}
}
