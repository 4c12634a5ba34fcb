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
// 429, resets, timeouts, answers lost after the payment was applied, and
// 400, 401 and 403 refusals that can follow them), with payments settling
// only after several polls. Every verdict is checked against the fake when
// it is given: "nothing created" (a bare error) only when the fake holds no
// transaction for the refid. In the end every call reaches its true final
// state, the wallet is debited exactly once per successful refid, and the
// balance is the opening balance less the successful costs.
func TestReliabilityUnderFaults(t *testing.T) {
	opening := iimmpact.AmountFromInt(1_000_000)
	srv := iimmpacttest.NewServer(iimmpacttest.WithBalance(opening), iimmpacttest.WithSettleAfter(3), iimmpacttest.WithSeed(7))
	defer srv.Close()
	srv.InjectFaults("/v2/topup", 0.3,
		iimmpacttest.StatusFault(500), iimmpacttest.StatusFault(503), iimmpacttest.StatusFault(502),
		iimmpacttest.RateLimitFault(time.Second), iimmpacttest.ResetFault(), iimmpacttest.DelayFault(2*time.Second),
		iimmpacttest.StatusFault(500).AfterProcessing(), iimmpacttest.ResetFault().AfterProcessing(),
		iimmpacttest.DelayFault(2*time.Second).AfterProcessing(), iimmpacttest.TruncateFault().AfterProcessing(),
		iimmpacttest.StatusFault(503).AfterProcessing(), iimmpacttest.StatusFault(403), iimmpacttest.StatusFault(400),
		iimmpacttest.StatusFault(401))

	client := srv.Client(
		iimmpact.WithHTTPClient(&http.Client{Timeout: 250 * time.Millisecond}), // a slow answer is a timeout
		iimmpact.WithRateLimit(0, 0), // a loopback fake: nothing to ban
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
			// A merchant whose wait ends unknown asks again with the same
			// request, and keeps the refid unknown until a final status: a
			// later call's refusal speaks only for that call's attempts. One
			// told that nothing was created asks again too (the refusals
			// here are injected, the request itself is fine).
			unknown := false
			for ctx.Err() == nil {
				tx, err := client.WaitTopup(ctx, r.req, iimmpact.WithPollInterval(time.Millisecond, 5*time.Millisecond), iimmpact.WithWaitTimeout(20*time.Second))
				if err == nil {
					r.tx = tx
					return
				}
				if errors.Is(err, iimmpact.ErrOutcomeUnknown) {
					unknown = true
					continue
				}
				var ae *iimmpact.APIError
				if !errors.As(err, &ae) {
					t.Errorf("refid %s: untyped verdict %v", r.req.RefID, err)
					return
				}
				if real, ok := srv.TopupRecord(r.req.RefID); ok && !unknown {
					t.Errorf("refid %s: told nothing was created (%v), but the fake holds it as %d", r.req.RefID, err, real.StatusCode)
					return
				}
			}
		}(&results[i])
	}
	wg.Wait()

	truth := make(map[string]iimmpacttest.TopupRecord)
	for _, tx := range srv.TopupRecords() {
		truth[tx.RefID] = tx
	}
	require.Len(t, truth, len(results), "one transaction per refid, no more")
	spent := iimmpact.Amount{}
	for _, r := range results {
		require.NotNil(t, r.tx, "refid %s never reached a final state", r.req.RefID)
		real := truth[r.req.RefID]
		assert.Equal(t, real.StatusCode, r.tx.StatusCode, "refid %s", r.req.RefID)
		assert.True(t, r.tx.StatusCode.IsFinal())
		if r.tx.StatusCode.IsSuccess() {
			assert.Equal(t, 1, srv.Debits(r.req.RefID), "refid %s debited once", r.req.RefID)
			assert.Equal(t, real.Cost, r.tx.Cost)
			spent = spent.Add(r.tx.Cost)
		} else {
			assert.Equal(t, iimmpact.StatusRejectedByProvider, r.tx.StatusCode)
			assert.Equal(t, 0, srv.Debits(r.req.RefID))
		}
	}
	assert.Equal(t, opening.Sub(spent), srv.Balance())
	t.Logf("%d topup requests for %d payments", srv.Requests("/v2/topup"), len(results))
}

// The case that started issue 10, end to end: the fake applies the payment,
// loses the answer behind a 503, then refuses the retry with 403. Topup and
// WaitTopup must not call that "refused, nothing created".
func TestLostAnswerThenRefusalIsUnknown(t *testing.T) {
	for _, wait := range []bool{false, true} {
		srv := iimmpacttest.NewServer(iimmpacttest.WithSettleAfter(1))
		srv.ScriptFaults("/v2/topup", iimmpacttest.StatusFault(503).AfterProcessing(), iimmpacttest.StatusFault(403))
		client := srv.Client(iimmpact.WithRetryPolicy(iimmpact.RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
		req := iimmpact.TopupRequest{RefID: iimmpact.NewRefID(), Product: "D", Account: "0123456789", Amount: iimmpact.MustParseAmount("30")}
		var err error
		if wait {
			_, err = client.WaitTopup(context.Background(), req, iimmpact.WithPollInterval(time.Millisecond, time.Millisecond))
		} else {
			_, err = client.Topup(context.Background(), req)
		}
		require.ErrorIs(t, err, iimmpact.ErrOutcomeUnknown, "WaitTopup=%v", wait)
		var ae *iimmpact.APIError
		require.ErrorAs(t, err, &ae, "the 403 stays visible as the cause")
		assert.Equal(t, http.StatusForbidden, ae.HTTPStatus)
		assert.Equal(t, 2, srv.Requests("/v2/topup"), "no poll after a 403")
		_, created := srv.TopupRecord(req.RefID)
		require.True(t, created, "the fake did create the payment")

		// Asking again with the same request settles it, without a second debit.
		tx, err := client.WaitTopup(context.Background(), req, iimmpact.WithPollInterval(time.Millisecond, time.Millisecond))
		require.NoError(t, err)
		assert.True(t, tx.StatusCode.IsSuccess())
		assert.Equal(t, 1, srv.Debits(req.RefID))
		srv.Close()
	}
}
