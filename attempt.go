package iimmpact

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"time"
)

// attemptState is one attempt of the client: its context (the caller's,
// cancellable, with the per-attempt deadline) and the count of header
// writes, in one allocation.
type attemptState struct {
	context.Context                 // the caller's, made cancellable
	caller          context.Context // the caller's own
	cancel          context.CancelFunc
	deadline        time.Time       // zero without a timeout
	timer           *time.Timer     // nil without a timeout
	sent            time.Time       // when the request was handed to net/http
	ctx             context.Context // the request's: this, traced
	trace           httptrace.ClientTrace
	// writes counts the times net/http wrote the request's headers. More
	// than one means it resent the request by itself: see resent.
	writes atomic.Int32
}

// errAttemptTimeout ends an attempt that outlived the client's per-attempt
// timeout; it is a context.DeadlineExceeded, as context.WithTimeout's is.
var errAttemptTimeout = fmt.Errorf("iimmpact: per-attempt timeout: %w", context.DeadlineExceeded)

// startAttempt derives the attempt's context from ctx. One timer cancels it
// when timeout (0 for none) passes; stop ends it, and must be called only
// once the body has been read, which the timeout covers too.
//
// context.WithTimeout would do the same at the cost of a timerCtx, its
// closures and a second cancellation layer below the cancellable context
// net/http's resend detection needs anyway (BenchmarkAttemptContext).
func startAttempt(ctx context.Context, timeout time.Duration) *attemptState {
	st := &attemptState{caller: ctx}
	st.trace.WroteHeaders = st.wroteHeaders
	st.Context, st.cancel = context.WithCancel(ctx)
	if timeout > 0 {
		st.deadline = time.Now().Add(timeout)
		st.timer = time.AfterFunc(timeout, st.cancel)
	}
	st.ctx = httptrace.WithClientTrace(st, &st.trace)
	return st
}

// Deadline reports the attempt's deadline, or the caller's if sooner.
func (st *attemptState) Deadline() (time.Time, bool) {
	d, ok := st.caller.Deadline()
	if st.deadline.IsZero() || (ok && d.Before(st.deadline)) {
		return d, ok
	}
	return st.deadline, true
}

func (st *attemptState) wroteHeaders() { st.writes.Add(1) }

// stop releases the timer and the context.
func (st *attemptState) stop() {
	if st.timer != nil {
		st.timer.Stop()
	}
	st.cancel()
}

// timedOut reports whether the per-attempt timeout ended the attempt: it
// was cancelled, not by the caller, at or after its deadline.
func (st *attemptState) timedOut() bool {
	return st.Err() != nil && st.caller.Err() == nil && !st.deadline.IsZero() && !time.Now().Before(st.deadline)
}

// resent reports whether a 401 answered a copy of the request that net/http
// resent with the same nonce (see Transport.RoundTrip): the caller's retry
// loop must then sign afresh rather than take the refusal as final.
func (st *attemptState) resent(resp *http.Response) bool {
	return resp.StatusCode == http.StatusUnauthorized && st.writes.Load() > 1
}
