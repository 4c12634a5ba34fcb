package payments

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Run resolves payments until ctx ends: every payment that is recorded but
// past its send grace, sent, unknown, pending or manual is asked about
// again with its own refid when due (see WithPollSchedule), one past the
// horizon is marked StateManual, and owed effects are delivered. Requests
// are paced by WithResolverRate. Run as many as you like, in any number of
// processes: the store's Claim hands each payment to one of them at a time.
// Run returns ctx's error.
func (m *Manager) Run(ctx context.Context) error {
	idle := time.NewTimer(0) // one timer for the loop's life, reset per idle wait
	defer idle.Stop()
	<-idle.C
	for {
		n, err := m.ResolveOnce(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			m.s.logger.LogAttrs(ctx, slog.LevelError, "payments: resolver: "+err.Error())
		}
		if n == 0 || err != nil {
			idle.Reset(m.s.idle)
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-idle.C:
			}
		}
	}
}

// ResolveOnce claims one batch of due payments, works through it and
// reports how many it claimed.
func (m *Manager) ResolveOnce(ctx context.Context) (int, error) {
	now := m.s.now()
	batch, err := m.store.Claim(ctx, now, now.Add(m.s.claimLease), m.batchSize())
	if err != nil || len(batch) == 0 {
		return 0, err
	}
	work := make(chan Payment)
	var wg sync.WaitGroup
	for range min(m.s.workers, len(batch)) {
		wg.Go(func() {
			for p := range work {
				m.resolve(ctx, p)
			}
		})
	}
	for _, p := range batch {
		work <- p
	}
	close(work)
	wg.Wait()
	return len(batch), nil
}

// batchSize is about two seconds of requests at the paced rate: small
// enough that the claim lease never lapses while a payment waits its turn.
func (m *Manager) batchSize() int { return max(m.s.workers, int(2*m.s.rate)) }

// resolve does what a claimed payment is due for.
func (m *Manager) resolve(ctx context.Context, p Payment) {
	var err error
	switch {
	case p.EffectsDone < len(p.Effects):
		err = m.owed(ctx, p)
	case !p.State.IsOpen():
	case m.s.now().Sub(p.Created) >= m.s.horizon && p.State != StateManual:
		_, err = m.record(ctx, p, event{kind: evHorizon, source: SourceHorizon,
			reason: "unresolved after " + m.s.horizon.String() + ": reconcile by hand"}, false)
	default:
		if err = m.paced(ctx); err == nil {
			_, err = m.ask(ctx, p, SourceRequery, false)
		}
	}
	if err != nil && ctx.Err() == nil {
		m.s.logger.LogAttrs(ctx, slog.LevelError, "payments: resolver: "+err.Error())
	}
}

// paced waits for the resolver's next slot across all workers; a slot due
// at once still honours an ended ctx.
func (m *Manager) paced(ctx context.Context) error {
	d, err := m.pace.Wait(ctx)
	if err == nil && d == 0 {
		err = ctx.Err()
	}
	return err
}

// owed handles a claimed payment whose effects are owed. This Manager
// delivers them itself; a store that delivers effects does so inside a
// plain rewrite of the row (they were left owed by a writer that does
// not, such as the iimmpact command); with WithEffectsElsewhere the claim
// is handed back at once, for the merchant's own resolver.
func (m *Manager) owed(ctx context.Context, p Payment) error {
	var err error
	switch {
	case m.s.elsewhere:
		_, err = m.update(ctx, p, func(q *Payment, _ time.Time) bool {
			if q.EffectsDone >= len(q.Effects) || q.EffectToken != 0 {
				return false // delivered meanwhile, or a worker is delivering
			}
			q.EffectLease = time.Time{} // due again now
			return true
		})
	case m.storeEffects:
		_, err = m.update(ctx, p, func(q *Payment, _ time.Time) bool { return q.EffectsDone < len(q.Effects) })
	default:
		token := randToken()
		if p, err = m.update(ctx, p, func(q *Payment, now time.Time) bool { return m.takeEffects(q, now, token) }); err == nil {
			_, err = m.deliver(ctx, p, token)
		}
	}
	return err
}
