package iimmpact

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
)

// CallbackSettings is where IIMMPACT sends transaction callbacks
// (GET/POST /v2/callback-url).
type CallbackSettings struct {
	Status      string    `wire:"Status"`      // e.g. "Success"
	URL         string    `wire:"CallbackUrl"` // "" when none is set
	Method      string    `wire:"Method"`      // "GET", "POST", or "" when none is set
	LastUpdated time.Time // @metadata.last_updated, GMT+8
}

// CallbackSettings returns the configured transaction callback.
func (c *Client) CallbackSettings(ctx context.Context) (*CallbackSettings, error) {
	return unwrap[CallbackSettings](ctx, c, getCall("/v2/callback-url", nil))
}

// SetCallbackURL points transaction callbacks at rawURL, delivered with
// method GET or POST. IIMMPACT takes both as query parameters of a POST
// with no body. Setting the same value twice is harmless, so the call is
// retried like a GET. Check the returned Status.
func (c *Client) SetCallbackURL(ctx context.Context, rawURL, method string) (*CallbackSettings, error) {
	u, err := url.Parse(rawURL)
	if err != nil || !u.IsAbs() || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("%w: callback URL %q must be an absolute http(s) URL", ErrInvalidRequest, rawURL)
	}
	// url.Parse lets a raw space through in the path and query, but no
	// HTTP server accepts it in a request line: every callback would fail.
	if strings.ContainsFunc(rawURL, unicode.IsSpace) {
		return nil, fmt.Errorf("%w: callback URL %q contains spaces; percent-encode them", ErrInvalidRequest, rawURL)
	}
	m := strings.ToUpper(method)
	if m != http.MethodGet && m != http.MethodPost {
		return nil, fmt.Errorf("%w: callback method %q must be GET or POST", ErrInvalidRequest, method)
	}
	v := url.Values{"url": {rawURL}, "method": {m}}
	return unwrap[CallbackSettings](ctx, c, call{method: http.MethodPost, path: "/v2/callback-url", query: v, retrySafe: true})
}

func (cc *CallbackSettings) stamp(t time.Time) { cc.LastUpdated = t }

// LowBalanceAlert is the wallet balance below which IIMMPACT alerts you
// (GET/POST /v2/low-balance-threshold).
type LowBalanceAlert struct {
	Status      string    `wire:"Status"`                                  // e.g. "Success"
	Email       string    `wire:"Email"`                                   // where the alert goes
	Threshold   Amount    `wire:"BalanceThreshold,with=setOptAmountValue"` // in RM; zero when none is set
	Note        string    `wire:"Note"`
	LastUpdated time.Time // @metadata.last_updated, GMT+8
}

// minLowBalanceThreshold is IIMMPACT's documented minimum, RM 1.
var minLowBalanceThreshold = AmountFromInt(1)

// LowBalanceAlert returns the low-balance alert setting. Its response
// body is not documented; it is read as the same shape the setter returns.
func (c *Client) LowBalanceAlert(ctx context.Context) (*LowBalanceAlert, error) {
	return unwrap[LowBalanceAlert](ctx, c, getCall("/v2/low-balance-threshold", nil))
}

// SetLowBalanceThreshold sets the balance (in RM, at least 1) below which
// IIMMPACT alerts you. Like SetCallbackURL it is a POST with a query and no
// body, and is retried like a GET because setting a value twice is harmless.
func (c *Client) SetLowBalanceThreshold(ctx context.Context, amount Amount) (*LowBalanceAlert, error) {
	if amount.Cmp(minLowBalanceThreshold) < 0 {
		return nil, fmt.Errorf("%w: low balance threshold %s is below the minimum of RM 1", ErrInvalidRequest, amount)
	}
	v := url.Values{"amount": {amount.String()}}
	return unwrap[LowBalanceAlert](ctx, c, call{method: http.MethodPost, path: "/v2/low-balance-threshold", query: v, retrySafe: true})
}

func (a *LowBalanceAlert) stamp(t time.Time) { a.LastUpdated = t }
