package postgres

import (
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/stretchr/testify/assert"
)

// Four replicas, each with its own pool, share one table and receive 2,000
// callbacks for 500 payments, every status delivered 1 to 4 times, in
// random order, concurrently: Handle acts once per (refid, non-pending
// status) and never moves a refid backwards. One Handle call in 40 takes
// 2.5 leases: renewal carries it, and its duplicates wait.
func TestReplicasActOnce(t *testing.T) {
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 1))
	ps := newPayments(rng, 500)
	ds := newDeliveries(t, rng, ps, 2000)
	table := newStore(t, newPool(t, 1)).table
	rec := newRecorder()
	const lease = 500 * time.Millisecond
	rec.slowEvery, rec.slowFor = 40, lease*5/2
	var replicas []replica
	for range 4 {
		replicas = append(replicas, newReplica(t, table, ps, rec.handle, lease))
	}

	answers := deliverAll(t, replicas, ps, ds, 32, 10*time.Millisecond, time.Minute, nil)

	calls := rec.check(t, ps)
	// Not an error under the memory store's rules, which order only pending
	// statuses: a Succesful delivered after its Refund still acts.
	refundFirst := 0
	for _, seen := range rec.seen {
		if i, j := slices.Index(seen, iimmpact.StatusRefund), slices.Index(seen, iimmpact.StatusSuccessful); i >= 0 && i < j {
			refundFirst++
		}
	}
	t.Logf("Handle saw a Refund before its Succesful for %d refids", refundFirst)
	t.Logf("%d deliveries, answers %v, Handle ran %d times", len(ds), answers, calls)
	assert.Equal(t, len(ds), answers[http.StatusOK], "each delivery acknowledged once in the end")
	assert.Positive(t, answers[http.StatusServiceUnavailable], "no delivery ever met a busy refid: the test lost its concurrency")
	assert.Positive(t, rec.slowDone.Load(), "no Handle slower than the lease acted")
	lost := 0
	for _, r := range replicas { // only a paused process loses one; its Handle is then cancelled
		lost += strings.Count(r.logs.String(), "lease lost")
	}
	t.Logf("%d slow Handles acted; %d leases lost", rec.slowDone.Load(), lost)
}
