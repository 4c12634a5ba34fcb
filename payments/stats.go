package payments

import (
	"context"
	"log/slog"
	"time"

	"github.com/iimmpact-go/iimmpact"
)

// Report is the layer's health at one moment.
type Report struct {
	Counts map[State]int
	// OldestOpenAge is how long the oldest payment still open has been
	// unresolved (0 if none).
	OldestOpenAge time.Duration
	// Due counts payments the resolver should be working on now, and Lag
	// is how long the longest-waiting of them has been due: a lag that
	// grows means the resolvers cannot keep up.
	Due int
	Lag time.Duration
}

// Stats reports counts by state, the oldest unresolved payment's age and
// the resolver's lag.
func (m *Manager) Stats(ctx context.Context) (Report, error) {
	now := m.s.now()
	st, err := m.store.Stats(ctx, now)
	if err != nil {
		return Report{}, err
	}
	r := Report{Counts: st.Counts, Due: st.Due}
	if !st.OldestOpen.IsZero() {
		r.OldestOpenAge = now.Sub(st.OldestOpen)
	}
	if st.Due > 0 {
		r.Lag = max(0, now.Sub(st.EarliestDue))
	}
	return r, nil
}

// LogValue writes the report as one slog group.
func (r Report) LogValue() slog.Value {
	attrs := []slog.Attr{slog.Duration("oldest_open_age", r.OldestOpenAge), slog.Int("due", r.Due), slog.Duration("lag", r.Lag)}
	for _, s := range States() {
		if n := r.Counts[s]; n > 0 {
			attrs = append(attrs, slog.Int(s.String(), n))
		}
	}
	return slog.GroupValue(attrs...)
}

// ObservedStats is Stats in the shape the core's Observer gauges take, so
// an OpenTelemetry setup can watch the layer:
//
//	obs.ObservePayments(manager.ObservedStats)
func (m *Manager) ObservedStats(ctx context.Context) (iimmpact.PaymentStats, error) {
	r, err := m.Stats(ctx)
	if err != nil {
		return iimmpact.PaymentStats{}, err
	}
	by := make(map[string]int, len(r.Counts))
	for s, n := range r.Counts {
		by[s.String()] = n
	}
	return iimmpact.PaymentStats{ByState: by, OldestUnresolved: r.OldestOpenAge}, nil
}
