package iimmpact

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Extras are the product-specific fields of a payment, "additional
// parameters required by specific products" in IIMMPACT's topup reference.
// The four documented keys have fields; any other key a product's catalog
// fulfillment names goes in Other (the set of keys is not closed: IIMMPACT
// says the catalog schema may evolve). Values are strings, as all four
// documented keys are.
type Extras struct {
	SubproductCode string // subproduct_code: PTPTN, mobile data (from Options)
	ICNumber       string // ic_number: JomPAY payee or PTPTN recipient, IC without dashes or passport
	BillerCode     string // biller_code: JomPAY
	Ref2           string // ref2: JomPAY Ref-2, optional
	// Other holds keys beyond the four above, e.g. from a catalog
	// fulfillment. A key of the four may not appear here.
	Other map[string]string
}

// The documented extras keys.
const (
	ExtraSubproductCode = "subproduct_code"
	ExtraICNumber       = "ic_number"
	ExtraBillerCode     = "biller_code"
	ExtraRef2           = "ref2"
)

// extraKeys are the documented keys, each with its field (named).
var extraKeys = [...]string{ExtraSubproductCode, ExtraICNumber, ExtraBillerCode, ExtraRef2}

// named is key's field, or nil when key is not one of the four.
func (e *Extras) named(key string) *string {
	switch key {
	case ExtraSubproductCode:
		return &e.SubproductCode
	case ExtraICNumber:
		return &e.ICNumber
	case ExtraBillerCode:
		return &e.BillerCode
	case ExtraRef2:
		return &e.Ref2
	}
	return nil
}

// Get returns the value of key, documented or not; "" when unset.
func (e *Extras) Get(key string) string {
	if e == nil {
		return ""
	}
	if p := e.named(key); p != nil {
		return *p
	}
	return e.Other[key]
}

// Set sets key, in its field when it is one of the four documented keys,
// else in Other.
func (e *Extras) Set(key, value string) {
	if p := e.named(key); p != nil {
		*p = value
		return
	}
	if e.Other == nil {
		e.Other = map[string]string{}
	}
	e.Other[key] = value
}

// values is every non-empty key, documented or not.
func (e *Extras) values() map[string]string {
	out := map[string]string{}
	for k, v := range e.Other {
		if v != "" {
			out[k] = v
		}
	}
	for _, k := range extraKeys {
		if p := e.named(k); *p != "" {
			out[k] = *p
		}
	}
	return out
}

// MarshalJSON writes the non-empty keys in sorted order ({} when none).
func (e Extras) MarshalJSON() ([]byte, error) {
	if err := e.check(); err != nil {
		return nil, err
	}
	return json.Marshal(e.values())
}

// UnmarshalJSON reads what MarshalJSON writes, so a stored request (a
// payments store's write-ahead record, say) comes back with every key: a
// lost biller_code or ic_number would make a re-sent refid a different
// request.
func (e *Extras) UnmarshalJSON(b []byte) error {
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("iimmpact: extras: %w", err)
	}
	*e = Extras{}
	for k, v := range m {
		e.Set(k, v)
	}
	return nil
}

func (e *Extras) check() error {
	for k := range e.Other {
		if e.named(k) != nil {
			return fmt.Errorf("%w: extras key %q belongs in its field, not Other", ErrInvalidRequest, k)
		}
		if k == "" {
			return fmt.Errorf("%w: extras has an empty key", ErrInvalidRequest)
		}
	}
	return nil
}

// String hides the IC number and every value of Other (whose meaning the
// SDK does not know), keeping the keys.
func (e Extras) String() string {
	ic := ""
	if e.ICNumber != "" {
		ic = "[redacted]"
	}
	s := fmt.Sprintf("{SubproductCode:%s ICNumber:%s BillerCode:%s Ref2:%s", e.SubproductCode, ic, e.BillerCode, e.Ref2)
	if len(e.Other) > 0 {
		s += " Other:[" + strings.Join(slices.Sorted(maps.Keys(e.Other)), " ") + "]"
	}
	return s + "}"
}

// GoString hides the IC number from %#v.
func (e Extras) GoString() string { return "iimmpact.Extras" + e.String() }

// MissingExtrasError is a payment refused before the network because its
// product needs extras it lacks. It matches ErrInvalidRequest.
type MissingExtrasError struct {
	Product string
	Keys    []string // the missing keys, e.g. ["biller_code", "ic_number"]
}

func (e *MissingExtrasError) Error() string {
	return fmt.Sprintf("iimmpact: invalid request: product %s needs extras %s", e.Product, strings.Join(e.Keys, ", "))
}

// Is makes errors.Is(err, ErrInvalidRequest) true.
func (e *MissingExtrasError) Is(target error) bool { return target == ErrInvalidRequest }

// RequiredExtras returns the extras keys IIMMPACT's payment integration
// guide marks mandatory for a product code: JOMPAY biller_code and
// ic_number, PTPTN subproduct_code and ic_number. Mobile data needs
// subproduct_code too, but mobile-data products have many codes and the
// guide names none; the catalog builder (CatalogProduct.BuildTopup)
// enforces it from the product's required fields instead.
func RequiredExtras(product string) []string {
	switch strings.ToUpper(product) {
	case "JOMPAY":
		return []string{ExtraBillerCode, ExtraICNumber}
	case "PTPTN":
		return []string{ExtraSubproductCode, ExtraICNumber}
	}
	return nil
}

// checkExtras refuses a malformed Other key, and a request missing
// a product's mandatory extras.
func (r *TopupRequest) checkExtras() error {
	if r.Extras != nil {
		if err := r.Extras.check(); err != nil {
			return err
		}
	}
	var missing []string
	for _, k := range RequiredExtras(r.Product) {
		if r.Extras.Get(k) == "" {
			missing = append(missing, k)
		}
	}
	if missing != nil {
		return &MissingExtrasError{Product: r.Product, Keys: missing}
	}
	return nil
}
