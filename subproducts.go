package iimmpact

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/url"
	"strconv"
	"strings"
)

// SubproductQuery asks GET /v2/subproducts for one product's sub-products.
// The endpoint is deprecated in favour of Options; it is here for
// integrations that still follow IIMMPACT's walkthrough.
type SubproductQuery struct {
	ProductCode   string // required, e.g. "JOMPAY", "HI", "PTPTN"
	AccountNumber string // required by mobile data and PTPTN
	Limit         int    // JOMPAY only; 0 sends none, which means all
}

// Subproduct is one selectable item of a product: a data plan, a JomPAY
// biller, a PTPTN loan account. Its structure varies by product, so the
// whole object is kept in Raw.
type Subproduct struct {
	Code          string          `wire:"subproduct_code"` // what TopupRequest.Extras.SubproductCode takes
	DisplayName   string          `wire:"display_name"`
	Description   string          `wire:"description"`
	Denomination  Amount          `wire:"denomination,with=setOptAmountValue"` // zero when absent or null
	FaceValue     Amount          `wire:"face_value,with=setOptAmountValue"`   // zero when absent or null
	Min           Amount          `wire:"min,with=setOptAmountValue"`          // open-amount bounds, sent as strings; zero when absent, null or ""
	Max           Amount          `wire:"max,with=setOptAmountValue"`
	Validity      string          `wire:"validity"`
	AccountNumber string          `wire:"account_number"`
	Raw           json.RawMessage `wire:",raw"` // the item as sent
}

// SubproductPage is one answer of GET /v2/subproducts.
type SubproductPage struct {
	Message string // e.g. "success"
	Items   []Subproduct
	// Next is links.next: the path of the next page (JomPAY's biller list
	// is paged), or "" on the last page. Pass it to SubproductsNext.
	Next string
}

type subproductsBody struct {
	Message string        `wire:"message"`
	Data    *[]Subproduct `wire:"data"`
	Links   PageLinks     `wire:"links"`
}

func (b *subproductsBody) check() error { return checkData(b.Data) }

// Subproducts returns the sub-products of one product (deprecated: prefer
// Options, which IIMMPACT maintains and pages properly).
func (c *Client) Subproducts(ctx context.Context, q SubproductQuery) (*SubproductPage, error) {
	if q.ProductCode == "" {
		return nil, fmt.Errorf("%w: subproducts need a product code", ErrInvalidRequest)
	}
	if q.Limit < 0 {
		return nil, fmt.Errorf("%w: negative limit", ErrInvalidRequest)
	}
	v := url.Values{"product_code": {q.ProductCode}}
	if q.AccountNumber != "" {
		v.Set("account_number", q.AccountNumber)
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	return c.subproducts(ctx, v)
}

// SubproductsNext follows a SubproductPage.Next link. The link's host, if
// any, is ignored: the request goes to the client's own base URL, signed,
// with the link's query; a link to any other path is refused.
func (c *Client) SubproductsNext(ctx context.Context, next string) (*SubproductPage, error) {
	u, err := url.Parse(next)
	if err != nil || next == "" {
		return nil, fmt.Errorf("%w: subproducts next link %q is not a URL", ErrInvalidRequest, next)
	}
	if p := strings.TrimSuffix(u.Path, "/"); p != "/v2/subproducts" && p != "v2/subproducts" {
		return nil, fmt.Errorf("%w: next link %q is not a /v2/subproducts page", ErrInvalidRequest, next)
	}
	v, err := url.ParseQuery(u.RawQuery)
	if err != nil || v.Get("product_code") == "" {
		return nil, fmt.Errorf("%w: next link %q has no product_code", ErrInvalidRequest, next)
	}
	return c.subproducts(ctx, v)
}

func (c *Client) subproducts(ctx context.Context, v url.Values) (*SubproductPage, error) {
	return fetch[SubproductPage, subproductsBody](ctx, c, getCall("/v2/subproducts", v))
}

func (b *subproductsBody) result() *SubproductPage {
	return &SubproductPage{Message: b.Message, Items: *b.Data, Next: b.Links.Next}
}

// AllSubproducts walks every page of a product's sub-products from q on,
// following links.next until a page has none. A link that brings back
// the page before it ends the walk with ErrPaginationStuck.
func (c *Client) AllSubproducts(ctx context.Context, q SubproductQuery) iter.Seq2[Subproduct, error] {
	return func(yield func(Subproduct, error) bool) {
		next := ""
		pages := paginate(ctx, c.maxPages, "subproducts", func(n int) (page[Subproduct], error) {
			var p *SubproductPage
			var err error
			if n == 0 {
				p, err = c.Subproducts(ctx, q)
			} else {
				p, err = c.SubproductsNext(ctx, next)
			}
			if err != nil {
				return page[Subproduct]{}, err
			}
			next = p.Next
			return page[Subproduct]{items: p.Items, last: p.Next == "",
				mark: markOf(p.Items, func(s *Subproduct) string { return s.Code })}, nil
		})
		pages(yield)
	}
}
