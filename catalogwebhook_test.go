package iimmpact

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const inferredSecret = "whsec_3f9a1c0d5e7b2a4c6d8e0f1a2b3c4d5e"

func TestRegisterCatalogWebhook(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	mock.RegisterResponder("POST", "https://api.test.invalid/v2/reseller/catalog/webhook", func(req *http.Request) (*http.Response, error) {
		body := checkSigned(t, req)
		assert.Equal(t, `{"webhook_url":"https://your-api.com/iimmpact/catalog-webhook"}`, string(body), "the documented request")
		assert.Empty(t, req.URL.RawQuery)
		return newResponse(200, fixture(t, "catalog_webhook_secret_inferred.json")), nil
	})
	s, err := c.RegisterCatalogWebhook(context.Background(), "https://your-api.com/iimmpact/catalog-webhook")
	require.NoError(t, err)
	assert.Equal(t, "https://your-api.com/iimmpact/catalog-webhook", s.URL)
	assert.Equal(t, inferredSecret, string(s.Secret))
	assert.JSONEq(t, string(fixture(t, "catalog_webhook_secret_inferred.json")), string(s.RawBody()))
}

func TestCatalogWebhookSecretKeys(t *testing.T) {
	t.Parallel()
	for body, want := range map[string]string{
		`{"secret":"s1"}`:                          "s1",
		`{"webhook_secret":"s2","message":"ok"}`:   "s2",
		`{"data":{"signing_secret":"s3"}}`:         "s3",
		`{"data":{"credentials":{"secret":"s4"}}}`: "",
		`{"data":{"secret":{"value":"s5"}}}`:       "",
		`{"data":null,"secret":"s6"}`:              "s6",
	} {
		var s CatalogWebhookSecret
		require.NoError(t, json.Unmarshal([]byte(body), &s), body)
		assert.Equal(t, want, string(s.Secret), body)
		assert.JSONEq(t, body, string(s.RawBody()), "a secret the SDK cannot find is still in RawBody")
	}
}

func TestCatalogWebhookConfig(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	respond(t, mock, "GET", "/v2/reseller/catalog/webhook", 200, fixture(t, "catalog_webhook_config_inferred.json"))
	cfg, err := c.CatalogWebhook(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "https://your-api.com/iimmpact/catalog-webhook", cfg.URL)
	require.NotNil(t, cfg.Enabled)
	assert.False(t, *cfg.Enabled)
	assert.JSONEq(t, `"2025-05-21T06:02:56Z"`, string(mustField(t, mustField(t, cfg.Raw, "data"), "updated_at")))

	mock.RegisterResponder("PUT", "https://api.test.invalid/v2/reseller/catalog/webhook", func(req *http.Request) (*http.Response, error) {
		assert.Equal(t, `{"enabled":true}`, string(checkSigned(t, req)))
		return newResponse(200, []byte(`{"webhook_url":"https://your-api.com/hook","is_enabled":"true"}`)), nil
	})
	cfg, err = c.SetCatalogWebhookEnabled(context.Background(), true)
	require.NoError(t, err)
	assert.Equal(t, "https://your-api.com/hook", cfg.URL)
	require.NotNil(t, cfg.Enabled)
	assert.True(t, *cfg.Enabled)

	respond(t, mock, "GET", "/v2/reseller/catalog/webhook", 200, []byte(`{"message":"No webhook configured"}`))
	cfg, err = c.CatalogWebhook(context.Background())
	require.NoError(t, err)
	assert.Nil(t, cfg.Enabled, "not said is not false")
	assert.Empty(t, cfg.URL)
}

func TestDeleteCatalogWebhook(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status int
		body   string
	}{{204, ""}, {200, ""}, {200, `{"message":"Webhook removed"}`}, {200, `{"data":{"deleted":true}}`}} {
		c, mock := mockClient(t)
		respond(t, mock, "DELETE", "/v2/reseller/catalog/webhook", tc.status, []byte(tc.body))
		assert.NoError(t, c.DeleteCatalogWebhook(context.Background()), "%d %q", tc.status, tc.body)
	}
}

func TestRotateCatalogWebhookSecret(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	mock.RegisterResponder("POST", "https://api.test.invalid/v2/reseller/catalog/webhook/rotate", func(req *http.Request) (*http.Response, error) {
		assert.Empty(t, checkSigned(t, req))
		return newResponse(200, []byte(`{"data":{"secret":"rotated-secret"}}`)), nil
	})
	s, err := c.RotateCatalogWebhookSecret(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "rotated-secret", string(s.Secret))
}

func TestRegisterCatalogWebhookRefusesLocally(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	for _, u := range []string{"", "http://your-api.com/hook", "https://", "/hook", "your-api.com/hook", "https://bad host/"} {
		_, err := c.RegisterCatalogWebhook(context.Background(), u)
		assert.ErrorIs(t, err, ErrInvalidRequest, u)
	}
	assert.Zero(t, mock.GetTotalCallCount())
}

// Only the PUT is retried: a second registration, rotation or delete could
// lose a secret or report a removal that happened as an error.
func TestCatalogWebhookRetrySafety(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		method, path string
		call         func(*Client) error
		attempts     int
	}{
		{"PUT", "/v2/reseller/catalog/webhook", func(c *Client) error { _, err := c.SetCatalogWebhookEnabled(ctx, false); return err }, 2},
		{"POST", "/v2/reseller/catalog/webhook", func(c *Client) error {
			_, err := c.RegisterCatalogWebhook(ctx, "https://your-api.com/hook")
			return err
		}, 1},
		{"POST", "/v2/reseller/catalog/webhook/rotate", func(c *Client) error { _, err := c.RotateCatalogWebhookSecret(ctx); return err }, 1},
		{"DELETE", "/v2/reseller/catalog/webhook", func(c *Client) error { return c.DeleteCatalogWebhook(ctx) }, 1},
	} {
		c, mock := mockClient(t, WithRetryPolicy(RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
		respond(t, mock, tc.method, tc.path, 503, []byte(`{"message":"Service Unavailable"}`))
		assert.ErrorIs(t, tc.call(c), ErrServer)
		assert.Equal(t, tc.attempts, mock.GetTotalCallCount(), tc.method+" "+tc.path)
	}
}

func TestCatalogWebhookNegativePaths(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		method, path string
		call         func(*Client) error
	}{
		{"GET", "/v2/reseller/catalog/webhook", func(c *Client) error { _, err := c.CatalogWebhook(ctx); return err }},
		{"POST", "/v2/reseller/catalog/webhook", func(c *Client) error {
			_, err := c.RegisterCatalogWebhook(ctx, "https://your-api.com/hook")
			return err
		}},
		{"PUT", "/v2/reseller/catalog/webhook", func(c *Client) error { _, err := c.SetCatalogWebhookEnabled(ctx, true); return err }},
		{"DELETE", "/v2/reseller/catalog/webhook", func(c *Client) error { return c.DeleteCatalogWebhook(ctx) }},
		{"POST", "/v2/reseller/catalog/webhook/rotate", func(c *Client) error { _, err := c.RotateCatalogWebhookSecret(ctx); return err }},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) { testNegativePaths(t, tc.method, tc.path, tc.call) })
	}
}

func TestWebhookSecretIsRedacted(t *testing.T) {
	t.Parallel()
	var s CatalogWebhookSecret
	require.NoError(t, json.Unmarshal(fixture(t, "catalog_webhook_secret_inferred.json"), &s))
	secret := WebhookSecret(inferredSecret)
	var out []string
	for _, v := range []any{secret, s, &s} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
			out = append(out, fmt.Sprintf(verb, v))
		}
	}
	out = append(out, fmt.Sprint(s), fmt.Sprintln(&s), s.String(), secret.GoString(), fmt.Sprint(struct{ S WebhookSecret }{secret}))
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	log.Info("registered", "webhook", s, "secret", secret, "ptr", &s)
	log.Info("text", slog.Any("s", s))
	out = append(out, buf.String())
	buf.Reset()
	slog.New(slog.NewTextHandler(&buf, nil)).Info("registered", "webhook", s, "secret", secret)
	out = append(out, buf.String())
	for _, o := range out {
		assert.NotContains(t, o, "3f9a1c0d", o)
		assert.NotContains(t, strings.ToLower(o), "3366396131633064", "hex of the secret")
	}
	assert.Contains(t, fmt.Sprint(s), redacted)
	assert.Contains(t, fmt.Sprint(s), "https://your-api.com/iimmpact/catalog-webhook", "the URL is not secret")
}
