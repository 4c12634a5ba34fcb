package iimmpact

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCatalogFixture(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	var query string
	mock.RegisterResponder("GET", "https://api.test.invalid/v2/catalog", func(req *http.Request) (*http.Response, error) {
		checkSigned(t, req)
		query = req.URL.RawQuery
		return newResponse(200, fixture(t, "catalog_spec.json")), nil
	})
	cat, err := c.Catalog(context.Background(), CatalogQuery{})
	require.NoError(t, err)
	assert.Equal(t, "", query)
	assert.True(t, cat.LastUpdated.Equal(time.Date(2025, 1, 7, 0, 0, 0, 0, time.UTC)))
	_, off := cat.LastUpdated.Zone()
	assert.Equal(t, 8*3600, off, "times are given in GMT+8")

	require.Len(t, cat.Groups, 1)
	g := cat.Groups[0]
	assert.Equal(t, "grp_mobile", g.ID)
	assert.Equal(t, "Mobile", g.Name)
	assert.Equal(t, "https://cdn.iimmpact.com/icons/mobile.png", g.IconURL)
	require.Len(t, g.Categories, 1)
	assert.Equal(t, "cat_prepaid", g.Categories[0].ID)
	assert.Equal(t, "Prepaid Reload", g.Categories[0].Name)
	assert.Equal(t, []string{"D", "M", "C", "U"}, g.Categories[0].ProductCodes)

	require.Len(t, cat.Products, 1)
	d := cat.Products["D"]
	assert.Equal(t, "D", d.Code)
	assert.Equal(t, "Digi Prepaid", d.Name)
	assert.Equal(t, "standard", d.ProductType)
	assert.Equal(t, "https://dashboard.iimmpact.com/img/D.png", d.ImageURL)
	assert.Equal(t, "instant", d.ProcessingTime)
	require.Len(t, d.Fields, 2)
	assert.Equal(t, "account", d.Fields[0].ID)
	assert.Equal(t, "tel", d.Fields[0].Type)
	assert.Equal(t, "select", d.Fields[1].Type)
	require.NotNil(t, d.Fulfillment)
	assert.Equal(t, "account", d.Fulfillment.Account, "a bare field id")
	require.NotNil(t, d.Pricing)
	assert.Equal(t, "percentage_discount", d.Pricing.Model)
	assert.Equal(t, "1.5", d.Pricing.DiscountRate.String())
}

func TestCatalogToleratesUnknownFields(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	body := strings.Replace(string(fixture(t, "catalog_spec.json")), `"code": "D",`, `"code": "D", "min_app_version": {"ios": "3.1"},`, 1)
	respond(t, mock, "GET", "/v2/catalog", 200, []byte(body))
	cat, err := c.Catalog(context.Background(), CatalogQuery{})
	require.NoError(t, err)
	assert.Equal(t, "Digi Prepaid", cat.Products["D"].Name)
	assert.Len(t, cat.Products["D"].Fields, 2)
}

func TestCatalogQuery(t *testing.T) {
	t.Parallel()
	yes := true
	q := CatalogQuery{ProductCode: "D", IsActive: &yes, IncludeHidden: true}
	assert.Equal(t, "include_hidden=true&is_active=true&product_code=D", q.values().Encode())
	c, mock := mockClient(t)
	mock.RegisterResponder("GET", "https://api.test.invalid/v2/catalog", func(req *http.Request) (*http.Response, error) {
		checkSigned(t, req)
		assert.Equal(t, "include_hidden=true&is_active=true&product_code=D", req.URL.RawQuery)
		return newResponse(200, []byte(`{"last_updated":"2025-01-07T00:00:00Z","products":{}}`)), nil
	})
	cat, err := c.Catalog(context.Background(), q)
	require.NoError(t, err)
	assert.Empty(t, cat.Products)
	assert.NotNil(t, cat.Products)
	assert.Empty(t, cat.Groups)
}

func TestCatalogNegativePaths(t *testing.T) {
	t.Parallel()
	testNegativePaths(t, "GET", "/v2/catalog", func(c *Client) error {
		_, err := c.Catalog(context.Background(), CatalogQuery{})
		return err
	})
	c, mock := mockClient(t)
	respond(t, mock, "GET", "/v2/catalog", 200, []byte(`{"last_updated":"2025-01-07T00:00:00Z","tree":{"groups":[]}}`))
	_, err := c.Catalog(context.Background(), CatalogQuery{})
	assert.ErrorIs(t, err, ErrMalformedResponse, "a catalog without products is not an empty catalog")
}

// chunkedTransport answers every request with the next body, its length
// unknown (as over chunked HTTP/1.1).
type chunkedTransport struct{ bodies chan []byte }

func (m chunkedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(<-m.bodies)), ContentLength: -1, Request: r}, nil
}

// A catalog keeps nothing of its body. The body is read through the
// stream's 64 KiB window, which a catalog of 400 products (about 140 KB)
// has compacted and refilled with later products' bytes before its decode
// ends: a product whose strings aliased the window would read those bytes.
// A second answer (another catalog, "Maxi" for "Digi") decoded after it
// leaves it intact too, should a buffer ever be kept across calls.
func TestCatalogOutlivesItsBody(t *testing.T) {
	t.Parallel()
	const tries = 8
	digi := bigCatalog(400)
	require.Greater(t, len(digi), 2*(64<<10), "larger than the stream window")
	maxi := bytes.ReplaceAll(digi, []byte("Digi"), []byte("Maxi"))
	tr := chunkedTransport{make(chan []byte, 2*tries)}
	c, err := New(testKey, testSecret, WithHTTPClient(&http.Client{Transport: tr}), WithBaseURL("http://127.0.0.1:1"), WithRateLimit(0, 0))
	require.NoError(t, err)
	// Led by whitespace of many lengths, so that the window's bounds fall
	// at many places in the products.
	for pad := range tries {
		spaces := bytes.Repeat([]byte{' '}, pad*2053)
		tr.bodies <- append(spaces, digi...)
		tr.bodies <- append(spaces, maxi...)
		first, err := c.Catalog(context.Background(), CatalogQuery{})
		require.NoError(t, err)
		_, err = c.Catalog(context.Background(), CatalogQuery{})
		require.NoError(t, err)
		p1 := first.Products["P000001"]
		require.Equal(t, "Digi Prepaid 000001", p1.Name, "later bytes overwrote the catalog (pad %d)", pad)
		require.Equal(t, "https://dashboard.iimmpact.com/img/P000001.png", p1.ImageURL)
		require.Equal(t, "amount", p1.Fields[1].ID)
	}
}

// Decoded on its own, a product holds nothing of its input.
func TestCatalogProductCopiesItsInput(t *testing.T) {
	t.Parallel()
	in := []byte(`{"code":"D","name":"Digi","fields":[{"id":"account","type":"tel"}]}`)
	var p CatalogProduct
	require.NoError(t, json.Unmarshal(in, &p))
	copy(in, bytes.Repeat([]byte{'x'}, len(in)))
	assert.Equal(t, "D", p.Code)
	assert.Equal(t, "Digi", p.Name)
	assert.Equal(t, CatalogField{ID: "account", Type: "tel"}, p.Fields[0])
}

// Within one catalog, products of the same form share its Fields,
// Fulfillment and Pricing; a different form is its own.
func TestCatalogSharesRepeatedForms(t *testing.T) {
	t.Parallel()
	body := bytes.Replace(bigCatalog(3), []byte(`"discount_rate":1.5}}}}`), []byte(`"discount_rate":2}}}}`), 1)
	var b catalogBody
	require.NoError(t, b.decodeStream(bytes.NewReader(body)))
	p0, p1, p2 := b.Products["P000000"], b.Products["P000001"], b.Products["P000002"]
	assert.Same(t, &p0.Fields[0], &p1.Fields[0])
	assert.Same(t, p0.Fulfillment, p2.Fulfillment)
	assert.Same(t, p0.Pricing, p1.Pricing)
	assert.NotSame(t, p0.Pricing, p2.Pricing, "another rate is another rule")
	assert.Equal(t, "2", p2.Pricing.DiscountRate.String())
	assert.Equal(t, "1.5", p0.Pricing.DiscountRate.String())

	var plain catalogBody
	require.NoError(t, plain.UnmarshalJSON(body))
	assert.Equal(t, b, plain, "sharing changes no value")
	assert.NotSame(t, plain.Products["P000000"].Pricing, plain.Products["P000001"].Pricing, "only the catalog's decode shares")
}
