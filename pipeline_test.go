package iimmpact

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// deadlineProbe records the deadline of each request's context.
type deadlineProbe struct{ left time.Duration }

func (p *deadlineProbe) RoundTrip(r *http.Request) (*http.Response, error) {
	if dl, ok := r.Context().Deadline(); ok {
		p.left = time.Until(dl)
	}
	return newResponse(200, []byte(`{"data":{"balance":1}}`)), nil
}

// A caller's client whose Timeout is 0 keeps the 35 s per-attempt default;
// a set Timeout replaces it.
func TestTimeoutsHoldWithCallersClient(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		timeout time.Duration
		want    time.Duration
	}{{0, defaultTimeout}, {3 * time.Second, 3 * time.Second}} {
		p := &deadlineProbe{}
		c, err := New(testKey, testSecret, WithHTTPClient(&http.Client{Transport: p, Timeout: tt.timeout}))
		require.NoError(t, err)
		_, err = c.Balance(context.Background())
		require.NoError(t, err)
		assert.InDelta(t, tt.want.Seconds(), p.left.Seconds(), 1, "timeout %v", tt.timeout)
	}
}

// A caller's client without a Transport gets the SDK's tuned one; a
// caller's own transport is used as is.
func TestCallersTransport(t *testing.T) {
	t.Parallel()
	c, err := New(testKey, testSecret, WithHTTPClient(&http.Client{}))
	require.NoError(t, err)
	tr, ok := c.http.Transport.(*http.Transport)
	require.True(t, ok)
	assert.Equal(t, 128, tr.MaxIdleConnsPerHost)
	assert.NotSame(t, http.DefaultTransport, tr)

	own := &http.Transport{}
	c, err = New(testKey, testSecret, WithHTTPClient(&http.Client{Transport: own}))
	require.NoError(t, err)
	assert.Same(t, own, c.http.Transport)
}

func TestWithRateLimitValidation(t *testing.T) {
	t.Parallel()
	for _, bad := range []struct {
		rate  float64
		burst int
	}{{-1, 10}, {10, 0}, {100, 1}, {99, 400}, {50, 15000}} {
		_, err := New(testKey, testSecret, WithRateLimit(bad.rate, bad.burst))
		assert.Error(t, err, "%v", bad)
	}
	_, err := New(testKey, testSecret, WithRateLimit(0, 0))
	assert.ErrorContains(t, err, "loopback", "pacing is off only for a local fake")
	_, err = New(testKey, testSecret, WithRateLimit(0, 0), WithBaseURL("http://127.0.0.1:8080"))
	assert.NoError(t, err)
	c, err := New(testKey, testSecret)
	require.NoError(t, err)
	require.NotNil(t, c.limit, "paced by default")
	assert.Equal(t, time.Second/DefaultRateLimit, c.limit.Interval())
	_, err = New(testKey, testSecret, WithRateLimit(99, 200))
	assert.NoError(t, err, "200 + 99·300 stays below 30,000")
}

// The limiter is client-wide and paces first attempts, retries and polls
// alike; its waits reach the observer, each naming the request.
func TestRateLimitPacesEveryRequest(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var times []time.Time
	mock := httpmock.NewMockTransport()
	statuses := []int{503, 200, 200, 200, 200, 200}
	mock.RegisterResponder("GET", "https://api.test.invalid/v2/balance", func(*http.Request) (*http.Response, error) {
		mu.Lock()
		defer mu.Unlock()
		times = append(times, time.Now())
		return newResponse(statuses[min(len(times)-1, len(statuses)-1)], []byte(`{"data":{"balance":1}}`)), nil
	})
	waits := &lockedLimiterSpy{}
	c, err := New(testKey, testSecret, WithBaseURL("https://api.test.invalid"), WithHTTPClient(&http.Client{Transport: mock}),
		WithRateLimit(20, 2), WithRetryPolicy(fastRetries(2, nil)), WithObserver(waits))
	require.NoError(t, err)
	start := time.Now()
	var wg sync.WaitGroup
	for range 5 {
		wg.Add(1)
		go func() { defer wg.Done(); _, _ = c.Balance(context.Background()) }()
	}
	wg.Wait()
	require.Len(t, times, 6, "5 calls, one retried")
	// A burst of 2, then one every 50 ms: the 6th request is 4 intervals in.
	assert.GreaterOrEqual(t, time.Since(start), 190*time.Millisecond)
	waits.mu.Lock()
	defer waits.mu.Unlock()
	assert.NotEmpty(t, waits.got, "requests past the burst waited, and the observer saw it")
	assert.LessOrEqual(t, len(waits.got), 4)
	for _, w := range waits.got {
		assert.Equal(t, "GET", w.Method)
		assert.Equal(t, "/v2/balance", w.Path)
		assert.Positive(t, w.Waited)
	}
}

// lockedLimiterSpy records limiter waits from many goroutines.
type lockedLimiterSpy struct {
	NopObserver
	mu  sync.Mutex
	got []LimiterWait
}

func (s *lockedLimiterSpy) LimiterWait(_ context.Context, e LimiterWait) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got = append(s.got, e)
}

// A wait cancelled by ctx gives its slot back and says why.
func TestRateLimitHonoursContext(t *testing.T) {
	t.Parallel()
	l, err := newLimiter(&rateSetting{perSecond: 1, burst: 1}, "https://api.iimmpact.com")
	require.NoError(t, err)
	_, err = l.wait(context.Background(), nil)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	_, err = l.wait(ctx, nil)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	d := l.Reserve(time.Now())
	assert.LessOrEqual(t, d, time.Second, "the cancelled slot was given back")
}

// urlOrderSignature signs the query in the URL's order of repeated values,
// as an independent signer rebuilt from the Postman collection does
// (keys sorted, values left as sent).
func urlOrderSignature(secretB64, ts, nonce, method, rawQuery string, body []byte) string {
	key, _ := base64.StdEncoding.DecodeString(secretB64)
	var pairs []string
	for _, p := range strings.Split(rawQuery, "&") {
		k, v, _ := strings.Cut(p, "=")
		k, _ = url.QueryUnescape(k)
		v, _ = url.QueryUnescape(v)
		pairs = append(pairs, k+"="+v)
	}
	// a stable sort by key only: repeated keys keep the URL's order
	for i := 1; i < len(pairs); i++ {
		for j := i; j > 0 && strings.SplitN(pairs[j], "=", 2)[0] < strings.SplitN(pairs[j-1], "=", 2)[0]; j-- {
			pairs[j], pairs[j-1] = pairs[j-1], pairs[j]
		}
	}
	h := sha256.Sum256(body)
	canon := strings.Join([]string{"v1", ts, nonce, method, strings.Join(pairs, "&"), base64.StdEncoding.EncodeToString(h[:])}, ":")
	m := hmac.New(sha256.New, key)
	m.Write([]byte(canon))
	return "v1=" + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// The query sent is the query signed, under both readings of the rule.
func TestQueryOnTheWireIsCanonical(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	mock.RegisterResponder("GET", "https://api.test.invalid/v2/transactions", func(r *http.Request) (*http.Response, error) {
		checkSigned(t, r) // the sorting reading
		h := r.Header
		if urlOrderSignature(testSecret, h.Get("X-Timestamp"), h.Get("X-Nonce"), "GET", r.URL.RawQuery, nil) != h.Get("X-Signature") {
			return newResponse(401, []byte(`{"error":"invalid_signature"}`)), nil
		}
		return newResponse(200, fixture(t, "transactions.json")), nil
	})
	_, err := c.Transactions(context.Background(), TransactionQuery{From: myt("2025-05-01 00:00:00.000"), Statuses: []string{"SUCCESSFUL", "FAILED"}})
	require.NoError(t, err)
}

// The signing debug line names query keys, never their values.
func TestSigningLogHidesQueryValues(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	c, mock := mockClient(t, WithLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	respond(t, mock, "GET", "/v2/options", 200, []byte(`{"data":[],"meta":{"current_page":1,"last_page":1}}`))
	_, _ = c.Options(context.Background(), OptionsQuery{ProductCode: "PTPTN", FieldID: "loan_account", AccountNumber: "900101145678"})
	require.Contains(t, buf.String(), "iimmpact: signing")
	assert.Contains(t, buf.String(), "account_number=…")
	assert.NotContains(t, buf.String(), "900101145678")
	assert.NotContains(t, buf.String(), "PTPTN")
}

// A transport error names the path, never the query: *url.Error would
// quote an IC number passed as OptionsQuery.AccountNumber.
func TestTransportErrorsHideTheQuery(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	mock.RegisterNoResponder(func(*http.Request) (*http.Response, error) { return nil, errors.New("connection refused") })
	_, err := c.Options(context.Background(), OptionsQuery{ProductCode: "PTPTN", FieldID: "loan_account", AccountNumber: "900101145678"})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "900101145678")
	assert.Contains(t, err.Error(), "GET /v2/options: ")
	assert.Contains(t, err.Error(), "connection refused")
}

// WaitTopup's polls go through the same limiter as everything else.
func TestRateLimitPacesPolls(t *testing.T) {
	t.Parallel()
	_, s := scriptServer(t, send(t, 200, "topup_processing.json"), send(t, 200, "topup_processing.json"),
		send(t, 200, "topup_processing.json"), send(t, 200, "topup_success.json"))
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := realClient(t, srv.URL, WithRateLimit(20, 1))
	start := time.Now()
	tx, err := c.WaitTopup(context.Background(), seedTopup(), WithPollInterval(time.Millisecond, time.Millisecond))
	require.NoError(t, err)
	assert.Equal(t, StatusSuccessful, tx.StatusCode)
	assert.EqualValues(t, 4, s.n.Load())
	assert.GreaterOrEqual(t, time.Since(start), 140*time.Millisecond, "4 polls at 20/s with no burst take 3 intervals")
}

// headerVandal is a base transport that edits the header values it is
// given in place, as a careless RoundTripper might.
type headerVandal struct{ seen []string }

func (v *headerVandal) RoundTrip(req *http.Request) (*http.Response, error) {
	v.seen = append(v.seen, req.Header.Get("User-Agent")+"|"+req.Header.Get("Accept")+"|"+req.Header.Get("Content-Type"))
	for _, k := range []string{"User-Agent", "Accept", "Content-Type"} {
		if vs := req.Header[k]; len(vs) > 0 {
			vs[0] = "vandalised"
		}
	}
	return newResponse(200, []byte(`{"data":{"account":"1","balance":"1"}}`)), nil
}

// A base transport that edits header values cannot corrupt the next
// request: no header value slice is shared between requests.
func TestBaseTransportEditingHeadersCannotCorruptTheNextRequest(t *testing.T) {
	t.Parallel()
	v := &headerVandal{}
	c, err := New(testKey, testSecret, WithBaseURL("https://api.test.invalid"), WithHTTPClient(&http.Client{Transport: v}))
	require.NoError(t, err)
	for range 2 {
		_, err := c.Balance(context.Background())
		require.NoError(t, err)
	}
	want := "iimmpact-go/" + Version + "|application/json|application/json"
	assert.Equal(t, []string{want, want}, v.seen)
}
