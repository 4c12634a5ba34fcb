package iimmpact

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/iimmpact-go/iimmpact/internal/wire"
)

// CatalogWebhookSignatureHeader carries a catalog event's signature,
// "sha256=" and the lowercase hex HMAC-SHA256 (hex, unlike the API's own
// Base64 request signatures).
const CatalogWebhookSignatureHeader = "X-Webhook-Signature"

// Errors of VerifyCatalogWebhook and ParseCatalogEvent. Answer any of them
// with a 4xx and do not process the event.
var (
	ErrCatalogWebhookNoSignature       = errors.New("iimmpact: catalog webhook: no signature")
	ErrCatalogWebhookSignatureFormat   = errors.New("iimmpact: catalog webhook: signature is not sha256=<64 hex digits>")
	ErrCatalogWebhookSignatureMismatch = errors.New("iimmpact: catalog webhook: signature does not match")
	ErrInvalidCatalogEvent             = errors.New("iimmpact: invalid catalog event")
)

// catalogWebhookMAC is the one place that decides what a catalog event's
// signature covers. IIMMPACT documents only "HMAC-SHA256 with your webhook
// secret" in "sha256=<hex>"; that the signed bytes are exactly the raw
// request body, and that the key is the secret string's own bytes (not
// Base64- or hex-decoded, unlike the API's HMAC secret) are inferences.
// If IIMMPACT's deliveries disagree, this function is what changes.
func catalogWebhookMAC(body []byte, secret string) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return m.Sum(nil)
}

// SignCatalogWebhook returns the X-Webhook-Signature value for body, as
// IIMMPACT is understood to compute it. It is for tests: build an event,
// sign it, and send it to your own handler.
func SignCatalogWebhook(body []byte, secret string) string {
	return "sha256=" + hex.EncodeToString(catalogWebhookMAC(body, secret))
}

// VerifyCatalogWebhook checks a catalog event's X-Webhook-Signature
// against the raw request body, exactly as received (before any JSON
// parsing), in constant time. The secret is the one RegisterCatalogWebhook
// or RotateCatalogWebhookSecret returned (or the Dashboard showed). It
// returns nil, ErrCatalogWebhookNoSignature, ErrCatalogWebhookSignatureFormat or
// ErrCatalogWebhookSignatureMismatch; an empty secret is refused, since anyone can
// compute an HMAC with an empty key. There is no timestamp to check: none
// is documented, so a captured event can be replayed; make handling
// idempotent by the event's id and timestamp.
func VerifyCatalogWebhook(body []byte, signatureHeader, secret string) error {
	if secret == "" {
		return errors.New("iimmpact: catalog webhook: the secret is empty")
	}
	h := strings.TrimSpace(signatureHeader)
	if h == "" {
		return ErrCatalogWebhookNoSignature
	}
	const prefix = "sha256="
	if len(h) != len(prefix)+2*sha256.Size || !strings.EqualFold(h[:len(prefix)], prefix) {
		return ErrCatalogWebhookSignatureFormat
	}
	got, err := hex.DecodeString(h[len(prefix):])
	if err != nil {
		return ErrCatalogWebhookSignatureFormat
	}
	if !hmac.Equal(got, catalogWebhookMAC(body, secret)) {
		return ErrCatalogWebhookSignatureMismatch
	}
	return nil
}

// CatalogEventType is a catalog event's "type". Unknown types are passed
// through, so a new event kind does not break your handler; check Known.
type CatalogEventType string

// The 12 documented catalog events. "deleted" means deactivated.
const (
	CatalogProductCreated  CatalogEventType = "product.created"
	CatalogProductUpdated  CatalogEventType = "product.updated"
	CatalogProductDeleted  CatalogEventType = "product.deleted"
	CatalogOptionCreated   CatalogEventType = "option.created"
	CatalogOptionUpdated   CatalogEventType = "option.updated"
	CatalogOptionDeleted   CatalogEventType = "option.deleted"
	CatalogCategoryCreated CatalogEventType = "category.created"
	CatalogCategoryUpdated CatalogEventType = "category.updated"
	CatalogCategoryDeleted CatalogEventType = "category.deleted"
	CatalogGroupCreated    CatalogEventType = "group.created"
	CatalogGroupUpdated    CatalogEventType = "group.updated"
	CatalogGroupDeleted    CatalogEventType = "group.deleted"
)

// catalogNouns are the resources events are documented for.
var catalogNouns = map[string]bool{"product": true, "option": true, "category": true, "group": true}

// Known reports whether t is one of the 12 documented types.
func (t CatalogEventType) Known() bool {
	noun, verb, ok := strings.Cut(string(t), ".")
	return ok && catalogNouns[noun] && (verb == "created" || verb == "updated" || verb == "deleted")
}

// Deleted reports whether t is a *.deleted event, whose Data is nil:
// remove the resource with the event's ID from your copy.
func (t CatalogEventType) Deleted() bool { return strings.HasSuffix(string(t), ".deleted") }

// CatalogEvent is one catalog change, one per webhook request.
type CatalogEvent struct {
	Type      CatalogEventType `wire:"type,with=setJSONText[CatalogEventType]"`
	Resource  string           `wire:"resource,with=setJSONText[string]"` // "products", "options", "categories" or "groups"
	ID        string           `wire:"id"`                                // the changed resource, e.g. a product code
	Timestamp time.Time        `wire:"timestamp,with=setEventTime"`       // when the change happened, in GMT+8
	// Data is the full resource after the change, nil for *.deleted
	// events. Its schema is the catalog's, which may evolve, so it is raw.
	Data json.RawMessage `wire:"data,with=setEventData"`
}

// ParseCatalogEvent reads a catalog event body. Verify the signature
// first, on the same bytes. It requires a type, an id and, when present,
// an ISO-8601 timestamp and an object (or null) as data; errors wrap
// ErrInvalidCatalogEvent.
func ParseCatalogEvent(body []byte) (*CatalogEvent, error) {
	e := new(CatalogEvent)
	if err := e.UnmarshalJSON(body); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidCatalogEvent, err)
	}
	if e.Type == "" || e.ID == "" {
		return nil, fmt.Errorf("%w: type and id are required", ErrInvalidCatalogEvent)
	}
	return e, nil
}

// setJSONText reads a JSON string (never a number); null is "".
func setJSONText[T ~string](p *T, b []byte) error {
	var s *string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*p = ""
	if s != nil {
		*p = T(*s)
	}
	return nil
}

// setEventTime reads an ISO-8601 timestamp, "" or null as none.
func setEventTime(p *time.Time, b []byte) error {
	var s string
	if err := setJSONText(&s, b); err != nil || s == "" {
		return err
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("timestamp %.40q is not ISO 8601", s)
	}
	*p = t.In(wire.MYT)
	return nil
}

// setEventData keeps an object as it is; null is no data.
func setEventData(p *json.RawMessage, b []byte) error {
	*p = nil
	switch {
	case string(b) == "null":
		return nil
	case len(b) == 0 || b[0] != '{':
		return errors.New("data is not an object")
	}
	return wire.SetRaw(p, b)
}
