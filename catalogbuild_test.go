package iimmpact

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// jompayProduct is a catalog product in the SDK's inferred schema, with a
// dotted extras key to prove both fulfillment spellings work.
const jompayProduct = `{"code":"JOMPAY","name":"JomPAY","product_type":"standard",
 "fields":[
  {"id":"account","type":"text","label":"Ref-1","required":true,"validation":{"max_length":20}},
  {"id":"biller","type":"select","label":"Biller","required":true,"options_source":"api"},
  {"id":"ic_number","type":"text","required":"true","validation":{"pattern":"^[A-Za-z0-9]{6,20}$"}},
  {"id":"ref2","type":"text","required":false},
  {"id":"amount","type":"amount","required":true,"validation":{"min":"1.00","max":5000,"decimals":2}}],
 "fulfillment":{"product":"JOMPAY","account":"{{account}}","amount":"{{ amount }}",
  "extras":{"biller_code":"{{biller}}","ic_number":"{{ic_number}}"},"extras.ref2":"ref2"},
 "pricing":{"model":"percentage_discount","discount_rate":"0.5"}}`

func mustProduct(t *testing.T, s string) CatalogProduct {
	var p CatalogProduct
	require.NoError(t, json.Unmarshal([]byte(s), &p))
	return p
}

func jompayForm() TopupForm {
	return TopupForm{RefID: "jp-1", Values: map[string]string{"account": "12345678", "biller": "5454",
		"ic_number": "900101015555", "amount": "50.10"}}
}

func TestCatalogProductTypes(t *testing.T) {
	t.Parallel()
	p := mustProduct(t, jompayProduct)
	require.Len(t, p.Fields, 5)
	ic, ok := p.Field("ic_number")
	require.True(t, ok)
	assert.True(t, ic.Required, `"true" as a string is still true`)
	assert.Equal(t, "^[A-Za-z0-9]{6,20}$", ic.Validation.Pattern)
	amt, _ := p.Field("amount")
	assert.Equal(t, "1", amt.Validation.Min.String())
	assert.Equal(t, "5000", amt.Validation.Max.String())
	assert.Equal(t, 2, *amt.Validation.Decimals)
	biller, _ := p.Field("biller")
	assert.Equal(t, "api", biller.OptionsSource)
	assert.Equal(t, map[string]string{"biller_code": "{{biller}}", "ic_number": "{{ic_number}}", "ref2": "ref2"}, p.Fulfillment.Extras)
	assert.Equal(t, "0.5", p.Pricing.DiscountRate.String())
}

func TestCatalogProductToleratesOtherShapes(t *testing.T) {
	t.Parallel()
	p := mustProduct(t, `{"code":"X","fields":{"not":"a list"},"fulfillment":"nope","pricing":[1]}`)
	assert.Nil(t, p.Fields)
	assert.Nil(t, p.Fulfillment)
	assert.Nil(t, p.Pricing)
	p = mustProduct(t, `{"code":"X","fields":[{"id":"a","validation":"strict","options":7,"required":null}]}`)
	require.Len(t, p.Fields, 1)
	assert.Equal(t, "a", p.Fields[0].ID)
}

func TestBuildTopupJomPAY(t *testing.T) {
	t.Parallel()
	p := mustProduct(t, jompayProduct)
	f := jompayForm()
	f.Values["ref2"] = "INV-7"
	req, err := p.BuildTopup(f)
	require.NoError(t, err)
	assert.Equal(t, "JOMPAY", req.Product)
	assert.Equal(t, "12345678", req.Account)
	assert.Equal(t, "50.1", req.Amount.String())
	require.NotNil(t, req.Extras)
	assert.Equal(t, Extras{BillerCode: "5454", ICNumber: "900101015555", Ref2: "INV-7"}, *req.Extras)
}

func TestBuildTopupRefusesBadValues(t *testing.T) {
	t.Parallel()
	p := mustProduct(t, jompayProduct)
	for _, tc := range []struct {
		name, field, value, reason string
	}{
		{"missing IC", "ic_number", "", "is required"},
		{"IC with dashes", "ic_number", "900101-01-5555", "does not match the field's pattern"},
		{"amount below minimum", "amount", "0.50", "is below the minimum 1"},
		{"amount above maximum", "amount", "5000.01", "is above the maximum 5000"},
		{"fractions of sen", "amount", "10.005", "has more than 2 decimal places"},
		{"amount not a number", "amount", "ten", "is not a decimal amount"},
		{"account too long", "account", "123456789012345678901", "must be 0 to 20 characters long"},
		{"unknown field", "colour", "red", "is not a field of this product"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := jompayForm()
			f.Values[tc.field] = tc.value
			_, err := p.BuildTopup(f)
			var fe *CatalogFieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tc.field, fe.Field)
			assert.Equal(t, tc.reason, fe.Reason)
			assert.ErrorIs(t, err, ErrInvalidRequest)
			if tc.value != "" {
				assert.NotContains(t, err.Error(), tc.value, "values are never quoted")
			}
		})
	}
}

func TestBuildTopupChecksFetchedOptions(t *testing.T) {
	t.Parallel()
	p := mustProduct(t, jompayProduct)
	f := jompayForm()
	f.Options = map[string][]OptionItem{"biller": {{Code: "7777"}}}
	_, err := p.BuildTopup(f)
	var fe *CatalogFieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "biller", fe.Field)
	f.Options["biller"] = append(f.Options["biller"], OptionItem{Code: "5454"})
	_, err = p.BuildTopup(f)
	assert.NoError(t, err)
}

func TestBuildTopupPlanPriceIsTheAmount(t *testing.T) {
	t.Parallel()
	p := mustProduct(t, `{"code":"HI","fields":[{"id":"account","type":"text","required":true},
	 {"id":"plan","type":"select","required":true,"options_source":"api"},{"id":"amount","type":"amount","required":true}],
	 "fulfillment":{"account":"{{account}}","amount":"{{amount}}","extras":{"subproduct_code":"{{plan}}"}}}`)
	plans := []OptionItem{{Code: "HI_1GB_7D", Price: &Money{Amount: MustParseAmount("5"), Currency: "MYR"}}}
	f := TopupForm{RefID: "hi-1", Values: map[string]string{"account": "0123456789", "plan": "HI_1GB_7D", "amount": "6"},
		Options: map[string][]OptionItem{"plan": plans}}
	_, err := p.BuildTopup(f)
	assert.ErrorIs(t, err, ErrInvalidRequest)
	f.Values["amount"] = "5.00"
	req, err := p.BuildTopup(f)
	require.NoError(t, err)
	assert.Equal(t, "HI", req.Product, "the catalog code when fulfillment names none")
	assert.Equal(t, "HI_1GB_7D", req.Extras.SubproductCode)

	delete(f.Values, "plan")
	_, err = p.BuildTopup(f)
	var fe *CatalogFieldError
	require.ErrorAs(t, err, &fe, "mobile data without its plan is refused")
	assert.Equal(t, "plan", fe.Field)
}

func TestBuildTopupStaticSelectAndFixture(t *testing.T) {
	t.Parallel()
	p := mustProduct(t, `{"code":"D","fields":[{"id":"account","type":"tel"},{"id":"amount","type":"select","required":true,
	 "options":[{"value":"10","label":"RM 10"},{"value":"30","label":"RM 30"}]}],"fulfillment":{"account":"account","amount":"amount"}}`)
	_, err := p.BuildTopup(TopupForm{RefID: "d-1", Values: map[string]string{"account": "0123456789", "amount": "15"}})
	var fe *CatalogFieldError
	require.ErrorAs(t, err, &fe, "15 is not a denomination")
	req, err := p.BuildTopup(TopupForm{RefID: "d-1", Values: map[string]string{"account": "0123456789", "amount": "30"}})
	require.NoError(t, err)
	assert.Equal(t, "30", req.Amount.String())
	assert.Equal(t, "0123456789", req.Account, "bare field ids map too")

	_, err = CatalogProduct{Code: "Z"}.BuildTopup(TopupForm{RefID: "z"})
	assert.ErrorIs(t, err, ErrInvalidRequest, "no fulfillment, nothing to build")
}

// FuzzCatalogProduct decodes products and builds a payment from them with
// one form value: no panic, and a request built carries the form's refid,
// after every required field was filled and no value for a field the
// product lacks was taken.
func FuzzCatalogProduct(f *testing.F) {
	f.Add([]byte(jompayProduct), "account", "12345678")
	f.Add([]byte(`{"code":"D","fields":[{"id":"amount","type":"amount","validation":{"pattern":"(","min":"x"}}],"fulfillment":{"amount":"{{amount"}}`), "amount", "1")
	f.Add([]byte(`{"fields":[{"id":"a","options":[{"value":1}]}],"fulfillment":{"extras.":"a","extras":{"":"x"}}}`), "a", "1")
	f.Add([]byte(`{"code":"F","fields":[{"id":"note","type":"text"}],"fulfillment":{"account":"0123456789","amount":"10"}}`), "note", "hi")
	f.Add([]byte(`{"code":"F","fields":[{"id":"note","type":"text"}],"fulfillment":{"account":"0123456789","amount":"10"}}`), "other", "hi")
	f.Add([]byte(`{"code":"F","fields":[{"id":"note","type":"text","required":true}],"fulfillment":{"account":"0123456789","amount":"10"}}`), "note", "")
	f.Fuzz(func(t *testing.T, body []byte, field, value string) {
		var p CatalogProduct
		if json.Unmarshal(body, &p) != nil {
			return
		}
		req, err := p.BuildTopup(TopupForm{RefID: "fz", Values: map[string]string{field: value}})
		if err != nil {
			return
		}
		if req.RefID != "fz" {
			t.Fatalf("built with refid %q, the form's is fz", req.RefID)
		}
		if _, ok := p.Field(field); !ok {
			t.Fatalf("a value for %q, not a field of the product, was taken", field)
		}
		for _, fld := range p.Fields {
			if fld.Required && (fld.ID != field || value == "") {
				t.Fatalf("built without the required field %q", fld.ID)
			}
		}
	})
}

// A pricing rule keeps the keys the SDK does not type, and only those.
func TestPricingKeepsOtherKeys(t *testing.T) {
	t.Parallel()
	var p Pricing
	require.NoError(t, json.Unmarshal([]byte(`{"model":"tiered","Discount_Rate":"2","tiers":[{"upto":100,"rate":1}],"cap":null}`), &p))
	assert.Equal(t, "tiered", p.Model)
	assert.Equal(t, "2", p.DiscountRate.String(), "keys match case-insensitively, as encoding/json's do")
	assert.Equal(t, map[string]json.RawMessage{"tiers": json.RawMessage(`[{"upto":100,"rate":1}]`), "cap": json.RawMessage(`null`)}, p.Other)
	require.NoError(t, json.Unmarshal([]byte(`{"model":"percentage_discount","discount_rate":1.5}`), &p))
	assert.Nil(t, p.Other, "nothing untyped, nothing kept")
}
