package main

import (
	"testing"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/stretchr/testify/assert"
)

// --otel stderr keeps --json's stdout a single JSON value and writes a
// span for the call, with its HTTP attributes, and the metrics at exit;
// neither carries the API key or the account number.
func TestOtelExportsTelemetry(t *testing.T) {
	srv := iimmpacttest.NewServer(iimmpacttest.WithBalance(iimmpact.MustParseAmount("48.6333")))
	defer srv.Close()

	r := cli(t, fakeEnv(srv), "balance", "--json", "--otel", "stderr")
	requireCode(t, 0, r)
	var b balanceJSON
	decode(t, r, &b) // stdout is still exactly one JSON value
	assert.Equal(t, iimmpact.MustParseAmount("48.6333"), b.Balance)
	assert.Contains(t, r.stderr, `"Name": "GET /v2/balance"`)
	assert.Contains(t, r.stderr, `"http.response.status_code"`)
	assert.Contains(t, r.stderr, "http.client.request.duration", "metrics are flushed at exit")
	assert.NotContains(t, r.stderr, srv.APIKey)

	r = cli(t, append(fakeEnv(srv), "IIMMPACT_OTEL=stdout"), "history", "--date", "2025-01-15", "--account", "0123456789")
	requireCode(t, 0, r)
	assert.Contains(t, r.stdout, `"Name": "GET /v2/transactions"`, "the environment turns it on too")
	assert.NotContains(t, r.stdout, "0123456789", "query values are not exported")

	r = cli(t, fakeEnv(srv), "balance", "--otel", "carrier-pigeon")
	requireCode(t, exitError, r)
	assert.Contains(t, r.stderr, "want stdout, stderr or off")

	r = cli(t, fakeEnv(srv), "balance")
	requireCode(t, 0, r)
	assert.NotContains(t, r.stdout+r.stderr, "SpanContext", "off by default")
}
