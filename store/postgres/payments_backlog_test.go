package postgres

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/iimmpact-go/iimmpact/payments"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// seedBacklog inserts n payments whose outcome is unknown, all due.
func seedBacklog(t *testing.T, s *PaymentStore, n int) {
	t.Helper()
	now := time.Now()
	tmpl, err := json.Marshal(payments.Payment{
		Request: iimmpact.TopupRequest{RefID: "x", Product: "D", Account: "0123456789", Amount: mustAmount(t, "10")},
		State:   payments.StateUnknown, Created: now, Updated: now, Attempts: 1, Reason: "timeout",
	})
	require.NoError(t, err)
	_, err = s.pool.Exec(context.Background(), `INSERT INTO `+s.sql.quoted+` (refid, version, state, due_at, owed, created_at, updated_at, data)
SELECT 'backlog-' || i, 1, 'unknown', now() - (i || ' milliseconds')::interval, false, now(), now(),
       jsonb_set($1::jsonb, '{request,refid}', to_jsonb('backlog-' || i))
FROM generate_series(1, $2::int) AS i`, tmpl, n)
	require.NoError(t, err)
	_, err = s.pool.Exec(context.Background(), "ANALYZE "+s.sql.quoted)
	require.NoError(t, err)
}

// With 100,000 unresolved payments due at once, the resolver's requests,
// counted by the fake, never exceed its pace, and its queries use indexes.
func TestBacklogIsPacedAndIndexed(t *testing.T) {
	const n, rate = 100_000, 40.0
	pool := newPool(t, 8)
	store := newPaymentStore(t, pool)
	seedBacklog(t, store, n)
	plan := explain(t, store, store.sql.claim, time.Now(), time.Now().Add(time.Minute), 80)
	assert.Contains(t, plan, store.sql.index+"_due", "Claim uses the due index:\n%s", plan)
	assert.NotContains(t, plan, "Seq Scan", plan)
	plan = explain(t, store, store.sql.oldestOpen)
	assert.Contains(t, plan, store.sql.index+"_open", "Stats uses the open index:\n%s", plan)
	plan = explain(t, store, store.sql.prune, time.Now())
	assert.Contains(t, plan, store.sql.index+"_done", "Prune uses the done index:\n%s", plan)

	srv := iimmpacttest.NewServer(iimmpacttest.WithBalance(iimmpact.MustParseAmount("10000000")))
	defer srv.Close()
	m, err := payments.New(srv.Client(), store, payments.WithResolverRate(rate), payments.WithResolverWorkers(8))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	const window = 500 * time.Millisecond
	start := time.Now()
	var counts []int
	last, lastAt := 0, start
	for range 6 {
		time.Sleep(window)
		now, at := srv.Requests("/v2/topup"), time.Now()
		counts = append(counts, now-last)
		// The pace allows rate per second of the window as it really was
		// (a sleep can overrun), plus the one request a slot can straddle.
		assert.LessOrEqual(t, float64(now-last), rate*at.Sub(lastAt).Seconds()+1, "window %d over the pace", len(counts))
		last, lastAt = now, at
	}
	elapsed := time.Since(start)
	cancel()
	<-done
	t.Logf("topup requests per %v: %v (ceiling %v)", window, counts, rate*window.Seconds())
	assert.LessOrEqual(t, float64(last), rate*elapsed.Seconds()+1)
	assert.GreaterOrEqual(t, float64(last), rate*elapsed.Seconds()/2, "the resolver worked the backlog at its pace")
	assert.Less(t, payments.DefaultRate*300, 30_000.0/3, "the default pace is far under IIMMPACT's ban threshold")
}

func explain(t *testing.T, s *PaymentStore, query string, args ...any) string {
	t.Helper()
	var lines []string
	rows, err := s.pool.Query(context.Background(), "EXPLAIN "+query, args...)
	require.NoError(t, err)
	defer rows.Close()
	for rows.Next() {
		var l string
		require.NoError(t, rows.Scan(&l))
		lines = append(lines, l)
	}
	require.NoError(t, rows.Err())
	return strings.Join(lines, "\n")
}
