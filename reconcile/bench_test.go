package reconcile_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"iter"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/reconcile"
)

// syntheticDay serves a day (15 May 2025) of n successful D 30 payments
// (cost 29.4) as /v2/transactions and /v2/balance-statement pages, and
// the day before as n more history records (the reconciler's lookback
// day), each page generated from its offset when asked, so the server
// holds nothing: the heap a benchmark measures is the client's and the
// reconciler's.
type syntheticDay struct{ n int }

const (
	benchPrice = "29.4000"
	benchOpen  = 10_000_000 // opening balance, whole ringgit
)

const benchDay, benchDayBefore = "2025-05-15", "2025-05-14"

func benchRefID(i int) string { return "bench-" + strconv.Itoa(1_000_000+i) }

func (d syntheticDay) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	w.Header().Set("Content-Type", "application/json")
	date := q.Get("date")
	switch r.URL.Path {
	case "/v2/transactions":
		offset, _ := strconv.Atoi(q.Get("offset"))
		if date != benchDay && date != benchDayBefore {
			d.n = 0
		}
		_, _ = w.Write(d.history(date, offset, limit))
	case "/v2/balance-statement":
		page, _ := strconv.Atoi(q.Get("page"))
		if date != benchDay {
			page = d.n + 1
		}
		_, _ = w.Write(d.statement(page, limit))
	default:
		http.NotFound(w, r)
	}
}

// cents renders n·29.40 exactly.
func cents(n int) string { return strconv.Itoa(n*2940/100) + "." + fmt.Sprintf("%02d", n*2940%100) }

func (d syntheticDay) history(date string, offset, limit int) []byte {
	b := []byte(`{"data":[`)
	prefix := "bench-"
	if date == benchDayBefore {
		prefix = "before-"
	}
	for i := offset; i < min(d.n, offset+limit); i++ {
		if i > offset {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, `{"trxid":"%d","date":"%s 10:00:00.000","product_code":"D","product_name":"Digi Prepaid",`+
			`"biller_code":null,"product_image_url":"","category":"Prepaid","amount":"30.0000","account":"0123456789",`+
			`"sender":"203.0.113.10","member_id":"3100528","status_code":"20","status_name":"Successful",`+
			`"response_date":"%s 10:00:01.000","price":"%s","sn":"DG%d","pin":"","expiry":"","remarks":null,`+
			`"refid":"%s%d","voucherlink":null,"currency":"MYR"}`, 900_000_000+i, date, date, benchPrice, i, prefix, 1_000_000+i)
	}
	return fmt.Appendf(b, `],"meta":{"transaction_count":"%d","total_amount":"%d","total_price":"%s","profit":"%s",`+
		`"successful_count":"%d","failed_count":"0","pending_count":"0","refund_count":"0"}}`,
		d.n, 30*d.n, cents(d.n), iimmpact.AmountFromInt(int64(30*d.n)).Sub(iimmpact.MustParseAmount(cents(d.n))), d.n)
}

func (d syntheticDay) statement(page, limit int) []byte {
	last := max(1, (d.n+limit-1)/limit)
	b := []byte(`{"data":[`)
	from := (page - 1) * limit
	for i := from; i < min(d.n, from+limit); i++ {
		if i > from {
			b = append(b, ',')
		}
		bal := iimmpact.AmountFromInt(benchOpen).Sub(iimmpact.MustParseAmount(cents(i + 1)))
		b = fmt.Appendf(b, `{"id":%d,"date":"2025-05-15 10:00:01.000","amount":-29.4,"balance":%s,"remarks":"D 0123456789 RM30","type":"TRANSACTION"}`,
			7_000_000+i, bal)
	}
	return fmt.Appendf(b, `],"links":{"first":null,"last":null,"prev":null,"next":null},`+
		`"meta":{"current_page":%d,"last_page":%d,"per_page":%d,"total":%d},`+
		`"summary":{"total_transactions":{"amount":-%s,"count":%d},"total_deposit":0,"total_refund":0}}`,
		page, last, limit, d.n, cents(d.n), d.n)
}

// syntheticLedger yields the same n payments, computed, not stored.
type syntheticLedger struct{ n int }

func (l syntheticLedger) Payments(_ context.Context, _, _ time.Time) iter.Seq2[reconcile.Payment, error] {
	price := iimmpact.MustParseAmount(benchPrice)
	return func(yield func(reconcile.Payment, error) bool) {
		for i := range l.n {
			if !yield(reconcile.Payment{RefID: benchRefID(i), Product: "D", Account: "0123456789", Amount: iimmpact.AmountFromInt(30),
				State: reconcile.Final, Status: iimmpact.StatusSuccessful, Cost: price, CostKnown: true, Time: mayNoon}, nil) {
				return
			}
		}
	}
}

// peakHeap samples the live heap every millisecond until stop is called,
// which returns the largest value seen.
func peakHeap() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { close(done); <-finished; return peak.Load() }
}

func benchClient(b *testing.B, n int) *iimmpact.Client {
	srv := httptest.NewServer(syntheticDay{n})
	b.Cleanup(srv.Close)
	c, err := iimmpact.New("iimm_dev_bench", base64.StdEncoding.EncodeToString(make([]byte, 32)), iimmpact.WithBaseURL(srv.URL))
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkReconcileDay reconciles n payments against n records and n
// statement entries, reading n more records of the lookback day. The
// baseline, BenchmarkFetchPages, reads the same pages through the same
// client without reconciling them.
func BenchmarkReconcileDay(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			r, err := reconcile.New(benchClient(b, n), syntheticLedger{n})
			if err != nil {
				b.Fatal(err)
			}
			runtime.GC()
			stop := peakHeap()
			for b.Loop() {
				rep, err := r.Day(context.Background(), mayNoon)
				if err != nil || !rep.Clean() || rep.Matched != n {
					b.Fatalf("err %v, %d matched: %s", err, rep.Matched, rep)
				}
			}
			b.ReportMetric(float64(stop())/(1<<20), "peak-heap-MiB")
		})
	}
}

func BenchmarkFetchPages(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			c := benchClient(b, n)
			day := mayNoon
			runtime.GC()
			stop := peakHeap()
			for b.Loop() {
				got := 0
				for _, from := range []time.Time{day.AddDate(0, 0, -1), day} { // the lookback day, then the day
					for _, err := range c.AllTransactions(context.Background(), iimmpact.TransactionQuery{From: from, Limit: 1000}) {
						if err != nil {
							b.Fatal(err)
						}
						got++
					}
				}
				for _, err := range c.AllBalanceStatement(context.Background(), iimmpact.BalanceStatementQuery{From: day, Limit: 1000}) {
					if err != nil {
						b.Fatal(err)
					}
					got++
				}
				if got != 3*n {
					b.Fatalf("%d items", got)
				}
			}
			b.ReportMetric(float64(stop())/(1<<20), "peak-heap-MiB")
		})
	}
}
