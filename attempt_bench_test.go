package iimmpact

import (
	"context"
	"net/http/httptrace"
	"sync/atomic"
	"testing"
)

// BenchmarkAttemptContext is the per-attempt context on its own: what the
// client paid before ("withtimeout": context.WithTimeout, then the signing
// transport's header-write counter, trace and context copy) and what it
// pays now ("attempt": one cancellable context, one timer, the counter in
// the same allocation). Both are used as net/http uses them: Done, then
// cancelled.
func BenchmarkAttemptContext(b *testing.B) {
	ctx := context.Background()
	b.Run("impl=withtimeout", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c, cancel := context.WithTimeout(ctx, defaultTimeout)
			writes := new(atomic.Int32)
			c = httptrace.WithClientTrace(c, &httptrace.ClientTrace{WroteHeaders: func() { writes.Add(1) }})
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

// doneOrNil returns a closed channel after calling Done, so the loop
// does not block: it is the Done call that costs (it makes the channel).
func doneOrNil(c context.Context) <-chan struct{} {
	_ = c.Done()
	return closed
}

var closed = func() chan struct{} { c := make(chan struct{}); close(c); return c }()
