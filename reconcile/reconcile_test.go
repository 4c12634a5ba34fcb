package reconcile_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/iimmpact-go/iimmpact/reconcile"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDayAgainstTheFake: a day with successes, a failure, a 400 refusal, a
// refund after success, a payment left unknown on our side, a refid made
// outside the ledger, an amount tampered in the ledger, a payment recorded
// but never sent, and a deposit. Each discrepancy is reported once with
// its kind; the wallet, the summary and the meta reconcile.
func TestDayAgainstTheFake(t *testing.T) {
	m := newMerchant(t)
	assert.Equal(t, reconcile.Final, m.pay("ok-1", "D", "0123456789", "30"))
	assert.Equal(t, reconcile.Final, m.pay("ok-2", "TNB", "220012345678", "50.55"))
	assert.Equal(t, reconcile.Final, m.pay("fail-1", "D", "60123450052", "10"))
	assert.Equal(t, reconcile.Rejected, m.pay("rejected-1", "D", "0123456789", "7"))
	assert.Equal(t, reconcile.Final, m.pay("refund-1", "M", "0199999999", "10"))
	require.True(t, m.srv.Refund("refund-1"))
	m.srv.ScriptFaults("/v2/topup", iimmpacttest.ResetFault().AfterProcessing())
	assert.Equal(t, reconcile.Unknown, m.pay("unknown-1", "C", "0161111111", "5"))
	m.outside("outside-1", "D", "0172222222", "5")
	assert.Equal(t, reconcile.Final, m.pay("tamper-1", "D", "0183333333", "30"))
	require.NoError(t, m.ledger.Update("tamper-1", func(p *reconcile.Payment) { p.Amount = iimmpact.MustParseAmount("35") }))
	require.NoError(t, m.ledger.Add(reconcile.Payment{RefID: "lost-1", Product: "D", Account: "0194444444",
		Amount: iimmpact.MustParseAmount("10"), State: reconcile.Unknown, Time: mayNoon.Add(-2 * time.Hour)}))
	m.srv.SetBalance(iimmpact.MustParseAmount("2000"))

	rep := m.run()
	assert.Equal(t, map[string][]reconcile.Kind{
		"refund-1":  {reconcile.StatusDiffers},
		"unknown-1": {reconcile.OursOpen},
		"outside-1": {reconcile.Unrecorded},
		"tamper-1":  {reconcile.AmountDiffers},
		"lost-1":    {reconcile.Missing},
	}, kinds(rep), "%+v", rep.Discrepancies)
	assert.Equal(t, 8, rep.Ours)
	assert.Equal(t, 4, rep.Matched, "ok-1, ok-2, fail-1 and rejected-1")
	assert.Equal(t, 7, rep.History.Records, "rejected-1 was never created; outside-1 was")
	assert.Equal(t, 1, rep.History.Refunded)
	assert.Equal(t, 1, rep.History.Failed)
	assert.NotNil(t, rep.Wallet.Summary)
	// The deposit is the one wallet movement the history does not explain.
	assert.Equal(t, iimmpact.MustParseAmount("1000"), rep.Wallet.Opening)
	assert.Equal(t, iimmpact.MustParseAmount("2000"), rep.Wallet.Closing)
	assert.True(t, rep.Wallet.Deposits.Sign() > 0)
	assert.Equal(t, rep.History.Debited.Neg(), rep.Wallet.Transactions)
	assert.Equal(t, iimmpact.MustParseAmount("9.8"), rep.Wallet.Refunds, "M 10 at 2%")
	for _, d := range rep.Discrepancies {
		assert.False(t, d.Resolved, "no resolver was given")
	}

	// Resolving through the ledger's Resolver settles the two the history
	// answers; the next run reports only what a person must look at.
	rep = m.run(reconcile.WithResolver(m.ledger))
	for _, d := range rep.Discrepancies {
		want := d.RefID == "refund-1" || d.RefID == "unknown-1"
		assert.Equal(t, want, d.Resolved, "%s %s: %s", d.RefID, d.Kind, d.ResolveError)
	}
	p, _ := m.ledger.Get("unknown-1")
	assert.Equal(t, reconcile.Payment{RefID: "unknown-1", Product: "C", Account: "0161111111", Amount: iimmpact.MustParseAmount("5"),
		State: reconcile.Final, Status: iimmpact.StatusSuccessful, Cost: iimmpact.MustParseAmount("4.9"), CostKnown: true, Time: p.Time}, p)
	rep = m.run(reconcile.WithResolver(m.ledger))
	assert.Equal(t, map[string][]reconcile.Kind{
		"outside-1": {reconcile.Unrecorded},
		"tamper-1":  {reconcile.AmountDiffers},
		"lost-1":    {reconcile.Missing},
	}, kinds(rep))
}

// TestCleanDayAndResolution: a clean day says so in one line; a day whose
// only faults are open payments the history settles is clean after one
// resolving run.
func TestCleanDayAndResolution(t *testing.T) {
	m := newMerchant(t)
	m.pay("ok-1", "D", "0123456789", "30")
	m.pay("fail-1", "D", "60123450048", "10")
	m.srv.SetBalance(iimmpact.MustParseAmount("1500"))
	rep := m.run()
	require.True(t, rep.Clean(), "%+v", rep.Discrepancies)
	var buf bytes.Buffer
	require.NoError(t, rep.WriteTable(&buf))
	assert.Equal(t, "2025-05-15: clean (2 payments match IIMMPACT's 2 records, 0 still open; wallet moved 500 as the records say)\n", buf.String())

	m.srv.SetSettleAfter(3)
	assert.Equal(t, reconcile.Pending, m.pay("slow-1", "D", "0111111111", "10"))
	m.srv.SetSettleAfter(0)
	rep = m.run()
	assert.True(t, rep.Clean(), "pending on both sides is open, not a discrepancy: %+v", rep.Discrepancies)
	assert.Equal(t, 1, rep.Open)

	require.True(t, m.srv.Settle("slow-1"))
	require.True(t, m.srv.Refund("ok-1"))
	m.srv.ScriptFaults("/v2/topup", iimmpacttest.ResetFault().AfterProcessing())
	assert.Equal(t, reconcile.Unknown, m.pay("lost-answer", "D", "0122222222", "5"))

	rep = m.run(reconcile.WithResolver(m.ledger))
	assert.Equal(t, map[string][]reconcile.Kind{
		"slow-1":      {reconcile.OursOpen},
		"ok-1":        {reconcile.StatusDiffers},
		"lost-answer": {reconcile.OursOpen},
	}, kinds(rep))
	assert.Empty(t, rep.Unresolved())
	rep = m.run()
	assert.True(t, rep.Clean(), "%+v", rep.Discrepancies)
	assert.Equal(t, 4, rep.Matched)

	out, err := json.Marshal(rep)
	require.NoError(t, err)
	var back map[string]any
	require.NoError(t, json.Unmarshal(out, &back))
	assert.Equal(t, true, back["clean"])
	assert.Equal(t, "2025-05-15", back["from"])
	assert.Equal(t, []any{}, back["discrepancies"])
}

// TestNoResolutionFromAnotherRequest: a final record for the refid whose
// product, account or amount differ from the ledger's request is not an
// answer for that request, so it is reported and never applied.
func TestNoResolutionFromAnotherRequest(t *testing.T) {
	m := newMerchant(t)
	m.srv.ScriptFaults("/v2/topup", iimmpacttest.ResetFault().AfterProcessing())
	require.Equal(t, reconcile.Unknown, m.pay("u-1", "D", "0123456789", "30"))
	require.NoError(t, m.ledger.Update("u-1", func(p *reconcile.Payment) { p.Account = "0100000000" }))
	require.Equal(t, reconcile.Final, m.pay("ok-1", "D", "0123456789", "10"))
	require.True(t, m.srv.Refund("ok-1"))
	require.NoError(t, m.ledger.Update("ok-1", func(p *reconcile.Payment) { p.Amount = iimmpact.AmountFromInt(30) }))

	for range 2 {
		rep := m.run(reconcile.WithResolver(m.ledger))
		assert.Equal(t, map[string][]reconcile.Kind{
			"u-1":  {reconcile.OursOpen, reconcile.RequestDiffers},
			"ok-1": {reconcile.StatusDiffers, reconcile.AmountDiffers},
		}, kinds(rep))
		for _, d := range rep.Discrepancies {
			assert.False(t, d.Resolved)
		}
		assert.Contains(t, rep.Discrepancies[0].ResolveError, "another request")
	}
	p, _ := m.ledger.Get("u-1")
	assert.Equal(t, reconcile.Unknown, p.State)
}
