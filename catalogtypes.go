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
// left at its zero value, never an error, so a catalog whose real schema
// differs still loads. Keys the SDK does not type are not kept (a catalog
// is large), except a pricing rule's (Pricing.Other).

// Field types the SDK understands (inferred). Others are passed through and
// checked only for presence.
const (
	FieldText   = "text"
	FieldNumber = "number"
	FieldAmount = "amount"
	FieldSelect = "select"
)

// CatalogField is one input of a product's purchase form. Every key is
// read leniently: one of an unexpected shape is left at its zero value.
type CatalogField struct {
	ID       string `wire:"id,lenient,intern"`   // documented: the id /v2/options takes as field_id
	Type     string `wire:"type,lenient,intern"` // documented in name only; e.g. "text", "select", "amount"
	Label    string `wire:"label,lenient,intern"`
	Required bool   `wire:"required,lenient"`
	// Validation holds the field's rules; its zero value checks nothing.
	Validation *FieldValidation `wire:"validation,lenient"`
	// Options are a static select's choices; a select without them is
	// filled from Options (OptionsSource "api"), after DependsOn fields.
	Options       []FieldOption `wire:"options,lenient"`
	OptionsSource string        `wire:"options_source,lenient,intern"`
	DependsOn     []string      `wire:"depends_on,lenient"`
}

// FieldValidation is a field's rules (all inferred key names).
type FieldValidation struct {
	Pattern   string  `wire:"pattern,intern"` // a regular expression (RE2) the whole value must match
	MinLength int     `wire:"min_length"`     // in characters; 0 is no limit
	MaxLength int     `wire:"max_length"`
	Min       *Amount `wire:"min"`
	Max       *Amount `wire:"max"`
	Decimals  *int    `wire:"decimals"` // most decimal places of an amount
}

// FieldOption is one choice of a static select.
type FieldOption struct {
	Value string `wire:"value,intern"`
	Label string `wire:"label,intern"`
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
}

// UnmarshalJSON reads the mapping. Extras may be a nested "extras" object
// or dotted keys ("extras.biller_code"); both are accepted since neither
// is documented. Every key is read leniently.
func (f *Fulfillment) UnmarshalJSON(b []byte) error {
	return wire.Decode(b, f, (*Fulfillment).decodeWire)
}

// decodeWire is written by hand: the dotted keys are not fixed names.
func (f *Fulfillment) decodeWire(d *wire.Decoder) error {
	*f = Fulfillment{}
	for m := d.Object(); m.Next(); {
		var err error
		switch key := string(m.Key()); key {
		case "product":
			err = lenientString(d, &f.Product)
		case "account":
			err = lenientString(d, &f.Account)
		case "amount":
			err = lenientString(d, &f.Amount)
		case "remarks":
			err = lenientString(d, &f.Remarks)
		case "extras":
			var nested Fulfillment
			err = wire.Lenient(d, &nested, (*Fulfillment).decodeExtras)
			for k, v := range nested.Extras {
				f.setExtra(k, v)
			}
		default:
			k, isExtra := strings.CutPrefix(key, "extras.")
			err = f.decodeExtra(d, k, isExtra)
		}
		if err != nil {
			return err
		}
	}
	return d.Err()
}

// decodeExtras reads the nested "extras" object.
func (f *Fulfillment) decodeExtras(d *wire.Decoder) error {
	for m := d.Object(); m.Next(); {
		if err := f.decodeExtra(d, string(m.Key()), true); err != nil {
			return err
		}
	}
	return d.Err()
}

// decodeExtra reads one extras template, or skips a key that is not one.
func (f *Fulfillment) decodeExtra(d *wire.Decoder, key string, isExtra bool) error {
	if !isExtra {
		return d.Skip()
	}
	var tmpl string
	if err := lenientString(d, &tmpl); err != nil {
		return err
	}
	f.setExtra(key, tmpl)
	return nil
}

// lenientString reads a JSON string or number; anything else is "". A
// template repeats across products ("{{account}}"): it is interned.
func lenientString(d *wire.Decoder, p *string) error {
	return wire.Lenient(d, p, func(p *string, d *wire.Decoder) error { return wire.Interned(d, p) })
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
	// Other holds the keys not typed above, as sent; nil when there are
	// none (the usual case), so only a rule of another model costs more.
	Other map[string]json.RawMessage
}

// UnmarshalJSON reads the rule; model and discount_rate leniently.
func (p *Pricing) UnmarshalJSON(b []byte) error {
	return wire.Decode(b, p, (*Pricing).decodeWire)
}

// decodeWire is written by hand: it keeps the keys it does not type.
func (p *Pricing) decodeWire(d *wire.Decoder) error {
	*p = Pricing{}
	for m := d.Object(); m.Next(); {
		key := string(m.Key())
		name, _ := wire.Fold(m.Key(), "model", "discount_rate")
		var err error
		switch name {
		case "model":
			err = lenientString(d, &p.Model)
		case "discount_rate":
			err = wire.Lenient(d, &p.DiscountRate, func(r **Amount, d *wire.Decoder) error { return wire.Scalar(d, r, setRate) })
		default:
			err = p.keepOther(d, key)
		}
		if err != nil {
			return err
		}
	}
	return d.Err()
}

func (p *Pricing) keepOther(d *wire.Decoder, key string) error {
	var v json.RawMessage
	if err := wire.Scalar(d, &v, wire.SetRaw); err != nil {
		return err
	}
	if p.Other == nil {
		p.Other = map[string]json.RawMessage{}
	}
	p.Other[key] = v
	return nil
}

// setRate reads a discount rate; null is a zero rate, as sent.
func setRate(p **Amount, b []byte) error {
	a := new(Amount)
	if err := a.UnmarshalJSON(b); err != nil {
		return err
	}
	*p = a
	return nil
}
