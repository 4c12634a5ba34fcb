package iimmpact

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
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
)

// maxErrorBody caps the bytes of a response body kept in an error.
const maxErrorBody = 4 << 10

// APIError is a non-2xx answer from IIMMPACT.
type APIError struct {
	HTTPStatus int        // the HTTP status code
	StatusCode StatusCode // data.statusCode, when the body had one
	Remarks    string     // data.remarks, e.g. "Invalid_Denomination"
	Message    string     // message, error or error_message from the body
	Body       []byte     // the raw body, capped at 4 KiB

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
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.ClockSkew != 0 {
		s += " (local clock is " + e.ClockSkew.String() + " off IIMMPACT's; fix NTP)"
	}
	if e.StatusCode != 0 {
		s += " (statusCode " + e.StatusCode.String() + ")"
	}
	return s
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
	}
	return false
}

// RefIDConsumed reports whether a topup that got this error used up its refid.
// IIMMPACT creates no transaction when it refuses a request with a 4xx (the
// seed's HTTP 400 Invalid_Denomination case): fix the input and send the same
// refid again. A 5xx is never an APIError from Topup; it is ErrOutcomeUnknown.
func (e *APIError) RefIDConsumed() bool { return false }

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
// a dropped connection, a 5xx or an unreadable answer. The payment may have
// happened. Call Topup (or WaitTopup) again with the same request.
type OutcomeUnknownError struct {
	RefID string       // the refid to ask about again
	Last  *Transaction // the last state seen, if any
	Err   error        // the cause
}

func (e *OutcomeUnknownError) Error() string {
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
// {"data":{"statusCode":58,"remarks":"..."}}, {"error":..,"message":..},
// {"message":"Forbidden"} and {"error_message":..}; anything else (an HTML
// page) is kept only as Body.
func newAPIError(status int, body []byte) *APIError {
	e := &APIError{HTTPStatus: status, Body: capBody(body)}
	var w struct {
		Data *struct {
			StatusCode *json.Number `json:"statusCode"`
			Remarks    any          `json:"remarks"`
			Message    any          `json:"message"`
		} `json:"data"`
		Error        any `json:"error"`
		Message      any `json:"message"`
		ErrorMessage any `json:"error_message"`
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
		if d.StatusCode != nil {
			if n, err := d.StatusCode.Int64(); err == nil {
				e.StatusCode = StatusCode(n)
			}
		}
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
	return e
}

// text renders a JSON scalar for an error message, capped; objects are dropped.
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
	return s
}
