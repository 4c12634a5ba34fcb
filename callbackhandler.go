package iimmpact

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// DefaultCallbackLease is how long a claim on a refid lasts unless renewed.
// The handler renews it every third of that while the re-query and Handle
// run, so it bounds how long a crashed worker blocks a refid, not how long
// Handle may take: it is shorter than IIMMPACT's 60 s retry delay, so a
// crashed worker's claim has lapsed by the time the retry arrives.
const DefaultCallbackLease = 30 * time.Second

// CallbackConfig configures a CallbackHandler. Allowlist, Handle and at
// least one of Lookup and Verify are required.
type CallbackConfig struct {
	// Allowlist holds the addresses callbacks may come from, usually
	// NewIPAllowlist(ProductionCallbackIPs()...). Required and non-empty:
	// callbacks carry no signature, so the source address is the first check.
	Allowlist *IPAllowlist

	// TrustedProxies holds your own reverse proxies or load balancers. Only
	// when the direct peer is one of them is X-Forwarded-For read (right to
	// left, skipping trusted hops); otherwise it is ignored, since anyone can
	// send it. Nil trusts no proxy.
	TrustedProxies *IPAllowlist

	// Lookup returns the request you sent with refID, or an error wrapping
	// ErrUnknownRefID if you sent none. The handler then refuses a callback
	// whose product, account or amount differ from it (ErrCallbackMismatch).
	// Save the request before calling Topup, or its callback may find
	// nothing.
	Lookup func(ctx context.Context, refID string) (TopupRequest, error)

	// Verify, optional with Lookup, runs your own checks after it (or
	// instead of it). Return an error wrapping ErrUnknownRefID or
	// ErrCallbackMismatch to refuse for good (4xx); any other error is an
	// internal failure (500) and IIMMPACT retries.
	Verify func(ctx context.Context, cb *Callback) error

	// Requery, if set, confirms every non-pending status with IIMMPACT
	// before Handle sees it, without a side effect: it looks the refid up in
	// the transaction history (GET /v2/transactions, filtered by the
	// callback's account and product, on the callback's day and the day
	// before). It never re-sends /v2/topup, so a forged or mistaken
	// callback for a refid that was saved but never sent creates nothing.
	// The history's amount, cost, SN, PIN, expiry, remarks and voucher link
	// replace the callback's (Balance, Note and Timestamp are not in the
	// history and stay as sent). If the history names another non-pending
	// status, Handle acts on that one instead (once, like any status), and
	// the callback is acknowledged only if its own status is then a
	// duplicate or stale; otherwise the history may lag behind it (a Refund
	// not listed yet), so the answer is 503. While the refid is not in the
	// history yet, the history cannot be read or it says pending, the
	// handler answers 503 too, so IIMMPACT retries (3 times, 60 s apart); a
	// callback still unconfirmed then is never acted on here, so settle
	// such payments by asking Topup with the request you sent. It costs one
	// API call per final callback (more if the day's history for that
	// account and product runs past one page of 100).
	Requery *Client

	// Handle acts on the callback: it runs at most once per (refid,
	// status), never for a pending status older than one already handled,
	// and never for two statuses of one refid at once. It sees pending
	// statuses (Accepted, Processing) as well as final ones; check
	// cb.StatusCode. An error makes the handler answer 500 (so IIMMPACT
	// retries and the next delivery runs Handle again), or 404/422 if it
	// wraps ErrUnknownRefID or ErrCallbackMismatch.
	//
	// Handle may take longer than Lease: the handler renews the lease while
	// it runs. Its context ends when the request's does (IIMMPACT hangs up
	// after 30 s) and the moment a renewal fails for good or cannot succeed
	// before the lease would lapse (context.Cause is then ErrLeaseLost),
	// between a twelfth and a sixth of Lease before it does. Only a
	// crashed, paused or partitioned worker loses a lease, and a Handle
	// that returns promptly when its context ends never overlaps another. A Handle that ignores its
	// context risks exactly this: once the lease lapses, another delivery
	// of the same status claims the refid and runs Handle again at the same
	// time, so the status is acted on twice; the late Handle's result is
	// then logged at Error ("handled after its lease was lost") and not
	// recorded, since the store refuses its lapsed lease.
	Handle func(ctx context.Context, cb *Callback) error

	// Store records what was handled. Nil means NewMemoryCallbackStore(),
	// which is right for a single process; share a database-backed store
	// between replicas.
	Store CallbackStore

	// MaxBytes bounds the body (POST) and the query string (GET); 0 means
	// DefaultMaxCallbackBytes.
	MaxBytes int64

	// Lease is how long a claim lasts unless renewed (it is renewed every
	// third of it while work goes on); 0 means DefaultCallbackLease.
	Lease time.Duration

	// Logger receives one line per callback: refusals and busy answers at
	// Warn, failures at Error, acknowledgements at Debug, with the reason, peer address and
	// refid; never a PIN, an IC number or a body. Nil logs nothing.
	Logger *slog.Logger

	// Observer, if set, sees every callback answered: its result and HTTP
	// status, and a context spanning the handling (see Observer).
	Observer Observer
}

// CallbackHandler receives IIMMPACT's transaction callbacks (POST or GET)
// and turns its retry policy into at-most-once processing. Per request:
//
//  1. the source must be allowlisted, else 403;
//  2. the method must be GET or POST (405), a POST JSON (415), the payload
//     within MaxBytes (413, or 414 for a GET) and well formed (400);
//  3. Lookup and Verify must know the refid (else 404) and agree with the
//     fields (else 422);
//  4. the store must grant a claim: an already-handled status or a pending
//     one older than what was handled is acknowledged without Handle; a
//     refid another worker is handling gets 503 with Retry-After;
//  5. Requery, if set, confirms a final status from IIMMPACT's history
//     (503 while it cannot);
//  6. Handle runs, its lease renewed; success is 200 {"received":true},
//     failure 500.
//
// IIMMPACT retries 5xx, 408 and 429 and treats every other 4xx as
// permanent, so every refusal above that a retry cannot fix is a 4xx, and
// every failure a retry can fix is a 5xx. The zero CallbackHandler refuses
// everything.
type CallbackHandler struct {
	cfg    CallbackConfig
	parser CallbackParser // cfg's Allowlist, TrustedProxies and MaxBytes
}

// NewCallbackHandler checks cfg and fills in its defaults.
func NewCallbackHandler(cfg CallbackConfig) (*CallbackHandler, error) {
	switch {
	case cfg.Allowlist.Len() == 0:
		return nil, errors.New("iimmpact: CallbackConfig.Allowlist is required and must not be empty")
	case cfg.Handle == nil:
		return nil, errors.New("iimmpact: CallbackConfig.Handle is required")
	case cfg.Lookup == nil && cfg.Verify == nil:
		return nil, errors.New("iimmpact: CallbackConfig needs Lookup or Verify to match callbacks to your payments")
	case cfg.MaxBytes < 0 || cfg.Lease < 0:
		return nil, errors.New("iimmpact: CallbackConfig.MaxBytes and Lease must not be negative")
	}
	if cfg.MaxBytes == 0 {
		cfg.MaxBytes = DefaultMaxCallbackBytes
	}
	if cfg.Lease == 0 {
		cfg.Lease = DefaultCallbackLease
	}
	if cfg.Store == nil {
		cfg.Store = NewMemoryCallbackStore()
	}
	p := CallbackParser{Allowlist: cfg.Allowlist, TrustedProxies: cfg.TrustedProxies, MaxBytes: cfg.MaxBytes}
	return &CallbackHandler{cfg: cfg, parser: p}, nil
}

// verdict is what became of one request: the answer and the log line.
type verdict struct {
	code   int
	reason string
	err    error
	peer   netip.Addr
	cb     *Callback
}

// ServeHTTP implements http.Handler.
func (h *CallbackHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r, oc := h.observe(r)
	v := h.serve(w, r)
	switch v.code {
	case http.StatusOK:
		w.Header()["Content-Type"] = []string{"application/json"} // canonical already
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(ackBody)
	case http.StatusMethodNotAllowed:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, http.StatusText(v.code), v.code)
	case http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", "60") // IIMMPACT's own delay; no sooner
		http.Error(w, http.StatusText(v.code), v.code)
	default:
		http.Error(w, http.StatusText(v.code), v.code)
	}
	h.log(r, v)
	oc.answered(r, v)
}

// ackBody is IIMMPACT's documented acknowledgement.
var ackBody = []byte(`{"received":true}`)

func (h *CallbackHandler) serve(w http.ResponseWriter, r *http.Request) verdict {
	if h == nil || h.cfg.Handle == nil || h.cfg.Allowlist.Len() == 0 {
		return verdict{code: http.StatusForbidden, reason: "handler not configured: refusing all"}
	}
	cb, peer, err := h.parser.parse(w, r)
	switch {
	case errors.Is(err, ErrCallbackSource) && !peer.IsValid():
		return verdict{code: http.StatusForbidden, reason: "source unknown", err: err}
	case errors.Is(err, ErrCallbackSource):
		return verdict{code: http.StatusForbidden, reason: "source not allowlisted", peer: peer}
	case err != nil:
		return verdict{code: parseErrorCode(r, err), reason: "bad request", err: err, peer: peer}
	}
	v := h.check(r.Context(), cb)
	v.peer, v.cb = peer, cb
	return v
}

func parseErrorCode(r *http.Request, err error) int {
	switch {
	case errors.Is(err, ErrCallbackMethod):
		return http.StatusMethodNotAllowed
	case errors.Is(err, ErrCallbackContentType):
		return http.StatusUnsupportedMediaType
	case errors.Is(err, ErrCallbackTooLarge) && r.Method == http.MethodGet:
		return http.StatusRequestURITooLong
	case errors.Is(err, ErrCallbackTooLarge):
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
}

// check matches the callback to the merchant's payment, then acts on it.
func (h *CallbackHandler) check(ctx context.Context, cb *Callback) verdict {
	var req TopupRequest
	if h.cfg.Lookup != nil {
		var err error
		if req, err = h.cfg.Lookup(ctx, cb.RefID); err != nil {
			return verdict{code: merchantErrorCode(err), reason: "lookup refused", err: err}
		}
		if err := matchRequest(cb, req); err != nil {
			return verdict{code: http.StatusUnprocessableEntity, reason: "callback differs from the payment", err: err}
		}
	}
	if h.cfg.Verify != nil {
		if err := h.cfg.Verify(ctx, cb); err != nil {
			return verdict{code: merchantErrorCode(err), reason: "verify refused", err: err}
		}
	}
	return h.act(ctx, cb)
}

// matchRequest compares what a callback and its request both state. The
// error names the fields, not their values.
func matchRequest(cb *Callback, req TopupRequest) error {
	var diff []string
	if req.RefID != cb.RefID {
		diff = append(diff, "refid")
	}
	if req.Product != cb.Product {
		diff = append(diff, "product")
	}
	if req.Account != cb.Account {
		diff = append(diff, "account")
	}
	if req.Amount != cb.Amount {
		diff = append(diff, "amount")
	}
	if diff != nil {
		return fmt.Errorf("%w: %s differ from the request", ErrCallbackMismatch, strings.Join(diff, ", "))
	}
	return nil
}

// merchantErrorCode maps an error from Lookup, Verify or Handle.
func merchantErrorCode(err error) int {
	switch {
	case errors.Is(err, ErrUnknownRefID):
		return http.StatusNotFound
	case errors.Is(err, ErrCallbackMismatch):
		return http.StatusUnprocessableEntity
	}
	return http.StatusInternalServerError
}

// act claims the (refid, status), confirms it if asked, runs Handle and
// records the result, holding the lease (renewed) throughout.
func (h *CallbackHandler) act(ctx context.Context, cb *Callback) verdict {
	hd, v, ok := h.take(ctx, cb.RefID, cb.StatusCode)
	if !ok {
		return v
	}
	defer hd.abandon() // re-query failed or pending: let the next delivery act

	if h.cfg.Requery != nil && !cb.StatusCode.IsPending() {
		rec, status, v, ok := h.requery(hd.ctx, cb)
		if !ok {
			return v
		}
		if status != cb.StatusCode {
			hd.abandon() // one claim per refid at a time
			return h.actOnHistory(ctx, cb, rec, status)
		}
		confirmWith(cb, rec, status)
	}
	return h.run(hd, cb)
}

// run calls Handle under hd and records its success; if Handle fails or
// panics, the lease is released so the next delivery can act.
func (h *CallbackHandler) run(hd *hold, cb *Callback) verdict {
	defer hd.abandon()
	if err := h.cfg.Handle(hd.ctx, cb); err != nil {
		if cause := context.Cause(hd.ctx); errors.Is(cause, ErrLeaseLost) {
			err = fmt.Errorf("%w (Handle's context was cancelled: %v)", err, cause)
		}
		return verdict{code: merchantErrorCode(err), reason: "Handle failed", err: err}
	}
	return hd.complete()
}

// claimVerdict turns the store's answer into a verdict; ok means act.
func claimVerdict(res ClaimResult, err error) (verdict, bool) {
	switch {
	case err != nil:
		return verdict{code: http.StatusServiceUnavailable, reason: "store failed", err: err}, false
	case res == ClaimAct:
		return verdict{}, true
	case res == ClaimDuplicate:
		return verdict{code: http.StatusOK, reason: "duplicate: already handled"}, false
	case res == ClaimStale:
		return verdict{code: http.StatusOK, reason: "stale: a newer status was handled"}, false
	case res == ClaimBusy:
		return verdict{code: http.StatusServiceUnavailable, reason: "busy: refid is being handled"}, false
	}
	return verdict{code: http.StatusInternalServerError, reason: "store failed",
		err: errors.New("store answered claim result " + strconv.Itoa(int(res)))}, false
}

// log writes one line per request. Errors from Lookup, Verify and Handle
// are the merchant's text; the PIN is scrubbed from them all the same.
func (h *CallbackHandler) log(r *http.Request, v verdict) {
	if h == nil || h.cfg.Logger == nil {
		return
	}
	level := slog.LevelDebug
	switch {
	case v.err != nil && (v.code >= 500 || v.code == http.StatusOK):
		level = slog.LevelError // something broke: the merchant's code, the store, IIMMPACT
	case v.code >= 400:
		level = slog.LevelWarn // a refusal, or a routine 503 (busy refid, still pending)
	}
	ctx := r.Context()
	if !h.cfg.Logger.Enabled(ctx, level) {
		return
	}
	msg := "iimmpact: callback refused"
	if v.code < 300 {
		msg = "iimmpact: callback acknowledged"
	} else if v.code >= 500 {
		msg = "iimmpact: callback failed; IIMMPACT will retry"
	}
	peer := r.RemoteAddr
	if v.peer.IsValid() {
		peer = v.peer.String()
	}
	attrs := []slog.Attr{slog.Int("http_status", v.code), slog.String("reason", v.reason),
		slog.String("peer", peer), slog.String("method", r.Method)}
	if v.cb != nil {
		attrs = append(attrs, slog.String("refid", v.cb.RefID), slog.Int("status_code", int(v.cb.StatusCode)))
	}
	if v.err != nil {
		text := v.err.Error()
		if v.cb != nil && v.cb.PIN != "" {
			text = strings.ReplaceAll(text, v.cb.PIN, "[redacted]")
		}
		attrs = append(attrs, slog.String("error", text))
	}
	h.cfg.Logger.LogAttrs(ctx, level, msg, attrs...)
}
