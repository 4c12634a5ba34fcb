package iimmpact

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"sync"
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

// Bounds on what is read of a response. The catalog and the product list
// are the largest bodies IIMMPACT sends: at ~350 bytes a product, 100,000
// products are 34 MiB, and their bound leaves room for three times that.
// Every other answer is a page of at most 1,000 records or smaller.
const (
	maxResponseBody = 32 << 20
	maxCatalogBody  = 128 << 20
)

// pooledBodyMax is the largest body buffer kept for reuse: most answers are
// a few hundred bytes, and a catalog's buffer is not worth keeping.
const pooledBodyMax = 64 << 10

var bodyPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// readResponse reads all of resp's body, at most limit bytes (0 means
// maxResponseBody), into a buffer sized from Content-Length when it is
// known, and otherwise into a pooled buffer, so that neither regrows. Call
// release with the buffer once nothing refers to its bytes.
func readResponse(resp *http.Response, limit int64) (*bytes.Buffer, error) {
	if limit == 0 {
		limit = maxResponseBody
	}
	n := resp.ContentLength
	if n > limit {
		return nil, fmt.Errorf("response body of %d bytes is over the %d MiB limit", n, limit>>20)
	}
	var buf *bytes.Buffer
	if n >= 0 && n > pooledBodyMax {
		buf = bytes.NewBuffer(make([]byte, 0, n+bytes.MinRead))
	} else {
		buf = bodyPool.Get().(*bytes.Buffer)
		buf.Reset()
	}
	if n > 0 {
		buf.Grow(int(n) + bytes.MinRead) // ReadFrom wants MinRead spare to see EOF without growing
	}
	_, err := buf.ReadFrom(io.LimitReader(resp.Body, limit+1))
	if err == nil && int64(buf.Len()) > limit {
		err = fmt.Errorf("response body over the %d MiB limit", limit>>20)
	}
	if err != nil {
		release(buf)
		return nil, err
	}
	return buf, nil
}

// release returns a small body buffer to the pool.
func release(buf *bytes.Buffer) {
	if buf != nil && buf.Cap() <= pooledBodyMax+bytes.MinRead {
		bodyPool.Put(buf)
	}
}
