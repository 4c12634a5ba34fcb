package iimmpacttest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// IIMMPACT documents the catalog webhook endpoints by method and path and
// the registration request only. The fake's answers are its own choice,
// in the SDK's expected shape: {"data":{"webhook_url","secret","enabled"}}
// at registration and rotation, {"data":{"webhook_url","enabled"}} for GET
// and PUT (body {"enabled":bool}), and 204 for DELETE; 404 when nothing is
// registered.

type catalogWebhook struct {
	url     string
	secret  string
	enabled bool
}

type webhookData struct {
	WebhookURL string `json:"webhook_url,omitempty"`
	Secret     string `json:"secret,omitempty"`
	Enabled    *bool  `json:"enabled,omitempty"`
}

func (w *catalogWebhook) data(withSecret bool) map[string]webhookData {
	enabled := w.enabled
	d := webhookData{WebhookURL: w.url, Enabled: &enabled}
	if withSecret {
		d.Secret = w.secret
	}
	return map[string]webhookData{"data": d}
}

func noWebhook() response {
	return errorResponse(http.StatusNotFound, "webhook_not_found", "No catalog webhook is registered")
}

// handleCatalogWebhook answers GET, POST, PUT and DELETE on
// /v2/reseller/catalog/webhook.
func (s *Server) handleCatalogWebhook(req *request) response {
	return s.byMethod(req, map[string]func(*Server, *request) response{
		http.MethodGet:    (*Server).getCatalogWebhook,
		http.MethodPost:   (*Server).registerCatalogWebhook,
		http.MethodPut:    (*Server).enableCatalogWebhook,
		http.MethodDelete: (*Server).deleteCatalogWebhook,
	})
}

func (s *Server) getCatalogWebhook(*request) response {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rest.webhook == nil {
		return noWebhook()
	}
	return jsonResponse(http.StatusOK, s.rest.webhook.data(false))
}

func (s *Server) registerCatalogWebhook(req *request) response {
	var body struct {
		URL string `json:"webhook_url"`
	}
	if err := json.Unmarshal(req.body, &body); err != nil {
		return errorResponse(http.StatusBadRequest, "invalid_body", `Body must be {"webhook_url": "https://..."}`)
	}
	if u, err := url.Parse(body.URL); err != nil || u.Scheme != "https" || u.Host == "" {
		return errorResponse(http.StatusBadRequest, "invalid_webhook_url", "webhook_url must be an absolute HTTPS URL")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rest.webhook = &catalogWebhook{url: body.URL, secret: "whsec_" + randomHex(24), enabled: true}
	return jsonResponse(http.StatusOK, s.rest.webhook.data(true))
}

func (s *Server) enableCatalogWebhook(req *request) response {
	var body struct {
		Enabled *bool `json:"enabled"`
	}
	if err := json.Unmarshal(req.body, &body); err != nil || body.Enabled == nil {
		return errorResponse(http.StatusBadRequest, "invalid_body", `Body must be {"enabled": true|false}`)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rest.webhook == nil {
		return noWebhook()
	}
	s.rest.webhook.enabled = *body.Enabled
	return jsonResponse(http.StatusOK, s.rest.webhook.data(false))
}

func (s *Server) deleteCatalogWebhook(*request) response {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rest.webhook == nil {
		return noWebhook()
	}
	s.rest.webhook = nil
	return response{status: http.StatusNoContent}
}

// handleCatalogWebhookRotate answers POST /v2/reseller/catalog/webhook/rotate.
func (s *Server) handleCatalogWebhookRotate(*request) response {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rest.webhook == nil {
		return noWebhook()
	}
	s.rest.webhook.secret = "whsec_" + randomHex(24)
	return jsonResponse(http.StatusOK, map[string]webhookData{"data": {Secret: s.rest.webhook.secret}})
}

// ErrNoCatalogWebhook is returned by SendCatalogEvent when no catalog
// webhook is registered, or delivery is disabled (IIMMPACT does not queue
// events while it is).
var ErrNoCatalogWebhook = errors.New("iimmpacttest: no enabled catalog webhook")

// SendCatalogEvent delivers one catalog event to the registered webhook,
// as IIMMPACT would: a POST of {"type","resource","id","timestamp","data"}
// signed with X-Webhook-Signature: sha256=<hex HMAC-SHA256 of the body,
// keyed with the secret's bytes> (the signed bytes and key handling are
// the SDK's documented inference). data is encoded as JSON and sent as
// null for *.deleted events. It sends through hc, or a default client when
// hc is nil; pass an httptest TLS server's Client() so its certificate is
// trusted (the webhook URL must be HTTPS). It returns nil once the receiver
// answers 2xx, and does not retry.
func (s *Server) SendCatalogEvent(ctx context.Context, hc *http.Client, eventType, id string, data any) error {
	s.mu.Lock()
	w := s.rest.webhook
	var target, secret string
	if w != nil && w.enabled {
		target, secret = w.url, w.secret
	}
	now := s.now()
	s.mu.Unlock()
	if target == "" {
		return ErrNoCatalogWebhook
	}
	noun, _, _ := strings.Cut(eventType, ".")
	resource := map[string]string{"product": "products", "option": "options", "category": "categories", "group": "groups"}[noun]
	if strings.HasSuffix(eventType, ".deleted") {
		data = nil
	}
	body := marshal(struct {
		Type      string `json:"type"`
		Resource  string `json:"resource"`
		ID        string `json:"id"`
		Timestamp string `json:"timestamp"`
		Data      any    `json:"data"`
	}{eventType, resource, id, now.UTC().Format("2006-01-02T15:04:05.000Z"), data})
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("iimmpacttest: catalog event: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Webhook-Signature", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if hc == nil {
		hc = s.cbClient
	}
	resp, err := hc.Do(req.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("iimmpacttest: catalog event: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("iimmpacttest: catalog event: receiver answered %d", resp.StatusCode)
	}
	return nil
}
