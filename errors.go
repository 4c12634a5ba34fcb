package iimmpact

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Sentinel errors. Match them with errors.Is; they are never returned bare.
var (
	// ErrUnauthorized: HTTP 401, the key, signature, timestamp or nonce was refused.
	ErrUnauthorized = errors.New("iimmpact: unauthorized")
	// ErrForbidden: HTTP 403. IIMMPACT also answers 403 while it bans an IP for
	// 240 minutes after too many requests, so a 403 is never retried.
	ErrForbidden = errors.New("iimmpact: forbidden")
	// ErrRateLimited: HTTP 429.
	ErrRateLimited = errors.New("iimmpact: rate limited")
	// ErrServer: HTTP 5xx.
	ErrServer = errors.New("iimmpact: server error")
	// ErrMalformedResponse: a response that could not be read as documented.
	ErrMalformedResponse = errors.New("iimmpact: malformed response")
	// ErrOutcomeUnknown: a payment may or may not have happened. Ask again with
	// the same TopupRequest (same refid); never refund or retry with a new refid.
	ErrOutcomeUnknown = errors.New("iimmpact: payment outcome unknown")
	// ErrInvalidRequest: the request was refused locally, before the network.
	ErrInvalidRequest = errors.New("iimmpact: invalid request")
	// ErrDuplicateRefID: IIMMPACT refused a topup because its refid already
	// belongs to a transaction (HTTP 4xx, statusCode 54, "Duplicate_RefID"),
	// typically one sent earlier with other product, account or amount. That
	// transaction may have been paid: the error also wraps ErrOutcomeUnknown.
	// Never reuse the refid for another order and never treat the order as
	// unpaid; look the refid up (Transactions, or Topup with the request as
	// first sent) and reconcile. An HTTP 200 "Failed" with code 54 is
	// different: a final failure of this very refid.
	ErrDuplicateRefID = errors.New("iimmpact: refid already belongs to a transaction")
)

// maxErrorBody caps the bytes of a response body kept in an error.
const maxErrorBody = 4 << 10

// APIError is a non-2xx answer from IIMMPACT. On a payment it proves that
// nothing was created only when Topup returns it bare; wrapped in an
// *OutcomeUnknownError it is merely the last answer seen.
type APIError struct {
	HTTPStatus    int        // the HTTP status code
	StatusCode    StatusCode // data.statusCode; meaningful only if HasStatusCode
	HasStatusCode bool       // the body carried a data.statusCode (0 is Accepted, not "none")
	Remarks       string     // data.remarks, e.g. "Invalid_Denomination"
	Message       string     // message, error or error_message from the body, redacted
	Fields        []FieldError
	Body          []byte // the raw body, capped at 4 KiB, secrets blanked

	// RetryAfter is the server's Retry-After (on a 429 or 503), 0 if none.
	RetryAfter time.Duration

	// ClockSkew is set on a 401 whose Date header shows the local clock is
	// off by more than 30 s: the likely cause of the refusal.
	ClockSkew time.Duration
}

func (e *APIError) Error() string {
	s := "iimmpact: HTTP " + strconv.Itoa(e.HTTPStatus)
	if t := http.StatusText(e.HTTPStatus); t != "" {
		s += " " + t
	}
	if e.Remarks != "" {
		s += ": " + e.Remarks
	}
	if e.Message != "" && e.Message != e.Remarks {
		s += ": " + e.Message
	}
	for _, f := range e.Fields {
		if f.Field != "" {
			s += "; " + f.Field + ": " + strings.Join(f.Messages, " ")
		}
	}
	if e.ClockSkew != 0 {
		s += " (local clock is " + e.ClockSkew.String() + " off IIMMPACT's; fix NTP)"
	}
	if e.HasStatusCode {
		s += " (statusCode " + e.StatusCode.String() + ")"
	}
	if e.HTTPStatus == http.StatusForbidden {
		s += " (a 403 may be IIMMPACT's 240-minute IP ban after 30,000 requests in 5 minutes: do not retry)"
	}
	return s
}

// FieldError is one request field IIMMPACT's validation refused, from
// Laravel's {"errors":{"amount":["..."]}} or, since 23 March 2026, the
// remarks of a statusCode 58 answer ("The amount must be an integer.").
type FieldError struct {
	Field    string   // e.g. "amount", "account"; "" when the answer names none
	Messages []string // IIMMPACT's text, redacted
}

// Is maps the HTTP status to the package's sentinels.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.HTTPStatus == http.StatusUnauthorized
	case ErrForbidden:
		return e.HTTPStatus == http.StatusForbidden
	case ErrRateLimited:
		return e.HTTPStatus == http.StatusTooManyRequests
	case ErrServer:
		return e.HTTPStatus >= 500
	case ErrDuplicateRefID:
		return e.duplicateRefID()
	}
	return false
}

// duplicateRefID: a refusal saying the refid is taken. Code 54 also means
// "daily limit reached", but only in an HTTP 200 transaction; in a 4xx the
// safe reading is that a transaction holds the refid.
func (e *APIError) duplicateRefID() bool {
	if e.HTTPStatus < 400 || e.HTTPStatus > 499 {
		return false
	}
	return (e.HasStatusCode && e.StatusCode == StatusDuplicateOrLimit) || strings.EqualFold(e.Remarks, "Duplicate_RefID")
}

// MalformedResponseError is a response whose body could not be read as
// documented: HTML from a proxy, truncated JSON, wrong types, no "data".
type MalformedResponseError struct {
	HTTPStatus int
	Body       []byte // capped at 4 KiB
	Err        error  // what was wrong
}

func (e *MalformedResponseError) Error() string {
	return fmt.Sprintf("iimmpact: malformed response (HTTP %d): %v", e.HTTPStatus, e.Err)
}

func (e *MalformedResponseError) Unwrap() error        { return e.Err }
func (e *MalformedResponseError) Is(target error) bool { return target == ErrMalformedResponse }

// OutcomeUnknownError says a topup's result could not be learnt: a timeout,
// a dropped connection, a 5xx, an unreadable answer, an answer for another
// request, or any refusal after an attempt that may have been processed.
// The payment may have happened. Call Topup (or WaitTopup) again with the
// same request; errors.As on it reaches the last *APIError or transport
// error, which is the cause, never the verdict.
type OutcomeUnknownError struct {
	RefID string       // the refid to ask about again
	Last  *Transaction // the last state seen, if any
	Err   error        // the cause
}

func (e *OutcomeUnknownError) Error() string {
	if errors.Is(e.Err, ErrDuplicateRefID) {
		return "iimmpact: refid " + strconv.Quote(e.RefID) + " already belongs to a transaction whose outcome is unknown here; reconcile it, never reuse the refid: " + e.Err.Error()
	}
	s := "iimmpact: outcome of refid " + strconv.Quote(e.RefID) + " unknown"
	if e.Last != nil {
		s += " (last seen " + e.Last.StatusCode.String() + ")"
	}
	return s + "; ask again with the same refid: " + e.Err.Error()
}

func (e *OutcomeUnknownError) Unwrap() error        { return e.Err }
func (e *OutcomeUnknownError) Is(target error) bool { return target == ErrOutcomeUnknown }

// capBody returns at most maxErrorBody bytes of b, copied, with the values
// of secret fields (voucher PINs, IC numbers, webhook secrets) blanked: an
// error is logged, and a malformed voucher answer still carries its PIN.
func capBody(b []byte) []byte {
	if len(b) > maxErrorBody {
		b = b[:maxErrorBody]
	}
	b = secretValue.ReplaceAll(b, []byte(`"$1":"[REDACTED]"`))
	return b[:min(len(b), maxErrorBody):min(len(b), maxErrorBody)]
}

// secretValue matches a JSON string member whose key names a secret, also
// when the body was cut inside the value.
var secretValue = regexp.MustCompile(`"(pin|ic_number|secret|webhook_secret|signing_secret)"\s*:\s*"(?:[^"\\]|\\.)*"?`)

// newAPIError reads what it can of an error body. The documented shapes are
// {"data":{"statusCode":58,"remarks":"..."}}, Laravel's {"message":"The
// given data was invalid.","errors":{"amount":["..."]}},
// {"error":..,"message":..}, {"message":"Forbidden"} and
// {"error_message":..}; anything else (an HTML page) is kept only as Body.
func newAPIError(status int, body []byte) *APIError {
	e := &APIError{HTTPStatus: status, Body: capBody(body)}
	var w struct {
		Data *struct {
			StatusCode json.RawMessage `json:"statusCode"`
			Remarks    any             `json:"remarks"`
			Message    any             `json:"message"`
		} `json:"data"`
		Errors       map[string]any `json:"errors"`
		Error        any            `json:"error"`
		Message      any            `json:"message"`
		ErrorMessage any            `json:"error_message"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // numbers stay text: no float ever touches a body
	if dec.Decode(&w) != nil {
		return e
	}
	// error_message first: bill presentment puts the user-facing reason
	// there and a terser data.message ("Invalid account no") beside it.
	e.Message = text(w.ErrorMessage)
	if d := w.Data; d != nil {
		e.StatusCode, e.HasStatusCode = parseStatusCode(d.StatusCode)
		e.Remarks = text(d.Remarks)
		if e.Message == "" {
			e.Message = text(d.Message)
		}
	}
	for _, m := range []any{w.Message, w.Error} {
		if e.Message == "" {
			e.Message = text(m)
		}
	}
	e.Fields = fieldErrors(w.Errors)
	if e.Fields == nil && e.HasStatusCode && e.StatusCode == StatusInvalidDenomination && strings.Contains(e.Remarks, " ") {
		// The 2026 form: Laravel's message moved into remarks.
		e.Fields = []FieldError{{Field: fieldOf(e.Remarks), Messages: []string{e.Remarks}}}
	}
	return e
}

// fieldErrors reads Laravel's "errors" object, fields in name order.
func fieldErrors(m map[string]any) []FieldError {
	if len(m) == 0 {
		return nil
	}
	out := make([]FieldError, 0, len(m))
	for k, v := range m {
		f := FieldError{Field: redactText(k)}
		switch v := v.(type) {
		case []any:
			for _, x := range v {
				if t := text(x); t != "" {
					f.Messages = append(f.Messages, t)
				}
			}
		default:
			if t := text(v); t != "" {
				f.Messages = append(f.Messages, t)
			}
		}
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b FieldError) int { return strings.Compare(a.Field, b.Field) })
	return out
}

// laravelField finds the field in Laravel's "The amount must be ..." text.
var laravelField = regexp.MustCompile(`^The ([a-z][a-z0-9_ .]*?) (?:field |must |is |format |may |has |should |does )`)

func fieldOf(msg string) string {
	m := laravelField.FindStringSubmatch(msg)
	if m == nil {
		return ""
	}
	return strings.ReplaceAll(m[1], " ", "_")
}

// parseStatusCode reads data.statusCode as a number or a string holding
// one. Absent, null, "" or anything else is "no status code", never 0.
func parseStatusCode(raw json.RawMessage) (StatusCode, bool) {
	b := bytes.TrimSpace(raw)
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		b = bytes.TrimSpace(b[1 : len(b)-1])
	}
	if len(b) == 0 || b[0] == '+' {
		return 0, false
	}
	n, err := strconv.ParseInt(string(b), 10, 32)
	if err != nil {
		return 0, false
	}
	return StatusCode(n), true
}

// text renders a JSON scalar for an error message, redacted and capped;
// objects are dropped.
func text(v any) string {
	var s string
	switch v := v.(type) {
	case string:
		s = v
	case json.Number:
		s = v.String()
	default:
		return ""
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return redactText(s)
}

// icNumber matches a Malaysian IC number (YYMMDD-PB-###G, dashes optional);
// secretWord matches "pin: 1234"-style text. Server messages sometimes echo
// the request, and an error is logged.
var (
	icNumber   = regexp.MustCompile(`\b\d{6}-?\d{2}-?\d{4}\b`)
	secretWord = regexp.MustCompile(`(?i)\b(pin|ic[ _]?(?:number|no)|secret)(\s*[:=]\s*)"?[^\s",;]+`)
)

// redactText blanks IC-number-shaped values and PIN-like fields in text.
func redactText(s string) string {
	s = secretWord.ReplaceAllString(s, "$1$2[REDACTED]")
	return icNumber.ReplaceAllString(s, "[REDACTED]")
}
