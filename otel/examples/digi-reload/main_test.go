package main

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDemoExportsToStdout runs the demo with -otel stdout and finds the
// walkthrough's spans and metrics in what it wrote, and no account number.
func TestDemoExportsToStdout(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), "stdout", &out, io.Discard))
	text := out.String()
	for _, want := range []string{`"Name": "iimmpact WaitTopup"`, `"Name": "POST /v2/topup"`, `"Name": "iimmpact callback"`,
		`"Name": "http.client.request.duration"`, `"Name": "iimmpact.client.retries"`, `"Name": "iimmpact.client.retry_budget.tokens"`} {
		assert.Contains(t, text, want)
	}
	assert.NotContains(t, text, "0123456789")
}

func TestDemoOffExportsNothing(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), "off", &out, io.Discard))
	assert.Empty(t, out.String())
	assert.Error(t, run(context.Background(), "jaeger", &out, io.Discard))
}
