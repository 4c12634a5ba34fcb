package reconcile_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/iimmpact-go/iimmpact/reconcile"
	"github.com/stretchr/testify/require"
)

// myt is GMT+8, the zone of IIMMPACT's days.
var myt = time.FixedZone("MYT", 8*60*60)

var mayNoon = time.Date(2025, 5, 15, 12, 0, 0, 0, myt)

// merchant pays through the SDK against the fake and records every answer
// in a SliceLedger the way a payments layer would: only an answer for this
// very request settles a payment; a lost answer leaves it Unknown.
type merchant struct {
	t      *testing.T
	srv    *iimmpacttest.Server
	c      *iimmpact.Client
	ledger *reconcile.SliceLedger
	clock  func() time.Time
}

func newMerchant(t *testing.T, opts ...iimmpacttest.ServerOption) *merchant {
	var n atomic.Int64
	clock := func() time.Time { return mayNoon.Add(time.Duration(n.Add(1)) * time.Millisecond) }
	srv := iimmpacttest.NewServer(append([]iimmpacttest.ServerOption{iimmpacttest.WithServerClock(clock), iimmpacttest.WithBalance(iimmpact.MustParseAmount("1000"))}, opts...)...)
	t.Cleanup(srv.Close)
	c := srv.Client(iimmpact.WithClock(clock), iimmpact.WithRetryPolicy(iimmpact.RetryPolicy{MaxAttempts: 1}))
	return &merchant{t: t, srv: srv, c: c, ledger: reconcile.NewSliceLedger(), clock: clock}
}

// pay sends a topup and records the outcome; it returns the state recorded.
func (m *merchant) pay(refid, product, account, amount string) reconcile.State {
	m.t.Helper()
	req := iimmpact.TopupRequest{RefID: refid, Product: product, Account: account, Amount: iimmpact.MustParseAmount(amount)}
	p := reconcile.Payment{RefID: refid, Product: product, Account: account, Amount: req.Amount, Time: m.clock()}
	tx, err := m.c.Topup(context.Background(), req)
	var apiErr *iimmpact.APIError
	switch {
	case err == nil && tx.StatusCode.IsPending():
		p.State = reconcile.Pending
	case err == nil:
		p.State, p.Status = reconcile.Final, tx.StatusCode
		p.Cost, p.CostKnown = tx.Cost, tx.StatusCode.IsSuccess()
	case errors.Is(err, iimmpact.ErrOutcomeUnknown):
		p.State = reconcile.Unknown
	case errors.As(err, &apiErr) && apiErr.HTTPStatus == 400:
		p.State = reconcile.Rejected
	default:
		m.t.Fatalf("topup %s: %v", refid, err)
	}
	require.NoError(m.t, m.ledger.Add(p))
	return p.State
}

// outside pays without recording: a refid made outside the ledger.
func (m *merchant) outside(refid, product, account, amount string) {
	m.t.Helper()
	_, err := m.c.Topup(context.Background(), iimmpact.TopupRequest{RefID: refid, Product: product, Account: account,
		Amount: iimmpact.MustParseAmount(amount)})
	require.NoError(m.t, err)
}

func (m *merchant) reconciler(opts ...reconcile.Option) *reconcile.Reconciler {
	m.t.Helper()
	r, err := reconcile.New(m.c, m.ledger, append([]reconcile.Option{reconcile.WithClock(m.clock)}, opts...)...)
	require.NoError(m.t, err)
	return r
}

func (m *merchant) run(opts ...reconcile.Option) *reconcile.Report {
	m.t.Helper()
	rep, err := m.reconciler(opts...).Day(context.Background(), mayNoon)
	require.NoError(m.t, err)
	return rep
}

// kinds maps refid (or field, for day-level kinds) to the kinds reported for it.
func kinds(rep *reconcile.Report) map[string][]reconcile.Kind {
	out := map[string][]reconcile.Kind{}
	for _, d := range rep.Discrepancies {
		key := d.RefID
		if key == "" {
			key = d.Field
		}
		out[key] = append(out[key], d.Kind)
	}
	return out
}
