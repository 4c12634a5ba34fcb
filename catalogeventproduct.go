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
	ProductCode         string // e.g. "CELCOM10"
	ProductCategoryCode string // e.g. "MOBILE_PREPAID"
	Name                string
	DisplayName         string
	ImageURL            string
	ProcessingTime      string // e.g. "instant"
	IsActive            bool
	Raw                 json.RawMessage // the event's whole data object
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
	var w struct {
		ProductCode         wire.String `json:"product_code"`
		ProductCategoryCode wire.String `json:"product_category_code"`
		Name                wire.String `json:"name"`
		DisplayName         wire.String `json:"display_name"`
		ImageURL            wire.String `json:"image_url"`
		ProcessingTime      wire.String `json:"processing_time"`
		IsActive            *wire.Bool  `json:"is_active"`
	}
	if err := json.Unmarshal(e.Data, &w); err != nil {
		return nil, fmt.Errorf("%w: product data: %v", ErrInvalidCatalogEvent, err)
	}
	if w.ProductCode == "" || string(w.ProductCode) != e.ID {
		return nil, fmt.Errorf("%w: product data is for %.40q, the event for %.40q", ErrInvalidCatalogEvent, string(w.ProductCode), e.ID)
	}
	p := &CatalogEventProduct{ProductCode: string(w.ProductCode), ProductCategoryCode: string(w.ProductCategoryCode),
		Name: string(w.Name), DisplayName: string(w.DisplayName), ImageURL: string(w.ImageURL),
		ProcessingTime: string(w.ProcessingTime), IsActive: true, Raw: append(json.RawMessage(nil), e.Data...)}
	if w.IsActive != nil { // absent is read as active: the event says the product exists
		p.IsActive = bool(*w.IsActive)
	}
	return p, nil
}
