package iimmpacttest

import (
	"encoding/json"
	"net/http"
	"net/url"
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
