package iimmpact

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
)

// BenchmarkSign signs the seed's topup POST, a fresh UUID nonce included,
// beside its floor: "baseline" is a careful hand-written signer for the same
// request (minimalSigner). It keys HMAC once (Reset per call, under a mutex,
// as a signer safe for concurrent use must), builds the canonical string in
// a reused buffer, encodes into stack arrays, makes the timestamp and the
// signature one string and sets the same four headers (their values in one
// array). Compare the two with benchstat -col /impl.
func BenchmarkSign(b *testing.B) {
	body := fixture(b, "topup_request.json")
	now := time.Now()
	base := newMinimalSigner(testKey, testSecret)
	baseHeader := make(http.Header, 8)
	baseline := func() error {
		base.sign(baseHeader, "POST", "", body, now.Unix(), uuid.NewString())
		return nil
	}
	s, _ := NewSigner(testKey, testSecret)
	req, _ := http.NewRequest("POST", "https://api.iimmpact.com/v2/topup", nil)
	req.Header = make(http.Header, 8)
	sdk := func() error { return s.Sign(req, body, now, uuid.NewString()) }
	runPair(b, baseline, sdk, 16)
}

// runPair runs a benchmark's two implementations of one operation, each
// as its own sub-benchmark (impl=baseline, impl=sdk: compare them with
// benchstat -col /impl), then interleaved (impl=interleaved, see
// interleave).
func runPair(b *testing.B, baseline, sdk func() error, block int) {
	for _, impl := range []struct {
		name string
		op   func() error
	}{{"baseline", baseline}, {"sdk", sdk}} {
		b.Run("impl="+impl.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := impl.op(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("impl=interleaved", func(b *testing.B) { interleave(b, baseline, sdk, block) })
}

// interleave times the two implementations in alternating blocks of block
// operations (which goes first alternates too), so that whatever else the
// shared machine does lands on both alike, and reports the ratio of their
// total times as sdk/baseline. It is fair only for pairs that allocate
// about alike (Sign, Balance): the collector's work that one starts can
// land in the other's block, which would flatter the one allocating more.
func interleave(b *testing.B, baseline, sdk func() error, block int) {
	var tBase, tSDK time.Duration
	timed := func(op func() error) time.Duration {
		start := time.Now()
		for range block {
			if err := op(); err != nil {
				b.Fatal(err)
			}
		}
		return time.Since(start)
	}
	sdkFirst := false
	for b.Loop() {
		if sdkFirst {
			tSDK += timed(sdk)
			tBase += timed(baseline)
		} else {
			tBase += timed(baseline)
			tSDK += timed(sdk)
		}
		sdkFirst = !sdkFirst
	}
	b.ReportMetric(float64(tSDK)/float64(tBase), "sdk/baseline")
}

// minimalSigner is the hand-written signer BenchmarkSignBaseline and the
// hand-written Balance client use.
type minimalSigner struct {
	mu     sync.Mutex
	mac    hash.Hash
	buf    []byte   // the canonical string
	out    [32]byte // the MAC
	apiKey string
}

func newMinimalSigner(apiKey, secret string) *minimalSigner {
	key, _ := base64.StdEncoding.DecodeString(secret)
	return &minimalSigner{mac: hmac.New(sha256.New, key), buf: make([]byte, 0, 256), apiKey: apiKey}
}

func (s *minimalSigner) sign(h http.Header, method, query string, body []byte, unix int64, nonce string) {
	sum := sha256.Sum256(body)
	var bh [44]byte
	base64.StdEncoding.Encode(bh[:], sum[:])
	// The timestamp and "v1="+signature are built side by side in one
	// stack array and become one string, sliced for the two headers.
	var tv [20 + 47]byte
	ts := strconv.AppendInt(tv[:0], unix, 10)
	n := len(ts)
	copy(tv[n:], "v1=")
	s.mu.Lock()
	b := append(s.buf[:0], "v1:"...)
	b = append(append(b, ts...), ':')
	b = append(append(b, nonce...), ':')
	b = append(append(b, method...), ':')
	b = append(append(b, query...), ':')
	b = append(b, bh[:]...)
	s.mac.Reset()
	s.mac.Write(b)
	base64.StdEncoding.Encode(tv[n+3:], s.mac.Sum(s.out[:0]))
	s.buf = b
	s.mu.Unlock()
	both := string(tv[:n+47])
	vals := &[4]string{s.apiKey, both[:n], nonce, both[n:]}
	h["X-Api-Key"] = vals[0:1:1]
	h["X-Timestamp"] = vals[1:2:2]
	h["X-Nonce"] = vals[2:3:3]
	h["X-Signature"] = vals[3:4:4]
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

// BenchmarkBalanceRoundTrip compares Client.Balance ("sdk") with a
// careful hand-written net/http + encoding/json call ("baseline") carrying
// the same signing headers and the same 35 s per-attempt timeout, against
// the same loopback server.
func BenchmarkBalanceRoundTrip(b *testing.B) {
	srv := balanceServer(b)
	ctx := context.Background()
	// The default transport with more idle connections per host and the
	// pre-keyed signer above; the timeout is a context per call (see
	// handWrittenBalance), so http.Client.Timeout stays 0.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 128
	hc := &http.Client{Transport: tr}
	b.Cleanup(hc.CloseIdleConnections)
	s := newMinimalSigner(testKey, testSecret)
	url := srv.URL + "/v2/balance"
	baseline := func() error { return handWrittenBalance(ctx, hc, s, url) }
	// Pacing off (loopback only): the limiter guards IIMMPACT's ban, and
	// at 50 requests/s would measure only itself.
	c, _ := New(testKey, testSecret, WithBaseURL(srv.URL), WithRateLimit(0, 0))
	b.Cleanup(c.CloseIdleConnections)
	sdk := func() error { _, err := c.Balance(ctx); return err }
	runPair(b, baseline, sdk, 1)
}

// handWrittenBalance is one Balance call as a careful hand-written client
// makes it: net/http, the same headers (each request's own values), the
// per-attempt timeout as a context of its own (http.Client.Timeout would
// make net/http copy the request and build a deadline context and closure
// of its own), encoding/json into a plain struct.
func handWrittenBalance(ctx context.Context, hc *http.Client, s *minimalSigner, url string) error {
	ctx, cancel := context.WithTimeout(ctx, defaultTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return err
	}
	h := &[3]string{"application/json", "application/json", "iimmpact-go/" + Version}
	req.Header["Accept"], req.Header["Content-Type"], req.Header["User-Agent"] = h[0:1:1], h[1:2:2], h[2:3:3]
	s.sign(req.Header, "GET", "", nil, time.Now().Unix(), uuid.NewString())
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var out struct {
		Data struct {
			Account string      `json:"account"`
			Name    string      `json:"name"`
			Balance json.Number `json:"balance"`
			Level   string      `json:"level"`
			Access  int         `json:"access"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return err
	}
	if resp.StatusCode != 200 || out.Data.Account == "" {
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return nil
}
