package iimmpact

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

// Base URLs: a scheme and host; the client appends /v2/... itself.
const (
	ProductionURL = "https://api.iimmpact.com"
	StagingURL    = "https://staging.iimmpact.com"
)

// Version is this SDK's version, sent in the User-Agent.
const Version = "0.1.0"

const (
	// defaultTimeout is per attempt, above IIMMPACT's 29 s integration
	// timeout so its own 504 arrives rather than a local timeout.
	defaultTimeout = 35 * time.Second
)

// Client calls IIMMPACT's v2 API. It is safe for concurrent use; make one
// per set of credentials and share it.
type Client struct {
	base      string       // scheme://host, no trailing slash
	http      *http.Client // its transport is the caller's (or ours), unsigned: attempt signs
	signer    *Signer
	logger    *slog.Logger // nil: no logging
	now       func() time.Time
	userAgent string
	retry     RetryPolicy
	budget    *tokenBucket
	limit     *limiter      // client-wide pace of every attempt and poll
	pollFloor time.Duration // the least WithPollInterval accepts (MinPollInterval)
	skew      atomic.Int64  // learnt clock offset in ns, added to X-Timestamp
	timeout   time.Duration // per attempt; 0 for none
	maxPages  int           // the most pages one All* iterator fetches
	obs       observe       // from WithObserver; the zero value observes nothing
}

// offset is the correction added to the local clock when signing.
func (c *Client) offset() time.Duration { return time.Duration(c.skew.Load()) }

// New returns a Client for the API key and Base64 HMAC secret from
// Dashboard > Developer > API Keys. It validates everything up front: an
// empty key, a secret that is not Base64 or a bad base URL fail here, not at
// the first call. The default base URL is ProductionURL.
func New(apiKey, hmacSecret string, opts ...Option) (*Client, error) {
	s := settings{baseURL: ProductionURL}
	for _, o := range opts {
		if o != nil {
			o(&s)
		}
	}
	signer, err := NewSigner(apiKey, hmacSecret)
	if err != nil {
		return nil, err
	}
	base, err := checkBaseURL(s.baseURL)
	if err != nil {
		return nil, err
	}
	c := &Client{base: base, logger: s.logger, now: s.clock, retry: DefaultRetryPolicy(), pollFloor: MinPollInterval,
		maxPages: defaultMaxPages}
	if c.now == nil {
		c.now = time.Now
	}
	if u, _ := url.Parse(base); isLoopback(u.Hostname()) {
		c.pollFloor = loopbackPollFloor // a local fake, not IIMMPACT's allowance
	}
	if s.retry != nil {
		if err := s.retry.validate(); err != nil {
			return nil, err
		}
		c.retry = *s.retry
	}
	c.userAgent = userAgent(s.userAgent)
	hc, rt := httpClient(s.httpClient)
	c.timeout = defaultTimeout
	if s.httpClient != nil && s.httpClient.Timeout > 0 {
		c.timeout = s.httpClient.Timeout
	}
	if c.limit, err = newLimiter(s.rate, base); err != nil {
		return nil, err
	}
	c.budget = newTokenBucket(c.retry.Budget, c.retry.BudgetRefill)
	hc.Transport = rt
	c.http, c.signer = hc, signer
	c.obs = newObserve(s.observer, base)
	return c, nil
}

// userAgent is the caller's product (if any) before the SDK's own.
func userAgent(caller string) string {
	if caller == "" {
		return "iimmpact-go/" + Version
	}
	return caller + " iimmpact-go/" + Version
}

// httpClient copies the caller's client (nil for none), leaving theirs as
// it was, and returns it with the transport to sign over: the caller's, or
// the SDK's own when there is none.
func httpClient(caller *http.Client) (*http.Client, http.RoundTripper) {
	hc := &http.Client{}
	if caller != nil {
		*hc = *caller
	}
	rt := hc.Transport
	if rt == nil {
		rt = newTransport()
	}
	// The timeout is applied per attempt through the request context:
	// http.Client.Timeout over a wrapping RoundTripper costs a goroutine
	// and a timer per request.
	hc.Timeout = 0
	// Never follow a redirect: the next hop would get the signed headers
	// and the API key, and a payment's 3xx proves nothing about the refid.
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return hc, rt
}

// newTransport is tuned for many concurrent requests to one host: Go's
// default keeps only 2 idle connections per host, so a burst of payments
// would open and close a connection (and a TLS handshake) each time.
func newTransport() *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   128,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

// checkBaseURL accepts https://host[:port][/] and http only on loopback.
func checkBaseURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("iimmpact: base URL: %w", err)
	}
	if u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("iimmpact: base URL %q must be scheme://host only", raw)
	}
	if u.Path != "" && u.Path != "/" {
		return "", fmt.Errorf("iimmpact: base URL %q must have no path: the client adds /v2/... itself", raw)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return "", fmt.Errorf("iimmpact: base URL %q: plain http is allowed only for loopback hosts", raw)
		}
	default:
		return "", fmt.Errorf("iimmpact: base URL %q must use https", raw)
	}
	return u.Scheme + "://" + u.Host, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// call is one API request as the endpoint files describe it.
type call struct {
	method string
	path   string     // "/v2/..."
	query  url.Values // signed through CanonicalQuery
	body   any        // JSON-encoded once; nil for none
	refID  string     // set for payments: unknown results become ErrOutcomeUnknown
	// match, if set, checks that a decoded 2xx answer is for this request;
	// an error makes the answer malformed (for a payment: outcome unknown).
	match func(out any) error

	retrySafe bool  // a non-GET that may be sent twice (it sets a value)
	maxBody   int64 // the largest answer read; 0 means maxResponseBody

	obs *observedCall // nil when nothing observes
}

// do is the one request pipeline: encode once, then per attempt send a
// freshly signed request, map non-2xx to *APIError and decode into a new T;
// the retry policy decides whether to go again. Every endpoint goes
// through it. For payments (cl.refID set) the verdict is about the refid
// across all attempts: see verdict.
func do[T any](ctx context.Context, c *Client, cl call) (*T, error) {
	ctx, cl.obs = c.obs.startCall(ctx, &cl)
	out, err := run[T](ctx, c, cl)
	cl.obs.end(err)
	return out, err
}

func run[T any](ctx context.Context, c *Client, cl call) (*T, error) {
	var payload []byte
	if cl.body != nil {
		var err error
		if payload, err = json.Marshal(cl.body); err != nil {
			return nil, fmt.Errorf("iimmpact: encoding %s body: %w", cl.path, err)
		}
	}
	target := c.base + cl.path
	if len(cl.query) > 0 {
		// The query goes out in its canonical order, so that a server
		// reading the URL's order and one sorting it sign the same string.
		target += "?" + encodeCanonical(cl.query)
	}
	r := c.newRetrier(cl)
	for {
		resp, out, err := attempt[T](ctx, c, cl, target, payload)
		if err == nil {
			cl.obs.endAttempt(resp, nil, false, 0)
			return out, nil
		}
		r.saw(err)
		again, err := r.again(ctx, resp, err)
		cl.obs.endAttempt(resp, err, again, 0)
		if !again {
			return nil, r.verdict(err)
		}
	}
}

// attempt sends one signed request and reads its answer into a new T,
// within the attempt's timeout (readAnswer).
func attempt[T any](ctx context.Context, c *Client, cl call, target string, payload []byte) (*http.Response, *T, error) {
	resp, st, err := c.send(ctx, cl, target, payload)
	if err != nil {
		return nil, nil, err
	}
	defer st.stop()
	defer resp.Body.Close()
	out, err := readAnswer[T](c, cl, st, resp)
	if c.logger != nil {
		c.logger.LogAttrs(ctx, slog.LevelDebug, "iimmpact: request",
			slog.String("method", cl.method), slog.String("path", cl.path),
			slog.Int("status", resp.StatusCode), slog.Duration("took", time.Since(st.sent)))
	}
	return resp, out, err
}

// send sends one signed request. Unless it fails, the caller stops the
// attempt once it has read the answer.
func (c *Client) send(ctx context.Context, cl call, target string, payload []byte) (*http.Response, *attemptState, error) {
	waited, err := c.limit.wait(ctx, c.logger)
	if waited > 0 {
		c.obs.limiterWait(ctx, cl.method, cl.path, waited)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("iimmpact: %s %s: waiting for the client's rate limit: %w", cl.method, cl.path, err)
	}
	st := startAttempt(ctx, c.timeout)
	req, err := c.newRequest(st.ctx, cl, target, payload)
	if err == nil {
		req = cl.obs.startAttempt(req)
		err = c.sign(req, payload)
	}
	if err != nil {
		st.stop()
		return nil, nil, err
	}
	st.sent = time.Now()
	resp, err := c.http.Do(req)
	if err == nil && st.resent(resp) {
		resp.Body.Close()
		resp, err = nil, errResent
	}
	if err != nil {
		err = c.sendError(cl, st, err)
		st.stop()
		return nil, nil, err
	}
	return resp, st, nil
}

// newRequest builds one attempt's request. The body is the encoded payload
// itself, rewindable for net/http's own resends.
func (c *Client) newRequest(ctx context.Context, cl call, target string, payload []byte) (*http.Request, error) {
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, cl.method, target, rd)
	if err != nil {
		return nil, fmt.Errorf("iimmpact: %w", err)
	}
	setHeaders(req.Header, c.userAgent)
	return req, nil
}

// setHeaders sets Accept, Content-Type (IIMMPACT's Quickstart sends it on
// GET too) and User-Agent. The values are this request's own, in one
// allocation: a transport below that edits a header value in place must
// not change the next request's.
func setHeaders(h http.Header, userAgent string) {
	v := &[3]string{"application/json", "application/json", userAgent}
	h["Accept"], h["Content-Type"], h["User-Agent"] = v[0:1:1], v[1:2:2], v[2:3:3]
}

// sign signs the request the client built, in place: nothing else holds
// its header map, so there is nothing to copy (Transport, which signs
// other people's requests, must copy).
func (c *Client) sign(req *http.Request, payload []byte) error {
	return c.signer.sign(req, payload, c.now().Add(c.offset()), uuid.NewString(), c.logger)
}

// sendError names the path only: *url.Error quotes the whole URL, query
// values (account and IC numbers) included.
func (c *Client) sendError(cl call, st *attemptState, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if st.timedOut() && !errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("%w (%w)", errAttemptTimeout, err)
	}
	return fmt.Errorf("iimmpact: %s %s: %w", cl.method, cl.path, err)
}

// outcomeUnknown reports whether err leaves a payment's result unknown: no
// answer, a server error, a redirect, or an answer that could not be read
// or was for another request. Only a 4xx refusal (other than a duplicate
// refid) shows that IIMMPACT created nothing for this attempt.
func outcomeUnknown(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.HTTPStatus >= 500 || ae.HTTPStatus < 400 || ae.HTTPStatus == http.StatusRequestTimeout || ae.duplicateRefID()
	}
	return !errors.Is(err, ErrInvalidRequest)
}

// CloseIdleConnections closes idle keep-alive connections, e.g. at shutdown.
func (c *Client) CloseIdleConnections() { c.http.CloseIdleConnections() }
