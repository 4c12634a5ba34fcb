package iimmpact

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/iimmpact-go/iimmpact/internal/pace"
)

// WaitOption configures WaitTopup.
type WaitOption func(*waitSettings)

type waitSettings struct {
	minInterval, maxInterval time.Duration
	timeout                  time.Duration
	onPoll                   func(*Transaction)
}

// MinPollInterval is the shortest wait between WaitTopup's polls that
// WithPollInterval accepts. IIMMPACT advises 5 to 10 s; a tighter loop
// only spends the IP's request allowance. Against a loopback base URL (a
// local fake such as iimmpacttest) the floor is 1 ms instead, so tests run
// fast; 0 is refused everywhere.
const MinPollInterval = time.Second

const loopbackPollFloor = time.Millisecond

// WithPollInterval sets the range each wait between polls is drawn from.
// The default, 5 to 10 s, is IIMMPACT's guidance; WaitTopup refuses a shortest
// below MinPollInterval.
func WithPollInterval(shortest, longest time.Duration) WaitOption {
	return func(w *waitSettings) { w.minInterval, w.maxInterval = shortest, longest }
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
// does: read tx.StatusCode.
//
// Once any poll may have been processed or a pending status was seen,
// every way the wait can end short of a final status wraps
// ErrOutcomeUnknown, with the last transaction seen (nil if none) in
// *OutcomeUnknownError.Last: the payment may still complete, so keep the
// refid and ask again later (or wait for the callback); never refund it
// and never retry with a new refid. An undocumented status code ends the
// wait that way too, for reconciliation by hand.
//
// Only a wait in which every attempt was refused returns a bare *APIError:
// nothing was created (such as HTTP 400 Invalid_Denomination, or a 403).
// A 403 ends the wait at once (IIMMPACT bans an IP with 403; more polls
// would only extend it); a 429 waits for its Retry-After, and ends the
// wait if that is longer than the time left. ErrDuplicateRefID ends it at
// once too: asking again cannot change that answer.
func (c *Client) WaitTopup(ctx context.Context, req TopupRequest, opts ...WaitOption) (tx *Transaction, err error) {
	ctx, oc := c.obs.startWait(ctx, req.RefID)
	defer func() { oc.endWait(tx, err) }()
	w := waitSettings{minInterval: 5 * time.Second, maxInterval: 10 * time.Second, timeout: 5 * time.Minute}
	for _, o := range opts {
		o(&w)
	}
	if w.minInterval < c.pollFloor || w.maxInterval < w.minInterval {
		return nil, fmt.Errorf("%w: poll interval range [%v, %v]: the least is %v", ErrInvalidRequest, w.minInterval, w.maxInterval, c.pollFloor)
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	if w.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, w.timeout)
		defer cancel()
	}
	p := poller{refID: req.RefID}
	for {
		tx, err := c.Topup(ctx, req)
		if done, tx, err := p.after(ctx, w.onPoll, tx, err); done {
			return tx, err
		}
		d := pace.Jitter(w.minInterval, w.maxInterval)
		var ae *APIError
		if errors.As(err, &ae) && ae.HTTPStatus == http.StatusTooManyRequests {
			d = max(d, ae.RetryAfter) // honoured, never polled through
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
			return p.giveUp(fmt.Errorf("%w (the next poll would come after the wait's deadline)", p.cause(err, context.DeadlineExceeded)))
		}
		if serr := pace.Sleep(ctx, d); serr != nil {
			return p.giveUp(p.cause(err, serr))
		}
	}
}

// poller is WaitTopup's memory across polls.
type poller struct {
	refID    string
	last     *Transaction // the last transaction seen
	mayExist bool         // an attempt may have been processed, or a transaction was seen
}

// after digests one Topup result; done says the wait ends with (tx, err).
func (p *poller) after(ctx context.Context, onPoll func(*Transaction), tx *Transaction, err error) (bool, *Transaction, error) {
	if err == nil {
		p.last, p.mayExist = tx, true
		if onPoll != nil {
			onPoll(tx)
		}
		if tx.StatusCode.IsFinal() {
			return true, tx, nil
		}
		if !tx.StatusCode.IsPending() {
			return true, tx, unknown(p.refID, tx, fmt.Errorf("undocumented status code %d: reconcile by hand", tx.StatusCode))
		}
		return false, nil, nil
	}
	if errors.Is(err, ErrOutcomeUnknown) {
		p.mayExist = true
	}
	switch {
	case errors.Is(err, ErrDuplicateRefID), errors.Is(err, ErrForbidden), ctx.Err() != nil:
		tx, err := p.giveUp(err)
		return true, tx, err
	case errors.Is(err, ErrOutcomeUnknown), errors.Is(err, ErrRateLimited):
		return false, nil, nil // a lost answer, or rate limited: wait and ask again
	}
	tx, err = p.giveUp(err) // refused: 400, 401, ...
	return true, tx, err
}

// giveUp is the wait's answer when it stops short of a final status. Only
// a wait that saw nothing but refusals may return one bare; anything else
// is unknown.
func (p *poller) giveUp(err error) (*Transaction, error) {
	if !p.mayExist && !errors.Is(err, ErrOutcomeUnknown) {
		return nil, err
	}
	return p.last, unknown(p.refID, p.last, err)
}

// cause is the error to report when waiting stops: the last poll's, else
// why the wait ended.
func (p *poller) cause(err, stop error) error {
	if err == nil {
		return stop
	}
	return err
}

// unknown wraps err as an unknown outcome carrying the last state seen.
func unknown(refID string, last *Transaction, err error) error {
	var ou *OutcomeUnknownError
	if errors.As(err, &ou) {
		err = ou.Err
	}
	return &OutcomeUnknownError{RefID: refID, Last: last, Err: err}
}
