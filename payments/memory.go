package payments

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync"
	"time"
)

// MemoryStore keeps payments in this process's memory. Everything is lost
// when the process ends, so it suits tests and single-process tools only;
// a merchant taking real money uses a durable store (store/postgres).
// Claim scans every payment, which is fine up to some thousands.
type MemoryStore struct {
	mu sync.Mutex
	m  map[string]*Payment
}

var _ Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{m: map[string]*Payment{}} }

// Create implements Store.
func (s *MemoryStore) Create(_ context.Context, p Payment) (Payment, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.m[p.Request.RefID]; ok {
		return old.clone(), false, nil
	}
	p = p.clone()
	p.Version = 1
	s.m[p.Request.RefID] = &p
	return p.clone(), true, nil
}

// Get implements Store.
func (s *MemoryStore) Get(_ context.Context, refID string) (Payment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.m[refID]; ok {
		return p.clone(), nil
	}
	return Payment{}, fmt.Errorf("%w: %q", ErrNotFound, refID)
}

// Put implements Store.
func (s *MemoryStore) Put(_ context.Context, p Payment, version int64) (Payment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.m[p.Request.RefID]
	if !ok {
		return Payment{}, fmt.Errorf("%w: %q", ErrNotFound, p.Request.RefID)
	}
	if old.Version != version {
		return Payment{}, fmt.Errorf("%w: refid %q is at version %d, not %d", ErrConflict, p.Request.RefID, old.Version, version)
	}
	p = p.clone()
	p.Version = version + 1
	s.m[p.Request.RefID] = &p
	return p.clone(), nil
}

// Claim implements Store.
func (s *MemoryStore) Claim(_ context.Context, now, until time.Time, limit int) ([]Payment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var due []*Payment
	for _, p := range s.m {
		if at, ok := p.DueAt(); ok && !at.After(now) {
			due = append(due, p)
		}
	}
	slices.SortFunc(due, func(a, b *Payment) int {
		x, _ := a.DueAt()
		y, _ := b.DueAt()
		return x.Compare(y)
	})
	out := make([]Payment, 0, min(limit, len(due)))
	for _, p := range due[:min(limit, len(due))] {
		claim(p, until)
		out = append(out, p.clone())
	}
	return out, nil
}

// claim makes p not due until until: the effect lease if effects are owed
// (EffectToken 0: a resolver's claim, not a delivery), else Next.
func claim(p *Payment, until time.Time) {
	if p.EffectsDone < len(p.Effects) {
		p.EffectLease, p.EffectToken = until, 0
	} else {
		p.Next = until
	}
	p.Version++
}

// Stats implements Store.
func (s *MemoryStore) Stats(_ context.Context, now time.Time) (Stats, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Stats{Counts: map[State]int{}}
	for _, p := range s.m {
		st.Counts[p.State]++
		if p.State.IsOpen() && (st.OldestOpen.IsZero() || p.Created.Before(st.OldestOpen)) {
			st.OldestOpen = p.Created
		}
		if at, ok := p.DueAt(); ok && !at.After(now) {
			st.Due++
			if st.Due == 1 || at.Before(st.EarliestDue) {
				st.EarliestDue = at
			}
		}
	}
	return st, nil
}

// Prune implements Store.
func (s *MemoryStore) Prune(_ context.Context, cutoff time.Time) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for id, p := range s.m {
		if _, due := p.DueAt(); !due && p.Updated.Before(cutoff) {
			delete(s.m, id)
			n++
		}
	}
	return n, nil
}

// ListCreated implements Store over a snapshot taken when iteration starts.
func (s *MemoryStore) ListCreated(ctx context.Context, from, to time.Time) iter.Seq2[Payment, error] {
	return func(yield func(Payment, error) bool) {
		s.mu.Lock()
		var snap []Payment
		for _, p := range s.m {
			if !p.Created.Before(from) && p.Created.Before(to) {
				snap = append(snap, p.clone())
			}
		}
		s.mu.Unlock()
		slices.SortFunc(snap, func(a, b Payment) int {
			if c := a.Created.Compare(b.Created); c != 0 {
				return c
			}
			return strings.Compare(a.Request.RefID, b.Request.RefID)
		})
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
