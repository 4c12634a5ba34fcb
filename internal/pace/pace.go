// Package pace holds the waiting both the client and package payments do:
// a shared request pace, a sleep that honours ctx, and a jittered delay.
package pace

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"
)

// Limiter is a token bucket shared by goroutines, kept as a "theoretical
// arrival time" (GCRA): each request moves tat on by one interval, and
// waits for as long as tat runs more than a burst ahead of now. With a
// burst of 1 it spaces requests one interval apart.
type Limiter struct {
	every time.Duration // one request's share of time
	slack time.Duration // burst·every: how far tat may run ahead
	mu    sync.Mutex
	tat   time.Time
}

// New paces to one request per every, with bursts of at most burst
// (at least 1).
func New(every time.Duration, burst int) *Limiter {
	return &Limiter{every: every, slack: time.Duration(burst) * every}
}

// Interval is one request's share of time.
func (l *Limiter) Interval() time.Duration { return l.every }

// Reserve takes the next slot and says how long to wait for it.
func (l *Limiter) Reserve(now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	t := l.tat
	if t.Before(now) {
		t = now
	}
	l.tat = t.Add(l.every)
	return max(l.tat.Sub(now)-l.slack, 0)
}

// Cancel gives back a slot whose request was never sent.
func (l *Limiter) Cancel() {
	l.mu.Lock()
	l.tat = l.tat.Add(-l.every)
	l.mu.Unlock()
}

// Await waits d for a reserved slot, or gives the slot back when ctx ends
// first.
func (l *Limiter) Await(ctx context.Context, d time.Duration) error {
	if d == 0 {
		return nil
	}
	if err := Sleep(ctx, d); err != nil {
		l.Cancel()
		return err
	}
	return nil
}

// Wait blocks until the next request may go, or ctx ends, and returns how
// long it waited.
func (l *Limiter) Wait(ctx context.Context) (time.Duration, error) {
	d := l.Reserve(time.Now())
	return d, l.Await(ctx, d)
}

// Available is how many requests may go now without waiting, of the burst.
func (l *Limiter) Available(now time.Time) (float64, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ahead := max(l.tat.Sub(now), 0)
	return max(float64(l.slack-ahead)/float64(l.every), 0), int(l.slack / l.every)
}

// Sleep waits for d or until ctx ends, whichever is first.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Jitter is a delay drawn evenly from [lo, hi], or lo when hi ≤ lo, so
// that waiters started together spread out.
func Jitter(lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + rand.N(hi-lo+1)
}
