package iimmpact

import (
	"context"
	"errors"
	"io"
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
// IIMMPACT does not promise Last-Modified or ETag headers. It holds only
// what is typed, nothing of the response body: a catalog is large.
type Catalog struct {
	LastUpdated time.Time // from the body's ISO-8601 last_updated, in GMT+8
	Groups      []CatalogGroup
	Products    map[string]CatalogProduct // keyed by product code
}

// CatalogGroup is a top-level group of the catalog tree, e.g. "Mobile".
type CatalogGroup struct {
	ID         string            `wire:"id"`
	Name       string            `wire:"name"`
	IconURL    string            `wire:"icon_url"`
	Categories []CatalogCategory `wire:"categories"`
}

// CatalogCategory is a category within a group; its products are looked
// up in Catalog.Products by code, in this order.
type CatalogCategory struct {
	ID           string   `wire:"id"`
	Name         string   `wire:"name"`
	ProductCodes []string `wire:"product_codes"`
}

// CatalogProduct is one product of the catalog. Fields (the form to show),
// Fulfillment (how the form maps onto the Topup request) and Pricing are
// typed as far as the docs and the SDK's inferences go (catalogtypes.go);
// a part whose shape is not recognised is left empty. In a Catalog,
// products whose fields, fulfillment or pricing are the same JSON share one
// Fields slice, Fulfillment and Pricing (a catalog repeats a few forms
// across thousands of products): read them, do not write through them.
// BuildTopup turns a customer's answers into a TopupRequest.
type CatalogProduct struct {
	Code           string `wire:"code"`
	Name           string `wire:"name"`
	ProductType    string `wire:"product_type,intern"` // e.g. "standard"
	ImageURL       string `wire:"image_url"`
	ProcessingTime string `wire:"processing_time,intern"` // e.g. "instant"
	// The sub-schemas are inferred: a shape that does not fit is left empty.
	Fields      []CatalogField `wire:"fields,lenient,share"`
	Fulfillment *Fulfillment   `wire:"fulfillment,lenient,share"` // nil when absent
	Pricing     *Pricing       `wire:"pricing,lenient,share"`     // nil when absent, e.g. {"model":"percentage_discount","discount_rate":1.5}
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
	LastUpdated time.Time                 `wire:"last_updated"`
	Tree        catalogTree               `wire:"tree"`
	Products    map[string]CatalogProduct `wire:"products"`
}

type catalogTree struct {
	Groups []CatalogGroup `wire:"groups"`
}

// decodeStream reads the catalog while its body arrives (streamingBody):
// a catalog is tens of megabytes, and only one product's JSON is held at
// a time, beside what is kept. Repeated words (field types, templates,
// pricing models) are allocated once and repeated forms shared. Every
// member but "products" is read by the generated decoder.
func (b *catalogBody) decodeStream(r io.Reader) error {
	*b = catalogBody{}
	s := wire.NewStream(r)
	for m := s.Object(); m.Next(); {
		if k, _ := wire.Fold(m.Key(), "products"); k != "" {
			b.Products = decodeProducts(s)
			continue
		}
		key := m.Key()
		wire.StreamValue(s, b, func(b *catalogBody, d *wire.Decoder) error { return b.decodeMember(d, key) })
	}
	return s.End()
}

// decodeProducts reads the products object a product at a time. A
// product's key is its code: the map shares the Code string.
func decodeProducts(s *wire.Stream) map[string]CatalogProduct {
	if s.Null() {
		return nil
	}
	products := map[string]CatalogProduct{}
	for m := s.Object(); m.Next(); {
		var p CatalogProduct
		if wire.StreamValue(s, &p, (*CatalogProduct).decodeWire) != nil {
			return nil
		}
		key := p.Code
		if key != string(m.Key()) {
			key = string(m.Key())
		}
		products[key] = p
	}
	return products
}

func (b *catalogBody) check() error {
	if b.Products == nil {
		return errors.New(`no "products" in the body`)
	}
	return nil
}

// Catalog returns the product catalog (recommended over Products). A
// product's options come from Options with the product code and the id of
// one of its select fields. The catalog is decoded while its body arrives,
// so fetching one costs about the memory the result keeps, not the body
// on top of it (BenchmarkCatalogHeap).
func (c *Client) Catalog(ctx context.Context, q CatalogQuery) (*Catalog, error) {
	cl := getCall("/v2/catalog", q.values())
	cl.maxBody = maxCatalogBody // the largest body IIMMPACT sends
	return fetch[Catalog, catalogBody](ctx, c, cl)
}

func (b *catalogBody) result() *Catalog {
	return &Catalog{LastUpdated: b.LastUpdated, Groups: b.Tree.Groups, Products: b.Products}
}
