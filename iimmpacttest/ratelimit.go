package iimmpacttest

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"
)

// limiterState is what the rate limits remember, guarded by Server.mu.
type limiterState struct {
	sources map[string]*sourceWindow
	buckets map[string]*bucket
}

// sourceWindow counts one source's requests in its current window.
type sourceWindow struct {
	start       time.Time
	count       int
	bannedUntil time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

// banCheck counts a request from ip and answers 403 while ip is banned:
// IIMMPACT's documented rule is that more than 30,000 requests in 5
// minutes from one IP block it for 240 minutes with HTTP 403. The body is
// not documented; the fake's says what happened and until when.
func (s *Server) banCheck(ip string, now time.Time) (response, bool) {
	c := s.cfg.fidelity
	if c.rateLimit == 0 {
		return response{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lim.sources == nil {
		s.lim.sources = map[string]*sourceWindow{}
	}
	w := s.lim.sources[ip]
	if w == nil || !now.Before(w.start.Add(c.rateWindow)) {
		until := time.Time{}
		if w != nil {
			until = w.bannedUntil
		}
		w = &sourceWindow{start: now, bannedUntil: until}
		s.lim.sources[ip] = w
	}
	if now.Before(w.bannedUntil) {
		return bannedResponse(w.bannedUntil, c), true
	}
	w.count++
	if w.count > c.rateLimit {
		w.bannedUntil = now.Add(c.banFor)
		return bannedResponse(w.bannedUntil, c), true
	}
	return response{}, false
}

func bannedResponse(until time.Time, c fidelity) response {
	return errorResponse(http.StatusForbidden, "ip_blocked", fmt.Sprintf(
		"IP blocked for %d minutes after more than %d requests in %s: blocked until %s",
		int(c.banFor/time.Minute), c.rateLimit, c.rateWindow, until.In(myt).Format(layoutTopup)))
}

// catalogLimit takes a token from path's bucket, or answers 429 with
// Retry-After: the whole seconds until a token is back.
func (s *Server) catalogLimit(path string, now time.Time) (response, bool) {
	lim, ok := s.cfg.catalogLimits[path]
	if !ok || lim.perMinute == 0 {
		return response{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lim.buckets == nil {
		s.lim.buckets = map[string]*bucket{}
	}
	b := s.lim.buckets[path]
	if b == nil {
		b = &bucket{tokens: float64(lim.burst), at: now}
		s.lim.buckets[path] = b
	}
	perSecond := float64(lim.perMinute) / 60
	if elapsed := now.Sub(b.at).Seconds(); elapsed > 0 {
		b.tokens = math.Min(float64(lim.burst), b.tokens+elapsed*perSecond)
	}
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return response{}, false
	}
	wait := int64(math.Ceil((1 - b.tokens) / perSecond))
	resp := errorResponse(http.StatusTooManyRequests, "rate_limited",
		fmt.Sprintf("%s allows %d requests a minute (bursts of %d)", path, lim.perMinute, lim.burst))
	resp.header = http.Header{"Retry-After": {strconv.FormatInt(max(1, wait), 10)}}
	return resp, true
}
