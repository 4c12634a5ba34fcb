package postgres

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A replica whose Handle fails answers 500 and releases its claim, so
// IIMMPACT's retry, landing on another replica, acts.
func TestHandleFailureIsRetriedOnAnotherReplica(t *testing.T) {
	ps := newPayments(rand.New(rand.NewPCG(2, 3)), 100)
	table := newStore(t, newPool(t, 1)).table
	broken := newRecorder()
	broken.fail = func(*iimmpact.Callback) error { return errors.New("ledger unavailable") }
	healthy := newRecorder()
	a := newReplica(t, table, ps, broken.handle, iimmpact.DefaultCallbackLease)
	b := newReplica(t, table, ps, healthy.handle, iimmpact.DefaultCallbackLease)

	var ds []delivery
	for id, p := range ps {
		for _, st := range p.statuses {
			ds = append(ds, delivery{id, st})
		}
	}
	for _, d := range ds {
		assert.Equal(t, http.StatusInternalServerError, a.serve(callbackRequest(ps[d.refID], d.status)), "Handle failed")
	}
	assert.Empty(t, broken.seen, "the failing Handle recorded nothing")
	for _, d := range ds { // the retries, on the healthy replica
		assert.Equal(t, http.StatusOK, b.serve(callbackRequest(ps[d.refID], d.status)))
	}
	for _, d := range ds { // and late duplicates, anywhere
		assert.Equal(t, http.StatusOK, a.serve(callbackRequest(ps[d.refID], d.status)))
	}
	calls := healthy.check(t, ps)
	assert.Equal(t, len(ds), calls, "every status handled once: in order, nothing was stale")
}

// A replica that crashed while holding a claim never completes or releases
// it; another replica answers 503 (IIMMPACT retries) until the lease ends by
// the database's clock, then acts.
func TestCrashedClaimLapses(t *testing.T) {
	ctx := context.Background()
	ps := newPayments(rand.New(rand.NewPCG(4, 5)), 20)
	table := newStore(t, newPool(t, 1)).table
	const lease = 500 * time.Millisecond
	crashed := newReplica(t, table, ps, newRecorder().handle, lease)
	rec := newRecorder()
	alive := newReplica(t, table, ps, rec.handle, lease)

	final := func(p payment) iimmpact.StatusCode { return p.statuses[len(p.statuses)-1] }
	for id, p := range ps { // the crashed replica claimed every final status, then died
		_, res, err := crashed.store.Claim(ctx, id, final(p), lease)
		require.NoError(t, err)
		require.Equal(t, iimmpact.ClaimAct, res)
	}
	claimedAt := time.Now()
	for _, p := range ps {
		assert.Equal(t, http.StatusServiceUnavailable, alive.serve(callbackRequest(p, final(p))), "busy: the lease holds")
	}
	require.Less(t, time.Since(claimedAt), lease, "too slow to see the lease hold; the test proves nothing")
	assert.Empty(t, rec.seen)

	time.Sleep(time.Until(claimedAt.Add(lease + 100*time.Millisecond)))
	for id, p := range ps {
		assert.Equal(t, http.StatusOK, alive.serve(callbackRequest(p, final(p))), "the lease lapsed")
		assert.Equal(t, []iimmpact.StatusCode{final(p)}, rec.seen[id])
	}
}
