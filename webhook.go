package iimmpact

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/iimmpact-go/iimmpact/internal/wire"
)

// Callback errors. Each error ParseCallback or CallbackHandler returns wraps
// exactly one of them; match with errors.Is. Their text never quotes the
// payload, so it never carries a voucher PIN.
var (
	// ErrMalformedCallback: the payload is not a callback IIMMPACT would send
	// (bad JSON, no refid or statusCode, a GET whose query disagrees with its
	// message). CallbackHandler answers 400.
	ErrMalformedCallback = errors.New("iimmpact: malformed callback")
	// ErrCallbackTooLarge: the body (or, for GET, the query string) is over
	// the limit; it was refused before parsing. Answered 413 (POST) or 414 (GET).
	ErrCallbackTooLarge = errors.New("iimmpact: callback too large")
	// ErrCallbackMethod: neither GET nor POST. Answered 405.
	ErrCallbackMethod = errors.New("iimmpact: callback method must be GET or POST")
	// ErrCallbackContentType: a POST whose Content-Type is not JSON. Answered 415.
	ErrCallbackContentType = errors.New("iimmpact: callback content type is not JSON")
	// ErrCallbackSource: the request's source is not allowlisted, after
	// the trusted-proxy rule, or could not be read. Answered 403.
	ErrCallbackSource = errors.New("iimmpact: callback source not allowlisted")
	// ErrUnknownRefID: you never sent this refid (return it from Lookup or
	// Verify). Answered 404, which IIMMPACT does not retry.
	ErrUnknownRefID = errors.New("iimmpact: callback for an unknown refid")
	// ErrCallbackMismatch: product, account or amount differ from the
	// request you sent (returned by the built-in check after Lookup, or by
	// Verify). Answered 422, which IIMMPACT does not retry.
	ErrCallbackMismatch = errors.New("iimmpact: callback does not match the payment")
)

// DefaultMaxCallbackBytes bounds a callback's body or query string. A real
// callback is well under 2 KiB; the limit keeps a flood of large bodies
// from costing memory and parse time.
const DefaultMaxCallbackBytes = 64 << 10

// Callback is one transaction callback from IIMMPACT, POST or GET alike.
// The embedded Transaction gives exact Amounts, the StatusCode to act on and
// a GMT+8 Timestamp; its String, GoString and LogValue (promoted to
// Callback) leave the voucher PIN out, and json.Marshal writes the
// transaction in IIMMPACT's wire shape.
//
// Parsing proves nothing about who sent it: callbacks are unsigned. Serve
// them through CallbackHandler, which checks the source IP and the refid,
// or parse them with a CallbackParser, which checks the source IP.
type Callback struct {
	Transaction
	Method string // how it arrived: http.MethodPost or http.MethodGet
}

// ParseCallback reads a transaction callback as IIMMPACT delivers it:
//
//   - POST with a JSON body {"data":{...}}; a Content-Type other than JSON
//     is refused (a missing one is accepted, since IIMMPACT does not
//     document the header).
//   - GET with the query parameters refid, status (the numeric status
//     code), price (the cost) and message (the form-encoded JSON of the
//     transaction, with or without a {"data":...} wrapper). message is the
//     source of truth; refid, status and price must agree with it exactly,
//     or the callback is refused rather than guessed at.
//
// A body or query over DefaultMaxCallbackBytes is refused before parsing;
// CallbackHandler makes the limit configurable. A successful parse always
// has a refid and a status code. Errors wrap one of the Err*Callback
// sentinels above and never contain the PIN.
//
// ParseCallback does not check where the request came from; in your own
// router use a CallbackParser, which does.
func ParseCallback(r *http.Request) (*Callback, error) {
	return parseCallback(nil, r, DefaultMaxCallbackBytes)
}

// CallbackParser parses callbacks with the source check CallbackHandler
// makes, for merchants who route and answer callbacks themselves. The
// zero CallbackParser refuses every request (ErrCallbackSource).
type CallbackParser struct {
	// Allowlist holds the addresses callbacks may come from, usually
	// NewIPAllowlist(ProductionCallbackIPs()...); nil or empty allows none.
	Allowlist *IPAllowlist
	// TrustedProxies are your own proxies: only when the direct peer is one
	// of them is X-Forwarded-For read (right to left, skipping trusted
	// hops; "ip:port" and "[ipv6]:port" entries are read as their address).
	TrustedProxies *IPAllowlist
	// MaxBytes bounds the body (POST) or query string (GET); 0 means
	// DefaultMaxCallbackBytes.
	MaxBytes int64
}

// Parse checks that r comes from an allowlisted address, then parses it
// as ParseCallback does, POST and GET alike. w, if not nil, lets an
// oversized body close its connection. Errors wrap ErrCallbackSource or
// one of ParseCallback's sentinels.
func (p *CallbackParser) Parse(w http.ResponseWriter, r *http.Request) (*Callback, error) {
	cb, _, err := p.parse(w, r)
	return cb, err
}

// parse is Parse, also returning the source address when it was read.
func (p *CallbackParser) parse(w http.ResponseWriter, r *http.Request) (*Callback, netip.Addr, error) {
	if p == nil {
		return nil, netip.Addr{}, fmt.Errorf("%w: no allowlist", ErrCallbackSource)
	}
	peer, err := peerAddr(r, p.TrustedProxies)
	if err != nil {
		return nil, netip.Addr{}, fmt.Errorf("%w: %v", ErrCallbackSource, err)
	}
	if !p.Allowlist.Contains(peer) {
		return nil, peer, fmt.Errorf("%w: %s", ErrCallbackSource, peer)
	}
	limit := p.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxCallbackBytes
	}
	cb, err := parseCallback(w, r, limit)
	return cb, peer, err
}

// parseCallback is ParseCallback with a limit; w, if set, lets
// http.MaxBytesReader tell the server to close an oversized connection.
func parseCallback(w http.ResponseWriter, r *http.Request, limit int64) (*Callback, error) {
	switch r.Method {
	case http.MethodPost:
		return parsePost(w, r, limit)
	case http.MethodGet:
		return parseGet(r, limit)
	}
	return nil, ErrCallbackMethod
}

func parsePost(w http.ResponseWriter, r *http.Request, limit int64) (*Callback, error) {
	if !isJSON(headerValue(r.Header, "Content-Type")) {
		return nil, ErrCallbackContentType
	}
	if r.ContentLength > limit {
		return nil, fmt.Errorf("%w: body of %d bytes, limit %d", ErrCallbackTooLarge, r.ContentLength, limit)
	}
	if r.Body == nil {
		return nil, fmt.Errorf("%w: empty body", ErrMalformedCallback)
	}
	bp := callbackBodies.Get().(*[]byte)
	body, err := readCallbackBody(w, r, limit, *bp)
	defer putCallbackBody(bp, body) // parsePostBody copies what it keeps
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, fmt.Errorf("%w: body over %d bytes", ErrCallbackTooLarge, limit)
		}
		return nil, fmt.Errorf("%w: reading body: %v", ErrMalformedCallback, err)
	}
	return parsePostBody(body)
}

// parsePostBody reads {"data":{...}} straight into the Callback. A refid
// can only have come from Transaction.UnmarshalJSON, which insists on a
// statusCode, so an empty one also catches a missing or null "data".
func parsePostBody(body []byte) (*Callback, error) {
	var env callbackBody
	if err := env.UnmarshalJSON(body); err != nil {
		return nil, jsonError("body", err)
	}
	if env.Data == nil || env.Data.RefID == "" {
		return nil, fmt.Errorf(`%w: body has no "data" object with a refid`, ErrMalformedCallback)
	}
	cb := &Callback{Transaction: *env.Data, Method: http.MethodPost}
	if err := checkRefID(cb.RefID); err != nil {
		return nil, err
	}
	return cb, nil
}

// callbackBody is a POST callback's body.
type callbackBody struct {
	Data *Transaction `wire:"data"`
}

func parseGet(r *http.Request, limit int64) (*Callback, error) {
	if r.URL == nil {
		return nil, fmt.Errorf("%w: request has no URL", ErrMalformedCallback)
	}
	if int64(len(r.URL.RawQuery)) > limit {
		return nil, fmt.Errorf("%w: query of %d bytes, limit %d", ErrCallbackTooLarge, len(r.URL.RawQuery), limit)
	}
	return parseGetQuery(r.URL.RawQuery)
}

// parseGetQuery reads refid, status, price and message. Other parameters
// are ignored: they may belong to the merchant's own callback URL.
func parseGetQuery(rawQuery string) (*Callback, error) {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, fmt.Errorf("%w: query is not form-encoded", ErrMalformedCallback)
	}
	var p [4]string
	for i, name := range [...]string{"refid", "status", "price", "message"} {
		switch vs := q[name]; len(vs) {
		case 0:
			return nil, fmt.Errorf("%w: query has no %q", ErrMalformedCallback, name)
		case 1:
			p[i] = vs[0]
		default:
			return nil, fmt.Errorf("%w: query has %q %d times", ErrMalformedCallback, name, len(vs))
		}
	}
	refID, status, price, message := p[0], p[1], p[2], p[3]

	tx, err := parseMessage([]byte(message))
	if err != nil {
		return nil, err
	}
	if err := checkRefID(tx.RefID); err != nil {
		return nil, err
	}
	cb := &Callback{Transaction: *tx, Method: http.MethodGet}
	// The top-level copies must agree with message exactly.
	if refID != cb.RefID {
		return nil, fmt.Errorf("%w: query refid differs from message refid", ErrMalformedCallback)
	}
	if code, err := strconv.Atoi(status); err != nil || code != int(cb.StatusCode) {
		return nil, fmt.Errorf("%w: query status differs from message statusCode", ErrMalformedCallback)
	}
	if cost, err := parseServerAmount(price); err != nil || cost != cb.Cost {
		return nil, fmt.Errorf("%w: query price differs from message cost", ErrMalformedCallback)
	}
	return cb, nil
}

// parseMessage reads the transaction object, or {"data":{...}} around it.
// It is a wrapper only if it has "data" and no "statusCode", so an object
// that happens to carry a "data" field is still read as the transaction.
//
// It reads the message once, as the transaction, keeping "data" aside;
// only a wrapper has its inner object read.
func parseMessage(message []byte) (*Transaction, error) {
	tx := new(Transaction)
	tx.reset()
	var data []byte
	sawCode := false
	d := wire.NewDecoder(message)
	err := wire.Object(&d, tx, func(tx *Transaction, d *wire.Decoder, key []byte) error {
		switch k, _ := wire.Fold(key, "data", "statusCode"); k {
		case "data":
			var err error
			data, err = d.Value()
			return err
		case "statusCode":
			sawCode = true
		}
		return tx.decodeMember(d, key)
	})
	if err == nil {
		err = d.End()
	}
	switch {
	case err != nil:
	case !sawCode && data != nil && string(data) != "null":
		tx = new(Transaction)
		err = tx.UnmarshalJSON(data)
	default:
		err = tx.decoded()
	}
	if err != nil {
		return nil, jsonError("message", err)
	}
	return tx, nil
}

// checkRefID checks the one field every callback needs to be acted on.
func checkRefID(id string) error {
	switch {
	case id == "":
		return fmt.Errorf("%w: no refid", ErrMalformedCallback)
	case !utf8.ValidString(id) || utf8.RuneCountInString(id) > MaxRefIDLen:
		return fmt.Errorf("%w: refid is not valid UTF-8 of at most %d characters", ErrMalformedCallback, MaxRefIDLen)
	case strings.ContainsFunc(id, func(c rune) bool { return c < ' ' || c == 0x7f }):
		return fmt.Errorf("%w: refid contains control characters", ErrMalformedCallback)
	}
	return nil
}

// jsonError describes a decoding failure without quoting the input: the
// standard errors can carry a byte or a number from it, any of which could
// be part of a PIN.
func jsonError(where string, err error) error {
	var (
		syn  *json.SyntaxError
		wsyn *wire.SyntaxError
		typ  *json.UnmarshalTypeError
	)
	reason := "invalid field value"
	switch {
	case errors.As(err, &syn):
		reason = "invalid JSON at byte " + strconv.FormatInt(syn.Offset, 10)
	case errors.As(err, &wsyn):
		reason = "invalid JSON at byte " + strconv.FormatInt(wsyn.Offset, 10)
	case errors.As(err, &typ):
		kind, _, _ := strings.Cut(typ.Value, " ") // "number -5" -> "number"
		reason = fmt.Sprintf("field %q: JSON %s where %s was expected", typ.Field, kind, typ.Type)
	case errors.Is(err, ErrInvalidAmount):
		reason = "invalid amount"
	case errors.Is(err, errNoStatusCode):
		reason = `no "statusCode"`
	}
	return fmt.Errorf("%w: %s: %s", ErrMalformedCallback, where, reason)
}

// isJSON accepts application/json, application/*+json and a missing type.
func isJSON(contentType string) bool {
	if contentType == "" || contentType == "application/json" {
		return true // what IIMMPACT sends, without parsing it
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mt == "application/json" || (strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))
}

// headerValue is h.Get(key) for a key already in canonical form, without
// canonicalising it again.
func headerValue(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// callbackBodies holds the buffers callback bodies are read into: a body
// is needed only while it is parsed.
var callbackBodies = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

// putCallbackBody returns a buffer, unless a large body grew it.
func putCallbackBody(bp *[]byte, body []byte) {
	if cap(body) <= DefaultMaxCallbackBytes+1 {
		*bp = body[:0]
		callbackBodies.Put(bp)
	}
}

// readCallbackBody reads r's body into buf (reusing its memory). With a
// Content-Length (already checked against limit) it reads exactly that
// many bytes, and one more to see that the body ends there; without one it
// reads through http.MaxBytesReader, which also tells the server to close
// the connection of an oversized body.
func readCallbackBody(w http.ResponseWriter, r *http.Request, limit int64, buf []byte) ([]byte, error) {
	n := r.ContentLength
	if n < 0 {
		b := bytes.NewBuffer(buf[:0])
		_, err := b.ReadFrom(http.MaxBytesReader(w, r.Body, limit))
		return b.Bytes(), err
	}
	if int64(cap(buf)) < n+1 {
		buf = make([]byte, 0, n+1)
	}
	buf = buf[:n+1]
	got, err := io.ReadFull(r.Body, buf)
	switch {
	case err == nil:
		return buf[:0], errors.New("body longer than its Content-Length")
	case int64(got) == n && (err == io.EOF || err == io.ErrUnexpectedEOF):
		return buf[:n], nil
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		return buf[:0], errors.New("body shorter than its Content-Length")
	}
	return buf[:0], err
}
