package iimmpact

import (
	"bytes"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCatalogEventProductFixture(t *testing.T) {
	t.Parallel()
	e, err := ParseCatalogEvent(fixture(t, "catalog_event_spec.json"))
	require.NoError(t, err)
	p, err := e.Product()
	require.NoError(t, err)
	assert.Equal(t, CatalogEventProduct{ProductCode: "CELCOM10", ProductCategoryCode: "MOBILE_PREPAID",
		Name: "Celcom Prepaid", DisplayName: "Celcom Prepaid Reload", ImageURL: "https://dashboard.iimmpact.com/img/CELCOM10.png",
		ProcessingTime: "instant", IsActive: true, Raw: e.Data}, *p)
}

func TestCatalogEventProductRefusals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, body string }{
		{"not a product event", `{"type":"option.updated","resource":"options","id":"X","data":{"product_code":"X"}}`},
		{"created without data", `{"type":"product.created","resource":"products","id":"X","data":null}`},
		{"another product", `{"type":"product.updated","resource":"products","id":"X","data":{"product_code":"Y"}}`},
		{"no product_code", `{"type":"product.updated","resource":"products","id":"X","data":{"code":"X"}}`},
		{"is_active a word", `{"type":"product.updated","resource":"products","id":"X","data":{"product_code":"X","is_active":"maybe"}}`},
	} {
		e, err := ParseCatalogEvent([]byte(tc.body))
		require.NoError(t, err, tc.name)
		_, err = e.Product()
		assert.ErrorIs(t, err, ErrInvalidCatalogEvent, tc.name)
	}
	e, err := ParseCatalogEvent(fixture(t, "catalog_event_deleted_spec.json"))
	require.NoError(t, err)
	e.Type, e.Resource = CatalogProductDeleted, "products"
	p, err := e.Product()
	assert.NoError(t, err)
	assert.Nil(t, p, "a deleted product has no data")
	e, _ = ParseCatalogEvent([]byte(`{"type":"product.updated","id":"X","data":{"product_code":"X","is_active":false}}`))
	p, err = e.Product()
	require.NoError(t, err)
	assert.False(t, p.IsActive)
}

// FuzzCatalogEventProduct parses events and decodes their products: no
// panic, every refusal an ErrInvalidCatalogEvent, and a product decoded
// keeps the event's data as its Raw.
func FuzzCatalogEventProduct(f *testing.F) {
	f.Add([]byte(`{"type":"product.updated","resource":"products","id":"CELCOM10","data":{"product_code":"CELCOM10","is_active":true}}`))
	f.Add([]byte(`{"type":"product.created","id":"1","data":{"product_code":1,"display_name":2}}`))
	f.Add([]byte(`{"type":"product.deleted","id":"A","data":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		e, err := ParseCatalogEvent(body)
		if err != nil {
			return
		}
		p, err := e.Product()
		switch {
		case err != nil && !errors.Is(err, ErrInvalidCatalogEvent):
			t.Fatalf("refused with %v, not an ErrInvalidCatalogEvent", err)
		case p != nil && !bytes.Equal(p.Raw, e.Data):
			t.Fatalf("product keeps %q, the event's data is %q", p.Raw, e.Data)
		}
	})
}
