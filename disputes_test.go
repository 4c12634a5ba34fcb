package iimmpact

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVoidTransactionFixture(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	mock.RegisterResponder("POST", "https://api.test.invalid/v2/transactions/void", func(req *http.Request) (*http.Response, error) {
		body := checkSigned(t, req)
		assert.Empty(t, req.URL.RawQuery)
		assert.Equal(t, `{"refid":"tnb-bill-20250520-017","user_email":["finance@merchant.example.com"],"refund_type":3,"refund_reason":"Customer paid the wrong bill"}`, string(body))
		return newResponse(200, fixture(t, "void_spec.json")), nil
	})
	r, err := c.VoidTransaction(context.Background(), VoidRequest{RefID: "tnb-bill-20250520-017", Type: RefundOther,
		Reason: "Customer paid the wrong bill", CCEmails: []string{"finance@merchant.example.com"}})
	require.NoError(t, err)
	assert.Equal(t, DisputeResult{RefID: "tnb-bill-20250520-017", Status: "Success",
		Message: "Your void request has been received and is pending biller approval."}, *r)
	assert.True(t, r.Accepted())
}

func TestReportTransactionFixtures(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	file := "check_spec.json"
	mock.RegisterResponder("POST", "https://api.test.invalid/v2/transactions/check", func(req *http.Request) (*http.Response, error) {
		body := checkSigned(t, req)
		assert.Equal(t, `{"refid":"321479-0-30f4f209-ee","trxid":"905187223"}`, string(body))
		return newResponse(200, fixture(t, file)), nil
	})
	req := ReportRequest{RefID: "321479-0-30f4f209-ee", TrxID: "905187223"}
	r, err := c.ReportTransaction(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, DisputeResult{RefID: "321479-0-30f4f209-ee", Status: "Success",
		Message: "We've received your request and our team will look into it."}, *r)
	assert.True(t, r.Accepted())

	file = "check_duplicate_spec.json"
	r, err = c.ReportTransaction(context.Background(), req)
	require.NoError(t, err, "a declined case is an answer, not an error")
	assert.False(t, r.Accepted())
	assert.Equal(t, "Failed - duplicate request", r.Message)
}

func TestDisputesRefuseLocally(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	ctx := context.Background()
	for name, req := range map[string]VoidRequest{
		"no id":            {Type: RefundDuplicate},
		"blank ids":        {RefID: " ", TrxID: "\t", Type: RefundDuplicate},
		"no type":          {RefID: "r1"},
		"unknown type":     {RefID: "r1", Type: 4},
		"other, no reason": {RefID: "r1", Type: RefundOther},
		"other, blank":     {TrxID: "1", Type: RefundOther, Reason: "  "},
		"bad cc":           {RefID: "r1", Type: RefundDuplicate, CCEmails: []string{"not an address"}},
		"named cc":         {RefID: "r1", Type: RefundDuplicate, CCEmails: []string{"Finance <f@example.com>"}},
	} {
		_, err := c.VoidTransaction(ctx, req)
		assert.ErrorIs(t, err, ErrInvalidRequest, name)
	}
	for name, req := range map[string]ReportRequest{
		"no id":  {},
		"bad cc": {TrxID: "1", CCEmails: []string{""}},
	} {
		_, err := c.ReportTransaction(ctx, req)
		assert.ErrorIs(t, err, ErrInvalidRequest, name)
	}
	assert.Zero(t, mock.GetTotalCallCount())
	assert.Equal(t, "duplicate transaction", RefundDuplicate.String())
	assert.Equal(t, "RefundType(9)", RefundType(9).String())
}

// A void or report is never sent twice on its own: a second one may open a
// second case.
func TestDisputesAreNotRetried(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t, WithRetryPolicy(RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
	respond(t, mock, "POST", "/v2/transactions/void", 503, []byte(`{"message":"Service Unavailable"}`))
	respond(t, mock, "POST", "/v2/transactions/check", 503, []byte(`{"message":"Service Unavailable"}`))
	_, err := c.VoidTransaction(context.Background(), VoidRequest{TrxID: "1", Type: RefundDuplicate})
	assert.ErrorIs(t, err, ErrServer)
	_, err = c.ReportTransaction(context.Background(), ReportRequest{TrxID: "1"})
	assert.ErrorIs(t, err, ErrServer)
	assert.Equal(t, 2, mock.GetTotalCallCount())
}

func TestDisputesNegativePaths(t *testing.T) {
	t.Parallel()
	testNegativePaths(t, "POST", "/v2/transactions/void", func(c *Client) error {
		_, err := c.VoidTransaction(context.Background(), VoidRequest{RefID: "r1", Type: RefundWrongAmountOrAccount})
		return err
	})
	testNegativePaths(t, "POST", "/v2/transactions/check", func(c *Client) error {
		_, err := c.ReportTransaction(context.Background(), ReportRequest{RefID: "r1"})
		return err
	})
}
