package iimmpacttest

import (
	"net/http"
)

// IIMMPACT documents that a catalog product declares its form ("fields",
// with validation and options) and how the fields map onto the payment
// request ("fulfillment"), but not their schemas. The fake's schema below
// is its own inference, shared with the SDK's CatalogField and
// Fulfillment types:
//
//	field:       {"id","type":"text"|"select"|"amount","label","required",
//	              "validation":{"pattern","min_length","max_length","min","max","decimals"},
//	              "options":[{"value","label"}]   (a static select)
//	              "options_source":"api"          (a select filled from /v2/options)
//	              "depends_on":["account"]}       (fields /v2/options needs first)
//	fulfillment: {"product":"JOMPAY","account":"{{account}}","amount":"{{amount}}",
//	              "extras":{"biller_code":"{{biller}}","ic_number":"{{ic_number}}"}}

type catalogField struct {
	ID            string         `json:"id"`
	Type          string         `json:"type"`
	Label         string         `json:"label"`
	Required      bool           `json:"required"`
	Validation    *fieldRules    `json:"validation,omitempty"`
	Options       []staticOption `json:"options,omitempty"`
	OptionsSource string         `json:"options_source,omitempty"`
	DependsOn     []string       `json:"depends_on,omitempty"`
}

type fieldRules struct {
	Pattern   string `json:"pattern,omitempty"`
	MinLength int    `json:"min_length,omitempty"`
	MaxLength int    `json:"max_length,omitempty"`
	Min       string `json:"min,omitempty"`
	Max       string `json:"max,omitempty"`
	Decimals  *int   `json:"decimals,omitempty"`
}

type staticOption struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

// phonePattern is validPhone as a regular expression.
const phonePattern = `^(01[0-9]{8,10}|601[0-9]{7,9})$`

func textField(id, label string, required bool, rules *fieldRules) catalogField {
	return catalogField{ID: id, Type: "text", Label: label, Required: required, Validation: rules}
}

func apiSelect(id, label string, dependsOn ...string) catalogField {
	return catalogField{ID: id, Type: "select", Label: label, Required: true, OptionsSource: "api", DependsOn: dependsOn}
}

// fieldsFor is p's form, account first and amount last.
func fieldsFor(p *product) []catalogField {
	l := p.listing
	var account *fieldRules
	switch {
	case p.phoneAccount:
		account = &fieldRules{Pattern: phonePattern, MinLength: 10, MaxLength: 12}
	case p.loanAccounts:
		account = &fieldRules{Pattern: `^[0-9]{12}$`, MinLength: 12, MaxLength: 12}
	}
	fields := []catalogField{textField("account", l.AccountLabel, true, account)}
	switch {
	case p.billers != nil:
		fields = append(fields, apiSelect("biller", "Biller"),
			textField("ic_number", "Payer IC or Passport Number", true, &fieldRules{Pattern: `^[A-Za-z0-9]{6,20}$`}),
			textField("ref2", "Ref-2", false, nil))
	case p.loanAccounts:
		fields = append(fields, apiSelect("loan_account", "Loan Account", "account"))
	case p.plans != nil:
		fields = append(fields, apiSelect("plan", "Plan", "account"))
	}
	return append(fields, amountField(p))
}

func amountField(p *product) catalogField {
	f := catalogField{ID: "amount", Type: "amount", Label: "Amount", Required: true}
	switch {
	case p.denominations != nil:
		f.Type = "select"
		for _, d := range p.denominations {
			f.Options = append(f.Options, staticOption{Value: d.String(), Label: "RM " + d.String()})
		}
	case p.plans == nil:
		decimals := 2
		if p.integerOnly {
			decimals = 0
		}
		f.Validation = &fieldRules{Min: p.minAmount.fixed2(), Max: p.maxAmount.fixed2(), Decimals: &decimals}
	}
	return f
}

// fulfillmentFor maps p's fields onto the /v2/topup body.
func fulfillmentFor(p *product) map[string]any {
	f := map[string]any{"product": p.listing.ProductCode, "account": "{{account}}", "amount": "{{amount}}"}
	switch {
	case p.billers != nil:
		f["extras"] = map[string]string{"biller_code": "{{biller}}", "ic_number": "{{ic_number}}", "ref2": "{{ref2}}"}
	case p.loanAccounts:
		f["extras"] = map[string]string{"subproduct_code": "{{loan_account}}", "ic_number": "{{account}}"}
	case p.plans != nil:
		f["extras"] = map[string]string{"subproduct_code": "{{plan}}"}
	}
	return f
}

// optionItemsFor answers /v2/options for one of p's select fields, or an
// error response. Plans and loan accounts need account_number, as
// IIMMPACT's migration guide shows for HI and PTPTN.
func optionItemsFor(p *product, field, accountNumber string) ([]optionItem, *response) {
	code := p.listing.ProductCode
	needAccount := func() *response {
		r := errorResponse(http.StatusBadRequest, "invalid_parameter", "account_number is required for "+code+" "+field)
		return &r
	}
	var items []optionItem
	switch {
	case field == "amount" && p.denominations != nil:
		for _, d := range p.denominations {
			items = append(items, optionItem{Code: optionCode(p, d), Label: "RM " + d.String(),
				Description: p.listing.ProductName + " RM " + d.String(), Price: myr(d), Cost: myr(p.cost(d))})
		}
	case field == "plan" && p.plans != nil:
		if accountNumber == "" {
			return nil, needAccount()
		}
		for _, pl := range p.plans {
			items = append(items, optionItem{Code: pl.code, Label: pl.label, Description: p.listing.ProductName + " " + pl.label,
				Price: myr(pl.price), Cost: myr(p.cost(pl.price)), Validity: pl.validity, AccountNumber: accountNumber})
		}
	case field == "biller" && p.billers != nil:
		for _, b := range p.billers {
			items = append(items, optionItem{Code: b.code, Label: b.name, Description: "JomPAY biller " + b.code})
		}
	case field == "loan_account" && p.loanAccounts:
		if accountNumber == "" {
			return nil, needAccount()
		}
		la := loanAccount(accountNumber)
		items = append(items, optionItem{Code: la, Label: "Loan " + la, Description: "PTPTN loan account", AccountNumber: accountNumber})
	default:
		r := errorResponse(http.StatusBadRequest, "invalid_field", "Product "+code+" has no select field "+field)
		return nil, &r
	}
	return items, nil
}

// subproductsFor answers the legacy /v2/subproducts for p.
func subproductsFor(p *product, accountNumber string) ([]subproduct, *response) {
	code := p.listing.ProductCode
	if (p.plans != nil || p.loanAccounts) && accountNumber == "" {
		r := errorResponse(http.StatusBadRequest, "invalid_parameter", "account_number is required for "+code)
		return nil, &r
	}
	var all []subproduct
	switch {
	case p.plans != nil:
		for _, pl := range p.plans {
			price, validity := pl.price, pl.validity
			all = append(all, subproduct{Code: pl.code, DisplayName: pl.label, Denomination: &price, FaceValue: &price,
				Validity: &validity, Description: p.listing.ProductName, AccountNumber: &accountNumber})
		}
	case p.billers != nil:
		for _, b := range p.billers {
			all = append(all, subproduct{Code: b.code, DisplayName: b.name, Description: "JomPAY biller " + b.code,
				Min: p.minAmount.fixed2(), Max: p.maxAmount.fixed2()})
		}
	case p.loanAccounts:
		la := loanAccount(accountNumber)
		all = append(all, subproduct{Code: la, DisplayName: "Loan " + la, Description: "PTPTN loan account",
			AccountNumber: &accountNumber, Min: p.minAmount.fixed2(), Max: p.maxAmount.fixed2()})
	case p.denominations == nil:
		all = []subproduct{{Code: code, DisplayName: p.listing.ProductName, Description: p.listing.ProductRemarks,
			Min: p.minAmount.fixed2(), Max: p.maxAmount.fixed2()}}
	}
	for _, d := range p.denominations {
		all = append(all, subproduct{Code: optionCode(p, d), DisplayName: "RM " + d.String(), Denomination: &d, FaceValue: &d,
			Description: p.listing.ProductName + " RM " + d.String()})
	}
	return all, nil
}
