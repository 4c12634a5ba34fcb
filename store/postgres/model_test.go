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

// TestMatchesMemoryStore runs one random sequence of claims, completions
// and releases against this store and the SDK's memory store side by side:
// every Claim must get the same answer from both. Leases are long, so the
// clocks (the database's here, the process's there) never matter.
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
	holder := map[string]iimmpact.StatusCode{} // status of each refid's last granted claim
	counts := map[iimmpact.ClaimResult]int{}
	for step := range 4000 {
		id := refIDs[rng.IntN(len(refIDs))]
		status := statuses[rng.IntN(len(statuses))]
		if h, ok := holder[id]; ok && rng.IntN(3) > 0 {
			status = h // finish the claim in hand, mostly
		}
		switch op := rng.IntN(10); {
		case op < 5:
			want, err := mem.Claim(ctx, id, status, time.Hour)
			require.NoError(t, err)
			got, err := pg.Claim(ctx, id, status, time.Hour)
			require.NoError(t, err)
			require.Equal(t, want, got, "step %d: claim %s %d", step, id, status)
			counts[got]++
			if got == iimmpact.ClaimAct {
				holder[id] = status
			}
		case op < 8:
			require.NoError(t, mem.Complete(ctx, id, status))
			require.NoError(t, pg.Complete(ctx, id, status))
		default:
			require.NoError(t, mem.Release(ctx, id, status))
			require.NoError(t, pg.Release(ctx, id, status))
		}
	}
	t.Logf("claim answers: %v", counts)
	for _, res := range []iimmpact.ClaimResult{iimmpact.ClaimAct, iimmpact.ClaimDuplicate, iimmpact.ClaimStale, iimmpact.ClaimBusy} {
		require.Positive(t, counts[res], "the sequence never produced %s", res)
	}
}
