package iimmpact

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/iimmpact-go/iimmpact/internal/wire"
)

// CatalogEventProduct is a product as catalog webhook events carry it.
// The shape is documented and differs from /v2/catalog's CatalogProduct:
// product_code (not code), product_category_code, display_name and
// is_active, and no fields, fulfillment or pricing. To get those, fetch
// the product (Catalog with ProductCode), as CatalogCache does.
type CatalogEventProduct struct {
	ProductCode         string          `wire:"product_code"`          // e.g. "CELCOM10"
	ProductCategoryCode string          `wire:"product_category_code"` // e.g. "MOBILE_PREPAID"
	Name                string          `wire:"name"`
	DisplayName         string          `wire:"display_name"`
	ImageURL            string          `wire:"image_url"`
	ProcessingTime      string          `wire:"processing_time"` // e.g. "instant"
	IsActive            bool            `wire:"is_active,with=setActive"`
	Raw                 json.RawMessage `wire:",raw"` // the event's whole data object
}

// reset reads an absent is_active as active: the event says the product exists.
func (p *CatalogEventProduct) reset() { *p = CatalogEventProduct{IsActive: true} }

// setActive reads is_active; null, like absence, is active.
func setActive(p *bool, b []byte) error {
	if string(b) == "null" {
		*p = true
		return nil
	}
	return wire.SetBool(p, b)
}

// Product decodes the data of a product.created or product.updated event.
// It returns nil and no error for product.deleted, whose data is null (the
// product with the event's ID was deactivated), and an error wrapping
// ErrInvalidCatalogEvent for an event about another resource, or whose
// data lacks product_code or names another product than the event's ID.
func (e *CatalogEvent) Product() (*CatalogEventProduct, error) {
	noun, _, _ := strings.Cut(string(e.Type), ".")
	if noun != "product" || (e.Resource != "" && e.Resource != "products") {
		return nil, fmt.Errorf("%w: %s is not a product event", ErrInvalidCatalogEvent, e.Type)
	}
	if e.Data == nil {
		if e.Type.Deleted() {
			return nil, nil
		}
		return nil, fmt.Errorf("%w: %s has no data", ErrInvalidCatalogEvent, e.Type)
	}
	p := new(CatalogEventProduct)
	if err := p.UnmarshalJSON(e.Data); err != nil {
		return nil, fmt.Errorf("%w: product data: %v", ErrInvalidCatalogEvent, err)
	}
	if p.ProductCode == "" || p.ProductCode != e.ID {
		return nil, fmt.Errorf("%w: product data is for %.40q, the event for %.40q", ErrInvalidCatalogEvent, p.ProductCode, e.ID)
	}
	return p, nil
}
