// Package paymentstest is the conformance suite every payments.Store must
// pass: the in-memory store runs it in this module, the PostgreSQL store in
// store/postgres. It uses only the standard library's testing package.
package paymentstest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/payments"
)

// NewStore returns an empty store for one test; the suite calls it once
// per subtest and never shares a store between subtests.
type NewStore func(t *testing.T) payments.Store

// Run runs the whole suite against stores made by newStore. The stores
// must not deliver effects themselves (payments.EffectDeliverer): the
// suite checks the Manager's own deliveries.
func Run(t *testing.T, newStore NewStore) {
	for _, c := range []struct {
		name string
		run  func(*testing.T, payments.Store)
	}{
		{"CreateIsIdempotent", testCreateIsIdempotent},
		{"GetUnknown", testGetUnknown},
		{"RoundTrip", testRoundTrip},
		{"PutComparesVersions", testPutComparesVersions},
		{"ClaimDueOldestFirst", testClaimDueOldestFirst},
		{"ClaimOwedEffects", testClaimOwedEffects},
		{"ClaimConcurrentlyDisjoint", testClaimConcurrentlyDisjoint},
		{"StatsAndPrune", testStatsAndPrune},
		{"ListCreated", testListCreated},
		{"Transitions", testTransitions},
		{"StartIdempotentAndParamsDiffer", testStartParams},
		{"ConcurrentCallbacksOneEffect", testConcurrentCallbacks},
		{"RejectedOnlyForFirstSend", testRejectedOnlyForFirstSend},
	} {
		t.Run(c.name, func(t *testing.T) { c.run(t, newStore(t)) })
	}
}

// base is a fixed instant, at microsecond precision as databases keep it.
var base = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func request(refID string) iimmpact.TopupRequest {
	return iimmpact.TopupRequest{RefID: refID, Product: "D", Account: "0123456789", Amount: mustAmount("30"), Remarks: "suite"}
}

func mustAmount(s string) iimmpact.Amount {
	a, err := iimmpact.ParseAmount(s)
	if err != nil {
		panic(err)
	}
	return a
}

func recorded(refID string, next time.Time) payments.Payment {
	return payments.Payment{Request: request(refID), State: payments.StateRecorded, Created: base, Updated: base, Next: next}
}

func create(t *testing.T, s payments.Store, p payments.Payment) payments.Payment {
	t.Helper()
	got, created, err := s.Create(context.Background(), p)
	if err != nil || !created {
		t.Fatalf("Create(%q) = created %v, %v; want a new payment", p.Request.RefID, created, err)
	}
	if got.Version != 1 {
		t.Fatalf("Create(%q): Version %d, want 1", p.Request.RefID, got.Version)
	}
	return got
}

func testCreateIsIdempotent(t *testing.T, s payments.Store) {
	ctx := context.Background()
	first := create(t, s, recorded("c-1", base))
	again := recorded("c-1", base.Add(time.Hour))
	again.Request.Account = "0999999999"
	got, created, err := s.Create(ctx, again)
	if err != nil || created {
		t.Fatalf("second Create = created %v, %v; want the existing payment", created, err)
	}
	if got.Request.Account != first.Request.Account || !got.Next.Equal(first.Next) || got.Version != 1 {
		t.Fatalf("second Create changed or misreported the payment: %+v", got)
	}
}

func testGetUnknown(t *testing.T, s payments.Store) {
	if _, err := s.Get(context.Background(), "nobody"); !errors.Is(err, payments.ErrNotFound) {
		t.Fatalf("Get(unknown) = %v, want ErrNotFound", err)
	}
}

func testRoundTrip(t *testing.T, s payments.Store) {
	ctx := context.Background()
	p := recorded("rt-1", base.Add(5*time.Second))
	p.Request.Extras = &iimmpact.Extras{SubproductCode: "S1", ICNumber: "900101015555", BillerCode: "B", Ref2: "R2"}
	p.State, p.Status, p.Reason, p.Attempts = payments.StateSucceeded, iimmpact.StatusSuccessful, "why", 3
	p.Tx = &iimmpact.Transaction{StatusCode: 20, Status: "Succesful", RefID: "rt-1", Amount: mustAmount("30"), Cost: mustAmount("29.4"), PIN: "1234-5678"}
	p.History = []payments.Change{{At: base, From: payments.StateRecorded, To: payments.StateSucceeded, Status: 20, Source: payments.SourceCallback}}
	p.Effects = []payments.Effect{{Key: "rt-1/succeeded", RefID: "rt-1", State: payments.StateSucceeded, Status: 20, At: base}}
	p.EffectLease, p.EffectToken = base.Add(time.Minute), 42
	create(t, s, p)
	got, err := s.Get(ctx, "rt-1")
	if err != nil {
		t.Fatal(err)
	}
	want := p
	want.Version = 1
	if d := diff(got, want); d != "" {
		t.Fatalf("stored payment differs: %s", d)
	}
}

func testPutComparesVersions(t *testing.T, s payments.Store) {
	ctx := context.Background()
	p := create(t, s, recorded("v-1", base))
	p.State, p.Version = payments.StateUnknown, 2
	got, err := s.Put(ctx, p, 1)
	if err != nil || got.Version != 2 || got.State != payments.StateUnknown {
		t.Fatalf("Put at the right version = %+v, %v", got, err)
	}
	p.State, p.Version = payments.StateSent, 2
	if _, err := s.Put(ctx, p, 1); !errors.Is(err, payments.ErrConflict) {
		t.Fatalf("Put at a stale version = %v, want ErrConflict", err)
	}
	if got, _ := s.Get(ctx, "v-1"); got.State != payments.StateUnknown || got.Version != 2 {
		t.Fatalf("a refused Put changed the payment: %v v%d", got.State, got.Version)
	}
	ghost := recorded("v-ghost", base)
	ghost.Version = 2
	if _, err := s.Put(ctx, ghost, 1); err == nil {
		t.Fatal("Put of a payment never created succeeded")
	}
}

func testClaimDueOldestFirst(t *testing.T, s payments.Store) {
	ctx := context.Background()
	for i, d := range []time.Duration{3, 1, 2, 10} { // seconds after base
		create(t, s, recorded(fmt.Sprintf("due-%d", i), base.Add(d*time.Second)))
	}
	final := recorded("done", base)
	final.State = payments.StateSucceeded
	create(t, s, final)
	now, until := base.Add(5*time.Second), base.Add(time.Minute)
	got, err := s.Claim(ctx, now, until, 2)
	if err != nil {
		t.Fatal(err)
	}
	assertRefIDs(t, "first claim", got, "due-1", "due-2")
	for _, p := range got {
		if !p.Next.Equal(until) || p.Version != 2 {
			t.Fatalf("claimed %s: Next %v Version %d, want %v and 2", p.Request.RefID, p.Next, p.Version, until)
		}
	}
	got, _ = s.Claim(ctx, now, until, 10)
	assertRefIDs(t, "second claim", got, "due-0")
	if got, _ = s.Claim(ctx, now, until, 10); len(got) != 0 {
		t.Fatalf("third claim returned %d payments, want none: the claims hold", len(got))
	}
	got, _ = s.Claim(ctx, until, until.Add(time.Minute), 10)
	if len(got) != 4 || got[0].Request.RefID != "due-3" {
		t.Fatalf("claim after the claims lapsed: %d payments, first %v; want all four, due-3 (due soonest) first", len(got), got)
	}
}

func testClaimOwedEffects(t *testing.T, s payments.Store) {
	ctx := context.Background()
	p := recorded("fx", time.Time{})
	p.State = payments.StateSucceeded
	p.Effects = []payments.Effect{{Key: "fx/succeeded", RefID: "fx", State: payments.StateSucceeded, Status: 20, At: base}}
	create(t, s, p)
	got, err := s.Claim(ctx, base, base.Add(time.Minute), 10)
	if err != nil {
		t.Fatal(err)
	}
	assertRefIDs(t, "owed effects are due", got, "fx")
	if !got[0].EffectLease.Equal(base.Add(time.Minute)) || got[0].EffectToken != 0 {
		t.Fatalf("claim of owed effects: lease %v token %d", got[0].EffectLease, got[0].EffectToken)
	}
	if got, _ = s.Claim(ctx, base.Add(time.Second), base.Add(time.Minute), 10); len(got) != 0 {
		t.Fatal("owed effects claimed twice while the claim holds")
	}
}

func testClaimConcurrentlyDisjoint(t *testing.T, s payments.Store) {
	ctx := context.Background()
	const n = 120
	for i := range n {
		create(t, s, recorded(fmt.Sprintf("cc-%03d", i), base.Add(time.Duration(i)*time.Millisecond)))
	}
	var (
		mu   sync.Mutex
		seen = map[string]int{}
		wg   sync.WaitGroup
		errs = make(chan error, 8)
	)
	for range 8 {
		wg.Go(func() {
			for {
				got, err := s.Claim(ctx, base.Add(time.Second), base.Add(time.Hour), 7)
				if err != nil {
					errs <- err
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, p := range got {
					seen[p.Request.RefID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(seen) != n {
		t.Fatalf("concurrent claims handed out %d of %d payments", len(seen), n)
	}
	for id, c := range seen {
		if c != 1 {
			t.Fatalf("%s was claimed %d times", id, c)
		}
	}
}

func testStatsAndPrune(t *testing.T, s payments.Store) {
	ctx := context.Background()
	open := recorded("open", base.Add(time.Second))
	open.Created = base.Add(-time.Hour)
	create(t, s, open)
	create(t, s, recorded("later", base.Add(time.Hour)))
	old := recorded("old-final", time.Time{})
	old.State, old.Updated = payments.StateFailed, base.Add(-48*time.Hour)
	create(t, s, old)
	owed := old
	owed.Request = request("old-owed")
	owed.Effects = []payments.Effect{{Key: "old-owed/failed-48", RefID: "old-owed", State: payments.StateFailed, Status: 48, At: base}}
	create(t, s, owed)
	st, err := s.Stats(ctx, base.Add(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if st.Counts[payments.StateRecorded] != 2 || st.Counts[payments.StateFailed] != 2 {
		t.Fatalf("counts %v", st.Counts)
	}
	if !st.OldestOpen.Equal(open.Created) {
		t.Fatalf("OldestOpen %v, want %v", st.OldestOpen, open.Created)
	}
	if st.Due != 2 || !st.EarliestDue.Equal(owed.Updated) {
		t.Fatalf("Due %d EarliestDue %v, want 2 and %v", st.Due, st.EarliestDue, owed.Updated)
	}
	n, err := s.Prune(ctx, base.Add(-24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("Prune = %d, %v; want only the delivered old final payment", n, err)
	}
	if _, err := s.Get(ctx, "old-final"); !errors.Is(err, payments.ErrNotFound) {
		t.Fatal("the pruned payment is still there")
	}
	for _, id := range []string{"open", "later", "old-owed"} {
		if _, err := s.Get(ctx, id); err != nil {
			t.Fatalf("Prune removed %s: %v", id, err)
		}
	}
}

func assertRefIDs(t *testing.T, what string, got []payments.Payment, want ...string) {
	t.Helper()
	ids := make([]string, len(got))
	for i, p := range got {
		ids[i] = p.Request.RefID
	}
	if fmt.Sprint(ids) != fmt.Sprint(want) {
		t.Fatalf("%s: %v, want %v", what, ids, want)
	}
}
