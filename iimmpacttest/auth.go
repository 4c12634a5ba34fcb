package iimmpacttest

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// timestampWindow is how far X-Timestamp may be from the fake's clock,
// either way. IIMMPACT does not publish its window; five minutes is the
// spec's working assumption.
const timestampWindow = 300 * time.Second

// authFailure is a 401 answer: {"error": code, "message": message}.
type authFailure struct {
	code    string
	message string
}

// authenticate checks the four IIMMPACT v2 headers against the raw body
// and query exactly as received. It records the nonce only once the
// signature is proven, so unsigned junk cannot fill the replay cache.
func (s *Server) authenticate(r *http.Request, body []byte, now time.Time) *authFailure {
	apiKey := r.Header.Get("X-Api-Key")
	tsText := r.Header.Get("X-Timestamp")
	nonce := r.Header.Get("X-Nonce")
	sigHeader := r.Header.Get("X-Signature")
	if apiKey == "" || tsText == "" || nonce == "" || sigHeader == "" {
		return &authFailure{"missing_credentials", "X-Api-Key, X-Timestamp, X-Nonce and X-Signature are all required"}
	}
	if subtle.ConstantTimeCompare([]byte(apiKey), []byte(s.APIKey)) != 1 {
		return &authFailure{"invalid_api_key", "API key not found"}
	}
	ts, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil || !allDigits(tsText) {
		return &authFailure{"invalid_timestamp", "X-Timestamp must be Unix time in seconds"}
	}
	if skew := now.Unix() - ts; skew > int64(timestampWindow/time.Second) || skew < -int64(timestampWindow/time.Second) {
		return &authFailure{"timestamp_out_of_window", "X-Timestamp is more than 300 seconds from server time"}
	}
	if n := utf8.RuneCountInString(nonce); n < 16 || n > 128 {
		return &authFailure{"invalid_nonce", "X-Nonce must be 16 to 128 characters"}
	}
	sigB64, ok := strings.CutPrefix(sigHeader, "v1=")
	if !ok {
		return &authFailure{"invalid_signature", "X-Signature must start with v1="}
	}
	got, err := base64.StdEncoding.DecodeString(sigB64)
	if err != nil {
		return &authFailure{"invalid_signature", "X-Signature is not Base64"}
	}
	query, err := canonicalQuery(r.URL.RawQuery)
	if err != nil {
		return &authFailure{"invalid_signature", "query string cannot be canonicalised"}
	}
	if !hmac.Equal(got, signature(s.key, tsText, nonce, r.Method, query, body)) {
		return &authFailure{"invalid_signature", "Signature does not match"}
	}
	if !s.rememberNonce(nonce, time.Unix(ts, 0).Add(timestampWindow), now) {
		return &authFailure{"nonce_reused", "X-Nonce has already been used"}
	}
	return nil
}

// signature is HMAC-SHA256 over "v1:{ts}:{nonce}:{METHOD}:{QUERY}:{b64(sha256(body))}".
func signature(key []byte, ts, nonce, method, query string, body []byte) []byte {
	sum := sha256.Sum256(body)
	var b strings.Builder
	for i, part := range []string{"v1", ts, nonce, strings.ToUpper(method), query, base64.StdEncoding.EncodeToString(sum[:])} {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(part)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(b.String()))
	return mac.Sum(nil)
}

// canonicalQuery decodes the raw query and renders it as k=v pairs with
// decoded keys and values, sorted byte-wise by key and then by value,
// joined by '&'; "" when there is no query.
func canonicalQuery(raw string) (string, error) {
	if raw == "" {
		return "", nil
	}
	values, err := url.ParseQuery(raw)
	if err != nil {
		return "", err
	}
	pairs := make([][2]string, 0, len(values))
	for k, vs := range values {
		for _, v := range vs {
			pairs = append(pairs, [2]string{k, v})
		}
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i][0] != pairs[j][0] {
			return pairs[i][0] < pairs[j][0]
		}
		return pairs[i][1] < pairs[j][1]
	})
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = p[0] + "=" + p[1]
	}
	return strings.Join(parts, "&"), nil
}

// rememberNonce records nonce until staleAt (after which a replay fails the
// timestamp check anyway) and reports false if it was already recorded.
// Expired entries are swept whenever the set doubles, so its size stays
// bounded by the traffic of one window.
func (s *Server) rememberNonce(nonce string, staleAt, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if exp, seen := s.nonces[nonce]; seen && now.Before(exp.Add(time.Second)) {
		return false
	}
	s.nonces[nonce] = staleAt
	if len(s.nonces) > s.nonceLimit {
		for n, exp := range s.nonces {
			if now.After(exp.Add(time.Second)) {
				delete(s.nonces, n)
			}
		}
		s.nonceLimit = max(1024, 2*len(s.nonces))
	}
	return true
}
