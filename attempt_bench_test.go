package iimmpact

import (
	"context"
	"net/http/httptrace"
	"sync/atomic"
	"testing"
)

// BenchmarkAttemptContext is the per-attempt context on its own: what
// careful code built on context.WithTimeout pays ("withtimeout": the
// timeout context, then a header-write counter and its trace in one
// struct, the trace's closure and the traced context) and what the client
// pays ("attempt": one cancellable context, one timer, the counter and the
// trace in the same allocation as the rest). Both are used as net/http
// uses them: Done, then cancelled.
func BenchmarkAttemptContext(b *testing.B) {
	ctx := context.Background()
	b.Run("impl=withtimeout", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c, cancel := context.WithTimeout(ctx, defaultTimeout)
			w := new(countedTrace)
			w.trace.WroteHeaders = func() { w.writes.Add(1) }
			c = httptrace.WithClientTrace(c, &w.trace)
			<-doneOrNil(c)
			cancel()
		}
	})
	b.Run("impl=attempt", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			st := startAttempt(ctx, defaultTimeout)
			<-doneOrNil(st.ctx)
			st.stop()
		}
	})
}

// countedTrace is a header-write counter and the trace that counts, in one
// allocation.
type countedTrace struct {
	trace  httptrace.ClientTrace
	writes atomic.Int32
}

// doneOrNil returns a closed channel after calling Done, so the loop
// does not block: it is the Done call that costs (it makes the channel).
func doneOrNil(c context.Context) <-chan struct{} {
	_ = c.Done()
	return closed
}

var closed = func() chan struct{} { c := make(chan struct{}); close(c); return c }()
