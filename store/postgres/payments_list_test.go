package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/payments"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Pages of three rows: every payment of the window once, in order, across
// page boundaries that fall inside runs of equal creation times.
func TestListCreatedPagesByKeyset(t *testing.T) {
	pool := newPool(t, 4)
	s := newPaymentStore(t, pool)
	s.listPageSize = 3
	ctx := context.Background()
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var want []string
	for i := range 11 {
		at := base.Add(time.Duration(i/4) * time.Minute) // four payments per instant
		id := fmt.Sprintf("list-%02d", i)
		_, created, err := s.Create(ctx, payments.Payment{Request: iimmpact.TopupRequest{RefID: id, Product: "D", Account: "0123456789",
			Amount: mustAmount(t, "10")}, State: payments.StateRecorded, Created: at, Updated: at})
		require.NoError(t, err)
		require.True(t, created)
		want = append(want, id)
	}
	var got []string
	for p, err := range s.ListCreated(ctx, base, base.Add(time.Hour)) {
		require.NoError(t, err)
		got = append(got, p.RefID())
	}
	assert.Equal(t, want, got)
}

// The listing of a day among 60 days of payments reads the creation index,
// never the whole table.
func TestListCreatedUsesTheIndex(t *testing.T) {
	pool := newPool(t, 4)
	s := newPaymentStore(t, pool)
	tmpl, err := json.Marshal(payments.Payment{
		Request: iimmpact.TopupRequest{RefID: "x", Product: "D", Account: "0123456789", Amount: mustAmount(t, "10")},
		State:   payments.StateSucceeded,
	})
	require.NoError(t, err)
	_, err = pool.Exec(context.Background(), `INSERT INTO `+s.sql.quoted+` (refid, version, state, due_at, owed, created_at, updated_at, data)
SELECT 'hist-' || i, 1, 'succeeded', NULL, false, now() - (2 * i || ' minutes')::interval, now(),
       jsonb_set($1::jsonb, '{request,refid}', to_jsonb('hist-' || i))
FROM generate_series(1, 60 * 24 * 60 / 2) AS i`, tmpl) // one every two minutes for 60 days
	require.NoError(t, err)
	_, err = pool.Exec(context.Background(), "ANALYZE "+s.sql.quoted)
	require.NoError(t, err)
	day := time.Now().AddDate(0, 0, -30)
	plan := explain(t, s, s.sql.list, day, day.AddDate(0, 0, 1), day, "", s.listPageSize)
	assert.Contains(t, plan, s.sql.index+"_created", "ListCreated uses the creation index:\n%s", plan)
	assert.NotContains(t, plan, "Seq Scan", plan)
	n := 0
	for _, err := range s.ListCreated(context.Background(), day, day.AddDate(0, 0, 1)) {
		require.NoError(t, err)
		n++
	}
	assert.InDelta(t, 720, n, 1, "a day holds 720 of them")
}
