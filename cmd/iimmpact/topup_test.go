package main

import (
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var fastPoll = []string{"--poll-min", "20ms", "--poll-max", "40ms"}

func TestTopupSucceeds(t *testing.T) {
	srv := iimmpacttest.NewServer()
	defer srv.Close()

	r := cli(t, fakeEnv(srv), "topup", "--refid", "ORDER-1", "--product", "D", "--account", "0123456789", "--amount", "30")
	requireCode(t, exitOK, r)
	assert.True(t, strings.HasPrefix(r.stdout, "refid: ORDER-1\n"), r.stdout)
	assert.Regexp(t, `(?m)^Outcome:\s+succeeded$`, r.stdout)
	assert.Regexp(t, `(?m)^Cost:\s+RM 29.40$`, r.stdout)
	assert.Regexp(t, `(?m)^Balance after:\s+RM 920.60$`, r.stdout)
	assert.Empty(t, r.stderr)
	assert.Equal(t, 1, srv.Debits("ORDER-1"))
}

func TestTopupNewRefIDPrintedFirst(t *testing.T) {
	srv := iimmpacttest.NewServer()
	defer srv.Close()

	r := cli(t, fakeEnv(srv), "topup", "--product", "GC", "--account", "0123456789", "--amount", "10")
	requireCode(t, exitOK, r)
	m := regexp.MustCompile(`\Arefid: (\S+)\n`).FindStringSubmatch(r.stdout)
	require.NotNil(t, m, r.stdout)
	tx, ok := srv.TopupRecord(m[1])
	require.True(t, ok, "the printed refid is the one paid")
	assert.Equal(t, "GC", tx.Product)
	assert.Regexp(t, `(?m)^PIN:\s+issued \(not shown\)$`, r.stdout)
	assert.NotContains(t, r.stdout, pinOf(t, srv, m[1], "GC", "10"), "a voucher PIN is never printed")

	// With --json the refid goes to stderr first and stdout stays one JSON value.
	r = cli(t, fakeEnv(srv), "topup", "--product", "GC", "--account", "0123456789", "--amount", "10", "--json")
	requireCode(t, exitOK, r)
	var res topupResultJSON
	decode(t, r, &res)
	assert.Equal(t, "refid: "+res.RefID+"\n", r.stderr)
	assert.Equal(t, "successful", res.Outcome)
	require.NotNil(t, res.Transaction)
	assert.True(t, res.Transaction.HasPIN)
	assert.NotContains(t, r.stdout, pinOf(t, srv, res.RefID, "GC", "10"))
}

func TestTopupFailedIsFinal(t *testing.T) {
	srv := iimmpacttest.NewServer()
	defer srv.Close()

	// 60123450048 is a staging test account that fails at the provider (48).
	r := cli(t, fakeEnv(srv), "topup", "--refid", "ORDER-F", "--product", "D", "--account", "60123450048", "--amount", "30", "--json")
	requireCode(t, exitNo, r)
	var res topupResultJSON
	decode(t, r, &res)
	assert.Equal(t, "failed", res.Outcome)
	assert.Equal(t, iimmpact.StatusRejectedByProvider, res.Transaction.StatusCode)
	assert.Contains(t, res.Next, "new refid")
	assert.Equal(t, 0, srv.Debits("ORDER-F"))
}

func TestTopupRefusedCreatesNothing(t *testing.T) {
	srv := iimmpacttest.NewServer()
	defer srv.Close()

	r := cli(t, fakeEnv(srv), "topup", "--refid", "ORDER-R", "--product", "D", "--account", "0123456789", "--amount", "33")
	requireCode(t, exitError, r)
	assert.Contains(t, r.stdout, "this send created nothing")
	assert.Contains(t, r.stdout, "the earlier send may still have been charged: look it up first (iimmpact tx ")
	assert.Contains(t, r.stderr, "Invalid_Denomination")
	_, ok := srv.TopupRecord("ORDER-R")
	assert.False(t, ok)

	// The same refid then pays, once.
	r = cli(t, fakeEnv(srv), "topup", "--refid", "ORDER-R", "--product", "D", "--account", "0123456789", "--amount", "30")
	requireCode(t, exitOK, r)
	assert.Equal(t, 1, srv.Debits("ORDER-R"))
}

// The same refid with other parameters is refused (54): this request made
// nothing, but the refid belongs to a transaction whose outcome this call
// does not know, so the command says unknown, never free or failed.
func TestTopupDuplicateRefIDIsNotFree(t *testing.T) {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	r := cli(t, fakeEnv(srv), "topup", "--refid", "ORDER-D", "--product", "D", "--account", "0123456789", "--amount", "30")
	requireCode(t, exitOK, r)

	r = cli(t, fakeEnv(srv), "topup", "--refid", "ORDER-D", "--product", "D", "--account", "0123456789", "--amount", "50", "--json")
	requireCode(t, exitUnknown, r)
	var res topupResultJSON
	decode(t, r, &res)
	assert.Equal(t, "unknown", res.Outcome)
	assert.Equal(t, "Next: look the refid up: iimmpact tx ORDER-D", res.Next)
	assert.NotContains(t, r.stdout, "not used")
	assert.Equal(t, 1, srv.Debits("ORDER-D"))
}

func TestTopupPendingWithoutWait(t *testing.T) {
	srv := iimmpacttest.NewServer(iimmpacttest.WithSettleAfter(2))
	defer srv.Close()

	args := []string{"topup", "--refid", "ORDER-P", "--product", "D", "--account", "0123456789", "--amount", "30"}
	r := cli(t, fakeEnv(srv), args...)
	requireCode(t, exitPending, r)
	assert.Regexp(t, `(?m)^Outcome:\s+pending: not finished yet$`, r.stdout)
	assert.Contains(t, r.stdout, "It is not failed")
	assert.Contains(t, r.stdout, "iimmpact topup --refid ORDER-P --product D --account 0123456789 --amount 30 --wait")

	r = cli(t, fakeEnv(srv), append(append(args, "--wait"), fastPoll...)...)
	requireCode(t, exitOK, r)
	assert.Regexp(t, `(?m)^Outcome:\s+succeeded$`, r.stdout)
	assert.Empty(t, r.stderr, "no progress line when stderr is not a terminal")
	assert.Equal(t, 1, srv.Debits("ORDER-P"))
}

// A lost answer is never reported as a failure: the command says the outcome
// is unknown, exits 3 and prints the command that asks again, which then
// finds the one payment.
func TestTopupUnknownOutcomeSaysWhatToDo(t *testing.T) {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	lost := iimmpacttest.ResetFault().AfterProcessing()
	srv.ScriptFaults("/v2/topup", lost, lost, lost, lost, lost, lost)

	r := cli(t, fakeEnv(srv), "topup", "--refid", "ORDER-U", "--product", "D", "--account", "0123456789", "--amount", "30")
	requireCode(t, exitUnknown, r)
	assert.Contains(t, r.stdout, "Outcome UNKNOWN")
	assert.Contains(t, r.stdout, "may have gone through")
	assert.NotContains(t, strings.ToLower(r.stdout), "fail")
	m := regexp.MustCompile(`Next: ask again with the same request: (iimmpact topup [^\n]*--wait)`).FindStringSubmatch(r.stdout)
	require.NotNil(t, m, r.stdout)
	assert.Regexp(t, `^iimmpact: outcome of refid "ORDER-U" unknown`, r.stderr)
	assert.Equal(t, 1, srv.Debits("ORDER-U"), "the payment did go through")

	srv.ClearFaults()
	next := strings.Fields(m[1])[1:]
	r = cli(t, fakeEnv(srv), append(next, fastPoll...)...)
	requireCode(t, exitOK, r)
	assert.Equal(t, 1, srv.Debits("ORDER-U"), "asking again never pays twice")

	// The same, for scripts.
	srv.ScriptFaults("/v2/topup", lost, lost, lost, lost, lost, lost)
	r = cli(t, fakeEnv(srv), "topup", "--refid", "ORDER-U2", "--product", "D", "--account", "0123456789", "--amount", "30", "--json")
	requireCode(t, exitUnknown, r)
	var res topupResultJSON
	decode(t, r, &res)
	assert.Equal(t, "unknown", res.Outcome)
	assert.Contains(t, res.Next, "--refid ORDER-U2")
}

func TestTopupUsage(t *testing.T) {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	for _, args := range [][]string{
		{"topup", "--product", "D", "--account", "0123456789"},                        // no amount
		{"topup", "--product", "D", "--account", "0123456789", "--amount", "30.001x"}, // not an amount
		{"topup", "--product", "D", "--account", "0123456789", "--amount", "1e3"},     // no floats
		{"topup", "--refid", strings.Repeat("r", 51), "--product", "D", "--account", "1", "--amount", "30"},
	} {
		r := cli(t, fakeEnv(srv), args...)
		requireCode(t, exitError, r)
		assert.Empty(t, r.stdout, "%v: no refid printed for a request never sent", args)
	}
	assert.Equal(t, 0, srv.Requests("/v2/topup"), "nothing reached the API")
}

// pinOf asks the fake, through the SDK, for the voucher PIN of a paid refid.
func pinOf(t *testing.T, srv *iimmpacttest.Server, refID, product, amount string) string {
	t.Helper()
	tx, err := srv.Client().Topup(t.Context(), iimmpact.TopupRequest{RefID: refID, Product: product,
		Account: "0123456789", Amount: iimmpact.MustParseAmount(amount)})
	require.NoError(t, err)
	require.NotEmpty(t, tx.PIN)
	return tx.PIN
}

// Giving up on a pending payment (the wait timed out, or the operator
// pressed Ctrl-C) reports it pending, exit 4, with the command to ask again.
func TestTopupWaitGivesUpPending(t *testing.T) {
	srv := iimmpacttest.NewServer(iimmpacttest.WithSettleAfter(1000))
	defer srv.Close()
	args := append([]string{"topup", "--refid", "ORDER-W", "--product", "D", "--account", "0123456789",
		"--amount", "30", "--wait"}, fastPoll...)

	r := cli(t, fakeEnv(srv), append(args, "--wait-timeout", "300ms")...)
	requireCode(t, exitPending, r)
	assert.Contains(t, r.stdout, "still pending. It is not failed")
	assert.Contains(t, r.stdout, "--refid ORDER-W --product D --account 0123456789 --amount 30 --wait")
	assert.NotContains(t, strings.ToLower(r.stdout), "failed (")

	args[2] = "ORDER-W2"
	run := start(t, fakeEnv(srv), args...)
	require.Eventually(t, func() bool { tx, _ := srv.TopupRecord("ORDER-W2"); return tx.Polls > 3 },
		10*time.Second, 5*time.Millisecond)
	assert.Equal(t, exitPending, run.stop(t, syscall.SIGINT))
	assert.Contains(t, run.out.String(), "The payment is still pending")
	assert.Contains(t, run.out.String(), "--refid ORDER-W2")
	assert.Equal(t, 0, srv.Debits("ORDER-W2"))
}
