package iimmpact

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"time"
)

// CallbackStore remembers which callbacks were acted on, so that
// CallbackHandler runs Handle at most once per (refid, status) across
// IIMMPACT's retries, duplicate deliveries and concurrent requests.
//
// It is a lease protocol, so that one store can be shared by many replicas
// (a database table keyed by refid):
//
//  1. Claim(refID, status, d) asks to act on a status. ClaimAct grants a
//     Lease on the refid until now+d; no other claim on that refid is
//     granted while it holds, so Handle never runs twice at once for one
//     transaction, and its calls for one refid never overlap. Claim returns
//     a non-zero Lease only with ClaimAct.
//  2. Renew(l, d) extends the lease to now+d while the work goes on.
//  3. Complete(l) records that Handle succeeded for l's status and ends the
//     lease.
//  4. Release(l) ends the lease without recording anything, so the next
//     delivery of that status can act again.
//
// A lease is owned: each grant has its own Token, and Renew, Complete and
// Release succeed only for the lease that currently holds the refid. For a
// lapsed or superseded lease they change nothing and return an error
// wrapping ErrLeaseLost, so a worker that outlived its lease can never free
// or overwrite the lease of the worker that took over. One exception, the
// same in both stores of this module: Complete from a lapsed lease that
// nobody superseded (no claim on the refid was granted since) still
// records the status and succeeds, because Handle did run and nobody else
// can have acted in between. Complete repeated after it succeeded succeeds
// again (a retry whose first answer was lost); Release and Renew after the
// lease ended return ErrLeaseLost.
//
// A worker that crashes holding a lease leaves it to lapse; IIMMPACT's next
// retry (60 s later, over the default 30 s lease) then acts.
//
// Claim must answer, in this order:
//   - ClaimDuplicate when (refID, status) was completed;
//   - ClaimStale when a Refund (53) of refID was completed and status is
//     anything else: a success delivered late must not deliver goods again;
//   - ClaimStale when status is pending (IsPending) and a non-pending status
//     of refID was completed, or a pending status at least as new (Processing
//     is newer than Accepted) was — state never moves backwards;
//   - ClaimBusy when another claim on refID holds an unexpired lease;
//   - otherwise ClaimAct, taking the lease.
//
// Non-pending statuses (final ones, and undocumented codes) each act once:
// a Refund after Succesful is a new status and acts; nothing acts after it.
// Implementations must be safe for concurrent use. An error from Claim makes
// the handler answer 5xx, so IIMMPACT retries.
type CallbackStore interface {
	Claim(ctx context.Context, refID string, status StatusCode, d time.Duration) (Lease, ClaimResult, error)
	Renew(ctx context.Context, l Lease, d time.Duration) (Lease, error)
	Complete(ctx context.Context, l Lease) error
	Release(ctx context.Context, l Lease) error
}

// Lease is one grant of a claim on a refid, for one status.
type Lease struct {
	RefID  string
	Status StatusCode
	Token  string    // unique per grant; opaque
	Until  time.Time // when it lapses unless renewed
}

// IsZero reports whether l is the zero Lease (no claim was granted).
func (l Lease) IsZero() bool { return l == Lease{} }

// ErrLeaseLost is wrapped by the error of Renew, Complete or Release when
// the lease lapsed or another claim superseded it: the call changed
// nothing. A CallbackHandler cancels Handle's context with it.
var ErrLeaseLost = errors.New("iimmpact: callback lease lost")

// leaseLost describes which lease was lost, naming only its refid and status.
func leaseLost(l Lease, why string) error {
	return fmt.Errorf("%w: refid %q status %d: %s", ErrLeaseLost, l.RefID, int(l.Status), why)
}

// ClaimResult is the store's answer to a claim. The zero value is not a
// valid answer, so a store that forgets to set one is an error, not a go.
type ClaimResult int

// The claim results.
const (
	ClaimAct       ClaimResult = iota + 1 // act: run Handle, then Complete or Release
	ClaimDuplicate                        // already acted on: acknowledge, do nothing
	ClaimStale                            // older than what was acted on: acknowledge, do nothing
	ClaimBusy                             // another worker holds the refid: ask IIMMPACT to retry later
)

func (c ClaimResult) String() string {
	switch c {
	case ClaimAct:
		return "act"
	case ClaimDuplicate:
		return "duplicate"
	case ClaimStale:
		return "stale"
	case ClaimBusy:
		return "busy"
	}
	return "invalid"
}

// DefaultCallbackRetention is how long MemoryCallbackStore remembers a
// refid after its last callback. IIMMPACT's own retries end within about 4
// minutes; a day also absorbs late duplicates and manual re-sends.
const DefaultCallbackRetention = 24 * time.Hour

// MemoryCallbackStore is the in-process CallbackStore: correct for one
// process, lost on restart, and not shared between replicas (use a database
// behind CallbackStore for those).
//
// Memory grows by one small entry (about 150 bytes plus the refid) per
// refid that reached Handle; only callbacks that passed the allowlist and
// matched a known refid get that far. Entries idle for the retention
// period (DefaultCallbackRetention unless WithCallbackRetention) are swept during
// later claims, so memory is bounded by the callback rate times the
// retention. A duplicate arriving after its entry was swept acts again.
type MemoryCallbackStore struct {
	mu        sync.Mutex
	m         map[string]*memEntry
	retention time.Duration
	lastSweep time.Time
	now       func() time.Time
}

type memEntry struct {
	done       []StatusCode // completed statuses, usually one or two
	final      bool         // a non-pending status was completed
	pending    StatusCode   // newest pending status completed, if hasPending
	hasPending bool
	claimed    StatusCode // status of the latest grant
	token      string     // the latest grant's token; "" before any
	leaseEnd   time.Time  // when it lapses; zero once completed or released
	touched    time.Time
}

// MemoryCallbackStoreOption configures NewMemoryCallbackStore.
type MemoryCallbackStoreOption func(*MemoryCallbackStore)

// WithCallbackRetention sets how long an idle refid is remembered; d <= 0
// keeps DefaultCallbackRetention.
func WithCallbackRetention(d time.Duration) MemoryCallbackStoreOption {
	return func(s *MemoryCallbackStore) {
		if d > 0 {
			s.retention = d
		}
	}
}

// NewMemoryCallbackStore returns an empty in-memory store.
func NewMemoryCallbackStore(opts ...MemoryCallbackStoreOption) *MemoryCallbackStore {
	s := &MemoryCallbackStore{m: map[string]*memEntry{}, retention: DefaultCallbackRetention, now: time.Now}
	for _, o := range opts {
		if o != nil {
			o(s)
		}
	}
	return s
}

// Len returns the number of refids remembered.
func (s *MemoryCallbackStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}

var errInvalidLease = errors.New("iimmpact: callback claim needs a positive lease")

// Claim implements CallbackStore.
func (s *MemoryCallbackStore) Claim(_ context.Context, refID string, status StatusCode, d time.Duration) (Lease, ClaimResult, error) {
	if d <= 0 {
		return Lease{}, 0, errInvalidLease
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.sweepLocked(now)
	e := s.m[refID]
	if e == nil {
		e = &memEntry{}
		s.m[refID] = e
	}
	e.touched = now
	switch {
	case e.isDone(status):
		return Lease{}, ClaimDuplicate, nil
	case status != StatusRefund && e.isDone(StatusRefund):
		return Lease{}, ClaimStale, nil // a late success after its refund must not deliver again
	case status.IsPending() && (e.final || (e.hasPending && status <= e.pending)):
		return Lease{}, ClaimStale, nil
	case now.Before(e.leaseEnd):
		return Lease{}, ClaimBusy, nil
	}
	l := Lease{RefID: refID, Status: status, Token: rand.Text(), Until: now.Add(d)}
	e.claimed, e.token, e.leaseEnd = status, l.Token, l.Until
	return l, ClaimAct, nil
}

// holds returns l's entry if l is the refid's latest grant.
func (s *MemoryCallbackStore) holds(l Lease) *memEntry {
	e := s.m[l.RefID]
	if e == nil || l.Token == "" || e.token != l.Token || e.claimed != l.Status {
		return nil
	}
	return e
}

// Renew implements CallbackStore: it extends l to now+d if l still holds
// the refid. The Token stays.
func (s *MemoryCallbackStore) Renew(_ context.Context, l Lease, d time.Duration) (Lease, error) {
	if d <= 0 {
		return Lease{}, errInvalidLease
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	e := s.holds(l)
	if e == nil || !now.Before(e.leaseEnd) {
		return Lease{}, leaseLost(l, "lapsed, ended or superseded")
	}
	e.touched, e.leaseEnd = now, now.Add(d)
	l.Until = e.leaseEnd
	return l, nil
}

// Complete implements CallbackStore: it records l's status and ends the
// lease, if no other claim on the refid was granted since l (even if l
// lapsed: Handle did run, and nobody else can have).
func (s *MemoryCallbackStore) Complete(_ context.Context, l Lease) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.holds(l)
	switch {
	case e == nil:
		return leaseLost(l, "superseded or forgotten")
	case e.leaseEnd.IsZero() && !e.isDone(l.Status):
		return leaseLost(l, "released")
	}
	e.touched = s.now()
	if !e.isDone(l.Status) {
		e.done = append(e.done, l.Status)
	}
	if l.Status.IsPending() {
		if !e.hasPending || l.Status > e.pending {
			e.pending, e.hasPending = l.Status, true
		}
	} else {
		e.final = true
	}
	e.leaseEnd = time.Time{}
	return nil
}

// Release implements CallbackStore: it ends l if l still holds the refid.
func (s *MemoryCallbackStore) Release(_ context.Context, l Lease) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.holds(l)
	if e == nil || !s.now().Before(e.leaseEnd) {
		return leaseLost(l, "lapsed, ended or superseded")
	}
	e.leaseEnd = time.Time{}
	if len(e.done) == 0 {
		delete(s.m, l.RefID) // nothing to remember
	}
	return nil
}

func (e *memEntry) isDone(status StatusCode) bool {
	for _, d := range e.done {
		if d == status {
			return true
		}
	}
	return false
}

// sweepLocked drops idle entries, at most once per 1/64 of the retention,
// so its cost is spread thin however busy the store is.
func (s *MemoryCallbackStore) sweepLocked(now time.Time) {
	if now.Sub(s.lastSweep) < s.retention/64 {
		return
	}
	s.lastSweep = now
	cutoff := now.Add(-s.retention)
	for id, e := range s.m {
		if e.touched.Before(cutoff) && !now.Before(e.leaseEnd) {
			delete(s.m, id)
		}
	}
}
