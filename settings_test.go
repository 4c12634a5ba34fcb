package iimmpact

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// queryPost checks a query-parameter POST: signed over the query and the
// empty body, with no body sent at all.
func queryPost(t *testing.T, req *http.Request, wantQuery string) {
	t.Helper()
	body := checkSigned(t, req)
	assert.Empty(t, body)
	assert.Zero(t, req.ContentLength)
	assert.Equal(t, wantQuery, req.URL.RawQuery)
}

func TestCallbackURLFixture(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	respond(t, mock, "GET", "/v2/callback-url", 200, fixture(t, "callback_url_spec.json"))
	cfg, err := c.CallbackSettings(context.Background())
	require.NoError(t, err)
	want := CallbackSettings{Status: "Success", URL: "https://google.com", Method: "POST", LastUpdated: myt("2025-05-21 14:02:56.000")}
	assert.Equal(t, want, *cfg)

	mock.RegisterResponder("POST", "https://api.test.invalid/v2/callback-url", func(req *http.Request) (*http.Response, error) {
		queryPost(t, req, "method=POST&url=https%3A%2F%2Fgoogle.com")
		return newResponse(200, fixture(t, "callback_url_spec.json")), nil
	})
	cfg, err = c.SetCallbackURL(context.Background(), "https://google.com", "post")
	require.NoError(t, err)
	assert.Equal(t, want, *cfg)
}

func TestCallbackURLUnset(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	respond(t, mock, "GET", "/v2/callback-url", 200,
		[]byte(`{"data":{"Status":"Success","CallbackUrl":"","Method":""},"@metadata":{"status_code":200,"last_updated":"21-05-2025 14:02:56"}}`))
	cfg, err := c.CallbackSettings(context.Background())
	require.NoError(t, err)
	assert.Empty(t, cfg.URL)
	assert.Empty(t, cfg.Method)
}

func TestSetCallbackURLRefusesLocally(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	for _, tc := range []struct{ url, method string }{
		{"", "POST"}, {"/callbacks", "POST"}, {"ftp://merchant.example.com/cb", "POST"}, {"https://", "POST"},
		{"merchant.example.com/cb", "POST"}, {"https://merchant.example.com/cb", "PUT"}, {"https://merchant.example.com/cb", ""},
		{"https://mer chant.example.com/cb", "GET"}, {"https://merchant.example.com/call back", "GET"},
		{"https://merchant.example.com/cb?order=a b", "POST"}, {"https://merchant.example.com/cb\t", "POST"},
	} {
		_, err := c.SetCallbackURL(context.Background(), tc.url, tc.method)
		assert.ErrorIs(t, err, ErrInvalidRequest, "%+v", tc)
	}
	assert.Zero(t, mock.GetTotalCallCount())
}

func TestLowBalanceThresholdFixture(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	want := LowBalanceAlert{Status: "Success", Email: "finance@merchant.example.com", Threshold: MustParseAmount("1000"),
		Note: "You will be notified when your balance falls below RM 1000.", LastUpdated: myt("2025-05-16 18:49:32.000")}
	mock.RegisterResponder("POST", "https://api.test.invalid/v2/low-balance-threshold", func(req *http.Request) (*http.Response, error) {
		queryPost(t, req, "amount=1000")
		return newResponse(200, fixture(t, "low_balance_threshold_spec.json")), nil
	})
	a, err := c.SetLowBalanceThreshold(context.Background(), MustParseAmount("1000.00"))
	require.NoError(t, err)
	assert.Equal(t, want, *a)

	respond(t, mock, "GET", "/v2/low-balance-threshold", 200, fixture(t, "low_balance_threshold_spec.json"))
	a, err = c.LowBalanceAlert(context.Background())
	require.NoError(t, err)
	assert.Equal(t, want, *a)

	for _, bad := range []string{"0", "0.99", "-5"} {
		_, err := c.SetLowBalanceThreshold(context.Background(), MustParseAmount(bad))
		assert.ErrorIs(t, err, ErrInvalidRequest, bad)
	}
	assert.Equal(t, 2, mock.GetTotalCallCount())
}

// The setters are retried like GETs: setting a value twice is harmless.
func TestSettersAreRetrySafe(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		path string
		call func(*Client) error
	}{
		{"/v2/callback-url", func(c *Client) error {
			_, err := c.SetCallbackURL(context.Background(), "https://merchant.example.com/cb", "GET")
			return err
		}},
		{"/v2/low-balance-threshold", func(c *Client) error {
			_, err := c.SetLowBalanceThreshold(context.Background(), MustParseAmount("2500"))
			return err
		}},
	} {
		c, mock := mockClient(t, WithRetryPolicy(RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
		n := 0
		ok := fixture(t, "callback_url_spec.json")
		if tc.path == "/v2/low-balance-threshold" {
			ok = fixture(t, "low_balance_threshold_spec.json")
		}
		mock.RegisterResponder("POST", "https://api.test.invalid"+tc.path, func(req *http.Request) (*http.Response, error) {
			checkSigned(t, req)
			if n++; n == 1 {
				return newResponse(503, []byte(`{"message":"Service Unavailable"}`)), nil
			}
			return newResponse(200, ok), nil
		})
		require.NoError(t, tc.call(c), tc.path)
		assert.Equal(t, 2, n, tc.path)
	}
}

func TestSettingsNegativePaths(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		method, path string
		call         func(*Client) error
	}{
		{"GET", "/v2/callback-url", func(c *Client) error { _, err := c.CallbackSettings(ctx); return err }},
		{"POST", "/v2/callback-url", func(c *Client) error {
			_, err := c.SetCallbackURL(ctx, "https://merchant.example.com/cb", "POST")
			return err
		}},
		{"GET", "/v2/low-balance-threshold", func(c *Client) error { _, err := c.LowBalanceAlert(ctx); return err }},
		{"POST", "/v2/low-balance-threshold", func(c *Client) error {
			_, err := c.SetLowBalanceThreshold(ctx, MustParseAmount("1"))
			return err
		}},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) { testNegativePaths(t, tc.method, tc.path, tc.call) })
	}
}
