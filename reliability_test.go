package iimmpact_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReliabilityUnderFaults is the money-safety proof: 200 concurrent
// WaitTopup calls against a fake that fails 30% of topup exchanges (5xx,
// 429, resets, timeouts, and answers lost after the payment was applied),
// with payments settling only after several polls. Every call ends in its
// true final state, the wallet is debited exactly once per successful refid,
// and the balance is the opening balance less the successful costs.
func TestReliabilityUnderFaults(t *testing.T) {
	const opening = "1000000"
	srv := iimmpacttest.NewServer(iimmpacttest.WithBalance(opening), iimmpacttest.WithSettleAfter(3), iimmpacttest.WithSeed(7))
	defer srv.Close()
	srv.InjectFaults("/v2/topup", 0.3,
		iimmpacttest.StatusFault(500), iimmpacttest.StatusFault(503), iimmpacttest.StatusFault(502),
		iimmpacttest.RateLimitFault(time.Second), iimmpacttest.ResetFault(), iimmpacttest.DelayFault(2*time.Second),
		iimmpacttest.StatusFault(500).AfterProcessing(), iimmpacttest.ResetFault().AfterProcessing(),
		iimmpacttest.DelayFault(2*time.Second).AfterProcessing(), iimmpacttest.TruncateFault().AfterProcessing())

	client := srv.Client(
		iimmpact.WithHTTPClient(&http.Client{Timeout: 250 * time.Millisecond}), // a slow answer is a timeout
		iimmpact.WithRetryPolicy(iimmpact.RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 10 * time.Millisecond,
			MaxRetryAfter: 2 * time.Second, Budget: 1 << 20}))

	type result struct {
		req iimmpact.TopupRequest
		tx  *iimmpact.Transaction
	}
	results := make([]result, 200)
	var wg sync.WaitGroup
	for i := range results {
		account := "0123456789"
		if i%10 == 0 {
			account = "60123450048" // settles as 48, rejected by provider
		}
		results[i].req = iimmpact.TopupRequest{RefID: iimmpact.NewRefID(), Product: "D", Account: account, Amount: iimmpact.MustParseAmount("30")}
		wg.Add(1)
		go func(r *result) {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			// A merchant whose wait ends unknown, or who was refused with a
			// 429 before anything was created, asks again with the same request.
			for ctx.Err() == nil {
				tx, err := client.WaitTopup(ctx, r.req, iimmpact.WithPollInterval(time.Millisecond, 5*time.Millisecond), iimmpact.WithWaitTimeout(20*time.Second))
				if err == nil {
					r.tx = tx
					return
				}
				if !errors.Is(err, iimmpact.ErrOutcomeUnknown) && !errors.Is(err, iimmpact.ErrRateLimited) {
					t.Errorf("refid %s: %v", r.req.RefID, err)
					return
				}
			}
		}(&results[i])
	}
	wg.Wait()

	truth := make(map[string]iimmpacttest.Transaction)
	for _, tx := range srv.Transactions() {
		truth[tx.RefID] = tx
	}
	require.Len(t, truth, len(results), "one transaction per refid, no more")
	spent := iimmpact.Amount{}
	for _, r := range results {
		require.NotNil(t, r.tx, "refid %s never reached a final state", r.req.RefID)
		real := truth[r.req.RefID]
		assert.Equal(t, real.StatusCode, int(r.tx.StatusCode), "refid %s", r.req.RefID)
		assert.True(t, r.tx.StatusCode.IsFinal())
		if r.tx.StatusCode.IsSuccess() {
			assert.Equal(t, 1, srv.Debits(r.req.RefID), "refid %s debited once", r.req.RefID)
			assert.Equal(t, real.Cost, r.tx.Cost.String())
			spent = spent.Add(r.tx.Cost)
		} else {
			assert.Equal(t, iimmpact.StatusRejectedByProvider, r.tx.StatusCode)
			assert.Equal(t, 0, srv.Debits(r.req.RefID))
		}
	}
	assert.Equal(t, iimmpact.MustParseAmount(opening).Sub(spent).String(), srv.Balance())
	t.Logf("%d topup requests for %d payments", srv.Requests("/v2/topup"), len(results))
}
