package iimmpacttest_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iimmpact-go/iimmpact"
)

type statementPage struct {
	Data []struct {
		ID      int64       `json:"id"`
		Date    string      `json:"date"`
		Amount  json.Number `json:"amount"`
		Balance json.Number `json:"balance"`
		Remarks string      `json:"remarks"`
		Type    string      `json:"type"`
	} `json:"data"`
	Links map[string]*string `json:"links"`
	Meta  map[string]any     `json:"meta"`
	// Summary is kept raw, to check the exact numbers sent.
	Summary map[string]any `json:"summary"`
}

func (c *caller) statement(t *testing.T, query string) statementPage {
	status, body := c.do(http.MethodGet, "/v2/balance-statement?"+query, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	var p statementPage
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&p))
	return p
}

// TestStatementIsATrueLedger: a refund keeps the original debit and adds a
// REFUND credit, SetBalance books a DEPOSIT, each entry's balance follows
// from the one before, and the summary totals the filtered set.
func TestStatementIsATrueLedger(t *testing.T) {
	t.Parallel()
	srv, c, clk := startFake(t)
	c.topup("s-1", "D", "0123456789", 30) // 29.4
	clk.Advance(time.Minute)
	c.topup("s-2", "TNB", "220012345678", 100) // 98
	clk.Advance(time.Minute)
	c.topup("s-3", "D", "60123450052", 10) // fails: no entry
	clk.Advance(time.Minute)
	require.True(t, srv.Refund("s-2"))
	clk.Advance(time.Minute)
	srv.SetBalance(iimmpact.MustParseAmount("1000"))
	srv.SetBalance(iimmpact.MustParseAmount("1000")) // no change, no entry

	p := c.statement(t, "date=2025-01-15")
	type row struct{ typ, amount, balance string }
	var got []row
	for _, e := range p.Data {
		got = append(got, row{e.Type, e.Amount.String(), e.Balance.String()})
	}
	assert.Equal(t, []row{
		{"TRANSACTION", "-29.4", "920.6"},
		{"TRANSACTION", "-98", "822.6"},
		{"REFUND", "98", "920.6"},
		{"DEPOSIT", "79.4", "1000"},
	}, got)
	assert.Contains(t, p.Data[2].Remarks, "s-2")
	assert.Equal(t, "2025-01-15 10:26:47.910", p.Data[2].Date, "the refund is dated when it happened")
	assert.Equal(t, map[string]any{"total_transactions": map[string]any{"amount": json.Number("-127.4"), "count": json.Number("2")},
		"total_deposit": json.Number("79.4"), "total_refund": json.Number("98")}, p.Summary)
	assert.Equal(t, "1000", srv.Balance().String())

	p = c.statement(t, "date=2025-01-15&type=REFUND")
	require.Len(t, p.Data, 1)
	assert.Equal(t, json.Number("0"), p.Summary["total_deposit"], "the summary covers the filtered set")

	p = c.statement(t, "date=2025-01-15&limit=3&page=2")
	require.Len(t, p.Data, 1)
	assert.Equal(t, "DEPOSIT", p.Data[0].Type)
	assert.Equal(t, json.Number("4"), p.Meta["total"])
	assert.Nil(t, p.Links["next"])
	assert.Equal(t, json.Number("-127.4"), p.Summary["total_transactions"].(map[string]any)["amount"], "every page has the whole summary")

	p = c.statement(t, "date=2025-01-16")
	assert.Empty(t, p.Data)
	assert.Equal(t, json.Number("0"), p.Summary["total_refund"])

	// The history shows the refunded payment as IIMMPACT does: code 53, its
	// price kept, outside the successful totals.
	h := c.history(t, "date=2025-01-15&limit=10")
	require.Equal(t, []string{"s-1", "s-2", "s-3"}, refids(h))
	assert.Equal(t, "53", h.Data[1]["status_code"])
	assert.Equal(t, "98.0000", h.Data[1]["price"])
	assert.Equal(t, "29.4000", h.Meta["total_price"])
}

func TestStatementDepositFromWithBalance(t *testing.T) {
	t.Parallel()
	srv, c, _ := startFake(t, iimmpacttest.WithBalance(iimmpact.MustParseAmount("10")))
	p := c.statement(t, "date=2025-01-15")
	assert.Empty(t, p.Data, "the opening balance is not a movement")
	srv.SetBalance(iimmpact.MustParseAmount("5"))
	p = c.statement(t, "date=2025-01-15")
	require.Len(t, p.Data, 1)
	assert.Equal(t, "-5", p.Data[0].Amount.String(), "a lower balance books a negative deposit")
}
