package iimmpact

import (
	"context"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// historyPages serves total records by offset and limit, like
// /v2/transactions; alter may corrupt a page.
func historyPages(t *testing.T, total int, alter func(offset int, body map[string]any)) (*Client, *[]string) {
	p := &fakePager{path: "/v2/transactions", total: total, size: 1, byOffset: true, alter: alter,
		item: func(i int) map[string]any {
			return map[string]any{"trxid": strconv.Itoa(905000000 + i), "status_code": "20", "amount": "30.0000"}
		},
		body: func(_, _ int, items []map[string]any) map[string]any {
			return map[string]any{"data": items, "meta": map[string]any{"transaction_count": strconv.Itoa(total)}}
		}}
	return p.serve(t), &p.queries
}

func collectTransactions(c *Client, q TransactionQuery) ([]string, error) {
	var ids []string
	for r, err := range c.AllTransactions(context.Background(), q) {
		if err != nil {
			return ids, err
		}
		ids = append(ids, r.TrxID)
	}
	return ids, nil
}

func TestAllTransactions(t *testing.T) {
	t.Parallel()
	q := TransactionQuery{From: myt("2025-05-01 00:00:00.000"), To: myt("2025-05-31 00:00:00.000"), Limit: 2,
		Statuses: []string{"SUCCESSFUL", "FAILED"}}
	t.Run("multi page", func(t *testing.T) {
		c, queries := historyPages(t, 5, nil)
		ids, err := collectTransactions(c, q)
		require.NoError(t, err)
		assert.Equal(t, []string{"905000000", "905000001", "905000002", "905000003", "905000004"}, ids)
		assert.Equal(t, []string{
			"date=2025-05-01+-+2025-05-31&limit=2&status=FAILED&status=SUCCESSFUL",
			"date=2025-05-01+-+2025-05-31&limit=2&offset=2&status=FAILED&status=SUCCESSFUL",
			"date=2025-05-01+-+2025-05-31&limit=2&offset=4&status=FAILED&status=SUCCESSFUL",
		}, *queries)
	})
	t.Run("exact last page", func(t *testing.T) {
		c, queries := historyPages(t, 4, nil)
		ids, err := collectTransactions(c, q)
		require.NoError(t, err)
		assert.Len(t, ids, 4)
		assert.Len(t, *queries, 3, "a full last page needs one more request to learn it was the last")
	})
	t.Run("from an offset with the default limit", func(t *testing.T) {
		c, queries := historyPages(t, 60, nil)
		ids, err := collectTransactions(c, TransactionQuery{From: testNow, Offset: 5})
		require.NoError(t, err)
		assert.Len(t, ids, 55)
		assert.Equal(t, "905000005", ids[0])
		assert.Len(t, *queries, 2)
	})
	t.Run("empty", func(t *testing.T) {
		c, queries := historyPages(t, 0, nil)
		ids, err := collectTransactions(c, q)
		require.NoError(t, err)
		assert.Empty(t, ids)
		assert.Len(t, *queries, 1)
	})
	t.Run("server ignores offset", func(t *testing.T) {
		c, queries := historyPages(t, 10, func(_ int, b map[string]any) {
			b["data"] = []map[string]any{{"trxid": "1"}, {"trxid": "2"}}
		})
		ids, err := collectTransactions(c, q)
		require.ErrorIs(t, err, ErrPaginationStuck)
		assert.Equal(t, []string{"1", "2"}, ids)
		assert.Len(t, *queries, 2)
	})
	t.Run("server ignores limit", func(t *testing.T) {
		c, queries := historyPages(t, 10, func(_ int, b map[string]any) {
			b["data"] = []map[string]any{{"trxid": "1"}, {"trxid": "2"}, {"trxid": "3"}}
		})
		ids, err := collectTransactions(c, q)
		require.ErrorIs(t, err, ErrPaginationStuck)
		assert.Empty(t, ids)
		assert.Len(t, *queries, 1)
	})
	t.Run("page cap", func(t *testing.T) {
		c, queries := historyPages(t, 1000, nil)
		c.maxPages = 4
		ids, err := collectTransactions(c, q)
		require.ErrorIs(t, err, ErrPaginationStuck)
		assert.Len(t, ids, 8)
		assert.Len(t, *queries, 4)
	})
	t.Run("early break", func(t *testing.T) {
		c, queries := historyPages(t, 5, nil)
		for _, err := range c.AllTransactions(context.Background(), q) {
			require.NoError(t, err)
			break
		}
		assert.Len(t, *queries, 1)
	})
	t.Run("invalid query", func(t *testing.T) {
		c, queries := historyPages(t, 5, nil)
		_, err := collectTransactions(c, TransactionQuery{})
		assert.ErrorIs(t, err, ErrInvalidRequest)
		assert.Empty(t, *queries)
	})
}

func TestAllTransactionsNegativePaths(t *testing.T) {
	t.Parallel()
	testNegativePaths(t, "GET", "/v2/transactions", func(c *Client) error {
		for _, err := range c.AllTransactions(context.Background(), TransactionQuery{From: testNow}) {
			return err
		}
		return nil
	})
}
