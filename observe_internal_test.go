package iimmpact

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type limiterSpy struct {
	NopObserver
	got []LimiterWait
}

func (s *limiterSpy) LimiterWait(_ context.Context, e LimiterWait) { s.got = append(s.got, e) }

// TestLimiterWaitHook: the hook the client-wide limiter calls after a wait
// reaches the observer, and is a no-op without one.
func TestLimiterWaitHook(t *testing.T) {
	t.Parallel()
	spy := &limiterSpy{}
	c, err := New(testKey, testSecret, WithObserver(spy))
	require.NoError(t, err)
	c.obs.limiterWait(context.Background(), "POST", "/v2/topup", 40*time.Millisecond)
	assert.Equal(t, []LimiterWait{{Method: "POST", Path: "/v2/topup", Waited: 40 * time.Millisecond}}, spy.got)

	bare, err := New(testKey, testSecret)
	require.NoError(t, err)
	bare.obs.limiterWait(context.Background(), "GET", "/v2/balance", time.Second) // must not panic
	assert.Nil(t, bare.Observer())
}

// TestRedactedURL: query keys stay, values never do.
func TestRedactedURL(t *testing.T) {
	t.Parallel()
	q := map[string][]string{"account": {"60123456789"}, "product": {"TNB"}}
	assert.Equal(t, "https://api.iimmpact.com/v2/bill-presentment?account=REDACTED&product=REDACTED",
		redactedURL("https://api.iimmpact.com", "/v2/bill-presentment", q))
	assert.Equal(t, "https://api.iimmpact.com/v2/balance", redactedURL("https://api.iimmpact.com", "/v2/balance", nil))
}

func TestErrorType(t *testing.T) {
	t.Parallel()
	for want, err := range map[string]error{
		"":                   nil,
		"503":                &OutcomeUnknownError{RefID: "r", Err: &APIError{HTTPStatus: 503}},
		"400":                &APIError{HTTPStatus: 400},
		"timeout":            fmt.Errorf("iimmpact: GET /v2/balance: %w", context.DeadlineExceeded),
		"canceled":           fmt.Errorf("x: %w", context.Canceled),
		"malformed_response": &MalformedResponseError{HTTPStatus: 200, Err: errors.New("eof")},
		"invalid_request":    fmt.Errorf("%w: amount", ErrInvalidRequest),
		"connection":         &url.Error{Op: "Get", URL: "https://x", Err: syscall.ECONNRESET},
		"_OTHER":             errors.New("something else"),
	} {
		assert.Equal(t, want, errorType(err), "%v", err)
	}
}

// TestCallbackResult maps every verdict the handler gives to its result.
func TestCallbackResult(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		code   int
		reason string
		want   CallbackResult
	}{
		{200, "handled", CallbackHandled},
		{200, "handled, but the store did not record it", CallbackHandled},
		{200, "duplicate: already handled", CallbackDuplicate},
		{200, "stale: a newer status was handled", CallbackStale},
		{403, "source not allowlisted", CallbackForbidden},
		{403, "handler not configured: refusing all", CallbackForbidden},
		{400, "bad request", CallbackRefused},
		{404, "lookup refused", CallbackRefused},
		{422, "callback differs from the payment", CallbackRefused},
		{405, "bad request", CallbackRefused},
		{503, "busy: refid is being handled", CallbackRetry},
		{503, "re-query failed", CallbackRetry},
		{500, "Handle failed", CallbackFailed},
		{500, "store failed", CallbackFailed},
	} {
		assert.Equal(t, tc.want, callbackResult(verdict{code: tc.code, reason: tc.reason}), "%d %s", tc.code, tc.reason)
	}
}

// BenchmarkNoObserverHooks runs the hooks one call of one attempt passes
// through when no observer is set, so their cost can be set against a
// whole call (BenchmarkBalanceInMemory): each is an inlined nil check.
func BenchmarkNoObserverHooks(b *testing.B) {
	c, err := New(testKey, testSecret)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	req, _ := http.NewRequest(http.MethodGet, "https://api.iimmpact.com/v2/balance", nil)
	resp := &http.Response{StatusCode: 200}
	cl := call{method: http.MethodGet, path: "/v2/balance"}
	b.ReportAllocs()
	for b.Loop() {
		octx, oc := c.obs.startCall(ctx, &cl)
		cl.obs = oc
		r := cl.obs.startAttempt(req)
		cl.obs.endAttempt(resp, nil, false, 0)
		cl.obs.end(nil)
		if octx != ctx || r != req {
			b.Fatal("a hook without an observer changed its input")
		}
	}
}
