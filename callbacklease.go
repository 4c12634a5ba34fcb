package iimmpact

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// hold is a granted claim while the re-query and Handle run: a goroutine
// renews its lease every third of Lease and cancels ctx the moment a
// renewal fails for good (ErrLeaseLost) or cannot succeed before the lease
// would lapse, so Handle is told to stop while the lease is still its own.
type hold struct {
	h      *CallbackHandler
	parent context.Context // the request's
	ctx    context.Context // Handle's: ends with the request or the lease
	cancel context.CancelCauseFunc
	stop   chan struct{} // closed to stop renewing
	done   chan struct{} // closed when the renewer has returned
	lease  Lease         // the renewer's until done is closed, then the owner's
	over   bool          // completed or released: nothing more to do
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
		return nil, verdict{code: 500, reason: "store failed", err: errors.New("store granted a claim without its lease")}, false
	}
	hd = &hold{h: h, parent: ctx, stop: make(chan struct{}), done: make(chan struct{}), lease: l}
	hd.ctx, hd.cancel = context.WithCancelCause(ctx)
	go hd.renew(start.Add(h.cfg.Lease))
	return hd, verdict{}, true
}

// renew keeps the lease until stop is closed. until is when the lease
// lapses by this process's clock, measured from before each store call, so
// it is never later than the store's own reckoning. A renewal that cannot
// succeed by lapse (a sixth of the lease before until) cancels Handle's
// context, leaving it that sixth to stop in.
func (hd *hold) renew(until time.Time) {
	defer close(hd.done)
	d := hd.h.cfg.Lease
	next := time.Now().Add(d / 3)
	for {
		t := time.NewTimer(time.Until(next))
		select {
		case <-hd.stop:
			t.Stop()
			return
		case <-t.C:
		}
		start := time.Now()
		lapse := until.Add(-d / 6)
		deadline := lapse
		if !start.Before(lapse) { // woken late (a paused process): one last try
			deadline = until.Add(-d / 12)
		}
		if !start.Before(deadline) {
			hd.lost(leaseLost(hd.lease, "not renewed in time"))
			return
		}
		rctx, cancel := context.WithDeadline(context.WithoutCancel(hd.parent), deadline)
		l, err := hd.h.cfg.Store.Renew(rctx, hd.lease, d)
		cancel()
		switch {
		case err == nil:
			hd.lease, until, next = l, start.Add(d), start.Add(d/3)
			continue
		case errors.Is(err, ErrLeaseLost):
			hd.lost(err)
			return
		case !time.Now().Before(lapse):
			hd.lost(leaseLost(hd.lease, "not renewed in time: "+err.Error()))
			return
		}
		// The store may recover before the lease lapses.
		hd.h.logStore(hd.parent, slog.LevelWarn, "iimmpact: callback lease renewal failed; retrying", hd.lease, err)
		next = time.Now().Add(d / 12)
		if lapse.Before(next) {
			next = lapse
		}
	}
}

func (hd *hold) lost(err error) {
	hd.h.logStore(hd.parent, slog.LevelError, "iimmpact: callback lease lost; cancelling Handle's context", hd.lease, err)
	hd.cancel(err)
}

// finish stops the renewer and returns the lease as last renewed.
func (hd *hold) finish() Lease {
	if !hd.over {
		hd.over = true
		close(hd.stop)
		<-hd.done
		hd.cancel(errLeaseEnded)
	}
	return hd.lease
}

// abandon releases the lease unless it was already ended, so the next
// delivery can act. It is deferred, so it also runs if Handle panics.
func (hd *hold) abandon() {
	if hd == nil || hd.over {
		return
	}
	l := hd.finish()
	c, cancel := storeContext(hd.parent)
	defer cancel()
	if err := hd.h.cfg.Store.Release(c, l); err != nil {
		hd.h.logStore(hd.parent, slog.LevelError, "iimmpact: callback store release failed; the claim will lapse", l, err)
	}
}

// complete records Handle's success. Handle has acted, so every answer is
// 200: a 5xx would make IIMMPACT send the callback again and, once the
// lease lapsed, act twice.
func (hd *hold) complete() verdict {
	l := hd.finish()
	c, cancel := storeContext(hd.parent)
	defer cancel()
	switch err := hd.h.cfg.Store.Complete(c, l); {
	case err == nil:
		return verdict{code: 200, reason: "handled"}
	case errors.Is(err, ErrLeaseLost):
		return verdict{code: 200, reason: "handled after its lease was lost: another worker may have acted too", err: err}
	default:
		return verdict{code: 200, reason: "handled, but the store did not record it", err: err}
	}
}

// storeContext keeps the request's values but not its cancellation, so a
// peer hanging up cannot strand a lease.
func storeContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
}

func (h *CallbackHandler) logStore(ctx context.Context, level slog.Level, msg string, l Lease, err error) {
	if h.cfg.Logger == nil {
		return
	}
	h.cfg.Logger.LogAttrs(ctx, level, msg, slog.String("refid", l.RefID),
		slog.Int("status_code", int(l.Status)), slog.String("error", err.Error()))
}
