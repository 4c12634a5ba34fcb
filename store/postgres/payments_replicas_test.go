package postgres

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/payments"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// inflight watches every /v2/topup any replica sends and records a refid
// asked about by two requests at once.
type inflight struct {
	mu      sync.Mutex
	now     map[string]int
	overlap []string
	next    http.RoundTripper
}

func (f *inflight) RoundTrip(r *http.Request) (*http.Response, error) {
	var body struct {
		RefID string `json:"refid"`
	}
	if r.URL.Path == "/v2/topup" && r.GetBody != nil {
		if b, err := r.GetBody(); err == nil {
			_ = json.NewDecoder(b).Decode(&body)
		}
	}
	f.mu.Lock()
	if f.now[body.RefID]++; body.RefID != "" && f.now[body.RefID] > 1 {
		f.overlap = append(f.overlap, body.RefID)
	}
	f.mu.Unlock()
	defer func() { f.mu.Lock(); f.now[body.RefID]--; f.mu.Unlock() }()
	return f.next.RoundTrip(r)
}

// shuffler is the load balancer in front of the replicas' callback
// handlers: each callback goes to a random replica, and half of them are
// delivered again, later, to another one, so duplicates arrive out of order.
type shuffler struct {
	mu       sync.Mutex
	rng      *rand.Rand
	replicas []http.Handler
	wg       sync.WaitGroup
}

func (s *shuffler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	first, again, delay := s.rng.IntN(len(s.replicas)), s.rng.IntN(len(s.replicas)), s.rng.IntN(300)
	dup := s.rng.IntN(2) == 0
	s.mu.Unlock()
	if dup {
		s.wg.Go(func() {
			time.Sleep(time.Duration(delay) * time.Millisecond)
			s.replicas[again].ServeHTTP(httptest.NewRecorder(), clone(r, body))
		})
	}
	s.replicas[first].ServeHTTP(w, clone(r, body))
}

func clone(r *http.Request, body []byte) *http.Request {
	c := r.Clone(context.Background())
	c.Body = io.NopCloser(bytes.NewReader(body))
	return c
}

// Four replicas share one store and one fake: the crash test's invariants
// hold, and no refid is ever asked about by two requests at once.
func TestPaymentsFourReplicas(t *testing.T) {
	seed := crashSeed(t)
	const n, replicas = 400, 4
	ctx := context.Background()
	pool := newPool(t, 4)
	table, ledger := newPaymentStore(t, pool).table, newLedgerTable(t, pool)
	lb := &shuffler{rng: rand.New(rand.NewPCG(seed, 3))}
	proxy := httptest.NewServer(lb)
	defer proxy.Close()
	srv := faultyFake(t, seed, proxy.URL+"/callback")
	watch := &inflight{now: map[string]int{}, next: http.DefaultTransport}

	var ms []*payments.Manager
	for range replicas {
		store, err := NewPaymentStore(newPool(t, 8), WithPaymentsTable(table), WithTxEffects(ledgerEffect(ledger)))
		require.NoError(t, err)
		client := srv.Client(iimmpact.WithHTTPClient(&http.Client{Transport: watch}),
			iimmpact.WithRetryPolicy(iimmpact.RetryPolicy{MaxAttempts: 1}))
		m, err := payments.New(client, store, payments.WithSendGrace(time.Second),
			payments.WithPollSchedule(20*time.Millisecond, 60*time.Millisecond, 3, 300*time.Millisecond),
			payments.WithResolverRate(payments.MaxRate), payments.WithResolverWorkers(4), payments.WithResolverIdle(20*time.Millisecond))
		require.NoError(t, err)
		h, err := m.CallbackHandler(iimmpact.CallbackConfig{Allowlist: mustLoopback(t)})
		require.NoError(t, err)
		lb.replicas = append(lb.replicas, h)
		ms = append(ms, m)
	}
	var pays sync.WaitGroup
	for i := range n { // each payment paid by one replica, all at once
		pays.Go(func() {
			req := iimmpact.TopupRequest{RefID: fmt.Sprintf("rep-%04d", i), Product: "D", Account: "0123456789", Amount: mustAmount(t, "10")}
			if i%9 == 0 {
				req.Account = "60123450048"
			}
			_, err := ms[i%replicas].Pay(ctx, req)
			assert.NoError(t, err)
		})
	}
	pays.Wait()
	rctx, stop := context.WithCancel(ctx)
	var runs sync.WaitGroup
	for _, m := range ms {
		runs.Go(func() { _ = m.Run(rctx) })
	}
	deadline := time.Now().Add(time.Minute)
	for !allResolved(t, ms[0]) {
		require.True(t, time.Now().Before(deadline), "payments still open after a minute")
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	runs.Wait()
	lb.wg.Wait()
	checkInvariants(t, pool, table, ledger, srv, n, "1000000", nil)
	watch.mu.Lock()
	defer watch.mu.Unlock()
	assert.Empty(t, watch.overlap, "refids asked about by two requests at once")
}

func ledgerEffect(ledger string) TxEffectFunc {
	return func(ctx context.Context, tx pgx.Tx, e payments.Effect, _ payments.Payment) error {
		_, err := tx.Exec(ctx, "INSERT INTO "+ledger+" (refid, key, state) VALUES ($1, $2, $3)", e.RefID, e.Key, e.State.String())
		return err
	}
}

func allResolved(t *testing.T, m *payments.Manager) bool {
	st, err := m.Stats(context.Background())
	require.NoError(t, err)
	for _, s := range payments.States() {
		if s.IsOpen() && s != payments.StateManual && st.Counts[s] > 0 {
			return false
		}
	}
	return true
}

func mustLoopback(t *testing.T) *iimmpact.IPAllowlist {
	a, err := iimmpact.NewIPAllowlist("127.0.0.1")
	require.NoError(t, err)
	return a
}

func mustAmount(t testing.TB, s string) iimmpact.Amount {
	a, err := iimmpact.ParseAmount(s)
	require.NoError(t, err)
	return a
}
