package iimmpact

import (
	"context"
	"errors"
	"sync"
	"time"
)

// CallbackStore remembers which callbacks were acted on, so that
// CallbackHandler runs Handle at most once per (refid, status) across
// IIMMPACT's retries, duplicate deliveries and concurrent requests.
//
// It is a claim/complete protocol, so that one store can be shared by many
// replicas (a database table keyed by refid):
//
//  1. Claim(refID, status, lease) asks to act on a status. ClaimAct grants a
//     lease on the refid until now+lease; no other claim on that refid is
//     granted while it runs, so Handle never runs twice at once for one
//     transaction, and its calls for one refid never overlap.
//  2. Complete(refID, status) records that Handle succeeded and ends the lease.
//  3. Release(refID, status) ends the lease without recording anything, so
//     the next delivery of that status can act again.
//
// A worker that crashes holding a lease leaves it to expire; IIMMPACT's next
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
// a Refund after Succesful is a new status and acts; nothing acts after it. Implementations must be
// safe for concurrent use. An error from any method makes the handler
// answer 5xx, so IIMMPACT retries.
type CallbackStore interface {
	Claim(ctx context.Context, refID string, status StatusCode, lease time.Duration) (ClaimResult, error)
	Complete(ctx context.Context, refID string, status StatusCode) error
	Release(ctx context.Context, refID string, status StatusCode) error
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
// period (DefaultCallbackRetention unless SetRetention) are swept during
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
	claimed    StatusCode // status holding the lease, while leaseEnd is in the future
	leaseEnd   time.Time
	touched    time.Time
}

// NewMemoryCallbackStore returns an empty in-memory store.
func NewMemoryCallbackStore() *MemoryCallbackStore {
	return &MemoryCallbackStore{m: map[string]*memEntry{}, retention: DefaultCallbackRetention, now: time.Now}
}

// SetRetention changes how long an idle refid is remembered (d > 0).
func (s *MemoryCallbackStore) SetRetention(d time.Duration) {
	if d <= 0 {
		panic("iimmpact: MemoryCallbackStore retention must be positive")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.retention = d
}

// Len returns the number of refids remembered.
func (s *MemoryCallbackStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}

var errInvalidLease = errors.New("iimmpact: callback claim needs a positive lease")

// Claim implements CallbackStore.
func (s *MemoryCallbackStore) Claim(_ context.Context, refID string, status StatusCode, lease time.Duration) (ClaimResult, error) {
	if lease <= 0 {
		return 0, errInvalidLease
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
		return ClaimDuplicate, nil
	case status != StatusRefund && e.isDone(StatusRefund):
		return ClaimStale, nil // a late success after its refund must not deliver again
	case status.IsPending() && (e.final || (e.hasPending && status <= e.pending)):
		return ClaimStale, nil
	case now.Before(e.leaseEnd):
		return ClaimBusy, nil
	}
	e.claimed, e.leaseEnd = status, now.Add(lease)
	return ClaimAct, nil
}

// Complete implements CallbackStore. It records the status even if the
// lease has lapsed: Handle did run.
func (s *MemoryCallbackStore) Complete(_ context.Context, refID string, status StatusCode) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.m[refID]
	if e == nil { // swept while Handle ran, which only an absurd lease allows
		e = &memEntry{}
		s.m[refID] = e
	}
	e.touched = s.now()
	if !e.isDone(status) {
		e.done = append(e.done, status)
	}
	if status.IsPending() {
		if !e.hasPending || status > e.pending {
			e.pending, e.hasPending = status, true
		}
	} else {
		e.final = true
	}
	if e.claimed == status {
		e.leaseEnd = time.Time{}
	}
	return nil
}

// Release implements CallbackStore. It ends the lease only if status holds
// it, so releasing a Processing claim cannot free a Succesful one. (Claims
// carry no owner token: the handler bounds its work by the lease, so a
// Release comes after its own lease expired only if Handle ignored its
// context.)
func (s *MemoryCallbackStore) Release(_ context.Context, refID string, status StatusCode) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.m[refID]
	if e == nil || e.claimed != status {
		return nil
	}
	e.leaseEnd = time.Time{}
	if len(e.done) == 0 {
		delete(s.m, refID) // nothing to remember
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
