package reconcile_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"iter"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/iimmpact-go/iimmpact/reconcile"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSliceLedgerTransitions(t *testing.T) {
	ctx := context.Background()
	price := iimmpact.MustParseAmount("29.4")
	rec := func(refid string, code iimmpact.StatusCode) iimmpact.TransactionRecord {
		return iimmpact.TransactionRecord{RefID: refid, StatusCode: code, Price: price}
	}
	l := reconcile.NewSliceLedger(
		reconcile.Payment{RefID: "pending", State: reconcile.Pending},
		reconcile.Payment{RefID: "unknown", State: reconcile.Unknown},
		reconcile.Payment{RefID: "ok", State: reconcile.Final, Status: iimmpact.StatusSuccessful},
		reconcile.Payment{RefID: "failed", State: reconcile.Final, Status: iimmpact.StatusOutOfStock},
		reconcile.Payment{RefID: "refunded", State: reconcile.Final, Status: iimmpact.StatusRefund},
		reconcile.Payment{RefID: "rejected", State: reconcile.Rejected},
	)
	cases := []struct {
		refid   string
		code    iimmpact.StatusCode
		wantErr error // nil: applied
		state   reconcile.State
		status  iimmpact.StatusCode
		cost    bool
	}{
		{"pending", iimmpact.StatusProcessing, errNotFinal, reconcile.Pending, 0, false},
		{"pending", iimmpact.StatusCode(99), errNotFinal, reconcile.Pending, 0, false},
		{"pending", iimmpact.StatusSuccessful, nil, reconcile.Final, iimmpact.StatusSuccessful, true},
		{"pending", iimmpact.StatusSuccessful, nil, reconcile.Final, iimmpact.StatusSuccessful, true}, // again: no-op
		{"unknown", iimmpact.StatusTimeout, nil, reconcile.Final, iimmpact.StatusTimeout, false},
		{"ok", iimmpact.StatusRefund, nil, reconcile.Final, iimmpact.StatusRefund, true},
		{"failed", iimmpact.StatusSuccessful, reconcile.ErrConflict, reconcile.Final, iimmpact.StatusOutOfStock, false},
		{"refunded", iimmpact.StatusSuccessful, reconcile.ErrConflict, reconcile.Final, iimmpact.StatusRefund, false},
		{"rejected", iimmpact.StatusSuccessful, reconcile.ErrConflict, reconcile.Rejected, 0, false},
		{"nobody", iimmpact.StatusSuccessful, reconcile.ErrUnknownRefID, 0, 0, false},
	}
	for _, tc := range cases {
		err := l.ApplyHistory(ctx, rec(tc.refid, tc.code))
		switch tc.wantErr {
		case nil:
			require.NoError(t, err, tc.refid)
		case errNotFinal:
			require.ErrorContains(t, err, "not a final answer", tc.refid)
		default:
			require.ErrorIs(t, err, tc.wantErr, tc.refid)
		}
		p, ok := l.Get(tc.refid)
		if tc.refid == "nobody" {
			assert.False(t, ok)
			continue
		}
		assert.Equal(t, tc.state, p.State, tc.refid)
		assert.Equal(t, tc.status, p.Status, tc.refid)
		assert.Equal(t, tc.cost, p.CostKnown, tc.refid)
	}

	assert.Error(t, l.Add(reconcile.Payment{State: reconcile.Pending}), "no refid")
	assert.Error(t, l.Add(reconcile.Payment{RefID: "x"}), "no state")
	assert.ErrorIs(t, l.Update("nobody", func(*reconcile.Payment) {}), reconcile.ErrUnknownRefID)
	require.NoError(t, l.Update("ok", func(p *reconcile.Payment) { p.RefID = "renamed" }))
	_, ok := l.Get("ok")
	assert.True(t, ok, "Update cannot change the refid")
	assert.Panics(t, func() { reconcile.NewSliceLedger(reconcile.Payment{RefID: "a"}) })
}

var errNotFinal = assertionError("not final")

type assertionError string

func (e assertionError) Error() string { return string(e) }

func TestPaymentAndStateJSON(t *testing.T) {
	p := reconcile.Payment{RefID: "r", Product: "D", Account: "0123", Amount: iimmpact.AmountFromInt(30),
		State: reconcile.Final, Status: iimmpact.StatusSuccessful, Cost: iimmpact.MustParseAmount("29.4"), CostKnown: true, Time: mayNoon}
	b, err := json.Marshal(p)
	require.NoError(t, err)
	assert.JSONEq(t, `{"refid":"r","product":"D","account":"0123","amount":30,"state":"final","status":20,"cost":29.4,"time":"2025-05-15T12:00:00+08:00"}`, string(b))
	p.State, p.CostKnown = reconcile.Unknown, false
	b, _ = json.Marshal(p)
	assert.JSONEq(t, `{"refid":"r","product":"D","account":"0123","amount":30,"state":"unknown","time":"2025-05-15T12:00:00+08:00"}`, string(b))

	for _, s := range []reconcile.State{reconcile.Pending, reconcile.Unknown, reconcile.Final, reconcile.Rejected} {
		text, err := s.MarshalText()
		require.NoError(t, err)
		var back reconcile.State
		require.NoError(t, back.UnmarshalText(text))
		assert.Equal(t, s, back)
	}
	var s reconcile.State
	assert.Error(t, s.UnmarshalText([]byte("done")))
	assert.Equal(t, "State(9)", reconcile.State(9).String())
}

func TestReportJSONRoundTrip(t *testing.T) {
	m := newMerchant(t)
	m.pay("ok-1", "D", "0123456789", "30")
	m.outside("outside-1", "D", "0172222222", "5")
	require.NoError(t, m.ledger.Add(reconcile.Payment{RefID: "lost", Product: "D", Account: "0194444444",
		Amount: iimmpact.AmountFromInt(10), State: reconcile.Unknown, Time: mayNoon.Add(-time.Hour)}))
	m.srv.Refund("ok-1")
	rep := m.run()
	require.Len(t, rep.Discrepancies, 3)
	b, err := json.Marshal(rep)
	require.NoError(t, err)
	var back reconcile.Report
	require.NoError(t, json.Unmarshal(b, &back))
	assert.True(t, back.From.Equal(rep.From))
	back.From, back.To = rep.From, rep.To
	for i := range back.Discrepancies {
		d, o := back.Discrepancies[i], rep.Discrepancies[i]
		if o.Ours != nil {
			assert.True(t, d.Ours.Time.Equal(o.Ours.Time))
			d.Ours.Time = o.Ours.Time
		}
		if o.Theirs != nil {
			assert.True(t, d.Theirs.Date.Equal(o.Theirs.Date) && d.Theirs.ResponseDate.Equal(o.Theirs.ResponseDate))
			d.Theirs.Date, d.Theirs.ResponseDate = o.Theirs.Date, o.Theirs.ResponseDate
		}
	}
	assert.Equal(t, *rep, back)
	assert.Error(t, json.Unmarshal([]byte(`{"from":"15 May","to":"2025-05-15"}`), &back))
	assert.Error(t, json.Unmarshal([]byte(`{"from":"2025-05-15","to":"x"}`), &back))
}

// failingLedger yields one payment and then an error.
type failingLedger struct{ dup bool }

func (l failingLedger) Payments(context.Context, time.Time, time.Time) iter.Seq2[reconcile.Payment, error] {
	return func(yield func(reconcile.Payment, error) bool) {
		p := reconcile.Payment{RefID: "a", State: reconcile.Pending, Time: mayNoon}
		if !yield(p, nil) {
			return
		}
		if l.dup {
			yield(p, nil)
			return
		}
		yield(reconcile.Payment{}, errors.New("disk on fire"))
	}
}

func TestLedgerAndResolverFailures(t *testing.T) {
	m := newMerchant(t)
	for _, l := range []failingLedger{{}, {dup: true}} {
		r, err := reconcile.New(m.c, l)
		require.NoError(t, err)
		_, err = r.Day(context.Background(), mayNoon)
		assert.Error(t, err, "a ledger that fails or repeats a refid cannot be reconciled")
	}

	m.srv.ScriptFaults("/v2/topup", iimmpacttest.ResetFault().AfterProcessing())
	require.Equal(t, reconcile.Unknown, m.pay("u-1", "D", "0123456789", "30"))
	refuse := reconcile.ResolverFunc(func(context.Context, iimmpact.TransactionRecord) error { return errors.New("store is read-only") })
	rep := m.run(reconcile.WithResolver(refuse))
	require.Len(t, rep.Discrepancies, 1)
	assert.False(t, rep.Discrepancies[0].Resolved)
	assert.Equal(t, "store is read-only", rep.Discrepancies[0].ResolveError)
	var buf bytes.Buffer
	require.NoError(t, rep.WriteTable(&buf))
	assert.Contains(t, buf.String(), "refused: store is read-only")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := m.reconciler().Day(ctx, mayNoon)
	assert.ErrorIs(t, err, context.Canceled)
}
