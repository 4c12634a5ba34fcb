package iimmpact

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"testing"
)

// callbackUnmarshal is the floor the handler is measured against: a bare
// json.Unmarshal of the same POST body into a plain struct, with float
// money and string timestamps.
func callbackUnmarshal(b *testing.B, body []byte) {
	var v struct {
		Data struct {
			StatusCode  int     `json:"statusCode"`
			Status      string  `json:"status"`
			Account     string  `json:"account"`
			Product     string  `json:"product"`
			ProductName string  `json:"productName"`
			Amount      float64 `json:"amount"`
			SN          string  `json:"sn"`
			PIN         string  `json:"pin"`
			Expiry      string  `json:"expiry"`
			Cost        float64 `json:"cost"`
			Balance     float64 `json:"balance"`
			Remarks     string  `json:"remarks"`
			RefID       string  `json:"refid"`
			Timestamp   string  `json:"timestamp"`
			Note        string  `json:"note"`
			VoucherLink string  `json:"voucherlink"`
		} `json:"data"`
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if err := json.Unmarshal(body, &v); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseCallback is ParseCallback alone, both forms.
func BenchmarkParseCallback(b *testing.B) {
	body := fixture(b, "callback_post_digi.json")
	b.Run("POST", func(b *testing.B) {
		r, rd := benchRequest(body)
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			rd.Reset(body)
			if _, err := ParseCallback(r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("GET", func(b *testing.B) {
		r := &http.Request{Method: http.MethodGet, URL: &url.URL{RawQuery: seedGetQuery(b)}, Header: http.Header{}}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ParseCallback(r); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// callbackHandler is a handler for the Digi POST callback from an
// allowlisted peer with the memory store.
func callbackHandler(b *testing.B) *CallbackHandler {
	allow, err := NewIPAllowlist(ProductionCallbackIPs()...)
	if err != nil {
		b.Fatal(err)
	}
	h, err := NewCallbackHandler(CallbackConfig{
		Allowlist: allow,
		Lookup: func(_ context.Context, refID string) (TopupRequest, error) {
			req := seedTopup()
			req.RefID = refID
			return req, nil
		},
		Handle: func(context.Context, *Callback) error { return nil },
	})
	if err != nil {
		b.Fatal(err)
	}
	return h
}

// BenchmarkCallbackNew serves a new callback through the whole handler
// (parse, allowlist, refid match, claim, Handle, complete), a new refid
// each time, beside a bare json.Unmarshal of the same body.
func BenchmarkCallbackNew(b *testing.B) {
	body := fixture(b, "callback_post_digi.json")
	b.Run("impl=baseline", func(b *testing.B) { callbackUnmarshal(b, body) })
	b.Run("impl=sdk", func(b *testing.B) {
		h := callbackHandler(b)
		pre, post, ok := bytes.Cut(body, []byte("digi-reload-20250115-001"))
		if !ok {
			b.Fatal("fixture changed")
		}
		buf := make([]byte, 0, len(body)+16)
		r, rd := benchRequest(body)
		w := newBenchWriter()
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		i := 0
		for b.Loop() {
			i++
			buf = append(strconv.AppendInt(append(buf[:0], pre...), int64(i), 10), post...)
			rd.Reset(buf)
			r.ContentLength = int64(len(buf))
			w.code = 0
			h.ServeHTTP(w, r)
			if w.code != http.StatusOK {
				b.Fatalf("HTTP %d", w.code)
			}
		}
	})
}

// BenchmarkCallbackDuplicate serves a duplicate callback, acknowledged
// from the store without acting, beside a bare json.Unmarshal of it.
func BenchmarkCallbackDuplicate(b *testing.B) {
	body := fixture(b, "callback_post_digi.json")
	b.Run("impl=baseline", func(b *testing.B) { callbackUnmarshal(b, body) })
	b.Run("impl=sdk", func(b *testing.B) {
		h := callbackHandler(b)
		r, rd := benchRequest(body)
		w := newBenchWriter()
		h.ServeHTTP(w, r) // the first delivery acts; every one below is a duplicate
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			rd.Reset(body)
			w.code = 0
			h.ServeHTTP(w, r)
			if w.code != http.StatusOK {
				b.Fatalf("HTTP %d", w.code)
			}
		}
	})
}

// benchRequest is a reusable POST from a production callback IP.
func benchRequest(body []byte) (*http.Request, *bytes.Reader) {
	rd := bytes.NewReader(body)
	r := &http.Request{Method: http.MethodPost, URL: &url.URL{Path: "/callback"},
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          benchBody{rd},
		ContentLength: int64(len(body)),
		RemoteAddr:    "18.140.170.98:40123"}
	return r.WithContext(context.Background()), rd
}

type benchBody struct{ *bytes.Reader }

func (benchBody) Close() error { return nil }

// benchWriter is a ResponseWriter that keeps the status and drops the body.
type benchWriter struct {
	h    http.Header
	code int
}

func newBenchWriter() *benchWriter { return &benchWriter{h: http.Header{}} }

func (w *benchWriter) Header() http.Header         { return w.h }
func (w *benchWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *benchWriter) WriteHeader(code int)        { w.code = code }
