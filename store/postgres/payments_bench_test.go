package postgres

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/iimmpact-go/iimmpact/payments"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
)

// stmtCounter counts every statement a pool sends (BEGIN and COMMIT too).
type stmtCounter struct{ n atomic.Int64 }

func (s *stmtCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	s.n.Add(1)
	return ctx
}
func (s *stmtCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func countingPool(b *testing.B) (*pgxpool.Pool, *stmtCounter) {
	cfg, err := pgxpool.ParseConfig(testDSN(b))
	require.NoError(b, err)
	st := &stmtCounter{}
	cfg.ConnConfig.Tracer = st
	cfg.MaxConns = 4
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	require.NoError(b, err)
	b.Cleanup(pool.Close)
	return pool, st
}

// BenchmarkPay is one successful payment through the payments layer on
// PostgreSQL beside the same payment as a bare Topup, against one fake on
// loopback. The two alternate within every iteration, so machine noise
// hits both alike; it reports each one's time, their ratio and the
// database statements a payment costs (BEGIN and COMMIT counted).
func BenchmarkPay(b *testing.B) {
	srv := iimmpacttest.NewServer(iimmpacttest.WithBalance(iimmpact.MustParseAmount("100000000")))
	defer srv.Close()
	client := srv.Client()
	req := func(kind string, i int) iimmpact.TopupRequest {
		return iimmpact.TopupRequest{RefID: fmt.Sprintf("%s-%d-%d", kind, time.Now().UnixNano(), i), Product: "D", Account: "0123456789", Amount: mustAmount(b, "10")}
	}
	for _, c := range []struct {
		name string
		opts []PaymentOption
		m    []payments.Option
	}{
		{"no-effects", nil, nil},
		{"effects", nil, []payments.Option{payments.WithEffects(func(context.Context, payments.Effect, payments.Payment) error { return nil })}},
		{"tx-effects", []PaymentOption{WithTxEffects(func(ctx context.Context, tx pgx.Tx, e payments.Effect, _ payments.Payment) error {
			_, err := tx.Exec(ctx, "SELECT 1")
			return err
		})}, nil},
	} {
		b.Run(c.name, func(b *testing.B) {
			pool, st := countingPool(b)
			store := newPaymentStore(b, pool, c.opts...)
			m, err := payments.New(client, store, c.m...)
			require.NoError(b, err)
			st.n.Store(0)
			var bare, layer time.Duration
			for i := 0; b.Loop(); i++ {
				t0 := time.Now()
				if _, err := client.Topup(context.Background(), req("bare", i)); err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				p, err := m.Pay(context.Background(), req("layer", i))
				if err != nil || p.State != payments.StateSucceeded {
					b.Fatal(p.State, err)
				}
				bare, layer = bare+t1.Sub(t0), layer+time.Since(t1)
			}
			b.ReportMetric(float64(bare.Nanoseconds())/float64(b.N), "bare-ns/op")
			b.ReportMetric(float64(layer.Nanoseconds())/float64(b.N), "layer-ns/op")
			b.ReportMetric(float64(layer)/float64(bare), "ratio")
			b.ReportMetric(float64(st.n.Load())/float64(b.N), "stmts/op")
		})
	}
}

// BenchmarkResolver re-asks unknown payments at the resolver's highest
// permitted pace (100/s); payments/s is its throughput against the fake.
func BenchmarkResolver(b *testing.B) {
	srv := iimmpacttest.NewServer(iimmpacttest.WithBalance(iimmpact.MustParseAmount("100000000")))
	defer srv.Close()
	pool, st := countingPool(b)
	store := newPaymentStore(b, pool)
	m, err := payments.New(srv.Client(), store, payments.WithResolverRate(payments.MaxRate), payments.WithResolverWorkers(8))
	require.NoError(b, err)
	ctx := context.Background()
	b.StopTimer()
	for i := range b.N {
		r := iimmpact.TopupRequest{RefID: fmt.Sprintf("res-%d", i), Product: "D", Account: "0123456789", Amount: mustAmount(b, "10")}
		now := time.Now().Add(-time.Minute)
		p := payments.Payment{Request: r, State: payments.StateUnknown, Created: now, Updated: now, Next: now}
		_, _, err := store.Create(ctx, p)
		require.NoError(b, err)
	}
	st.n.Store(0)
	b.StartTimer()
	start := time.Now()
	for done := 0; done < b.N; {
		n, err := m.ResolveOnce(ctx)
		require.NoError(b, err)
		done += n
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "payments/s")
	b.ReportMetric(float64(st.n.Load())/float64(b.N), "stmts/op")
}
