package payments

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"math/rand/v2"
	"reflect"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/internal/pace"
)

// Manager pays through a Client and keeps every payment's truth in a
// Store. Any number of Managers, in any number of processes, may share one
// store: all writes are compare-and-swap on the payment's version, so
// answers, callbacks and re-queries for one refid serialise on its record.
type Manager struct {
	client *iimmpact.Client
	store  Store
	s      settings
	pace   *pace.Limiter
	// storeEffects: the store delivers effects inside its own writes.
	storeEffects bool
}

// EffectDeliverer is implemented by a Store that delivers owed effects
// itself, inside the transaction that records them (exactly once).
type EffectDeliverer interface {
	DeliversEffects() bool
}

// New returns a Manager. client sends and re-asks; store keeps the records.
func New(client *iimmpact.Client, store Store, opts ...Option) (*Manager, error) {
	if client == nil || store == nil {
		return nil, errors.New("payments: New needs a client and a store")
	}
	s := defaults()
	for _, o := range opts {
		o(&s)
	}
	if err := s.validate(); err != nil {
		return nil, err
	}
	m := &Manager{client: client, store: store, s: s, pace: pace.New(time.Duration(float64(time.Second)/s.rate), 1)}
	if d, ok := store.(EffectDeliverer); ok && d.DeliversEffects() {
		m.storeEffects = true
	}
	return m, nil
}

// Start durably records the intent to pay req before anything is sent.
// Starting a refid again returns the recorded payment, unchanged, if req
// is the same request, and an error wrapping ErrParamsDiffer if it is not.
func (m *Manager) Start(ctx context.Context, req iimmpact.TopupRequest) (Payment, error) {
	p, _, err := m.start(ctx, req)
	return p, err
}

// start is Start, and reports whether this call created the record.
func (m *Manager) start(ctx context.Context, req iimmpact.TopupRequest) (Payment, bool, error) {
	if err := req.Validate(); err != nil {
		return Payment{}, false, err
	}
	now := m.s.now()
	p := Payment{Request: req, State: StateRecorded, Created: now, Updated: now, Next: now.Add(m.s.sendGrace)}
	stored, created, err := m.store.Create(ctx, p)
	if err != nil {
		return Payment{}, false, fmt.Errorf("payments: record refid %q: %w", req.RefID, err)
	}
	if !created && !sameRequest(stored.Request, req) {
		return stored, false, fmt.Errorf("%w: refid %q", ErrParamsDiffer, req.RefID)
	}
	return stored, created, nil
}

// sameRequest compares everything that is sent.
func sameRequest(a, b iimmpact.TopupRequest) bool {
	return a.RefID == b.RefID && a.Product == b.Product && a.Account == b.Account &&
		a.Amount == b.Amount && a.Remarks == b.Remarks && reflect.DeepEqual(a.Extras, b.Extras)
}

// Pay is the recommended way to pay: Start, then one Topup with the same
// refid, whose answer goes through the state machine. It returns the
// payment as it then stands; read p.State. A pending or unknown payment is
// not a failure: callbacks and the resolver (Run) settle it, and Wait
// waits for that. A refid already final, or needing manual
// reconciliation, is returned as recorded without sending anything. An
// error means the intent could not be recorded (nothing was sent) or the
// answer could not be recorded (the resolver re-asks).
//
// Only when this call created the record is its send the refid's first,
// whose 4xx refusal proves nothing was created (StateRejected). Paying a
// refid whose record nobody has written since Start first writes it, so
// that the answer to a first send still in flight elsewhere no longer
// passes for the only send's once this one may have reached IIMMPACT.
func (m *Manager) Pay(ctx context.Context, req iimmpact.TopupRequest) (Payment, error) {
	p, created, err := m.start(ctx, req)
	if err == nil && !created && p.untouched() {
		p, err = m.update(ctx, p, func(q *Payment, _ time.Time) bool { return q.untouched() })
	}
	if err != nil || !p.State.IsOpen() || p.State == StateManual {
		return p, err
	}
	return m.ask(ctx, p, SourceAnswer, created)
}

// ask sends the stored request once more and records what it proves;
// firstSend says it is the refid's first send (Pay's, after creating the
// record). The record outlives a caller who gave up meanwhile: an answer
// that arrived is the truth about money, and losing it would cost a
// re-query.
func (m *Manager) ask(ctx context.Context, p Payment, src Source, firstSend bool) (Payment, error) {
	tx, err := m.client.Topup(ctx, p.Request)
	ev := classify(tx, err, src)
	ev.firstSend = firstSend
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return m.record(wctx, p, ev, true)
}

// record applies ev to p (re-read on conflict) and delivers owed effects.
func (m *Manager) record(ctx context.Context, p Payment, ev event, attempt bool) (Payment, error) {
	token := randToken()
	var note func() // the log line of the attempt that was written
	p, err := m.update(ctx, p, func(q *Payment, now time.Time) bool {
		if attempt {
			q.Attempts++
		}
		before := len(q.History)
		changed := apply(q, ev, now)
		snap := *q
		switch {
		case len(q.History) > before:
			note = func() { m.changed(ctx, &snap) }
		case !changed:
			note = func() { m.logConflict(ctx, &snap, ev) }
		default:
			note = nil
		}
		// Only an attempt reschedules an open payment: a callback must not
		// make it due while a resolver's claim (its Next) still holds.
		if attempt || !q.State.IsOpen() || q.Next.IsZero() {
			m.schedule(q, now)
		}
		took := m.takeEffects(q, now, token)
		return attempt || changed || took
	})
	if err != nil {
		return p, err
	}
	if note != nil {
		note()
	}
	return m.deliver(ctx, p, token)
}

// randToken names one delivery of effects; 0 means nobody's.
func randToken() int64 { return rand.Int64N(1<<62) + 1 }

// update writes fn's change to p, re-reading and re-applying it when
// another writer got there first. fn reports whether to write at all.
func (m *Manager) update(ctx context.Context, p Payment, fn func(*Payment, time.Time) bool) (Payment, error) {
	for range 50 {
		now := m.s.now()
		next := p.clone()
		if !fn(&next, now) {
			return p, nil
		}
		next.Updated = now
		next.Version = p.Version + 1
		stored, err := m.store.Put(ctx, next, p.Version)
		if err == nil {
			return stored, nil
		}
		if !errors.Is(err, ErrConflict) {
			return p, fmt.Errorf("payments: write refid %q: %w", p.Request.RefID, err)
		}
		if p, err = m.store.Get(ctx, p.Request.RefID); err != nil {
			return p, fmt.Errorf("payments: re-read refid %q: %w", p.Request.RefID, err)
		}
	}
	return p, fmt.Errorf("payments: write refid %q: %w 50 times", p.Request.RefID, ErrConflict)
}

// schedule sets when the resolver asks next.
func (m *Manager) schedule(p *Payment, now time.Time) {
	switch {
	case !p.State.IsOpen():
		p.Next = time.Time{}
	case p.State == StateManual:
		p.Next = now.Add(m.s.backoffMax)
	case now.Sub(p.Created) >= m.s.horizon:
		p.Next = now // due: the resolver marks it manual
	default:
		p.Next = now.Add(m.backoff(p.Attempts))
	}
}

// backoff is the wait before check n+1: 5–10 s for the first few, then
// doubling to the ceiling, with jitter so a backlog spreads out.
func (m *Manager) backoff(n int) time.Duration {
	lo, hi := m.s.pollMin, m.s.pollMax
	if n > m.s.fastPolls {
		d := lo
		for i := m.s.fastPolls; i < n && d < m.s.backoffMax; i++ {
			d *= 2
		}
		lo, hi = min(d, m.s.backoffMax), min(d+d/2, m.s.backoffMax)
	}
	return pace.Jitter(lo, hi)
}

// Get returns the payment with refID.
func (m *Manager) Get(ctx context.Context, refID string) (Payment, error) {
	return m.store.Get(ctx, refID)
}

// ListCreated yields the payments created in [from, to), oldest first,
// from the store (Store.ListCreated): the merchant's side of a
// reconciliation, which package reconcile reads through its
// PaymentsLedger.
func (m *Manager) ListCreated(ctx context.Context, from, to time.Time) iter.Seq2[Payment, error] {
	return m.store.ListCreated(ctx, from, to)
}

// Abandon gives up a recorded payment that has not had an answer yet, so
// the resolver will not send it. Use it only for an intent you know never
// left this process (say Start without Pay): after a crash a recorded
// payment may have reached IIMMPACT, and if a callback then reports it,
// that truth still moves the payment from abandoned to its real state.
func (m *Manager) Abandon(ctx context.Context, refID string) (Payment, error) {
	p, err := m.store.Get(ctx, refID)
	if err != nil {
		return p, err
	}
	if p.State != StateRecorded {
		return p, fmt.Errorf("%w: refid %q is %s", ErrNotAbandonable, refID, p.State)
	}
	p, err = m.record(ctx, p, event{kind: evAbandon, source: SourceMerchant, reason: "abandoned by the merchant"}, false)
	if err == nil && p.State != StateAbandoned {
		return p, fmt.Errorf("%w: refid %q became %s meanwhile", ErrNotAbandonable, refID, p.State)
	}
	return p, err
}

// Wait polls the store every interval until the payment is final or needs
// manual reconciliation, or ctx ends (then it returns the payment as it
// stands with ctx's error). It never asks IIMMPACT: Run and callbacks do.
func (m *Manager) Wait(ctx context.Context, refID string, interval time.Duration) (Payment, error) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		p, err := m.store.Get(ctx, refID)
		if err != nil || !p.State.IsOpen() || p.State == StateManual {
			return p, err
		}
		select {
		case <-ctx.Done():
			return p, ctx.Err()
		case <-t.C:
		}
	}
}

// logConflict warns when IIMMPACT reports a final status that contradicts
// the final state recorded (a Failed after Succesful): the record keeps the
// first, and a person should look.
func (m *Manager) logConflict(ctx context.Context, p *Payment, ev event) {
	if ev.kind != evStatus || !p.State.IsFinal() || !ev.tx.StatusCode.IsFinal() || ev.tx.StatusCode == p.Status ||
		(p.State == StateRefunded && ev.tx.StatusCode.IsSuccess()) {
		return
	}
	m.s.logger.LogAttrs(ctx, slog.LevelWarn, "payments: IIMMPACT reported a final status that contradicts the record; kept the record",
		slog.String("refid", p.Request.RefID), slog.String("state", p.State.String()), slog.Int("recorded_status", int(p.Status)),
		slog.Int("reported_status", int(ev.tx.StatusCode)), slog.String("source", string(ev.source)))
}

// changed logs a durable state change and tells WithOnChange's observer.
func (m *Manager) changed(ctx context.Context, p *Payment) {
	m.logChange(ctx, p)
	if m.s.onChange != nil {
		q := p.clone()
		m.s.onChange(ctx, q, q.History[len(q.History)-1])
	}
}

func (m *Manager) logChange(ctx context.Context, p *Payment) {
	c := p.History[len(p.History)-1]
	level := slog.LevelInfo
	if p.State == StateManual {
		level = slog.LevelWarn
	}
	m.s.logger.LogAttrs(ctx, level, "payments: state changed", slog.String("refid", p.Request.RefID),
		slog.String("from", c.From.String()), slog.String("to", c.To.String()),
		slog.String("source", string(c.Source)), slog.Int("status_code", int(c.Status)), slog.String("reason", p.Reason))
	if o := m.client.Observer(); o != nil {
		o.PaymentState(ctx, iimmpact.PaymentStateChange{RefID: p.Request.RefID, From: c.From.String(),
			To: c.To.String(), Source: string(c.Source), At: c.At})
	}
}
