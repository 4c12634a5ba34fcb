package iimmpact

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/iimmpact-go/iimmpact/internal/wire"
)

// CallbackSettings is where IIMMPACT sends transaction callbacks
// (GET/POST /v2/callback-url).
type CallbackSettings struct {
	Status      string    // e.g. "Success"
	URL         string    // "" when none is set
	Method      string    // "GET", "POST", or "" when none is set
	LastUpdated time.Time // @metadata.last_updated, GMT+8
}

// UnmarshalJSON reads the PascalCase data object.
func (cc *CallbackSettings) UnmarshalJSON(b []byte) error {
	var w struct {
		Status wire.String `json:"Status"`
		URL    wire.String `json:"CallbackUrl"`
		Method wire.String `json:"Method"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*cc = CallbackSettings{Status: string(w.Status), URL: string(w.URL), Method: string(w.Method)}
	return nil
}

// CallbackURL returns the configured transaction callback.
func (c *Client) CallbackURL(ctx context.Context) (*CallbackSettings, error) {
	return callbackSettings(do[envelope[CallbackSettings]](ctx, c, call{method: http.MethodGet, path: "/v2/callback-url"}))
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
	return callbackSettings(do[envelope[CallbackSettings]](ctx, c,
		call{method: http.MethodPost, path: "/v2/callback-url", query: v, retrySafe: true}))
}

func callbackSettings(env *envelope[CallbackSettings], err error) (*CallbackSettings, error) {
	if err != nil {
		return nil, err
	}
	env.Data.LastUpdated = env.meta().LastUpdated
	return env.Data, nil
}

// LowBalanceAlert is the wallet balance below which IIMMPACT alerts you
// (GET/POST /v2/low-balance-threshold).
type LowBalanceAlert struct {
	Status      string // e.g. "Success"
	Email       string // where the alert goes
	Threshold   Amount // BalanceThreshold, in RM; zero when none is set
	Note        string
	LastUpdated time.Time // @metadata.last_updated, GMT+8
}

// UnmarshalJSON reads the PascalCase data object.
func (a *LowBalanceAlert) UnmarshalJSON(b []byte) error {
	var w struct {
		Status    wire.String `json:"Status"`
		Email     wire.String `json:"Email"`
		Threshold optAmount   `json:"BalanceThreshold"`
		Note      wire.String `json:"Note"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*a = LowBalanceAlert{Status: string(w.Status), Email: string(w.Email), Threshold: w.Threshold.value(), Note: string(w.Note)}
	return nil
}

// minLowBalanceThreshold is IIMMPACT's documented minimum, RM 1.
var minLowBalanceThreshold = AmountFromInt(1)

// LowBalanceThreshold returns the low-balance alert setting. Its response
// body is not documented; it is read as the same shape the setter returns.
func (c *Client) LowBalanceThreshold(ctx context.Context) (*LowBalanceAlert, error) {
	return lowBalance(do[envelope[LowBalanceAlert]](ctx, c, call{method: http.MethodGet, path: "/v2/low-balance-threshold"}))
}

// SetLowBalanceThreshold sets the balance (in RM, at least 1) below which
// IIMMPACT alerts you. Like SetCallbackURL it is a POST with a query and no
// body, and is retried like a GET because setting a value twice is harmless.
func (c *Client) SetLowBalanceThreshold(ctx context.Context, amount Amount) (*LowBalanceAlert, error) {
	if amount.Cmp(minLowBalanceThreshold) < 0 {
		return nil, fmt.Errorf("%w: low balance threshold %s is below the minimum of RM 1", ErrInvalidRequest, amount)
	}
	v := url.Values{"amount": {amount.String()}}
	return lowBalance(do[envelope[LowBalanceAlert]](ctx, c,
		call{method: http.MethodPost, path: "/v2/low-balance-threshold", query: v, retrySafe: true}))
}

func lowBalance(env *envelope[LowBalanceAlert], err error) (*LowBalanceAlert, error) {
	if err != nil {
		return nil, err
	}
	env.Data.LastUpdated = env.meta().LastUpdated
	return env.Data, nil
}
