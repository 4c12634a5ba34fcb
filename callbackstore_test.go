package iimmpact

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeClock is a settable clock for the memory store.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newTestStore(opts ...MemoryCallbackStoreOption) (*MemoryCallbackStore, *fakeClock) {
	clk := &fakeClock{t: testNow}
	s := NewMemoryCallbackStore(opts...)
	s.now = clk.now
	return s, clk
}

// driver claims on a store and remembers the lease each refid was last
// granted, so tests read like the protocol.
type driver struct {
	t    *testing.T
	s    CallbackStore
	held map[string]Lease
}

func newDriver(t *testing.T, s CallbackStore) *driver {
	return &driver{t: t, s: s, held: map[string]Lease{}}
}

func (d *driver) claim(id string, status StatusCode) ClaimResult {
	d.t.Helper()
	l, res, err := d.s.Claim(context.Background(), id, status, time.Minute)
	require.NoError(d.t, err)
	if res == ClaimAct {
		require.Equal(d.t, id, l.RefID)
		require.Equal(d.t, status, l.Status)
		require.NotEmpty(d.t, l.Token)
		d.held[id] = l
	} else {
		require.True(d.t, l.IsZero(), "a lease with %v", res)
	}
	return res
}

func (d *driver) complete(id string) {
	d.t.Helper()
	require.NoError(d.t, d.s.Complete(context.Background(), d.held[id]))
}
func (d *driver) release(id string) {
	d.t.Helper()
	require.NoError(d.t, d.s.Release(context.Background(), d.held[id]))
}

// act claims and completes, requiring the claim to be granted.
func (d *driver) act(id string, status StatusCode) {
	d.t.Helper()
	require.Equal(d.t, ClaimAct, d.claim(id, status))
	d.complete(id)
}

func TestMemoryStoreProtocol(t *testing.T) {
	t.Parallel()
	s, _ := newTestStore()
	d := newDriver(t, s)
	claim := func(status StatusCode) ClaimResult { t.Helper(); return d.claim("r1", status) }

	assert.Equal(t, ClaimAct, claim(StatusAccepted))
	assert.Equal(t, ClaimBusy, claim(StatusProcessing), "one worker per refid")
	d.complete("r1")
	assert.Equal(t, ClaimDuplicate, claim(StatusAccepted))

	assert.Equal(t, ClaimAct, claim(StatusProcessing), "newer pending acts")
	d.complete("r1")
	assert.Equal(t, ClaimDuplicate, claim(StatusAccepted), "done before, so a duplicate")

	assert.Equal(t, ClaimAct, claim(StatusSuccessful))
	assert.Equal(t, ClaimBusy, claim(StatusSuccessful), "concurrent duplicate")
	d.release("r1")
	assert.Equal(t, ClaimAct, claim(StatusSuccessful), "released: the next delivery acts")
	d.complete("r1")
	assert.Equal(t, ClaimDuplicate, claim(StatusSuccessful))
	assert.Equal(t, ClaimDuplicate, claim(StatusProcessing))

	assert.Equal(t, ClaimAct, claim(StatusRefund), "a refund after success is a new status")
	d.complete("r1")
	assert.Equal(t, ClaimDuplicate, claim(StatusSuccessful))

	// A success delivered late, after its refund was handled, never acts.
	d.act("late", StatusRefund)
	assert.Equal(t, ClaimStale, d.claim("late", StatusSuccessful))
	assert.Equal(t, ClaimStale, d.claim("late", StatusRejectedByProvider))
	assert.Equal(t, ClaimStale, d.claim("late", StatusProcessing))
	assert.Equal(t, ClaimDuplicate, d.claim("late", StatusRefund))

	assert.Equal(t, ClaimAct, d.claim("r2", StatusProcessing), "refids are independent")

	_, _, err := s.Claim(context.Background(), "r3", StatusProcessing, 0)
	assert.Error(t, err)
}

func TestMemoryStoreNeverMovesBack(t *testing.T) {
	t.Parallel()
	s, _ := newTestStore()
	d := newDriver(t, s)
	d.act("final-first", StatusSuccessful)
	assert.Equal(t, ClaimStale, d.claim("final-first", StatusProcessing), "pending after final")
	assert.Equal(t, ClaimStale, d.claim("final-first", StatusAccepted))

	d.act("failed", StatusRejectedByProvider)
	assert.Equal(t, ClaimStale, d.claim("failed", StatusProcessing))

	d.act("undocumented", StatusCode(99))
	assert.Equal(t, ClaimStale, d.claim("undocumented", StatusProcessing), "an undocumented code counts as non-pending")

	d.act("processing-first", StatusProcessing)
	assert.Equal(t, ClaimStale, d.claim("processing-first", StatusAccepted), "older pending")
}

func TestMemoryStoreReleaseOnlyFreesItsOwnLease(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := newTestStore()
	d := newDriver(t, s)
	require.Equal(t, ClaimAct, d.claim("r", StatusSuccessful))
	mine := d.held["r"]
	other := mine
	other.Status = StatusProcessing
	assert.ErrorIs(t, s.Release(ctx, other), ErrLeaseLost, "another status's lease")
	forged := mine
	forged.Token = "guess"
	assert.ErrorIs(t, s.Release(ctx, forged), ErrLeaseLost, "another token")
	assert.ErrorIs(t, s.Complete(ctx, forged), ErrLeaseLost)
	_, err := s.Renew(ctx, forged, time.Minute)
	assert.ErrorIs(t, err, ErrLeaseLost)
	assert.ErrorIs(t, s.Release(ctx, Lease{}), ErrLeaseLost, "the zero lease")
	assert.Equal(t, ClaimBusy, d.claim("r", StatusSuccessful), "nothing above freed it")
	require.NoError(t, s.Release(ctx, mine))
	assert.Equal(t, 0, s.Len(), "a released refid with nothing done is forgotten")
	assert.ErrorIs(t, s.Release(ctx, mine), ErrLeaseLost, "released twice")
	assert.ErrorIs(t, s.Complete(ctx, mine), ErrLeaseLost, "completed after its release")
}

// The defect of issue 11 at the store: A's lease lapses, B claims the same
// (refid, status), then A's late Release and Complete must change nothing,
// so C cannot be granted the refid while B still holds it.
func TestMemoryStoreLapsedLeaseCannotFreeItsSuccessor(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, clk := newTestStore()
	a, res, err := s.Claim(ctx, "r", StatusSuccessful, 30*time.Second)
	require.NoError(t, err)
	require.Equal(t, ClaimAct, res)
	clk.add(31 * time.Second) // A is slow; its lease lapses
	b, res, err := s.Claim(ctx, "r", StatusSuccessful, 30*time.Second)
	require.NoError(t, err)
	require.Equal(t, ClaimAct, res, "B takes over")
	assert.NotEqual(t, a.Token, b.Token, "a token per grant")

	assert.ErrorIs(t, s.Release(ctx, a), ErrLeaseLost)
	_, err = s.Renew(ctx, a, time.Minute)
	assert.ErrorIs(t, err, ErrLeaseLost)
	assert.ErrorIs(t, s.Complete(ctx, a), ErrLeaseLost, "superseded: nothing recorded")
	_, res, err = s.Claim(ctx, "r", StatusSuccessful, 30*time.Second)
	require.NoError(t, err)
	assert.Equal(t, ClaimBusy, res, "C must wait for B")

	require.NoError(t, s.Complete(ctx, b))
	require.NoError(t, s.Complete(ctx, b), "a repeated Complete (a retry) succeeds")
	_, res, err = s.Claim(ctx, "r", StatusSuccessful, 30*time.Second)
	require.NoError(t, err)
	assert.Equal(t, ClaimDuplicate, res)
	_, err = s.Renew(ctx, b, time.Minute)
	assert.ErrorIs(t, err, ErrLeaseLost, "no renewal after the end")
	assert.ErrorIs(t, s.Release(ctx, b), ErrLeaseLost, "no release after the end")
}

// A Complete from a lapsed lease nobody superseded records the status:
// Handle did run, and nobody else can have acted in between.
func TestMemoryStoreLapsedCompleteRecordsIfNotSuperseded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, clk := newTestStore()
	a, _, err := s.Claim(ctx, "r", StatusSuccessful, 30*time.Second)
	require.NoError(t, err)
	clk.add(time.Minute)
	_, err = s.Renew(ctx, a, time.Minute)
	assert.ErrorIs(t, err, ErrLeaseLost, "a lapsed lease is not renewed")
	assert.ErrorIs(t, s.Release(ctx, a), ErrLeaseLost, "nor released")
	require.NoError(t, s.Complete(ctx, a))
	_, res, err := s.Claim(ctx, "r", StatusSuccessful, 30*time.Second)
	require.NoError(t, err)
	assert.Equal(t, ClaimDuplicate, res)
}

func TestMemoryStoreRenew(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, clk := newTestStore()
	l, _, err := s.Claim(ctx, "r", StatusSuccessful, 30*time.Second)
	require.NoError(t, err)
	for range 5 { // held for 100 s by renewing every 20 s
		clk.add(20 * time.Second)
		l2, err := s.Renew(ctx, l, 30*time.Second)
		require.NoError(t, err)
		assert.Equal(t, l.Token, l2.Token)
		assert.Equal(t, clk.now().Add(30*time.Second), l2.Until)
		l = l2
		_, res, err := s.Claim(ctx, "r", StatusSuccessful, 30*time.Second)
		require.NoError(t, err)
		require.Equal(t, ClaimBusy, res)
	}
	_, err = s.Renew(ctx, l, 0)
	assert.Error(t, err)
	require.NoError(t, s.Complete(ctx, l))
}

func TestMemoryStoreLeaseExpires(t *testing.T) {
	t.Parallel()
	s, clk := newTestStore()
	l, res, _ := s.Claim(context.Background(), "r", StatusSuccessful, 30*time.Second)
	require.Equal(t, ClaimAct, res)
	assert.Equal(t, testNow.Add(30*time.Second), l.Until)
	clk.add(29 * time.Second)
	_, res, _ = s.Claim(context.Background(), "r", StatusSuccessful, 30*time.Second)
	assert.Equal(t, ClaimBusy, res)
	clk.add(2 * time.Second) // the first worker crashed; IIMMPACT retries
	_, res, _ = s.Claim(context.Background(), "r", StatusSuccessful, 30*time.Second)
	assert.Equal(t, ClaimAct, res)
}

func TestMemoryStoreSweepsIdleRefIDs(t *testing.T) {
	t.Parallel()
	s, clk := newTestStore(WithCallbackRetention(time.Hour))
	d := newDriver(t, s)
	for _, id := range []string{"a", "b", "c"} {
		d.act(id, StatusSuccessful)
	}
	clk.add(30 * time.Minute)
	require.Equal(t, ClaimDuplicate, d.claim("c", StatusSuccessful)) // touches c
	clk.add(31 * time.Minute)
	require.Equal(t, ClaimAct, d.claim("d", StatusProcessing))
	assert.Equal(t, 2, s.Len(), "a and b swept; c and d kept")
	assert.Equal(t, ClaimDuplicate, d.claim("c", StatusSuccessful))
}

func TestMemoryStoreRetentionOptionKeepsTheDefaultForNonPositive(t *testing.T) {
	t.Parallel()
	assert.Equal(t, DefaultCallbackRetention, NewMemoryCallbackStore(WithCallbackRetention(0)).retention)
	assert.Equal(t, DefaultCallbackRetention, NewMemoryCallbackStore(WithCallbackRetention(-time.Second), nil).retention)
	assert.Equal(t, time.Minute, NewMemoryCallbackStore(WithCallbackRetention(time.Minute)).retention)
}

func TestMemoryStoreConcurrentClaims(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := NewMemoryCallbackStore()
	var acted atomic.Int32
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			_, res, err := s.Claim(ctx, "r", StatusSuccessful, time.Minute)
			if err == nil && res == ClaimAct {
				acted.Add(1)
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int32(1), acted.Load())
}

func TestClaimResultString(t *testing.T) {
	t.Parallel()
	for c, want := range map[ClaimResult]string{ClaimAct: "act", ClaimDuplicate: "duplicate", ClaimStale: "stale", ClaimBusy: "busy", 0: "invalid"} {
		assert.Equal(t, want, c.String())
	}
}
