package iimmpact

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// TopupForm is a customer's answers to a catalog product's form, for
// CatalogProduct.BuildTopup.
type TopupForm struct {
	RefID   string
	Remarks string
	// Values maps a field id to the customer's value, as typed: "30" for
	// an amount, an option's code or value for a select.
	Values map[string]string
	// Options are the items fetched with Client.Options for selects filled
	// from the API, keyed by field id. When given, the chosen value must be
	// one of their codes, and an item with a price fixes the amount. They
	// are optional: without them such a select is checked for presence only.
	Options map[string][]OptionItem
}

// CatalogFieldError is a form value refused before the network. It never
// quotes the value (it may be an IC number). It matches ErrInvalidRequest.
type CatalogFieldError struct {
	Product string
	Field   string // the field id
	Reason  string // e.g. "is required", "does not match the field's pattern"
}

func (e *CatalogFieldError) Error() string {
	return fmt.Sprintf("iimmpact: invalid request: product %s field %q %s", e.Product, e.Field, e.Reason)
}

// Is makes errors.Is(err, ErrInvalidRequest) true.
func (e *CatalogFieldError) Is(target error) bool { return target == ErrInvalidRequest }

// BuildTopup builds the payment for this product from a customer's
// answers: it checks every field (present when required, of its type, in
// its format and length, one of its options or denominations), then maps
// the values through the product's fulfillment into a TopupRequest, and
// validates that (mandatory extras included). It sends nothing. Send the
// result with Client.Topup; keep it to poll with the identical request.
func (p CatalogProduct) BuildTopup(f TopupForm) (TopupRequest, error) {
	if p.Fulfillment == nil {
		return TopupRequest{}, fmt.Errorf("%w: product %s has no fulfillment to build a payment from", ErrInvalidRequest, p.Code)
	}
	known := map[string]bool{}
	var price *Amount // fixed by a chosen option, if any
	for _, fld := range p.Fields {
		known[fld.ID] = true
		chosen, err := p.checkField(fld, f)
		if err != nil {
			return TopupRequest{}, err
		}
		if chosen != nil && chosen.Price != nil {
			price = &chosen.Price.Amount
		}
	}
	for id := range f.Values {
		if !known[id] {
			return TopupRequest{}, &CatalogFieldError{Product: p.Code, Field: id, Reason: "is not a field of this product"}
		}
	}
	req, err := p.fulfil(f)
	if err != nil {
		return TopupRequest{}, err
	}
	if price != nil && req.Amount != *price {
		return TopupRequest{}, fmt.Errorf("%w: product %s: amount %s is not the chosen option's price %s",
			ErrInvalidRequest, p.Code, req.Amount, price)
	}
	return req, req.Validate()
}

// checkField checks one field's value and returns the option item chosen
// for it, if the caller supplied items.
func (p CatalogProduct) checkField(fld CatalogField, f TopupForm) (*OptionItem, error) {
	v := f.Values[fld.ID]
	bad := func(reason string, args ...any) error {
		return &CatalogFieldError{Product: p.Code, Field: fld.ID, Reason: fmt.Sprintf(reason, args...)}
	}
	if v == "" {
		if fld.Required {
			return nil, bad("is required")
		}
		return nil, nil
	}
	var rules FieldValidation // a field without validation checks nothing
	if fld.Validation != nil {
		rules = *fld.Validation
	}
	if n := utf8.RuneCountInString(v); (rules.MinLength > 0 && n < rules.MinLength) || (rules.MaxLength > 0 && n > rules.MaxLength) {
		return nil, bad("must be %d to %d characters long", rules.MinLength, rules.MaxLength)
	}
	if rules.Pattern != "" {
		re, err := regexp.Compile(rules.Pattern)
		if err != nil {
			return nil, bad("has a pattern that does not compile: %v", err)
		}
		if !re.MatchString(v) {
			return nil, bad("does not match the field's pattern")
		}
	}
	if fld.Type == FieldAmount || fld.Type == FieldNumber {
		if err := checkAmountRules(v, rules); err != nil {
			return nil, bad("%s", err)
		}
	}
	if len(fld.Options) > 0 && !hasOption(fld.Options, v) {
		return nil, bad("is not one of its %d options", len(fld.Options))
	}
	if items, ok := f.Options[fld.ID]; ok {
		for i := range items {
			if items[i].Code == v {
				return &items[i], nil
			}
		}
		return nil, bad("is not one of the %d options fetched", len(items))
	}
	return nil, nil
}

func hasOption(opts []FieldOption, v string) bool {
	for _, o := range opts {
		if o.Value == v {
			return true
		}
	}
	return false
}

// checkAmountRules parses v strictly as a decimal and applies min, max and
// decimals.
func checkAmountRules(v string, rules FieldValidation) error {
	a, err := ParseAmount(v)
	if err != nil {
		return fmt.Errorf("is not a decimal amount")
	}
	switch {
	case rules.Min != nil && a.Cmp(*rules.Min) < 0:
		return fmt.Errorf("is below the minimum %s", rules.Min)
	case rules.Max != nil && a.Cmp(*rules.Max) > 0:
		return fmt.Errorf("is above the maximum %s", rules.Max)
	case rules.Decimals != nil && decimalPlaces(a) > *rules.Decimals:
		return fmt.Errorf("has more than %d decimal places", *rules.Decimals)
	}
	return nil
}

func decimalPlaces(a Amount) int {
	_, frac, ok := strings.Cut(a.String(), ".")
	if !ok {
		return 0
	}
	return len(frac)
}

// fulfil maps the form's values through the fulfillment templates.
func (p CatalogProduct) fulfil(f TopupForm) (TopupRequest, error) {
	ff := p.Fulfillment
	req := TopupRequest{RefID: f.RefID, Product: p.resolve(ff.Product, f.Values), Account: p.resolve(ff.Account, f.Values),
		Remarks: f.Remarks}
	if req.Product == "" {
		req.Product = p.Code
	}
	if r := p.resolve(ff.Remarks, f.Values); r != "" && req.Remarks == "" {
		req.Remarks = r
	}
	if s := p.resolve(ff.Amount, f.Values); s != "" {
		a, err := ParseAmount(s)
		if err != nil {
			return TopupRequest{}, fmt.Errorf("%w: product %s: the amount is not a decimal amount", ErrInvalidRequest, p.Code)
		}
		req.Amount = a
	}
	for key, tmpl := range ff.Extras {
		if v := p.resolve(tmpl, f.Values); v != "" {
			if req.Extras == nil {
				req.Extras = &Extras{}
			}
			req.Extras.Set(key, v)
		}
	}
	return req, nil
}

// resolve applies one template: "{{id}}" or a bare field id is that
// field's value; anything else is a literal.
func (p CatalogProduct) resolve(tmpl string, values map[string]string) string {
	t := strings.TrimSpace(tmpl)
	if id, ok := strings.CutPrefix(t, "{{"); ok {
		if id, ok = strings.CutSuffix(id, "}}"); ok {
			return values[strings.TrimSpace(id)]
		}
	}
	if _, ok := p.Field(t); ok {
		return values[t]
	}
	return tmpl
}
