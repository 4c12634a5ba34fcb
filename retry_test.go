package iimmpact

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fastRetries keeps waits tiny so tests run quickly.
func fastRetries(attempts int, events *[]RetryEvent) RetryPolicy {
	var mu sync.Mutex
	return RetryPolicy{MaxAttempts: attempts, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond,
		OnRetry: func(e RetryEvent) {
			mu.Lock()
			defer mu.Unlock()
			if events != nil {
				*events = append(*events, e)
			}
		}}
}

// scripted answers each request with the next status in order (the last repeats).
func scripted(t *testing.T, statuses []int, final []byte) (*httptest.Server, *atomic.Int32, *sync.Map) {
	var n atomic.Int32
	var nonces sync.Map
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		checkSigned(t, r)
		if _, dup := nonces.LoadOrStore(r.Header.Get("X-Nonce"), true); dup {
			t.Errorf("nonce replayed")
		}
		i := int(n.Add(1)) - 1
		st := statuses[min(i, len(statuses)-1)]
		if st == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "0")
		}
		w.WriteHeader(st)
		if st == 200 {
			w.Write(final)
		} else {
			w.Write([]byte(`{"message":"try again"}`))
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &n, &nonces
}

func realClient(t *testing.T, url string, opts ...Option) *Client {
	c, err := New(testKey, testSecret, append([]Option{WithBaseURL(url)}, opts...)...)
	require.NoError(t, err)
	return c
}

func TestRetriesTransientFailures(t *testing.T) {
	t.Parallel()
	for _, path := range []string{"balance", "topup"} {
		t.Run(path, func(t *testing.T) {
			body := fixture(t, "balance.json")
			if path == "topup" {
				body = fixture(t, "topup_success.json")
			}
			srv, n, _ := scripted(t, []int{503, 500, 429, 200}, body)
			var events []RetryEvent
			c := realClient(t, srv.URL, WithRetryPolicy(fastRetries(4, &events)))
			var err error
			if path == "topup" {
				_, err = c.Topup(context.Background(), seedTopup())
			} else {
				_, err = c.Balance(context.Background())
			}
			require.NoError(t, err)
			assert.EqualValues(t, 4, n.Load())
			require.Len(t, events, 3)
			assert.Equal(t, []int{503, 500, 429}, []int{events[0].HTTPStatus, events[1].HTTPStatus, events[2].HTTPStatus})
			assert.Equal(t, 1, events[0].Attempt)
			assert.Zero(t, events[2].Delay, "Retry-After: 0 is honoured")
		})
	}
}

func TestNoRetryOnPermanentAnswers(t *testing.T) {
	t.Parallel()
	for _, st := range []int{400, 401, 403, 404, 422} {
		srv, n, _ := scripted(t, []int{st, 200}, fixture(t, "topup_success.json"))
		c := realClient(t, srv.URL, WithRetryPolicy(fastRetries(5, nil)))
		_, err := c.Topup(context.Background(), seedTopup())
		require.Error(t, err)
		assert.EqualValues(t, 1, n.Load(), "HTTP %d must not be retried", st)
		assert.NotErrorIs(t, err, ErrOutcomeUnknown)
	}
}

func TestNonIdempotentPostIsNotRetried(t *testing.T) {
	t.Parallel()
	srv, n, _ := scripted(t, []int{503, 200}, []byte(`{"data":{}}`))
	c := realClient(t, srv.URL, WithRetryPolicy(fastRetries(5, nil)))
	_, err := do[envelope[struct{}]](context.Background(), c, call{method: http.MethodPost, path: "/v2/transactions/void", body: map[string]string{"refid": "x"}})
	assert.ErrorIs(t, err, ErrServer)
	assert.EqualValues(t, 1, n.Load())
}

func TestTopupExhaustedIsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	srv, n, _ := scripted(t, []int{502}, nil)
	c := realClient(t, srv.URL, WithRetryPolicy(fastRetries(3, nil)))
	_, err := c.Topup(context.Background(), seedTopup())
	require.ErrorIs(t, err, ErrOutcomeUnknown)
	assert.ErrorIs(t, err, ErrServer)
	assert.EqualValues(t, 3, n.Load())
}

func TestRetryStopsWhenContextEnds(t *testing.T) {
	t.Parallel()
	srv, _, _ := scripted(t, []int{503}, nil)
	c := realClient(t, srv.URL, WithRetryPolicy(RetryPolicy{MaxAttempts: 10, BaseDelay: time.Hour, MaxDelay: time.Hour}))
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.Topup(ctx, seedTopup())
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.ErrorIs(t, err, ErrOutcomeUnknown)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestRetryGivesUpBeforeAWaitPastTheDeadline(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(503)
	}))
	defer srv.Close()
	c := realClient(t, srv.URL)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	_, err := c.Balance(ctx)
	assert.ErrorIs(t, err, ErrServer)
	assert.Less(t, time.Since(start), 900*time.Millisecond)
}

func TestRetryAfterOverTheCapEndsRetries(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(429)
	}))
	defer srv.Close()
	c := realClient(t, srv.URL)
	_, err := c.Balance(context.Background())
	assert.ErrorIs(t, err, ErrRateLimited)
	assert.EqualValues(t, 1, n.Load())
}

func TestRetryAfterParsing(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 1, 15, 2, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"7":                             7 * time.Second,
		"0":                             0,
		"Wed, 15 Jan 2025 02:00:30 GMT": 30 * time.Second,
		"Wed, 15 Jan 2025 01:00:00 GMT": 0,
	} {
		d, ok := retryAfter(&http.Response{Header: http.Header{"Retry-After": {v}}}, now)
		assert.True(t, ok, v)
		assert.Equal(t, want, d, v)
	}
	for _, v := range []string{"", "-1", "soon"} {
		_, ok := retryAfter(&http.Response{Header: http.Header{"Retry-After": {v}}}, now)
		assert.False(t, ok, v)
	}
}

func TestBackoffIsBoundedFullJitter(t *testing.T) {
	t.Parallel()
	p := DefaultRetryPolicy()
	for n := 1; n < 70; n++ {
		ceil := min(p.MaxDelay, p.BaseDelay<<min(n-1, 20))
		for range 20 {
			d := backoff(&p, n)
			require.True(t, d >= 0 && d <= ceil, "retry %d: %v > %v", n, d, ceil)
		}
	}
}

func TestRetryBudgetIsClientWide(t *testing.T) {
	t.Parallel()
	srv, n, _ := scripted(t, []int{503}, nil)
	p := fastRetries(3, nil)
	p.Budget, p.BudgetRefill = 2, time.Hour
	c := realClient(t, srv.URL, WithRetryPolicy(p))
	_, err := c.Balance(context.Background()) // 1 + 2 retries: the budget is spent
	require.Error(t, err)
	_, err = c.Balance(context.Background()) // no retry left
	assert.ErrorContains(t, err, "retry budget exhausted")
	assert.EqualValues(t, 4, n.Load())
}

func TestTokenBucketRefills(t *testing.T) {
	t.Parallel()
	b := newTokenBucket(2, time.Millisecond)
	assert.True(t, b.take())
	assert.True(t, b.take())
	assert.False(t, b.take())
	time.Sleep(5 * time.Millisecond)
	assert.True(t, b.take())
}

func TestRetryPolicyValidation(t *testing.T) {
	t.Parallel()
	_, err := New(testKey, testSecret, WithRetryPolicy(RetryPolicy{MaxAttempts: -1}))
	assert.Error(t, err)
	c, err := New(testKey, testSecret, WithRetryPolicy(RetryPolicy{MaxAttempts: 1}))
	require.NoError(t, err)
	assert.Equal(t, 1, c.retry.MaxAttempts)
	assert.Equal(t, DefaultRetryPolicy().BaseDelay, c.retry.BaseDelay)
}

// The server's clock is an hour ahead: the first request is refused, the
// client learns the offset from Date, and every later request is right.
func TestClockSkewIsCorrectedOnce(t *testing.T) {
	t.Parallel()
	serverNow := time.Now().Add(time.Hour)
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		checkSigned(t, r)
		ts, _ := strconv.ParseInt(r.Header.Get("X-Timestamp"), 10, 64)
		w.Header().Set("Date", serverNow.UTC().Format(http.TimeFormat))
		if d := serverNow.Unix() - ts; d > 300 || d < -300 {
			w.WriteHeader(401)
			w.Write([]byte(`{"error":"invalid_timestamp","message":"Timestamp outside window"}`))
			return
		}
		w.Write(fixture(t, "balance.json"))
	}))
	defer srv.Close()
	c := realClient(t, srv.URL, WithRetryPolicy(RetryPolicy{MaxAttempts: 1}))
	_, err := c.Balance(context.Background())
	require.NoError(t, err)
	_, err = c.Balance(context.Background())
	require.NoError(t, err)
	assert.EqualValues(t, 3, n.Load(), "one refused request, then two good ones")
}

func TestClockSkewThatCannotBeFixedSaysSo(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", time.Now().Add(-2*time.Hour).UTC().Format(http.TimeFormat))
		w.WriteHeader(401)
		w.Write([]byte(`{"error":"invalid_signature","message":"Signature mismatch"}`))
	}))
	defer srv.Close()
	c := realClient(t, srv.URL)
	_, err := c.Balance(context.Background())
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	assert.ErrorIs(t, err, ErrUnauthorized)
	assert.InDelta(t, float64(-2*time.Hour), float64(ae.ClockSkew), float64(5*time.Minute))
	assert.Contains(t, err.Error(), "clock")
}

func TestNetworkErrorsAreRetried(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			conn, _, err := w.(http.Hijacker).Hijack()
			require.NoError(t, err)
			conn.Close() // reset without an answer
			return
		}
		w.Write(fixture(t, "topup_processing.json"))
	}))
	defer srv.Close()
	c := realClient(t, srv.URL, WithRetryPolicy(fastRetries(3, nil)))
	tx, err := c.Topup(context.Background(), seedTopup())
	require.NoError(t, err)
	assert.True(t, tx.StatusCode.IsPending())
	assert.EqualValues(t, 2, n.Load())
}

var _ = errors.New
