package iimmpact

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/iimmpact-go/iimmpact/internal/wire"
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
	Code          string // subproduct_code: what TopupRequest.Extras.SubproductCode takes
	DisplayName   string
	Description   string
	Denomination  Amount // zero when absent or null
	FaceValue     Amount // zero when absent or null
	Min, Max      Amount // open-amount bounds, sent as strings; zero when absent, null or ""
	Validity      string
	AccountNumber string
	Raw           json.RawMessage // the item as sent
}

// UnmarshalJSON reads the documented fields and keeps the rest in Raw.
func (s *Subproduct) UnmarshalJSON(b []byte) error {
	var w struct {
		Code          wire.String `json:"subproduct_code"`
		DisplayName   wire.String `json:"display_name"`
		Description   wire.String `json:"description"`
		Denomination  optAmount   `json:"denomination"`
		FaceValue     optAmount   `json:"face_value"`
		Min           optAmount   `json:"min"`
		Max           optAmount   `json:"max"`
		Validity      wire.String `json:"validity"`
		AccountNumber wire.String `json:"account_number"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*s = Subproduct{Code: string(w.Code), DisplayName: string(w.DisplayName), Description: string(w.Description),
		Denomination: w.Denomination.value(), FaceValue: w.FaceValue.value(), Min: w.Min.value(), Max: w.Max.value(),
		Validity:      string(w.Validity),
		AccountNumber: string(w.AccountNumber), Raw: append(json.RawMessage(nil), b...)}
	return nil
}

// SubproductList is one answer of GET /v2/subproducts.
type SubproductList struct {
	Message string // e.g. "success"
	Items   []Subproduct
	// Next is links.next: the path of the next page (JomPAY's biller list
	// is paged), or "" on the last page. Pass it to SubproductsNext.
	Next string
}

type subproductsBody struct {
	Message wire.String   `json:"message"`
	Data    *[]Subproduct `json:"data"`
	Links   struct {
		Next wire.String `json:"next"`
	} `json:"links"`
}

func (b *subproductsBody) check() error {
	if b.Data == nil {
		return errNoData
	}
	return nil
}

// Subproducts returns the sub-products of one product (deprecated: prefer
// Options, which IIMMPACT maintains and pages properly).
func (c *Client) Subproducts(ctx context.Context, q SubproductQuery) (*SubproductList, error) {
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

// SubproductsNext follows a SubproductList.Next link. The link's host, if
// any, is ignored: the request goes to the client's own base URL, signed,
// with the link's query; a link to any other path is refused.
func (c *Client) SubproductsNext(ctx context.Context, next string) (*SubproductList, error) {
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

func (c *Client) subproducts(ctx context.Context, v url.Values) (*SubproductList, error) {
	body, err := do[subproductsBody](ctx, c, call{method: http.MethodGet, path: "/v2/subproducts", query: v})
	if err != nil {
		return nil, err
	}
	return &SubproductList{Message: string(body.Message), Items: *body.Data, Next: string(body.Links.Next)}, nil
}
