package iimmpact

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	iimmpactIP = "18.140.170.98"
	grabPIN    = "MPHE39G3WL"
	testIC     = "900101145678"
)

// pendingPayments are the merchant's records for the seed callbacks.
func pendingPayments() map[string]TopupRequest {
	return map[string]TopupRequest{
		"digi-reload-20250115-001": seedTopup(),
		"321479-0-30f4f209-ee":     {RefID: "321479-0-30f4f209-ee", Product: "GC", Account: "0123456789", Amount: MustParseAmount("5")},
		"1234t": {RefID: "1234t", Product: "C", Account: "0123456789", Amount: MustParseAmount("10"),
			Extras: &Extras{ICNumber: testIC}},
	}
}

// harness is a CallbackHandler over the seed payments that records what
// Handle saw and everything logged.
type harness struct {
	t      *testing.T
	h      *CallbackHandler
	logs   *bytes.Buffer
	mu     sync.Mutex
	seen   []Callback
	failOn func(*Callback) error // Handle's answer; nil means success
}

func newHarness(t *testing.T, mutate func(*CallbackConfig)) *harness {
	t.Helper()
	hs := &harness{t: t, logs: new(bytes.Buffer)}
	allow, err := NewIPAllowlist(ProductionCallbackIPs()...)
	require.NoError(t, err)
	payments := pendingPayments()
	cfg := CallbackConfig{
		Allowlist: allow,
		Lookup: func(_ context.Context, refID string) (TopupRequest, error) {
			req, ok := payments[refID]
			if !ok {
				return TopupRequest{}, ErrUnknownRefID
			}
			return req, nil
		},
		Handle: func(ctx context.Context, cb *Callback) error {
			if ctx.Done() == nil {
				t.Error("Handle's context can never be cancelled")
			}
			hs.mu.Lock()
			defer hs.mu.Unlock()
			hs.seen = append(hs.seen, *cb)
			if hs.failOn != nil {
				return hs.failOn(cb)
			}
			return nil
		},
		Logger: slog.New(slog.NewJSONHandler(&lockedWriter{w: hs.logs}, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if mutate != nil {
		mutate(&cfg)
	}
	hs.h, err = NewCallbackHandler(cfg)
	require.NoError(t, err)
	return hs
}

func (hs *harness) serve(r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	hs.h.ServeHTTP(w, r)
	return w
}

func (hs *harness) handled() []Callback {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	return append([]Callback(nil), hs.seen...)
}

func (hs *harness) logText() string {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	return hs.logs.String()
}

type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// fromIIMMPACT sets the peer to a production callback address.
func fromIIMMPACT(r *http.Request) *http.Request { r.RemoteAddr = iimmpactIP + ":40123"; return r }

func seedPost(t testing.TB, file string) *http.Request {
	return fromIIMMPACT(postCallback(fixture(t, file)))
}

// digiWithStatus is the Digi seed callback carrying another status.
func digiWithStatus(t testing.TB, code StatusCode, word string) *http.Request {
	body := strings.Replace(string(fixture(t, "callback_post_digi.json")), `"statusCode": 20,
    "status": "Succesful"`, `"statusCode": `+code.numeric()+`,
    "status": "`+word+`"`, 1)
	require.Contains(t, body, word)
	return fromIIMMPACT(postCallback([]byte(body)))
}

func (c StatusCode) numeric() string { return strings.Fields(c.String())[0] }

func TestCallbackHandlerAcceptsSeeds(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, nil)
	for _, r := range []*http.Request{
		seedPost(t, "callback_post_digi.json"),
		seedPost(t, "callback_post_grab_gift.json"),
		fromIIMMPACT(getCallback(seedGetQuery(t))),
	} {
		w := hs.serve(r)
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
		assert.JSONEq(t, string(fixture(t, "callback_ack.json")), w.Body.String())
	}
	seen := hs.handled()
	require.Len(t, seen, 3)
	assert.Equal(t, "digi-reload-20250115-001", seen[0].RefID)
	assert.Equal(t, grabPIN, seen[1].PIN, "Handle gets the PIN")
	assert.Equal(t, http.MethodGet, seen[2].Method)
	assert.Equal(t, StatusRejectedByProvider, seen[2].StatusCode)
}

func TestCallbackHandlerRefusals(t *testing.T) {
	t.Parallel()
	proxies, err := NewIPAllowlist("10.0.0.0/8")
	require.NoError(t, err)
	digi := func() *http.Request { return seedPost(t, "callback_post_digi.json") }
	via := func(remote string, xff ...string) *http.Request {
		r := digi()
		r.RemoteAddr = remote
		for _, v := range xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		return r
	}
	withBody := func(body string) *http.Request { return fromIIMMPACT(postCallback([]byte(body))) }
	msg := string(fixture(t, "callback_get_message_decoded.json"))
	get := func(mutate func(url.Values)) *http.Request {
		q := url.Values{"refid": {"1234t"}, "status": {"48"}, "price": {"9.73"}, "message": {msg}}
		mutate(q)
		return fromIIMMPACT(getCallback(q.Encode()))
	}
	digiBody := string(fixture(t, "callback_post_digi.json"))

	for _, tt := range []struct {
		name   string
		req    *http.Request
		want   int
		mutate func(*CallbackConfig)
	}{
		{"unlisted peer", via("203.0.113.9:1"), 403, nil},
		{"staging IP on a production handler", via("3.1.120.89:1"), 403, nil},
		{"spoofed XFF from unlisted peer", via("203.0.113.9:1", iimmpactIP), 403, nil},
		{"spoofed XFF from an IIMMPACT address is still that address", via(iimmpactIP+":1", "203.0.113.9"), 200, nil},
		{"trusted proxy forwarding unlisted client", via("10.0.0.1:1", "203.0.113.9"), 403, nil},
		{"trusted proxy forwarding spoofed chain", via("10.0.0.1:1", iimmpactIP+", 203.0.113.9"), 403, nil},
		{"trusted proxy forwarding allowlisted client", via("10.0.0.1:1", iimmpactIP), 200, nil},
		{"trusted proxies, two hops", via("10.0.0.1:1", iimmpactIP+", 10.0.0.2"), 200, nil},
		{"malformed XFF from trusted proxy", via("10.0.0.1:1", iimmpactIP+", junk"), 403, nil},
		{"proxy itself is not allowlisted", via("10.0.0.1:1"), 403, nil},
		{"IPv6 peer", via("[2001:db8::1]:443"), 403, nil},
		{"IPv4-mapped allowlisted peer", via("[::ffff:" + iimmpactIP + "]:443"), 200, nil},
		{"unparseable peer", via("@unix"), 403, nil},
		{"PUT", fromIIMMPACT(httptest.NewRequest(http.MethodPut, "/", strings.NewReader(digiBody))), 405, nil},
		{"DELETE", fromIIMMPACT(httptest.NewRequest(http.MethodDelete, "/", nil)), 405, nil},
		{"text/plain POST", func() *http.Request { r := digi(); r.Header.Set("Content-Type", "text/plain"); return r }(), 415, nil},
		{"malformed body", withBody(`{"data":`), 400, nil},
		{"message not JSON", get(func(q url.Values) { q.Set("message", "<xml/>") }), 400, nil},
		{"top-level status disagrees", get(func(q url.Values) { q.Set("status", "20") }), 400, nil},
		{"top-level price disagrees", get(func(q url.Values) { q.Set("price", "10") }), 400, nil},
		{"top-level refid disagrees", get(func(q url.Values) { q.Set("refid", "1234") }), 400, nil},
		{"body over the configured limit", digi(), 413, func(c *CallbackConfig) { c.MaxBytes = 256 }},
		{"query over the configured limit", fromIIMMPACT(getCallback(seedGetQuery(t))), 414, func(c *CallbackConfig) { c.MaxBytes = 256 }},
		{"unknown refid", withBody(strings.Replace(digiBody, "digi-reload-20250115-001", "digi-reload-20250115-999", 1)), 404, nil},
		{"amount mismatch", withBody(strings.Replace(digiBody, `"amount": 30`, `"amount": 300`, 1)), 422, nil},
		{"amount off by a sen", withBody(strings.Replace(digiBody, `"amount": 30`, `"amount": 30.01`, 1)), 422, nil},
		{"product mismatch", withBody(strings.Replace(digiBody, `"product": "D"`, `"product": "GC"`, 1)), 422, nil},
		{"account mismatch", withBody(strings.Replace(digiBody, `"account": "0123456789"`, `"account": "0123456780"`, 1)), 422, nil},
		{"Lookup answers a zero request", digi(), 422, func(c *CallbackConfig) {
			c.Lookup = func(context.Context, string) (TopupRequest, error) { return TopupRequest{}, nil }
		}},
		{"Lookup fails", digi(), 500, func(c *CallbackConfig) {
			c.Lookup = func(context.Context, string) (TopupRequest, error) { return TopupRequest{}, errors.New("db down") }
		}},
		{"Verify refuses the refid", digi(), 404, func(c *CallbackConfig) {
			c.Verify = func(context.Context, *Callback) error { return ErrUnknownRefID }
		}},
		{"Verify finds a mismatch", digi(), 422, func(c *CallbackConfig) {
			c.Verify = func(context.Context, *Callback) error { return ErrCallbackMismatch }
		}},
		{"Verify fails", digi(), 500, func(c *CallbackConfig) {
			c.Verify = func(context.Context, *Callback) error { return errors.New("db down") }
		}},
		{"Verify alone accepts", digi(), 200, func(c *CallbackConfig) {
			c.Lookup = nil
			c.Verify = func(context.Context, *Callback) error { return nil }
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			hs := newHarness(t, func(c *CallbackConfig) {
				c.TrustedProxies = proxies
				if tt.mutate != nil {
					tt.mutate(c)
				}
			})
			w := hs.serve(tt.req)
			require.Equal(t, tt.want, w.Code, w.Body.String())
			if tt.want == 200 {
				assert.Len(t, hs.handled(), 1)
				return
			}
			assert.Empty(t, hs.handled(), "Handle never sees a refused callback")
			assert.NotContains(t, w.Body.String(), "received\":true")
			logged := hs.logText()
			level := `"level":"WARN"`
			if tt.want >= 500 {
				level = `"level":"ERROR"`
			}
			assert.Contains(t, logged, level)
			assert.Contains(t, logged, `"http_status":`+strconv.Itoa(tt.want))
			assert.Contains(t, logged, `"reason":`)
			assert.Contains(t, logged, `"peer":`)
			if tt.want == 405 {
				assert.Equal(t, "GET, POST", w.Header().Get("Allow"))
			}
		})
	}
}

func TestCallbackHandlerConcurrentDuplicatesHandleOnce(t *testing.T) {
	t.Parallel()
	const n = 50
	release := make(chan struct{})
	hs := newHarness(t, nil)
	inner := hs.h.cfg.Handle
	hs.h.cfg.Handle = func(ctx context.Context, cb *Callback) error {
		<-release // hold the claim until every other delivery has been answered
		return inner(ctx, cb)
	}
	body := fixture(t, "callback_post_grab_gift.json")
	codes := make(chan *httptest.ResponseRecorder, n)
	for range n {
		go func() { codes <- hs.serve(fromIIMMPACT(postCallback(body))) }()
	}
	count := map[int]int{}
	for range n - 1 {
		w := <-codes
		count[w.Code]++
		assert.Equal(t, "60", w.Header().Get("Retry-After"))
	}
	assert.Equal(t, map[int]int{http.StatusServiceUnavailable: n - 1}, count, "all but the one acting are asked to retry")
	close(release)
	assert.Equal(t, http.StatusOK, (<-codes).Code)
	require.Len(t, hs.handled(), 1)

	// IIMMPACT's retries of the 503s are now acknowledged without acting.
	for range 3 {
		assert.Equal(t, http.StatusOK, hs.serve(fromIIMMPACT(postCallback(body))).Code)
	}
	assert.Len(t, hs.handled(), 1)
	assert.Contains(t, hs.logText(), "duplicate")
}

func TestCallbackHandlerConcurrentDeliveriesRace(t *testing.T) {
	t.Parallel()
	// Without holding Handle: 50 racing deliveries still act once.
	hs := newHarness(t, nil)
	body := fixture(t, "callback_post_digi.json")
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			code := hs.serve(fromIIMMPACT(postCallback(body))).Code
			assert.True(t, code == http.StatusOK || code == http.StatusServiceUnavailable, "code %d", code)
		})
	}
	wg.Wait()
	assert.Len(t, hs.handled(), 1)
}

func TestCallbackHandlerNeverRegresses(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, nil)
	steps := []struct {
		req    *http.Request
		handle bool
	}{
		{digiWithStatus(t, StatusProcessing, "Processing"), true},
		{digiWithStatus(t, StatusProcessing, "Processing"), false}, // retry of the same
		{seedPost(t, "callback_post_digi.json"), true},             // Succesful
		{digiWithStatus(t, StatusProcessing, "Processing"), false}, // late Processing
		{digiWithStatus(t, StatusAccepted, "Accepted"), false},     // older still
		{seedPost(t, "callback_post_digi.json"), false},            // Succesful again
		{digiWithStatus(t, StatusRefund, "Refund"), true},          // a later final status acts
	}
	for i, s := range steps {
		before := len(hs.handled())
		w := hs.serve(s.req)
		require.Equal(t, http.StatusOK, w.Code, "step %d", i)
		assert.JSONEq(t, `{"received":true}`, w.Body.String())
		assert.Equal(t, s.handle, len(hs.handled()) > before, "step %d", i)
	}
	var codes []StatusCode
	for _, cb := range hs.handled() {
		codes = append(codes, cb.StatusCode)
	}
	assert.Equal(t, []StatusCode{StatusProcessing, StatusSuccessful, StatusRefund}, codes)
	assert.Contains(t, hs.logText(), "stale")
}

func TestCallbackHandlerHandleFailureIsRetried(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, nil)
	fail := true
	hs.failOn = func(*Callback) error {
		if fail {
			return errors.New("ledger unavailable")
		}
		return nil
	}
	req := func() *http.Request { return seedPost(t, "callback_post_digi.json") }
	assert.Equal(t, http.StatusInternalServerError, hs.serve(req()).Code)
	assert.Equal(t, http.StatusInternalServerError, hs.serve(req()).Code, "the claim was released")
	fail = false
	assert.Equal(t, http.StatusOK, hs.serve(req()).Code)
	assert.Equal(t, http.StatusOK, hs.serve(req()).Code)
	assert.Len(t, hs.handled(), 3, "two failures, one success, then a duplicate")

	// Handle refusing for good is a 4xx, and is not remembered as done.
	hs2 := newHarness(t, nil)
	hs2.failOn = func(*Callback) error { return ErrCallbackMismatch }
	assert.Equal(t, http.StatusUnprocessableEntity, hs2.serve(req()).Code)
	hs2.failOn = nil
	assert.Equal(t, http.StatusOK, hs2.serve(req()).Code)
	assert.Len(t, hs2.handled(), 2)
}

func TestCallbackHandlerPanicReleasesTheClaim(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, nil)
	hs.failOn = func(*Callback) error { panic("boom") }
	assert.Panics(t, func() { hs.serve(seedPost(t, "callback_post_digi.json")) })
	hs.failOn = nil
	assert.Equal(t, http.StatusOK, hs.serve(seedPost(t, "callback_post_digi.json")).Code)
}

// failingStore fails on demand and can answer nonsense.
type failingStore struct {
	*MemoryCallbackStore
	claimErr, completeErr error
	result                ClaimResult
}

func (s *failingStore) Claim(ctx context.Context, id string, st StatusCode, lease time.Duration) (Lease, ClaimResult, error) {
	if s.claimErr != nil || s.result != 0 {
		return Lease{}, s.result, s.claimErr
	}
	return s.MemoryCallbackStore.Claim(ctx, id, st, lease)
}

func (s *failingStore) Complete(ctx context.Context, l Lease) error {
	if s.completeErr != nil {
		return s.completeErr
	}
	return s.MemoryCallbackStore.Complete(ctx, l)
}

func TestCallbackHandlerStoreFailures(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		store   *failingStore
		want    int
		handled int
	}{
		{"claim fails: retry", &failingStore{claimErr: errors.New("db down")}, 503, 0},
		{"store answers nonsense", &failingStore{result: 42}, 500, 0},
		{"complete fails after Handle acted: acknowledge, do not act twice", &failingStore{completeErr: errors.New("db down")}, 200, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.store.MemoryCallbackStore = NewMemoryCallbackStore()
			hs := newHarness(t, func(c *CallbackConfig) { c.Store = tt.store })
			assert.Equal(t, tt.want, hs.serve(seedPost(t, "callback_post_digi.json")).Code)
			assert.Len(t, hs.handled(), tt.handled)
			assert.Contains(t, hs.logText(), `"level":"ERROR"`)
		})
	}
}

func TestCallbackHandlerLogsNoSecrets(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, nil)
	grab := string(fixture(t, "callback_post_grab_gift.json"))
	hs.failOn = func(cb *Callback) error { return errors.New("could not store voucher " + cb.PIN) }
	for _, r := range []*http.Request{
		seedPost(t, "callback_post_grab_gift.json"), // Handle fails, quoting the PIN
		func() *http.Request {
			r := seedPost(t, "callback_post_grab_gift.json")
			r.RemoteAddr = "203.0.113.9:1"
			return r
		}(),
		fromIIMMPACT(postCallback([]byte(strings.Replace(grab, `"amount": 5`, `"amount": 50`, 1)))),
		fromIIMMPACT(postCallback([]byte(strings.Replace(grab, `"refid": "321479-0-30f4f209-ee"`, `"refid": "nope"`, 1)))),
		fromIIMMPACT(postCallback([]byte(strings.Replace(grab, `"cost": 5`, `"cost": "`+grabPIN+`"`, 1)))),
		fromIIMMPACT(postCallback([]byte(grab[:len(grab)-10]))),
		fromIIMMPACT(getCallback(seedGetQuery(t) + "&pin=" + grabPIN)),
	} {
		hs.serve(r)
	}
	hs.failOn = nil
	require.Equal(t, http.StatusOK, hs.serve(seedPost(t, "callback_post_grab_gift.json")).Code)
	require.Equal(t, http.StatusOK, hs.serve(seedPost(t, "callback_post_grab_gift.json")).Code)

	logged := hs.logText()
	lines := strings.Count(logged, "\n")
	assert.Equal(t, 9, lines, "one line per request:\n%s", logged)
	assert.NotContains(t, logged, grabPIN)
	assert.NotContains(t, logged, grabPIN[:5])
	assert.NotContains(t, logged, testIC)
	assert.NotContains(t, logged, "Insert voucher code", "no bodies")
	assert.Contains(t, logged, "[redacted]")
	assert.Contains(t, logged, `"peer":"203.0.113.9"`)
	assert.Contains(t, logged, `"peer":"18.140.170.98"`)
}

func TestNewCallbackHandlerValidates(t *testing.T) {
	t.Parallel()
	allow, err := NewIPAllowlist(ProductionCallbackIPs()...)
	require.NoError(t, err)
	empty, err := NewIPAllowlist()
	require.NoError(t, err)
	handle := func(context.Context, *Callback) error { return nil }
	lookup := func(context.Context, string) (TopupRequest, error) { return TopupRequest{}, nil }
	verify := func(context.Context, *Callback) error { return nil }
	for name, cfg := range map[string]CallbackConfig{
		"no allowlist":         {Handle: handle, Lookup: lookup},
		"empty allowlist":      {Allowlist: empty, Handle: handle, Lookup: lookup},
		"no Handle":            {Allowlist: allow, Lookup: lookup},
		"no Lookup nor Verify": {Allowlist: allow, Handle: handle},
		"negative MaxBytes":    {Allowlist: allow, Handle: handle, Lookup: lookup, MaxBytes: -1},
		"negative Lease":       {Allowlist: allow, Handle: handle, Lookup: lookup, Lease: -1},
	} {
		h, err := NewCallbackHandler(cfg)
		assert.Error(t, err, name)
		assert.Nil(t, h, name)
	}
	h, err := NewCallbackHandler(CallbackConfig{Allowlist: allow, Handle: handle, Verify: verify})
	require.NoError(t, err)
	assert.Equal(t, int64(DefaultMaxCallbackBytes), h.cfg.MaxBytes)
	assert.Equal(t, DefaultCallbackLease, h.cfg.Lease)
	assert.NotNil(t, h.cfg.Store)
}

func TestZeroCallbackHandlerRefusesEverything(t *testing.T) {
	t.Parallel()
	var zero CallbackHandler
	var nilHandler *CallbackHandler
	for _, h := range []http.Handler{&zero, nilHandler} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, seedPost(t, "callback_post_digi.json"))
		assert.Equal(t, http.StatusForbidden, w.Code)
	}
}

func TestCallbackHandlerBusyIsNotAnError(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	hs := newHarness(t, nil)
	inner := hs.h.cfg.Handle
	entered := make(chan struct{})
	hs.h.cfg.Handle = func(ctx context.Context, cb *Callback) error {
		close(entered)
		<-release
		return inner(ctx, cb)
	}
	done := make(chan int)
	go func() { done <- hs.serve(seedPost(t, "callback_post_digi.json")).Code }()
	<-entered
	assert.Equal(t, http.StatusServiceUnavailable, hs.serve(seedPost(t, "callback_post_digi.json")).Code)
	close(release)
	assert.Equal(t, http.StatusOK, <-done)
	assert.Contains(t, hs.logText(), "busy")
	assert.NotContains(t, hs.logText(), `"level":"ERROR"`)
}
