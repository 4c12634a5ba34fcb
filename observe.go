package iimmpact

import (
	"context"
	"net/http"
	"time"
)

// Observer sees what a Client and a CallbackHandler do, for metrics and
// tracing; the module github.com/iimmpact-go/iimmpact/otel implements it
// with OpenTelemetry. Set it with WithObserver and CallbackConfig.Observer.
//
// Events carry methods, paths, refids, counts, HTTP statuses, durations and
// verdicts, and by construction nothing else: no API key, signature or
// secret, no request or response body, no query value, no PIN, IC number or
// account number.
//
// Methods are called synchronously on the request path: they must be fast,
// must not block, and must be safe for concurrent use. The context a Start
// method returns is the one the SDK goes on with (for a call: its attempts;
// for a callback: the handler's work), so an Observer can carry a span in it.
// Embed NopObserver to implement only some events and keep compiling when
// events are added.
type Observer interface {
	// CallStart and CallEnd bracket one API call, or one WaitTopup (whose
	// polls are calls inside it); CallEnd gets CallStart's context.
	CallStart(ctx context.Context, e CallStart) context.Context
	CallEnd(ctx context.Context, e CallEnd)
	// AttemptStart and AttemptEnd bracket each HTTP exchange of a call;
	// AttemptEnd gets AttemptStart's context and comes before the wait for
	// a retry.
	AttemptStart(ctx context.Context, e AttemptStart) context.Context
	AttemptEnd(ctx context.Context, e AttemptEnd)
	// LimiterWait reports a wait for the client-wide rate limiter.
	LimiterWait(ctx context.Context, e LimiterWait)
	// CallbackStart and CallbackEnd bracket one request to a CallbackHandler.
	CallbackStart(ctx context.Context, e CallbackStart) context.Context
	CallbackEnd(ctx context.Context, e CallbackEnd)
	// PaymentState is called by the payments layer when a payment changes
	// state (see Client.Observer).
	PaymentState(ctx context.Context, e PaymentStateChange)
}

// WithObserver reports every call, attempt and limiter wait to o. Without
// it (or with nil) the client observes nothing and pays nothing for it.
func WithObserver(o Observer) Option { return func(s *settings) { s.observer = o } }

// Observer returns the observer set with WithObserver, or nil. Layers built
// on the client (payments) report their own events to it.
func (c *Client) Observer() Observer { return c.obs.o }

// NopObserver ignores every event; embed it in a partial Observer.
type NopObserver struct{}

func (NopObserver) CallStart(ctx context.Context, _ CallStart) context.Context       { return ctx }
func (NopObserver) CallEnd(context.Context, CallEnd)                                 {}
func (NopObserver) AttemptStart(ctx context.Context, _ AttemptStart) context.Context { return ctx }
func (NopObserver) AttemptEnd(context.Context, AttemptEnd)                           {}
func (NopObserver) LimiterWait(context.Context, LimiterWait)                         {}
func (NopObserver) CallbackStart(ctx context.Context, _ CallbackStart) context.Context {
	return ctx
}
func (NopObserver) CallbackEnd(context.Context, CallbackEnd)         {}
func (NopObserver) PaymentState(context.Context, PaymentStateChange) {}

// Verdict is what became of an attempt or a call.
type Verdict int

const (
	// VerdictSuccess: an answer was read and decoded (for a WaitTopup: a
	// successful final status).
	VerdictSuccess Verdict = iota + 1
	// VerdictRetry: the attempt failed and another follows (attempts only).
	VerdictRetry
	// VerdictFailure: it failed for good; for a payment, an answer proved
	// that nothing was created or that the payment failed.
	VerdictFailure
	// VerdictOutcomeUnknown: a payment may or may not have been made
	// (ErrOutcomeUnknown); keep the refid and ask again.
	VerdictOutcomeUnknown
)

func (v Verdict) String() string {
	switch v {
	case VerdictSuccess:
		return "success"
	case VerdictRetry:
		return "retry"
	case VerdictFailure:
		return "failure"
	case VerdictOutcomeUnknown:
		return "outcome_unknown"
	}
	return "unset"
}

// CallKind tells one API call from a WaitTopup, which spans several.
type CallKind int

const (
	CallRequest CallKind = iota // one API method: Balance, Topup, ...
	CallWait                    // WaitTopup: its polls are calls within it
)

// CallStart begins one API call (or one WaitTopup).
type CallStart struct {
	Kind   CallKind
	Method string // HTTP method
	Path   string // "/v2/topup": never the query
	RefID  string // payments only
	Start  time.Time
}

// CallEnd ends it. HTTPStatus is the last attempt's (0 when none answered).
type CallEnd struct {
	CallStart
	Verdict    Verdict
	Attempts   int
	HTTPStatus int
	ErrorType  string // "" on success; see AttemptEnd.ErrorType
	Duration   time.Duration
}

// AttemptStart begins one HTTP exchange of a call. Header lets the observer
// add trace-context headers; the signature does not cover them.
type AttemptStart struct {
	Method, Path  string
	RefID         string
	Attempt       int    // from 1
	URL           string // scheme://host/path?key=REDACTED: query values are never shown
	ServerAddress string
	ServerPort    int
	Header        TraceHeaders
	Start         time.Time
}

// AttemptEnd ends it, once the client has decided what follows.
type AttemptEnd struct {
	Method, Path  string
	RefID         string
	Attempt       int
	ServerAddress string
	ServerPort    int
	HTTPStatus    int // 0 when there was no response
	Verdict       Verdict
	RetryDelay    time.Duration // the wait before the next attempt (VerdictRetry)
	// ErrorType is a low-cardinality class: the HTTP status for an error
	// answer ("503"), or "timeout", "canceled", "connection",
	// "malformed_response", "invalid_request", "_OTHER".
	ErrorType string
	Duration  time.Duration
}

// LimiterWait reports time spent waiting for the client-wide rate limiter
// before an attempt or poll, once the wait is over. It comes with the
// call's context and names the request that waited.
type LimiterWait struct {
	Method, Path string
	Waited       time.Duration
}

// CallbackStart begins one callback request to a CallbackHandler.
type CallbackStart struct {
	Method string // GET or POST as received
	Start  time.Time
}

// CallbackResult is what a CallbackHandler made of a callback.
type CallbackResult string

const (
	CallbackHandled   CallbackResult = "handled"   // Handle ran and succeeded (200)
	CallbackDuplicate CallbackResult = "duplicate" // already handled (200)
	CallbackStale     CallbackResult = "stale"     // older than what was handled (200)
	CallbackForbidden CallbackResult = "forbidden" // source not allowlisted (403)
	CallbackRefused   CallbackResult = "refused"   // any other 4xx: malformed, unknown refid, mismatch
	CallbackRetry     CallbackResult = "retry"     // 503: busy, store or re-query failed; IIMMPACT retries
	CallbackFailed    CallbackResult = "failed"    // 500: Handle failed
)

// CallbackEnd reports the answer. RefID and Status are set once the
// callback parsed.
type CallbackEnd struct {
	CallbackStart
	HTTPStatus int
	Result     CallbackResult
	Reason     string // the handler's fixed reason text, e.g. "source not allowlisted"
	RefID      string
	Status     StatusCode
	Duration   time.Duration
}

// PaymentStateChange is a payment moving between states of the payments
// layer, which names its states and sources (e.g. "answer", "poll",
// "callback", "requery", "resolver").
type PaymentStateChange struct {
	RefID    string
	From, To string
	Source   string
	At       time.Time
}

// PaymentStats is a snapshot the payments layer reports for gauges:
// payments by state, and the age of the oldest one not yet final.
type PaymentStats struct {
	ByState          map[string]int
	OldestUnresolved time.Duration // 0 when none is open
}

// TraceHeaders lets an Observer add headers such as W3C traceparent to an
// attempt's request. It has the methods of OpenTelemetry's
// propagation.TextMapCarrier. It shows and sets only headers the SDK does
// not own: the signing headers are added later, and Set leaves alone
// anything already there.
type TraceHeaders struct{ h http.Header }

// Get returns the value of key if it is a trace header set through Set.
func (t TraceHeaders) Get(key string) string {
	if t.h == nil || reservedHeader(key) {
		return ""
	}
	return t.h.Get(key)
}

// Set adds key unless the SDK owns it or it is already set.
func (t TraceHeaders) Set(key, value string) {
	if t.h == nil || reservedHeader(key) || t.h.Get(key) != "" {
		return
	}
	t.h.Set(key, value)
}

// Keys lists the headers set through Set.
func (t TraceHeaders) Keys() []string {
	var keys []string
	for k := range t.h {
		if !reservedHeader(k) {
			keys = append(keys, k)
		}
	}
	return keys
}

func reservedHeader(key string) bool {
	switch http.CanonicalHeaderKey(key) {
	case headerAPIKey, headerTimestamp, headerNonce, headerSignature,
		"Accept", "Content-Type", "Content-Length", "User-Agent", "Host", "Authorization", "Cookie":
		return true
	}
	return false
}
