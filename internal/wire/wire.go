// Package wire holds the lenient JSON scalars and GMT+8 time layouts that
// IIMMPACT's responses need. IIMMPACT sends the same field as a number on one
// endpoint and a string on another (and sometimes changed it between
// documentation builds), so decoding must accept both without guessing
// anything else.
package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// The setters below read one scalar's bytes (as Decoder.Value returns them)
// into a field of the SDK's own types; the generated decoders pair each
// field with one of them.

// SetString reads a string, a number (kept as written) or null ("").
func SetString(p *string, b []byte) error {
	b = bytes.Trim(b, " \t\r\n") // JSON whitespace only
	switch {
	case len(b) == 0:
		return errors.New("wire: empty value")
	case string(b) == "null":
		*p = ""
		return nil
	case b[0] == '"':
		if len(b) >= 2 && b[len(b)-1] == '"' && plain(b[1:len(b)-1]) {
			*p = string(b[1 : len(b)-1]) // the common case, without a second decoder
			return nil
		}
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*p = v
		return nil
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9'):
		if !json.Valid(b) {
			return errors.New("wire: invalid number")
		}
		*p = string(b)
		return nil
	}
	return fmt.Errorf("wire: want a string or a number, got %s", kind(b))
}

// plain reports whether a JSON string's content needs no unescaping: no
// quote, backslash, control byte or non-ASCII byte (left to encoding/json,
// which replaces invalid UTF-8).
func plain(b []byte) bool {
	for _, c := range b {
		if c < ' ' || c == '"' || c == '\\' || c >= 0x80 {
			return false
		}
	}
	return true
}

// SetInt reads an integer or a string holding one; null and "" are 0.
func SetInt[T ~int | ~int64](p *T, b []byte) error {
	b = bytes.Trim(b, " \t\r\n")
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		b = b[1 : len(b)-1] // a string holding the number
	}
	switch string(b) {
	case "null", "":
		*p = 0
		return nil
	}
	v, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return fmt.Errorf("wire: want an integer, got %s", kind(b))
	}
	*p = T(v)
	return nil
}

// SetBool reads true/false, "true"/"false", 1/0, "1"/"0"; null is false.
func SetBool(p *bool, b []byte) error {
	switch string(bytes.Trim(b, " \t\r\n")) {
	case "true", `"true"`, "1", `"1"`:
		*p = true
	case "false", `"false"`, "0", `"0"`, "null", `""`:
		*p = false
	default:
		return fmt.Errorf("wire: want a boolean, got %s", kind(b))
	}
	return nil
}

// SetRaw keeps the value's bytes (a copy).
func SetRaw(p *json.RawMessage, b []byte) error {
	*p = append(json.RawMessage(nil), b...)
	return nil
}

// kind names a JSON value's type for an error without quoting the value,
// which may be a voucher PIN or an IC number.
func kind(b []byte) string {
	if len(b) == 0 {
		return "nothing"
	}
	switch b[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// MYT is Malaysia time, GMT+8 with no daylight saving: every IIMMPACT
// timestamp without a zone is in it.
var MYT = time.FixedZone("MYT", 8*60*60)

// Layouts used by IIMMPACT. Go accepts a fractional second after the seconds
// field when parsing, so DateTime also reads "2025-01-15 10:23:47.910".
const (
	DateTime    = "2006-01-02 15:04:05"     // topup, callbacks, transactions
	DateTimeDMY = "02-01-2006 15:04:05"     // metadata.last_updated
	Date        = "2006-01-02"              // query parameter "date"
	DateTimeMs  = "2006-01-02 15:04:05.000" // transactions, for writing
)

// SetTime reads an IIMMPACT GMT+8 timestamp in any of its layouts, or an
// RFC 3339 time (catalog); null and "" are the zero time.
func SetTime(p *time.Time, b []byte) error {
	var s string
	if err := SetString(&s, b); err != nil {
		return err
	}
	t, err := ParseTime(s)
	if err != nil {
		return err
	}
	*p = t
	return nil
}

// ParseTime reads s in the first layout that fits; "" is the zero time.
func ParseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range [...]string{DateTime, DateTimeDMY} {
		if t, err := time.ParseInLocation(layout, s, MYT); err == nil {
			return t, nil
		}
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.In(MYT), nil
	}
	return time.Time{}, fmt.Errorf("wire: unknown time layout %.40q", s)
}
