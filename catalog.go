package iimmpact

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/iimmpact-go/iimmpact/internal/wire"
)

// CatalogQuery narrows GET /v2/catalog. The zero value asks for the whole
// catalog of visible products.
type CatalogQuery struct {
	ProductCode   string // only this product in Products
	IsActive      *bool  // nil sends no filter
	IncludeHidden bool
}

func (q *CatalogQuery) values() url.Values {
	v := url.Values{}
	if q.ProductCode != "" {
		v.Set("product_code", q.ProductCode)
	}
	if q.IsActive != nil {
		v.Set("is_active", strconv.FormatBool(*q.IsActive))
	}
	if q.IncludeHidden {
		v.Set("include_hidden", "true")
	}
	return v
}

// Catalog is your tenant-specific product catalog: the navigation tree
// (groups → categories → product codes) and a flat map of products. It is
// meant to be cached; compare LastUpdated to decide when to refetch, since
// IIMMPACT does not promise Last-Modified or ETag headers. IIMMPACT says
// the schema may evolve, so every object keeps its raw JSON.
type Catalog struct {
	LastUpdated time.Time // from the body's ISO-8601 last_updated, in GMT+8
	Groups      []CatalogGroup
	Products    map[string]CatalogProduct // keyed by product code
}

// CatalogGroup is a top-level group of the catalog tree, e.g. "Mobile".
type CatalogGroup struct {
	ID         string
	Name       string
	IconURL    string
	Categories []CatalogCategory
	Raw        json.RawMessage
}

// UnmarshalJSON reads the documented fields and keeps the group in Raw.
func (g *CatalogGroup) UnmarshalJSON(b []byte) error {
	var w struct {
		ID         wire.String       `json:"id"`
		Name       wire.String       `json:"name"`
		IconURL    wire.String       `json:"icon_url"`
		Categories []CatalogCategory `json:"categories"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*g = CatalogGroup{ID: string(w.ID), Name: string(w.Name), IconURL: string(w.IconURL), Categories: w.Categories,
		Raw: append(json.RawMessage(nil), b...)}
	return nil
}

// CatalogCategory is a category within a group; its products are looked
// up in Catalog.Products by code, in this order.
type CatalogCategory struct {
	ID           string
	Name         string
	ProductCodes []string
	Raw          json.RawMessage
}

// UnmarshalJSON reads the documented fields and keeps the category in Raw.
func (c *CatalogCategory) UnmarshalJSON(b []byte) error {
	var w struct {
		ID           wire.String   `json:"id"`
		Name         wire.String   `json:"name"`
		ProductCodes []wire.String `json:"product_codes"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*c = CatalogCategory{ID: string(w.ID), Name: string(w.Name), Raw: append(json.RawMessage(nil), b...)}
	for _, code := range w.ProductCodes {
		c.ProductCodes = append(c.ProductCodes, string(code))
	}
	return nil
}

// CatalogProduct is one product of the catalog. Fields (the form to show),
// Fulfillment (how the form maps onto the Topup request) and Pricing are
// typed as far as the docs and the SDK's inferences go (catalogtypes.go);
// a part whose shape is not recognised is left empty, and the whole
// product stays in Raw. BuildTopup turns a customer's answers into a
// TopupRequest.
type CatalogProduct struct {
	Code           string
	Name           string
	ProductType    string // e.g. "standard"
	ImageURL       string
	ProcessingTime string // e.g. "instant"
	Fields         []CatalogField
	Fulfillment    *Fulfillment    // nil when absent
	Pricing        *Pricing        // nil when absent, e.g. {"model":"percentage_discount","discount_rate":1.5}
	Raw            json.RawMessage // the whole product, unknown fields included
}

// UnmarshalJSON reads the documented fields and keeps the product in Raw.
func (p *CatalogProduct) UnmarshalJSON(b []byte) error {
	var w struct {
		Code           wire.String     `json:"code"`
		Name           wire.String     `json:"name"`
		ProductType    wire.String     `json:"product_type"`
		ImageURL       wire.String     `json:"image_url"`
		ProcessingTime wire.String     `json:"processing_time"`
		Fields         json.RawMessage `json:"fields"`
		Fulfillment    json.RawMessage `json:"fulfillment"`
		Pricing        json.RawMessage `json:"pricing"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*p = CatalogProduct{Code: string(w.Code), Name: string(w.Name), ProductType: string(w.ProductType),
		ImageURL: string(w.ImageURL), ProcessingTime: string(w.ProcessingTime), Raw: append(json.RawMessage(nil), b...)}
	// The sub-schemas are inferred: a shape that does not fit is skipped.
	if json.Unmarshal(w.Fields, &p.Fields) != nil {
		p.Fields = nil
	}
	if json.Unmarshal(w.Fulfillment, &p.Fulfillment) != nil {
		p.Fulfillment = nil
	}
	if json.Unmarshal(w.Pricing, &p.Pricing) != nil {
		p.Pricing = nil
	}
	return nil
}

// Field returns the field with id, if the product has one.
func (p *CatalogProduct) Field(id string) (CatalogField, bool) {
	for _, f := range p.Fields {
		if f.ID == id {
			return f, true
		}
	}
	return CatalogField{}, false
}

// catalogBody is the catalog as sent: no "data" wrapper.
type catalogBody struct {
	LastUpdated wire.Time `json:"last_updated"`
	Tree        struct {
		Groups []CatalogGroup `json:"groups"`
	} `json:"tree"`
	Products map[string]CatalogProduct `json:"products"`
}

func (b *catalogBody) check() error {
	if b.Products == nil {
		return errors.New(`no "products" in the body`)
	}
	return nil
}

// Catalog returns the product catalog (recommended over Products). A
// product's options come from Options with the product code and the id of
// one of its select fields.
func (c *Client) Catalog(ctx context.Context, q CatalogQuery) (*Catalog, error) {
	body, err := do[catalogBody](ctx, c, call{method: http.MethodGet, path: "/v2/catalog", query: q.values(), maxBody: maxCatalogBody})
	if err != nil {
		return nil, err
	}
	return &Catalog{LastUpdated: body.LastUpdated.Time, Groups: body.Tree.Groups, Products: body.Products}, nil
}
