package postgres

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sequences are the status sequences IIMMPACT sends for one payment.
func sequences() [][]iimmpact.StatusCode {
	return [][]iimmpact.StatusCode{
		{iimmpact.StatusProcessing, iimmpact.StatusSuccessful},
		{iimmpact.StatusProcessing, iimmpact.StatusRejectedByProvider},
		{iimmpact.StatusProcessing, iimmpact.StatusTimeout},
		{iimmpact.StatusSuccessful},
		{iimmpact.StatusInvalidAccount},
		{iimmpact.StatusAccepted, iimmpact.StatusProcessing, iimmpact.StatusSuccessful},
		{iimmpact.StatusSuccessful, iimmpact.StatusRefund}, // the refund acts: a further non-pending status
	}
}

// payment is the merchant's record of one topup and what IIMMPACT will say
// about it.
type payment struct {
	req      iimmpact.TopupRequest
	statuses []iimmpact.StatusCode
}

func newPayments(rng *rand.Rand, n int) map[string]payment {
	seqs := sequences()
	ps := make(map[string]payment, n)
	for i := range n {
		id := fmt.Sprintf("pay-%04d-%08x", i, rng.Uint32())
		ps[id] = payment{
			req: iimmpact.TopupRequest{RefID: id, Product: "D", Account: fmt.Sprintf("01%08d", i),
				Amount: iimmpact.AmountFromInt(int64(5 + i%5*5))},
			statuses: seqs[rng.IntN(len(seqs))],
		}
	}
	return ps
}

// delivery is one callback IIMMPACT sends (again, perhaps).
type delivery struct {
	refID  string
	status iimmpact.StatusCode
}

// newDeliveries sends every status of every payment 1 to 4 times, total
// deliveries in all, in random order.
func newDeliveries(t *testing.T, rng *rand.Rand, ps map[string]payment, total int) []delivery {
	var ds []delivery
	for _, id := range slices.Sorted(maps.Keys(ps)) { // sorted: the seed alone decides the order
		for _, st := range ps[id].statuses {
			ds = append(ds, delivery{id, st})
		}
	}
	require.LessOrEqual(t, len(ds), total, "too few deliveries for every status once")
	require.GreaterOrEqual(t, 4*len(ds), total, "too many deliveries for at most 4 each")
	times := make(map[delivery]int, len(ds))
	for _, d := range ds {
		times[d] = 1
	}
	for n := len(ds); n < total; {
		d := ds[rng.IntN(len(ds))]
		if times[d] < 4 {
			times[d]++
			ds = append(ds, d)
			n++
		}
	}
	rng.Shuffle(len(ds), func(i, j int) { ds[i], ds[j] = ds[j], ds[i] })
	return ds
}

// transaction is what IIMMPACT says about p in a callback with status.
func transaction(p payment, status iimmpact.StatusCode) iimmpact.Transaction {
	word := "Failed"
	switch status {
	case iimmpact.StatusAccepted:
		word = "Accepted"
	case iimmpact.StatusProcessing:
		word = "Processing"
	case iimmpact.StatusSuccessful:
		word = "Succesful" // sic, as IIMMPACT spells it
	case iimmpact.StatusRefund:
		word = "Refund"
	}
	return iimmpact.Transaction{StatusCode: status, Status: word, RefID: p.req.RefID, Account: p.req.Account,
		Product: p.req.Product, ProductName: "Digi Prepaid", Amount: p.req.Amount, Cost: p.req.Amount,
		Balance: iimmpact.AmountFromInt(1000), Timestamp: time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)}
}

// callbackRequest is the callback IIMMPACT sends for p with status, by POST
// or (one time in four) GET.
func callbackRequest(p payment, status iimmpact.StatusCode) *http.Request {
	tx := transaction(p, status)
	method := http.MethodPost
	if rand.IntN(4) == 0 {
		method = http.MethodGet
	}
	return iimmpacttest.NewCallbackRequest(method, tx)
}

// recorder is the merchant's Handle: it records, per refid, the statuses
// it acted on in order, and notices if two calls for one refid overlap.
// Every slowEvery-th call takes slowFor (longer than the lease, so only
// renewal carries it); like any well-behaved Handle it stops, recording
// nothing, when its context ends.
type recorder struct {
	mu        sync.Mutex
	seen      map[string][]iimmpact.StatusCode
	active    map[string]bool
	overlaps  []string
	fail      func(cb *iimmpact.Callback) error // non-nil error: Handle fails without recording
	slowEvery int64
	slowFor   time.Duration
	calls     atomic.Int64
	slowDone  atomic.Int64   // slow calls that acted
	slowSpans [][2]time.Time // when each slow call that acted started and ended
}

func newRecorder() *recorder {
	return &recorder{seen: map[string][]iimmpact.StatusCode{}, active: map[string]bool{}}
}

func (r *recorder) handle(ctx context.Context, cb *iimmpact.Callback) error {
	r.mu.Lock()
	if r.active[cb.RefID] {
		r.overlaps = append(r.overlaps, cb.RefID)
	}
	r.active[cb.RefID] = true
	r.mu.Unlock()
	work := time.Duration(rand.IntN(200)) * time.Microsecond // some work, to widen any race
	began := time.Now()
	slow := r.slowEvery > 0 && r.calls.Add(1)%r.slowEvery == 0
	if slow {
		work = r.slowFor
	}
	t := time.NewTimer(work)
	var stopped error
	select {
	case <-t.C:
	case <-ctx.Done():
		t.Stop()
		stopped = ctx.Err()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.active[cb.RefID] = false
	if stopped != nil {
		return stopped
	}
	if r.fail != nil {
		if err := r.fail(cb); err != nil {
			return err
		}
	}
	r.seen[cb.RefID] = append(r.seen[cb.RefID], cb.StatusCode)
	if slow {
		r.slowDone.Add(1)
		r.slowSpans = append(r.slowSpans, [2]time.Time{began, time.Now()})
	}
	return nil
}

// check asserts what Handle saw, per payment: every non-pending status
// IIMMPACT sent exactly once, except one that arrived only after the
// refund had been handled (never, then); nothing it did not send; and an order the
// memory store would also have acted on (so no status twice, no pending
// status after a final one or after a newer pending one). No two calls for
// one refid overlapped.
func (r *recorder) check(t *testing.T, ps map[string]payment) (calls int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	assert.Empty(t, r.overlaps, "Handle ran twice at once for these refids")
	for id, p := range ps {
		seen := r.seen[id]
		calls += len(seen)
		refunded := count(seen, iimmpact.StatusRefund) > 0
		for _, st := range p.statuses {
			switch {
			case st.IsPending():
			case refunded && st != iimmpact.StatusRefund:
				assert.LessOrEqual(t, count(seen, st), 1, "%s: Handle calls for %v (saw %v)", id, st, seen)
			default:
				assert.Equal(t, 1, count(seen, st), "%s: Handle calls for %v (saw %v)", id, st, seen)
			}
		}
		if i := slices.Index(seen, iimmpact.StatusRefund); i >= 0 {
			assert.Equal(t, len(seen)-1, i, "%s: nothing is handled after the refund (saw %v)", id, seen)
		}
		mem := iimmpact.NewMemoryCallbackStore()
		for _, st := range seen {
			assert.Contains(t, p.statuses, st, "%s: never sent", id)
			l, res, err := mem.Claim(context.Background(), id, st, time.Hour)
			require.NoError(t, err)
			if assert.Equal(t, iimmpact.ClaimAct, res, "%s: %v acted on after %v", id, st, seen) {
				require.NoError(t, mem.Complete(context.Background(), l))
			}
		}
	}
	assert.Len(t, r.seen, len(ps), "a refid nobody paid was handled, or a payment never was")
	return calls
}

func count(xs []iimmpact.StatusCode, x iimmpact.StatusCode) (n int) {
	for _, v := range xs {
		if v == x {
			n++
		}
	}
	return n
}

// replica is one process of the merchant's backend: its own pool, its own
// Store on the shared table, and a CallbackHandler.
type replica struct {
	store *Store
	h     *iimmpact.CallbackHandler
	logs  *lockedBuffer // the handler's Error lines
}

func newReplica(t *testing.T, table string, ps map[string]payment, handle func(context.Context, *iimmpact.Callback) error, lease time.Duration) replica {
	t.Helper()
	store, err := New(newPool(t, 8), WithTable(table))
	require.NoError(t, err)
	allow, err := iimmpact.NewIPAllowlist(iimmpact.ProductionCallbackIPs()...)
	require.NoError(t, err)
	logs := new(lockedBuffer)
	h, err := iimmpact.NewCallbackHandler(iimmpact.CallbackConfig{
		Allowlist: allow,
		Lookup: func(_ context.Context, refID string) (iimmpact.TopupRequest, error) {
			p, ok := ps[refID]
			if !ok {
				return iimmpact.TopupRequest{}, iimmpact.ErrUnknownRefID
			}
			return p.req, nil
		},
		Handle: handle,
		Store:  store,
		Lease:  lease,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelError})),
	})
	require.NoError(t, err)
	return replica{store, h, logs}
}

func (r replica) serve(req *http.Request) int {
	w := httptest.NewRecorder()
	r.h.ServeHTTP(w, req)
	return w.Code
}

// deliverAll plays IIMMPACT: workers goroutines send each delivery to a
// random replica, and send it again after backoff while the answer is 5xx.
// Any other answer but 200 fails the test. onAck, if not nil, hears how many
// deliveries are done after each one. It returns how often each HTTP status
// was answered, and gives up at timeout.
func deliverAll(t *testing.T, replicas []replica, ps map[string]payment, ds []delivery,
	workers int, backoff, timeout time.Duration, onAck func(done int)) map[int]int {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	queue := make(chan delivery, len(ds)) // never more in flight than there are deliveries
	for _, d := range ds {
		queue <- d
	}
	var (
		left    atomic.Int64
		mu      sync.Mutex
		answers = map[int]int{}
		wg      sync.WaitGroup
	)
	left.Store(int64(len(ds)))
	for range workers {
		wg.Go(func() {
			for {
				var d delivery
				select {
				case <-ctx.Done():
					return
				case d = <-queue:
				}
				code := replicas[rand.IntN(len(replicas))].serve(callbackRequest(ps[d.refID], d.status))
				mu.Lock()
				answers[code]++
				mu.Unlock()
				switch {
				case code >= 500:
					time.Sleep(backoff)
					queue <- d
				case code != http.StatusOK:
					t.Errorf("%s status %d: HTTP %d", d.refID, d.status, code)
					fallthrough
				default:
					n := left.Add(-1)
					if onAck != nil {
						onAck(len(ds) - int(n))
					}
					if n == 0 {
						cancel()
					}
				}
			}
		})
	}
	wg.Wait()
	assert.Zero(t, left.Load(), "deliveries still failing after %v", timeout)
	return answers
}

// lockedBuffer is a log destination that concurrent handlers may share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
