package payments_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/iimmpact-go/iimmpact/payments"
)

// BenchmarkPayMemory is Pay over the memory store interleaved with a bare
// Topup of the same payment against one fake: the layer's own cost, with
// no database in it (store/postgres's BenchmarkPay adds PostgreSQL).
func BenchmarkPayMemory(b *testing.B) {
	srv := iimmpacttest.NewServer(iimmpacttest.WithBalance(iimmpact.MustParseAmount("100000000")))
	defer srv.Close()
	client := srv.Client()
	m, err := payments.New(client, payments.NewMemoryStore())
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	req := func(kind string, i int) iimmpact.TopupRequest {
		return iimmpact.TopupRequest{RefID: kind + strconv.Itoa(i), Product: "D", Account: "0123456789", Amount: iimmpact.MustParseAmount("10")}
	}
	var bare, layer time.Duration
	for i := 0; b.Loop(); i++ {
		t0 := time.Now()
		if _, err := client.Topup(ctx, req("bare-", i)); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if p, err := m.Pay(ctx, req("layer-", i)); err != nil || p.State != payments.StateSucceeded {
			b.Fatal(p.State, err)
		}
		bare, layer = bare+t1.Sub(t0), layer+time.Since(t1)
	}
	b.ReportMetric(float64(bare.Nanoseconds())/float64(b.N), "bare-ns/op")
	b.ReportMetric(float64(layer.Nanoseconds())/float64(b.N), "layer-ns/op")
	b.ReportMetric(float64(layer)/float64(bare), "ratio")
}
