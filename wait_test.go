package iimmpact

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var quickPolls = WithPollInterval(time.Millisecond, 3*time.Millisecond)

// topupScript answers POST /v2/topup with the given fixture bodies in order
// (the last repeats); a status other than 200 is sent with a short body.
type topupScript struct {
	t     *testing.T
	steps []func(w http.ResponseWriter)
	n     atomic.Int32
}

func (s *topupScript) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body := checkSigned(s.t, r)
	assert.JSONEq(s.t, string(fixture(s.t, "topup_request.json")), string(body), "every poll repeats the identical request")
	i := int(s.n.Add(1)) - 1
	s.steps[min(i, len(s.steps)-1)](w)
}

func send(t *testing.T, status int, file string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.WriteHeader(status)
		if file != "" {
			w.Write(fixture(t, file))
		}
	}
}

func scriptServer(t *testing.T, steps ...func(http.ResponseWriter)) (*Client, *topupScript) {
	s := &topupScript{t: t, steps: steps}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return realClient(t, srv.URL, WithRetryPolicy(fastRetries(2, nil))), s
}

func TestWaitTopupPollsUntilFinal(t *testing.T) {
	c, s := scriptServer(t, send(t, 200, "topup_processing.json"), send(t, 200, "topup_processing.json"), send(t, 200, "topup_success.json"))
	var seen []StatusCode
	tx, err := c.WaitTopup(context.Background(), seedTopup(), quickPolls, WithOnPoll(func(tx *Transaction) { seen = append(seen, tx.StatusCode) }))
	require.NoError(t, err)
	assert.Equal(t, StatusSuccessful, tx.StatusCode)
	assert.EqualValues(t, 3, s.n.Load())
	assert.Equal(t, []StatusCode{1, 1, 20}, seen)
}

func TestWaitTopupFinalFailureIsNotAnError(t *testing.T) {
	c, _ := scriptServer(t, send(t, 200, "topup_processing.json"), send(t, 200, "topup_failed.json"))
	tx, err := c.WaitTopup(context.Background(), seedTopup(), quickPolls)
	require.NoError(t, err)
	assert.Equal(t, StatusRejectedByProvider, tx.StatusCode)
	assert.Equal(t, OutcomeFailed, tx.Outcome())
}

func TestWaitTopupRidesOutLostAnswers(t *testing.T) {
	c, s := scriptServer(t, send(t, 503, ""), send(t, 503, ""), send(t, 503, ""), send(t, 200, "topup_success.json"))
	tx, err := c.WaitTopup(context.Background(), seedTopup(), quickPolls)
	require.NoError(t, err)
	assert.Equal(t, StatusSuccessful, tx.StatusCode)
	assert.EqualValues(t, 4, s.n.Load())
}

func TestWaitTopupValidationErrorIsNotRetried(t *testing.T) {
	c, s := scriptServer(t, send(t, 400, "topup_400_invalid_denomination.json"))
	tx, err := c.WaitTopup(context.Background(), seedTopup(), quickPolls)
	assert.Nil(t, tx)
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, StatusInvalidDenomination, ae.StatusCode)
	assert.NotErrorIs(t, err, ErrOutcomeUnknown)
	assert.EqualValues(t, 1, s.n.Load())
}

func TestWaitTopupForbiddenIsNotRetried(t *testing.T) {
	c, s := scriptServer(t, send(t, 403, ""))
	_, err := c.WaitTopup(context.Background(), seedTopup(), quickPolls)
	assert.ErrorIs(t, err, ErrForbidden)
	assert.EqualValues(t, 1, s.n.Load())
}

func TestWaitTopupGivesUpWithLastSeen(t *testing.T) {
	c, _ := scriptServer(t, send(t, 200, "topup_processing.json"), send(t, 500, ""))
	tx, err := c.WaitTopup(context.Background(), seedTopup(), quickPolls, WithWaitTimeout(100*time.Millisecond))
	require.ErrorIs(t, err, ErrOutcomeUnknown)
	require.NotNil(t, tx, "the last transaction seen comes back with the error")
	assert.Equal(t, StatusProcessing, tx.StatusCode)
	var ou *OutcomeUnknownError
	require.ErrorAs(t, err, &ou)
	assert.Equal(t, StatusProcessing, ou.Last.StatusCode)
	assert.Equal(t, "digi-reload-20250115-001", ou.RefID)
}

func TestWaitTopupServerThatNeverAnswers(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c := realClient(t, srv.URL)
	start := time.Now()
	tx, err := c.WaitTopup(context.Background(), seedTopup(), quickPolls, WithWaitTimeout(300*time.Millisecond))
	assert.Nil(t, tx)
	assert.ErrorIs(t, err, ErrOutcomeUnknown)
	assert.Less(t, time.Since(start), 3*time.Second, "bounded by the wait timeout")
}

func TestWaitTopupUndocumentedStatus(t *testing.T) {
	odd := func(w http.ResponseWriter) {
		w.Write([]byte(strings.Replace(string(fixture(t, "topup_failed.json")), `"statusCode": 48`, `"statusCode": 99`, 1)))
	}
	c, _ := scriptServer(t, odd)
	tx, err := c.WaitTopup(context.Background(), seedTopup(), quickPolls)
	require.ErrorIs(t, err, ErrOutcomeUnknown)
	require.NotNil(t, tx)
	assert.Equal(t, StatusCode(99), tx.StatusCode)
	assert.False(t, tx.StatusCode.IsFinal())
}

func TestWaitTopupRejectsBadOptions(t *testing.T) {
	c, s := scriptServer(t, send(t, 200, "topup_success.json"))
	_, err := c.WaitTopup(context.Background(), seedTopup(), WithPollInterval(time.Second, time.Millisecond))
	assert.ErrorIs(t, err, ErrInvalidRequest)
	req := seedTopup()
	req.RefID = ""
	_, err = c.WaitTopup(context.Background(), req)
	assert.ErrorIs(t, err, ErrInvalidRequest)
	assert.Zero(t, s.n.Load())
}

// WaitTopup leaves no goroutine behind, whether it ends in success or by
// giving up.
func TestWaitTopupLeaksNoGoroutine(t *testing.T) {
	c, _ := scriptServer(t, send(t, 200, "topup_processing.json"), send(t, 200, "topup_processing.json"), send(t, 200, "topup_success.json"))
	c2, _ := scriptServer(t, send(t, 200, "topup_processing.json"))
	c.CloseIdleConnections()
	before := runtime.NumGoroutine()
	_, err := c.WaitTopup(context.Background(), seedTopup(), quickPolls)
	require.NoError(t, err)
	_, err = c2.WaitTopup(context.Background(), seedTopup(), quickPolls, WithWaitTimeout(50*time.Millisecond))
	require.ErrorIs(t, err, ErrOutcomeUnknown)
	c.CloseIdleConnections()
	c2.CloseIdleConnections()
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !assert.LessOrEqual(t, runtime.NumGoroutine(), before) {
		buf := make([]byte, 1<<16)
		t.Logf("%s", buf[:runtime.Stack(buf, true)])
	}
}

func TestNewRefID(t *testing.T) {
	seen := make(map[string]bool)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 2500 {
				id := NewRefID()
				mu.Lock()
				assert.False(t, seen[id], "duplicate refid")
				seen[id] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	assert.Len(t, seen, 10000)
	for id := range seen {
		r := seedTopup()
		r.RefID = id
		require.NoError(t, r.Validate())
		break
	}
}

func TestWaitTopupWaitsOutRateLimits(t *testing.T) {
	c, s := scriptServer(t, send(t, 429, ""), send(t, 429, ""), send(t, 200, "topup_processing.json"), send(t, 429, ""), send(t, 200, "topup_success.json"))
	c.CloseIdleConnections()
	tx, err := c.WaitTopup(context.Background(), seedTopup(), quickPolls)
	require.NoError(t, err)
	assert.Equal(t, StatusSuccessful, tx.StatusCode)
	assert.EqualValues(t, 5, s.n.Load())
}

func TestWaitTopupOnlyRefusedSaysSo(t *testing.T) {
	c, _ := scriptServer(t, send(t, 429, ""))
	// The wait ends while sleeping, not with a request in flight (that
	// would be unknown: the request might have been processed).
	tx, err := c.WaitTopup(context.Background(), seedTopup(), WithPollInterval(time.Second, time.Second), WithWaitTimeout(200*time.Millisecond))
	assert.Nil(t, tx)
	assert.ErrorIs(t, err, ErrRateLimited)
	assert.NotErrorIs(t, err, ErrOutcomeUnknown, "nothing but refusals: nothing was created by this wait")
}
