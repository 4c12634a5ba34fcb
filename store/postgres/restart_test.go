package postgres

import (
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The database stops for two seconds while four replicas take callbacks:
// the replicas answer 5xx meanwhile (so IIMMPACT retries), nothing is acted
// on twice, and the same handlers and pools work again once it is back.
func TestDatabaseRestart(t *testing.T) {
	ctl, data := os.Getenv("IIMMPACT_PG_CTL"), os.Getenv("IIMMPACT_PG_DATA")
	if ctl == "" || data == "" {
		t.Fatal("IIMMPACT_PG_CTL and IIMMPACT_PG_DATA are not set: " + runHint)
	}
	pgCtl := func(args ...string) { // from a goroutine: assert, not require
		out, err := exec.Command(ctl, append([]string{"-D", data}, args...)...).CombinedOutput()
		assert.NoError(t, err, "pg_ctl %v: %s", args, out)
	}
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 2))
	ps := newPayments(rng, 300)
	ds := newDeliveries(t, rng, ps, 1200)
	table := newStore(t, newPool(t, 1)).table
	rec := newRecorder()
	// The lease outlasts the outage and Complete's retries, so a claim held
	// across the restart cannot lapse before its Complete lands. A few
	// Handles take longer than the lease: renewal, failing while the
	// database is down and succeeding once it is back, carries them.
	const lease = 8 * time.Second
	rec.slowEvery, rec.slowFor = 60, lease*5/4
	var replicas []replica
	for range 4 {
		replicas = append(replicas, newReplica(t, table, ps, rec.handle, lease))
	}

	var (
		once         sync.Once
		restarting   sync.WaitGroup
		back         atomic.Bool
		ackedAfter   atomic.Int64
		stopAt, upAt time.Time
	)
	onAck := func(done int) {
		if back.Load() {
			ackedAfter.Add(1)
		}
		if done < len(ds)/4 {
			return
		}
		once.Do(func() {
			restarting.Go(func() {
				stopAt = time.Now()
				pgCtl("-m", "fast", "-w", "stop")
				time.Sleep(2 * time.Second)
				pgCtl("-l", filepath.Join(data, "server.log"), "-w", "start")
				upAt = time.Now()
				back.Store(true)
			})
		})
	}
	answers := deliverAll(t, replicas, ps, ds, 16, 50*time.Millisecond, time.Minute, onAck)
	restarting.Wait()
	require.True(t, back.Load(), "the server was never restarted")

	t.Logf("stopped %v, down %v; answers %v; %d acknowledged after the restart",
		stopAt.Format("15:04:05.000"), upAt.Sub(stopAt).Round(time.Millisecond), answers, ackedAfter.Load())
	assert.Positive(t, answers[http.StatusServiceUnavailable], "no 5xx while the database was down")
	assert.Positive(t, ackedAfter.Load(), "nothing acknowledged after the restart: the run ended too soon to tell")
	rec.check(t, ps)
	assert.Positive(t, rec.slowDone.Load(), "no Handle slower than the lease acted")
	across := 0
	for _, span := range rec.slowSpans {
		if span[0].Before(stopAt) && span[1].After(upAt) {
			across++
		}
	}
	assert.Positive(t, across, "no slow Handle ran across the outage: renewal was never tested through it")
	leasesLost := 0
	for _, r := range replicas {
		leasesLost += strings.Count(r.logs.String(), "lease lost")
	}
	t.Logf("%d slow Handles acted, %d of them across the outage; %d leases lost", rec.slowDone.Load(), across, leasesLost)
	for i, r := range replicas {
		lost := strings.Count(r.logs.String(), "did not record") + strings.Count(r.logs.String(), "lease was lost")
		assert.Zero(t, lost, "replica %d: Handle acted %d times without the store recording it", i, lost)
	}
}
