package iimmpact

import (
	"encoding/json"
	"strings"

	"github.com/iimmpact-go/iimmpact/internal/wire"
)

// IIMMPACT documents that a catalog product carries "fields" (its purchase
// form: inputs, amounts and selections, with validation and options) and a
// "fulfillment" ("a clear declaration of how fields map to payment
// requests"), but not their schemas. The types below read the schema the
// SDK infers (and iimmpacttest serves); every key beyond a field's "id" and
// "type" is inferred. Parsing is lenient: a key of an unexpected shape is
// left at its zero value, never an error, and each object keeps its Raw
// JSON, so a catalog whose real schema differs still loads.

// Field types the SDK understands (inferred). Others are passed through and
// checked only for presence.
const (
	FieldText   = "text"
	FieldNumber = "number"
	FieldAmount = "amount"
	FieldSelect = "select"
)

// CatalogField is one input of a product's purchase form.
type CatalogField struct {
	ID       string // documented: the id /v2/options takes as field_id
	Type     string // documented in name only; e.g. "text", "select", "amount"
	Label    string
	Required bool
	// Validation holds the field's rules; its zero value checks nothing.
	Validation FieldValidation
	// Options are a static select's choices; a select without them is
	// filled from Options (OptionsSource "api"), after DependsOn fields.
	Options       []FieldOption
	OptionsSource string
	DependsOn     []string
	Raw           json.RawMessage
}

// FieldValidation is a field's rules (all inferred key names: pattern,
// min_length, max_length, min, max, decimals).
type FieldValidation struct {
	Pattern              string // a regular expression (RE2) the whole value must match
	MinLength, MaxLength int    // in characters; 0 is no limit
	Min, Max             *Amount
	Decimals             *int // most decimal places of an amount
}

// FieldOption is one choice of a static select.
type FieldOption struct {
	Value string
	Label string
}

// UnmarshalJSON reads what it recognises and keeps the field in Raw.
func (f *CatalogField) UnmarshalJSON(b []byte) error {
	var w map[string]json.RawMessage
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*f = CatalogField{Raw: append(json.RawMessage(nil), b...)}
	f.ID, f.Type, f.Label = lenientString(w["id"]), lenientString(w["type"]), lenientString(w["label"])
	f.OptionsSource = lenientString(w["options_source"])
	var req wire.Bool
	if json.Unmarshal(w["required"], &req) == nil {
		f.Required = bool(req)
	}
	var v struct {
		Pattern   wire.String `json:"pattern"`
		MinLength wire.Int    `json:"min_length"`
		MaxLength wire.Int    `json:"max_length"`
		Min       *Amount     `json:"min"`
		Max       *Amount     `json:"max"`
		Decimals  *wire.Int   `json:"decimals"`
	}
	if json.Unmarshal(w["validation"], &v) == nil {
		f.Validation = FieldValidation{Pattern: string(v.Pattern), MinLength: int(v.MinLength), MaxLength: int(v.MaxLength),
			Min: v.Min, Max: v.Max}
		if v.Decimals != nil {
			d := int(*v.Decimals)
			f.Validation.Decimals = &d
		}
	}
	var opts []struct {
		Value wire.String `json:"value"`
		Label wire.String `json:"label"`
	}
	if json.Unmarshal(w["options"], &opts) == nil {
		for _, o := range opts {
			f.Options = append(f.Options, FieldOption{Value: string(o.Value), Label: string(o.Label)})
		}
	}
	var deps []wire.String
	if json.Unmarshal(w["depends_on"], &deps) == nil {
		for _, d := range deps {
			f.DependsOn = append(f.DependsOn, string(d))
		}
	}
	return nil
}

// lenientString reads a JSON string or number; anything else is "".
func lenientString(raw json.RawMessage) string {
	var s wire.String
	if len(raw) == 0 || json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return string(s)
}

// Fulfillment says how a product's field values become a TopupRequest.
// Each entry is a template: "{{field_id}}" is replaced by that field's
// value, a bare field id stands for the field too, and anything else is a
// literal (the product code, say). The template syntax is inferred.
type Fulfillment struct {
	Product string            // e.g. "JOMPAY"; empty means the catalog product's code
	Account string            // e.g. "{{account}}"
	Amount  string            // e.g. "{{amount}}"
	Remarks string            // usually empty
	Extras  map[string]string // extras key -> template, e.g. "biller_code" -> "{{biller}}"
	Raw     json.RawMessage
}

// UnmarshalJSON reads the mapping. Extras may be a nested "extras" object
// or dotted keys ("extras.biller_code"); both are accepted since neither
// is documented.
func (f *Fulfillment) UnmarshalJSON(b []byte) error {
	var w map[string]json.RawMessage
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*f = Fulfillment{Raw: append(json.RawMessage(nil), b...)}
	f.Product, f.Account = lenientString(w["product"]), lenientString(w["account"])
	f.Amount, f.Remarks = lenientString(w["amount"]), lenientString(w["remarks"])
	var nested map[string]json.RawMessage
	if json.Unmarshal(w["extras"], &nested) == nil {
		for k, v := range nested {
			f.setExtra(k, lenientString(v))
		}
	}
	for k, v := range w {
		if key, ok := strings.CutPrefix(k, "extras."); ok {
			f.setExtra(key, lenientString(v))
		}
	}
	return nil
}

func (f *Fulfillment) setExtra(key, tmpl string) {
	if key == "" || tmpl == "" {
		return
	}
	if f.Extras == nil {
		f.Extras = map[string]string{}
	}
	f.Extras[key] = tmpl
}

// Pricing is a product's pricing rule. The docs' one example is
// {"model":"percentage_discount","discount_rate":1.5}.
type Pricing struct {
	Model        string
	DiscountRate *Amount // percent, for percentage_discount
	Raw          json.RawMessage
}

// UnmarshalJSON reads the documented example's keys and keeps the rest in Raw.
func (p *Pricing) UnmarshalJSON(b []byte) error {
	var w map[string]json.RawMessage
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*p = Pricing{Model: lenientString(w["model"]), Raw: append(json.RawMessage(nil), b...)}
	var rate Amount
	if raw, ok := w["discount_rate"]; ok && json.Unmarshal(raw, &rate) == nil {
		p.DiscountRate = &rate
	}
	return nil
}
