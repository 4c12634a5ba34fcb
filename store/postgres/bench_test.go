package postgres

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/iimmpact-go/iimmpact"
)

// BenchmarkCallbackHandler serves Succesful callbacks through one
// CallbackHandler with this store and, in the same run, with the SDK's
// memory store, reporting callbacks/s. "accepted" acts on a new refid each
// time (Lookup, claim, a no-op Handle, complete: two statements here),
// serially and from 16 goroutines; "duplicate" re-sends a handled one (one
// statement).
//
//	.ci/postgres.sh -run '^$' -bench . -benchtime 3s ./...
func BenchmarkCallbackHandler(b *testing.B) {
	stores := []struct {
		name string
		new  func(b *testing.B) iimmpact.CallbackStore
	}{
		{"memory", func(*testing.B) iimmpact.CallbackStore { return iimmpact.NewMemoryCallbackStore() }},
		{"postgres", func(b *testing.B) iimmpact.CallbackStore { return newStore(b, newPool(b, 16)) }},
	}
	for _, st := range stores {
		b.Run("store="+st.name+"/accepted/serial", func(b *testing.B) {
			h, req := benchHandler(b, st.new(b))
			i := 0
			for b.Loop() {
				i++
				serveBench(b, h, req(fmt.Sprintf("bench-%d", i)))
			}
			reportRate(b)
		})
		b.Run("store="+st.name+"/accepted/parallel", func(b *testing.B) {
			h, req := benchHandler(b, st.new(b))
			var next atomic.Int64
			b.SetParallelism(8) // 8 per CPU: the store waits on the network, not the CPU
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					serveBench(b, h, req(fmt.Sprintf("bench-%d", next.Add(1))))
				}
			})
			reportRate(b)
		})
		b.Run("store="+st.name+"/duplicate/serial", func(b *testing.B) {
			h, req := benchHandler(b, st.new(b))
			serveBench(b, h, req("bench-dup"))
			for b.Loop() {
				serveBench(b, h, req("bench-dup"))
			}
			reportRate(b)
		})
	}
}

// benchHandler returns a handler over store whose Lookup knows every refid,
// and a function that builds the POST callback for a refid.
func benchHandler(b *testing.B, store iimmpact.CallbackStore) (*iimmpact.CallbackHandler, func(refID string) *http.Request) {
	b.Helper()
	tmpl := iimmpact.TopupRequest{RefID: "REFID", Product: "D", Account: "0123456789", Amount: iimmpact.AmountFromInt(10)}
	allow, err := iimmpact.NewIPAllowlist(iimmpact.ProductionCallbackIPs()...)
	if err != nil {
		b.Fatal(err)
	}
	h, err := iimmpact.NewCallbackHandler(iimmpact.CallbackConfig{
		Allowlist: allow,
		Lookup: func(_ context.Context, refID string) (iimmpact.TopupRequest, error) {
			req := tmpl
			req.RefID = refID
			return req, nil
		},
		Handle: func(context.Context, *iimmpact.Callback) error { return nil },
		Store:  store,
	})
	if err != nil {
		b.Fatal(err)
	}
	raw, err := transaction(payment{req: tmpl}, iimmpact.StatusSuccessful).MarshalJSON()
	if err != nil {
		b.Fatal(err)
	}
	pre, post, _ := strings.Cut(`{"data":`+string(raw)+`}`, `"REFID"`)
	return h, func(refID string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(pre+`"`+refID+`"`+post))
		r.Header.Set("Content-Type", "application/json")
		r.RemoteAddr = iimmpact.ProductionCallbackIPs()[0] + ":41234"
		return r
	}
}

func serveBench(b *testing.B, h *iimmpact.CallbackHandler, r *http.Request) {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		b.Errorf("HTTP %d: %s", w.Code, w.Body)
	}
}

func reportRate(b *testing.B) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "callbacks/s")
}
