package iimmpact

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"strconv"
)

// OptionsQuery asks GET /v2/options for the items of one catalog "select"
// field: the amounts of a reload, the plans of a data product, JomPAY's
// billers. It replaces SubproductQuery.
type OptionsQuery struct {
	ProductCode   string // required, e.g. "D", "HI", "JOMPAY"
	FieldID       string // required: the catalog field, e.g. "amount", "plan", "biller", "loan_account"
	AccountNumber string // required by dynamic fields (phone number, NRIC)
	BillerCode    string // JomPAY: only this biller
	Limit         int    // items per page; 0 is IIMMPACT's default (100), at most 1000
	Page          int    // from 1; 0 is the first page

	IsActive        *bool // static options only; nil sends no filter
	IncludeHidden   bool
	IncludeInactive bool
}

// maxOptionsLimit is the largest page the current docs allow (an older
// build said 500; the server is the judge of that).
const maxOptionsLimit = 1000

func (q *OptionsQuery) values() (url.Values, error) {
	if q.ProductCode == "" || q.FieldID == "" {
		return nil, fmt.Errorf("%w: options need a product code and a field id", ErrInvalidRequest)
	}
	if q.Limit < 0 || q.Limit > maxOptionsLimit || q.Page < 0 {
		return nil, fmt.Errorf("%w: options limit must be 0..%d and page not negative", ErrInvalidRequest, maxOptionsLimit)
	}
	v := url.Values{"product_code": {q.ProductCode}, "field_id": {q.FieldID}}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("account_number", q.AccountNumber)
	set("biller_code", q.BillerCode)
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	if q.Page > 0 {
		v.Set("page", strconv.Itoa(q.Page))
	}
	if q.IsActive != nil {
		v.Set("is_active", strconv.FormatBool(*q.IsActive))
	}
	if q.IncludeHidden {
		v.Set("include_hidden", "true")
	}
	if q.IncludeInactive {
		v.Set("include_inactive", "true")
	}
	return v, nil
}

// Money is an amount with its currency, IIMMPACT's catalog money object.
// The amount arrives as a string ("40.00") and is exact here.
type Money struct {
	Amount   Amount `wire:"amount"`
	Currency string `wire:"currency"` // "MYR"
}

// OptionValue is what an option gives the customer, in its own unit: 325
// "UC" of game credit, say. It is not money.
type OptionValue struct {
	Amount Amount `wire:"amount"`
	Unit   string `wire:"unit"`
}

// OptionItem is one selectable item. Which fields are present depends on
// the product; absent objects are nil. The docs' item list is longer than
// what is modelled, so the whole item is kept in Raw.
type OptionItem struct {
	Code          string          `wire:"code"`  // goes to TopupRequest.Extras.SubproductCode (was subproduct_code)
	Label         string          `wire:"label"` // was display_name
	Description   string          `wire:"description"`
	Value         *OptionValue    `wire:"value"`
	Price         *Money          `wire:"price"`      // what the customer pays
	Cost          *Money          `wire:"cost"`       // your cost: never show it to customers
	RRP           *Money          `wire:"rrp"`        // recommended retail price
	MinAmount     *Money          `wire:"min_amount"` // open-amount bounds
	MaxAmount     *Money          `wire:"max_amount"`
	Validity      string          `wire:"validity"` // e.g. "30 days"
	AccountNumber string          `wire:"account_number"`
	Raw           json.RawMessage `wire:",raw"`
}

// OptionsPage is one page of GET /v2/options. Unlike most endpoints its
// body has no "data" wrapper.
type OptionsPage struct {
	ProductCode string       `wire:"product_code"` // echoed
	FieldID     string       `wire:"field_id"`     // echoed
	Items       []OptionItem `wire:"items"`
	Meta        PageMeta     `wire:"meta"`
}

func (p *OptionsPage) check() error {
	if p.Items == nil {
		return errors.New(`no "items" in the body`)
	}
	return nil
}

// Options returns one page of a select field's items. Use AllOptions to
// walk every page.
func (c *Client) Options(ctx context.Context, q OptionsQuery) (*OptionsPage, error) {
	v, err := q.values()
	if err != nil {
		return nil, err
	}
	return do[OptionsPage](ctx, c, getCall("/v2/options", v))
}

// AllOptions walks every page of a select field from q.Page on, stopping
// after meta.last_page (or after the one page when IIMMPACT sends no
// meta). A server that answers another page than the one asked for, or
// repeats a page, ends the walk with ErrPaginationStuck.
func (c *Client) AllOptions(ctx context.Context, q OptionsQuery) iter.Seq2[OptionItem, error] {
	return numberedPages(ctx, c.maxPages, "options", q.Page, func(o *OptionItem) string { return o.Code },
		func(n int) ([]OptionItem, PageMeta, bool, error) {
			q.Page = n
			p, err := c.Options(ctx, q)
			if err != nil {
				return nil, PageMeta{}, false, err
			}
			return p.Items, p.Meta, p.Meta.LastPage == 0 || n >= p.Meta.LastPage, nil
		})
}
