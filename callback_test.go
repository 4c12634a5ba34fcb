package iimmpact

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func postCallback(body []byte) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/iimmpact/callback", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return r
}

func getCallback(rawQuery string) *http.Request {
	return httptest.NewRequest(http.MethodGet, "/iimmpact/callback?"+rawQuery, nil)
}

// seedGetQuery is the raw query of IIMMPACT's GET sample, byte for byte.
func seedGetQuery(t testing.TB) string {
	u, err := url.Parse(strings.TrimSpace(string(fixture(t, "callback_get_query.txt"))))
	require.NoError(t, err)
	return u.RawQuery
}

func TestParseCallbackPostSeeds(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		file string
		want Transaction
	}{
		{"callback_post_digi.json", Transaction{
			StatusCode: StatusSuccessful, Status: "Succesful", RefID: "digi-reload-20250115-001",
			Account: "0123456789", Product: "D", ProductName: "Digi Prepaid",
			Amount: MustParseAmount("30"), Cost: MustParseAmount("29.4"), Balance: MustParseAmount("920.6"),
			SN: "DG250115000187", Note: "Top up successful and credited to mobile number.",
			Timestamp: myt("2025-01-15 10:23:51.000"),
		}},
		{"callback_post_grab_gift.json", Transaction{
			StatusCode: StatusSuccessful, Status: "Succesful", RefID: "321479-0-30f4f209-ee",
			Account: "0123456789", Product: "GC", ProductName: "Grab Gift Code",
			Amount: MustParseAmount("5"), Cost: MustParseAmount("5"), Balance: MustParseAmount("50.54"),
			SN: "106648697", PIN: "MPHE39G3WL", Expiry: "20251116",
			Note:        "Insert voucher code into Use Grab Gifts under Use Offers section upon check out",
			VoucherLink: "https://api.grab.com/gifts/v2/go?id=7464957319334bb0afbd5980738a2b50",
			Timestamp:   myt("2025-05-20 13:09:34.000"),
		}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			cb, err := ParseCallback(postCallback(fixture(t, tt.file)))
			require.NoError(t, err)
			assert.Equal(t, http.MethodPost, cb.Method)
			assert.Equal(t, tt.want, cb.Transaction)
			assert.True(t, cb.Timestamp.Equal(tt.want.Timestamp))
			_, off := cb.Timestamp.Zone()
			assert.Equal(t, 8*3600, off, "timestamps are GMT+8")
			assert.Equal(t, OutcomeSuccessful, cb.Outcome())
		})
	}
}

func TestParseCallbackGetSeed(t *testing.T) {
	t.Parallel()
	raw := seedGetQuery(t)
	q, err := url.ParseQuery(raw)
	require.NoError(t, err)
	// The seed is form-encoded: '+' for spaces inside message.
	assert.Contains(t, raw, "Celcom+Prepaid")
	assert.JSONEq(t, string(fixture(t, "callback_get_message_decoded.json")), q.Get("message"))

	cb, err := ParseCallback(getCallback(raw))
	require.NoError(t, err)
	want := Transaction{
		StatusCode: StatusRejectedByProvider, Status: "Failed", RefID: "1234t",
		Account: "0123456789", Product: "C", ProductName: "Celcom Prepaid",
		Amount: MustParseAmount("10"), Cost: MustParseAmount("9.73"), Balance: MustParseAmount("50.54"),
		Remarks: "HC", Timestamp: myt("2025-05-21 14:29:31.710"),
	}
	assert.Equal(t, http.MethodGet, cb.Method)
	assert.Equal(t, want, cb.Transaction)
	// The top-level copies agree with message.
	assert.Equal(t, q.Get("refid"), cb.RefID)
	assert.Equal(t, q.Get("status"), "48")
	assert.Equal(t, MustParseAmount(q.Get("price")), cb.Cost)
	assert.Equal(t, OutcomeFailed, cb.Outcome())

	// The same transaction as a POST parses to the same Transaction.
	post, err := ParseCallback(postCallback([]byte(`{"data":` + q.Get("message") + `}`)))
	require.NoError(t, err)
	assert.Equal(t, post.Transaction, cb.Transaction)
}

func TestParseCallbackGetAcceptsDataWrapper(t *testing.T) {
	t.Parallel()
	msg := string(fixture(t, "callback_get_message_decoded.json"))
	plain, err := ParseCallback(getCallback(seedGetQuery(t)))
	require.NoError(t, err)
	q := url.Values{"refid": {"1234t"}, "status": {"48"}, "price": {"9.73"}, "message": {`{"data":` + msg + `}`}}
	wrapped, err := ParseCallback(getCallback(q.Encode()))
	require.NoError(t, err)
	assert.Equal(t, plain, wrapped)

	// Extra parameters from the merchant's own callback URL are ignored.
	q.Set("token", "abc")
	_, err = ParseCallback(getCallback(q.Encode()))
	require.NoError(t, err)
}

func TestParseCallbackRefuses(t *testing.T) {
	t.Parallel()
	digi := string(fixture(t, "callback_post_digi.json"))
	msg := string(fixture(t, "callback_get_message_decoded.json"))
	getWith := func(mutate func(url.Values)) *http.Request {
		q := url.Values{"refid": {"1234t"}, "status": {"48"}, "price": {"9.73"}, "message": {msg}}
		mutate(q)
		return getCallback(q.Encode())
	}
	withType := func(ct string) *http.Request {
		r := postCallback([]byte(digi))
		r.Header.Set("Content-Type", ct)
		return r
	}
	big := postCallback([]byte(`{"data":{"refid":"x","statusCode":1,"note":"` + strings.Repeat("a", DefaultMaxCallbackBytes) + `"}}`))
	chunked := postCallback(nil)
	chunked.Body = io.NopCloser(strings.NewReader(`{"data":{"refid":"x","statusCode":1,"note":"` + strings.Repeat("a", DefaultMaxCallbackBytes) + `"}}`))
	chunked.ContentLength = -1

	for _, tt := range []struct {
		name string
		req  *http.Request
		want error
	}{
		{"PUT", httptest.NewRequest(http.MethodPut, "/", strings.NewReader(digi)), ErrCallbackMethod},
		{"HEAD", httptest.NewRequest(http.MethodHead, "/?"+seedGetQuery(t), nil), ErrCallbackMethod},
		{"text/plain", withType("text/plain"), ErrCallbackContentType},
		{"form", withType("application/x-www-form-urlencoded"), ErrCallbackContentType},
		{"bad content type", withType("application/json; charset"), ErrCallbackContentType},
		{"over limit, Content-Length", big, ErrCallbackTooLarge},
		{"over limit, chunked", chunked, ErrCallbackTooLarge},
		{"over limit query", getCallback("refid=x&message=" + strings.Repeat("a", DefaultMaxCallbackBytes)), ErrCallbackTooLarge},
		{"empty body", postCallback(nil), ErrMalformedCallback},
		{"not JSON", postCallback([]byte(`refid=1`)), ErrMalformedCallback},
		{"no data", postCallback([]byte(`{"statusCode":20,"refid":"a"}`)), ErrMalformedCallback},
		{"data null", postCallback([]byte(`{"data":null}`)), ErrMalformedCallback},
		{"data array", postCallback([]byte(`{"data":[1]}`)), ErrMalformedCallback},
		{"no statusCode", postCallback([]byte(`{"data":{"refid":"a"}}`)), ErrMalformedCallback},
		{"no refid", postCallback([]byte(`{"data":{"statusCode":20}}`)), ErrMalformedCallback},
		{"refid with newline", postCallback([]byte(`{"data":{"statusCode":20,"refid":"a\nb"}}`)), ErrMalformedCallback},
		{"refid too long", postCallback([]byte(`{"data":{"statusCode":20,"refid":"` + strings.Repeat("r", 51) + `"}}`)), ErrMalformedCallback},
		{"amount out of range", postCallback([]byte(`{"data":{"statusCode":20,"refid":"a","amount":1e30}}`)), ErrMalformedCallback},
		{"amount not a number", postCallback([]byte(`{"data":{"statusCode":20,"refid":"a","amount":"NaN"}}`)), ErrMalformedCallback},
		{"trailing garbage", postCallback([]byte(digi + "x")), ErrMalformedCallback},
		{"message not JSON", getWith(func(q url.Values) { q.Set("message", "statusCode=48") }), ErrMalformedCallback},
		{"message truncated", getWith(func(q url.Values) { q.Set("message", msg[:40]) }), ErrMalformedCallback},
		{"refid mismatch", getWith(func(q url.Values) { q.Set("refid", "1234u") }), ErrMalformedCallback},
		{"status mismatch", getWith(func(q url.Values) { q.Set("status", "20") }), ErrMalformedCallback},
		{"status is text", getWith(func(q url.Values) { q.Set("status", "Failed") }), ErrMalformedCallback},
		{"price mismatch", getWith(func(q url.Values) { q.Set("price", "10") }), ErrMalformedCallback},
		{"price by a sen", getWith(func(q url.Values) { q.Set("price", "9.74") }), ErrMalformedCallback},
		{"price not a number", getWith(func(q url.Values) { q.Set("price", "RM9.73") }), ErrMalformedCallback},
		{"no message", getWith(func(q url.Values) { q.Del("message") }), ErrMalformedCallback},
		{"no price", getWith(func(q url.Values) { q.Del("price") }), ErrMalformedCallback},
		{"two refids", getWith(func(q url.Values) { q.Add("refid", "other") }), ErrMalformedCallback},
		{"bad escape", getCallback("refid=%zz&status=48&price=9.73&message=%7B%7D"), ErrMalformedCallback},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cb, err := ParseCallback(tt.req)
			require.Error(t, err)
			assert.Nil(t, cb)
			assert.ErrorIs(t, err, tt.want)
		})
	}
}

func TestParseCallbackPriceIsExact(t *testing.T) {
	t.Parallel()
	// "9.7300" and 9.73 are the same Amount: equal, not a mismatch.
	q := url.Values{"refid": {"1234t"}, "status": {"48"}, "price": {"9.7300"},
		"message": {string(fixture(t, "callback_get_message_decoded.json"))}}
	_, err := ParseCallback(getCallback(q.Encode()))
	require.NoError(t, err)
}

func TestParseCallbackErrorsNeverQuoteThePIN(t *testing.T) {
	t.Parallel()
	const pin = "PIN5ECRET9"
	bodies := []string{
		`{"data":{"statusCode":20,"refid":"a","pin":{"x":"` + pin + `"}}}`,
		`{"data":{"statusCode":20,"refid":"a","pin":["` + pin + `"]}}`,
		`{"data":{"statusCode":20,"refid":"a","pin":"` + pin + `"x}}`,
		`{"data":{"statusCode":20,"refid":"a","amount":"` + pin + `"}}`,
		`{"data":{"statusCode":20,"refid":"a","timestamp":"` + pin + `"}}`,
		`{"data":{"statusCode":"` + pin + `","refid":"a"}}`,
		`{"data":{"pin":"` + pin + `","refid":"` + strings.Repeat("r", 60) + `","statusCode":20}}`,
	}
	for _, b := range bodies {
		_, err := ParseCallback(postCallback([]byte(b)))
		require.Error(t, err, b)
		assert.NotContains(t, err.Error(), pin)
		assert.NotContains(t, err.Error(), pin[:4])
		// The PIN is also absent from every error in the chain.
		for e := err; e != nil; e = errors.Unwrap(e) {
			assert.NotContains(t, e.Error(), pin[:4])
		}
		q := url.Values{"refid": {"a"}, "status": {"20"}, "price": {"0"}, "message": {b[len(`{"data":`) : len(b)-1]}}
		_, err = ParseCallback(getCallback(q.Encode()))
		require.Error(t, err)
		assert.NotContains(t, err.Error(), pin[:4])
	}
}

func TestCallbackHidesPIN(t *testing.T) {
	t.Parallel()
	cb, err := ParseCallback(postCallback(fixture(t, "callback_post_grab_gift.json")))
	require.NoError(t, err)
	for _, s := range []string{cb.String(), cb.GoString(), fmt.Sprintf("%v", cb), fmt.Sprintf("%+v", cb), fmt.Sprintf("%#v", cb), fmt.Sprintf("%v", *cb)} {
		assert.NotContains(t, s, "MPHE39G3WL")
		assert.Contains(t, s, "321479-0-30f4f209-ee")
	}
}

func TestParseCallbackGetWithoutURL(t *testing.T) {
	t.Parallel()
	_, err := ParseCallback(&http.Request{Method: http.MethodGet})
	assert.ErrorIs(t, err, ErrMalformedCallback)
}
