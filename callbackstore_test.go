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

func newTestStore() (*MemoryCallbackStore, *fakeClock) {
	clk := &fakeClock{t: testNow}
	s := NewMemoryCallbackStore()
	s.now = clk.now
	return s, clk
}

func TestMemoryStoreProtocol(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore()
	claim := func(status StatusCode) ClaimResult {
		t.Helper()
		res, err := s.Claim(ctx, "r1", status, time.Minute)
		require.NoError(t, err)
		return res
	}

	assert.Equal(t, ClaimAct, claim(StatusAccepted))
	assert.Equal(t, ClaimBusy, claim(StatusProcessing), "one worker per refid")
	require.NoError(t, s.Complete(ctx, "r1", StatusAccepted))
	assert.Equal(t, ClaimDuplicate, claim(StatusAccepted))

	assert.Equal(t, ClaimAct, claim(StatusProcessing), "newer pending acts")
	require.NoError(t, s.Complete(ctx, "r1", StatusProcessing))
	assert.Equal(t, ClaimDuplicate, claim(StatusAccepted), "done before, so a duplicate")

	assert.Equal(t, ClaimAct, claim(StatusSuccessful))
	assert.Equal(t, ClaimBusy, claim(StatusSuccessful), "concurrent duplicate")
	require.NoError(t, s.Release(ctx, "r1", StatusSuccessful))
	assert.Equal(t, ClaimAct, claim(StatusSuccessful), "released: the next delivery acts")
	require.NoError(t, s.Complete(ctx, "r1", StatusSuccessful))
	assert.Equal(t, ClaimDuplicate, claim(StatusSuccessful))
	assert.Equal(t, ClaimDuplicate, claim(StatusProcessing))

	assert.Equal(t, ClaimAct, claim(StatusRefund), "a refund after success is a new status")
	require.NoError(t, s.Complete(ctx, "r1", StatusRefund))
	assert.Equal(t, ClaimDuplicate, claim(StatusSuccessful))

	// A success delivered late, after its refund was handled, never acts.
	late := func(status StatusCode) ClaimResult {
		res, err := s.Claim(ctx, "late", status, time.Minute)
		require.NoError(t, err)
		return res
	}
	assert.Equal(t, ClaimAct, late(StatusRefund))
	require.NoError(t, s.Complete(ctx, "late", StatusRefund))
	assert.Equal(t, ClaimStale, late(StatusSuccessful))
	assert.Equal(t, ClaimStale, late(StatusRejectedByProvider))
	assert.Equal(t, ClaimStale, late(StatusProcessing))
	assert.Equal(t, ClaimDuplicate, late(StatusRefund))

	res, err := s.Claim(ctx, "r2", StatusProcessing, time.Minute)
	require.NoError(t, err)
	assert.Equal(t, ClaimAct, res, "refids are independent")

	_, err = s.Claim(ctx, "r3", StatusProcessing, 0)
	assert.Error(t, err)
}

func TestMemoryStoreNeverMovesBack(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore()
	act := func(id string, status StatusCode) {
		t.Helper()
		res, err := s.Claim(ctx, id, status, time.Minute)
		require.NoError(t, err)
		require.Equal(t, ClaimAct, res)
		require.NoError(t, s.Complete(ctx, id, status))
	}
	claim := func(id string, status StatusCode) ClaimResult {
		res, err := s.Claim(ctx, id, status, time.Minute)
		require.NoError(t, err)
		return res
	}
	act("final-first", StatusSuccessful)
	assert.Equal(t, ClaimStale, claim("final-first", StatusProcessing), "pending after final")
	assert.Equal(t, ClaimStale, claim("final-first", StatusAccepted))

	act("failed", StatusRejectedByProvider)
	assert.Equal(t, ClaimStale, claim("failed", StatusProcessing))

	act("undocumented", StatusCode(99))
	assert.Equal(t, ClaimStale, claim("undocumented", StatusProcessing), "an undocumented code counts as non-pending")

	act("processing-first", StatusProcessing)
	assert.Equal(t, ClaimStale, claim("processing-first", StatusAccepted), "older pending")
}

func TestMemoryStoreReleaseOnlyFreesItsOwnStatus(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore()
	res, _ := s.Claim(ctx, "r", StatusSuccessful, time.Minute)
	require.Equal(t, ClaimAct, res)
	require.NoError(t, s.Release(ctx, "r", StatusProcessing))
	res, _ = s.Claim(ctx, "r", StatusSuccessful, time.Minute)
	assert.Equal(t, ClaimBusy, res)
	require.NoError(t, s.Release(ctx, "r", StatusSuccessful))
	assert.Equal(t, 0, s.Len(), "a released refid with nothing done is forgotten")
}

func TestMemoryStoreLeaseExpires(t *testing.T) {
	ctx := context.Background()
	s, clk := newTestStore()
	res, _ := s.Claim(ctx, "r", StatusSuccessful, 30*time.Second)
	require.Equal(t, ClaimAct, res)
	clk.add(29 * time.Second)
	res, _ = s.Claim(ctx, "r", StatusSuccessful, 30*time.Second)
	assert.Equal(t, ClaimBusy, res)
	clk.add(2 * time.Second) // the first worker crashed; IIMMPACT retries
	res, _ = s.Claim(ctx, "r", StatusSuccessful, 30*time.Second)
	assert.Equal(t, ClaimAct, res)
}

func TestMemoryStoreSweepsIdleRefIDs(t *testing.T) {
	ctx := context.Background()
	s, clk := newTestStore()
	s.SetRetention(time.Hour)
	for _, id := range []string{"a", "b", "c"} {
		res, _ := s.Claim(ctx, id, StatusSuccessful, time.Minute)
		require.Equal(t, ClaimAct, res)
		require.NoError(t, s.Complete(ctx, id, StatusSuccessful))
	}
	clk.add(30 * time.Minute)
	res, _ := s.Claim(ctx, "c", StatusSuccessful, time.Minute) // touches c
	require.Equal(t, ClaimDuplicate, res)
	clk.add(31 * time.Minute)
	res, _ = s.Claim(ctx, "d", StatusProcessing, time.Minute)
	require.Equal(t, ClaimAct, res)
	assert.Equal(t, 2, s.Len(), "a and b swept; c and d kept")
	res, _ = s.Claim(ctx, "c", StatusSuccessful, time.Minute)
	assert.Equal(t, ClaimDuplicate, res)

	assert.Panics(t, func() { s.SetRetention(0) })
}

func TestMemoryStoreConcurrentClaims(t *testing.T) {
	ctx := context.Background()
	s := NewMemoryCallbackStore()
	var acted atomic.Int32
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			res, err := s.Claim(ctx, "r", StatusSuccessful, time.Minute)
			if err == nil && res == ClaimAct {
				acted.Add(1)
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int32(1), acted.Load())
}

func TestClaimResultString(t *testing.T) {
	for c, want := range map[ClaimResult]string{ClaimAct: "act", ClaimDuplicate: "duplicate", ClaimStale: "stale", ClaimBusy: "busy", 0: "invalid"} {
		assert.Equal(t, want, c.String())
	}
}
