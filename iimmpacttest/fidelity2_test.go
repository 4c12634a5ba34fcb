package iimmpacttest_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRateLimitBansTheSourceFor240Minutes(t *testing.T) {
	t.Parallel()
	_, c, clk := startFake(t, iimmpacttest.WithIPBan(3, 5*time.Minute, 240*time.Minute))
	for i := range 3 {
		status, _ := c.do(http.MethodGet, "/v2/balance", nil)
		require.Equal(t, http.StatusOK, status, "request %d", i+1)
	}
	status, body := c.do(http.MethodGet, "/v2/balance", nil)
	require.Equal(t, http.StatusForbidden, status)
	assert.Contains(t, string(body), `"error":"ip_blocked"`)
	assert.Contains(t, string(body), "240 minutes")

	clk.Advance(239 * time.Minute)
	status, _ = c.do(http.MethodGet, "/v2/balance", nil)
	assert.Equal(t, http.StatusForbidden, status, "the ban lasts the full 240 minutes")
	clk.Advance(time.Minute)
	status, _ = c.do(http.MethodGet, "/v2/balance", nil)
	assert.Equal(t, http.StatusOK, status, "lifted after 240 minutes")
}

func TestRateLimitWindowResets(t *testing.T) {
	t.Parallel()
	_, c, clk := startFake(t, iimmpacttest.WithIPBan(2, 5*time.Minute, time.Hour))
	for range 2 {
		status, _ := c.do(http.MethodGet, "/v2/balance", nil)
		require.Equal(t, http.StatusOK, status)
	}
	clk.Advance(5 * time.Minute)
	for range 2 {
		status, _ := c.do(http.MethodGet, "/v2/balance", nil)
		require.Equal(t, http.StatusOK, status, "a new window")
	}
	status, _ := c.do(http.MethodGet, "/v2/nowhere", nil)
	assert.Equal(t, http.StatusForbidden, status, "every request counts, unrouted ones too")
}

func TestCatalogRateLimitAnswers429WithRetryAfter(t *testing.T) {
	t.Parallel()
	_, c, clk := startFake(t, iimmpacttest.WithCatalogRateLimit("/v2/catalog", 60, 2))
	for range 2 {
		status, _ := c.do(http.MethodGet, "/v2/catalog", nil)
		require.Equal(t, http.StatusOK, status)
	}
	resp, _, err := c.send(http.MethodGet, "/v2/catalog", nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	assert.Equal(t, "1", resp.Header.Get("Retry-After"), "60 a minute: one token a second")
	clk.Advance(time.Second)
	status, _ := c.do(http.MethodGet, "/v2/catalog", nil)
	assert.Equal(t, http.StatusOK, status)
}

func TestCatalogRateLimitDefaultBurst(t *testing.T) {
	t.Parallel()
	_, c, _ := startFake(t)
	for i := range 20 {
		status, _ := c.do(http.MethodGet, "/v2/options?product_code=D&field_id=amount", nil)
		require.Equal(t, http.StatusOK, status, "request %d", i+1)
	}
	resp, _, err := c.send(http.MethodGet, "/v2/options?product_code=D&field_id=amount", nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode, "/v2/options bursts of 20")
	assert.NotEmpty(t, resp.Header.Get("Retry-After"))
}

func TestJomPAYNeedsAKnownBiller(t *testing.T) {
	t.Parallel()
	srv, c, _ := startFake(t)
	ic := map[string]string{"biller_code": "9999", "ic_number": "900101015555"}
	status, body := c.topupWith("jp-1", "JOMPAY", "12345678", 50, ic)
	require.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "The provided biller code is invalid", dataOf(t, body)["remarks"])

	ic["biller_code"], ic["ref2"] = "5454", "INV-7"
	status, body = c.topupWith("jp-1", "JOMPAY", "12345678", "50.10", ic)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.Equal(t, "20", num(dataOf(t, body)["statusCode"]))
	tx, _ := srv.TopupRecord("jp-1")
	assert.Equal(t, "50.1", tx.Amount.String())
}

func TestJomPAYBillPresentment(t *testing.T) {
	t.Parallel()
	_, c, _ := startFake(t)
	for _, tc := range []struct{ query, message string }{
		{"account=12345678&product=JOMPAY", "The provided biller code is invalid"},
		{"account=12345678&product=JOMPAY&biller_code=7777", "Ref-2 is required"},
		{"account=12345678&product=JOMPAY&biller_code=5454&amount=-1", "The provided amount is invalid"},
	} {
		status, body := c.do(http.MethodGet, "/v2/bill-presentment?"+tc.query, nil)
		assert.Equal(t, http.StatusBadRequest, status, tc.query)
		assert.Contains(t, string(body), `"error_message":"`+tc.message+`"`, tc.query)
	}
	status, body := c.do(http.MethodGet, "/v2/bill-presentment?account=12345678&product=JOMPAY&biller_code=7777&ref2=A1", nil)
	require.Equal(t, http.StatusOK, status)
	data := dataOf(t, body)
	assert.Equal(t, "Account no is valid", data["message"])
	assert.Equal(t, "Demo Insurance Berhad", data["BillerName"])
}

// optionCode returns the first option code of a select field.
func optionCode(t *testing.T, c *caller, query string) (code, price string) {
	status, body := c.do(http.MethodGet, "/v2/options?"+query, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	var page struct {
		Items []struct {
			Code  string
			Price *struct{ Amount string }
		}
	}
	require.NoError(t, json.Unmarshal(body, &page))
	require.NotEmpty(t, page.Items)
	if page.Items[0].Price != nil {
		price = page.Items[0].Price.Amount
	}
	return page.Items[0].Code, price
}

func TestPTPTNNeedsItsLoanAccount(t *testing.T) {
	t.Parallel()
	_, c, _ := startFake(t)
	status, _ := c.do(http.MethodGet, "/v2/options?product_code=PTPTN&field_id=loan_account", nil)
	assert.Equal(t, http.StatusBadRequest, status, "account_number is required")
	loan, _ := optionCode(t, c, "product_code=PTPTN&field_id=loan_account&account_number=900101015555")
	extras := map[string]string{"subproduct_code": "PTPTN1", "ic_number": "900101015555"}
	status, body := c.topupWith("pt-1", "PTPTN", "900101015555", 100, extras)
	require.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "Invalid_Subproduct", dataOf(t, body)["remarks"])
	extras["subproduct_code"] = loan
	status, body = c.topupWith("pt-1", "PTPTN", "900101015555", 100, extras)
	require.Equal(t, http.StatusOK, status, string(body))
}

func TestMobileDataPlanSetsTheAmount(t *testing.T) {
	t.Parallel()
	_, c, _ := startFake(t)
	plan, price := optionCode(t, c, "product_code=HI&field_id=plan&account_number=0123456789")
	require.Equal(t, "5.00", price)
	status, body := c.topupWith("hi-1", "HI", "0123456789", 6, map[string]string{"subproduct_code": plan})
	require.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "Invalid_Denomination", dataOf(t, body)["remarks"])
	status, body = c.topupWith("hi-1", "HI", "0123456789", 5, map[string]string{"subproduct_code": plan})
	require.Equal(t, http.StatusOK, status, string(body))
	status, _ = c.do(http.MethodGet, "/v2/subproducts?product_code=HI", nil)
	assert.Equal(t, http.StatusBadRequest, status, "subproducts of mobile data need account_number")
}

func TestESIMReturnsAVoucher(t *testing.T) {
	t.Parallel()
	_, c, _ := startFake(t)
	status, data := c.topup("es-1", "ESIM", "0123456789", 25)
	require.Equal(t, http.StatusOK, status)
	assert.Regexp(t, `^[A-Z0-9]{10}$`, data["pin"])
	assert.Regexp(t, `^https://`, data["voucherlink"])
	assert.Equal(t, "20250715", data["expiry"], "six months after 2025-01-15, yyyymmdd")
}

func TestCallbackSourceDefaultAndLoopbackAlias(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ source, wantRemote string }{
		{"", iimmpacttest.DefaultCallbackSource}, {"127.0.0.2", "127.0.0.2"},
	} {
		rec := &recorder{}
		hook := httptest.NewServer(rec)
		opts := []iimmpacttest.ServerOption{iimmpacttest.WithCallback(hook.URL, "POST")}
		if tc.source != "" {
			opts = append(opts, iimmpacttest.WithCallbackSource(tc.source))
		}
		srv, c, _ := startFake(t, opts...)
		c.topup("src-1", "D", "0123456789", 10)
		require.NoError(t, srv.WaitCallbacks(t.Context()))
		_, remotes, xff := rec.seen()
		require.Len(t, remotes, 1)
		assert.True(t, strings.HasPrefix(remotes[0], tc.wantRemote+":"), remotes[0])
		assert.Equal(t, "", xff[0])
		assert.Equal(t, tc.wantRemote, srv.Callbacks()[0].Source)
		hook.Close()
	}
}

func TestCallbackSourcePublishedAddressViaForwardedFor(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	hook := httptest.NewServer(rec)
	defer hook.Close()
	srv, c, _ := startFake(t, iimmpacttest.WithCallback(hook.URL, "POST"), iimmpacttest.WithCallbackSource("18.140.170.98"))
	c.topup("src-2", "D", "0123456789", 10)
	require.NoError(t, srv.WaitCallbacks(t.Context()))
	_, remotes, xff := rec.seen()
	require.Len(t, xff, 1)
	assert.Equal(t, "18.140.170.98", xff[0])
	assert.True(t, strings.HasPrefix(remotes[0], "127.0.0.1:"))
}

// webhookFake registers a catalog webhook at a TLS receiver that fails
// the first failures deliveries.
func webhookFake(t *testing.T, failures int32, opts ...iimmpacttest.ServerOption) (*iimmpacttest.Server, *caller, *testClock, *atomic.Int32, string) {
	var calls atomic.Int32
	var secret string
	hook := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		m := hmac.New(sha256.New, []byte(secret))
		m.Write(body)
		if r.Header.Get("X-Webhook-Signature") != "sha256="+hex.EncodeToString(m.Sum(nil)) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if calls.Add(1) <= failures {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	t.Cleanup(hook.Close)
	srv, c, clk := startFake(t, append([]iimmpacttest.ServerOption{iimmpacttest.WithCatalogEventClient(hook.Client()),
		iimmpacttest.WithCatalogEventPolicy(5, 5*time.Millisecond, time.Second)}, opts...)...)
	status, body := c.do(http.MethodPost, "/v2/reseller/catalog/webhook", []byte(`{"webhook_url":"`+hook.URL+`/catalog"}`))
	require.Equal(t, http.StatusOK, status)
	secret = dataOf(t, body)["secret"].(string)
	return srv, c, clk, &calls, secret
}

func TestCatalogEventOnDeactivationWithRetries(t *testing.T) {
	t.Parallel()
	srv, c, clk, calls, _ := webhookFake(t, 2)
	clk.Advance(time.Hour)
	srv.SetProductActive("C", false)
	require.NoError(t, srv.WaitCatalogEvents(t.Context()))
	att := srv.CatalogEvents()
	require.Len(t, att, 3, "two failures, then delivered")
	assert.Equal(t, []int{503, 503, 200}, []int{att[0].HTTPStatus, att[1].HTTPStatus, att[2].HTTPStatus})
	assert.GreaterOrEqual(t, att[2].Time.Sub(att[1].Time), 10*time.Millisecond, "backoff doubles")
	assert.JSONEq(t, `{"type":"product.deleted","resource":"products","id":"C","timestamp":"2025-01-15T03:23:47.910Z","data":null}`, string(att[0].Body))
	assert.Equal(t, int32(3), calls.Load())

	_, body := c.do(http.MethodGet, "/v2/catalog", nil)
	assert.NotContains(t, string(body), `"C":`)
	assert.Contains(t, string(body), `"last_updated":"2025-01-15T03:23:47Z"`)
	status, data := c.topup("gone-1", "C", "0123456789", 10)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "Invalid_Product", data["remarks"])
	_, body = c.do(http.MethodGet, "/v2/catalog?is_active=false", nil)
	assert.Contains(t, string(body), `"C":`)
}

func TestCatalogEventGivesUpAfterFiveRetries(t *testing.T) {
	t.Parallel()
	srv, _, _, calls, _ := webhookFake(t, 100)
	srv.SetProductDisplayName("D", "Digi Prepaid Reload")
	require.NoError(t, srv.WaitCatalogEvents(t.Context()))
	assert.Len(t, srv.CatalogEvents(), 6, "the first attempt and 5 retries")
	assert.Equal(t, int32(6), calls.Load())
	var ev struct {
		Type string
		Data map[string]any
	}
	require.NoError(t, json.Unmarshal(srv.CatalogEvents()[0].Body, &ev))
	assert.Equal(t, "product.updated", ev.Type)
	assert.Equal(t, map[string]any{"product_code": "D", "product_category_code": "MOBILE_PREPAID", "name": "Digi Prepaid",
		"display_name": "Digi Prepaid Reload", "image_url": "https://dashboard.iimmpact.com/img/D.png",
		"processing_time": "instant", "is_active": true}, ev.Data)
}

func TestCatalogEventsAreNotQueuedWhileDisabled(t *testing.T) {
	t.Parallel()
	srv, c, _, calls, _ := webhookFake(t, 0)
	status, _ := c.do(http.MethodPut, "/v2/reseller/catalog/webhook", []byte(`{"enabled":false}`))
	require.Equal(t, http.StatusOK, status)
	srv.SetProductActive("M", false)
	status, _ = c.do(http.MethodPut, "/v2/reseller/catalog/webhook", []byte(`{"enabled":true}`))
	require.Equal(t, http.StatusOK, status)
	require.NoError(t, srv.WaitCatalogEvents(t.Context()))
	assert.Empty(t, srv.CatalogEvents())
	assert.Equal(t, int32(0), calls.Load())
}
