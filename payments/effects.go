package payments

import (
	"context"
	"log/slog"
	"time"
)

// takeEffects takes the effect lease for token in the same write that
// records a state change, when effects are owed and nobody delivers them
// (a resolver's claim, token 0, does not deliver). With no EffectFunc and
// a store that does not deliver them, owed effects are marked done: the
// merchant asked for none. It reports whether it changed p.
func (m *Manager) takeEffects(p *Payment, now time.Time, token int64) bool {
	if p.EffectsDone >= len(p.Effects) || m.storeEffects || m.s.elsewhere {
		return false
	}
	if m.s.effect == nil {
		p.EffectsDone = len(p.Effects)
		return true
	}
	if p.EffectToken != 0 && p.EffectLease.After(now) {
		return false // another worker is delivering
	}
	p.EffectLease, p.EffectToken = now.Add(m.s.effectLease), token
	return true
}

// deliver runs the owed effects in order if p's effect lease is token's,
// then records them done in one write. Effects owed meanwhile (a refund
// recorded while the success was being delivered) are taken on in that
// same write and delivered next, so none waits for the resolver. A failure
// (or a lapsed lease) records how far it got and leaves the rest due after
// the retry delay, for the resolver.
func (m *Manager) deliver(ctx context.Context, p Payment, token int64) (Payment, error) {
	for m.s.effect != nil && p.EffectToken == token && p.EffectsDone < len(p.Effects) {
		done, failed := m.runEffects(ctx, p)
		// The write outlives a cancelled caller: the effects did run.
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		var err error
		p, err = m.update(wctx, p, func(q *Payment, now time.Time) bool {
			if q.EffectToken != token {
				return false // lapsed and taken over; the new holder may repeat them (at least once)
			}
			q.EffectsDone = max(q.EffectsDone, done)
			q.EffectToken, q.EffectLease = 0, time.Time{}
			switch {
			case failed != nil:
				q.EffectLease = now.Add(m.s.effectRetry)
			case q.EffectsDone < len(q.Effects):
				q.EffectToken, q.EffectLease = token, now.Add(m.s.effectLease)
			}
			return true
		})
		cancel()
		if err != nil || failed != nil {
			return p, err
		}
	}
	return p, nil
}

// runEffects delivers p's owed effects in order within the effect lease
// and reports how many are done, and the failure that stopped it.
func (m *Manager) runEffects(ctx context.Context, p Payment) (int, error) {
	work, cancel := context.WithTimeout(ctx, p.EffectLease.Sub(m.s.now())) // the lease, by the Manager's clock
	defer cancel()
	done := p.EffectsDone
	for _, e := range p.Effects[done:] {
		if err := m.s.effect(work, e, p.clone()); err != nil {
			m.s.logger.LogAttrs(ctx, slog.LevelError, "payments: effect failed; it will be retried",
				slog.String("refid", e.RefID), slog.String("key", e.Key), slog.String("error", err.Error()))
			return done, err
		}
		done++
	}
	return done, nil
}
