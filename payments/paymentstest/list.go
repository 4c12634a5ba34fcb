package paymentstest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact/payments"
)

// listed collects what ListCreated yields for [from, to).
func listed(t *testing.T, ctx context.Context, s payments.Store, from, to time.Time) ([]payments.Payment, error) {
	t.Helper()
	var out []payments.Payment
	for p, err := range s.ListCreated(ctx, from, to) {
		if err != nil {
			return out, err
		}
		out = append(out, p)
	}
	return out, nil
}

// testListCreated: the half-open creation window, oldest first, ties by
// refid, every state, payments whole, and early stops and cancellation.
func testListCreated(t *testing.T, s payments.Store) {
	ctx := context.Background()
	at := func(refID string, d time.Duration, st payments.State) {
		p := recorded(refID, base)
		p.Created, p.State = base.Add(d), st
		create(t, s, p)
	}
	at("before", -time.Microsecond, payments.StateSucceeded)
	at("first-b", 0, payments.StatePending)
	at("first-a", 0, payments.StateRecorded) // same instant: refid decides
	at("middle", time.Hour, payments.StateFailed)
	at("last", 2*time.Hour-time.Microsecond, payments.StateAbandoned)
	at("after", 2*time.Hour, payments.StateUnknown)
	p := recorded("middle-2", base)
	p.Created, p.State, p.Reason = base.Add(90*time.Minute), payments.StateSucceeded, "kept whole"
	p.Effects = []payments.Effect{{Key: "middle-2/succeeded", RefID: "middle-2", State: payments.StateSucceeded, Status: 20, At: base}}
	create(t, s, p)

	got, err := listed(t, ctx, s, base, base.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	assertRefIDs(t, "ListCreated [base, base+2h)", got, "first-a", "first-b", "middle", "middle-2", "last")
	want := p
	want.Version = 1
	if d := diff(got[3], want); d != "" {
		t.Fatalf("listed payment differs from the stored one: %s", d)
	}
	if got[4].State != payments.StateAbandoned {
		t.Fatalf("listed state %v, want abandoned", got[4].State)
	}
	if got, _ := listed(t, ctx, s, base.Add(3*time.Hour), base.Add(4*time.Hour)); len(got) != 0 {
		t.Fatalf("an empty window yielded %d payments", len(got))
	}

	n := 0
	for range s.ListCreated(ctx, base.Add(-time.Hour), base.Add(time.Hour*3)) {
		if n++; n == 2 {
			break // the iterator must honour an early stop
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := listed(t, cancelled, s, base, base.Add(2*time.Hour)); !errors.Is(err, context.Canceled) {
		t.Fatalf("ListCreated with a cancelled context: %v, want context.Canceled", err)
	}
}
