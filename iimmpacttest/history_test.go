package iimmpacttest_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type historyPage struct {
	Data []map[string]any `json:"data"`
	Meta map[string]any   `json:"meta"`
}

func (c *caller) history(t *testing.T, query string) historyPage {
	t.Helper()
	status, body := c.do(http.MethodGet, "/v2/transactions?"+query, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	var p historyPage
	require.NoError(t, json.Unmarshal(body, &p), string(body))
	require.NotNil(t, p.Data, "data must be an array, never null")
	return p
}

func refids(p historyPage) []string {
	out := []string{}
	for _, r := range p.Data {
		out = append(out, r["refid"].(string))
	}
	return out
}

// seedHistory makes six transactions over two days (GMT+8).
func seedHistory(t *testing.T) *caller {
	srv, c, clk := startFake(t)
	c.topup("h-1", "D", "0123456789", 30)
	clk.Advance(time.Minute)
	c.topup("h-2", "C", "0191234567", 10)
	c.topup("h-3", "D", "60123450048", 10) // staging account: Failed 48
	srv.SetSettleAfter(5)
	c.topup("h-4", "D", "0123456789", 10) // stays Processing
	srv.SetSettleAfter(0)
	clk.Advance(24 * time.Hour)
	c.topup("h-5", "GC", "0123456789", 5)
	c.topup("h-6", "D", "0111111111", 50)
	return c
}

func TestHistoryRecordMatchesWalkthroughShape(t *testing.T) {
	t.Parallel()
	c := seedHistory(t)
	status, body := c.do(http.MethodGet, "/v2/transactions?date=2025-01-15&product=D&limit=1", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, compact(t, `{"data":[{"trxid":"905187223","date":"2025-01-15 10:23:47.910","product_code":"D",
		"product_name":"Digi Prepaid","biller_code":null,"product_image_url":"https://dashboard.iimmpact.com/img/D.png",
		"category":"Prepaid","amount":"30.0000","account":"0123456789","sender":"127.0.0.1","member_id":"3100528",
		"status_code":"20","status_name":"Successful","response_date":"2025-01-15 10:23:47.910","price":"29.4000",
		"sn":"DG250115000001","pin":"","expiry":"","remarks":null,"refid":"h-1","voucherlink":null,"currency":"MYR"}],
		"meta":{"transaction_count":"3","total_amount":"30.0000","total_price":"29.4000","profit":"0.6000",
		"successful_count":"1","failed_count":"1","pending_count":"1","refund_count":"0"}}`), string(body))
}

func TestHistoryFailedAndPendingRecords(t *testing.T) {
	t.Parallel()
	c := seedHistory(t)
	p := c.history(t, "date=2025-01-15&limit=10&offset=2")
	require.Equal(t, []string{"h-3", "h-4"}, refids(p))
	failed, pending := p.Data[0], p.Data[1]
	assert.Equal(t, "48", failed["status_code"])
	assert.Equal(t, "Failed", failed["status_name"])
	assert.Equal(t, "0.0000", failed["price"])
	assert.Equal(t, "HC", failed["remarks"])
	assert.Equal(t, "1", pending["status_code"])
	assert.Equal(t, "Pending", pending["status_name"])
	assert.Nil(t, pending["remarks"])

	gc := c.history(t, "date=2025-01-16&product=GC&limit=10").Data[0]
	assert.Equal(t, "In Store Voucher", gc["category"])
	assert.Regexp(t, `^[A-Z0-9]{10}$`, gc["pin"])
	assert.Regexp(t, `^https://`, gc["voucherlink"])
	assert.Equal(t, "5.0000", gc["price"])
}

func TestHistoryPagingAndMeta(t *testing.T) {
	t.Parallel()
	c := seedHistory(t)
	const rng = "date=2025-01-15+-+2025-01-16&limit=2"
	var all []string
	for _, offset := range []string{"0", "2", "4", "6"} {
		p := c.history(t, rng+"&offset="+offset)
		all = append(all, refids(p)...)
		assert.Equal(t, map[string]any{
			"transaction_count": "6", "total_amount": "95.0000", "total_price": "93.2000", "profit": "1.8000",
			"successful_count": "4", "failed_count": "1", "pending_count": "1", "refund_count": "0",
		}, p.Meta, "meta covers the filtered set, not the page (offset %s)", offset)
	}
	assert.Equal(t, []string{"h-1", "h-2", "h-3", "h-4", "h-5", "h-6"}, all)

	// A stable order: the same query twice gives the same page.
	assert.Equal(t, refids(c.history(t, rng+"&offset=2")), refids(c.history(t, rng+"&offset=2")))
}

func TestHistoryFilters(t *testing.T) {
	t.Parallel()
	c := seedHistory(t)
	cases := map[string][]string{
		"date=2025-01-15&limit=50":                                           {"h-1", "h-2", "h-3", "h-4"},
		"date=2025-01-16&limit=50":                                           {"h-5", "h-6"},
		"date=2025-01-17&limit=50":                                           {},
		"date=2025-01-10 - 2025-01-31&limit=50&status=SUCCESSFUL":            {"h-1", "h-2", "h-5", "h-6"},
		"date=2025-01-10 - 2025-01-31&limit=50&status=PENDING&status=FAILED": {"h-3", "h-4"},
		"date=2025-01-10 - 2025-01-31&limit=50&status=REFUND":                {},
		"date=2025-01-10 - 2025-01-31&limit=50&account=0123456789":           {"h-1", "h-4", "h-5"},
		"date=2025-01-10 - 2025-01-31&limit=50&account=0123456789&product=D": {"h-1", "h-4"},
	}
	for q, want := range cases {
		t.Run(q, func(t *testing.T) {
			encoded := ""
			for i := 0; i < len(q); i++ {
				if q[i] == ' ' {
					encoded += "%20"
				} else {
					encoded += q[i : i+1]
				}
			}
			assert.Equal(t, want, refids(c.history(t, encoded)))
		})
	}
	empty := c.history(t, "date=2025-01-17&limit=5")
	assert.Equal(t, "0", empty.Meta["transaction_count"])
	assert.Equal(t, "0.0000", empty.Meta["total_amount"])
}

func TestHistoryBadQueries(t *testing.T) {
	t.Parallel()
	_, c, _ := startFake(t)
	for _, q := range []string{
		"limit=5",
		"date=2025-01-15",
		"date=15-01-2025&limit=5",
		"date=2025-01-31+-+2025-01-01&limit=5",
		"date=2025-01-01-2025-01-31&limit=5",
		"date=2025-01-15&limit=0",
		"date=2025-01-15&limit=1001",
		"date=2025-01-15&limit=x",
		"date=2025-01-15&limit=5&offset=-1",
		"date=2025-01-15&limit=5&status=DONE",
		"date=2025-01-15&limit=5&status=successful",
	} {
		status, body := c.do(http.MethodGet, "/v2/transactions?"+q, nil)
		assert.Equal(t, http.StatusBadRequest, status, q)
		assert.Contains(t, string(body), `"error":"invalid_`, q)
	}
}
