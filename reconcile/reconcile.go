package reconcile

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/internal/wire"
)

// Defaults for a Reconciler.
const (
	DefaultSettlingWindow = 30 * time.Minute
	DefaultPageSize       = 1000 // IIMMPACT's largest history page
	DefaultBoundarySkew   = 5 * time.Minute
)

// Reconciler compares a merchant's Ledger with IIMMPACT's history and
// balance statement. It holds no state between runs and is safe for
// concurrent use when its Ledger, Source and Resolver are.
type Reconciler struct {
	src      Source
	ledger   Ledger
	resolver Resolver
	window   time.Duration
	lookback int           // days of history before the window read for their debits
	skew     time.Duration // how far a payment's time may sit from IIMMPACT's across midnight
	pageSize int
	now      func() time.Time
}

// An Option configures a Reconciler.
type Option func(*Reconciler)

// WithResolver settles the ledger's side of OursOpen discrepancies (and a
// success that became a Refund) from the history record, during the run.
func WithResolver(r Resolver) Option { return func(rc *Reconciler) { rc.resolver = r } }

// WithSettlingWindow sets how long after it was sent a payment may still
// be absent from IIMMPACT's history before it is reported Missing.
func WithSettlingWindow(d time.Duration) Option { return func(rc *Reconciler) { rc.window = d } }

// WithLookback sets how many days before the window the history is also
// read, for the successes created then but debited (settled) inside the
// window, such as a payment made at 23:59 that succeeded after midnight.
// Those records are not compared with the ledger: they belong to their own
// day's run. The default is 1; 0 saves a day of history at the price of a
// WalletMismatch whenever a payment settles across midnight.
func WithLookback(days int) Option { return func(rc *Reconciler) { rc.lookback = days } }

// WithBoundarySkew sets how far apart the ledger's time for a payment and
// IIMMPACT's creation time may be, so that a payment sent just before
// midnight and created by IIMMPACT just after it is matched, not reported
// Missing on one day and Unrecorded on the next. The ledger is read this
// much beyond both ends of the window (payments outside the window that
// the history does not hold belong to the neighbouring day's run), and a
// payment of the window's last minutes that the history does not hold is
// looked up in the next day's history for its account. Default 5 minutes.
func WithBoundarySkew(d time.Duration) Option { return func(rc *Reconciler) { rc.skew = d } }

// WithPageSize sets the records (and statement entries) asked for per page.
func WithPageSize(n int) Option { return func(rc *Reconciler) { rc.pageSize = n } }

// WithClock sets the clock the settling window is measured against.
func WithClock(now func() time.Time) Option { return func(rc *Reconciler) { rc.now = now } }

// New returns a Reconciler of ledger against src (an *iimmpact.Client).
func New(src Source, ledger Ledger, opts ...Option) (*Reconciler, error) {
	r := &Reconciler{src: src, ledger: ledger, window: DefaultSettlingWindow, lookback: 1, skew: DefaultBoundarySkew, pageSize: DefaultPageSize, now: time.Now}
	for _, o := range opts {
		o(r)
	}
	switch {
	case src == nil || ledger == nil:
		return nil, errors.New("reconcile: New needs a source and a ledger")
	case r.pageSize < 1 || r.pageSize > DefaultPageSize:
		return nil, fmt.Errorf("reconcile: page size %d is not 1 to %d", r.pageSize, DefaultPageSize)
	case r.window < 0 || r.lookback < 0 || r.skew < 0:
		return nil, errors.New("reconcile: negative settling window, lookback or skew")
	case r.now == nil:
		return nil, errors.New("reconcile: nil clock")
	}
	return r, nil
}

// Day reconciles the GMT+8 calendar day that day falls on (any time of
// it, in any zone).
func (r *Reconciler) Day(ctx context.Context, day time.Time) (*Report, error) {
	return r.Range(ctx, day, day)
}

// Range reconciles the GMT+8 days from through to, inclusive. It reads the
// ledger once into memory (one side's keys), then streams the history and
// the statement a page at a time. An error means the run could not finish
// (a listing failed or did not advance); discrepancies are in the Report.
func (r *Reconciler) Range(ctx context.Context, from, to time.Time) (*Report, error) {
	first, last := midnight(from), midnight(to)
	if last.Before(first) {
		return nil, fmt.Errorf("reconcile: range ends %s before it starts %s", last.Format(time.DateOnly), first.Format(time.DateOnly))
	}
	u := &run{r: r, ctx: ctx, rep: &Report{From: first, To: last}, start: first, end: last.AddDate(0, 0, 1), ours: map[string]Payment{}}
	if err := u.do(); err != nil {
		return nil, err
	}
	return u.rep, nil
}

// do runs the three sources in turn: the ledger into memory, the lookback
// days' and the window's history streamed against it, then the statement.
func (u *run) do() error {
	r, first, last := u.r, u.start, u.rep.To
	if err := u.readLedger(); err != nil {
		return err
	}
	if r.lookback > 0 {
		q := iimmpact.TransactionQuery{From: first.AddDate(0, 0, -r.lookback), To: first.AddDate(0, 0, -1),
			Limit: r.pageSize, Statuses: []string{"SUCCESSFUL"}}
		if _, err := walkHistory(u.ctx, r.src, q, u.earlier); err != nil {
			return err
		}
	}
	meta, err := walkHistory(u.ctx, r.src, iimmpact.TransactionQuery{From: first, To: last, Limit: r.pageSize}, u.record)
	if err != nil {
		return err
	}
	if err := u.leftovers(); err != nil {
		return err
	}
	u.checkMeta(meta)
	summary, err := walkStatement(u.ctx, r.src, iimmpact.BalanceStatementQuery{From: first, To: last, Limit: r.pageSize}, u.entry)
	if err != nil {
		return err
	}
	u.rep.Wallet.Summary = summary
	u.checkSummary()
	u.checkWallet()
	return nil
}

func midnight(t time.Time) time.Time {
	y, m, d := t.In(wire.MYT).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, wire.MYT)
}

// run is the state of one reconciliation.
type run struct {
	r     *Reconciler
	ctx   context.Context
	rep   *Report
	start time.Time // midnight before the first day
	end   time.Time // midnight after the last day
	ours  map[string]Payment
	prev  *iimmpact.StatementEntry // the last statement entry seen
}

// readLedger holds the ledger's payments of the window, and of the skew
// either side of it, by refid.
func (u *run) readLedger() error {
	for p, err := range u.r.ledger.Payments(u.ctx, u.start.Add(-u.r.skew), u.end.Add(u.r.skew)) {
		if err != nil {
			return fmt.Errorf("reconcile: ledger: %w", err)
		}
		if _, dup := u.ours[p.RefID]; dup {
			return fmt.Errorf("reconcile: ledger yields refid %s twice", p.RefID)
		}
		u.ours[p.RefID] = p
		if u.inWindow(&p) {
			u.rep.Ours++
		}
	}
	return nil
}

func (u *run) inWindow(p *Payment) bool { return !p.Time.Before(u.start) && p.Time.Before(u.end) }

func (u *run) add(d Discrepancy) { u.rep.Discrepancies = append(u.rep.Discrepancies, d) }
