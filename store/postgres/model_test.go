package postgres

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/stretchr/testify/require"
)

// TestMatchesMemoryStore runs one random sequence of claims, renewals,
// completions and releases against this store and the SDK's memory store
// side by side: every Claim must get the same answer from both, and every
// Renew, Complete and Release must succeed on both or lose the lease on
// both. Each store's leases are its own (tokens differ); a step uses the
// refid's current lease, or now and then an older, superseded one. Leases
// are long, so the clocks (the database's here, the process's there)
// never matter.
func TestMatchesMemoryStore(t *testing.T) {
	ctx := context.Background()
	pg := newStore(t, newPool(t, 2))
	mem := iimmpact.NewMemoryCallbackStore()
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 0))

	statuses := []iimmpact.StatusCode{iimmpact.StatusAccepted, iimmpact.StatusProcessing,
		iimmpact.StatusSuccessful, iimmpact.StatusRejectedByProvider, iimmpact.StatusRefund, 99}
	refIDs := make([]string, 200)
	for i := range refIDs {
		refIDs[i] = fmt.Sprintf("r%03d", i)
	}
	type pair struct{ mem, pg iimmpact.Lease }
	leases := map[string][]pair{} // each refid's grants, newest last
	counts := map[string]int{}
	for step := range 4000 {
		id := refIDs[rng.IntN(len(refIDs))]
		grants := leases[id]
		if op := rng.IntN(10); op < 5 || len(grants) == 0 {
			status := statuses[rng.IntN(len(statuses))]
			ml, want, err := mem.Claim(ctx, id, status, time.Hour)
			require.NoError(t, err)
			pl, got, err := pg.Claim(ctx, id, status, time.Hour)
			require.NoError(t, err)
			require.Equal(t, want, got, "step %d: claim %s %d", step, id, status)
			counts[got.String()]++
			if got == iimmpact.ClaimAct {
				leases[id] = append(grants, pair{ml, pl})
			}
		} else {
			p := grants[len(grants)-1]
			if len(grants) > 1 && rng.IntN(4) == 0 {
				p = grants[rng.IntN(len(grants)-1)] // superseded
			}
			var name string
			var errMem, errPG error
			switch {
			case op < 7:
				name, errMem, errPG = "complete", mem.Complete(ctx, p.mem), pg.Complete(ctx, p.pg)
			case op < 9:
				name, errMem, errPG = "release", mem.Release(ctx, p.mem), pg.Release(ctx, p.pg)
			default:
				name = "renew"
				_, errMem = mem.Renew(ctx, p.mem, time.Hour)
				_, errPG = pg.Renew(ctx, p.pg, time.Hour)
			}
			for _, err := range []error{errMem, errPG} {
				if err != nil {
					require.ErrorIs(t, err, iimmpact.ErrLeaseLost, "step %d: %s", step, name)
				}
			}
			require.Equal(t, errMem == nil, errPG == nil, "step %d: %s %s %d: memory %v, postgres %v",
				step, name, id, p.mem.Status, errMem, errPG)
			if errPG != nil {
				name += " lost"
			}
			counts[name]++
		}
	}
	t.Logf("answers: %v", counts)
	for _, res := range []string{"act", "duplicate", "stale", "busy", "complete", "complete lost",
		"release", "release lost", "renew", "renew lost"} {
		require.Positive(t, counts[res], "the sequence never produced %s", res)
	}
}
