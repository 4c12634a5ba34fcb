package iimmpacttest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// catalogState is what changes in the fake's catalogue at run time,
// guarded by Server.mu.
type catalogState struct {
	inactive    map[string]bool   // deactivated product codes
	displayName map[string]string // display_name overrides
	updated     time.Time         // last change; zero means catalogUpdated
	attempts    []CatalogEventAttempt
	inFlight    int // events still being delivered or retried
}

// CatalogEventAttempt is one delivery attempt of a catalog event.
type CatalogEventAttempt struct {
	Type       string    // e.g. "product.updated"
	ID         string    // the resource, e.g. a product code
	Body       []byte    // the signed body
	Attempt    int       // 1 for the first try, 2 for the first retry, ...
	HTTPStatus int       // the receiver's answer; 0 when none came
	Err        string    // network error or timeout
	Time       time.Time // when the attempt started (wall clock)
}

func (s *Server) activeLocked(code string) bool { return !s.cat.inactive[code] }

// SetProductActive deactivates a product (it leaves /v2/catalog, is
// "Inactive" in /v2/product-list and refuses topups with Invalid_Product)
// or activates it again. Either way last_updated moves to the fake's
// clock and the registered catalog webhook, if enabled, gets an event:
// product.deleted (IIMMPACT: "deleted" means deactivated) or
// product.updated with is_active true. It panics on an unknown product.
func (s *Server) SetProductActive(code string, active bool) {
	s.changeProduct(code, func() string {
		if active {
			delete(s.cat.inactive, code)
			return "product.updated"
		}
		if s.cat.inactive == nil {
			s.cat.inactive = map[string]bool{}
		}
		s.cat.inactive[code] = true
		return "product.deleted"
	})
}

// SetProductDisplayName changes a product's display_name (its name in the
// catalog) and sends product.updated, like SetProductActive.
func (s *Server) SetProductDisplayName(code, name string) {
	s.changeProduct(code, func() string {
		if s.cat.displayName == nil {
			s.cat.displayName = map[string]string{}
		}
		s.cat.displayName[code] = name
		return "product.updated"
	})
}

func (s *Server) changeProduct(code string, change func() string) {
	p := s.products[code]
	if p == nil {
		panic("iimmpacttest: unknown product " + code)
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	eventType := change()
	s.cat.updated = now
	var data any
	if eventType != "product.deleted" {
		data = s.eventProductLocked(p)
	}
	s.queueCatalogEventLocked(eventType, code, data, now)
}

// eventProduct is a product as catalog events carry it (documented shape,
// unlike /v2/catalog's: product_code, product_category_code, display_name,
// is_active).
type eventProduct struct {
	ProductCode         string `json:"product_code"`
	ProductCategoryCode string `json:"product_category_code"`
	Name                string `json:"name"`
	DisplayName         string `json:"display_name"`
	ImageURL            string `json:"image_url"`
	ProcessingTime      string `json:"processing_time"`
	IsActive            bool   `json:"is_active"`
}

func (s *Server) eventProductLocked(p *product) eventProduct {
	l := p.listing
	return eventProduct{ProductCode: l.ProductCode, ProductCategoryCode: p.categoryCode, Name: l.ProductName,
		DisplayName: s.displayNameLocked(p), ImageURL: l.ImageURL, ProcessingTime: "instant",
		IsActive: s.activeLocked(l.ProductCode)}
}

func (s *Server) displayNameLocked(p *product) string {
	if n, ok := s.cat.displayName[p.listing.ProductCode]; ok {
		return n
	}
	return p.listing.ProductName
}

// catalogEventBody is one event, {"type","resource","id","timestamp","data"}.
func catalogEventBody(eventType, id string, data any, now time.Time) []byte {
	noun, _, _ := strings.Cut(eventType, ".")
	resource := map[string]string{"product": "products", "option": "options", "category": "categories", "group": "groups"}[noun]
	if strings.HasSuffix(eventType, ".deleted") {
		data = nil
	}
	return marshal(struct {
		Type      string `json:"type"`
		Resource  string `json:"resource"`
		ID        string `json:"id"`
		Timestamp string `json:"timestamp"`
		Data      any    `json:"data"`
	}{eventType, resource, id, now.UTC().Format("2006-01-02T15:04:05.000Z"), data})
}

// queueCatalogEventLocked delivers an event in the background with the
// retry policy, if a webhook is registered and enabled; IIMMPACT does not
// queue events while delivery is disabled, and neither does the fake.
func (s *Server) queueCatalogEventLocked(eventType, id string, data any, now time.Time) {
	w := s.rest.webhook
	if w == nil || !w.enabled {
		return
	}
	target, secret := w.url, w.secret
	body := catalogEventBody(eventType, id, data, now)
	if s.goLocked(func() { s.deliverCatalogEvent(eventType, id, target, secret, body) }) {
		s.cat.inFlight++
	}
}

func (s *Server) deliverCatalogEvent(eventType, id, target, secret string, body []byte) {
	defer func() {
		s.mu.Lock()
		s.cat.inFlight--
		s.mu.Unlock()
	}()
	c := s.cfg.fidelity
	delay := c.eventBackoff
	for attempt := 1; attempt <= 1+c.eventRetries; attempt++ {
		if attempt > 1 {
			if !s.sleep(s.ctx, delay) {
				return
			}
			delay *= 2
		}
		rec := CatalogEventAttempt{Type: eventType, ID: id, Body: body, Attempt: attempt, Time: time.Now()}
		ctx, cancel := context.WithTimeout(s.ctx, c.eventTimeout)
		rec.HTTPStatus, rec.Err = s.postCatalogEvent(ctx, c.eventClient, target, secret, body)
		cancel()
		if s.ctx.Err() != nil {
			return
		}
		s.mu.Lock()
		s.cat.attempts = append(s.cat.attempts, rec)
		s.mu.Unlock()
		if rec.HTTPStatus >= 200 && rec.HTTPStatus <= 299 {
			return
		}
	}
}

// postCatalogEvent signs and sends one event: X-Webhook-Signature is
// sha256=<hex HMAC-SHA256 of the body, keyed with the secret's bytes> (the
// signed bytes and key handling are inferred; IIMMPACT documents only
// "HMAC-SHA256 with your webhook secret" as sha256=<hex>).
func (s *Server) postCatalogEvent(ctx context.Context, hc *http.Client, target, secret string, body []byte) (int, string) {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, err.Error()
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Webhook-Signature", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	if hc == nil {
		hc = s.cbClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return 0, "timeout"
		}
		return 0, err.Error()
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	return resp.StatusCode, ""
}

// CatalogEvents returns every catalog event delivery attempt made by the
// fake's own run-time changes, oldest first (SendCatalogEvent's are not
// recorded).
func (s *Server) CatalogEvents() []CatalogEventAttempt {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]CatalogEventAttempt(nil), s.cat.attempts...)
}

// WaitCatalogEvents blocks until no catalog event is being delivered or
// waiting for a retry, or until ctx ends.
func (s *Server) WaitCatalogEvents(ctx context.Context) error {
	return s.waitIdle(ctx, func() bool { return s.cat.inFlight == 0 })
}

// ErrNoCatalogWebhook is returned by SendCatalogEvent when no catalog
// webhook is registered, or delivery is disabled (IIMMPACT does not queue
// events while it is).
var ErrNoCatalogWebhook = errors.New("iimmpacttest: no enabled catalog webhook")

// SendCatalogEvent delivers one catalog event to the registered webhook
// at once, signed as IIMMPACT is understood to sign it (see
// postCatalogEvent), without changing the fake's catalogue and without
// retrying. data is encoded as JSON and sent as null for *.deleted events.
// It sends through hc, or the WithCatalogEventClient client, or a default
// one; pass an httptest TLS server's Client() so its certificate is
// trusted (the webhook URL must be HTTPS). It returns nil once the
// receiver answers 2xx.
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
	if hc == nil {
		hc = s.cfg.eventClient
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.eventTimeout)
	defer cancel()
	status, errText := s.postCatalogEvent(ctx, hc, target, secret, catalogEventBody(eventType, id, data, now))
	if errText != "" {
		return fmt.Errorf("iimmpacttest: catalog event: %s", errText)
	}
	if status < 200 || status > 299 {
		return fmt.Errorf("iimmpacttest: catalog event: receiver answered %d", status)
	}
	return nil
}
