package iimmpact

import "time"

// Stats is a read-only snapshot of the client's shared budgets, for gauges.
type Stats struct {
	// RetryTokens is how many retries the client-wide budget allows right
	// now, out of RetryBudget (RetryPolicy.Budget).
	RetryTokens, RetryBudget int
	// LimiterTokens is how many requests the client-wide rate limiter would
	// let through now without waiting, out of LimiterBurst. Both are zero
	// while the client has no rate limiter.
	LimiterTokens float64
	LimiterBurst  int
}

// Stats returns the current budgets. It takes no token and is cheap enough
// to call from a metrics callback.
func (c *Client) Stats() Stats {
	s := Stats{RetryTokens: c.budget.available(), RetryBudget: c.budget.max}
	s.LimiterTokens, s.LimiterBurst = c.limit.available(time.Now())
	return s
}

// available is how many requests may go now without waiting, of the burst.
func (l *limiter) available(now time.Time) (float64, int) {
	if l == nil {
		return 0, 0
	}
	return l.Available(now)
}

// available is the bucket's level now, refill included; it takes nothing.
func (b *tokenBucket) available() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	tokens, _ := b.refill(time.Now())
	return tokens
}
