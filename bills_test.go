package iimmpact

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBillPresentmentFixture(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	mock.RegisterResponder("GET", "https://api.test.invalid/v2/bill-presentment", func(req *http.Request) (*http.Response, error) {
		checkSigned(t, req)
		assert.Equal(t, "account=0123456789&product=CB", req.URL.RawQuery)
		return newResponse(200, fixture(t, "bill_presentment_spec.json")), nil
	})
	b, err := c.BillPresentment(context.Background(), BillQuery{Account: "0123456789", Product: "CB"})
	require.NoError(t, err)
	assert.NotEmpty(t, b.Raw)
	assert.JSONEq(t, string(mustField(t, fixture(t, "bill_presentment_spec.json"), "data")), string(b.Raw))
	b.Raw = nil
	outstanding, balance := MustParseAmount("158.4"), MustParseAmount("158.40")
	assert.Equal(t, Bill{Status: BillAccountValid, Message: "Account no is valid", BillerName: "Celcom Postpaid",
		CustomerName: "AHMAD BIN ABDULLAH", Outstanding: &outstanding, Balance: &balance, DataBalance: "12.5GB",
		Address: "NO 1 JALAN SATU, 50000 KUALA LUMPUR", EBill: "https://ebill.example.com/bills/0123456789-202505.pdf",
		LastUpdated: myt("2025-05-19 14:49:03.000")}, *b)
	assert.True(t, b.CanPay())
	assert.True(t, b.ShowDetails())
}

func TestBillPresentmentInvalidAccount200(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	respond(t, mock, "GET", "/v2/bill-presentment", 200, fixture(t, "bill_presentment_invalid_spec.json"))
	b, err := c.BillPresentment(context.Background(), BillQuery{Account: "999", Product: "TNB"})
	require.NoError(t, err)
	assert.Equal(t, BillInvalidAccount, b.Status)
	assert.False(t, b.CanPay())
	assert.False(t, b.ShowDetails())
	assert.Equal(t, "Invalid account no", b.ErrorMessage)
	assert.Nil(t, b.Outstanding, "absent fields stay absent")
	assert.Nil(t, b.Balance)
	assert.Empty(t, b.BillerName)
}

func TestBillPresentmentInvalidAccount400(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	respond(t, mock, "GET", "/v2/bill-presentment", 400,
		[]byte(`{"data":{"message":"Invalid account no"},"error_message":"Ref-2 is required"}`))
	b, err := c.BillPresentment(context.Background(), BillQuery{Account: "999", Product: "JOMPAY", BillerCode: "5454"})
	assert.Nil(t, b)
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 400, ae.HTTPStatus)
	assert.Equal(t, "Ref-2 is required", ae.Message)
}

func TestBillStatusMessages(t *testing.T) {
	t.Parallel()
	for msg, want := range map[string]BillStatus{
		"Account no is valid":                              BillAccountValid,
		"Bill presentment is unavailable for this product": BillPresentmentUnavailable,
		"Service unavailable. Please try again later":      BillServiceUnavailable,
		"Service unavailable. Please try again later.":     BillServiceUnavailable,
		"Invalid account no":                               BillInvalidAccount,
		" INVALID ACCOUNT NO ":                             BillInvalidAccount,
		"Something new":                                    BillOther,
		"":                                                 BillOther,
	} {
		b := Bill{Status: parseBillStatus(msg)}
		assert.Equal(t, want, b.Status, msg)
		assert.Equal(t, want != BillInvalidAccount, b.CanPay(), msg)
		assert.NotEmpty(t, want.String())
	}
}

func TestBillPresentmentOptionalFields(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	body := `{"data":{"message":"Bill presentment is unavailable for this product","Balance":"","Outstanding":null},"metadata":{"status_code":200,"last_updated":"19-05-2025 14:49:03"}}`
	respond(t, mock, "GET", "/v2/bill-presentment", 200, []byte(body))
	b, err := c.BillPresentment(context.Background(), BillQuery{Account: "1", Product: "TNB"})
	require.NoError(t, err)
	assert.Nil(t, b.Outstanding)
	assert.Nil(t, b.Balance)
	assert.True(t, b.CanPay())
	assert.False(t, b.ShowDetails())

	respond(t, mock, "GET", "/v2/bill-presentment", 200, []byte(strings.Replace(body, `"Balance":""`, `"Balance":"n/a"`, 1)))
	_, err = c.BillPresentment(context.Background(), BillQuery{Account: "1", Product: "TNB"})
	assert.ErrorIs(t, err, ErrMalformedResponse, "a Balance that is text but not an amount is not silently dropped")
}

func TestBillQueryValues(t *testing.T) {
	t.Parallel()
	q := BillQuery{Account: "1234567890", Product: "JOMPAY", BillerCode: "5454", Ref2: "INV 7", Amount: MustParseAmount("12.30")}
	v, err := q.values()
	require.NoError(t, err)
	assert.Equal(t, "account=1234567890&amount=12.3&biller_code=5454&product=JOMPAY&ref2=INV+7", v.Encode())
	c, mock := mockClient(t)
	for _, bad := range []BillQuery{{Product: "TNB"}, {Account: "1"}, {Account: "1", Product: "jompay"},
		{Account: "1", Product: "JOMPAY", BillerCode: "5454", Amount: MustParseAmount("-1")}} {
		_, err := c.BillPresentment(context.Background(), bad)
		assert.ErrorIs(t, err, ErrInvalidRequest)
	}
	assert.Zero(t, mock.GetTotalCallCount())
}

func TestBillPresentmentNegativePaths(t *testing.T) {
	t.Parallel()
	testNegativePaths(t, "GET", "/v2/bill-presentment", func(c *Client) error {
		_, err := c.BillPresentment(context.Background(), BillQuery{Account: "1", Product: "TNB"})
		return err
	})
}
