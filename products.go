package iimmpact

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/iimmpact-go/iimmpact/internal/wire"
)

// Product is one entry of the legacy product list (GET /v2/product-list).
type Product struct {
	Code             string // product_code: what Topup takes, e.g. "D"
	Name             string
	Status           string // "Active" or "Inactive"
	HasSubproduct    bool   // if true, a subproduct code goes in Extras
	Remarks          string // customer-facing instructions
	AccountLabel     string // e.g. "Mobile Number"
	AccountType      string // e.g. "phone_number"
	KeyboardType     string // e.g. "Numeric"
	Group            string // e.g. "Mobile Reload"
	Category         string // e.g. "Prepaid"
	ImageURL         string
	Currency         string // denomination_currency, e.g. "MYR"
	DenominationType string // denomination_data_type, e.g. "Integer"
	IsRefundable     bool   // eligible for a void request

	// Denominations are the amounts the product sells, parsed from the
	// comma-separated list; nil when the product takes any amount.
	Denominations []Amount
	// CommonDenominations are the amounts to offer first.
	CommonDenominations []Amount
	// DenominationText is the list as IIMMPACT sent it, kept because an
	// entry that is not a number (it has never been seen) cannot be parsed.
	DenominationText string
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

// UnmarshalJSON reads the documented shape.
func (p *Product) UnmarshalJSON(data []byte) error {
	var w struct {
		Status           wire.String `json:"status"`
		HasSubproduct    wire.Bool   `json:"has_subproduct"`
		Code             wire.String `json:"product_code"`
		Name             wire.String `json:"product_name"`
		Remarks          wire.String `json:"product_remarks"`
		AccountLabel     wire.String `json:"account_label"`
		KeyboardType     wire.String `json:"keyboard_type"`
		Denomination     wire.String `json:"denomination"`
		Common           wire.String `json:"common_denominations"`
		DenominationType wire.String `json:"denomination_data_type"`
		Currency         wire.String `json:"denomination_currency"`
		Group            wire.String `json:"product_group"`
		Category         wire.String `json:"category"`
		ImageURL         wire.String `json:"image_url"`
		AccountType      wire.String `json:"account_type"`
		IsRefundable     wire.Bool   `json:"is_refundable"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*p = Product{
		Code: string(w.Code), Name: string(w.Name), Status: string(w.Status),
		HasSubproduct: bool(w.HasSubproduct), Remarks: string(w.Remarks),
		AccountLabel: string(w.AccountLabel), AccountType: string(w.AccountType),
		KeyboardType: string(w.KeyboardType), Group: string(w.Group), Category: string(w.Category),
		ImageURL: string(w.ImageURL), Currency: string(w.Currency),
		DenominationType: string(w.DenominationType), IsRefundable: bool(w.IsRefundable),
		DenominationText: string(w.Denomination),
	}
	p.Denominations = parseAmountList(p.DenominationText)
	p.CommonDenominations = parseAmountList(string(w.Common))
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
	env, err := get[[]Product](ctx, c, "/v2/product-list", nil)
	if err != nil {
		return nil, err
	}
	return *env.Data, nil
}
