package iimmpact

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBalanceStatementFixture(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	mock.RegisterResponder("GET", "https://api.test.invalid/v2/balance-statement", func(req *http.Request) (*http.Response, error) {
		checkSigned(t, req)
		assert.Equal(t, "date=2025-05-01+-+2025-05-31&limit=2&type=DEPOSIT", req.URL.RawQuery)
		return newResponse(200, fixture(t, "balance_statement_spec.json")), nil
	})
	p, err := c.BalanceStatement(context.Background(), BalanceStatementQuery{From: myt("2025-05-01 00:00:00.000"),
		To: myt("2025-05-31 00:00:00.000"), Type: "deposit", Limit: 2})
	require.NoError(t, err)
	assert.Equal(t, []StatementEntry{
		{ID: 7731205, Date: myt("2025-05-01 09:15:02.417"), Amount: MustParseAmount("1000"), Balance: MustParseAmount("1048.6333"),
			Remarks: "Bank transfer deposit", Type: StatementDeposit},
		{ID: 7731388, Date: myt("2025-05-01 10:23:51.102"), Amount: MustParseAmount("-29.4"), Balance: MustParseAmount("1019.2333"),
			Remarks: "D 0123456789 RM30", Type: StatementTransaction},
	}, p.Items)
	assert.Equal(t, PageLinks{First: "https://api.iimmpact.com/v2/balance-statement?page=1",
		Last: "https://api.iimmpact.com/v2/balance-statement?page=3",
		Next: "https://api.iimmpact.com/v2/balance-statement?page=2"}, p.Links)
	assert.Equal(t, PageMeta{CurrentPage: 1, From: 1, LastPage: 3, Path: "https://api.iimmpact.com/v2/balance-statement",
		PerPage: 2, To: 2, Total: 6}, p.Meta)
}

func TestBalanceStatementQueryValues(t *testing.T) {
	t.Parallel()
	day := myt("2025-05-01 12:00:00.000")
	v, err := (&BalanceStatementQuery{From: day, Page: 3}).values()
	require.NoError(t, err)
	assert.Equal(t, "date=2025-05-01&page=3", v.Encode())
	c, mock := mockClient(t)
	for _, q := range []BalanceStatementQuery{{}, {From: day, Type: "WITHDRAWAL"}, {From: day, Page: -1}, {From: day, Limit: -1},
		{From: day, To: day.AddDate(0, 0, -1)}} {
		_, err := c.BalanceStatement(context.Background(), q)
		assert.ErrorIs(t, err, ErrInvalidRequest)
		for _, err := range c.AllBalanceStatement(context.Background(), q) {
			assert.ErrorIs(t, err, ErrInvalidRequest)
		}
	}
	assert.Zero(t, mock.GetTotalCallCount())
}

func TestBalanceStatementNegativePaths(t *testing.T) {
	t.Parallel()
	q := BalanceStatementQuery{From: testNow}
	testNegativePaths(t, "GET", "/v2/balance-statement", func(c *Client) error {
		_, err := c.BalanceStatement(context.Background(), q)
		return err
	})
	testNegativePaths(t, "GET", "/v2/balance-statement", func(c *Client) error {
		for _, err := range c.AllBalanceStatement(context.Background(), q) {
			return err
		}
		return nil
	})
}

// statementPages serves total entries in pages of size, Laravel style.
func statementPages(t *testing.T, total, size int, alter func(asked int, body map[string]any)) (*Client, *int) {
	p := &fakePager{path: "/v2/balance-statement", total: total, size: size, alter: alter,
		item: func(i int) map[string]any {
			return map[string]any{"id": 100 + i, "date": "2025-05-01 10:00:00.000", "amount": -1, "balance": 50 - i, "type": "TRANSACTION"}
		},
		body: func(asked, last int, items []map[string]any) map[string]any {
			var next any
			if asked < last {
				next = "https://api.iimmpact.com/v2/balance-statement?page=" + strconv.Itoa(asked+1)
			}
			return map[string]any{"data": items, "links": map[string]any{"next": next},
				"meta": map[string]any{"current_page": asked, "last_page": last, "per_page": size, "total": total}}
		}}
	return p.serve(t), &p.calls
}

func collectStatement(c *Client, q BalanceStatementQuery) ([]int64, error) {
	var ids []int64
	for e, err := range c.AllBalanceStatement(context.Background(), q) {
		if err != nil {
			return ids, err
		}
		ids = append(ids, e.ID)
	}
	return ids, nil
}

func TestAllBalanceStatement(t *testing.T) {
	t.Parallel()
	q := BalanceStatementQuery{From: testNow, Limit: 2}
	t.Run("multi page", func(t *testing.T) {
		c, calls := statementPages(t, 5, 2, nil)
		ids, err := collectStatement(c, q)
		require.NoError(t, err)
		assert.Equal(t, []int64{100, 101, 102, 103, 104}, ids)
		assert.Equal(t, 3, *calls)
	})
	t.Run("exact last page", func(t *testing.T) {
		c, calls := statementPages(t, 4, 2, nil)
		ids, err := collectStatement(c, q)
		require.NoError(t, err)
		assert.Len(t, ids, 4)
		assert.Equal(t, 2, *calls)
	})
	t.Run("links only", func(t *testing.T) {
		c, calls := statementPages(t, 5, 2, func(_ int, b map[string]any) { delete(b, "meta") })
		ids, err := collectStatement(c, q)
		require.NoError(t, err)
		assert.Len(t, ids, 5)
		assert.Equal(t, 3, *calls)
	})
	t.Run("empty", func(t *testing.T) {
		c, calls := statementPages(t, 0, 2, nil)
		ids, err := collectStatement(c, q)
		require.NoError(t, err)
		assert.Empty(t, ids)
		assert.Equal(t, 1, *calls)
	})
	t.Run("server ignores page", func(t *testing.T) {
		c, calls := statementPages(t, 5, 2, func(_ int, b map[string]any) {
			b["meta"].(map[string]any)["current_page"] = 1
		})
		ids, err := collectStatement(c, q)
		require.ErrorIs(t, err, ErrPaginationStuck)
		assert.Equal(t, []int64{100, 101}, ids)
		assert.Equal(t, 2, *calls)
	})
	t.Run("server ignores page and sends no meta", func(t *testing.T) {
		c, calls := statementPages(t, 5, 2, func(_ int, b map[string]any) {
			delete(b, "meta")
			b["data"] = []map[string]any{{"id": 100}, {"id": 101}}
			b["links"] = map[string]any{"next": "https://api.iimmpact.com/v2/balance-statement?page=2"}
		})
		_, err := collectStatement(c, q)
		require.ErrorIs(t, err, ErrPaginationStuck)
		assert.Equal(t, 2, *calls)
	})
	t.Run("early break", func(t *testing.T) {
		c, calls := statementPages(t, 5, 2, nil)
		for _, err := range c.AllBalanceStatement(context.Background(), q) {
			require.NoError(t, err)
			break
		}
		assert.Equal(t, 1, *calls)
	})
}

func TestBalanceStatementSummary(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	body := fixture(t, "balance_statement_summary_inferred.json")
	mock.RegisterResponder("GET", "https://api.test.invalid/v2/balance-statement", func(req *http.Request) (*http.Response, error) {
		return newResponse(200, body), nil
	})
	p, err := c.BalanceStatement(context.Background(), BalanceStatementQuery{From: myt("2025-05-01 00:00:00.000")})
	require.NoError(t, err)
	require.NotNil(t, p.Summary)
	assert.Equal(t, StatementSummary{TransactionAmount: MustParseAmount("-29.4"), TransactionCount: 1,
		Deposit: MustParseAmount("1000"), Refund: Amount{}}, *p.Summary)

	var s StatementSummary
	require.NoError(t, json.Unmarshal([]byte(`{"total_transactions":{"amount":"58.8000","count":"2"},"total_deposit":"1000.0000","total_refund":"29.4"}`), &s))
	assert.Equal(t, StatementSummary{TransactionAmount: MustParseAmount("58.8"), TransactionCount: 2,
		Deposit: MustParseAmount("1000"), Refund: MustParseAmount("29.4")}, s, "numeric strings are read too")
	require.Error(t, json.Unmarshal([]byte(`{"total_deposit":"ten"}`), &s))
	out, err := json.Marshal(s)
	require.NoError(t, err)
	assert.JSONEq(t, `{"total_transactions":{"amount":58.8,"count":2},"total_deposit":1000,"total_refund":29.4}`, string(out))

	mock.RegisterResponder("GET", "https://api.test.invalid/v2/balance-statement", func(req *http.Request) (*http.Response, error) {
		return newResponse(200, fixture(t, "balance_statement_spec.json")), nil
	})
	p, err = c.BalanceStatement(context.Background(), BalanceStatementQuery{From: myt("2025-05-01 00:00:00.000")})
	require.NoError(t, err)
	assert.Nil(t, p.Summary, "a statement from before 31 October 2025 has no summary")
}

// FuzzStatementSummary: any body either fails to decode or yields a
// summary whose re-encoded form decodes to the same value.
func FuzzStatementSummary(f *testing.F) {
	f.Add([]byte(`{"total_transactions":{"amount":-29.4,"count":1},"total_deposit":1000,"total_refund":0}`))
	f.Add([]byte(`{"total_transactions":{"amount":"1.0E-5","count":"3"},"total_deposit":null}`))
	f.Add([]byte(`{"total_transactions":null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var s StatementSummary
		if json.Unmarshal(b, &s) != nil {
			return
		}
		again, err := json.Marshal(s)
		require.NoError(t, err)
		var back StatementSummary
		require.NoError(t, json.Unmarshal(again, &back))
		require.Equal(t, s, back)
	})
}
