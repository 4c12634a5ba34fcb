package postgres

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// claimer claims refids on s with a one-minute lease, failing the test on
// an error.
func claimer(t *testing.T, s *Store) func(refID string, status iimmpact.StatusCode) iimmpact.ClaimResult {
	return func(refID string, status iimmpact.StatusCode) iimmpact.ClaimResult {
		t.Helper()
		res, err := s.Claim(context.Background(), refID, status, time.Minute)
		require.NoError(t, err)
		return res
	}
}

// The memory store's protocol test, step for step, on PostgreSQL.
func TestProtocol(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, newPool(t, 4))
	claim := claimer(t, s)
	r1 := func(status iimmpact.StatusCode) iimmpact.ClaimResult { t.Helper(); return claim("r1", status) }

	assert.Equal(t, iimmpact.ClaimAct, r1(iimmpact.StatusAccepted))
	assert.Equal(t, iimmpact.ClaimBusy, r1(iimmpact.StatusProcessing), "one worker per refid")
	require.NoError(t, s.Complete(ctx, "r1", iimmpact.StatusAccepted))
	assert.Equal(t, iimmpact.ClaimDuplicate, r1(iimmpact.StatusAccepted))

	assert.Equal(t, iimmpact.ClaimAct, r1(iimmpact.StatusProcessing), "newer pending acts")
	require.NoError(t, s.Complete(ctx, "r1", iimmpact.StatusProcessing))
	assert.Equal(t, iimmpact.ClaimDuplicate, r1(iimmpact.StatusAccepted), "done before, so a duplicate")

	assert.Equal(t, iimmpact.ClaimAct, r1(iimmpact.StatusSuccessful))
	assert.Equal(t, iimmpact.ClaimBusy, r1(iimmpact.StatusSuccessful), "concurrent duplicate")
	require.NoError(t, s.Release(ctx, "r1", iimmpact.StatusSuccessful))
	assert.Equal(t, iimmpact.ClaimAct, r1(iimmpact.StatusSuccessful), "released: the next delivery acts")
	require.NoError(t, s.Complete(ctx, "r1", iimmpact.StatusSuccessful))
	assert.Equal(t, iimmpact.ClaimDuplicate, r1(iimmpact.StatusSuccessful))
	assert.Equal(t, iimmpact.ClaimDuplicate, r1(iimmpact.StatusProcessing))

	assert.Equal(t, iimmpact.ClaimAct, r1(iimmpact.StatusRefund), "a refund after success is a new status")
	require.NoError(t, s.Complete(ctx, "r1", iimmpact.StatusRefund))
	assert.Equal(t, iimmpact.ClaimDuplicate, r1(iimmpact.StatusSuccessful))

	assert.Equal(t, iimmpact.ClaimAct, claim("r2", iimmpact.StatusProcessing), "refids are independent")

	_, err := s.Claim(ctx, "r3", iimmpact.StatusProcessing, 0)
	assert.Error(t, err)
}

func TestNeverMovesBack(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, newPool(t, 4))
	claim := claimer(t, s)
	act := func(id string, status iimmpact.StatusCode) {
		t.Helper()
		require.Equal(t, iimmpact.ClaimAct, claim(id, status))
		require.NoError(t, s.Complete(ctx, id, status))
	}
	act("final-first", iimmpact.StatusSuccessful)
	assert.Equal(t, iimmpact.ClaimStale, claim("final-first", iimmpact.StatusProcessing), "pending after final")
	assert.Equal(t, iimmpact.ClaimStale, claim("final-first", iimmpact.StatusAccepted))

	act("failed", iimmpact.StatusRejectedByProvider)
	assert.Equal(t, iimmpact.ClaimStale, claim("failed", iimmpact.StatusProcessing))

	act("undocumented", iimmpact.StatusCode(99))
	assert.Equal(t, iimmpact.ClaimStale, claim("undocumented", iimmpact.StatusProcessing), "an undocumented code counts as non-pending")

	act("processing-first", iimmpact.StatusProcessing)
	assert.Equal(t, iimmpact.ClaimStale, claim("processing-first", iimmpact.StatusAccepted), "older pending")
	assert.Equal(t, iimmpact.ClaimAct, claim("processing-first", iimmpact.StatusSuccessful), "final after pending")
}

func TestReleaseOnlyFreesItsOwnStatus(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, newPool(t, 4))
	claim := claimer(t, s)
	require.Equal(t, iimmpact.ClaimAct, claim("r", iimmpact.StatusSuccessful))
	require.NoError(t, s.Release(ctx, "r", iimmpact.StatusProcessing))
	assert.Equal(t, iimmpact.ClaimBusy, claim("r", iimmpact.StatusSuccessful))
	require.NoError(t, s.Complete(ctx, "r", iimmpact.StatusProcessing))
	assert.Equal(t, iimmpact.ClaimBusy, claim("r", iimmpact.StatusSuccessful), "completing another status keeps the lease")
	require.NoError(t, s.Release(ctx, "r", iimmpact.StatusSuccessful))
	assert.Equal(t, iimmpact.ClaimAct, claim("r", iimmpact.StatusSuccessful))
	require.NoError(t, s.Release(ctx, "missing", iimmpact.StatusSuccessful), "releasing an unknown refid is a no-op")
}

// The lease lapses by the database's clock: a claimer that crashed holds
// the refid only until then.
func TestLeaseExpires(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, newPool(t, 4))
	const lease = 300 * time.Millisecond
	res, err := s.Claim(ctx, "r", iimmpact.StatusSuccessful, lease)
	require.NoError(t, err)
	require.Equal(t, iimmpact.ClaimAct, res)
	res, err = s.Claim(ctx, "r", iimmpact.StatusSuccessful, lease)
	require.NoError(t, err)
	assert.Equal(t, iimmpact.ClaimBusy, res)
	time.Sleep(lease + 100*time.Millisecond) // the first worker crashed; IIMMPACT retries
	res, err = s.Claim(ctx, "r", iimmpact.StatusSuccessful, lease)
	require.NoError(t, err)
	assert.Equal(t, iimmpact.ClaimAct, res)
}

// Complete records a status even when no claim was made or the row is
// gone (the memory store's behaviour after a sweep).
func TestCompleteWithoutClaim(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, newPool(t, 4))
	require.NoError(t, s.Complete(ctx, "r", iimmpact.StatusProcessing))
	require.NoError(t, s.Complete(ctx, "r", iimmpact.StatusProcessing), "twice is harmless")
	claim := claimer(t, s)
	assert.Equal(t, iimmpact.ClaimDuplicate, claim("r", iimmpact.StatusProcessing))
	assert.Equal(t, iimmpact.ClaimStale, claim("r", iimmpact.StatusAccepted))
	assert.Equal(t, iimmpact.ClaimAct, claim("r", iimmpact.StatusSuccessful))
}

// Many claims at once on one store and on several pools (replicas): the
// database grants exactly one.
func TestConcurrentClaims(t *testing.T) {
	ctx := context.Background()
	first := newStore(t, newPool(t, 8))
	stores := []*Store{first}
	for range 3 {
		s, err := New(newPool(t, 8), WithTable(first.table))
		require.NoError(t, err)
		stores = append(stores, s)
	}
	for round := range 20 {
		refID := "r" + string(rune('a'+round))
		var acted atomic.Int32
		var wg sync.WaitGroup
		for i := range 32 {
			wg.Go(func() {
				res, err := stores[i%len(stores)].Claim(ctx, refID, iimmpact.StatusSuccessful, time.Minute)
				if assert.NoError(t, err) && res == iimmpact.ClaimAct {
					acted.Add(1)
				}
			})
		}
		wg.Wait()
		assert.Equal(t, int32(1), acted.Load(), refID)
	}
}

// A retried Claim whose first attempt committed but whose answer was lost
// presents the same token, and so is granted: the lease is its own.
func TestClaimStatementIsIdempotentPerToken(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, newPool(t, 4))
	run := func(token int64) (acted bool) {
		t.Helper()
		var dup, refunded, final bool
		var pending *int64
		require.NoError(t, s.pool.QueryRow(ctx, s.sql.claim, "r", int64(20), token, int64(time.Minute/time.Microsecond), false).
			Scan(&acted, &dup, &refunded, &final, &pending))
		return acted
	}
	assert.True(t, run(7))
	assert.True(t, run(7), "the same claim again")
	assert.False(t, run(8), "another claimer")
}

func TestNew(t *testing.T) {
	pool := newPool(t, 1)
	_, err := New(nil)
	assert.Error(t, err)
	for _, name := range []string{"callbacks", "_x1", "app.iimmpact_callbacks", "a23456789012345678901234567890123456789012345678901234567890123"} {
		_, err := New(pool, WithTable(name))
		assert.NoError(t, err, name)
	}
	for _, name := range []string{"", "Callbacks", "1x", "a.b.c", "a.", ".a", "x; DROP TABLE y", `x"y`, "a-b", "é",
		"a234567890123456789012345678901234567890123456789012345678901234"} {
		_, err := New(pool, WithTable(name))
		assert.Error(t, err, name)
	}
}
