package iimmpact_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recorder keeps every event, and adds a trace header on each attempt.
type recorder struct {
	mu     sync.Mutex
	events []any
}

func (r *recorder) add(e any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) CallStart(ctx context.Context, e iimmpact.CallStart) context.Context {
	r.add(e)
	return ctx
}
func (r *recorder) CallEnd(_ context.Context, e iimmpact.CallEnd) { r.add(e) }
func (r *recorder) AttemptStart(ctx context.Context, e iimmpact.AttemptStart) context.Context {
	e.Header.Set("Traceparent", fmt.Sprintf("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b%d-01", e.Attempt))
	e.Header.Set("X-Signature", "forged") // refused: the SDK owns it
	r.add(e)
	return ctx
}
func (r *recorder) AttemptEnd(_ context.Context, e iimmpact.AttemptEnd)   { r.add(e) }
func (r *recorder) LimiterWait(_ context.Context, e iimmpact.LimiterWait) { r.add(e) }
func (r *recorder) CallbackStart(ctx context.Context, e iimmpact.CallbackStart) context.Context {
	r.add(e)
	return ctx
}
func (r *recorder) CallbackEnd(_ context.Context, e iimmpact.CallbackEnd)         { r.add(e) }
func (r *recorder) PaymentState(_ context.Context, e iimmpact.PaymentStateChange) { r.add(e) }

func eventsOf[T any](r *recorder) []T {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []T
	for _, e := range r.events {
		if t, ok := e.(T); ok {
			out = append(out, t)
		}
	}
	return out
}

func fastRetries() iimmpact.Option {
	return iimmpact.WithRetryPolicy(iimmpact.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond})
}

func TestObserverSeesRetriedTopup(t *testing.T) {
	t.Parallel()
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	srv.ScriptFaults("/v2/topup", iimmpacttest.StatusFault(502))
	rec := &recorder{}
	c := srv.Client(iimmpact.WithObserver(rec), fastRetries())
	require.Same(t, rec, c.Observer())
	req := iimmpact.TopupRequest{RefID: "obs-1", Product: "D", Account: "0123456789", Amount: iimmpact.MustParseAmount("30")}
	tx, err := c.Topup(context.Background(), req)
	require.NoError(t, err)
	require.True(t, tx.StatusCode.IsSuccess())

	starts := eventsOf[iimmpact.AttemptStart](rec)
	ends := eventsOf[iimmpact.AttemptEnd](rec)
	require.Len(t, starts, 2)
	require.Len(t, ends, 2)
	assert.Equal(t, 1, starts[0].Attempt)
	assert.Equal(t, 2, starts[1].Attempt)
	assert.Equal(t, srv.URL+"/v2/topup", starts[0].URL)
	assert.Equal(t, "127.0.0.1", starts[0].ServerAddress)
	assert.Equal(t, iimmpact.VerdictRetry, ends[0].Verdict)
	assert.Equal(t, 502, ends[0].HTTPStatus)
	assert.Equal(t, "502", ends[0].ErrorType)
	assert.Equal(t, iimmpact.VerdictSuccess, ends[1].Verdict)
	assert.Equal(t, 200, ends[1].HTTPStatus)
	assert.Empty(t, ends[1].ErrorType)

	calls := eventsOf[iimmpact.CallEnd](rec)
	require.Len(t, calls, 1)
	assert.Equal(t, iimmpact.VerdictSuccess, calls[0].Verdict)
	assert.Equal(t, 2, calls[0].Attempts)
	assert.Equal(t, "obs-1", calls[0].RefID)
	assert.Equal(t, "/v2/topup", calls[0].Path)
	assert.Equal(t, 1, srv.Debits("obs-1"))
}

// TestTraceHeadersDoNotBreakSigning: the fake verifies every signature, so
// the success above and this one prove that the added header is outside
// the signature; the forged X-Signature never reached the wire.
func TestTraceHeadersDoNotBreakSigning(t *testing.T) {
	t.Parallel()
	var seen http.Header
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r.Header.Clone()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"data":{"account":"3100528","name":"n","balance":"1","level":"1","access":1}}`)
	}))
	defer up.Close()
	c, err := iimmpact.New("key", "c2VjcmV0", iimmpact.WithBaseURL(up.URL), iimmpact.WithObserver(&recorder{}))
	require.NoError(t, err)
	_, err = c.Balance(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b1-01", seen.Get("Traceparent"))
	assert.NotEqual(t, "forged", seen.Get("X-Signature"))
	assert.True(t, strings.HasPrefix(seen.Get("X-Signature"), "v1="))
}

func TestObserverOutcomeUnknown(t *testing.T) {
	t.Parallel()
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	srv.ScriptFaults("/v2/topup", iimmpacttest.StatusFault(503).AfterProcessing(), iimmpacttest.StatusFault(503), iimmpacttest.StatusFault(503))
	rec := &recorder{}
	c := srv.Client(iimmpact.WithObserver(rec), fastRetries())
	_, err := c.Topup(context.Background(), iimmpact.TopupRequest{RefID: "obs-2", Product: "D", Account: "0123456789", Amount: iimmpact.MustParseAmount("30")})
	require.ErrorIs(t, err, iimmpact.ErrOutcomeUnknown)
	ends := eventsOf[iimmpact.AttemptEnd](rec)
	require.Len(t, ends, 3)
	assert.Equal(t, []iimmpact.Verdict{iimmpact.VerdictRetry, iimmpact.VerdictRetry, iimmpact.VerdictOutcomeUnknown},
		[]iimmpact.Verdict{ends[0].Verdict, ends[1].Verdict, ends[2].Verdict})
	calls := eventsOf[iimmpact.CallEnd](rec)
	require.Len(t, calls, 1)
	assert.Equal(t, iimmpact.VerdictOutcomeUnknown, calls[0].Verdict)
	assert.Equal(t, 503, calls[0].HTTPStatus)
	assert.Equal(t, "503", calls[0].ErrorType)
}

// TestObserverWaitTopup: a wait is one call of kind CallWait around the
// calls of its polls, and a wait that runs out is an unknown outcome.
func TestObserverWaitTopup(t *testing.T) {
	t.Parallel()
	srv := iimmpacttest.NewServer(iimmpacttest.WithSettleAfter(100))
	defer srv.Close()
	rec := &recorder{}
	c := srv.Client(iimmpact.WithObserver(rec))
	_, err := c.WaitTopup(context.Background(), iimmpact.TopupRequest{RefID: "obs-3", Product: "D", Account: "0123456789", Amount: iimmpact.MustParseAmount("30")},
		iimmpact.WithPollInterval(time.Millisecond, 2*time.Millisecond), iimmpact.WithWaitTimeout(30*time.Millisecond))
	require.ErrorIs(t, err, iimmpact.ErrOutcomeUnknown)
	calls := eventsOf[iimmpact.CallEnd](rec)
	require.GreaterOrEqual(t, len(calls), 2)
	last := calls[len(calls)-1]
	assert.Equal(t, iimmpact.CallWait, last.Kind)
	assert.Equal(t, iimmpact.VerdictOutcomeUnknown, last.Verdict)
	assert.Equal(t, iimmpact.CallRequest, calls[0].Kind)
	assert.Equal(t, iimmpact.VerdictSuccess, calls[0].Verdict) // a pending answer is an answer
}

func TestObserverCallbackRefusedByAllowlist(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	allow, err := iimmpact.NewIPAllowlist("203.0.113.7")
	require.NoError(t, err)
	h, err := iimmpact.NewCallbackHandler(iimmpact.CallbackConfig{Allowlist: allow, Observer: rec,
		Verify: func(context.Context, *iimmpact.Callback) error { return nil },
		Handle: func(context.Context, *iimmpact.Callback) error { return nil }})
	require.NoError(t, err)
	r := iimmpacttest.NewCallbackRequest(http.MethodPost, iimmpact.Transaction{RefID: "obs-4", StatusCode: 20, PIN: "1234-5678"})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	require.Equal(t, http.StatusForbidden, w.Code)
	ends := eventsOf[iimmpact.CallbackEnd](rec)
	require.Len(t, ends, 1)
	assert.Equal(t, http.StatusForbidden, ends[0].HTTPStatus)
	assert.Equal(t, iimmpact.CallbackForbidden, ends[0].Result)
	assert.Equal(t, "source not allowlisted", ends[0].Reason)
	assert.Equal(t, http.MethodPost, ends[0].Method)
}

// TestObserverSeesNoSecrets runs payments with a voucher PIN, an IC number
// and an account number, queries with an account in the query string, and
// callbacks carrying the PIN, and finds none of them, nor the API key,
// secret or any signature, in any event.
func TestObserverSeesNoSecrets(t *testing.T) {
	t.Parallel()
	cbRec := &recorder{}
	allow, err := iimmpact.NewIPAllowlist(iimmpact.ProductionCallbackIPs()...)
	require.NoError(t, err)
	h, err := iimmpact.NewCallbackHandler(iimmpact.CallbackConfig{Allowlist: allow, Observer: cbRec,
		Verify: func(context.Context, *iimmpact.Callback) error { return nil },
		Handle: func(context.Context, *iimmpact.Callback) error { return nil }})
	require.NoError(t, err)

	srv := iimmpacttest.NewServer()
	defer srv.Close()
	srv.ScriptFaults("/v2/topup", iimmpacttest.StatusFault(500))
	rec := &recorder{}
	c := srv.Client(iimmpact.WithObserver(rec), fastRetries())
	ctx := context.Background()
	const account, ic = "60123459876", "900101145678"
	gc, err := c.Topup(ctx, iimmpact.TopupRequest{RefID: "obs-5", Product: "GC", Account: account, Amount: iimmpact.MustParseAmount("10"),
		Extras: &iimmpact.Extras{ICNumber: ic}})
	require.NoError(t, err)
	require.NotEmpty(t, gc.PIN)
	_, _ = c.Transactions(ctx, iimmpact.TransactionQuery{From: time.Now(), Account: account})
	_, _ = c.BillPresentment(ctx, iimmpact.BillQuery{Product: "TNB", Account: account})
	for _, m := range []string{http.MethodPost, http.MethodGet} {
		h.ServeHTTP(httptest.NewRecorder(), iimmpacttest.NewCallbackRequest(m, *gc))
	}

	all := append(append([]any(nil), rec.events...), cbRec.events...)
	require.NotEmpty(t, eventsOf[iimmpact.CallbackEnd](cbRec))
	for _, e := range all {
		text := fmt.Sprintf("%#v %+v", e, e)
		for name, secret := range map[string]string{"PIN": gc.PIN, "IC number": ic, "account": account,
			"API key": srv.APIKey, "HMAC secret": srv.HMACSecret, "signature": "v1="} {
			assert.NotContains(t, text, secret, "%s in %T", name, e)
		}
	}
	starts := eventsOf[iimmpact.AttemptStart](rec)
	require.NotEmpty(t, starts)
	for _, s := range starts {
		assert.NotContains(t, s.Header.Keys(), "X-Api-Key")
		assert.Empty(t, s.Header.Get("X-Signature"))
	}
}

func TestTraceHeadersRefuseOwnedHeaders(t *testing.T) {
	t.Parallel()
	var got []string
	obs := observerFunc{f: func(e iimmpact.AttemptStart) {
		for _, k := range []string{"X-Api-Key", "x-signature", "X-Nonce", "X-Timestamp", "Content-Type", "User-Agent", "Baggage"} {
			e.Header.Set(k, "mine")
		}
		e.Header.Set("Baggage", "second") // already set: left alone
		got = e.Header.Keys()
	}}
	var seen http.Header
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r.Header.Clone()
		fmt.Fprint(w, `{"data":{"account":"1","name":"n","balance":"1","level":"1","access":1}}`)
	}))
	defer up.Close()
	c, err := iimmpact.New("key", "c2VjcmV0", iimmpact.WithBaseURL(up.URL), iimmpact.WithObserver(obs))
	require.NoError(t, err)
	_, err = c.Balance(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []string{"Baggage"}, got)
	assert.Equal(t, "mine", seen.Get("Baggage"))
	assert.Equal(t, "application/json", seen.Get("Content-Type"))
	assert.Equal(t, "key", seen.Get("X-Api-Key"))
	assert.NotEqual(t, "mine", seen.Get("X-Nonce"))
}

// observerFunc observes attempt starts only; NopObserver ignores the rest.
type observerFunc struct {
	iimmpact.NopObserver
	f func(iimmpact.AttemptStart)
}

func (o observerFunc) AttemptStart(ctx context.Context, e iimmpact.AttemptStart) context.Context {
	o.f(e)
	return ctx
}

func TestStatsShowsRetryBudget(t *testing.T) {
	t.Parallel()
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	c := srv.Client(iimmpact.WithRetryPolicy(iimmpact.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond,
		Budget: 5, BudgetRefill: time.Hour}))
	assert.Equal(t, 5, c.Stats().RetryTokens)
	assert.Equal(t, 5, c.Stats().RetryBudget)
	srv.ScriptFaults("/v2/balance", iimmpacttest.StatusFault(503), iimmpacttest.StatusFault(503))
	_, err := c.Balance(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 3, c.Stats().RetryTokens)
}
