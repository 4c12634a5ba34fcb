package iimmpact

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/google/uuid"
)

// NewRefID returns a new unique refid: a version 7 UUID (36 characters,
// within MaxRefIDLen), which sorts by creation time, so refids in logs and
// in the transaction history line up with when they were made. Store it with
// the order before calling Topup, so a crash cannot lose which refid paid.
func NewRefID() string { return uuid.Must(uuid.NewV7()).String() }

// WaitOption configures WaitTopup.
type WaitOption func(*waitSettings)

type waitSettings struct {
	minInterval, maxInterval time.Duration
	timeout                  time.Duration
	onPoll                   func(*Transaction)
}

// WithPollInterval sets the range each wait between polls is drawn from.
// The default, 5 to 10 s, is IIMMPACT's guidance.
func WithPollInterval(min, max time.Duration) WaitOption {
	return func(w *waitSettings) { w.minInterval, w.maxInterval = min, max }
}

// WithWaitTimeout bounds the whole wait (default 5 minutes); 0 leaves only ctx.
func WithWaitTimeout(d time.Duration) WaitOption { return func(w *waitSettings) { w.timeout = d } }

// WithOnPoll calls f with every transaction state seen, pending ones included.
func WithOnPoll(f func(*Transaction)) WaitOption { return func(w *waitSettings) { w.onPoll = f } }

// WaitTopup sends req (or sends it again: the same refid is never charged
// twice) and polls with the same request while the transaction is pending,
// until it reaches a final status, the wait times out, or ctx ends.
//
// A final status, failure included, is returned with a nil error, as Topup
// does: read tx.StatusCode. Giving up returns the last transaction seen (nil
// if none) with an error wrapping ErrOutcomeUnknown: the payment may still
// complete, so keep the refid and ask again later (or wait for the
// callback); never refund it and never retry with a new refid.
//
// A 4xx before any transaction was seen (such as HTTP 400
// Invalid_Denomination) is returned as the *APIError: nothing was created.
// A 429 is waited out like a pending status.
// An undocumented status code ends the wait with ErrOutcomeUnknown and the
// transaction, for reconciliation by hand.
func (c *Client) WaitTopup(ctx context.Context, req TopupRequest, opts ...WaitOption) (tx *Transaction, err error) {
	ctx, oc := c.obs.startWait(ctx, req.RefID) // observe: wait start
	defer func() { oc.endWait(tx, err) }()     // observe: wait end
	w := waitSettings{minInterval: 5 * time.Second, maxInterval: 10 * time.Second, timeout: 5 * time.Minute}
	for _, o := range opts {
		o(&w)
	}
	if w.minInterval < 0 || w.maxInterval < w.minInterval {
		return nil, fmt.Errorf("%w: poll interval range [%v, %v]", ErrInvalidRequest, w.minInterval, w.maxInterval)
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	if w.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, w.timeout)
		defer cancel()
	}
	var last *Transaction
	for {
		tx, err := c.Topup(ctx, req)
		switch {
		case err == nil:
			last = tx
			if w.onPoll != nil {
				w.onPoll(tx)
			}
			if tx.StatusCode.IsFinal() {
				return tx, nil
			}
			if !tx.StatusCode.IsPending() {
				return tx, &OutcomeUnknownError{RefID: req.RefID, Last: tx,
					Err: fmt.Errorf("undocumented status code %d: reconcile by hand", tx.StatusCode)}
			}
		case last == nil && !errors.Is(err, ErrOutcomeUnknown) && !errors.Is(err, ErrRateLimited):
			return nil, err // refused before anything was created
		case ctx.Err() != nil:
			return giveUpWaiting(req.RefID, last, err)
		}
		// Pending, a lost answer, or rate limited: wait and ask again.
		if serr := sleep(ctx, pollDelay(w.minInterval, w.maxInterval)); serr != nil {
			if err == nil {
				err = serr
			}
			return giveUpWaiting(req.RefID, last, err)
		}
	}
}

// giveUpWaiting is WaitTopup's answer when time runs out. Only a wait that
// saw nothing but refusals (429) may say so; anything else is unknown.
func giveUpWaiting(refID string, last *Transaction, err error) (*Transaction, error) {
	var ae *APIError
	if last == nil && errors.As(err, &ae) && ae.HTTPStatus == http.StatusTooManyRequests {
		return nil, err
	}
	return last, unknown(refID, last, err)
}

// unknown wraps err as an unknown outcome carrying the last state seen.
func unknown(refID string, last *Transaction, err error) error {
	var ou *OutcomeUnknownError
	if errors.As(err, &ou) {
		err = ou.Err
	}
	return &OutcomeUnknownError{RefID: refID, Last: last, Err: err}
}

func pollDelay(lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + rand.N(hi-lo+1)
}

// sleep waits for d or until ctx ends, whichever is first.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// CloseIdleConnections closes idle keep-alive connections, e.g. at shutdown.
func (c *Client) CloseIdleConnections() { c.http.CloseIdleConnections() }
