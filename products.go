package iimmpact

import (
	"context"
	"strings"

	"github.com/iimmpact-go/iimmpact/internal/wire"
)

// Product is one entry of the legacy product list (GET /v2/product-list).
type Product struct {
	Code             string `wire:"product_code"` // what Topup takes, e.g. "D"
	Name             string `wire:"product_name"`
	Status           string `wire:"status"`          // "Active" or "Inactive"
	HasSubproduct    bool   `wire:"has_subproduct"`  // if true, a subproduct code goes in Extras
	Remarks          string `wire:"product_remarks"` // customer-facing instructions
	AccountLabel     string `wire:"account_label"`   // e.g. "Mobile Number"
	AccountType      string `wire:"account_type"`    // e.g. "phone_number"
	KeyboardType     string `wire:"keyboard_type"`   // e.g. "Numeric"
	Group            string `wire:"product_group"`   // e.g. "Mobile Reload"
	Category         string `wire:"category"`        // e.g. "Prepaid"
	ImageURL         string `wire:"image_url"`
	Currency         string `wire:"denomination_currency"`  // e.g. "MYR"
	DenominationType string `wire:"denomination_data_type"` // e.g. "Integer"
	IsRefundable     bool   `wire:"is_refundable"`          // eligible for a void request

	// Denominations are the amounts the product sells, parsed from the
	// comma-separated list; nil when the product takes any amount.
	Denominations []Amount
	// CommonDenominations are the amounts to offer first.
	CommonDenominations []Amount `wire:"common_denominations,with=setAmountList"`
	// DenominationText is the list as IIMMPACT sent it, kept because an
	// entry that is not a number (it has never been seen) cannot be parsed.
	DenominationText string `wire:"denomination"`
}

// Active reports whether the product may be offered; inactive ones must not be shown.
func (p Product) Active() bool { return strings.EqualFold(p.Status, "Active") }

// AcceptsAmount reports whether a is a positive amount the product sells:
// one of its Denominations, or any positive amount when it lists none.
// A list that could not be read accepts nothing.
func (p Product) AcceptsAmount(a Amount) bool {
	if a.Sign() <= 0 {
		return false
	}
	if p.Denominations == nil {
		return strings.TrimSpace(p.DenominationText) == ""
	}
	for _, d := range p.Denominations {
		if d == a {
			return true
		}
	}
	return false
}

// decoded derives the parsed list from the text as sent.
func (p *Product) decoded() error {
	p.Denominations = parseAmountList(p.DenominationText)
	return nil
}

// setAmountList reads a comma-separated list of amounts sent as one string.
func setAmountList(p *[]Amount, b []byte) error {
	var s string
	if err := wire.SetString(&s, b); err != nil {
		return err
	}
	*p = parseAmountList(s)
	return nil
}

// parseAmountList reads "5,10,15"; nil if it is empty or any entry is not
// an amount (one odd product must not break the whole list).
func parseAmountList(s string) []Amount {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	out := make([]Amount, 0, len(parts))
	for _, f := range parts {
		a, err := parseServerAmount(strings.TrimSpace(f))
		if err != nil {
			return nil
		}
		out = append(out, a)
	}
	return out
}

// Products returns the legacy product list. IIMMPACT recommends the catalog
// for new integrations; this list is what its walkthrough uses.
func (c *Client) Products(ctx context.Context) ([]Product, error) {
	list, err := unwrap[[]Product](ctx, c, getCall("/v2/product-list", nil))
	if err != nil {
		return nil, err
	}
	return *list, nil
}
