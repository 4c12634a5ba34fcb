package iimmpact

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/iimmpact-go/iimmpact/internal/wire"
)

// The catalog webhook endpoints (/v2/reseller/catalog/webhook) are
// documented only by their methods, paths and the registration request;
// IIMMPACT now points users at the Dashboard for this. Their response
// bodies are not documented, so the types below read what can be
// recognised, accept the fields at the top level or under "data", and
// keep the whole body. Every field name beyond webhook_url is a guess and
// is marked as such.

// WebhookSecret is a catalog webhook signing secret. It prints as
// "[REDACTED]" through fmt and slog so it cannot leak into logs; use
// string(s) where the value itself is needed, e.g. VerifyCatalogWebhook.
type WebhookSecret string

const redacted = "[REDACTED]"

func (s WebhookSecret) String() string   { return redacted }
func (s WebhookSecret) GoString() string { return `iimmpact.WebhookSecret("` + redacted + `")` }

// Format redacts under every verb, %x and %d included.
func (s WebhookSecret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, redacted) }

// LogValue redacts in slog.
func (s WebhookSecret) LogValue() slog.Value { return slog.StringValue(redacted) }

// CatalogWebhook is the catalog webhook configuration, as far as its
// undocumented body can be read.
type CatalogWebhook struct {
	URL     string          // webhook_url (guessed also as url)
	Enabled *bool           // enabled or is_enabled (guessed); nil when neither is sent
	Raw     json.RawMessage // the whole body
}

// CatalogWebhookSecret is the answer to registering a catalog webhook or
// rotating its secret: the only time IIMMPACT shows the secret. Store
// Secret at once; if it is empty, the secret is under a key this SDK did
// not guess, and RawBody still holds it.
type CatalogWebhookSecret struct {
	URL    string        // webhook_url, when the body repeats it
	Secret WebhookSecret // secret, webhook_secret or signing_secret (guessed)
	raw    json.RawMessage
}

// RawBody returns the response body as sent. It contains the secret: do
// not log it. It is a method, not a field, so fmt never prints it.
func (s *CatalogWebhookSecret) RawBody() json.RawMessage {
	return append(json.RawMessage(nil), s.raw...)
}

func (s CatalogWebhookSecret) String() string {
	return "{URL:" + s.URL + " Secret:" + redacted + "}"
}

// GoString keeps %#v from printing the secret or the raw body.
func (s CatalogWebhookSecret) GoString() string { return "iimmpact.CatalogWebhookSecret" + s.String() }

// Format redacts under every verb.
func (s CatalogWebhookSecret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, s.String()) }

// LogValue keeps slog from printing the secret.
func (s CatalogWebhookSecret) LogValue() slog.Value {
	return slog.GroupValue(slog.String("url", s.URL), slog.String("secret", redacted))
}

// webhookBody is an undocumented body: a JSON object whose fields sit at
// the top level or inside an object "data". Anything else is malformed.
type webhookBody struct {
	fields map[string][]byte
	raw    json.RawMessage
}

func (b *webhookBody) parse(data []byte) error {
	top, err := members(data)
	if err != nil {
		return err
	}
	if top == nil {
		return errors.New("body is null")
	}
	b.fields, b.raw = top, append(json.RawMessage(nil), data...)
	if d, ok := top["data"]; ok {
		inner, err := members(d)
		if err != nil {
			return fmt.Errorf(`"data" is not an object: %w`, err)
		}
		if inner != nil {
			b.fields = inner
		}
	}
	return nil
}

// members maps an object's keys to their values as sent, read (and
// checked) in one pass; null is nil.
func members(b []byte) (map[string][]byte, error) {
	var m map[string][]byte
	err := wire.Decode(b, &m, func(m *map[string][]byte, d *wire.Decoder) error {
		return wire.Map(d, m, func(v *[]byte, d *wire.Decoder) (err error) {
			*v, err = d.Value()
			return err
		})
	})
	return m, err
}

// text returns the first of keys that is present, as a string.
func (b *webhookBody) text(keys ...string) (string, error) {
	for _, k := range keys {
		if v, ok := b.fields[k]; ok {
			var s string
			if err := wire.SetString(&s, v); err != nil {
				return "", fmt.Errorf("%q: %w", k, err)
			}
			return s, nil
		}
	}
	return "", nil
}

// UnmarshalJSON reads what it recognises and keeps the body in Raw.
func (w *CatalogWebhook) UnmarshalJSON(data []byte) error {
	var b webhookBody
	if err := b.parse(data); err != nil {
		return err
	}
	u, err := b.text("webhook_url", "url")
	if err != nil {
		return err
	}
	*w = CatalogWebhook{URL: u, Raw: b.raw}
	for _, k := range []string{"enabled", "is_enabled"} {
		if v, ok := b.fields[k]; ok {
			var on bool
			if err := wire.SetBool(&on, v); err != nil {
				return fmt.Errorf("%q: %w", k, err)
			}
			w.Enabled = &on
			break
		}
	}
	return nil
}

// UnmarshalJSON never fails on a field once the body is a JSON object:
// failing would lose a secret shown only once, so a secret under an
// unexpected key or of an unexpected type leaves Secret empty and is
// still in RawBody.
func (s *CatalogWebhookSecret) UnmarshalJSON(data []byte) error {
	var b webhookBody
	if err := b.parse(data); err != nil {
		return err
	}
	u, _ := b.text("webhook_url", "url")
	secret, _ := b.text("secret", "webhook_secret", "signing_secret")
	*s = CatalogWebhookSecret{URL: u, Secret: WebhookSecret(secret), raw: b.raw}
	return nil
}

// webhookDeleted is DELETE's answer: any JSON object, or no body at all.
type webhookDeleted struct{}

func (*webhookDeleted) emptyOK() {}

func (*webhookDeleted) UnmarshalJSON(data []byte) error {
	var b webhookBody
	return b.parse(data)
}

const catalogWebhookPath = "/v2/reseller/catalog/webhook"

// CatalogWebhook returns the catalog webhook configuration.
func (c *Client) CatalogWebhook(ctx context.Context) (*CatalogWebhook, error) {
	return do[CatalogWebhook](ctx, c, getCall(catalogWebhookPath, nil))
}

// RegisterCatalogWebhook registers an HTTPS endpoint for catalog change
// events and returns the new signing secret, which IIMMPACT shows only
// this once. It is not retried: a second registration would issue another
// secret and the first answer would be lost.
func (c *Client) RegisterCatalogWebhook(ctx context.Context, webhookURL string) (*CatalogWebhookSecret, error) {
	u, err := url.Parse(webhookURL)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("%w: catalog webhook URL %q must be an absolute https URL", ErrInvalidRequest, webhookURL)
	}
	body := struct {
		URL string `json:"webhook_url"`
	}{webhookURL}
	return do[CatalogWebhookSecret](ctx, c, call{method: http.MethodPost, path: catalogWebhookPath, body: body})
}

// SetCatalogWebhookEnabled turns delivery on or off without removing the
// configuration. Events while it is off are not queued: re-sync with
// Catalog after turning it back on. The request body {"enabled": bool} is
// inferred (only the method and purpose are documented).
func (c *Client) SetCatalogWebhookEnabled(ctx context.Context, enabled bool) (*CatalogWebhook, error) {
	body := struct {
		Enabled bool `json:"enabled"`
	}{enabled}
	return do[CatalogWebhook](ctx, c, call{method: http.MethodPut, path: catalogWebhookPath, body: body, retrySafe: true})
}

// DeleteCatalogWebhook removes the configuration and stops delivery. It
// is not retried: after a lost answer a second DELETE could report an
// error for a removal that happened.
func (c *Client) DeleteCatalogWebhook(ctx context.Context) error {
	_, err := do[webhookDeleted](ctx, c, call{method: http.MethodDelete, path: catalogWebhookPath})
	return err
}

// RotateCatalogWebhookSecret issues a new signing secret, shown only in
// this answer. Whether the old secret keeps working for a while is not
// documented; verify with both until events signed by the old one stop.
// It is not retried, for the same reason as RegisterCatalogWebhook.
func (c *Client) RotateCatalogWebhookSecret(ctx context.Context) (*CatalogWebhookSecret, error) {
	return do[CatalogWebhookSecret](ctx, c, call{method: http.MethodPost, path: catalogWebhookPath + "/rotate"})
}
