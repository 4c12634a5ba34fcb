package payments

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// EffectFunc is the merchant's reaction to a final state or a refund:
// credit the order, send the voucher, refund the customer. It runs at
// least once per Effect (retried until it returns nil), in state order and
// never for two effects of one refid at once while it returns within its
// context's deadline (the effect lease). Make it idempotent on e.Key.
type EffectFunc func(ctx context.Context, e Effect, p Payment) error

// Option configures New.
type Option func(*settings)

type settings struct {
	effect      EffectFunc
	elsewhere   bool // effects are delivered by other processes
	onChange    ChangeFunc
	logger      *slog.Logger
	now         func() time.Time
	sendGrace   time.Duration
	pollMin     time.Duration
	pollMax     time.Duration
	fastPolls   int
	backoffMax  time.Duration
	horizon     time.Duration
	effectLease time.Duration
	effectRetry time.Duration
	rate        float64
	workers     int
	claimLease  time.Duration
	idle        time.Duration
}

// The defaults. DefaultRate keeps one resolver at 10 requests/s, 3,000 per
// 5 minutes: a tenth of the 30,000 after which IIMMPACT bans the IP, so
// even several replicas' resolvers and live traffic stay clear of it.
const (
	DefaultHorizon   = 24 * time.Hour
	DefaultRate      = 10.0
	DefaultSendGrace = 3 * time.Minute
	// MaxRate is the highest WithResolverRate accepts: 27,000 requests per
	// 5 minutes, a margin under the ban for one process and nothing else.
	MaxRate = 90.0
)

func defaults() settings {
	return settings{
		logger: slog.New(slog.DiscardHandler), now: time.Now,
		sendGrace: DefaultSendGrace, pollMin: 5 * time.Second, pollMax: 10 * time.Second, fastPolls: 6,
		backoffMax: 10 * time.Minute, horizon: DefaultHorizon,
		effectLease: 30 * time.Second, effectRetry: 30 * time.Second,
		rate: DefaultRate, workers: 4, claimLease: 2 * time.Minute, idle: time.Second,
	}
}

// WithEffects delivers effects through f, at least once each. Without it
// effects are recorded and dropped, unless the store delivers them itself
// (the PostgreSQL store's transactional effects, exactly once).
func WithEffects(f EffectFunc) Option { return func(s *settings) { s.effect = f } }

// WithEffectsElsewhere makes this Manager record the effects its changes
// owe and leave them owed, neither delivering them nor marking them done,
// and hand back at once any owed effects its resolver claims: the
// merchant's own service (WithEffects, or the PostgreSQL store's
// transactional effects) delivers them. Tools that share the store with
// that service, such as the iimmpact command's resolve and reconcile, use
// it, since a Manager without WithEffects counts effects as delivered.
func WithEffectsElsewhere() Option { return func(s *settings) { s.elsewhere = true } }

// ChangeFunc observes one state change once it is durable: p as written
// and c, its last Change. It runs in the goroutine that made the change,
// after the write and before effects are delivered; keep it short.
type ChangeFunc func(ctx context.Context, p Payment, c Change)

// WithOnChange calls f for every state change this Manager writes, from
// any source, for metrics or a report of what a resolver run changed.
func WithOnChange(f ChangeFunc) Option { return func(s *settings) { s.onChange = f } }

// WithLogger logs state changes (Info), payments needing manual
// reconciliation (Warn) and failures (Error): refid, states, source and
// status code, never an account number, IC number or PIN.
func WithLogger(l *slog.Logger) Option { return func(s *settings) { s.logger = l } }

// WithClock replaces time.Now, for tests.
func WithClock(now func() time.Time) Option { return func(s *settings) { s.now = now } }

// WithSendGrace is how long after Start the resolver leaves a recorded
// payment to the caller's own Pay before sending it itself (default 3
// minutes: longer than a Topup with the client's retries takes).
func WithSendGrace(d time.Duration) Option { return func(s *settings) { s.sendGrace = d } }

// WithPollSchedule sets how the resolver re-asks an open payment: the
// first fast times after a wait drawn from [shortest, longest] (default 6 times, 5
// to 10 s, IIMMPACT's guidance), then doubling from shortest up to ceiling
// (default 10 minutes).
func WithPollSchedule(shortest, longest time.Duration, fast int, ceiling time.Duration) Option {
	return func(s *settings) { s.pollMin, s.pollMax, s.fastPolls, s.backoffMax = shortest, longest, fast, ceiling }
}

// WithHorizon is how long a payment may stay unresolved before it is
// marked StateManual (default 24 h). It is never marked failed.
func WithHorizon(d time.Duration) Option { return func(s *settings) { s.horizon = d } }

// WithEffectLease bounds one delivery of a payment's effects (default 30
// s); the EffectFunc's context ends then, and a failed delivery is retried
// after retry (default 30 s).
func WithEffectLease(lease, retry time.Duration) Option {
	return func(s *settings) { s.effectLease, s.effectRetry = lease, retry }
}

// WithResolverRate caps the resolver's requests to IIMMPACT per second in
// this process (default DefaultRate, at most MaxRate). Several replicas add
// up, and so does live traffic: keep the sum × 300 well under 30,000.
func WithResolverRate(perSecond float64) Option { return func(s *settings) { s.rate = perSecond } }

// WithResolverWorkers sets how many payments the resolver asks about at
// once (default 4), so slow answers do not hold back the rate.
func WithResolverWorkers(n int) Option { return func(s *settings) { s.workers = n } }

// WithResolverClaim is how long a resolver owns the payments it claimed
// (default 2 minutes); a crashed resolver's payments are due again after.
func WithResolverClaim(d time.Duration) Option { return func(s *settings) { s.claimLease = d } }

// WithResolverIdle is how long Run sleeps when nothing is due (default 1 s).
func WithResolverIdle(d time.Duration) Option { return func(s *settings) { s.idle = d } }

func (s *settings) validate() error {
	switch {
	case s.logger == nil || s.now == nil:
		return errors.New("payments: nil logger or clock")
	case s.pollMin <= 0 || s.pollMax < s.pollMin || s.fastPolls < 0 || s.backoffMax < s.pollMin:
		return fmt.Errorf("payments: poll schedule [%v, %v] ×%d up to %v", s.pollMin, s.pollMax, s.fastPolls, s.backoffMax)
	case s.horizon <= 0 || s.sendGrace <= 0 || s.effectLease <= 0 || s.effectRetry <= 0 || s.claimLease <= 0 || s.idle <= 0:
		return errors.New("payments: horizon, grace, leases and idle must be positive")
	case s.rate <= 0 || s.rate > MaxRate:
		return fmt.Errorf("payments: resolver rate %v/s: want (0, %v]; IIMMPACT bans an IP after 30,000 requests in 5 minutes (100/s)", s.rate, MaxRate)
	case s.elsewhere && s.effect != nil:
		return errors.New("payments: WithEffects and WithEffectsElsewhere say different things; give one")
	case s.workers < 1:
		return errors.New("payments: at least one resolver worker")
	}
	return nil
}
