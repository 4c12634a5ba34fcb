package iimmpact

import (
	"log/slog"
	"net/http"
	"time"
)

// Option configures a Client in New.
type Option func(*settings)

type settings struct {
	baseURL    string
	httpClient *http.Client
	logger     *slog.Logger
	clock      func() time.Time
	userAgent  string
	retry      *RetryPolicy
	rate       *rateSetting
	observer   Observer
}

// WithBaseURL points the client at another host: StagingURL, or a local fake
// such as iimmpacttest. Give a scheme and host only; the client adds /v2/...
// Plain http is accepted only for loopback hosts.
func WithBaseURL(u string) Option { return func(s *settings) { s.baseURL = u } }

// WithHTTPClient sends requests through hc; hc itself is not modified. Its
// Transport is wrapped by the signing transport and used as is; a nil
// Transport gets the SDK's own, tuned for many concurrent requests to one
// host. Note that Go's http.DefaultTransport keeps only 2 idle connections
// per host: under load it opens a new connection (and TLS handshake) for
// almost every request — measured, about 2,000 connections for 3,840
// concurrent calls where the SDK's transport opens 81 — so give your own
// transport a MaxIdleConnsPerHost near your concurrency. hc.Timeout, if
// set, applies to each attempt instead of the default 35 s (above
// IIMMPACT's own 29 s integration timeout); 0 keeps that default. hc's
// CheckRedirect is replaced: redirects are never followed.
func WithHTTPClient(hc *http.Client) Option { return func(s *settings) { s.httpClient = hc } }

// WithLogger logs each request (method, path, HTTP status, duration, attempt)
// at debug level, and the canonical string of each signature at debug level.
// Secrets, signatures, PINs and request bodies are never logged.
func WithLogger(l *slog.Logger) Option { return func(s *settings) { s.logger = l } }

// WithClock sets the clock used for X-Timestamp and waits; tests use it.
func WithClock(now func() time.Time) Option { return func(s *settings) { s.clock = now } }

// WithUserAgent puts ua in front of the SDK's own User-Agent.
func WithUserAgent(ua string) Option { return func(s *settings) { s.userAgent = ua } }
