package iimmpact

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The per-attempt timeout covers every stage of an attempt: waiting for
// the answer's headers, and reading its body after they came. Each stall
// ends in a DeadlineExceeded within the timeout (plus scheduling slack),
// and the next attempt is signed afresh.
func TestAttemptTimeoutCoversHeadersAndBody(t *testing.T) {
	t.Parallel()
	const timeout = 150 * time.Millisecond
	for _, stall := range []string{"headers", "body"} {
		t.Run(stall, func(t *testing.T) {
			t.Parallel()
			release := make(chan struct{})
			var (
				mu     sync.Mutex
				nonces []string
			)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				nonces = append(nonces, r.Header.Get(headerNonce))
				mu.Unlock()
				if stall == "body" {
					w.Header().Set("Content-Length", "100")
					w.WriteHeader(http.StatusOK)
					_, _ = io.WriteString(w, `{"data":`)
					w.(http.Flusher).Flush()
				}
				select {
				case <-release:
				case <-r.Context().Done():
				}
			}))
			defer srv.Close()
			defer close(release)
			c, err := New(testKey, testSecret, WithBaseURL(srv.URL), WithRateLimit(0, 0),
				WithHTTPClient(&http.Client{Timeout: timeout}),
				WithRetryPolicy(RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
			require.NoError(t, err)
			start := time.Now()
			_, err = c.Balance(context.Background())
			took := time.Since(start)
			require.Error(t, err)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.GreaterOrEqual(t, took, 2*timeout, "two attempts, each given the whole timeout")
			assert.Less(t, took, 2*timeout+2*time.Second, "each attempt ended at its timeout")
			mu.Lock()
			defer mu.Unlock()
			require.Len(t, nonces, 2)
			assert.NotEqual(t, nonces[0], nonces[1])
		})
	}
}

// The caller's cancellation still ends an attempt at once, and its own
// (sooner) deadline is the one the attempt reports.
func TestAttemptHonoursCallersContext(t *testing.T) {
	t.Parallel()
	st := startAttempt(context.Background(), time.Hour)
	dl, ok := st.Deadline()
	assert.True(t, ok)
	assert.InDelta(t, time.Hour.Seconds(), time.Until(dl).Seconds(), 5)
	st.stop()
	assert.ErrorIs(t, st.ctx.Err(), context.Canceled)
	assert.False(t, st.timedOut())

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	st = startAttempt(ctx, time.Hour)
	dl, _ = st.Deadline()
	assert.InDelta(t, time.Minute.Seconds(), time.Until(dl).Seconds(), 5)
	cancel()
	select {
	case <-st.ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the caller's cancellation did not reach the attempt")
	}
	st.stop()

	st = startAttempt(context.Background(), time.Millisecond)
	<-st.ctx.Done()
	assert.True(t, st.timedOut())
	st.stop()
	assert.True(t, st.timedOut(), "still a timeout once stopped")
}

// Bodies are read whole, bounded: a Content-Length over the bound is
// refused before reading, a body without one is cut at the bound, and a
// body within it comes back intact whether its length is known or not.
func TestReadResponseBounds(t *testing.T) {
	t.Parallel()
	resp := func(body string, n int64) *http.Response {
		return &http.Response{Body: io.NopCloser(strings.NewReader(body)), ContentLength: n}
	}
	big := strings.Repeat("x", 2000)
	for _, n := range []int64{-1, 2000} {
		buf, err := readResponse(resp(big, n), 4000)
		require.NoError(t, err)
		assert.Equal(t, big, buf.String(), "Content-Length %d", n)
		release(buf)
	}
	_, err := readResponse(resp(big, 2000), 1000)
	assert.ErrorContains(t, err, "over the")
	_, err = readResponse(resp(big, -1), 1000)
	assert.ErrorContains(t, err, "over the")

	_, err = readResponse(&http.Response{Body: io.NopCloser(io.MultiReader(strings.NewReader("{"), errReader{})), ContentLength: -1}, 0)
	assert.ErrorIs(t, err, errBroken)
}

var errBroken = errors.New("connection reset")

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errBroken }

// A body of known length is read into a buffer of exactly that size (plus
// the reader's margin), however large: it never regrows.
func TestReadResponseSizesFromContentLength(t *testing.T) {
	t.Parallel()
	n := 3 * pooledBodyMax
	body := bytes.Repeat([]byte{'7'}, n)
	buf, err := readResponse(&http.Response{Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(n)}, 0)
	require.NoError(t, err)
	assert.Equal(t, n+bytes.MinRead, buf.Cap(), "capacity "+strconv.Itoa(buf.Cap()))
	assert.Equal(t, body, buf.Bytes())
}

// Reading an answer allocates no buffer once the pool is warm, with a
// Content-Length or without one (HTTP/2, chunked): nothing regrows.
func TestReadResponseReusesBuffers(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops buffers at random under the race detector")
	}
	body := strings.Repeat("x", 3000)
	rd := strings.NewReader(body)
	for _, n := range []int64{-1, int64(len(body))} {
		resp := &http.Response{Body: io.NopCloser(rd), ContentLength: n}
		allocs := testing.AllocsPerRun(100, func() {
			rd.Reset(body)
			buf, err := readResponse(resp, 0)
			if err != nil || buf.Len() != len(body) {
				t.Fatal(err)
			}
			release(buf)
		})
		assert.LessOrEqual(t, allocs, 1.0, "Content-Length %d: only the bounding reader", n)
	}
}
