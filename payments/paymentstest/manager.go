package paymentstest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/iimmpact-go/iimmpact/payments"
)

// diff compares two payments through their stored form, which is what a
// store must keep; "" means equal.
func diff(got, want payments.Payment) string {
	g, err1 := json.Marshal(got)
	w, err2 := json.Marshal(want)
	if err := errors.Join(err1, err2); err != nil {
		return err.Error()
	}
	var gv, wv any
	_ = json.Unmarshal(g, &gv)
	_ = json.Unmarshal(w, &wv)
	if fmt.Sprint(normal(gv)) != fmt.Sprint(normal(wv)) {
		return fmt.Sprintf("\n got %s\nwant %s", g, w)
	}
	return ""
}

// normal reads times in any zone as the same instant.
func normal(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			v[k] = normal(x)
		}
	case []any:
		for i, x := range v {
			v[i] = normal(x)
		}
	case string:
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return t.UTC().Format(time.RFC3339Nano)
		}
	}
	return v
}

// effects records delivered effects, for the manager-level cases.
type effects struct {
	mu      sync.Mutex
	keys    map[string][]string // refid -> effect keys in delivery order
	active  map[string]int      // refid -> deliveries running now
	overlap int                 // deliveries that found another running for their refid
}

func (e *effects) deliver(_ context.Context, fx payments.Effect, _ payments.Payment) error {
	e.mu.Lock()
	if e.active[fx.RefID]++; e.active[fx.RefID] > 1 {
		e.overlap++
	}
	e.keys[fx.RefID] = append(e.keys[fx.RefID], fx.Key)
	e.mu.Unlock()
	time.Sleep(time.Millisecond) // long enough for a concurrent delivery to show
	e.mu.Lock()
	e.active[fx.RefID]--
	e.mu.Unlock()
	return nil
}

func (e *effects) of(refID string) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.keys[refID]...)
}

func newManager(t *testing.T, s payments.Store) (*payments.Manager, *effects) {
	t.Helper()
	srv := iimmpacttest.NewServer()
	t.Cleanup(srv.Close)
	fx := &effects{keys: map[string][]string{}, active: map[string]int{}}
	m, err := payments.New(srv.Client(), s, payments.WithEffects(fx.deliver))
	if err != nil {
		t.Fatal(err)
	}
	return m, fx
}

func tx(refID string, code iimmpact.StatusCode) *iimmpact.Transaction {
	r := request(refID)
	return &iimmpact.Transaction{StatusCode: code, RefID: refID, Product: r.Product, Account: r.Account, Amount: r.Amount}
}

func testTransitions(t *testing.T, s payments.Store) {
	ctx := context.Background()
	m, fx := newManager(t, s)
	for i, c := range []struct {
		in      []iimmpact.StatusCode
		want    payments.State
		status  iimmpact.StatusCode
		effects []string
	}{
		{[]iimmpact.StatusCode{1, 20}, payments.StateSucceeded, 20, []string{"succeeded"}},
		{[]iimmpact.StatusCode{20, 1}, payments.StateSucceeded, 20, []string{"succeeded"}},             // stale pending
		{[]iimmpact.StatusCode{20, 20, 20}, payments.StateSucceeded, 20, []string{"succeeded"}},        // duplicates
		{[]iimmpact.StatusCode{20, 53}, payments.StateRefunded, 53, []string{"succeeded", "refunded"}}, // refund after success
		{[]iimmpact.StatusCode{53, 20}, payments.StateRefunded, 53, []string{"refunded"}},              // late success after refund
		{[]iimmpact.StatusCode{20, 48}, payments.StateSucceeded, 20, []string{"succeeded"}},            // a final never changes
		{[]iimmpact.StatusCode{48, 20}, payments.StateFailed, 48, []string{"failed-48"}},
		{[]iimmpact.StatusCode{48, 53}, payments.StateFailed, 48, []string{"failed-48"}}, // no refund of a failure
		{[]iimmpact.StatusCode{0, 1, 0}, payments.StatePending, 1, nil},                  // Processing is newer than Accepted
		{[]iimmpact.StatusCode{99}, payments.StateManual, 99, nil},                       // undocumented: never failed
		{[]iimmpact.StatusCode{99, 20}, payments.StateSucceeded, 20, []string{"succeeded"}},
	} {
		id := fmt.Sprintf("t-%02d", i)
		if _, err := m.Start(ctx, request(id)); err != nil {
			t.Fatal(err)
		}
		var p payments.Payment
		for _, code := range c.in {
			var err error
			if p, err = m.Apply(ctx, tx(id, code), payments.SourceCallback); err != nil {
				t.Fatalf("%s: Apply %d: %v", id, code, err)
			}
		}
		if p.State != c.want || p.Status != c.status {
			t.Errorf("%v: state %v status %d, want %v %d", c.in, p.State, p.Status, c.want, c.status)
		}
		var want []string
		for _, e := range c.effects {
			want = append(want, id+"/"+e)
		}
		if got := fx.of(id); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%v: effects %v, want %v", c.in, got, want)
		}
		if stored, _ := s.Get(ctx, id); stored.State != c.want || stored.EffectsDone != len(stored.Effects) {
			t.Errorf("%v: stored %v with %d of %d effects done", c.in, stored.State, stored.EffectsDone, len(stored.Effects))
		}
	}
}

func testStartParams(t *testing.T, s payments.Store) {
	ctx := context.Background()
	m, _ := newManager(t, s)
	first, err := m.Start(ctx, request("sp-1"))
	if err != nil || first.State != payments.StateRecorded {
		t.Fatalf("Start = %v, %v", first.State, err)
	}
	again, err := m.Start(ctx, request("sp-1"))
	if err != nil || again.Version != first.Version || !again.Created.Equal(first.Created) {
		t.Fatalf("second Start = v%d, %v; want the recorded payment unchanged", again.Version, err)
	}
	other := request("sp-1")
	other.Amount = mustAmount("50")
	if _, err := m.Start(ctx, other); !errors.Is(err, payments.ErrParamsDiffer) {
		t.Fatalf("Start with another amount = %v, want ErrParamsDiffer", err)
	}
	if _, err := m.Pay(ctx, other); !errors.Is(err, payments.ErrParamsDiffer) {
		t.Fatalf("Pay with another amount = %v, want ErrParamsDiffer", err)
	}
	if got, _ := s.Get(ctx, "sp-1"); got.Request.Amount != request("sp-1").Amount || got.Attempts != 0 {
		t.Fatalf("a refused Start changed or sent the payment: %+v", got)
	}
}

func testConcurrentCallbacks(t *testing.T, s payments.Store) {
	ctx := context.Background()
	m, fx := newManager(t, s)
	if _, err := m.Start(ctx, request("cb-1")); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 16 {
		code := []iimmpact.StatusCode{1, 20, 53, 20}[i%4]
		wg.Go(func() {
			if _, err := m.Apply(ctx, tx("cb-1", code), payments.SourceCallback); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	p, _ := s.Get(ctx, "cb-1")
	if p.State != payments.StateRefunded {
		t.Fatalf("state %v, want refunded", p.State)
	}
	if fx.overlap > 0 {
		t.Fatalf("%d effect deliveries overlapped another for the same refid", fx.overlap)
	}
	got := fx.of("cb-1")
	if n := len(got); n < 1 || n > 2 || got[n-1] != "cb-1/refunded" || (n == 2 && got[0] != "cb-1/succeeded") {
		t.Fatalf("effects %v: want each once, in state order, ending in the refund", got)
	}
}

// testRejectedOnlyForFirstSend: a 400 settles a payment as rejected only
// as the answer to the send Pay makes right after its Start created the
// record. Paying a refid already recorded, or one a resolver has claimed,
// is a re-send, whose 400 proves nothing about earlier attempts: unknown.
// It relies on the store's Versions (1 from Create, bumped by every Put and
// Claim).
func testRejectedOnlyForFirstSend(t *testing.T, s payments.Store) {
	ctx := context.Background()
	m, fx := newManager(t, s)
	bad := func(refID string) iimmpact.TopupRequest {
		r := request(refID)
		r.Amount = mustAmount("31") // D does not sell 31: HTTP 400 Invalid_Denomination
		return r
	}
	if _, err := m.Start(ctx, bad("rj-claimed")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Claim(ctx, time.Now().Add(time.Hour), time.Now().Add(2*time.Hour), 10); err != nil { // a resolver's
		t.Fatal(err)
	}
	if _, err := m.Start(ctx, bad("rj-recorded")); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		refID   string
		want    payments.State
		effects []string
	}{
		{"rj-first", payments.StateRejected, []string{"rj-first/rejected-58"}},
		{"rj-recorded", payments.StateUnknown, nil},
		{"rj-claimed", payments.StateUnknown, nil},
	} {
		if _, err := m.Pay(ctx, bad(c.refID)); err != nil {
			t.Fatalf("Pay %s: %v", c.refID, err)
		}
		if p, err := s.Get(ctx, c.refID); err != nil || p.State != c.want {
			t.Errorf("%s: stored %v (%v), want %v: %s", c.refID, p.State, err, c.want, p.Reason)
		}
		if got := fx.of(c.refID); fmt.Sprint(got) != fmt.Sprint(c.effects) {
			t.Errorf("%s: effects %v, want %v", c.refID, got, c.effects)
		}
	}
}
