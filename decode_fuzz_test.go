package iimmpact

import (
	"bytes"
	"encoding/json"
	"io"
	"reflect"
	"testing"
	"testing/iotest"
)

// decoders are every generated (and hand-written one-pass) decoder of the
// package, each reading into a fresh value.
func decoders() map[string]func([]byte) error {
	return map[string]func([]byte) error{
		"Balance":         func(b []byte) error { return new(Balance).UnmarshalJSON(b) },
		"Product":         func(b []byte) error { return new(Product).UnmarshalJSON(b) },
		"Transaction":     func(b []byte) error { return new(Transaction).UnmarshalJSON(b) },
		"TransactionPage": func(b []byte) error { return new(transactionsBody).UnmarshalJSON(b) },
		"Statement":       func(b []byte) error { return new(statementBody).UnmarshalJSON(b) },
		"Subproducts":     func(b []byte) error { return new(subproductsBody).UnmarshalJSON(b) },
		"Bill":            func(b []byte) error { return new(billBody).UnmarshalJSON(b) },
		"Catalog":         func(b []byte) error { return new(catalogBody).UnmarshalJSON(b) },
		"OptionsPage":     func(b []byte) error { return new(OptionsPage).UnmarshalJSON(b) },
		"CatalogEvent":    func(b []byte) error { return new(CatalogEvent).UnmarshalJSON(b) },
		"Envelope":        func(b []byte) error { return new(envelope[[]Product]).UnmarshalJSON(b) },
		"Fulfillment":     func(b []byte) error { return new(Fulfillment).UnmarshalJSON(b) },
		"Summary":         func(b []byte) error { return new(StatementSummary).UnmarshalJSON(b) },
		"CatalogWebhook":  func(b []byte) error { return new(CatalogWebhook).UnmarshalJSON(b) },
		"WebhookSecret":   func(b []byte) error { return new(CatalogWebhookSecret).UnmarshalJSON(b) },
		"WebhookDeleted":  func(b []byte) error { return new(webhookDeleted).UnmarshalJSON(b) },
	}
}

// FuzzGeneratedDecoders holds every one-pass decoder to what encoding/json
// would have checked first: text that is not valid JSON is refused by all
// of them, and no input makes one panic.
func FuzzGeneratedDecoders(f *testing.F) {
	for _, name := range []string{"balance.json", "product_list.json", "topup_success.json", "transactions.json",
		"callback_post_grab_gift.json", "subproducts_spec.json"} {
		f.Add(fixture(f, name))
	}
	f.Add([]byte(`{"data":{"Fields":[{"id":1,"validation":{"min":"x"}}],"fulfillment":{"extras.a":"{{b}}"}}}`))
	f.Add([]byte(`{"type":"product.updated","id":"D","timestamp":"2025-01-01T00:00:00Z","data":{}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		valid := json.Valid(b)
		for name, dec := range decoders() {
			if err := dec(b); err == nil && !valid {
				t.Fatalf("%s accepted invalid JSON %q", name, b)
			}
		}
	})
}

func TestGeneratedDecodersRefuseInvalidJSON(t *testing.T) {
	t.Parallel()
	for _, s := range []string{`{"data":{"account":"1",}}`, `{"data":[1 2]}`, `{"a":1} x`, `{"account":"1"`, `{"balance":01}`} {
		for name, dec := range decoders() {
			if err := dec([]byte(s)); err == nil {
				t.Errorf("%s accepted %q", name, s)
			}
		}
	}
}

// pieces reads b a byte at a time, or half of what is asked, or whole.
func pieces(b []byte, how uint8) io.Reader {
	switch r := bytes.NewReader(b); how % 3 {
	case 0:
		return iotest.OneByteReader(r)
	case 1:
		return iotest.HalfReader(r)
	default:
		return r
	}
}

// FuzzCatalogStream holds the catalog's streaming decode (read as the
// body arrives, a byte at a time or in halves, repeated words allocated once) to
// the whole-body one: for any input both accept or both refuse, and what
// they read is equal.
func FuzzCatalogStream(f *testing.F) {
	f.Add(fixture(f, "catalog_spec.json"), uint8(1))
	f.Add(bigCatalog(3), uint8(7))
	f.Add([]byte(`{"products":{"D":{"code":"D","fields":[{"id":"a\u00e9","type":1,"label":null},{"id":"a\u00e9"}],`+
		`"fulfillment":{"account":"{{a}}","extras":{"x":"{{a}}"}},"pricing":{"model":"m","discount_rate":"1.5"}}}}`), uint8(3))
	f.Add([]byte(`{"tree":{"groups":[]},"last_updated":"2025-01-07T00:00:00Z","PRODUCTS":{"X\"":{"code":"Y"}},"x":[1,{"a":null}]}`), uint8(2))
	f.Fuzz(func(t *testing.T, b []byte, piece uint8) {
		var whole, streamed catalogBody
		errWhole := whole.UnmarshalJSON(b)
		errStreamed := streamed.decodeStream(pieces(b, piece))
		if (errWhole == nil) != (errStreamed == nil) {
			t.Fatalf("whole: %v, streamed: %v, for %q", errWhole, errStreamed, b)
		}
		if errWhole == nil && !reflect.DeepEqual(whole, streamed) {
			t.Fatalf("the two decodes differ for %q:\n%+v\n%+v", b, whole, streamed)
		}
	})
}
