package reconcile

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sync"
	"time"

	"github.com/iimmpact-go/iimmpact"
)

// ErrConflict is returned (wrapped) by SliceLedger.ApplyHistory when a
// record contradicts a final state: only open payments settle, and only a
// success may become a refund.
var ErrConflict = errors.New("reconcile: history record contradicts the ledger's final state")

// ErrUnknownRefID is returned (wrapped) for a refid the ledger never recorded.
var ErrUnknownRefID = errors.New("reconcile: refid not in the ledger")

// SliceLedger is a complete in-memory Ledger and Resolver: the reference
// implementation for tests, examples and small merchants, and the model
// of the transitions the payments layer applies. It is safe for
// concurrent use.
type SliceLedger struct {
	mu       sync.Mutex
	payments []Payment
	index    map[string]int
}

// NewSliceLedger returns a ledger holding ps; it panics on a refid given twice.
func NewSliceLedger(ps ...Payment) *SliceLedger {
	l := &SliceLedger{index: map[string]int{}}
	for _, p := range ps {
		if err := l.Add(p); err != nil {
			panic(err)
		}
	}
	return l
}

// Add records a new payment. A refid is recorded once.
func (l *SliceLedger) Add(p Payment) error {
	if p.RefID == "" {
		return errors.New("reconcile: payment without a refid")
	}
	if _, ok := stateNames[p.State]; !ok {
		return fmt.Errorf("reconcile: payment %s has no valid state", p.RefID)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.index == nil {
		l.index = map[string]int{}
	}
	if _, dup := l.index[p.RefID]; dup {
		return fmt.Errorf("reconcile: refid %s recorded twice", p.RefID)
	}
	l.index[p.RefID] = len(l.payments)
	l.payments = append(l.payments, p)
	return nil
}

// Get returns the payment recorded for refid.
func (l *SliceLedger) Get(refid string) (Payment, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	i, ok := l.index[refid]
	if !ok {
		return Payment{}, false
	}
	return l.payments[i], true
}

// Update changes the payment recorded for refid in place (the refid
// itself cannot change), as a merchant's own bookkeeping would.
func (l *SliceLedger) Update(refid string, f func(*Payment)) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	i, ok := l.index[refid]
	if !ok {
		return fmt.Errorf("%w: %s", ErrUnknownRefID, refid)
	}
	p := l.payments[i]
	f(&p)
	p.RefID = refid
	l.payments[i] = p
	return nil
}

// Payments yields a snapshot of the payments sent in [from, to), in the
// order they were added.
func (l *SliceLedger) Payments(ctx context.Context, from, to time.Time) iter.Seq2[Payment, error] {
	return func(yield func(Payment, error) bool) {
		l.mu.Lock()
		var snap []Payment
		for _, p := range l.payments {
			if !p.Time.Before(from) && p.Time.Before(to) {
				snap = append(snap, p)
			}
		}
		l.mu.Unlock()
		for _, p := range snap {
			if err := ctx.Err(); err != nil {
				yield(Payment{}, err)
				return
			}
			if !yield(p, nil) {
				return
			}
		}
	}
}

// ApplyHistory settles the payment rec.RefID from a final history record:
// an open or abandoned payment takes the record's status and price; a success takes a
// Refund (53). A pending or undocumented record changes nothing and is an
// error, as is any record that contradicts a final state (ErrConflict).
// Applying the same record twice is a no-op.
func (l *SliceLedger) ApplyHistory(_ context.Context, rec iimmpact.TransactionRecord) error {
	code := rec.StatusCode
	if !code.IsFinal() {
		return fmt.Errorf("reconcile: refid %s: status %s is not a final answer", rec.RefID, code)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	i, ok := l.index[rec.RefID]
	if !ok {
		return fmt.Errorf("%w: %s", ErrUnknownRefID, rec.RefID)
	}
	p := &l.payments[i]
	switch {
	case p.State == Final && p.Status == code:
		return nil
	case p.settleable(), p.State == Final && p.Status.IsSuccess() && code == iimmpact.StatusRefund:
		p.State, p.Status = Final, code
		if code.IsSuccess() || code == iimmpact.StatusRefund {
			p.Cost, p.CostKnown = rec.Price, true
		}
		return nil
	}
	return fmt.Errorf("%w: refid %s is %s %d, history says %s", ErrConflict, rec.RefID, p.State, int(p.Status), code)
}
