package iimmpact

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/url"
	"time"

	"github.com/iimmpact-go/iimmpact/internal/pace"
)

// IIMMPACT bans an IP for 240 minutes after 30,000 requests in 5 minutes
// (spec §8). The client's limiter keeps every request under that.
const (
	banRequests = 30000
	banWindow   = 5 * time.Minute
)

// The default pace: 50 requests per second with bursts of 50, at most
// 15,050 requests in any 5 minutes, half of what trips the ban, leaving
// room for a second process on the same IP.
const (
	DefaultRateLimit = 50.0
	DefaultRateBurst = 50
)

type rateSetting struct {
	perSecond float64
	burst     int
}

// WithRateLimit paces every request this client sends — first attempts,
// retries and WaitTopup's polls alike — to perSecond on average with bursts
// of at most burst, shared by all goroutines. A request waits (honouring
// its ctx) rather than being refused. The default is DefaultRateLimit per
// second with bursts of DefaultRateBurst.
//
// New refuses a pace that could reach IIMMPACT's ban (30,000 requests in 5
// minutes) on its own: burst + 300·perSecond must stay below 30,000. Clients
// in several processes behind one IP share that ban: divide it between them.
// perSecond 0 turns pacing off, allowed only for a loopback base URL (a
// local fake such as iimmpacttest, which bans nobody).
func WithRateLimit(perSecond float64, burst int) Option {
	return func(s *settings) { s.rate = &rateSetting{perSecond: perSecond, burst: burst} }
}

// limiter is the client-wide pace (a GCRA token bucket, see package
// pace); the settings, the loopback rule and the logging are the client's.
type limiter struct{ *pace.Limiter }

func newLimiter(r *rateSetting, base string) (*limiter, error) {
	if r == nil {
		r = &rateSetting{perSecond: DefaultRateLimit, burst: DefaultRateBurst}
	}
	switch {
	case r.perSecond == 0 && r.burst == 0:
		if u, err := url.Parse(base); err != nil || !isLoopback(u.Hostname()) {
			return nil, fmt.Errorf("iimmpact: WithRateLimit(0, 0) turns pacing off, allowed only for a loopback base URL")
		}
		return nil, nil
	case math.IsNaN(r.perSecond) || r.perSecond <= 0 || r.burst < 1:
		return nil, fmt.Errorf("iimmpact: WithRateLimit(%v, %d): need a positive rate and a burst of at least 1", r.perSecond, r.burst)
	case float64(r.burst)+r.perSecond*banWindow.Seconds() >= banRequests:
		return nil, fmt.Errorf("iimmpact: WithRateLimit(%v, %d) could send %.0f requests in 5 minutes; %d trip IIMMPACT's 240-minute IP ban",
			r.perSecond, r.burst, float64(r.burst)+r.perSecond*banWindow.Seconds(), banRequests)
	}
	return &limiter{pace.New(time.Duration(float64(time.Second)/r.perSecond), r.burst)}, nil
}

// wait blocks until the next request may go, or ctx ends, and returns how
// long it waited (for the observer). A nil limiter never waits.
func (l *limiter) wait(ctx context.Context, logger *slog.Logger) (time.Duration, error) {
	if l == nil {
		return 0, nil
	}
	d := l.Reserve(time.Now())
	if d == 0 {
		return 0, nil
	}
	if logger != nil {
		logger.LogAttrs(ctx, slog.LevelDebug, "iimmpact: pacing under the client's rate limit", slog.Duration("wait", d))
	}
	return d, l.Await(ctx, d)
}
