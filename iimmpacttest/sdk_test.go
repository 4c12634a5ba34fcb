package iimmpacttest_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Smoke tests: the SDK and the fake are independent implementations of
// the same rules, so these fail if either one drifts.

func fastRetries() iimmpact.Option {
	return iimmpact.WithRetryPolicy(iimmpact.RetryPolicy{
		MaxAttempts: 5, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond,
		MaxRetryAfter: 2 * time.Second, Budget: 100, BudgetRefill: time.Millisecond,
	})
}

func mustAmount(t *testing.T, s string) iimmpact.Amount {
	a, err := iimmpact.ParseAmount(s)
	require.NoError(t, err)
	return a
}

func TestSDKWalkthrough(t *testing.T) {
	t.Parallel()
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	bal, err := client.Balance(ctx)
	require.NoError(t, err)
	assert.Equal(t, "950", bal.Balance.String())

	products, err := client.Products(ctx)
	require.NoError(t, err)
	require.Len(t, products, len(srv.ProductCodes()))

	ns, err := client.NetworkStatus(ctx, "D")
	require.NoError(t, err)
	assert.NotNil(t, ns)

	req := iimmpact.TopupRequest{RefID: "sdk-1", Product: "D", Account: "0123456789", Amount: mustAmount(t, "30"), Remarks: "Digi Prepaid RM30"}
	tx, err := client.Topup(ctx, req)
	require.NoError(t, err)
	assert.True(t, tx.StatusCode.IsSuccess())
	assert.Equal(t, "29.4", tx.Cost.String())
	assert.Equal(t, "920.6", tx.Balance.String())

	tx, err = client.Topup(ctx, req)
	require.NoError(t, err)
	assert.True(t, tx.StatusCode.IsSuccess())
	assert.Equal(t, 1, srv.Debits("sdk-1"))

	// A date range (spaces) and repeated status keys: the SDK's canonical
	// query must agree with the fake's.
	today := time.Now()
	page, err := client.Transactions(ctx, iimmpact.TransactionQuery{
		From: today.AddDate(0, 0, -1), To: today.AddDate(0, 0, 1), Limit: 10,
		Statuses: []string{"SUCCESSFUL", "FAILED"}, Product: "D",
	})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	assert.Equal(t, "sdk-1", page.Items[0].RefID)
	assert.Equal(t, "29.4", page.Items[0].Price.String())
}

func TestSDKValidationErrorIsAPIError(t *testing.T) {
	t.Parallel()
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	_, err := srv.Client().Topup(context.Background(), iimmpact.TopupRequest{
		RefID: "sdk-bad", Product: "D", Account: "0123456789", Amount: mustAmount(t, "22.23")})
	var apiErr *iimmpact.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadRequest, apiErr.HTTPStatus)
	assert.Equal(t, iimmpact.StatusCode(58), apiErr.StatusCode)
	assert.Equal(t, "Invalid_Denomination", apiErr.Remarks)
	assert.Empty(t, srv.TopupRecords())
}

// The case that matters most: the topup is applied, then the answer is
// lost. The SDK must retry with the same refid and the wallet must be
// charged once.
func TestSDKNeverPaysTwiceWhenAnswersAreLost(t *testing.T) {
	t.Parallel()
	for _, f := range []iimmpacttest.Fault{
		iimmpacttest.ResetFault().AfterProcessing(),
		iimmpacttest.StatusFault(http.StatusBadGateway).AfterProcessing(),
		iimmpacttest.StatusFault(http.StatusGatewayTimeout).AfterProcessing(),
		iimmpacttest.TruncateFault().AfterProcessing(),
		iimmpacttest.RateLimitFault(time.Second).AfterProcessing(),
	} {
		t.Run(f.Kind.String(), func(t *testing.T) {
			srv := iimmpacttest.NewServer()
			defer srv.Close()
			srv.ScriptFaults("/v2/topup", f, f)
			tx, err := srv.Client(fastRetries()).Topup(context.Background(), iimmpact.TopupRequest{
				RefID: "sdk-lost", Product: "D", Account: "0123456789", Amount: mustAmount(t, "30")})
			require.NoError(t, err)
			assert.True(t, tx.StatusCode.IsSuccess())
			assert.Equal(t, 3, srv.Requests("/v2/topup"))
			assert.Equal(t, 1, srv.Debits("sdk-lost"))
			assert.Equal(t, "920.6", srv.Balance().String())
		})
	}
}

func TestSDKOutcomeUnknownWhenEveryAnswerIsLost(t *testing.T) {
	t.Parallel()
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	srv.InjectFaults("/v2/topup", 1, iimmpacttest.StatusFault(http.StatusServiceUnavailable).AfterProcessing())
	_, err := srv.Client(fastRetries()).Topup(context.Background(), iimmpact.TopupRequest{
		RefID: "sdk-unknown", Product: "D", Account: "0123456789", Amount: mustAmount(t, "10")})
	require.Error(t, err)
	assert.True(t, errors.Is(err, iimmpact.ErrOutcomeUnknown), err)
	assert.Equal(t, 1, srv.Debits("sdk-unknown"), "the fake applied it; the SDK must not call it failed")
}

func TestSDKWaitTopupPollsUntilFinal(t *testing.T) {
	t.Parallel()
	srv := iimmpacttest.NewServer(iimmpacttest.WithSettleAfter(3))
	defer srv.Close()
	ref := iimmpact.NewRefID()
	var seen []int
	tx, err := srv.Client(fastRetries()).WaitTopup(context.Background(),
		iimmpact.TopupRequest{RefID: ref, Product: "M", Account: "0171234567", Amount: mustAmount(t, "60")},
		iimmpact.WithPollInterval(time.Millisecond, 2*time.Millisecond),
		iimmpact.WithOnPoll(func(tx *iimmpact.Transaction) { seen = append(seen, int(tx.StatusCode)) }))
	require.NoError(t, err)
	assert.True(t, tx.StatusCode.IsSuccess())
	assert.Equal(t, []int{1, 1, 1, 20}, seen)
	assert.Equal(t, 4, srv.Requests("/v2/topup"))
	assert.Equal(t, 1, srv.Debits(ref))
	assert.Equal(t, "891.2", srv.Balance().String()) // 950 - 58.8
}

func TestSDKWaitTopupStagingFailure(t *testing.T) {
	t.Parallel()
	srv := iimmpacttest.NewServer(iimmpacttest.WithSettleAfter(1))
	defer srv.Close()
	tx, err := srv.Client().WaitTopup(context.Background(),
		iimmpact.TopupRequest{RefID: "sdk-48", Product: "D", Account: "60123450048", Amount: mustAmount(t, "30")},
		iimmpact.WithPollInterval(time.Millisecond, time.Millisecond))
	require.NoError(t, err)
	assert.True(t, tx.StatusCode.IsFailure())
	assert.Equal(t, "HC", tx.Remarks)
	assert.Equal(t, 0, srv.Debits("sdk-48"))
}
