package iimmpact

import (
	"context"
	"sync"
	"time"
)

// storeTimeout bounds a callback store's Complete and Release.
const storeTimeout = 5 * time.Second

// storeContext is the context of one call to a CallbackStore: the
// request's values but not its cancellation, so that a peer hanging up
// cannot strand a lease, and a deadline. Its Done channel, and the timer
// that closes it, are made only when the store asks for Done: a store that
// never blocks (the memory store) never does, and a callback then costs
// no timer per store call. It behaves as context.WithDeadline's would.
type storeContext struct {
	context.Context // context.WithoutCancel(request): values only
	deadline        time.Time

	mu    sync.Mutex
	done  chan struct{} // nil until Done is called
	timer *time.Timer   // closes done at the deadline
	err   error
}

func newStoreContext(parent context.Context, deadline time.Time) *storeContext {
	return &storeContext{Context: context.WithoutCancel(parent), deadline: deadline}
}

func (c *storeContext) Deadline() (time.Time, bool) { return c.deadline, true }

func (c *storeContext) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done == nil {
		c.done = make(chan struct{})
		switch d := time.Until(c.deadline); {
		case c.err != nil:
			close(c.done)
		case d <= 0:
			c.endLocked(context.DeadlineExceeded)
		default:
			c.timer = time.AfterFunc(d, func() { c.end(context.DeadlineExceeded) })
		}
	}
	return c.done
}

func (c *storeContext) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil && !time.Now().Before(c.deadline) {
		c.endLocked(context.DeadlineExceeded)
	}
	return c.err
}

// stop ends the context once the store call has returned, as the cancel
// func of context.WithDeadline does.
func (c *storeContext) stop() { c.end(context.Canceled) }

func (c *storeContext) end(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.endLocked(err)
}

func (c *storeContext) endLocked(err error) {
	if c.err != nil {
		return
	}
	c.err = err
	if c.timer != nil {
		c.timer.Stop()
	}
	if c.done != nil {
		close(c.done)
	}
}
