package iimmpact

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSubproductsFixture(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	var queries []string
	mock.RegisterResponder("GET", "https://api.test.invalid/v2/subproducts", func(req *http.Request) (*http.Response, error) {
		checkSigned(t, req)
		queries = append(queries, req.URL.RawQuery)
		return newResponse(200, fixture(t, "subproducts_spec.json")), nil
	})
	list, err := c.Subproducts(context.Background(), SubproductQuery{ProductCode: "JOMPAY", Limit: 2})
	require.NoError(t, err)
	assert.Equal(t, "success", list.Message)
	assert.Equal(t, "/v2/subproducts?product_code=JOMPAY&limit=2&page=2", list.Next)
	require.Len(t, list.Items, 2)
	biller, plan := list.Items[0], list.Items[1]
	assert.NotEmpty(t, biller.Raw)
	assert.JSONEq(t, `"5454"`, string(mustField(t, biller.Raw, "subproduct_code")))
	biller.Raw, plan.Raw = nil, nil
	assert.Equal(t, Subproduct{Code: "5454", DisplayName: "Tenaga Nasional Berhad", Description: "JomPAY biller 5454",
		Min: MustParseAmount("1"), Max: MustParseAmount("5000")}, biller)
	assert.Equal(t, Subproduct{Code: "HI_UNL_30_3M", DisplayName: "Unlimited 30 Days (3Mbps)",
		Description: "Unlimited data with hotspot and calls", Denomination: MustParseAmount("40"),
		FaceValue: MustParseAmount("38.5"), Validity: "30 days", AccountNumber: "0123456789"}, plan)

	_, err = c.SubproductsNext(context.Background(), list.Next)
	require.NoError(t, err)
	_, err = c.Subproducts(context.Background(), SubproductQuery{ProductCode: "HI", AccountNumber: "0123456789"})
	require.NoError(t, err)
	assert.Equal(t, []string{"limit=2&product_code=JOMPAY", "limit=2&page=2&product_code=JOMPAY",
		"account_number=0123456789&product_code=HI"}, queries)
}

func TestSubproductsRefusesLocally(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	for _, q := range []SubproductQuery{{}, {ProductCode: "JOMPAY", Limit: -1}} {
		_, err := c.Subproducts(context.Background(), q)
		assert.ErrorIs(t, err, ErrInvalidRequest)
	}
	for _, next := range []string{"", "/v2/balance?product_code=D", "/v2/subproducts?page=2", "%zz"} {
		_, err := c.SubproductsNext(context.Background(), next)
		assert.ErrorIs(t, err, ErrInvalidRequest, next)
	}
	assert.Zero(t, mock.GetTotalCallCount())
}

func TestSubproductsNegativePaths(t *testing.T) {
	t.Parallel()
	testNegativePaths(t, "GET", "/v2/subproducts", func(c *Client) error {
		_, err := c.Subproducts(context.Background(), SubproductQuery{ProductCode: "JOMPAY"})
		return err
	})
}
