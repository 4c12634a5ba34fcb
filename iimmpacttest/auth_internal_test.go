package iimmpacttest

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// The replay cache forgets nonces whose timestamps have left the window,
// so its size tracks one window of traffic, not the server's lifetime.
func TestNonceCacheStaysBounded(t *testing.T) {
	t.Parallel()
	s := NewUnstartedServer()
	defer s.Close()
	now := time.Unix(1_700_000_000, 0)
	peak := 0
	for i := range 20_000 {
		now = now.Add(100 * time.Millisecond) // 10 requests a second: 3,000 per window
		nonce := "nonce-" + strconv.Itoa(i) + "-padding"
		assert.True(t, s.rememberNonce(nonce, now.Add(timestampWindow), now))
		peak = max(peak, len(s.nonces))
	}
	assert.LessOrEqual(t, peak, 2*3010+1024)
	assert.False(t, s.rememberNonce("nonce-19999-padding", now.Add(timestampWindow), now), "a recent nonce is still remembered")

	// Once its window has passed, a replay fails on the timestamp instead.
	later := now.Add(timestampWindow + 2*time.Second)
	assert.True(t, s.rememberNonce("nonce-19999-padding", later.Add(timestampWindow), later))
}
