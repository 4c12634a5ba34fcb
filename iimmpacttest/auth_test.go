package iimmpacttest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The signing helper must reproduce the spec's cross-checked vectors, or
// every other test here proves nothing.
func TestHelperSignerMatchesSpecVectors(t *testing.T) {
	t.Parallel()
	const secret = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	const ts, nonce = "1704067200", "req-1704067200-a1b2c3d4e5f6a7b8"
	assert.Equal(t, "v1=6DsQ9h4Ol1bdn0DGwd02wira6/xyjYKdCc3R2oZXce4=", testSign(secret, ts, nonce, "GET", "", nil))
	assert.Equal(t, "v1=XCNxFfcGDl4m/Yzyou/uemWQJqC/x/qrKxV92QMRGVE=", testSign(secret, ts, nonce, "POST", "",
		[]byte(`{"refid":"ORDER-0001","product":"D","account":"0123456789","amount":10}`)))
	assert.Equal(t, "v1=VKEcxnP8u4OV+y2vk4xLeujoxVwulAWcuNrxBMZaCiQ=", testSign(secret, ts, nonce, "GET",
		testCanonicalQuery("product=D&limit=50&date=2025-05-01"), nil))
}

func TestSignedRequestAccepted(t *testing.T) {
	t.Parallel()
	_, c, _ := startFake(t)
	status, body := c.do(http.MethodGet, "/v2/balance", nil)
	require.Equal(t, http.StatusOK, status, string(body))
}

func TestFixedCredentialsAreUsed(t *testing.T) {
	t.Parallel()
	const secret = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	srv, c, _ := startFake(t, iimmpacttest.WithCredentials("iimm_dev_fixed", secret))
	assert.Equal(t, "iimm_dev_fixed", srv.APIKey)
	assert.Equal(t, secret, srv.HMACSecret)
	status, _ := c.do(http.MethodGet, "/v2/balance", nil)
	assert.Equal(t, http.StatusOK, status)
}

func TestRandomCredentialsLookRight(t *testing.T) {
	t.Parallel()
	a, _, _ := startFake(t)
	b, _, _ := startFake(t)
	assert.Regexp(t, `^iimm_dev_[0-9a-f]{32}$`, a.APIKey)
	assert.Len(t, a.HMACSecret, 44) // Base64 of 32 bytes
	assert.NotEqual(t, a.APIKey, b.APIKey)
	assert.NotEqual(t, a.HMACSecret, b.HMACSecret)
}

func TestAuthenticationFailures(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		mod  reqMod
		code string
	}{
		{"bad signature", func(r *http.Request) {
			r.Header.Set("X-Signature", "v1=6DsQ9h4Ol1bdn0DGwd02wira6/xyjYKdCc3R2oZXce4=")
		}, "invalid_signature"},
		{"hex signature", func(r *http.Request) {
			r.Header.Set("X-Signature", "v1=e83b10f61e0e9756dd9f40c6c1dd36c22adaebfc728d829d09cdd1da865771ee")
		}, "invalid_signature"},
		{"missing v1 prefix", func(r *http.Request) { r.Header.Set("X-Signature", r.Header.Get("X-Signature")[3:]) }, "invalid_signature"},
		{"wrong key", func(r *http.Request) { r.Header.Set("X-Api-Key", "iimm_prod_somebodyelse") }, "invalid_api_key"},
		{"missing nonce", func(r *http.Request) { r.Header.Del("X-Nonce") }, "missing_credentials"},
		{"millisecond timestamp", func(r *http.Request) { r.Header.Set("X-Timestamp", r.Header.Get("X-Timestamp")+"000") }, "timestamp_out_of_window"},
		{"path is not signed but query is", func(r *http.Request) { r.URL.RawQuery = "product=D" }, "invalid_signature"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, c, _ := startFake(t)
			status, body := c.do(http.MethodGet, "/v2/balance", nil, tc.mod)
			assertAuthError(t, status, body, tc.code)
		})
	}
}

func assertAuthError(t *testing.T, status int, body []byte, code string) {
	t.Helper()
	require.Equal(t, http.StatusUnauthorized, status, string(body))
	var e struct{ Error, Message string }
	require.NoError(t, json.Unmarshal(body, &e), string(body))
	assert.Equal(t, code, e.Error)
	assert.NotEmpty(t, e.Message)
}

func TestTimestampWindow(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		skew time.Duration
		ok   bool
	}{{-300 * time.Second, true}, {300 * time.Second, true}, {-301 * time.Second, false}, {301 * time.Second, false}} {
		t.Run(fmt.Sprint(tc.skew), func(t *testing.T) {
			srv, _, clk := startFake(t)
			skewed := newCaller(t, srv, func() time.Time { return clk.Now().Add(tc.skew) })
			status, body := skewed.do(http.MethodGet, "/v2/balance", nil)
			if tc.ok {
				assert.Equal(t, http.StatusOK, status, string(body))
			} else {
				assertAuthError(t, status, body, "timestamp_out_of_window")
			}
		})
	}
}

func TestNonceRules(t *testing.T) {
	t.Parallel()
	_, c, clk := startFake(t)
	var nonce string
	fixed := func(n string) reqMod {
		return func(r *http.Request) {
			ts := r.Header.Get("X-Timestamp")
			r.Header.Set("X-Nonce", n)
			r.Header.Set("X-Signature", testSign(c.secret, ts, n, r.Method, testCanonicalQuery(r.URL.RawQuery), nil))
		}
	}
	t.Run("short", func(t *testing.T) {
		status, body := c.do(http.MethodGet, "/v2/balance", nil, fixed("fifteen-chars-x"))
		assertAuthError(t, status, body, "invalid_nonce")
	})
	t.Run("too long", func(t *testing.T) {
		long := make([]byte, 129)
		for i := range long {
			long[i] = 'n'
		}
		status, body := c.do(http.MethodGet, "/v2/balance", nil, fixed(string(long)))
		assertAuthError(t, status, body, "invalid_nonce")
	})
	t.Run("replayed", func(t *testing.T) {
		nonce = "sixteen-chars-ok"
		status, body := c.do(http.MethodGet, "/v2/balance", nil, fixed(nonce))
		require.Equal(t, http.StatusOK, status, string(body))
		status, body = c.do(http.MethodGet, "/v2/balance", nil, fixed(nonce))
		assertAuthError(t, status, body, "nonce_reused")
		// Even on another path: nonces are global to the key.
		status, body = c.do(http.MethodGet, "/v2/product-list", nil, fixed(nonce))
		assertAuthError(t, status, body, "nonce_reused")
	})
	t.Run("unsigned junk does not burn a nonce", func(t *testing.T) {
		n := "junk-nonce-123456789"
		status, body := c.do(http.MethodGet, "/v2/balance", nil, func(r *http.Request) {
			r.Header.Set("X-Nonce", n)
		})
		assertAuthError(t, status, body, "invalid_signature")
		status, body = c.do(http.MethodGet, "/v2/balance", nil, fixed(n))
		assert.Equal(t, http.StatusOK, status, string(body))
	})
	t.Run("many nonces expire without breaking replay detection", func(t *testing.T) {
		burst := func() {
			var wg sync.WaitGroup
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range 140 {
						status, _ := c.do(http.MethodGet, "/v2/balance", nil)
						assert.Equal(t, http.StatusOK, status)
					}
				}()
			}
			wg.Wait()
		}
		burst() // more than the 1024 nonces that trigger a sweep
		clk.Advance(10 * time.Minute)
		burst()
		recent := "recent-nonce-abcdefgh"
		status, _ := c.do(http.MethodGet, "/v2/balance", nil, fixed(recent))
		require.Equal(t, http.StatusOK, status)
		status, body := c.do(http.MethodGet, "/v2/balance", nil, fixed(recent))
		assertAuthError(t, status, body, "nonce_reused")
	})
}

func TestBodyIsPartOfSignature(t *testing.T) {
	t.Parallel()
	_, c, _ := startFake(t)
	body := []byte(`{"refid":"r-body-1","product":"D","account":"0123456789","amount":10}`)
	status, resp := c.do(http.MethodPost, "/v2/topup", body, func(r *http.Request) {
		// Re-serialised JSON (spaces) differs from the bytes that were signed.
		r.Body = http.NoBody
		r.ContentLength = 0
	})
	assertAuthError(t, status, resp, "invalid_signature")
}

func TestQueryCanonicalisationWithRangeAndRepeatedKeys(t *testing.T) {
	t.Parallel()
	_, c, _ := startFake(t)
	// Spaces in the date range, reserved characters, keys out of order and
	// repeated status keys out of value order.
	target := "/v2/transactions?status=SUCCESSFUL&limit=50&date=2025-01-01+-+2025-01-31&status=FAILED&offset=0&product=D"
	status, body := c.do(http.MethodGet, target, nil)
	require.Equal(t, http.StatusOK, status, string(body))

	target = "/v2/transactions?date=2025-01-01%20-%202025-01-31&status=PENDING&status=FAILED&limit=5"
	status, body = c.do(http.MethodGet, target, nil)
	require.Equal(t, http.StatusOK, status, string(body))

	// Signing the repeated values in their original order is refused.
	status, body = c.do(http.MethodGet, target, nil, func(r *http.Request) {
		ts, nonce := r.Header.Get("X-Timestamp"), r.Header.Get("X-Nonce")
		q := "date=2025-01-01 - 2025-01-31&limit=5&status=PENDING&status=FAILED"
		r.Header.Set("X-Signature", testSign(c.secret, ts, nonce, "GET", q, nil))
	})
	assertAuthError(t, status, body, "invalid_signature")
}
