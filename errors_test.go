package iimmpact

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMalformedResponses(t *testing.T) {
	t.Parallel()
	huge := []byte(`{"data":` + strings.Repeat(" ", 10000) + `"x"`)
	for _, tt := range []struct {
		name      string
		status    int
		body      []byte
		malformed bool // else *APIError
	}{
		{"truncated", 200, fixture(t, "balance.json")[:60], true},
		{"html 200", 200, []byte("<html><body>Bad gateway</body></html>"), true},
		{"empty 200", 200, nil, true},
		{"no data", 200, []byte(`{"message":"ok"}`), true},
		{"null data", 200, []byte(`{"data":null}`), true},
		{"array data", 200, []byte(`{"data":[1,2]}`), true},
		{"wrong type balance", 200, []byte(`{"data":{"balance":true}}`), true},
		{"float-breaking balance", 200, []byte(`{"data":{"balance":1e999}}`), true},
		{"wrong type access", 200, []byte(`{"data":{"access":"full"}}`), true},
		{"huge invalid", 200, huge, true},
		{"html 502", 502, []byte("<html>502</html>"), false},
		{"401 json", 401, []byte(`{"error":"invalid_signature","message":"Signature mismatch"}`), false},
		{"403 gateway", 403, []byte(`{"message":"Forbidden"}`), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, mock := mockClient(t)
			respond(t, mock, "GET", "/v2/balance", tt.status, tt.body)
			b, err := c.Balance(context.Background())
			assert.Nil(t, b, "never a zero-valued success")
			require.Error(t, err)
			if tt.malformed {
				var me *MalformedResponseError
				require.ErrorAs(t, err, &me)
				assert.ErrorIs(t, err, ErrMalformedResponse)
				assert.Equal(t, tt.status, me.HTTPStatus)
				assert.LessOrEqual(t, len(me.Body), maxErrorBody)
				assert.Equal(t, tt.body[:min(len(tt.body), maxErrorBody)], me.Body[:len(me.Body):len(me.Body)])
				return
			}
			var ae *APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tt.status, ae.HTTPStatus)
			assert.Equal(t, tt.body, ae.Body)
		})
	}
}

func TestAPIErrorShapes(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		status   int
		body     string
		sentinel error
		want     APIError
	}{
		{401, `{"error":"invalid_signature","message":"Signature mismatch"}`, ErrUnauthorized, APIError{Message: "Signature mismatch"}},
		{401, `{"error":"API key not found"}`, ErrUnauthorized, APIError{Message: "API key not found"}},
		{403, `{"message":"Forbidden"}`, ErrForbidden, APIError{Message: "Forbidden"}},
		{429, `{"message":"slow down"}`, ErrRateLimited, APIError{Message: "slow down"}},
		{400, `{"error_message":"Invalid account no"}`, nil, APIError{Message: "Invalid account no"}},
		// Bill presentment: the top-level error_message is the reason to show, not data.message.
		{400, `{"data":{"message":"Invalid account no"},"error_message":"The provided biller code is invalid"}`, nil,
			APIError{Message: "The provided biller code is invalid"}},
		{400, `{"data":{"statusCode":"43","remarks":"Insufficient_Balance"}}`, nil, APIError{StatusCode: 43, Remarks: "Insufficient_Balance"}},
		{503, `<html>down</html>`, ErrServer, APIError{}},
	} {
		err := error(newAPIError(tt.status, []byte(tt.body)))
		var ae *APIError
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, tt.want.Message, ae.Message, tt.body)
		assert.Equal(t, tt.want.Remarks, ae.Remarks, tt.body)
		if tt.want.StatusCode != 0 {
			assert.Equal(t, tt.want.StatusCode, ae.StatusCode)
		}
		if tt.sentinel != nil {
			assert.ErrorIs(t, err, tt.sentinel)
		}
		for _, other := range []error{ErrUnauthorized, ErrForbidden, ErrRateLimited, ErrServer} {
			if other != tt.sentinel {
				assert.NotErrorIs(t, err, other)
			}
		}
	}
}

func TestErrorBodiesAreCapped(t *testing.T) {
	t.Parallel()
	body := []byte(strings.Repeat("x", 10*maxErrorBody))
	e := newAPIError(500, body)
	assert.Len(t, e.Body, maxErrorBody)
	assert.Less(t, len(e.Error()), 500)
}

// FuzzDecode feeds arbitrary bodies to the response decoder of every
// result type: no panic, and success only with a complete value.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"balance.json", "product_list.json", "networkstatus_healthy.json", "topup_success.json",
		"topup_processing.json", "topup_failed.json", "topup_400_invalid_denomination.json", "transactions.json", "callback_post_grab_gift.json"} {
		f.Add(200, fixture(f, name))
	}
	f.Add(200, []byte(`{"data":{"statusCode":"1e3"}}`))
	f.Add(502, []byte(`<html>`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		check := func(ok bool, err error) {
			if err == nil {
				require.True(t, ok, "success without data")
				return
			}
			var me *MalformedResponseError
			var ae *APIError
			require.True(t, errors.As(err, &me) || errors.As(err, &ae), "untyped error %T", err)
			if me != nil {
				require.Equal(t, status, me.HTTPStatus)
				require.LessOrEqual(t, len(me.Body), maxErrorBody)
			}
		}
		b, err := decode[envelope[Balance]](status, body)
		check(b != nil && b.Data != nil, err)
		p, err := decode[envelope[[]Product]](status, body)
		check(p != nil && p.Data != nil, err)
		n, err := decode[envelope[NetworkStatus]](status, body)
		check(n != nil && n.Data != nil, err)
		tx, err := decode[envelope[Transaction]](status, body)
		check(tx != nil && tx.Data != nil, err)
		if err == nil {
			// A decoded transaction re-encodes and decodes to itself.
			again, err := json.Marshal(tx.Data)
			require.NoError(t, err)
			var back Transaction
			require.NoError(t, json.Unmarshal(again, &back))
			require.Equal(t, tx.Data.StatusCode, back.StatusCode)
			require.Equal(t, tx.Data.Amount, back.Amount)
			require.True(t, tx.Data.Timestamp.Equal(back.Timestamp) || tx.Data.Timestamp.Nanosecond() != 0)
		}
		h, err := decode[transactionsBody](status, body)
		check(h != nil && h.Data != nil, err)
	})
}

type emptyResult struct{ X int }

func (*emptyResult) emptyOK() {}

func TestDecodeEmptyBodyOnlyWhereAllowed(t *testing.T) {
	t.Parallel()
	out, err := decode[emptyResult](204, nil)
	require.NoError(t, err)
	assert.Equal(t, emptyResult{}, *out)
	out, err = decode[emptyResult](200, []byte(" \n"))
	require.NoError(t, err)
	assert.Equal(t, emptyResult{}, *out)
	_, err = decode[emptyResult](200, []byte(`{"X":`))
	assert.ErrorIs(t, err, ErrMalformedResponse, "a body that is there must still parse")
	_, err = decode[envelope[Balance]](204, nil)
	assert.ErrorIs(t, err, ErrMalformedResponse, "other results never accept an empty body")
}

// Error bodies keep their diagnostics but never a voucher PIN or an IC
// number, even when the body was cut inside the value.
func TestErrorBodiesHideSecrets(t *testing.T) {
	t.Parallel()
	gift := fixture(t, "callback_post_grab_gift.json")
	for name, body := range map[string][]byte{
		"whole":     gift,
		"cut":       gift[:bytes.Index(gift, []byte("MPHE39"))+3],
		"escaped":   []byte(`{"data":{"pin":"MPH\"E39G3WL","refid":"x"}}`),
		"ic number": []byte(`{"extras":{"ic_number":"900101145678"}}`),
	} {
		t.Run(name, func(t *testing.T) {
			for _, b := range [][]byte{newAPIError(500, body).Body, capBody(body)} {
				assert.NotContains(t, string(b), "MPH", name)
				assert.NotContains(t, string(b), "900101145678", name)
				assert.Contains(t, string(b), "[REDACTED]")
			}
		})
	}
	assert.Contains(t, string(capBody(gift)), `"refid": "321479-0-30f4f209-ee"`, "the rest stays for diagnosis")
}
