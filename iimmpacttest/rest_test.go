package iimmpacttest_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"

	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var restRoutes = []struct{ method, path string }{
	{"GET", "/v2/subproducts?product_code=D"},
	{"GET", "/v2/options?product_code=D&field_id=amount"},
	{"GET", "/v2/catalog"},
	{"GET", "/v2/bill-presentment?account=1&product=TNB"},
	{"GET", "/v2/balance-statement?date=2025-05-01"},
	{"GET", "/v2/callback-url"},
	{"POST", "/v2/callback-url?url=https%3A%2F%2Fm.example.com%2Fcb&method=POST"},
	{"GET", "/v2/low-balance-threshold"},
	{"POST", "/v2/low-balance-threshold?amount=100"},
	{"POST", "/v2/transactions/void"},
	{"POST", "/v2/transactions/check"},
	{"GET", "/v2/reseller/catalog/webhook"},
	{"POST", "/v2/reseller/catalog/webhook/rotate"},
}

func TestRestRoutesRequireSignature(t *testing.T) {
	t.Parallel()
	_, c, _ := startFake(t)
	for _, r := range restRoutes {
		status, body := c.do(r.method, r.path, nil, func(req *http.Request) { req.Header.Set("X-Signature", "v1=AAAA") })
		assert.Equal(t, http.StatusUnauthorized, status, r.path)
		assert.Contains(t, string(body), "invalid_signature", r.path)
	}
}

func TestRestWrongMethods(t *testing.T) {
	t.Parallel()
	_, c, _ := startFake(t)
	for _, tc := range []struct{ method, path, allow string }{
		{"DELETE", "/v2/callback-url", "GET, POST"},
		{"PUT", "/v2/low-balance-threshold", "GET, POST"},
		{"PATCH", "/v2/reseller/catalog/webhook", "DELETE, GET, POST, PUT"},
		{"GET", "/v2/transactions/void", "POST"},
	} {
		resp, _, err := c.send(tc.method, tc.path, nil)
		require.NoError(t, err)
		assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode, tc.path)
		assert.Equal(t, tc.allow, resp.Header.Get("Allow"), tc.path)
	}
}

func TestSettingsTakeQueryNotBody(t *testing.T) {
	t.Parallel()
	_, c, _ := startFake(t)
	status, body := c.do("POST", "/v2/low-balance-threshold", []byte(`{"amount":100}`))
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, string(body), "unexpected_body")
	status, _ = c.do("POST", "/v2/low-balance-threshold?amount=0.5", nil)
	assert.Equal(t, http.StatusBadRequest, status, "RM 1 is the minimum")
	status, _ = c.do("POST", "/v2/callback-url?url=ftp%3A%2F%2Fx&method=POST", nil)
	assert.Equal(t, http.StatusBadRequest, status)

	// POST answers yyyy-MM-dd HH:mm:ss, GET dd-MM-yyyy HH:mm:ss, as documented.
	_, body = c.do("POST", "/v2/low-balance-threshold?amount=1000", nil)
	var env struct {
		Data map[string]any `json:"data"`
		Meta struct {
			LastUpdated string `json:"last_updated"`
		} `json:"@metadata"`
	}
	require.NoError(t, json.Unmarshal(body, &env))
	assert.Regexp(t, regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$`), env.Meta.LastUpdated)
	assert.Equal(t, float64(1000), env.Data["BalanceThreshold"])
	_, body = c.do("GET", "/v2/low-balance-threshold", nil)
	require.NoError(t, json.Unmarshal(body, &env))
	assert.Regexp(t, regexp.MustCompile(`^\d\d-\d\d-\d{4} \d\d:\d\d:\d\d$`), env.Meta.LastUpdated)
}

func TestRestValidation(t *testing.T) {
	t.Parallel()
	_, c, _ := startFake(t)
	for _, tc := range []struct {
		method, path, body string
		want               int
	}{
		{"GET", "/v2/options?product_code=D", "", 400},
		{"GET", "/v2/options?product_code=D&field_id=amount&limit=1001", "", 400},
		{"GET", "/v2/options?product_code=NOPE&field_id=amount", "", 400},
		{"GET", "/v2/subproducts", "", 400},
		{"GET", "/v2/balance-statement?date=2025-05-01&type=WITHDRAWAL", "", 400},
		{"GET", "/v2/balance-statement?date=May", "", 400},
		{"GET", "/v2/bill-presentment?product=TNB", "", 400},
		{"POST", "/v2/transactions/void", `{"refid":"x"}`, 400},
		{"POST", "/v2/transactions/void", `{"refid":"x","refund_type":3}`, 400},
		{"POST", "/v2/transactions/check", `{}`, 400},
		{"PUT", "/v2/reseller/catalog/webhook", `{"enabled":true}`, 404},
		{"PUT", "/v2/reseller/catalog/webhook", `{}`, 400},
		{"DELETE", "/v2/reseller/catalog/webhook", ``, 404},
		{"POST", "/v2/reseller/catalog/webhook", `{"webhook_url":"http://plain.example.com/hook"}`, 400},
		{"POST", "/v2/reseller/catalog/webhook/rotate", ``, 404},
	} {
		status, body := c.do(tc.method, tc.path, []byte(tc.body))
		assert.Equal(t, tc.want, status, "%s %s %s: %s", tc.method, tc.path, tc.body, body)
	}
}

func TestSendCatalogEventSignsTheBody(t *testing.T) {
	t.Parallel()
	srv, c, _ := startFake(t)
	var got struct {
		sig  string
		body []byte
	}
	receiver := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.sig = r.Header.Get("X-Webhook-Signature")
		got.body, _ = io.ReadAll(r.Body)
	}))
	defer receiver.Close()
	assert.ErrorIs(t, srv.SendCatalogEvent(context.Background(), receiver.Client(), "product.updated", "D", nil), iimmpacttest.ErrNoCatalogWebhook)

	status, body := c.do("POST", "/v2/reseller/catalog/webhook", []byte(`{"webhook_url":"`+receiver.URL+`"}`))
	require.Equal(t, http.StatusOK, status, string(body))
	secret, _ := dataOf(t, body)["secret"].(string)
	require.NotEmpty(t, secret)

	require.NoError(t, srv.SendCatalogEvent(context.Background(), receiver.Client(), "category.deleted", "cat_prepaid", map[string]any{"x": 1}))
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(got.body)
	assert.Equal(t, "sha256="+hex.EncodeToString(m.Sum(nil)), got.sig)
	var ev map[string]any
	require.NoError(t, json.Unmarshal(got.body, &ev))
	assert.Equal(t, "categories", ev["resource"])
	assert.Nil(t, ev["data"], "data is null for *.deleted")
	assert.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`, ev["timestamp"])
}
