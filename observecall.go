package iimmpact

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// observe is the client's Observer with what describes its requests. The
// zero value observes nothing: every hook is one nil check, inlined.
type observe struct {
	o    Observer
	base string // scheme://host[:port]
	host string
	port int
}

func newObserve(o Observer, base string) observe {
	if o == nil {
		return observe{}
	}
	b := observe{o: o, base: base}
	u, _ := url.Parse(base) // checked by New
	b.host = u.Hostname()
	if b.port, _ = strconv.Atoi(u.Port()); b.port == 0 && u.Scheme == "https" {
		b.port = 443
	} else if b.port == 0 {
		b.port = 80
	}
	return b
}

// observedCall is one call (or wait) under observation; nil when nothing
// observes, and every method is then a no-op.
type observedCall struct {
	b        *observe
	ctx      context.Context // the call's, as CallStart returned it
	start    CallStart
	url      string
	attempts int
	status   int
	// the attempt in flight
	actx    context.Context
	astart  time.Time
	aclosed bool
}

// startCall reports CallStart for cl; ctx is the caller's.
func (b *observe) startCall(ctx context.Context, cl *call) (context.Context, *observedCall) {
	if b.o == nil {
		return ctx, nil
	}
	return b.beginCall(ctx, cl)
}

func (b *observe) beginCall(ctx context.Context, cl *call) (context.Context, *observedCall) {
	return b.begin(ctx, CallStart{Kind: CallRequest, Method: cl.method, Path: cl.path, RefID: cl.refID}, cl.query)
}

// startWait reports CallStart for a WaitTopup of refID.
func (b *observe) startWait(ctx context.Context, refID string) (context.Context, *observedCall) {
	if b.o == nil {
		return ctx, nil
	}
	return b.beginWait(ctx, refID)
}

func (b *observe) beginWait(ctx context.Context, refID string) (context.Context, *observedCall) {
	return b.begin(ctx, CallStart{Kind: CallWait, Method: http.MethodPost, Path: "/v2/topup", RefID: refID}, nil)
}

func (b *observe) begin(ctx context.Context, e CallStart, q url.Values) (context.Context, *observedCall) {
	e.Start = time.Now()
	oc := &observedCall{b: b, start: e, url: redactedURL(b.base, e.Path, q), aclosed: true} // no attempt yet
	oc.ctx = b.o.CallStart(ctx, e)
	return oc.ctx, oc
}

// redactedURL is the request URL with every query value replaced.
func redactedURL(base, path string, q url.Values) string {
	if len(q) == 0 {
		return base + path
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, url.QueryEscape(k)+"=REDACTED")
	}
	slices.Sort(keys)
	return base + path + "?" + strings.Join(keys, "&")
}

// end reports CallEnd with the verdict err implies.
func (oc *observedCall) end(err error) {
	if oc != nil {
		oc.ended(err)
	}
}

func (oc *observedCall) ended(err error) {
	v := VerdictSuccess
	switch {
	case errors.Is(err, ErrOutcomeUnknown):
		v = VerdictOutcomeUnknown
	case err != nil:
		v = VerdictFailure
	}
	oc.finish(v, err)
}

// endWait reports the end of a WaitTopup: a final failed status is a
// failure even though WaitTopup returns no error for it.
func (oc *observedCall) endWait(tx *Transaction, err error) {
	if oc == nil {
		return
	}
	if err == nil && tx != nil && !tx.StatusCode.IsSuccess() {
		oc.finish(VerdictFailure, nil)
		return
	}
	oc.ended(err)
}

func (oc *observedCall) finish(v Verdict, err error) {
	oc.b.o.CallEnd(oc.ctx, CallEnd{CallStart: oc.start, Verdict: v, Attempts: oc.attempts,
		HTTPStatus: oc.status, ErrorType: errorType(err), Duration: time.Since(oc.start.Start)})
}

// startAttempt reports AttemptStart and returns req with the attempt's
// context and any trace headers the observer added.
func (oc *observedCall) startAttempt(req *http.Request) *http.Request {
	if oc == nil {
		return req
	}
	return oc.attemptStarted(req)
}

func (oc *observedCall) attemptStarted(req *http.Request) *http.Request {
	oc.attempts++
	oc.astart, oc.aclosed = time.Now(), false
	// The observer gets a map of its own: the request's is signed in place
	// afterwards, and an observer may keep (and print) what it was given.
	th := make(http.Header, 2)
	oc.actx = oc.b.o.AttemptStart(req.Context(), AttemptStart{Method: oc.start.Method, Path: oc.start.Path,
		RefID: oc.start.RefID, Attempt: oc.attempts, URL: oc.url, ServerAddress: oc.b.host,
		ServerPort: oc.b.port, Header: TraceHeaders{th}, Start: oc.astart})
	for k, v := range th {
		if _, set := req.Header[k]; !set {
			req.Header[k] = v
		}
	}
	if oc.actx == req.Context() {
		return req
	}
	return req.WithContext(oc.actx)
}

// endAttempt reports AttemptEnd once per attempt; later calls for the same
// attempt do nothing. retrying says another attempt follows after delay.
func (oc *observedCall) endAttempt(resp *http.Response, err error, retrying bool, delay time.Duration) {
	if oc != nil && !oc.aclosed {
		oc.attemptEnded(resp, err, retrying, delay)
	}
}

func (oc *observedCall) attemptEnded(resp *http.Response, err error, retrying bool, delay time.Duration) {
	oc.aclosed = true
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	oc.status = status
	v := VerdictSuccess
	switch {
	case err == nil:
	case retrying:
		v = VerdictRetry
	case oc.start.RefID != "" && outcomeUnknown(err):
		v = VerdictOutcomeUnknown
	default:
		v = VerdictFailure
	}
	oc.b.o.AttemptEnd(oc.actx, AttemptEnd{Method: oc.start.Method, Path: oc.start.Path, RefID: oc.start.RefID,
		Attempt: oc.attempts, ServerAddress: oc.b.host, ServerPort: oc.b.port, HTTPStatus: status, Verdict: v, RetryDelay: delay, ErrorType: errorType(err),
		Duration: time.Since(oc.astart)})
}

// limiterWait reports a wait for the client-wide rate limiter: the request
// pipeline calls it after each wait that was not zero, naming the request.
func (b *observe) limiterWait(ctx context.Context, method, path string, waited time.Duration) {
	if b.o == nil {
		return
	}
	b.o.LimiterWait(ctx, LimiterWait{Method: method, Path: path, Waited: waited})
}

// errorType classifies err for error.type: low cardinality, no text.
func errorType(err error) string {
	if err == nil {
		return ""
	}
	var ae *APIError
	var ne net.Error
	switch {
	case errors.As(err, &ae):
		return strconv.Itoa(ae.HTTPStatus)
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, ErrMalformedResponse):
		return "malformed_response"
	case errors.Is(err, ErrInvalidRequest):
		return "invalid_request"
	case errors.As(err, &ne), errors.Is(err, errResent):
		return "connection"
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return "connection"
	}
	return "_OTHER"
}
