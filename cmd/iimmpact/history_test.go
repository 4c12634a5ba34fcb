package main

import (
	"encoding/csv"
	"fmt"
	"strings"
	"testing"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pay makes n successful payments ORDER-0..n-1 of RM 30 through the SDK,
// plus one that fails (ORDER-FAIL), so the history has something to page.
func pay(t *testing.T, srv *iimmpacttest.Server, n int) {
	t.Helper()
	c := srv.Client()
	for i := range n {
		_, err := c.Topup(t.Context(), iimmpact.TopupRequest{RefID: fmt.Sprintf("ORDER-%d", i), Product: "D",
			Account: "0123456789", Amount: iimmpact.AmountFromInt(30)})
		require.NoError(t, err)
	}
	_, err := c.Topup(t.Context(), iimmpact.TopupRequest{RefID: "ORDER-FAIL", Product: "M",
		Account: "60123450048", Amount: iimmpact.AmountFromInt(10)})
	require.NoError(t, err)
}

func TestHistoryEveryPage(t *testing.T) {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	pay(t, srv, 7)

	r := cli(t, fakeEnv(srv), "history", "--page-size", "3", "--json")
	requireCode(t, exitOK, r)
	var recs []recordJSON
	decode(t, r, &recs)
	require.Len(t, recs, 8)
	assert.Empty(t, r.stderr, "no progress when stderr is not a terminal")
	assert.Equal(t, 3, srv.Requests("/v2/transactions"), "pages of 3, 3 and 2")
	refids := map[string]bool{}
	for _, rec := range recs {
		refids[rec.RefID] = true
	}
	assert.Len(t, refids, 8, "no record twice")
	assert.True(t, refids["ORDER-FAIL"])

	r = cli(t, fakeEnv(srv), "history", "--date", "today", "--page-size", "3")
	requireCode(t, exitOK, r)
	assert.Regexp(t, `(?m)^DATE \(GMT\+8\)\s+REFID\s+TRXID\s+PRODUCT\s+ACCOUNT\s+AMOUNT\s+COST\s+STATUS$`, r.stdout)
	assert.Regexp(t, `(?m)^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+ORDER-0\s+\S+\s+D\s+0123456789\s+RM 30.00\s+RM 29.40\s+Successful \(20\)$`, r.stdout)
	assert.Contains(t, r.stdout, "8 transactions: 7 successful, 1 failed, 0 pending, 0 refunded, 0 unknown; amount RM 220.00, cost RM 205.80\n")
}

func TestHistoryFiltersAndCSV(t *testing.T) {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	pay(t, srv, 3)

	r := cli(t, fakeEnv(srv), "history", "--status", "failed", "--csv")
	requireCode(t, exitOK, r)
	rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 2, r.stdout)
	assert.Equal(t, []string{"date", "refid", "trxid", "product", "account", "amount", "cost", "currency",
		"status_code", "status", "outcome", "sn"}, rows[0])
	assert.Equal(t, "ORDER-FAIL", rows[1][1])
	assert.Equal(t, "10", rows[1][5], "CSV amounts are plain decimals")
	assert.Equal(t, "failed", rows[1][10])
	assert.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+08:00$`, rows[1][0])

	r = cli(t, fakeEnv(srv), "history", "--status", "SUCCESSFUL", "--status", "FAILED", "--product", "D", "--json")
	requireCode(t, exitOK, r)
	var recs []recordJSON
	decode(t, r, &recs)
	assert.Len(t, recs, 3)

	r = cli(t, fakeEnv(srv), "history", "--account", "60123450048", "--json")
	requireCode(t, exitOK, r)
	decode(t, r, &recs)
	require.Len(t, recs, 1)
	assert.Equal(t, iimmpact.StatusRejectedByProvider, recs[0].StatusCode)

	r = cli(t, fakeEnv(srv), "history", "--date", "2020-01-01", "--json")
	requireCode(t, exitOK, r)
	decode(t, r, &recs)
	assert.Empty(t, recs)
}

func TestHistoryUsage(t *testing.T) {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	for _, args := range [][]string{
		{"history", "--status", "Succesful"},
		{"history", "--json", "--csv"},
		{"history", "--date", "15-01-2025"},
		{"history", "--date", "2025-01-31..2025-01-01"},
		{"history", "--page-size", "0"},
	} {
		r := cli(t, fakeEnv(srv), args...)
		requireCode(t, exitError, r)
		assert.Empty(t, r.stdout, "%v", args)
		assert.Contains(t, r.stderr, "iimmpact:", "%v", args)
	}
	assert.Equal(t, 0, srv.Requests("/v2/transactions"))
}

func TestTx(t *testing.T) {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	pay(t, srv, 5)

	r := cli(t, fakeEnv(srv), "tx", "ORDER-3")
	requireCode(t, exitOK, r)
	assert.Regexp(t, `(?m)^Refid:\s+ORDER-3$`, r.stdout)
	assert.Regexp(t, `(?m)^Outcome:\s+succeeded$`, r.stdout)
	assert.Regexp(t, `(?m)^Cost:\s+RM 29.40$`, r.stdout)
	assert.NotContains(t, r.stdout, "Re-asked")

	r = cli(t, fakeEnv(srv), "tx", "ORDER-FAIL", "--date", "today", "--json")
	requireCode(t, exitOK, r)
	var res txResultJSON
	decode(t, r, &res)
	require.True(t, res.Found)
	assert.Equal(t, "failed", res.Record.Outcome)
	assert.Nil(t, res.Requery)
	assert.Equal(t, 6, srv.Requests("/v2/topup"), "reading never pays: five payments and ORDER-FAIL")

	r = cli(t, fakeEnv(srv), "tx", "NO-SUCH", "--json")
	requireCode(t, exitNo, r)
	decode(t, r, &res)
	assert.False(t, res.Found)
	assert.Equal(t, 6, res.Searched)

	r = cli(t, fakeEnv(srv), "tx", "NO-SUCH")
	requireCode(t, exitNo, r)
	assert.Contains(t, r.stdout, "not found")
	assert.Contains(t, r.stdout, "does not prove it was never paid")
}

// --requery is a payment call: made once, only with the stored request, and
// never for a refid the history does not have.
func TestTxRequery(t *testing.T) {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	pay(t, srv, 2)
	before := srv.Requests("/v2/topup")

	r := cli(t, fakeEnv(srv), "tx", "ORDER-1", "--requery", "--json")
	requireCode(t, exitOK, r)
	var res txResultJSON
	decode(t, r, &res)
	require.NotNil(t, res.Requery)
	assert.Equal(t, "successful", res.Requery.Outcome)
	assert.Equal(t, before+1, srv.Requests("/v2/topup"))
	tx, _ := srv.TopupRecord("ORDER-1")
	assert.Equal(t, 1, tx.Polls, "the re-ask was a status check of the same request")
	assert.Equal(t, 1, srv.Debits("ORDER-1"))

	r = cli(t, fakeEnv(srv), "tx", "ORDER-1", "--requery")
	requireCode(t, exitOK, r)
	assert.Regexp(t, `(?m)^Re-asked /v2/topup:\s+successful$`, r.stdout)
	assert.Regexp(t, `(?m)^Live status:\s+Succesful, code 20`, r.stdout)

	r = cli(t, fakeEnv(srv), "tx", "NEVER-SENT", "--requery")
	requireCode(t, exitNo, r)
	assert.Contains(t, r.stdout, "Not re-asked")
	assert.Equal(t, before+2, srv.Requests("/v2/topup"), "no payment call for a refid not found")
	_, ok := srv.TopupRecord("NEVER-SENT")
	assert.False(t, ok)

	// A lost answer to the re-ask is unknown, exit 3; the record stands.
	lost := iimmpacttest.ResetFault()
	srv.ScriptFaults("/v2/topup", lost, lost, lost, lost, lost, lost)
	r = cli(t, fakeEnv(srv), "tx", "ORDER-0", "--requery", "--json")
	requireCode(t, exitUnknown, r)
	decode(t, r, &res)
	assert.True(t, res.Found)
	assert.Equal(t, "unknown", res.Requery.Outcome)
}
