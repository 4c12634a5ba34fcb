package iimmpact

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wrongTypes gives every top-level key any endpoint reads a type it cannot
// take, so one body is malformed for envelopes, catalogs, option pages and
// statements alike.
const wrongTypes = `{"data":"wrong","items":"wrong","products":"wrong","tree":"wrong","meta":"wrong","links":"wrong","message":{},"last_updated":false}`

// testNegativePaths runs the same failures against one endpoint: the
// refusals IIMMPACT documents map to their sentinels, and a 2xx that cannot
// be read is a *MalformedResponseError carrying the status and a capped
// body, never a zero-valued success. call must make exactly one request
// (the mock client does not retry) and return its error.
func testNegativePaths(t *testing.T, method, path string, call func(*Client) error) {
	t.Helper()
	html := "<html><body>" + strings.Repeat("502 Bad Gateway ", 400) + "</body></html>" // over the 4 KiB cap
	for _, tc := range []struct {
		name      string
		status    int
		body      string
		sentinel  error
		malformed bool
	}{
		{"401", 401, `{"error":"invalid_signature","message":"Signature mismatch"}`, ErrUnauthorized, false},
		{"403", 403, `{"message":"Forbidden"}`, ErrForbidden, false},
		{"429", 429, `{"message":"Too Many Requests"}`, ErrRateLimited, false},
		{"500", 500, `{"message":"Internal Server Error"}`, ErrServer, false},
		{"html page", 200, html, ErrMalformedResponse, true},
		{"truncated json", 200, `{"data":{"refid":"abc","status":"Succ`, ErrMalformedResponse, true},
		{"wrong types", 200, wrongTypes, ErrMalformedResponse, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, mock := mockClient(t)
			respond(t, mock, method, path, tc.status, []byte(tc.body))
			err := call(c)
			require.ErrorIs(t, err, tc.sentinel)
			if tc.malformed {
				var me *MalformedResponseError
				require.ErrorAs(t, err, &me)
				assert.Equal(t, tc.status, me.HTTPStatus)
				assert.LessOrEqual(t, len(me.Body), maxErrorBody)
				assert.Equal(t, tc.body[:min(len(tc.body), maxErrorBody)], string(me.Body))
			} else {
				var ae *APIError
				require.ErrorAs(t, err, &ae)
				assert.Equal(t, tc.status, ae.HTTPStatus)
				assert.NotEmpty(t, ae.Message)
			}
			assert.Equal(t, 1, mock.GetTotalCallCount(), "one request, no retry, no further page")
		})
	}
}

// The core endpoints get the same checks as the rest of the API.
func TestCoreNegativePaths(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		method, path string
		call         func(*Client) error
	}{
		{"GET", "/v2/balance", func(c *Client) error { _, err := c.Balance(ctx); return err }},
		{"GET", "/v2/product-list", func(c *Client) error { _, err := c.Products(ctx); return err }},
		{"GET", "/v2/networkstatus", func(c *Client) error { _, err := c.NetworkStatus(ctx, "TNB"); return err }},
		{"POST", "/v2/topup", func(c *Client) error { _, err := c.Topup(ctx, seedTopup()); return err }},
		{"GET", "/v2/transactions", func(c *Client) error {
			_, err := c.Transactions(ctx, TransactionQuery{From: testNow})
			return err
		}},
	} {
		t.Run(tc.path, func(t *testing.T) { testNegativePaths(t, tc.method, tc.path, tc.call) })
	}
}
