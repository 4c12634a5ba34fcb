package iimmpacttest

import (
	"net"
	"net/http"
	"time"
)

// fidelity is the configuration of the behaviours that follow IIMMPACT's
// current documentation and announcements.
type fidelity struct {
	acceptPolls    int
	validationForm ValidationForm

	rateLimit  int           // requests per source in one window; 0 turns the ban off
	rateWindow time.Duration // IIMMPACT: 5 minutes
	banFor     time.Duration // IIMMPACT: 240 minutes

	catalogLimits map[string]bucketLimit // path -> per-minute rate and burst

	callbackSource string // the address callbacks come from

	eventRetries int
	eventBackoff time.Duration // first retry delay, doubled each time
	eventTimeout time.Duration
	eventClient  *http.Client
}

// bucketLimit is a token bucket: perMinute tokens a minute, at most burst.
type bucketLimit struct{ perMinute, burst int }

// DefaultCallbackSource is where the fake's callbacks come from unless
// WithCallbackSource says otherwise: the loopback address the fake listens
// on. It is not one of IIMMPACT's published callback addresses, so a
// handler whose allowlist holds only those refuses it — as it should.
const DefaultCallbackSource = "127.0.0.1"

func defaultFidelity() fidelity {
	return fidelity{
		// Documented: 30,000 requests per 5 minutes per IP, then a 240-minute ban.
		rateLimit: 30000, rateWindow: 5 * time.Minute, banFor: 240 * time.Minute,
		// Documented only on the Catalog guide's preview build: /v2/catalog 60
		// a minute (burst 10), /v2/options 120 a minute (burst 20).
		catalogLimits: map[string]bucketLimit{
			"/v2/catalog": {60, 10},
			"/v2/options": {120, 20},
		},
		callbackSource: DefaultCallbackSource,
		// Documented: 5 retries with exponential backoff, 30 s per attempt.
		// The first delay (10 s, then 20, 40, 80, 160) is the fake's choice.
		eventRetries: 5, eventBackoff: 10 * time.Second, eventTimeout: 30 * time.Second,
	}
}

// WithAccepted makes every new topup start Accepted (statusCode 0, which
// IIMMPACT documents as "accepted and will be sent for processing") for
// polls status checks before it moves to Processing (1). WithSettleAfter
// then counts its polls from there, so WithAccepted(1) with
// WithSettleAfter(1) answers 0, then 1, then the final status. No callback
// is sent for Accepted: IIMMPACT documents callbacks for Processing,
// Succesful and Failed only.
func WithAccepted(polls int) ServerOption {
	if polls < 0 {
		panic("iimmpacttest: WithAccepted with a negative count")
	}
	return func(c *config) { c.acceptPolls = polls }
}

// WithIPBan sets the per-source ban: more than limit requests from one
// IP address within window bans that address for banFor, measured on the
// fake's clock (WithServerClock). While banned every request answers HTTP 403.
// IIMMPACT documents 30,000 requests per 5 minutes and a 240-minute ban
// (the defaults); tests lower the limit to reach it. A limit of 0 turns the
// ban off. Windows are fixed, starting at a source's first request; the
// exact windowing IIMMPACT uses is not documented.
func WithIPBan(limit int, window, banFor time.Duration) ServerOption {
	if limit < 0 || (limit > 0 && (window <= 0 || banFor <= 0)) {
		panic("iimmpacttest: WithIPBan needs limit >= 0 and a positive window and ban")
	}
	return func(c *config) { c.rateLimit, c.rateWindow, c.banFor = limit, window, banFor }
}

// WithCatalogRateLimit sets the token bucket of a catalog endpoint
// ("/v2/catalog" or "/v2/options"): perMinute requests a minute with
// bursts of up to burst, on the fake's clock. Beyond it the endpoint
// answers 429 Too Many Requests with Retry-After in whole seconds. The
// defaults, 60/10 and 120/20, are the Catalog guide's; perMinute 0 turns
// the limit off.
func WithCatalogRateLimit(path string, perMinute, burst int) ServerOption {
	if path != "/v2/catalog" && path != "/v2/options" {
		panic("iimmpacttest: WithCatalogRateLimit is for /v2/catalog or /v2/options, not " + path)
	}
	if perMinute < 0 || (perMinute > 0 && burst < 1) {
		panic("iimmpacttest: WithCatalogRateLimit needs perMinute >= 0 and burst >= 1")
	}
	return func(c *config) {
		limits := map[string]bucketLimit{}
		for k, v := range c.catalogLimits {
			limits[k] = v
		}
		limits[path] = bucketLimit{perMinute, burst}
		c.catalogLimits = limits
	}
}

// WithCallbackSource sets the address the fake's transaction callbacks
// come from (DefaultCallbackSource unless set). A loopback address
// (127.0.0.0/8, ::1) is used as the connection's real source. Any other
// address, such as IIMMPACT's published 18.140.170.98, cannot be a local
// source; the fake then connects from 127.0.0.1 and names the address in
// X-Forwarded-For, as the load balancer in front of a merchant does in
// IIMMPACT's walkthrough (its callback arrives with "X-Forwarded-For:
// 18.140.170.98"). The receiver must then trust 127.0.0.1 as its proxy.
func WithCallbackSource(ip string) ServerOption {
	if net.ParseIP(ip) == nil {
		panic("iimmpacttest: WithCallbackSource needs an IP address, not " + ip)
	}
	return func(c *config) { c.callbackSource = ip }
}

// WithCatalogEventPolicy sets how catalog events are retried: up to
// retries more attempts after the first, the first retry after backoff
// and each later one after twice the previous delay, each attempt limited
// to timeout. IIMMPACT documents 5 retries with exponential backoff and a
// 30-second timeout; the 10-second first delay is the fake's choice.
// Attempts are retried on any answer other than 2xx and on network errors
// (which answers IIMMPACT does not retry is not documented).
func WithCatalogEventPolicy(retries int, backoff, timeout time.Duration) ServerOption {
	if retries < 0 || backoff < 0 || timeout <= 0 {
		panic("iimmpacttest: WithCatalogEventPolicy needs retries >= 0, backoff >= 0, timeout > 0")
	}
	return func(c *config) { c.eventRetries, c.eventBackoff, c.eventTimeout = retries, backoff, timeout }
}

// WithCatalogEventClient sets the HTTP client catalog events are sent
// through, e.g. an httptest TLS server's Client(), whose certificate it
// trusts (catalog webhook URLs must be HTTPS).
func WithCatalogEventClient(hc *http.Client) ServerOption {
	if hc == nil {
		panic("iimmpacttest: WithCatalogEventClient(nil)")
	}
	return func(c *config) { c.eventClient = hc }
}
