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

func compact(t *testing.T, s string) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, json.Compact(&buf, []byte(s)))
	return buf.String()
}

func TestBalanceMatchesWalkthrough(t *testing.T) {
	t.Parallel()
	_, c, _ := startFake(t)
	status, body := c.do(http.MethodGet, "/v2/balance", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, compact(t, `{"data":{"account":"3100528","name":"Demo Merchant Sdn Bhd","balance":950,"level":"12","access":0}}`), string(body))
}

func TestBalanceOption(t *testing.T) {
	t.Parallel()
	srv, c, _ := startFake(t, iimmpacttest.WithBalance(iimmpact.MustParseAmount("48.6333")))
	_, body := c.do(http.MethodGet, "/v2/balance", nil)
	assert.Contains(t, string(body), `"balance":48.6333,`)
	srv.SetBalance(iimmpact.MustParseAmount("12.50"))
	_, body = c.do(http.MethodGet, "/v2/balance", nil)
	assert.Contains(t, string(body), `"balance":12.5,`)
	assert.Equal(t, "12.5", srv.Balance().String())
}

const seedDigi = `{
      "status": "Active",
      "has_subproduct": false,
      "product_code": "D",
      "product_name": "Digi Prepaid",
      "product_remarks": "Top up will be credited to the mobile number.",
      "account_label": "Mobile Number",
      "keyboard_type": "Numeric",
      "denomination": "5,10,15,20,25,30,50,100",
      "common_denominations": "10,30,50",
      "denomination_data_type": "Integer",
      "denomination_currency": "MYR",
      "product_group": "Mobile Reload",
      "category": "Prepaid",
      "image_url": "https://dashboard.iimmpact.com/img/D.png",
      "account_type": "phone_number",
      "is_refundable": false
    }`

func TestProductListCarriesWalkthroughDigiRecord(t *testing.T) {
	t.Parallel()
	srv, c, _ := startFake(t)
	status, body := c.do(http.MethodGet, "/v2/product-list", nil)
	require.Equal(t, http.StatusOK, status)
	var env struct{ Data []json.RawMessage }
	require.NoError(t, json.Unmarshal(body, &env))
	require.NotEmpty(t, env.Data)
	assert.Equal(t, compact(t, seedDigi), string(env.Data[0]))

	codes := []string{}
	for _, raw := range env.Data {
		var p struct {
			ProductCode string `json:"product_code"`
		}
		require.NoError(t, json.Unmarshal(raw, &p))
		codes = append(codes, p.ProductCode)
	}
	assert.Equal(t, []string{"D", "C", "M", "TNB", "GC", "DB", "JOMPAY", "PTPTN", "HI", "ESIM"}, codes)
	assert.Equal(t, codes, srv.ProductCodes())
}

func TestNetworkStatus(t *testing.T) {
	t.Parallel()
	srv, c, _ := startFake(t, iimmpacttest.WithNetworkStatus("C", "Interruption"))
	status, body := c.do(http.MethodGet, "/v2/networkstatus?product=D", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, compact(t, `{"data":{"product_code":"D","product_name":"Digi Prepaid",
		"product_img":"https://dashboard.iimmpact.com/img/D.png","network_status":"Healthy"},
		"metadata":{"status_code":200,"last_updated":"15-01-2025 10:23:47"}}`), string(body))

	_, body = c.do(http.MethodGet, "/v2/networkstatus?product=C", nil)
	assert.Contains(t, string(body), `"network_status":"Interruption"`)

	srv.SetNetworkStatus("D", "Interruption")
	_, body = c.do(http.MethodGet, "/v2/networkstatus?product=D", nil)
	assert.Contains(t, string(body), `"network_status":"Interruption"`)

	// Interruption is advisory: payment still goes through.
	code, data := c.topup("net-1", "D", "0123456789", 10)
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "20", num(data["statusCode"]))

	for _, target := range []string{"/v2/networkstatus?product=XYZ", "/v2/networkstatus"} {
		status, body = c.do(http.MethodGet, target, nil)
		assert.Equal(t, http.StatusBadRequest, status, target)
		assert.Contains(t, string(body), `"error":"invalid_product"`)
	}
}

func TestUnknownPathAndWrongMethod(t *testing.T) {
	t.Parallel()
	_, c, _ := startFake(t)
	status, body := c.do(http.MethodGet, "/v2/nope", nil)
	assert.Equal(t, http.StatusNotFound, status)
	assert.JSONEq(t, `{"error":"not_found","message":"No route for /v2/nope"}`, string(body))

	resp, body, err := c.send(http.MethodPost, "/v2/balance", nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	assert.Equal(t, http.MethodGet, resp.Header.Get("Allow"))
	assert.Contains(t, string(body), `"error":"method_not_allowed"`)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
}

func TestRequestsCountsEverything(t *testing.T) {
	t.Parallel()
	srv, c, _ := startFake(t)
	c.do(http.MethodGet, "/v2/balance", nil)
	c.do(http.MethodGet, "/v2/balance", nil, func(r *http.Request) { r.Header.Del("X-Signature") })
	c.do(http.MethodPost, "/v2/balance", nil)
	c.do(http.MethodGet, "/v2/missing", nil)
	assert.Equal(t, 3, srv.Requests("/v2/balance"))
	assert.Equal(t, 1, srv.Requests("/v2/missing"))
	assert.Equal(t, 0, srv.Requests("/v2/topup"))
}

func TestDateHeaderFollowsTheFakeClock(t *testing.T) {
	t.Parallel()
	_, c, clk := startFake(t)
	resp, _, err := c.send(http.MethodGet, "/v2/balance", nil)
	require.NoError(t, err)
	assert.Equal(t, "Wed, 15 Jan 2025 02:23:47 GMT", resp.Header.Get("Date"))
	clk.Advance(time.Hour)
	resp, _, err = c.send(http.MethodGet, "/v2/nope", nil)
	require.NoError(t, err)
	assert.Equal(t, "Wed, 15 Jan 2025 03:23:47 GMT", resp.Header.Get("Date"))
}
