package iimmpact

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOptionsFixture(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	mock.RegisterResponder("GET", "https://api.test.invalid/v2/options", func(req *http.Request) (*http.Response, error) {
		checkSigned(t, req)
		assert.Equal(t, "account_number=0123456789&field_id=plan&limit=10&product_code=HI", req.URL.RawQuery)
		return newResponse(200, fixture(t, "options_spec.json")), nil
	})
	p, err := c.Options(context.Background(), OptionsQuery{ProductCode: "HI", FieldID: "plan", AccountNumber: "0123456789", Limit: 10})
	require.NoError(t, err)
	assert.Equal(t, "HI", p.ProductCode)
	assert.Equal(t, "plan", p.FieldID)
	assert.Equal(t, PageMeta{CurrentPage: 1, LastPage: 1, PerPage: 10, Total: 5}, p.Meta)
	require.Len(t, p.Items, 2)
	for i := range p.Items {
		assert.NotEmpty(t, p.Items[i].Raw)
		p.Items[i].Raw = nil
	}
	myr := func(s string) *Money { return &Money{Amount: MustParseAmount(s), Currency: "MYR"} }
	assert.Equal(t, OptionItem{Code: "HI_UNL_30_3M", Label: "Unlimited 30 Days (3Mbps)",
		Description: "Unlimited data with hotspot and calls", Price: myr("40"), Validity: "30 days"}, p.Items[0])
	assert.Equal(t, OptionItem{Code: "PUBG_325", Label: "325 UC", Description: "PUBG Mobile 325 UC",
		Value: &OptionValue{Amount: MustParseAmount("325"), Unit: "UC"}, Price: myr("23"), Cost: myr("19.5"),
		RRP: myr("25"), MinAmount: myr("1"), MaxAmount: myr("500"), Validity: "30 days", AccountNumber: "12345678"}, p.Items[1])
}

func TestOptionsQueryValues(t *testing.T) {
	t.Parallel()
	yes, no := true, false
	for _, tt := range []struct {
		q    OptionsQuery
		want string
	}{
		{OptionsQuery{ProductCode: "JOMPAY", FieldID: "biller"}, "field_id=biller&product_code=JOMPAY"},
		{OptionsQuery{ProductCode: "JOMPAY", FieldID: "biller", BillerCode: "5454", Limit: 50, Page: 2, IsActive: &yes,
			IncludeHidden: true, IncludeInactive: true},
			"biller_code=5454&field_id=biller&include_hidden=true&include_inactive=true&is_active=true&limit=50&page=2&product_code=JOMPAY"},
		{OptionsQuery{ProductCode: "D", FieldID: "amount", IsActive: &no}, "field_id=amount&is_active=false&product_code=D"},
	} {
		v, err := tt.q.values()
		require.NoError(t, err)
		assert.Equal(t, tt.want, v.Encode())
	}
	c, mock := mockClient(t)
	for _, q := range []OptionsQuery{{FieldID: "plan"}, {ProductCode: "HI"}, {ProductCode: "HI", FieldID: "plan", Limit: 1001},
		{ProductCode: "HI", FieldID: "plan", Limit: -1}, {ProductCode: "HI", FieldID: "plan", Page: -1}} {
		_, err := c.Options(context.Background(), q)
		assert.ErrorIs(t, err, ErrInvalidRequest)
		for _, err := range c.AllOptions(context.Background(), q) {
			assert.ErrorIs(t, err, ErrInvalidRequest)
		}
	}
	assert.Zero(t, mock.GetTotalCallCount())
}

func TestOptionsNegativePaths(t *testing.T) {
	t.Parallel()
	q := OptionsQuery{ProductCode: "HI", FieldID: "plan"}
	testNegativePaths(t, "GET", "/v2/options", func(c *Client) error {
		_, err := c.Options(context.Background(), q)
		return err
	})
	testNegativePaths(t, "GET", "/v2/options", func(c *Client) error {
		for _, err := range c.AllOptions(context.Background(), q) {
			return err
		}
		return nil
	})
}

// optionsPages serves a field of total items in pages of size; alter lets
// a test corrupt what page n says about itself.
func optionsPages(t *testing.T, total, size int, alter func(asked int, body map[string]any)) (*Client, *int) {
	p := &fakePager{path: "/v2/options", total: total, size: size, alter: alter,
		item: func(i int) map[string]any { return map[string]any{"code": fmt.Sprintf("OPT%03d", i), "label": "x"} },
		body: func(asked, last int, items []map[string]any) map[string]any {
			return map[string]any{"product_code": "JOMPAY", "field_id": "biller", "items": items,
				"meta": map[string]any{"current_page": asked, "last_page": last, "per_page": size, "total": total}}
		}}
	return p.serve(t), &p.calls
}

func collectOptions(c *Client, q OptionsQuery) ([]string, error) {
	var codes []string
	for it, err := range c.AllOptions(context.Background(), q) {
		if err != nil {
			return codes, err
		}
		codes = append(codes, it.Code)
	}
	return codes, nil
}

func TestAllOptions(t *testing.T) {
	t.Parallel()
	q := OptionsQuery{ProductCode: "JOMPAY", FieldID: "biller", Limit: 2}
	t.Run("multi page", func(t *testing.T) {
		c, calls := optionsPages(t, 5, 2, nil)
		codes, err := collectOptions(c, q)
		require.NoError(t, err)
		assert.Equal(t, []string{"OPT000", "OPT001", "OPT002", "OPT003", "OPT004"}, codes)
		assert.Equal(t, 3, *calls)
	})
	t.Run("exact last page", func(t *testing.T) {
		c, calls := optionsPages(t, 4, 2, nil)
		codes, err := collectOptions(c, q)
		require.NoError(t, err)
		assert.Len(t, codes, 4)
		assert.Equal(t, 2, *calls, "last_page says stop; no empty page is fetched")
	})
	t.Run("from a later page", func(t *testing.T) {
		c, calls := optionsPages(t, 5, 2, nil)
		q := q
		q.Page = 2
		codes, err := collectOptions(c, q)
		require.NoError(t, err)
		assert.Equal(t, []string{"OPT002", "OPT003", "OPT004"}, codes)
		assert.Equal(t, 2, *calls)
	})
	t.Run("empty", func(t *testing.T) {
		c, calls := optionsPages(t, 0, 2, nil)
		codes, err := collectOptions(c, q)
		require.NoError(t, err)
		assert.Empty(t, codes)
		assert.Equal(t, 1, *calls)
	})
	t.Run("no meta is one page", func(t *testing.T) {
		c, calls := optionsPages(t, 3, 2, func(_ int, b map[string]any) { delete(b, "meta") })
		codes, err := collectOptions(c, q)
		require.NoError(t, err)
		assert.Len(t, codes, 2)
		assert.Equal(t, 1, *calls)
	})
	t.Run("server ignores page", func(t *testing.T) {
		c, calls := optionsPages(t, 5, 2, func(_ int, b map[string]any) {
			b["meta"].(map[string]any)["current_page"] = 1
			b["items"] = []map[string]any{{"code": "OPT000"}, {"code": "OPT001"}}
		})
		codes, err := collectOptions(c, q)
		require.ErrorIs(t, err, ErrPaginationStuck)
		assert.Equal(t, []string{"OPT000", "OPT001"}, codes, "the repeated page is not yielded again")
		assert.Equal(t, 2, *calls)
	})
	t.Run("server repeats a page without meta.current_page", func(t *testing.T) {
		c, calls := optionsPages(t, 5, 2, func(_ int, b map[string]any) {
			delete(b["meta"].(map[string]any), "current_page")
			b["items"] = []map[string]any{{"code": "OPT000"}, {"code": "OPT001"}}
		})
		_, err := collectOptions(c, q)
		require.ErrorIs(t, err, ErrPaginationStuck)
		assert.Equal(t, 2, *calls)
	})
	t.Run("page cap", func(t *testing.T) {
		c, calls := optionsPages(t, 1000, 2, func(_ int, b map[string]any) { b["meta"] = map[string]any{"last_page": 1 << 30} })
		c.maxPages = 5
		codes, err := collectOptions(c, q)
		require.ErrorIs(t, err, ErrPaginationStuck)
		assert.Len(t, codes, 10)
		assert.Equal(t, 5, *calls)
	})
	t.Run("early break", func(t *testing.T) {
		c, calls := optionsPages(t, 5, 2, nil)
		n := 0
		for _, err := range c.AllOptions(context.Background(), q) {
			require.NoError(t, err)
			if n++; n == 3 {
				break
			}
		}
		assert.Equal(t, 2, *calls, "no request after the caller stops")
	})
	t.Run("error mid-way", func(t *testing.T) {
		c, calls := optionsPages(t, 5, 2, func(asked int, b map[string]any) {
			if asked == 2 {
				b["items"] = "broken"
			}
		})
		codes, err := collectOptions(c, q)
		require.ErrorIs(t, err, ErrMalformedResponse)
		assert.Len(t, codes, 2)
		assert.Equal(t, 2, *calls)
	})
	t.Run("cancelled context", func(t *testing.T) {
		c, calls := optionsPages(t, 5, 2, nil)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var err error
		for _, e := range c.AllOptions(ctx, q) {
			cancel()
			if e != nil {
				err = e
			}
		}
		assert.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, 1, *calls)
	})
}
