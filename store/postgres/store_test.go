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

// driver claims on a store with a one-minute lease, failing the test on
// an error, and keeps the lease each refid was last granted.
type driver struct {
	t    *testing.T
	s    iimmpact.CallbackStore
	held map[string]iimmpact.Lease
}

func newDriver(t *testing.T, s iimmpact.CallbackStore) *driver {
	return &driver{t: t, s: s, held: map[string]iimmpact.Lease{}}
}

func (d *driver) claim(refID string, status iimmpact.StatusCode) iimmpact.ClaimResult {
	d.t.Helper()
	l, res, err := d.s.Claim(context.Background(), refID, status, time.Minute)
	require.NoError(d.t, err)
	if res == iimmpact.ClaimAct {
		require.Equal(d.t, iimmpact.Lease{RefID: refID, Status: status, Token: l.Token, Until: l.Until}, l)
		require.NotEmpty(d.t, l.Token)
		require.WithinDuration(d.t, time.Now().Add(time.Minute), l.Until, 5*time.Second, "Until by the database's clock")
		d.held[refID] = l
	} else {
		require.Zero(d.t, l, "a lease with %v", res)
	}
	return res
}

func (d *driver) complete(refID string) {
	d.t.Helper()
	require.NoError(d.t, d.s.Complete(context.Background(), d.held[refID]))
}

func (d *driver) release(refID string) {
	d.t.Helper()
	require.NoError(d.t, d.s.Release(context.Background(), d.held[refID]))
}

func (d *driver) act(refID string, status iimmpact.StatusCode) {
	d.t.Helper()
	require.Equal(d.t, iimmpact.ClaimAct, d.claim(refID, status))
	d.complete(refID)
}

// The memory store's protocol test, step for step, on PostgreSQL.
func TestProtocol(t *testing.T) {
	s := newStore(t, newPool(t, 4))
	d := newDriver(t, s)
	r1 := func(status iimmpact.StatusCode) iimmpact.ClaimResult { t.Helper(); return d.claim("r1", status) }

	assert.Equal(t, iimmpact.ClaimAct, r1(iimmpact.StatusAccepted))
	assert.Equal(t, iimmpact.ClaimBusy, r1(iimmpact.StatusProcessing), "one worker per refid")
	d.complete("r1")
	assert.Equal(t, iimmpact.ClaimDuplicate, r1(iimmpact.StatusAccepted))

	assert.Equal(t, iimmpact.ClaimAct, r1(iimmpact.StatusProcessing), "newer pending acts")
	d.complete("r1")
	assert.Equal(t, iimmpact.ClaimDuplicate, r1(iimmpact.StatusAccepted), "done before, so a duplicate")

	assert.Equal(t, iimmpact.ClaimAct, r1(iimmpact.StatusSuccessful))
	assert.Equal(t, iimmpact.ClaimBusy, r1(iimmpact.StatusSuccessful), "concurrent duplicate")
	d.release("r1")
	assert.Equal(t, iimmpact.ClaimAct, r1(iimmpact.StatusSuccessful), "released: the next delivery acts")
	d.complete("r1")
	assert.Equal(t, iimmpact.ClaimDuplicate, r1(iimmpact.StatusSuccessful))
	assert.Equal(t, iimmpact.ClaimDuplicate, r1(iimmpact.StatusProcessing))

	assert.Equal(t, iimmpact.ClaimAct, r1(iimmpact.StatusRefund), "a refund after success is a new status")
	d.complete("r1")
	assert.Equal(t, iimmpact.ClaimDuplicate, r1(iimmpact.StatusSuccessful))

	assert.Equal(t, iimmpact.ClaimAct, d.claim("r2", iimmpact.StatusProcessing), "refids are independent")

	_, _, err := s.Claim(context.Background(), "r3", iimmpact.StatusProcessing, 0)
	assert.Error(t, err)
}

func TestNeverMovesBack(t *testing.T) {
	d := newDriver(t, newStore(t, newPool(t, 4)))
	d.act("final-first", iimmpact.StatusSuccessful)
	assert.Equal(t, iimmpact.ClaimStale, d.claim("final-first", iimmpact.StatusProcessing), "pending after final")
	assert.Equal(t, iimmpact.ClaimStale, d.claim("final-first", iimmpact.StatusAccepted))

	d.act("failed", iimmpact.StatusRejectedByProvider)
	assert.Equal(t, iimmpact.ClaimStale, d.claim("failed", iimmpact.StatusProcessing))

	d.act("undocumented", iimmpact.StatusCode(99))
	assert.Equal(t, iimmpact.ClaimStale, d.claim("undocumented", iimmpact.StatusProcessing), "an undocumented code counts as non-pending")

	d.act("processing-first", iimmpact.StatusProcessing)
	assert.Equal(t, iimmpact.ClaimStale, d.claim("processing-first", iimmpact.StatusAccepted), "older pending")
	assert.Equal(t, iimmpact.ClaimAct, d.claim("processing-first", iimmpact.StatusSuccessful), "final after pending")

	d.act("late", iimmpact.StatusRefund)
	assert.Equal(t, iimmpact.ClaimStale, d.claim("late", iimmpact.StatusSuccessful), "nothing after a refund")
}

// Only the lease that holds a refid may renew, complete or release it; the
// checks are in SQL, so they hold across replicas.
func TestOnlyTheHolderEndsALease(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, newPool(t, 4))
	d := newDriver(t, s)
	require.Equal(t, iimmpact.ClaimAct, d.claim("r", iimmpact.StatusSuccessful))
	mine := d.held["r"]
	other, forged := mine, mine
	other.Status = iimmpact.StatusProcessing
	forged.Token = "guess"
	for name, l := range map[string]iimmpact.Lease{"another status": other, "another token": forged, "zero": {}} {
		assert.ErrorIs(t, s.Release(ctx, l), iimmpact.ErrLeaseLost, name)
		assert.ErrorIs(t, s.Complete(ctx, l), iimmpact.ErrLeaseLost, name)
		_, err := s.Renew(ctx, l, time.Minute)
		assert.ErrorIs(t, err, iimmpact.ErrLeaseLost, name)
	}
	assert.Equal(t, iimmpact.ClaimBusy, d.claim("r", iimmpact.StatusSuccessful), "nothing above freed it")
	renewed, err := s.Renew(ctx, mine, 2*time.Minute)
	require.NoError(t, err)
	assert.Equal(t, mine.Token, renewed.Token)
	assert.True(t, renewed.Until.After(mine.Until))
	require.NoError(t, s.Release(ctx, mine))
	assert.ErrorIs(t, s.Release(ctx, mine), iimmpact.ErrLeaseLost, "released twice")
	assert.ErrorIs(t, s.Complete(ctx, mine), iimmpact.ErrLeaseLost, "completed after its release")
	assert.ErrorIs(t, s.Release(ctx, iimmpact.Lease{RefID: "missing", Status: 20, Token: "x"}), iimmpact.ErrLeaseLost)
	assert.Equal(t, iimmpact.ClaimAct, d.claim("r", iimmpact.StatusSuccessful))
}

// Issue 11, defect 1, at the store: A's lease lapses by the database's
// clock, B claims the same (refid, status), and A's late Release, Renew
// and Complete change nothing, so C waits for B.
func TestLapsedLeaseCannotFreeItsSuccessor(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, newPool(t, 4))
	const lease = 200 * time.Millisecond
	a, res, err := s.Claim(ctx, "r", iimmpact.StatusSuccessful, lease)
	require.NoError(t, err)
	require.Equal(t, iimmpact.ClaimAct, res)
	time.Sleep(lease + 50*time.Millisecond)
	b, res, err := s.Claim(ctx, "r", iimmpact.StatusSuccessful, time.Minute)
	require.NoError(t, err)
	require.Equal(t, iimmpact.ClaimAct, res, "B takes over")
	assert.NotEqual(t, a.Token, b.Token)

	assert.ErrorIs(t, s.Release(ctx, a), iimmpact.ErrLeaseLost)
	_, err = s.Renew(ctx, a, time.Minute)
	assert.ErrorIs(t, err, iimmpact.ErrLeaseLost)
	assert.ErrorIs(t, s.Complete(ctx, a), iimmpact.ErrLeaseLost, "superseded: nothing recorded")
	_, res, err = s.Claim(ctx, "r", iimmpact.StatusSuccessful, time.Minute)
	require.NoError(t, err)
	assert.Equal(t, iimmpact.ClaimBusy, res, "C must wait for B")

	require.NoError(t, s.Complete(ctx, b))
	require.NoError(t, s.Complete(ctx, b), "a retried Complete succeeds")
	_, res, err = s.Claim(ctx, "r", iimmpact.StatusSuccessful, time.Minute)
	require.NoError(t, err)
	assert.Equal(t, iimmpact.ClaimDuplicate, res)
	_, err = s.Renew(ctx, b, time.Minute)
	assert.ErrorIs(t, err, iimmpact.ErrLeaseLost, "no renewal after the end")

	// A lapsed lease nobody superseded still records: Handle did run.
	c, _, err := s.Claim(ctx, "q", iimmpact.StatusSuccessful, lease)
	require.NoError(t, err)
	time.Sleep(lease + 50*time.Millisecond)
	_, err = s.Renew(ctx, c, time.Minute)
	assert.ErrorIs(t, err, iimmpact.ErrLeaseLost, "a lapsed lease is not renewed")
	require.NoError(t, s.Complete(ctx, c))
	_, res, err = s.Claim(ctx, "q", iimmpact.StatusSuccessful, time.Minute)
	require.NoError(t, err)
	assert.Equal(t, iimmpact.ClaimDuplicate, res)
}

// The lease lapses by the database's clock: a claimer that crashed holds
// the refid only until then; a renewed one holds it on.
func TestLeaseExpires(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, newPool(t, 4))
	const lease = 500 * time.Millisecond
	l, res, err := s.Claim(ctx, "r", iimmpact.StatusSuccessful, lease)
	require.NoError(t, err)
	require.Equal(t, iimmpact.ClaimAct, res)
	_, res, err = s.Claim(ctx, "r", iimmpact.StatusSuccessful, lease)
	require.NoError(t, err)
	assert.Equal(t, iimmpact.ClaimBusy, res)
	for range 3 { // renewed past its first lapse
		time.Sleep(lease / 2)
		l, err = s.Renew(ctx, l, lease)
		require.NoError(t, err)
	}
	_, res, err = s.Claim(ctx, "r", iimmpact.StatusSuccessful, lease)
	require.NoError(t, err)
	assert.Equal(t, iimmpact.ClaimBusy, res, "renewal carried it")
	time.Sleep(lease + 100*time.Millisecond) // the worker crashed; IIMMPACT retries
	_, res, err = s.Claim(ctx, "r", iimmpact.StatusSuccessful, lease)
	require.NoError(t, err)
	assert.Equal(t, iimmpact.ClaimAct, res)
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
				_, res, err := stores[i%len(stores)].Claim(ctx, refID, iimmpact.StatusSuccessful, time.Minute)
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
	run := func(token string) (acted bool) {
		t.Helper()
		var dup, refunded, final bool
		var pending *int64
		var until *time.Time
		require.NoError(t, s.pool.QueryRow(ctx, s.sql.claim, "r", int64(20), token, int64(time.Minute/time.Microsecond), false).
			Scan(&acted, &dup, &refunded, &final, &pending, &until))
		return acted
	}
	assert.True(t, run("t7"))
	assert.True(t, run("t7"), "the same claim again")
	assert.False(t, run("t8"), "another claimer")
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
