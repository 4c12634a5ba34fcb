package main

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/iimmpact-go/iimmpact/payments"
	"github.com/iimmpact-go/iimmpact/reconcile"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// reconcile DAY against a store paid through the payments layer: the
// table lists what does not reconcile and exits 1; --json is the report;
// --resolve settles the open and the refunded through the layer (exit 0,
// effects left to the service); the next run is one clean line; a refid
// paid outside the store then makes the day exit 1 whatever --resolve does.
func TestReconcile(t *testing.T) {
	ctx := context.Background()
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	db := newPaymentsDB(t)
	svc := db.service(t, srv, 0, nil)
	pay := func(id, amount string, want payments.State) {
		t.Helper()
		p, err := svc.Pay(ctx, digiReq(id, amount))
		require.NoError(t, err)
		require.Equal(t, want, p.State, id)
	}
	pay("REC-1", "30", payments.StateSucceeded)
	pay("REC-2", "50", payments.StateSucceeded)
	require.True(t, srv.Refund("REC-2"))
	srv.ScriptFaults("/v2/topup", iimmpacttest.ResetFault().AfterProcessing())
	pay("REC-3", "10", payments.StateUnknown)
	pay("REC-4", "33", payments.StateRejected)
	env := db.env(srv)
	table := []string{"--payments-table", db.table}

	r := cli(t, env, append([]string{"reconcile", "today"}, table...)...)
	requireCode(t, exitNo, r)
	assert.Regexp(t, `^\d{4}-\d\d-\d\d: 4 payments, 3 IIMMPACT records, wallet moved -RM 39\.20: 2 discrepancies \(0 resolved\)\n`, r.stdout)
	assert.Regexp(t, `(?m)^Wallet:\s+opening RM \d+\.\d\d, transactions -RM 88\.20, refunds RM 49\.00, `, r.stdout)
	assert.Regexp(t, `(?m)^KIND\s+REFID\s+FIELD\s+OURS/EXPECTED\s+THEIRS/ACTUAL\s+RESOLVED$`, r.stdout)
	assert.Regexp(t, `(?m)^status_differs\s+REC-2\s+status\s+20 \(successful\)\s+53 \(refunded\)\s+no$`, r.stdout)
	assert.Regexp(t, `(?m)^ours_open\s+REC-3\s+status\s+unknown\s+20 \(successful\)\s+no$`, r.stdout)
	assert.Empty(t, r.stderr)
	if os.Getenv("IIMMPACT_CLI_SHOW") != "" {
		t.Logf("$ iimmpact reconcile today\n%s", r.stdout)
	}

	r = cli(t, env, append([]string{"reconcile", "today", "--json"}, table...)...)
	requireCode(t, exitNo, r)
	var rep reconcile.Report
	decode(t, r, &rep)
	assert.Equal(t, 1, rep.Count(reconcile.StatusDiffers))
	assert.Equal(t, 1, rep.Count(reconcile.OursOpen))
	assert.Equal(t, 4, rep.Ours)
	assert.Equal(t, iimmpact.MustParseAmount("-39.2"), rep.Wallet.Movement())

	r = cli(t, env, append([]string{"reconcile", "today", "--resolve"}, table...)...)
	requireCode(t, exitOK, r)
	assert.Contains(t, r.stdout, "2 discrepancies (2 resolved)")
	if os.Getenv("IIMMPACT_CLI_SHOW") != "" {
		t.Logf("$ iimmpact reconcile today --resolve\n%s", r.stdout)
	}
	assert.Regexp(t, `(?m)^ours_open\s+REC-3\s+status\s+unknown\s+20 \(successful\)\s+yes$`, r.stdout)
	for id, want := range map[string]payments.State{"REC-2": payments.StateRefunded, "REC-3": payments.StateSucceeded} {
		p, err := db.store.Get(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, want, p.State, id)
		assert.Equal(t, payments.SourceHistory, p.History[len(p.History)-1].Source, id)
		assert.Less(t, p.EffectsDone, len(p.Effects), "%s: the effect is left to the service", id)
	}

	r = cli(t, env, append([]string{"reconcile", "today"}, table...)...)
	requireCode(t, exitOK, r)
	assert.Regexp(t, `^\d{4}-\d\d-\d\d: clean \(4 payments match IIMMPACT's 3 records, 0 still open; wallet moved -RM 39\.20 as the records say\)\n$`, r.stdout)
	if os.Getenv("IIMMPACT_CLI_SHOW") != "" {
		t.Logf("$ iimmpact reconcile today\n%s", r.stdout)
	}

	_, err := srv.Client().Topup(ctx, digiReq("OUTSIDE-1", "10"))
	require.NoError(t, err)
	r = cli(t, env, append([]string{"reconcile", "today", "--resolve", "--json"}, table...)...)
	requireCode(t, exitNo, r)
	decode(t, r, &rep)
	require.Len(t, rep.Discrepancies, 1)
	assert.Equal(t, reconcile.Unrecorded, rep.Discrepancies[0].Kind)
	assert.Equal(t, "OUTSIDE-1", rep.Discrepancies[0].RefID)

	// An amount edited in the store is money in the table, and no
	// --resolve settles it.
	p, err := db.store.Get(ctx, "REC-1")
	require.NoError(t, err)
	edited := p
	edited.Request.Amount, edited.Version = iimmpact.MustParseAmount("30.01"), p.Version+1
	_, err = db.store.Put(ctx, edited, p.Version)
	require.NoError(t, err)
	r = cli(t, env, append([]string{"reconcile", "today", "--resolve"}, table...)...)
	requireCode(t, exitNo, r)
	assert.Regexp(t, `(?m)^amount_differs\s+REC-1\s+amount\s+RM 30\.01\s+RM 30\.00\s+no$`, r.stdout)
	assert.Regexp(t, `(?m)^unrecorded\s+OUTSIDE-1\s+refid\s+absent\s+20 \(successful\)\s+no$`, r.stdout)
}

// A day that does not parse, or a missing store, exits 2 and says why.
func TestReconcileErrors(t *testing.T) {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	r := cli(t, fakeEnv(srv), "reconcile", "today")
	requireCode(t, exitError, r)
	assert.Contains(t, r.stderr, "IIMMPACT_DSN")
	assert.Empty(t, r.stdout)

	db := newPaymentsDB(t)
	r = cli(t, db.env(srv), "reconcile", "15/01/2025", "--payments-table", db.table)
	requireCode(t, exitError, r)
	assert.Contains(t, r.stderr, "want YYYY-MM-DD")

	r = cli(t, db.env(srv), "reconcile", "--payments-table", db.table)
	requireCode(t, exitError, r)
	assert.True(t, strings.Contains(r.stderr, "accepts 1 arg"), r.stderr)

	srv.ScriptFaults("/v2/transactions", iimmpacttest.StatusFault(403))
	r = cli(t, db.env(srv), "reconcile", "today", "--payments-table", db.table)
	requireCode(t, exitError, r)
	assert.Contains(t, r.stderr, "transactions")
}
