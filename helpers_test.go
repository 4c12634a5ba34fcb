package iimmpact

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"
)

// Test credentials: the secret is spec §2.5's, bytes 0x00..0x1f.
const (
	testKey    = "iimm_dev_test"
	testSecret = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
)

var testNow = time.Unix(1704067200, 0)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

// expectedSignature recomputes X-Signature the way spec §2.3 describes it,
// independently of signer.go: parse, sort, join, hash, HMAC.
func expectedSignature(secretB64, ts, nonce, method, rawQuery string, body []byte) string {
	key, _ := base64.StdEncoding.DecodeString(secretB64)
	q, _ := url.ParseQuery(rawQuery)
	var pairs []string
	for k, vs := range q {
		for _, v := range vs {
			pairs = append(pairs, k+"="+v)
		}
	}
	sort.Strings(pairs) // "k=v" strings sort by key then value when keys hold no '='
	h := sha256.Sum256(body)
	canon := strings.Join([]string{"v1", ts, nonce, strings.ToUpper(method), strings.Join(pairs, "&"), base64.StdEncoding.EncodeToString(h[:])}, ":")
	m := hmac.New(sha256.New, key)
	m.Write([]byte(canon))
	return "v1=" + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// checkSigned fails the test unless req carries a valid signature for its
// body, and returns the body.
func checkSigned(t testing.TB, req *http.Request) []byte {
	t.Helper()
	var body []byte
	if req.Body != nil {
		var err error
		body, err = io.ReadAll(req.Body)
		require.NoError(t, err)
	}
	h := req.Header
	require.Equal(t, testKey, h.Get("X-Api-Key"))
	n := len(h.Get("X-Nonce"))
	require.True(t, n >= 16 && n <= 128, "nonce length %d", n)
	require.Equal(t, expectedSignature(testSecret, h.Get("X-Timestamp"), h.Get("X-Nonce"), req.Method, req.URL.RawQuery, body),
		h.Get("X-Signature"), "signature")
	return body
}

// mockClient returns a client whose requests are signed for real and then
// answered by httpmock; every responder registered through respond checks
// the signature first.
func mockClient(t testing.TB, opts ...Option) (*Client, *httpmock.MockTransport) {
	t.Helper()
	mock := httpmock.NewMockTransport()
	base := []Option{WithBaseURL("https://api.test.invalid"), WithHTTPClient(&http.Client{Transport: mock}),
		WithClock(func() time.Time { return testNow }), WithRetryPolicy(RetryPolicy{MaxAttempts: 1})}
	c, err := New(testKey, testSecret, append(base, opts...)...)
	require.NoError(t, err)
	return c, mock
}

// respond registers a signed-checking responder with a fixed answer.
func respond(t testing.TB, mock *httpmock.MockTransport, method, path string, status int, body []byte) {
	mock.RegisterResponder(method, "https://api.test.invalid"+path, func(req *http.Request) (*http.Response, error) {
		checkSigned(t, req)
		r := httpmock.NewBytesResponse(status, body)
		r.Header.Set("Content-Type", "application/json")
		return r, nil
	})
}

func myt(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04:05.000", s, time.FixedZone("MYT", 8*3600))
	if err != nil {
		panic(err)
	}
	return t
}

// mustField returns one top-level field of a raw JSON object.
func mustField(t testing.TB, raw []byte, key string) json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &m))
	v, ok := m[key]
	require.True(t, ok, "no %q in %s", key, raw)
	return v
}

// fakePager serves one paged endpoint from total numbered items, the way
// its real counterpart pages: by "page" (1-based, size items a page) or,
// with byOffset, by "offset" and "limit". item builds item i; body wraps a
// page's items (asked is the page or the offset, last the last page); alter,
// if set, lets a test corrupt one answer. Every request is checked to be
// signed and its query recorded.
type fakePager struct {
	path        string
	total, size int
	byOffset    bool
	item        func(i int) map[string]any
	body        func(asked, last int, items []map[string]any) map[string]any
	alter       func(asked int, body map[string]any)
	queries     []string
	calls       int
}

func (p *fakePager) serve(t *testing.T) *Client {
	c, mock := mockClient(t)
	last := max(1, (p.total+p.size-1)/p.size)
	mock.RegisterResponder("GET", "https://api.test.invalid"+p.path, func(req *http.Request) (*http.Response, error) {
		checkSigned(t, req)
		p.calls++
		p.queries = append(p.queries, req.URL.RawQuery)
		asked, from, to := p.window(req.URL.Query())
		items := []map[string]any{}
		for i := from; i < min(p.total, to); i++ {
			items = append(items, p.item(i))
		}
		body := p.body(asked, last, items)
		if p.alter != nil {
			p.alter(asked, body)
		}
		b, _ := json.Marshal(body)
		return newResponse(200, b), nil
	})
	return c
}

// window is the page asked for and the items it covers.
func (p *fakePager) window(q url.Values) (asked, from, to int) {
	if p.byOffset {
		offset, _ := strconv.Atoi(q.Get("offset"))
		limit, _ := strconv.Atoi(q.Get("limit"))
		return offset, offset, offset + limit
	}
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	return page, (page - 1) * p.size, page * p.size
}
