package iimmpact

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// benchHistoryPages renders rows records of the seed's history shape as pages
// of limit records, the last one shorter so that a walk stops there.
func benchHistoryPages(b *testing.B, rows, limit int) [][]byte {
	var rec map[string]any
	var seed struct {
		Data []map[string]any `json:"data"`
	}
	if err := json.Unmarshal(fixture(b, "transactions.json"), &seed); err != nil {
		b.Fatal(err)
	}
	rec = seed.Data[0]
	var pages [][]byte
	for start := 0; start < rows; start += limit {
		n := min(limit, rows-start)
		data := make([]map[string]any, n)
		for i := range data {
			r := make(map[string]any, len(rec))
			for k, v := range rec {
				r[k] = v
			}
			r["trxid"] = strconv.Itoa(905000000 + start + i)
			r["refid"] = fmt.Sprintf("digi-reload-%08d", start+i)
			data[i] = r
		}
		body, err := json.Marshal(map[string]any{"data": data, "meta": map[string]string{"transaction_count": strconv.Itoa(rows)}})
		if err != nil {
			b.Fatal(err)
		}
		pages = append(pages, body)
	}
	return pages
}

// pagesTransport answers /v2/transactions from pages, by offset, in memory.
type pagesTransport struct {
	pages [][]byte
	limit int
}

func (p pagesTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	off, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	body := []byte(`{"data":[],"meta":{}}`)
	if i := off / p.limit; i < len(p.pages) {
		body = p.pages[i]
	}
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Request: r}, nil
}

// BenchmarkAllTransactions walks 1,000 history records in pages of 100
// with AllTransactions over an in-memory transport ("sdk"), beside a plain
// encoding/json decode of the same pages into a struct of strings
// ("baseline"). One op is the whole walk; ns/row is per record.
func BenchmarkAllTransactions(b *testing.B) {
	const rows, limit = 999, 100
	pages := benchHistoryPages(b, rows, limit)
	perRow := func(b *testing.B, start time.Time) {
		b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(b.N*rows), "ns/row")
	}
	b.Run("impl=baseline", func(b *testing.B) {
		type record struct {
			TrxID           string `json:"trxid"`
			Date            string `json:"date"`
			ProductCode     string `json:"product_code"`
			ProductName     string `json:"product_name"`
			BillerCode      string `json:"biller_code"`
			ProductImageURL string `json:"product_image_url"`
			Category        string `json:"category"`
			Amount          string `json:"amount"`
			Account         string `json:"account"`
			Sender          string `json:"sender"`
			MemberID        string `json:"member_id"`
			StatusCode      string `json:"status_code"`
			StatusName      string `json:"status_name"`
			ResponseDate    string `json:"response_date"`
			Price           string `json:"price"`
			SN              string `json:"sn"`
			PIN             string `json:"pin"`
			Expiry          string `json:"expiry"`
			Remarks         string `json:"remarks"`
			RefID           string `json:"refid"`
			VoucherLink     string `json:"voucherlink"`
			Currency        string `json:"currency"`
		}
		b.ReportAllocs()
		start := time.Now()
		for b.Loop() {
			n := 0
			for _, body := range pages {
				var page struct {
					Data []record          `json:"data"`
					Meta map[string]string `json:"meta"`
				}
				if err := json.Unmarshal(body, &page); err != nil {
					b.Fatal(err)
				}
				n += len(page.Data)
			}
			if n != rows {
				b.Fatal(n)
			}
		}
		perRow(b, start)
	})
	b.Run("impl=sdk", func(b *testing.B) {
		c, err := New(testKey, testSecret, WithBaseURL("http://127.0.0.1:1"), WithRateLimit(0, 0), // loopback: pacing off
			WithHTTPClient(&http.Client{Transport: pagesTransport{pages, limit}}))
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		q := TransactionQuery{From: testNow, Limit: limit}
		b.ReportAllocs()
		start := time.Now()
		for b.Loop() {
			n := 0
			for _, err := range c.AllTransactions(ctx, q) {
				if err != nil {
					b.Fatal(err)
				}
				n++
			}
			if n != rows {
				b.Fatal(n)
			}
		}
		perRow(b, start)
	})
}
