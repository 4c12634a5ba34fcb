package iimmpacttest_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/stretchr/testify/require"
)

// The helpers below sign requests on their own, written apart from the
// fake's verifier, so that a shared misunderstanding is less likely.

// testSign returns the X-Signature value for the given parts.
func testSign(secretB64, ts, nonce, method, canonicalQuery string, body []byte) string {
	key, err := base64.StdEncoding.DecodeString(secretB64)
	if err != nil {
		panic(err)
	}
	digest := sha256.Sum256(body)
	canonical := fmt.Sprintf("v1:%s:%s:%s:%s:%s", ts, nonce, method, canonicalQuery,
		base64.StdEncoding.EncodeToString(digest[:]))
	m := hmac.New(sha256.New, key)
	io.WriteString(m, canonical)
	return "v1=" + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// testCanonicalQuery splits the raw query by hand, decodes each part and
// orders pairs by key, then by value.
func testCanonicalQuery(raw string) string {
	if raw == "" {
		return ""
	}
	type kv struct{ k, v string }
	var pairs []kv
	for _, part := range strings.Split(raw, "&") {
		k, v, _ := strings.Cut(part, "=")
		dk, err1 := url.QueryUnescape(k)
		dv, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			panic("bad query in test: " + raw)
		}
		pairs = append(pairs, kv{dk, dv})
	}
	slices.SortFunc(pairs, func(a, b kv) int {
		if c := strings.Compare(a.k, b.k); c != 0 {
			return c
		}
		return strings.Compare(a.v, b.v)
	})
	out := make([]string, len(pairs))
	for i, p := range pairs {
		out[i] = p.k + "=" + p.v
	}
	return strings.Join(out, "&")
}

func testNonce() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "req-test-" + hex.EncodeToString(b)
}

// testClock is a settable clock shared by the fake and the caller.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock {
	return &testClock{t: time.Date(2025, 1, 15, 10, 23, 47, 910_000_000, time.FixedZone("MYT", 8*3600))}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// caller sends signed requests to a fake with its own transport.
type caller struct {
	t      testing.TB
	srv    *iimmpacttest.Server
	clock  func() time.Time
	http   *http.Client
	key    string
	secret string
}

func newCaller(t testing.TB, srv *iimmpacttest.Server, clock func() time.Time) *caller {
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	t.Cleanup(tr.CloseIdleConnections)
	if clock == nil {
		clock = time.Now
	}
	return &caller{t: t, srv: srv, clock: clock, http: &http.Client{Transport: tr, Timeout: 10 * time.Second},
		key: srv.APIKey, secret: srv.HMACSecret}
}

// startFake starts a fake with a test clock and returns it with a caller.
func startFake(t testing.TB, opts ...iimmpacttest.ServerOption) (*iimmpacttest.Server, *caller, *testClock) {
	clk := newTestClock()
	srv := iimmpacttest.NewServer(append([]iimmpacttest.ServerOption{iimmpacttest.WithServerClock(clk.Now)}, opts...)...)
	t.Cleanup(srv.Close)
	return srv, newCaller(t, srv, clk.Now), clk
}

// reqMod changes a request after it was signed (to break it on purpose).
type reqMod func(*http.Request)

// send signs and sends; target is a path with an optional raw query.
func (c *caller) send(method, target string, body []byte, mods ...reqMod) (*http.Response, []byte, error) {
	req, err := http.NewRequest(method, c.srv.URL+target, bytes.NewReader(body))
	require.NoError(c.t, err)
	ts := fmt.Sprint(c.clock().Unix())
	nonce := testNonce()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Api-Key", c.key)
	req.Header.Set("X-Timestamp", ts)
	req.Header.Set("X-Nonce", nonce)
	req.Header.Set("X-Signature", testSign(c.secret, ts, nonce, method, testCanonicalQuery(req.URL.RawQuery), body))
	for _, m := range mods {
		m(req)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp, data, err
}

// do is send that fails the test on transport errors.
func (c *caller) do(method, target string, body []byte, mods ...reqMod) (int, []byte) {
	resp, data, err := c.send(method, target, body, mods...)
	require.NoError(c.t, err)
	return resp.StatusCode, data
}

// topup posts a /v2/topup body built from the given fields.
func (c *caller) topup(refid, product, account string, amount any) (int, map[string]any) {
	body, err := json.Marshal(map[string]any{"refid": refid, "product": product, "account": account, "amount": amount})
	require.NoError(c.t, err)
	status, data := c.do(http.MethodPost, "/v2/topup", body)
	return status, dataOf(c.t, data)
}

// dataOf decodes {"data":{...}} keeping numbers exact.
func dataOf(t testing.TB, body []byte) map[string]any {
	var env struct {
		Data map[string]any `json:"data"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&env), string(body))
	return env.Data
}

// num renders a decoded JSON number for comparisons.
func num(v any) string {
	if n, ok := v.(json.Number); ok {
		return n.String()
	}
	return fmt.Sprintf("<%T %v>", v, v)
}
