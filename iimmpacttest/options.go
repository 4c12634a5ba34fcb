package iimmpacttest

import (
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/iimmpact-go/iimmpact"
)

// A ServerOption configures a Server created by NewServer or
// NewUnstartedServer. Options panic on values that can only be a mistake in
// the calling test.
type ServerOption func(*config)

type config struct {
	balance        money
	clock          func() time.Time
	settleAfter    int
	settleDelay    time.Duration
	network        map[string]string
	callbackURL    string
	callbackMethod string
	cbRetries      int
	cbDelay        time.Duration
	cbTimeout      time.Duration
	apiKey         string
	secret         string
	logger         *slog.Logger
	seed           uint64
	fidelity
}

func defaultConfig() config {
	return config{
		balance:   mustMoney("balance", "950"),
		clock:     time.Now,
		network:   map[string]string{},
		cbRetries: 3,
		cbDelay:   60 * time.Second,
		cbTimeout: 30 * time.Second,
		logger:    slog.New(slog.DiscardHandler),
		seed:      1,
		fidelity:  defaultFidelity(),
	}
}

// WithBalance sets the opening wallet balance (at most 4 decimal places,
// not negative). The default is 950, as in IIMMPACT's walkthrough.
func WithBalance(amount iimmpact.Amount) ServerOption {
	m := moneyOf("balance", amount)
	return func(c *config) { c.balance = m }
}

// WithServerClock sets the clock the fake uses to check X-Timestamp, to stamp
// transactions and to date /v2/transactions records. The default is time.Now.
// now is called from many goroutines at once and must be safe for that.
// Settle delays (WithSettleDelay) also run on a wall-clock timer.
func WithServerClock(now func() time.Time) ServerOption {
	if now == nil {
		panic("iimmpacttest: WithServerClock(nil)")
	}
	return func(c *config) { c.clock = now }
}

// WithSettleAfter keeps every new topup Processing (statusCode 1) until
// it has been re-queried polls times: the creating POST answers Processing,
// and the polls-th repeat of the same refid answers the final status.
// Zero (the default) settles a topup in the creating request.
func WithSettleAfter(polls int) ServerOption {
	if polls < 0 {
		panic("iimmpacttest: WithSettleAfter with a negative count")
	}
	return func(c *config) { c.settleAfter = polls }
}

// WithSettleDelay keeps every new topup Processing for d of wall-clock
// time: it settles when a timer fires (and a callback is sent), or when a
// repeat of its refid finds that d has passed on the fake's clock. Combined
// with WithSettleAfter, whichever comes first settles it.
func WithSettleDelay(d time.Duration) ServerOption {
	if d < 0 {
		panic("iimmpacttest: WithSettleDelay with a negative duration")
	}
	return func(c *config) { c.settleDelay = d }
}

// WithNetworkStatus sets what /v2/networkstatus reports for a product:
// "Healthy" (every product's default) or "Interruption". Topups are
// accepted either way, as IIMMPACT does.
func WithNetworkStatus(product, status string) ServerOption {
	checkNetworkStatus(status)
	return func(c *config) { c.network[product] = status }
}

func checkNetworkStatus(status string) {
	if status != "Healthy" && status != "Interruption" {
		panic("iimmpacttest: network status must be Healthy or Interruption, not " + status)
	}
}

// WithCallback makes the fake deliver a transaction callback to rawURL on
// every status change, using method "POST" (JSON body) or "GET" (query
// string), like the Callback URL set in IIMMPACT's dashboard.
func WithCallback(rawURL, method string) ServerOption {
	method = checkCallback(rawURL, method)
	return func(c *config) { c.callbackURL, c.callbackMethod = rawURL, method }
}

func checkCallback(rawURL, method string) string {
	method = strings.ToUpper(method)
	if method != http.MethodGet && method != http.MethodPost {
		panic("iimmpacttest: callback method must be GET or POST, not " + method)
	}
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		panic("iimmpacttest: callback URL must be an absolute http(s) URL: " + rawURL)
	}
	return method
}

// WithCallbackPolicy sets how callbacks are retried: up to retries more
// attempts after the first, delay apart, each attempt limited to timeout.
// Attempts are retried on HTTP 5xx, 408 and 429 and on network errors, and
// not on any other answer. IIMMPACT documents 3 retries, 60 s apart, 30 s
// per attempt, which are the defaults; tests usually want milliseconds.
func WithCallbackPolicy(retries int, delay, timeout time.Duration) ServerOption {
	if retries < 0 || delay < 0 || timeout <= 0 {
		panic("iimmpacttest: WithCallbackPolicy needs retries >= 0, delay >= 0, timeout > 0")
	}
	return func(c *config) { c.cbRetries, c.cbDelay, c.cbTimeout = retries, delay, timeout }
}

// WithCredentials fixes the API key and the Base64 HMAC secret instead of
// generating random ones (useful for a long-running sandbox).
func WithCredentials(apiKey, secretB64 string) ServerOption {
	key, err := base64.StdEncoding.DecodeString(secretB64)
	if apiKey == "" || err != nil || len(key) == 0 {
		panic("iimmpacttest: WithCredentials needs an API key and a non-empty standard Base64 secret")
	}
	return func(c *config) { c.apiKey, c.secret = apiKey, secretB64 }
}

// WithServerLogger makes the fake log each request (method, path, outcome) and
// each callback attempt at debug level. It never logs secrets, signatures
// or voucher PINs. The default discards everything.
func WithServerLogger(l *slog.Logger) ServerOption {
	if l == nil {
		panic("iimmpacttest: WithServerLogger(nil)")
	}
	return func(c *config) { c.logger = l }
}

// WithSeed seeds the pseudo-random source behind probabilistic faults and
// voucher PINs, so a run can be reproduced. The default seed is 1.
func WithSeed(seed uint64) ServerOption {
	return func(c *config) { c.seed = seed }
}
