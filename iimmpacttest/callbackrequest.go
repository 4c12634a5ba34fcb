package iimmpacttest

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"

	"github.com/iimmpact-go/iimmpact"
)

// NewCallbackRequest returns the transaction callback IIMMPACT would send
// for tx, for unit tests of a merchant's own handler: pass it to
// ServeHTTP. Like httptest.NewRequest it panics on bad input, here a
// method other than "GET" or "POST".
//
// POST carries {"data":{...}} as application/json. GET carries refid,
// status (the numeric code), price (the cost) and message (the JSON of the
// transaction, without the "data" wrapper), form-encoded in that order with
// '+' for spaces, as IIMMPACT's GET sample does. The transaction JSON is
// tx.MarshalJSON: IIMMPACT's field order, timestamp to the second in GMT+8.
//
// RemoteAddr is IIMMPACT's first production callback address, so the
// request passes an allowlist built from iimmpact.ProductionCallbackIPs.
// The URL is "/" (plus the query); set r.URL.Path if your mux routes on it.
func NewCallbackRequest(method string, tx iimmpact.Transaction) *http.Request {
	inner, err := tx.MarshalJSON()
	if err != nil {
		panic("iimmpacttest: NewCallbackRequest: " + err.Error())
	}
	var r *http.Request
	switch method {
	case http.MethodPost:
		body := make([]byte, 0, len(inner)+9)
		body = append(append(append(body, `{"data":`...), inner...), '}')
		r = httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
	case http.MethodGet:
		q := "refid=" + url.QueryEscape(tx.RefID) +
			"&status=" + strconv.Itoa(int(tx.StatusCode)) +
			"&price=" + url.QueryEscape(tx.Cost.String()) +
			"&message=" + url.QueryEscape(string(inner))
		r = httptest.NewRequest(http.MethodGet, "/?"+q, nil)
	default:
		panic("iimmpacttest: NewCallbackRequest: method must be GET or POST, not " + strconv.Quote(method))
	}
	r.RemoteAddr = iimmpact.ProductionCallbackIPs()[0] + ":41234"
	r.Header.Set("User-Agent", "iimmpacttest-callback/1")
	return r
}
