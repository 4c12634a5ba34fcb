package iimmpacttest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// topupWith posts a topup body with extras.
func (c *caller) topupWith(refid, product, account string, amount any, extras map[string]string) (int, []byte) {
	body, err := json.Marshal(map[string]any{"refid": refid, "product": product, "account": account, "amount": amount, "extras": extras})
	require.NoError(c.t, err)
	return c.do(http.MethodPost, "/v2/topup", body)
}

// recorder is a callback receiver that keeps what it was sent.
type recorder struct {
	mu       sync.Mutex
	statuses []string
	remotes  []string
	xff      []string
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	var env struct {
		Data struct {
			Status string `json:"status"`
		} `json:"data"`
	}
	_ = json.Unmarshal(body, &env)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.statuses = append(r.statuses, env.Data.Status)
	r.remotes = append(r.remotes, req.RemoteAddr)
	r.xff = append(r.xff, req.Header.Get("X-Forwarded-For"))
}

func (r *recorder) seen() ([]string, []string, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.statuses...), append([]string(nil), r.remotes...), append([]string(nil), r.xff...)
}

func TestAcceptedThenProcessingThenFinal(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	hook := httptest.NewServer(rec)
	defer hook.Close()
	srv, c, _ := startFake(t, iimmpacttest.WithAccepted(1), iimmpacttest.WithSettleAfter(1),
		iimmpacttest.WithCallback(hook.URL, "POST"), iimmpacttest.WithCallbackPolicy(0, 0, time.Second))
	var seen []string
	for range 3 {
		status, data := c.topup("acc-1", "D", "0123456789", 30)
		require.Equal(t, http.StatusOK, status)
		seen = append(seen, num(data["statusCode"])+" "+data["status"].(string))
	}
	assert.Equal(t, []string{"0 Accepted", "1 Processing", "20 Succesful"}, seen)
	assert.Equal(t, "920.6", srv.Balance().String(), "debited once, on success")
	require.NoError(t, srv.WaitCallbacks(t.Context()))
	statuses, _, _ := rec.seen()
	assert.Equal(t, []string{"Processing", "Succesful"}, statuses, "no callback for Accepted")
}

func TestAcceptedSettlesByHand(t *testing.T) {
	t.Parallel()
	srv, c, _ := startFake(t, iimmpacttest.WithAccepted(5))
	_, data := c.topup("acc-2", "D", "0123456789", 10)
	assert.Equal(t, "0", num(data["statusCode"]))
	require.True(t, srv.Settle("acc-2"))
	_, data = c.topup("acc-2", "D", "0123456789", 10)
	assert.Equal(t, "20", num(data["statusCode"]))
}

// validationCases are the announced validation errors (and missing extras).
var validationCases = []struct {
	name, product, account string
	amount                 any
	extras                 map[string]string
	field, message         string
}{
	{"missing account", "D", "", 10, nil, "account", "The account field is required."},
	{"amount not a number", "D", "0123456789", "ten", nil, "amount", "The amount must be a number."},
	{"decimal for integer-only product", "DB", "0123456789", 22.23, nil, "amount", "The amount must be an integer."},
	{"account format", "D", "01-2345", 10, nil, "account", "The account format is invalid."},
	{"JomPAY without account", "JOMPAY", "", 50, map[string]string{"biller_code": "5454", "ic_number": "900101015555"}, "account", "The account field is required."},
	{"JomPAY without biller", "JOMPAY", "12345678", 50, map[string]string{"ic_number": "900101015555"}, "extras.biller_code", "The extras.biller_code field is required."},
	{"PTPTN without IC", "PTPTN", "900101015555", 50, map[string]string{"subproduct_code": "x"}, "extras.ic_number", "The extras.ic_number field is required."},
	{"data plan without plan", "HI", "0123456789", 30, nil, "extras.subproduct_code", "The extras.subproduct_code field is required."},
}

func TestValidationErrorsLaravelBeforeTheChange(t *testing.T) {
	t.Parallel()
	for _, tc := range validationCases {
		t.Run(tc.name, func(t *testing.T) {
			srv, c, _ := startFake(t) // the test clock reads January 2025
			status, body := c.topupWith("v-1", tc.product, tc.account, tc.amount, tc.extras)
			require.Equal(t, http.StatusBadRequest, status)
			want, _ := json.Marshal(map[string]any{"message": "The given data was invalid.",
				"errors": map[string][]string{tc.field: {tc.message}}})
			assert.JSONEq(t, string(want), string(body))
			assert.Empty(t, srv.TopupRecords(), "no transaction: the refid is free")
		})
	}
}

func TestValidationErrorsStandardFromTheChange(t *testing.T) {
	t.Parallel()
	for _, tc := range validationCases {
		t.Run(tc.name, func(t *testing.T) {
			srv, c, clk := startFake(t)
			clk.Set(time.Date(2026, 3, 23, 0, 0, 0, 0, time.FixedZone("MYT", 8*3600)))
			status, body := c.topupWith("v-1", tc.product, tc.account, tc.amount, tc.extras)
			require.Equal(t, http.StatusBadRequest, status)
			data := dataOf(t, body)
			assert.Equal(t, "58", num(data["statusCode"]))
			assert.Equal(t, "Failed", data["status"])
			assert.Equal(t, tc.message, data["remarks"])
			assert.Equal(t, "2026-03-23 00:00:00", data["timestamp"])
			for _, k := range []string{"productName", "sn", "pin", "expiry", "note", "voucherlink", "cost", "balance"} {
				assert.Contains(t, data, k, "the announcement's full data object")
			}
			assert.Empty(t, srv.TopupRecords())
		})
	}
}

func TestValidationFormBoundaryAndOverride(t *testing.T) {
	t.Parallel()
	_, c, clk := startFake(t)
	clk.Set(time.Date(2026, 3, 22, 23, 59, 59, 0, time.FixedZone("MYT", 8*3600)))
	_, body := c.topupWith("b-1", "D", "", 10, nil)
	assert.Contains(t, string(body), `"errors"`, "one second before the change: Laravel")
	clk.Advance(time.Second)
	_, body = c.topupWith("b-1", "D", "", 10, nil)
	assert.Contains(t, string(body), `"statusCode":58`)

	_, c, _ = startFake(t, iimmpacttest.WithValidationErrors(iimmpacttest.ValidationStandard))
	_, body = c.topupWith("b-2", "D", "", 10, nil)
	assert.Contains(t, string(body), `"statusCode":58`, "forced standard in 2025")

	_, c, clk = startFake(t, iimmpacttest.WithValidationErrors(iimmpacttest.ValidationLaravel))
	clk.Advance(3 * 365 * 24 * time.Hour)
	_, body = c.topupWith("b-3", "DB", "", "1.5", nil)
	assert.JSONEq(t, `{"message":"The given data was invalid.","errors":{"account":["The account field is required."]}}`, string(body),
		"forced Laravel after the change; product checks wait for the request checks")
}

func TestValidationErrorLeavesRefIDFree(t *testing.T) {
	t.Parallel()
	srv, c, _ := startFake(t)
	status, _ := c.topupWith("free-1", "DB", "0123456789", 22.23, nil)
	require.Equal(t, http.StatusBadRequest, status)
	status, data := c.topup("free-1", "DB", "0123456789", 22)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "20", num(data["statusCode"]))
	assert.Len(t, srv.TopupRecords(), 1)
}
