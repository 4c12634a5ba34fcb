package payments_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/iimmpact-go/iimmpact/payments"
	"github.com/stretchr/testify/require"
)

// clock is a settable clock for the Manager (the fake keeps real time).
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ns.Store(time.Now().UnixNano())
	return c
}
func (c *clock) now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *clock) advance(d time.Duration) { c.ns.Add(int64(d)) }

// recorder is the merchant's effect handler.
type recorder struct {
	mu   sync.Mutex
	keys []string
	fail func(payments.Effect) error
}

func (r *recorder) effect(_ context.Context, e payments.Effect, p payments.Payment) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		if err := r.fail(e); err != nil {
			return err
		}
	}
	r.keys = append(r.keys, e.Key)
	return nil
}

func (r *recorder) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.keys...)
}

type rig struct {
	srv   *iimmpacttest.Server
	store *payments.MemoryStore
	m     *payments.Manager
	clock *clock
	fx    *recorder
}

// oneAttempt is a client that does not retry, so each fault reaches the
// layer.
var oneAttempt = iimmpact.WithRetryPolicy(iimmpact.RetryPolicy{MaxAttempts: 1})

func newRig(t *testing.T, srvOpts []iimmpacttest.ServerOption, opts ...payments.Option) *rig {
	t.Helper()
	srv := iimmpacttest.NewServer(srvOpts...)
	t.Cleanup(srv.Close)
	r := &rig{srv: srv, store: payments.NewMemoryStore(), clock: newClock(), fx: &recorder{}}
	opts = append([]payments.Option{payments.WithClock(r.clock.now), payments.WithEffects(r.fx.effect),
		payments.WithResolverRate(payments.MaxRate), payments.WithEffectLease(time.Second, time.Second)}, opts...)
	m, err := payments.New(srv.Client(oneAttempt), r.store, opts...)
	require.NoError(t, err)
	r.m = m
	return r
}

func digi(refID, amount string) iimmpact.TopupRequest {
	a, err := iimmpact.ParseAmount(amount)
	if err != nil {
		panic(err)
	}
	return iimmpact.TopupRequest{RefID: refID, Product: "D", Account: "0123456789", Amount: a}
}

// resolveAt moves the clock by d and runs one resolver batch.
func (r *rig) resolveAt(t *testing.T, d time.Duration) int {
	t.Helper()
	r.clock.advance(d)
	n, err := r.m.ResolveOnce(context.Background())
	require.NoError(t, err)
	return n
}

func (r *rig) state(t *testing.T, refID string) payments.Payment {
	t.Helper()
	p, err := r.m.Get(context.Background(), refID)
	require.NoError(t, err)
	return p
}
