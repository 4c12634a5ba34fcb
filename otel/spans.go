package iimmpactotel

import (
	"context"
	"strconv"

	"github.com/iimmpact-go/iimmpact"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// The SDK's own attributes; the rest are OpenTelemetry's HTTP conventions.
const (
	keyRefID          = attribute.Key("iimmpact.refid")
	keyVerdict        = attribute.Key("iimmpact.verdict")
	keyAttempts       = attribute.Key("iimmpact.attempts")
	keyAttempt        = attribute.Key("iimmpact.attempt")
	keyRetryDelay     = attribute.Key("iimmpact.retry.delay")
	keyCallKind       = attribute.Key("iimmpact.call.kind")
	keyCallbackResult = attribute.Key("iimmpact.callback.result")
	keyCallbackReason = attribute.Key("iimmpact.callback.reason")
	keyStatusCode     = attribute.Key("iimmpact.status_code")
	keyFrom           = attribute.Key("iimmpact.payment.from")
	keyTo             = attribute.Key("iimmpact.payment.to")
	keySource         = attribute.Key("iimmpact.payment.source")
	keyState          = attribute.Key("iimmpact.payment.state")
	keyWaited         = attribute.Key("iimmpact.limiter.waited")
	templateKey       = semconv.URLTemplateKey
)

func methodAttr(m string) attribute.KeyValue { return semconv.HTTPRequestMethodKey.String(m) }

func kindName(k iimmpact.CallKind) string {
	if k == iimmpact.CallWait {
		return "wait"
	}
	return "request"
}

func callName(e iimmpact.CallStart) string {
	if e.Kind == iimmpact.CallWait {
		return "iimmpact WaitTopup"
	}
	return "iimmpact " + e.Method + " " + e.Path
}

// CallStart starts the call's span; the attempts' spans are its children.
func (o *Observer) CallStart(ctx context.Context, e iimmpact.CallStart) context.Context {
	attrs := []attribute.KeyValue{methodAttr(e.Method), templateKey.String(e.Path), keyCallKind.String(kindName(e.Kind))}
	if e.RefID != "" {
		attrs = append(attrs, keyRefID.String(e.RefID))
	}
	ctx, _ = o.tracer.Start(ctx, callName(e), trace.WithSpanKind(trace.SpanKindInternal),
		trace.WithTimestamp(e.Start), trace.WithAttributes(attrs...))
	return ctx
}

// CallEnd ends the call's span and records its duration and verdict.
func (o *Observer) CallEnd(ctx context.Context, e iimmpact.CallEnd) {
	result := resultAttrs(e.HTTPStatus, e.ErrorType, keyVerdict.String(e.Verdict.String()))
	o.m.callDuration.Record(ctx, e.Duration.Seconds(), metric.WithAttributes(
		append(result, methodAttr(e.Method), templateKey.String(e.Path), keyCallKind.String(kindName(e.Kind)))...))
	if e.Verdict == iimmpact.VerdictOutcomeUnknown {
		o.m.unknown.Add(ctx, 1, metric.WithAttributes(templateKey.String(e.Path), keyCallKind.String(kindName(e.Kind))))
	}
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return
	}
	span.SetAttributes(append(result, keyAttempts.Int(e.Attempts))...) // the rest was set at the start
	switch e.Verdict {
	case iimmpact.VerdictOutcomeUnknown:
		span.SetStatus(codes.Error, "outcome unknown: ask again with the same refid")
	case iimmpact.VerdictFailure:
		span.SetStatus(codes.Error, e.ErrorType)
	}
	span.End(trace.WithTimestamp(e.Start.Add(e.Duration)))
}

// AttemptStart starts a client span and writes its context into the
// request's headers.
func (o *Observer) AttemptStart(ctx context.Context, e iimmpact.AttemptStart) context.Context {
	attrs := []attribute.KeyValue{methodAttr(e.Method), semconv.URLFull(e.URL), templateKey.String(e.Path),
		semconv.ServerAddress(e.ServerAddress), semconv.ServerPort(e.ServerPort), keyAttempt.Int(e.Attempt)}
	if e.Attempt > 1 {
		attrs = append(attrs, semconv.HTTPRequestResendCount(e.Attempt-1))
	}
	ctx, _ = o.tracer.Start(ctx, e.Method+" "+e.Path, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithTimestamp(e.Start), trace.WithAttributes(attrs...))
	o.prop.Inject(ctx, e.Header)
	return ctx
}

// AttemptEnd ends the attempt's span and records the request metrics.
func (o *Observer) AttemptEnd(ctx context.Context, e iimmpact.AttemptEnd) {
	result := resultAttrs(e.HTTPStatus, e.ErrorType)
	set := metric.WithAttributes(append(result, methodAttr(e.Method), templateKey.String(e.Path),
		semconv.ServerAddress(e.ServerAddress), semconv.ServerPort(e.ServerPort))...)
	o.m.requestDuration.Record(ctx, e.Duration.Seconds(), set)
	if e.Verdict == iimmpact.VerdictRetry {
		o.m.retries.Add(ctx, 1, set)
	}
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return
	}
	result = append(result, keyVerdict.String(e.Verdict.String()))
	if e.Verdict == iimmpact.VerdictRetry {
		result = append(result, keyRetryDelay.Float64(e.RetryDelay.Seconds()))
	}
	span.SetAttributes(result...) // the rest was set at the start
	if e.ErrorType != "" || e.HTTPStatus >= 400 {
		span.SetStatus(codes.Error, e.ErrorType)
	}
	span.End()
}

// CallbackStart starts a server span for one callback request.
func (o *Observer) CallbackStart(ctx context.Context, e iimmpact.CallbackStart) context.Context {
	ctx, _ = o.tracer.Start(ctx, "iimmpact callback", trace.WithSpanKind(trace.SpanKindServer),
		trace.WithTimestamp(e.Start), trace.WithAttributes(methodAttr(e.Method)))
	return ctx
}

// CallbackEnd ends it and counts the callback by result and status.
func (o *Observer) CallbackEnd(ctx context.Context, e iimmpact.CallbackEnd) {
	attrs := []attribute.KeyValue{keyCallbackResult.String(string(e.Result)),
		semconv.HTTPResponseStatusCode(e.HTTPStatus), methodAttr(e.Method)}
	o.m.callbacks.Add(ctx, 1, metric.WithAttributes(attrs...))
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return
	}
	span.SetAttributes(append(attrs, keyCallbackReason.String(e.Reason))...)
	if e.RefID != "" {
		span.SetAttributes(keyRefID.String(e.RefID), keyStatusCode.Int(int(e.Status)))
	}
	if e.HTTPStatus >= 500 {
		span.SetStatus(codes.Error, strconv.Itoa(e.HTTPStatus)+" "+e.Reason)
	}
	span.End(trace.WithTimestamp(e.Start.Add(e.Duration)))
}

// resultAttrs are what a request or call ended with, plus more; they are
// allocated with room for the request's own attributes.
func resultAttrs(status int, errType string, more ...attribute.KeyValue) []attribute.KeyValue {
	attrs := append(make([]attribute.KeyValue, 0, 8), more...)
	if status > 0 {
		attrs = append(attrs, semconv.HTTPResponseStatusCode(status))
	}
	if errType != "" {
		attrs = append(attrs, semconv.ErrorTypeKey.String(errType))
	}
	return attrs
}

func paymentAttrs(e iimmpact.PaymentStateChange) []attribute.KeyValue {
	return []attribute.KeyValue{keyFrom.String(e.From), keyTo.String(e.To), keySource.String(e.Source)}
}
