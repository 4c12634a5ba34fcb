package iimmpact

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// hold is a granted claim while the re-query and Handle run: a timer
// renews its lease every third of Lease and cancels ctx the moment a
// renewal fails for good (ErrLeaseLost) or cannot succeed before the lease
// would lapse, so Handle is told to stop while the lease is still its own.
// A Handle quicker than a third of the lease (the usual one) costs one
// timer and no goroutine.
type hold struct {
	h      *CallbackHandler
	parent context.Context // the request's
	ctx    context.Context // Handle's: ends with the request or the lease
	cancel context.CancelCauseFunc

	mu    sync.Mutex  // held by a renewal while it runs; finish takes it to end them
	timer *time.Timer // the next renewal
	until time.Time   // when the lease lapses by this process's clock
	lease Lease
	// stopped: completed or released, so no renewal may run any more. Only
	// the owner writes it (under mu), so the owner reads it without mu.
	stopped bool
}

// errLeaseEnded is the cause a finished hold gives its context.
var errLeaseEnded = errors.New("iimmpact: callback lease ended")

// take claims (refID, status). ok means the caller holds the lease and
// must end it with complete or abandon.
func (h *CallbackHandler) take(ctx context.Context, refID string, status StatusCode) (hd *hold, v verdict, ok bool) {
	start := time.Now() // before the store's clock starts the lease
	l, res, err := h.cfg.Store.Claim(ctx, refID, status, h.cfg.Lease)
	if v, ok := claimVerdict(res, err); !ok {
		return nil, v, false
	}
	if l.Token == "" || l.RefID != refID || l.Status != status {
		return nil, verdict{code: http.StatusInternalServerError, reason: "store failed", err: errors.New("store granted a claim without its lease")}, false
	}
	hd = &hold{h: h, parent: ctx, lease: l, until: start.Add(h.cfg.Lease)}
	hd.ctx, hd.cancel = context.WithCancelCause(ctx)
	hd.mu.Lock() // the first renewal waits for its timer to be set
	hd.timer = time.AfterFunc(h.cfg.Lease/3, hd.renew)
	hd.mu.Unlock()
	return hd, verdict{}, true
}

// renew is the timer's: it renews the lease once and sets the timer for
// the next renewal, unless the hold is finished or the lease is lost.
func (hd *hold) renew() {
	hd.mu.Lock()
	defer hd.mu.Unlock()
	if hd.stopped {
		return
	}
	if next, ok := hd.renewOnce(); ok {
		hd.timer.Reset(time.Until(next))
	}
}

// renewOnce renews the lease and says when to renew next; false when the
// lease is lost (Handle's context is then cancelled). until is measured
// from before each store call, so it is never later than the store's own
// reckoning. A renewal must succeed by lapse, a sixth of the lease before
// until; the last try, started at lapse (the retry planned for then, or a
// timer woken late), may run until a twelfth before until. A renewal that
// cannot succeed by then cancels Handle's context, leaving it between a
// twelfth and a sixth of the lease to stop in (less only if this process
// was paused).
func (hd *hold) renewOnce() (time.Time, bool) {
	d := hd.h.cfg.Lease
	start := time.Now()
	lapse := hd.until.Add(-d / 6)
	deadline := lapse
	if !start.Before(lapse) { // the final retry, or woken late: one last try
		deadline = hd.until.Add(-d / 12)
	}
	if !start.Before(deadline) {
		hd.lost(leaseLost(hd.lease, "not renewed in time"))
		return time.Time{}, false
	}
	rctx := newStoreContext(hd.parent, deadline)
	l, err := hd.h.cfg.Store.Renew(rctx, hd.lease, d)
	rctx.stop()
	switch {
	case err == nil:
		hd.lease, hd.until = l, start.Add(d)
		return start.Add(d / 3), true
	case errors.Is(err, ErrLeaseLost):
		hd.lost(err)
		return time.Time{}, false
	case !time.Now().Before(lapse):
		hd.lost(leaseLost(hd.lease, "not renewed in time: "+err.Error()))
		return time.Time{}, false
	}
	// The store may recover before the lease lapses.
	hd.h.logStore(hd.parent, slog.LevelWarn, "iimmpact: callback lease renewal failed; retrying", hd.lease, err)
	if next := time.Now().Add(d / 12); next.Before(lapse) {
		return next, true
	}
	return lapse, true
}

func (hd *hold) lost(err error) {
	hd.h.logStore(hd.parent, slog.LevelError, "iimmpact: callback lease lost; cancelling Handle's context", hd.lease, err)
	hd.cancel(err)
}

// finish stops the renewals, waiting for one in flight, and returns the
// lease as last renewed. The timer is stopped under mu, after any renewal
// in flight has set it again, so no renewal is left pending.
func (hd *hold) finish() Lease {
	if !hd.stopped {
		hd.mu.Lock()
		hd.stopped = true
		hd.timer.Stop()
		hd.mu.Unlock()
		hd.cancel(errLeaseEnded)
	}
	return hd.lease
}

// abandon releases the lease unless it was already ended, so the next
// delivery can act. It is deferred, so it also runs if Handle panics.
func (hd *hold) abandon() {
	if hd == nil || hd.stopped {
		return
	}
	l := hd.finish()
	c := newStoreContext(hd.parent, time.Now().Add(storeTimeout))
	defer c.stop()
	if err := hd.h.cfg.Store.Release(c, l); err != nil {
		hd.h.logStore(hd.parent, slog.LevelError, "iimmpact: callback store release failed; the claim will lapse", l, err)
	}
}

// complete records Handle's success. Handle has acted, so every answer is
// 200: a 5xx would make IIMMPACT send the callback again and, once the
// lease lapsed, act twice.
func (hd *hold) complete() verdict {
	l := hd.finish()
	c := newStoreContext(hd.parent, time.Now().Add(storeTimeout))
	defer c.stop()
	switch err := hd.h.cfg.Store.Complete(c, l); {
	case err == nil:
		return verdict{code: http.StatusOK, reason: "handled"}
	case errors.Is(err, ErrLeaseLost):
		return verdict{code: http.StatusOK, reason: "handled after its lease was lost: another worker may have acted too", err: err}
	default:
		return verdict{code: http.StatusOK, reason: "handled, but the store did not record it", err: err}
	}
}

func (h *CallbackHandler) logStore(ctx context.Context, level slog.Level, msg string, l Lease, err error) {
	if h.cfg.Logger == nil {
		return
	}
	h.cfg.Logger.LogAttrs(ctx, level, msg, slog.String("refid", l.RefID),
		slog.Int("status_code", int(l.Status)), slog.String("error", err.Error()))
}
