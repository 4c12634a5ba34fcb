package iimmpact

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

// The request headers of IIMMPACT's API-key authentication (spec §2.2), in
// canonical form so they can be set without canonicalising again.
const (
	headerAPIKey    = "X-Api-Key"
	headerTimestamp = "X-Timestamp"
	headerNonce     = "X-Nonce"
	headerSignature = "X-Signature"
)

// Nonce length bounds IIMMPACT enforces.
const (
	minNonceLen = 16
	maxNonceLen = 128
)

// Signer signs requests with IIMMPACT's HMAC-SHA256 scheme (spec §2.3):
//
//	canonical = "v1:" + timestamp + ":" + nonce + ":" + METHOD + ":" + QUERY + ":" + base64(sha256(body))
//	X-Signature: "v1=" + base64(hmac_sha256(base64decode(secret), canonical))
//
// The path is not signed. A Signer is safe for concurrent use; it keeps the
// decoded key and never prints it.
type Signer struct {
	apiKey string
	key    []byte // the decoded HMAC key
	// An HMAC keyed once serves every signature while nothing else signs
	// (a mutex's TryLock is cheaper than the pool); signatures that meet
	// it busy take more from the pool.
	mu    sync.Mutex
	first *macState
	macs  sync.Pool // *macState
}

type macState struct {
	mac hash.Hash
	buf []byte            // the canonical string being built
	sum [sha256.Size]byte // the MAC
}

// NewSigner validates the credentials: a non-empty key that is safe in a
// header, and a secret that is standard Base64 of at least one byte.
func NewSigner(apiKey, hmacSecret string) (*Signer, error) {
	if apiKey == "" {
		return nil, errors.New("iimmpact: API key is empty")
	}
	if strings.ContainsFunc(apiKey, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return nil, errors.New("iimmpact: API key contains spaces or control characters")
	}
	key, err := base64.StdEncoding.DecodeString(hmacSecret)
	if err != nil || len(key) == 0 {
		// Never echo the secret: say only what is wrong with it.
		return nil, errors.New("iimmpact: HMAC secret is not standard Base64 (copy it from Dashboard > Developer > API Keys)")
	}
	s := &Signer{apiKey: apiKey, key: key}
	s.macs.New = func() any { return s.newMAC() }
	s.first = s.newMAC()
	return s, nil
}

func (s *Signer) newMAC() *macState {
	return &macState{mac: hmac.New(sha256.New, s.key), buf: make([]byte, 0, 256)}
}

// acquire takes an HMAC to sign with; release gives it back.
func (s *Signer) acquire() *macState {
	if s.mu.TryLock() {
		return s.first
	}
	return s.macs.Get().(*macState)
}

func (s *Signer) release(st *macState) {
	if st == s.first {
		s.mu.Unlock()
		return
	}
	s.macs.Put(st)
}

// Sign sets X-Api-Key, X-Timestamp, X-Nonce and X-Signature on req for the
// given body bytes (exactly the bytes that will be sent), time and nonce.
// The nonce must be 16 to 128 characters and never reused.
func (s *Signer) Sign(req *http.Request, body []byte, now time.Time, nonce string) error {
	return s.sign(req, body, now, nonce, nil)
}

func (s *Signer) sign(req *http.Request, body []byte, now time.Time, nonce string, debug *slog.Logger) error {
	if n := len(nonce); n < minNonceLen || n > maxNonceLen {
		return fmt.Errorf("iimmpact: nonce must be %d to %d characters, got %d", minNonceLen, maxNonceLen, n)
	}
	method, query, err := requestLine(req)
	if err != nil {
		return err
	}
	var tsb [20]byte // the decimal Unix time
	ts := strconv.AppendInt(tsb[:0], now.Unix(), 10)

	st := s.acquire()
	b := appendCanonical(st.buf[:0], ts, nonce, method, query, body)
	if debug != nil && debug.Enabled(req.Context(), slog.LevelDebug) {
		// The key and signature stay out, and so do query values, which
		// can be an IC or account number: the keys are enough to debug.
		logged := strings.Replace(string(b), ":"+query+":", ":"+queryKeys(query)+":", 1)
		debug.LogAttrs(req.Context(), slog.LevelDebug, "iimmpact: signing", slog.String("canonical", logged))
	}
	st.mac.Reset()
	st.mac.Write(b)
	// The timestamp and the signature share one string, and the four
	// header values one array: two allocations for four headers.
	var hv [len(tsb) + 3 + 44]byte
	n := copy(hv[:], ts)
	copy(hv[n:], "v1=")
	base64.StdEncoding.Encode(hv[n+3:], st.mac.Sum(st.sum[:0]))
	st.buf = b
	s.release(st)
	both := string(hv[:n+3+44])

	if req.Header == nil {
		req.Header = make(http.Header, 4)
	}
	// The values are this request's own: a transport below that edits one
	// in place cannot change another request's.
	vals := &[4]string{s.apiKey, both[:n], nonce, both[n:]}
	req.Header[headerAPIKey] = vals[0:1:1]
	req.Header[headerTimestamp] = vals[1:2:2]
	req.Header[headerNonce] = vals[2:3:3]
	req.Header[headerSignature] = vals[3:4:4]
	return nil
}

// requestLine is the method and canonical query that req is signed with.
func requestLine(req *http.Request) (method, query string, err error) {
	if req.URL != nil && req.URL.RawQuery != "" {
		v, err := url.ParseQuery(req.URL.RawQuery)
		if err != nil {
			return "", "", fmt.Errorf("iimmpact: cannot sign query: %w", err)
		}
		query = CanonicalQuery(v)
	}
	method = req.Method
	if method == "" {
		method = http.MethodGet
	}
	return method, query, nil
}

// appendCanonical appends the canonical string (see Signer) to b.
func appendCanonical(b, ts []byte, nonce, method, query string, body []byte) []byte {
	var enc [44]byte // base64 of 32 bytes
	sum := sha256.Sum256(body)
	base64.StdEncoding.Encode(enc[:], sum[:])
	b = append(b, "v1:"...)
	b = append(append(b, ts...), ':')
	b = append(append(b, nonce...), ':')
	b = append(append(b, upper(method)...), ':')
	b = append(append(b, query...), ':')
	return append(b, enc[:]...)
}

// upper is method in upper case; the methods the client sends already are.
func upper(method string) string {
	switch method {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch:
		return method
	}
	return strings.ToUpper(method)
}

// CanonicalQuery renders the query as IIMMPACT signs it: keys sorted
// byte-wise, a repeated key's values sorted byte-wise, each pair written
// key=value with the decoded (not percent-encoded) value, joined by "&".
// No query gives "". This rule is partly inferred (spec §2.3), so it lives
// in this one function.
func CanonicalQuery(v url.Values) string {
	return joinSorted(v, func(s string) string { return s })
}

// joinSorted writes v's pairs as key=value joined by "&", keys and then a
// key's values sorted byte-wise (before esc), each key and value passed
// through esc. The signed query and the sent one are both written here, so
// their orders cannot drift apart.
func joinSorted(v url.Values, esc func(string) string) string {
	if len(v) == 0 {
		return ""
	}
	keys := make([]string, 0, len(v))
	n := 0
	for k, vs := range v {
		keys = append(keys, k)
		for _, x := range vs {
			n += len(k) + len(x) + 2
		}
	}
	slices.Sort(keys)
	var b strings.Builder
	b.Grow(n) // exact unescaped, a lower bound escaped
	for _, k := range keys {
		vs := v[k]
		if len(vs) > 1 {
			vs = slices.Clone(vs)
			slices.Sort(vs)
		}
		ek := esc(k)
		for _, x := range vs {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(ek)
			b.WriteByte('=')
			b.WriteString(esc(x))
		}
	}
	return b.String()
}

// queryKeys is a canonical query with every value replaced by "…".
func queryKeys(q string) string {
	if q == "" {
		return ""
	}
	pairs := strings.Split(q, "&")
	for i, p := range pairs {
		if k, _, ok := strings.Cut(p, "="); ok {
			pairs[i] = k + "=…"
		}
	}
	return strings.Join(pairs, "&")
}

// encodeCanonical writes v as a URL query in CanonicalQuery's order (keys,
// then a key's values, sorted byte-wise), percent-encoded. Sent this way,
// the query reads the same whether a server keeps the URL's order of
// repeated values or sorts them.
func encodeCanonical(v url.Values) string { return joinSorted(v, url.QueryEscape) }

// Transport is an http.RoundTripper that signs every request it sends, once
// per attempt: each retry gets a fresh timestamp and nonce, and the bytes
// hashed are the bytes sent. Put retries above it, never below (a retry below
// would replay a nonce).
type Transport struct {
	Signer *Signer
	Base   http.RoundTripper // nil means http.DefaultTransport
	Clock  func() time.Time  // nil means time.Now
	Nonce  func() string     // nil means a random UUID (36 characters)
	Logger *slog.Logger      // if set, canonical strings are logged at debug level
}

// RoundTrip implements http.RoundTripper. It does not modify req.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := readBody(req)
	if err != nil {
		return nil, err
	}
	// net/http silently resends a request, headers and all, when a reused
	// HTTP/1 keep-alive connection dies before a bodiless request is
	// answered, and over HTTP/2 after GOAWAY, REFUSED_STREAM or a
	// PROTOCOL_ERROR reset (a signed POST too: its GetBody allows it). If
	// IIMMPACT had read the first copy, it refuses the second as a nonce
	// replay: count the header writes, so that such a refusal goes back to
	// the caller's retry loop, which signs afresh, instead of surfacing as
	// a 401 (for a payment, a refusal that would wrongly mean "nothing was
	// created").
	resent := new(atomic.Int32)
	r := req.WithContext(httptrace.WithClientTrace(req.Context(),
		&httptrace.ClientTrace{WroteHeaders: func() { resent.Add(1) }}))
	if body != nil {
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		r.ContentLength = int64(len(body))
	}
	// The value slices are shared, not copied: neither this transport nor
	// net/http modifies them, and a copy costs an allocation per header.
	r.Header = make(http.Header, len(req.Header)+4)
	for k, v := range req.Header {
		r.Header[k] = v
	}
	now, nonce := t.stamp()
	if err := t.Signer.sign(r, body, now, nonce, t.Logger); err != nil {
		return nil, err
	}
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(r)
	if err == nil && resp.StatusCode == http.StatusUnauthorized && resent.Load() > 1 {
		resp.Body.Close()
		return nil, errResent
	}
	return resp, err
}

// stamp is the time and the fresh nonce one signature is made with.
func (t *Transport) stamp() (time.Time, string) {
	now := time.Now()
	if t.Clock != nil {
		now = t.Clock()
	}
	if t.Nonce != nil {
		return now, t.Nonce()
	}
	return now, uuid.NewString()
}

// errResent is a 401 answer to a copy net/http resent with the same nonce.
// It is not an *APIError, so the retry policy treats it as a network error.
var errResent = errors.New("iimmpact: net/http resent the request after a dropped connection and the repeated nonce was refused")

// readBody returns the request body's bytes (nil for none) and closes it, as
// a RoundTripper must.
func readBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	defer req.Body.Close()
	b, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, fmt.Errorf("iimmpact: reading request body to sign: %w", err)
	}
	return b, nil
}

// CloseIdleConnections closes the base transport's idle connections, so that
// http.Client.CloseIdleConnections reaches through the signing layer.
func (t *Transport) CloseIdleConnections() {
	type closeIdler interface{ CloseIdleConnections() }
	if c, ok := t.Base.(closeIdler); ok {
		c.CloseIdleConnections()
	}
}
