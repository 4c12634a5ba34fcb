package iimmpact_test

import (
	"context"
	"testing"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// net/http resends a GET whose reused keep-alive connection dies, with the
// same headers. If IIMMPACT had already seen the request, the resent nonce is
// a replay and is refused. The SDK must instead retry through its own loop,
// which signs afresh.
func TestConnectionResetAfterProcessingIsRetriedWithAFreshNonce(t *testing.T) {
	t.Parallel()
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	c := srv.Client(iimmpact.WithRetryPolicy(iimmpact.RetryPolicy{MaxAttempts: 2}))
	_, err := c.Balance(context.Background()) // opens a keep-alive connection
	require.NoError(t, err)
	srv.ScriptFaults("/v2/balance", iimmpacttest.ResetFault().AfterProcessing())
	_, err = c.Balance(context.Background())
	require.NoError(t, err)
	assert.GreaterOrEqual(t, srv.Requests("/v2/balance"), 3) // 4 when net/http resent the copy itself
}
