package iimmpact

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// slowHandle is a well-behaved Handle that takes work to act, and when its
// context ends stops, undoes what it started (windDown) and reports the
// error. It counts the calls that overlapped another and those that acted.
type slowHandle struct {
	work, windDown    time.Duration
	active            atomic.Int32
	overlaps, actions atomic.Int32
	mu                sync.Mutex
	causes            []error // context.Cause of each cancelled call
}

func (s *slowHandle) handle(ctx context.Context, _ *Callback) error {
	if s.active.Add(1) > 1 {
		s.overlaps.Add(1)
	}
	defer s.active.Add(-1)
	select {
	case <-time.After(s.work):
		s.actions.Add(1)
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		s.causes = append(s.causes, context.Cause(ctx))
		s.mu.Unlock()
		time.Sleep(s.windDown)
		return ctx.Err()
	}
}

// deliverUntilAcked plays IIMMPACT for one delivery: send, and send again
// after backoff while the answer is 5xx, until deadline.
func deliverUntilAcked(serve func() int, backoff time.Duration, deadline time.Time) int {
	for {
		code := serve()
		if code < 500 || time.Now().After(deadline) {
			return code
		}
		time.Sleep(backoff)
	}
}

// Issue 11, defect 1, with the memory store: three handlers (replicas in
// one process) share a store. A's Handle is slower than the lease; B, a
// duplicate, arrives after A's lease would have lapsed; C after A's Handle
// has given up. With leases that are not owned, A's late Release freed B's
// lease and C ran Handle beside B. Now A's lease is renewed while it works,
// B and C are asked to retry, and Handle acts once.
func TestCallbackLeaseNotStolenMemory(t *testing.T) {
	const lease = 600 * time.Millisecond
	store := NewMemoryCallbackStore()
	slow := &slowHandle{work: 3 * lease, windDown: 80 * time.Millisecond}
	var replicas []*harness
	for range 3 {
		replicas = append(replicas, newHarness(t, func(c *CallbackConfig) {
			c.Store, c.Lease, c.Handle = store, lease, slow.handle
		}))
	}
	body := fixture(t, "callback_post_digi.json")
	start := time.Now()
	deadline := start.Add(5 * time.Second)
	var wg sync.WaitGroup
	codes := make([]int, 3)
	for i, at := range []time.Duration{0, lease + 30*time.Millisecond, lease + 150*time.Millisecond} {
		wg.Go(func() {
			time.Sleep(time.Until(start.Add(at)))
			codes[i] = deliverUntilAcked(func() int { return replicas[i].serve(fromIIMMPACT(postCallback(body))).Code },
				100*time.Millisecond, deadline)
		})
	}
	wg.Wait()
	assert.Equal(t, []int{200, 200, 200}, codes, "every delivery acknowledged in the end")
	assert.Zero(t, slow.overlaps.Load(), "Handle ran twice at once for one (refid, status)")
	assert.Equal(t, int32(1), slow.actions.Load(), "Handle acted once, carried by its renewed lease")
}

// Handles far slower than the lease are carried by renewal, while every
// concurrent duplicate is told to retry.
func TestCallbackLeaseRenewalCarriesSlowHandle(t *testing.T) {
	const lease = 250 * time.Millisecond
	slow := &slowHandle{work: 5 * lease}
	hs := newHarness(t, func(c *CallbackConfig) { c.Lease, c.Handle = lease, slow.handle })
	body := fixture(t, "callback_post_grab_gift.json")
	first := make(chan int)
	go func() { first <- hs.serve(fromIIMMPACT(postCallback(body))).Code }()
	busy := 0
	for range 4 {
		time.Sleep(lease)
		if hs.serve(fromIIMMPACT(postCallback(body))).Code == http.StatusServiceUnavailable {
			busy++
		}
	}
	assert.Equal(t, http.StatusOK, <-first)
	assert.Equal(t, 4, busy, "the refid stayed claimed for 5 leases")
	assert.Equal(t, int32(1), slow.actions.Load())
	assert.Zero(t, slow.overlaps.Load())
	assert.Equal(t, http.StatusOK, hs.serve(fromIIMMPACT(postCallback(body))).Code, "then a duplicate")
	assert.Equal(t, int32(1), slow.actions.Load())
}

// leaseStore is the memory store with a Renew that fails on demand.
type leaseStore struct {
	*MemoryCallbackStore
	renewErr  error
	renews    atomic.Int32
	completes atomic.Int32
}

func (s *leaseStore) Renew(ctx context.Context, l Lease, d time.Duration) (Lease, error) {
	s.renews.Add(1)
	if s.renewErr != nil {
		return Lease{}, s.renewErr
	}
	return s.MemoryCallbackStore.Renew(ctx, l, d)
}

func (s *leaseStore) Complete(ctx context.Context, l Lease) error {
	s.completes.Add(1)
	return s.MemoryCallbackStore.Complete(ctx, l)
}

// The moment a renewal says the lease is lost, Handle's context is
// cancelled with ErrLeaseLost as its cause; a store that keeps failing
// otherwise gets Handle cancelled before the lease lapses.
func TestCallbackLeaseLossCancelsHandle(t *testing.T) {
	for name, renewErr := range map[string]error{
		"lost":          leaseLost(Lease{RefID: "x"}, "superseded"),
		"store failing": errors.New("database unreachable"),
	} {
		t.Run(name, func(t *testing.T) {
			const lease = 600 * time.Millisecond
			store := &leaseStore{MemoryCallbackStore: NewMemoryCallbackStore(), renewErr: renewErr}
			slow := &slowHandle{work: time.Minute}
			hs := newHarness(t, func(c *CallbackConfig) { c.Store, c.Lease, c.Handle = store, lease, slow.handle })
			start := time.Now()
			w := hs.serve(seedPost(t, "callback_post_digi.json"))
			took := time.Since(start)
			assert.Equal(t, http.StatusInternalServerError, w.Code, "Handle failed: IIMMPACT retries")
			assert.Less(t, took, lease, "Handle was stopped before the lease lapsed")
			assert.Positive(t, store.renews.Load())
			assert.Zero(t, store.completes.Load())
			slow.mu.Lock()
			defer slow.mu.Unlock()
			require.Len(t, slow.causes, 1)
			assert.ErrorIs(t, slow.causes[0], ErrLeaseLost, "Handle's context cause is the lost lease")
			assert.Contains(t, hs.logText(), "lease lost")
		})
	}
}

// A Handle that ignores its context and finishes after another worker
// took the refid is acknowledged, but its lapsed lease records nothing
// and the log says what happened.
func TestCallbackLateHandleIsNotRecorded(t *testing.T) {
	ctx := context.Background()
	store := &leaseStore{MemoryCallbackStore: NewMemoryCallbackStore(), renewErr: errors.New("partitioned")}
	release := make(chan struct{})
	hs := newHarness(t, func(c *CallbackConfig) {
		c.Store, c.Lease = store, 60*time.Millisecond
		c.Handle = func(context.Context, *Callback) error { <-release; return nil } // ignores its context
	})
	done := make(chan int)
	go func() { done <- hs.serve(seedPost(t, "callback_post_digi.json")).Code }()
	time.Sleep(100 * time.Millisecond) // the lease lapsed
	l, res, err := store.MemoryCallbackStore.Claim(ctx, "digi-reload-20250115-001", StatusSuccessful, time.Minute)
	require.NoError(t, err)
	require.Equal(t, ClaimAct, res, "another worker takes over")
	close(release)
	assert.Equal(t, http.StatusOK, <-done)
	assert.Contains(t, hs.logText(), "handled after its lease was lost")
	_, res, err = store.MemoryCallbackStore.Claim(ctx, "digi-reload-20250115-001", StatusSuccessful, time.Minute)
	require.NoError(t, err)
	assert.Equal(t, ClaimBusy, res, "the late worker did not free its successor's lease")
	require.NoError(t, store.MemoryCallbackStore.Complete(ctx, l))
}

// zeroLeaseStore grants claims without a lease, as a broken store might.
type zeroLeaseStore struct{ *MemoryCallbackStore }

func (s zeroLeaseStore) Claim(ctx context.Context, id string, st StatusCode, d time.Duration) (Lease, ClaimResult, error) {
	_, res, err := s.MemoryCallbackStore.Claim(ctx, id, st, d)
	return Lease{}, res, err
}

// A grant without a lease cannot be renewed, completed or released: the
// handler refuses to act on it (500, so IIMMPACT retries).
func TestCallbackHandlerRefusesAGrantWithoutALease(t *testing.T) {
	hs := newHarness(t, func(c *CallbackConfig) { c.Store = zeroLeaseStore{NewMemoryCallbackStore()} })
	assert.Equal(t, http.StatusInternalServerError, hs.serve(seedPost(t, "callback_post_digi.json")).Code)
	assert.Empty(t, hs.handled())
	assert.Contains(t, hs.logText(), "without its lease")
}

// blockingRenewStore is the memory store whose Renew tells renewing when
// it starts and takes hold to finish; it keeps what Renew returned and
// what Complete was given.
type blockingRenewStore struct {
	*MemoryCallbackStore
	renewing chan struct{}
	hold     time.Duration
	mu       sync.Mutex
	renewed  []Lease
	complete []Lease
}

func (s *blockingRenewStore) Renew(ctx context.Context, l Lease, d time.Duration) (Lease, error) {
	select {
	case s.renewing <- struct{}{}:
	default:
	}
	time.Sleep(s.hold)
	l, err := s.MemoryCallbackStore.Renew(ctx, l, d)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.renewed = append(s.renewed, l)
	return l, err
}

func (s *blockingRenewStore) Complete(ctx context.Context, l Lease) error {
	s.mu.Lock()
	s.complete = append(s.complete, l)
	s.mu.Unlock()
	return s.MemoryCallbackStore.Complete(ctx, l)
}

// A Handle that returns while a renewal is in flight: the handler waits
// for the renewal, then completes with the lease as renewed (its later
// Until), so the store records the callback as handled.
func TestCallbackCompleteWaitsForARenewalInFlight(t *testing.T) {
	t.Parallel()
	const lease = 150 * time.Millisecond
	store := &blockingRenewStore{MemoryCallbackStore: NewMemoryCallbackStore(), renewing: make(chan struct{}), hold: 40 * time.Millisecond}
	hs := newHarness(t, func(c *CallbackConfig) {
		c.Lease, c.Store = lease, store
		c.Handle = func(context.Context, *Callback) error { <-store.renewing; return nil }
	})
	rec := hs.serve(fromIIMMPACT(postCallback(fixture(t, "callback_post_grab_gift.json"))))
	require.Equal(t, http.StatusOK, rec.Code)
	store.mu.Lock()
	defer store.mu.Unlock()
	require.Len(t, store.renewed, 1, "one renewal, not cut short")
	require.Len(t, store.complete, 1)
	assert.Equal(t, store.renewed[0], store.complete[0], "completed with the renewed lease")
	assert.Contains(t, hs.logs.String(), "handled")
	assert.NotContains(t, hs.logs.String(), "lease was lost")
}
