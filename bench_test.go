package iimmpact

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// BenchmarkSign signs the seed's topup POST, nonce generation included.
// Compare with BenchmarkSignBaseline, the bare primitives in the same run.
func BenchmarkSign(b *testing.B) {
	s, _ := NewSigner(testKey, testSecret)
	body := fixture(b, "topup_request.json")
	req, _ := http.NewRequest("POST", "https://api.iimmpact.com/v2/topup", nil)
	req.Header = make(http.Header, 8)
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Sign(req, body, now, uuid.NewString()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSignBaseline does only what any signer must: SHA-256 of the body,
// HMAC-SHA256 of the canonical string, two Base64 encodings and one UUID.
func BenchmarkSignBaseline(b *testing.B) {
	key, _ := base64.StdEncoding.DecodeString(testSecret)
	body := fixture(b, "topup_request.json")
	canonPrefix := "v1:1704067200:"
	b.ReportAllocs()
	for b.Loop() {
		nonce := uuid.NewString()
		h := sha256.Sum256(body)
		bh := base64.StdEncoding.EncodeToString(h[:])
		m := hmac.New(sha256.New, key)
		io.WriteString(m, canonPrefix+nonce+":POST::"+bh)
		_ = base64.StdEncoding.EncodeToString(m.Sum(nil))
	}
}

// balanceServer answers /v2/balance with the seed body on loopback.
func balanceServer(b *testing.B) *httptest.Server {
	body := fixture(b, "balance.json")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Signature") == "" {
			w.WriteHeader(401)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// BenchmarkBalanceRoundTrip compares Client.Balance with a hand-written
// net/http + encoding/json call carrying the same signing headers, against
// the same loopback server, and the SDK with retries off.
func BenchmarkBalanceRoundTrip(b *testing.B) {
	srv := balanceServer(b)
	ctx := context.Background()
	run := func(b *testing.B, c *Client) {
		b.Cleanup(c.CloseIdleConnections) // no idle connections left to the next run
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Balance(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("sdk", func(b *testing.B) {
		// Pacing off (loopback only): the limiter guards IIMMPACT's ban,
		// and at 50 requests/s would measure only itself.
		c, _ := New(testKey, testSecret, WithBaseURL(srv.URL), WithRateLimit(0, 0))
		run(b, c)
	})
	b.Run("sdk-no-retries", func(b *testing.B) {
		c, _ := New(testKey, testSecret, WithBaseURL(srv.URL), WithRateLimit(0, 0), WithRetryPolicy(RetryPolicy{MaxAttempts: 1}))
		run(b, c)
	})
	b.Run("hand-written", func(b *testing.B) {
		// What a careful hand-written client uses: the default transport
		// with more idle connections per host.
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 128
		hc := &http.Client{Transport: tr}
		b.Cleanup(hc.CloseIdleConnections)
		key, _ := base64.StdEncoding.DecodeString(testSecret)
		empty := sha256.Sum256(nil)
		emptyHash := base64.StdEncoding.EncodeToString(empty[:])
		b.ReportAllocs()
		for b.Loop() {
			ts := strconv.FormatInt(time.Now().Unix(), 10)
			nonce := uuid.NewString()
			m := hmac.New(sha256.New, key)
			io.WriteString(m, strings.Join([]string{"v1", ts, nonce, "GET", "", emptyHash}, ":"))
			req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/v2/balance", nil)
			req.Header.Set("X-Api-Key", testKey)
			req.Header.Set("X-Timestamp", ts)
			req.Header.Set("X-Nonce", nonce)
			req.Header.Set("X-Signature", "v1="+base64.StdEncoding.EncodeToString(m.Sum(nil)))
			req.Header.Set("Content-Type", "application/json")
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			var out struct {
				Data struct {
					Account string      `json:"account"`
					Name    string      `json:"name"`
					Balance json.Number `json:"balance"`
					Level   string      `json:"level"`
					Access  int         `json:"access"`
				} `json:"data"`
			}
			err = json.NewDecoder(resp.Body).Decode(&out)
			resp.Body.Close()
			if err != nil || resp.StatusCode != 200 {
				b.Fatal(err, resp.StatusCode)
			}
		}
	})
}
