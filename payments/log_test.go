package payments_test

import (
	"bytes"
	"context"
	"log/slog"
	"testing"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/iimmpact-go/iimmpact/payments"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The layer's log lines name the refid and the states, never the account,
// an IC number or a voucher PIN.
func TestLogsCarryNoSecrets(t *testing.T) {
	var buf bytes.Buffer
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	m, err := payments.New(srv.Client(), payments.NewMemoryStore(),
		payments.WithLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	require.NoError(t, err)
	ctx := context.Background()
	p, err := m.Pay(ctx, iimmpact.TopupRequest{RefID: "gc-1", Product: "GC", Account: "0198765432", Amount: iimmpact.MustParseAmount("10"),
		Extras: &iimmpact.Extras{ICNumber: "900101145678"}})
	require.NoError(t, err)
	require.Equal(t, payments.StateSucceeded, p.State)
	require.NotEmpty(t, p.Tx.PIN, "the voucher has a PIN to leak")
	_, err = m.Pay(ctx, iimmpact.TopupRequest{RefID: "bad-1", Product: "D", Account: "0198765432", Amount: iimmpact.MustParseAmount("11")})
	require.NoError(t, err)
	logs := buf.String()
	assert.Contains(t, logs, "gc-1")
	assert.Contains(t, logs, "rejected")
	for _, secret := range []string{"0198765432", "900101145678", p.Tx.PIN} {
		assert.NotContains(t, logs, secret)
	}
}
