package main

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/iimmpact-go/iimmpact/payments"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func digiReq(refID, amount string) iimmpact.TopupRequest {
	return iimmpact.TopupRequest{RefID: refID, Product: "D", Account: "0123456789", Amount: iimmpact.MustParseAmount(amount)}
}

// resolve re-asks the store's due payments once, shows what changed, and
// leaves the effects to the service, whose own resolver delivers them.
func TestResolve(t *testing.T) {
	ctx := context.Background()
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	db := newPaymentsDB(t)
	var effects []string
	svc := db.service(t, srv, -time.Hour, &effects)
	srv.ScriptFaults("/v2/topup", iimmpacttest.ResetFault().AfterProcessing(), iimmpacttest.ResetFault().AfterProcessing())
	for _, id := range []string{"RES-1", "RES-2"} {
		p, err := svc.Pay(ctx, digiReq(id, "30"))
		require.NoError(t, err)
		require.Equal(t, payments.StateUnknown, p.State)
	}
	p, err := svc.Pay(ctx, digiReq("RES-3", "10"))
	require.NoError(t, err)
	require.Equal(t, payments.StateSucceeded, p.State)

	r := cli(t, db.env(srv), "resolve", "--payments-table", db.table)
	requireCode(t, exitOK, r)
	assert.Contains(t, r.stdout, "2 due payments asked about or handed on: 2 changed, 0 unchanged.\n")
	assert.Regexp(t, `(?m)^REFID\s+FROM\s+TO\s+STATUS\s+SOURCE\s+AT \(GMT\+8\)$`, r.stdout)
	assert.Regexp(t, `(?m)^RES-1\s+unknown\s+succeeded\s+20 \(successful\)\s+requery\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$`, r.stdout)
	assert.Regexp(t, `(?m)^RES-2\s+unknown\s+succeeded\s+20 \(successful\)\s+requery\s`, r.stdout)
	assert.Contains(t, r.stdout, "2 payments owe their effects")
	assert.NotContains(t, r.stdout, "RES-3", "a settled payment is not due")
	assert.Empty(t, r.stderr)
	if os.Getenv("IIMMPACT_CLI_SHOW") != "" {
		t.Logf("$ iimmpact resolve\n%s", r.stdout)
	}
	for _, id := range []string{"RES-1", "RES-2"} {
		p, err := db.store.Get(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, payments.StateSucceeded, p.State)
		assert.Equal(t, 0, p.EffectsDone, "%s: the command delivered no effect and marked none delivered", id)
		assert.Equal(t, 1, srv.Debits(id))
	}

	// The owed effects are due at once: a second run hands them back unchanged.
	r = cli(t, db.env(srv), "resolve", "--payments-table", db.table, "--json")
	requireCode(t, exitOK, r)
	var out resolveJSON
	decode(t, r, &out)
	assert.Equal(t, resolveJSON{Claimed: 2, Changed: []changeJSON{}, Unchanged: 2, EffectsOwed: 2}, out)

	n, err := db.service(t, srv, 0, &effects).ResolveOnce(ctx) // the service, on today's clock
	require.NoError(t, err)
	assert.Equal(t, 2, n, "the service's resolver finds the owed effects")
	assert.ElementsMatch(t, []string{"RES-3/succeeded", "RES-1/succeeded", "RES-2/succeeded"}, effects)

	r = cli(t, db.env(srv), "resolve", "--payments-table", db.table)
	requireCode(t, exitOK, r)
	assert.Equal(t, "Nothing was due: every payment is settled or waiting for its next check.\n", r.stdout)
}

// Without a DSN, or with a table that is not there, resolve says so and
// exits 2; the DSN's password never shows.
func TestResolveNeedsTheStore(t *testing.T) {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	r := cli(t, fakeEnv(srv), "resolve")
	requireCode(t, exitError, r)
	assert.Contains(t, r.stderr, "IIMMPACT_DSN")

	db := newPaymentsDB(t)
	r = cli(t, db.env(srv), "resolve", "--payments-table", "no_such_table")
	requireCode(t, exitError, r)
	assert.Contains(t, r.stderr, "no_such_table")

	r = cli(t, append(fakeEnv(srv), "IIMMPACT_DSN=postgres://app:s3cr3t-pw@127.0.0.1:1/shop?connect_timeout=2"), "resolve")
	requireCode(t, exitError, r)
	assert.NotContains(t, r.stderr+r.stdout, "s3cr3t-pw")
}
