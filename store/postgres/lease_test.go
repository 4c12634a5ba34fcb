package postgres

import (
	"context"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/stretchr/testify/assert"
)

// Issue 11, defect 1, across three replicas on one PostgreSQL store. A's
// Handle is slower than the lease and honours its context; B, a duplicate
// delivery, arrives after A's lease would have lapsed; C after A's Handle
// would have given up. With leases nobody owned, A's late Release freed
// B's lease and C ran Handle beside B. Now A's lease is renewed while it
// works, B and C are told to retry, and Handle acts once.
func TestReplicasLeaseNotStolen(t *testing.T) {
	const lease = 600 * time.Millisecond
	ps := newPayments(rand.New(rand.NewPCG(6, 7)), 1)
	var p payment
	for _, p = range ps {
	}
	table := newStore(t, newPool(t, 1)).table
	var active, overlaps, actions atomic.Int32
	handle := func(ctx context.Context, _ *iimmpact.Callback) error {
		if active.Add(1) > 1 {
			overlaps.Add(1)
		}
		defer active.Add(-1)
		select {
		case <-time.After(3 * lease):
			actions.Add(1)
			return nil
		case <-ctx.Done():
			time.Sleep(80 * time.Millisecond) // stop, undo, report
			return ctx.Err()
		}
	}
	var replicas []replica
	for range 3 {
		replicas = append(replicas, newReplica(t, table, ps, handle, lease))
	}

	start := time.Now()
	deadline := start.Add(5 * time.Second)
	codes := make([]int, 3)
	var wg sync.WaitGroup
	for i, at := range []time.Duration{0, lease + 30*time.Millisecond, lease + 150*time.Millisecond} {
		wg.Go(func() {
			time.Sleep(time.Until(start.Add(at)))
			for {
				codes[i] = replicas[i].serve(callbackRequest(p, iimmpact.StatusSuccessful))
				if codes[i] < 500 || time.Now().After(deadline) {
					return
				}
				time.Sleep(100 * time.Millisecond) // IIMMPACT's retry, sooner
			}
		})
	}
	wg.Wait()
	assert.Equal(t, []int{http.StatusOK, http.StatusOK, http.StatusOK}, codes, "every delivery acknowledged in the end")
	assert.Zero(t, overlaps.Load(), "Handle ran twice at once for one (refid, status)")
	assert.Equal(t, int32(1), actions.Load(), "Handle acted once, carried by its renewed lease")
}
