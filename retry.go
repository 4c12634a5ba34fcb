package iimmpact

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/iimmpact-go/iimmpact/internal/pace"
)

// RetryPolicy says what the client retries and how patiently. It retries only
// what is safe: GETs, and POST /v2/topup, whose refid makes a second send
// return the state of the one transaction instead of paying again. It
// retries network errors, timeouts, unreadable answers and HTTP 408, 429,
// 500, 502, 503 and 504; never another 4xx, and never 403, which is how
// IIMMPACT announces a 240-minute IP ban. Every attempt is signed afresh.
//
// A zero field takes its default from DefaultRetryPolicy.
type RetryPolicy struct {
	// MaxAttempts counts the first attempt too; 1 disables retries.
	MaxAttempts int
	// BaseDelay and MaxDelay bound the exponential backoff; each wait is
	// drawn uniformly from [0, min(MaxDelay, BaseDelay·2^retry)] ("full
	// jitter"), so clients that failed together do not retry together.
	BaseDelay, MaxDelay time.Duration
	// MaxRetryAfter is the longest Retry-After honoured; a longer one (or
	// one too large to represent) ends the retries at once rather than
	// holding the caller.
	MaxRetryAfter time.Duration
	// Budget is a client-wide bucket of retry tokens, one per retry, refilled
	// one per BudgetRefill. It caps retries across all goroutines so a storm
	// of failures cannot grow into the 30,000-requests-per-5-minutes ban;
	// WithRateLimit paces every request, retries included, beneath it.
	Budget       int
	BudgetRefill time.Duration
	// OnRetry, if set, is called before each wait. It must not block.
	OnRetry func(RetryEvent)
}

// RetryEvent describes a retry about to happen. It holds no secrets.
type RetryEvent struct {
	Method, Path string
	Attempt      int           // the attempt that failed, from 1
	Delay        time.Duration // the wait before the next attempt
	HTTPStatus   int           // 0 when there was no response
	Err          error         // why the attempt failed
}

// DefaultRetryPolicy: 4 attempts, backoff from 500 ms to 8 s, Retry-After up
// to 60 s, and a budget of 100 retries refilled at 10 per second.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{
		MaxAttempts:   4,
		BaseDelay:     500 * time.Millisecond,
		MaxDelay:      8 * time.Second,
		MaxRetryAfter: 60 * time.Second,
		Budget:        100,
		BudgetRefill:  100 * time.Millisecond,
	}
}

// WithRetryPolicy replaces the default retry policy.
func WithRetryPolicy(p RetryPolicy) Option { return func(s *settings) { s.retry = &p } }

func (p *RetryPolicy) validate() error {
	if p.MaxAttempts < 0 || p.BaseDelay < 0 || p.MaxDelay < 0 || p.MaxRetryAfter < 0 || p.Budget < 0 || p.BudgetRefill < 0 {
		return errors.New("iimmpact: retry policy has a negative field")
	}
	d := DefaultRetryPolicy()
	for _, f := range []struct {
		v   *time.Duration
		def time.Duration
	}{{&p.BaseDelay, d.BaseDelay}, {&p.MaxDelay, d.MaxDelay}, {&p.MaxRetryAfter, d.MaxRetryAfter}, {&p.BudgetRefill, d.BudgetRefill}} {
		if *f.v == 0 {
			*f.v = f.def
		}
	}
	if p.MaxAttempts == 0 {
		p.MaxAttempts = d.MaxAttempts
	}
	if p.Budget == 0 {
		p.Budget = d.Budget
	}
	return nil
}

// tokenBucket is the client-wide retry budget.
type tokenBucket struct {
	mu     sync.Mutex
	tokens int
	max    int
	every  time.Duration
	last   time.Time
}

func newTokenBucket(capacity int, every time.Duration) *tokenBucket {
	return &tokenBucket{tokens: capacity, max: capacity, every: every, last: time.Now()}
}

// take spends one token if there is one.
func (b *tokenBucket) take() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	if tokens, n := b.refill(now); n > 0 {
		b.tokens, b.last = tokens, b.last.Add(time.Duration(n)*b.every)
	}
	if b.tokens == b.max {
		b.last = now
	}
	if b.tokens == 0 {
		return false
	}
	b.tokens--
	return true
}

// refill is the bucket's level at now, counting the n whole periods since
// last (it changes nothing; b.mu is held).
func (b *tokenBucket) refill(now time.Time) (tokens, n int) {
	if n = int(now.Sub(b.last) / b.every); n > 0 {
		return min(b.max, b.tokens+n), n
	}
	return b.tokens, 0
}

// skewThreshold: a 401 whose Date header is further than this from our
// clock is taken as clock skew. IIMMPACT's window is believed to be ±300 s
// (spec §2.4, unverified), so a smaller threshold is the safe side.
const skewThreshold = 30 * time.Second

// retrier decides, after each failed attempt of one call, whether to go
// again, and what the call's failure means.
type retrier struct {
	c         *Client
	cl        call
	attempts  int
	skewTried bool
	unknown   bool // a payment attempt may have been processed: sticky
}

func (c *Client) newRetrier(cl call) retrier { return retrier{c: c, cl: cl} }

// saw records a failed attempt. Once one attempt of a payment may have been
// processed, no later answer but a 2xx for this request can settle it.
func (r *retrier) saw(err error) {
	if r.cl.refID != "" && outcomeUnknown(err) {
		r.unknown = true
	}
}

// verdict is the call's error once it stops. For a payment, a refusal
// proves nothing was created only if no attempt before it may have been
// processed; anything else is an unknown outcome of the refid.
func (r *retrier) verdict(err error) error {
	if r.cl.refID == "" || (!r.unknown && !outcomeUnknown(err)) {
		return err
	}
	return &OutcomeUnknownError{RefID: r.cl.refID, Err: err}
}

// again reports whether to make another attempt after err (resp is the
// response, if any), having waited as the policy says. When it says no, the
// returned error is what the caller gets.
func (r *retrier) again(ctx context.Context, resp *http.Response, err error) (bool, error) {
	r.attempts++
	if ctx.Err() != nil {
		return false, giveUp(err, ctx)
	}
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	if status == http.StatusUnauthorized && r.fixSkew(resp, err) {
		return true, nil
	}
	p := &r.c.retry
	if !r.cl.idempotent() || !retryable(status, err) || r.attempts >= p.MaxAttempts {
		return false, err
	}
	delay := backoff(p, r.attempts)
	if ra, ok := retryAfter(resp, r.c.now()); ok {
		if ra > p.MaxRetryAfter {
			return false, err
		}
		delay = ra
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < delay {
		return false, err
	}
	if !r.c.budget.take() {
		return false, fmt.Errorf("%w (retry budget exhausted)", err)
	}
	ev := RetryEvent{Method: r.cl.method, Path: r.cl.path, Attempt: r.attempts, Delay: delay, HTTPStatus: status, Err: err}
	if p.OnRetry != nil {
		p.OnRetry(ev)
	}
	r.cl.obs.endAttempt(resp, err, true, delay)
	if r.c.logger != nil {
		r.c.logger.LogAttrs(ctx, slog.LevelDebug, "iimmpact: retrying",
			slog.String("method", ev.Method), slog.String("path", ev.Path), slog.Int("attempt", ev.Attempt),
			slog.Int("status", status), slog.Duration("delay", delay), slog.String("error", err.Error()))
	}
	if pace.Sleep(ctx, delay) != nil {
		return false, giveUp(err, ctx)
	}
	return true, nil
}

// fixSkew corrects the client's clock offset once per call when a 401's Date
// header shows our clock is off; it records the skew on the error either way.
func (r *retrier) fixSkew(resp *http.Response, err error) bool {
	date, perr := http.ParseTime(resp.Header.Get("Date"))
	if perr != nil {
		return false
	}
	local := r.c.now()
	if raw := date.Sub(local); raw <= -skewThreshold || raw >= skewThreshold {
		var ae *APIError
		if errors.As(err, &ae) {
			ae.ClockSkew = raw // how far off the machine's own clock is
		}
	}
	skew := date.Sub(local.Add(r.c.offset()))
	if r.skewTried || (skew > -skewThreshold && skew < skewThreshold) {
		return false
	}
	r.skewTried = true
	r.c.skew.Store(int64(r.c.offset() + skew))
	if r.c.logger != nil {
		r.c.logger.Warn("iimmpact: local clock differs from IIMMPACT's; correcting the signing timestamp", slog.Duration("skew", skew))
	}
	return true
}

func giveUp(err error, ctx context.Context) error {
	return fmt.Errorf("%w (gave up: %w)", err, ctx.Err())
}

// idempotent reports whether sending the call twice is safe.
func (cl *call) idempotent() bool {
	return cl.method == http.MethodGet || cl.refID != "" || cl.retrySafe
}

// retryable reports whether a failure may pass on a second try.
func retryable(status int, err error) bool {
	switch status {
	case http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusInternalServerError,
		http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	var ae *APIError
	if errors.As(err, &ae) {
		return false // any other status IIMMPACT chose to send
	}
	return !errors.Is(err, ErrInvalidRequest) // network errors, timeouts, unreadable bodies
}

// backoff draws the full-jitter wait before retry n (from 1).
func backoff(p *RetryPolicy, n int) time.Duration {
	ceil := p.MaxDelay
	if n < 30 {
		if d := p.BaseDelay << (n - 1); d > 0 && d < ceil {
			ceil = d
		}
	}
	return rand.N(ceil + 1)
}

// retryAfter reads Retry-After as seconds or an HTTP date.
func retryAfter(resp *http.Response, now time.Time) (time.Duration, bool) {
	if resp == nil {
		return 0, false
	}
	v := resp.Header.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if isDigits(v) {
		s, err := strconv.ParseInt(v, 10, 64)
		if err != nil || s > int64(maxDuration/time.Second) {
			return maxDuration, true // too long to represent: longer than any wait
		}
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

const maxDuration = time.Duration(1<<63 - 1)

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
