package iimmpact

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"testing"
)

// Fuzz modes: what the bytes are.
const (
	fuzzPostBody = iota // a POST body
	fuzzGetQuery        // a raw GET query string
	fuzzInner           // the transaction object, delivered both ways
)

func fuzzPost(body []byte) *http.Request {
	return &http.Request{Method: http.MethodPost, URL: &url.URL{Path: "/"},
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body))}
}

func fuzzGet(rawQuery string) *http.Request {
	return &http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/", RawQuery: rawQuery}, Header: http.Header{}}
}

// FuzzParseCallback: no panic, no partial success (a result has a refid
// and no error, or an error wrapping a sentinel and no result), and the
// POST and GET forms of one transaction parse equal.
func FuzzParseCallback(f *testing.F) {
	for _, name := range []string{"callback_post_digi.json", "callback_post_grab_gift.json"} {
		body := fixture(f, name)
		f.Add(byte(fuzzPostBody), body)
		f.Add(byte(fuzzInner), bytes.TrimSuffix(bytes.TrimPrefix(bytes.TrimSpace(body), []byte(`{`)), []byte(`}`)))
	}
	f.Add(byte(fuzzGetQuery), []byte(seedGetQuery(f)))
	f.Add(byte(fuzzInner), fixture(f, "callback_get_message_decoded.json"))
	f.Add(byte(fuzzInner), []byte(`{"statusCode":"1","refid":7,"cost":"0.10","amount":"10.0000","timestamp":""}`))
	f.Add(byte(fuzzInner), []byte(`{"statusCode":20,"refid":"a","data":{"statusCode":48,"refid":"b"}}`))
	f.Add(byte(fuzzGetQuery), []byte(`refid=a&status=1&price=0&message=%7B%22data%22%3A%7B%22statusCode%22%3A1%2C%22refid%22%3A%22a%22%7D%7D`))
	f.Add(byte(fuzzPostBody), []byte(`{"data":{"statusCode":null,"refid":"a"}}`))
	f.Add(byte(fuzzInner), []byte(`{"statusCode":1,"refid":"a"},"data":{"statusCode":2,"refid":"b"}`))

	f.Fuzz(func(t *testing.T, mode byte, data []byte) {
		switch mode % 3 {
		case fuzzPostBody:
			checkParse(t, http.MethodPost, fuzzPost(data))
		case fuzzGetQuery:
			checkParse(t, http.MethodGet, fuzzGet(string(data)))
		case fuzzInner:
			post := checkParse(t, http.MethodPost, fuzzPost(append(append([]byte(`{"data":`), data...), '}')))
			if post == nil || !json.Valid(data) {
				return // not one JSON value: "{...},"data":{...}" wraps into a different body
			}
			q := url.Values{"refid": {post.RefID}, "status": {strconv.Itoa(int(post.StatusCode))},
				"price": {post.Cost.String()}}
			for _, message := range []string{string(data), `{"data":` + string(data) + `}`} {
				q.Set("message", message)
				raw := q.Encode()
				got, err := ParseCallback(fuzzGet(raw))
				if len(raw) > DefaultMaxCallbackBytes {
					if !errors.Is(err, ErrCallbackTooLarge) {
						t.Fatalf("GET of %d bytes: %v", len(raw), err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("POST parsed but GET did not: %v\nmessage: %s", err, message)
				}
				if !reflect.DeepEqual(post.Transaction, got.Transaction) {
					t.Fatalf("POST and GET differ:\nPOST %#v\nGET  %#v", post.Transaction, got.Transaction)
				}
			}
		}
	})
}

// checkParse parses r and checks the all-or-nothing contract.
func checkParse(t *testing.T, method string, r *http.Request) *Callback {
	t.Helper()
	cb, err := ParseCallback(r)
	if err != nil {
		if cb != nil {
			t.Fatalf("error %v with a result", err)
		}
		known := false
		for _, s := range []error{ErrMalformedCallback, ErrCallbackTooLarge} {
			known = known || errors.Is(err, s)
		}
		if !known {
			t.Fatalf("error %v wraps no sentinel", err)
		}
		return nil
	}
	if cb == nil || cb.RefID == "" || cb.Method != method {
		t.Fatalf("partial success: %#v", cb)
	}
	return cb
}
