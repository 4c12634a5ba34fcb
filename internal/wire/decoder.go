package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// Decoder reads one JSON text straight into typed values: the generated
// decodeWire methods walk objects member by member and hand each scalar to
// a lenient setter, so no mirror struct is filled and copied. It checks the
// syntax as it goes, as strictly as encoding/json. Most bytes are checked
// once, not all: a Lenient or Shared value is checked whole (Value) and
// then again by the sub-decoder that reads it, and a setter parses the
// scalar bytes it is handed (SetString hands an escaped string to
// json.Unmarshal and checks a number with json.Valid).
//
// The first error sticks: every later read returns it.
type Decoder struct {
	b     []byte
	i     int
	depth int
	err   error
	words *words
}

// words interns the strings of Interned fields while one input is
// decoded, bounded so that a hostile body cannot grow it without limit.
type words struct {
	m      map[string]string
	shared map[string]any // Shared values by their JSON
}

const (
	maxWords     = 4096
	maxWordLen   = 64
	maxShared    = 4096
	maxSharedLen = 1024
)

// word is b as a string, the same string each time within one input.
func (w *words) word(b []byte) string {
	if s, ok := w.m[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(w.m) < maxWords && len(b) <= maxWordLen {
		w.m[s] = s
	}
	return s
}

// maxDepth bounds nesting, as encoding/json does, so a hostile body of
// brackets cannot exhaust the stack.
const maxDepth = 10000

// SyntaxError is malformed JSON; Offset is the byte where it was noticed.
// Its text never quotes the input.
type SyntaxError struct {
	Offset int64
	msg    string
}

func (e *SyntaxError) Error() string {
	return "wire: invalid JSON at byte " + strconv.FormatInt(e.Offset, 10) + ": " + e.msg
}

// NewDecoder reads b. Raw copies what it returns, so b may be reused
// once decoding is done.
func NewDecoder(b []byte) Decoder { return Decoder{b: b} }

// sub reads b, a part of d's input, the way d does.
func (d *Decoder) sub(b []byte) Decoder { return Decoder{b: b, words: d.words} }

// Err is the first error met, if any.
func (d *Decoder) Err() error { return d.err }

// Fail records err (the first one wins) and returns the error that sticks.
func (d *Decoder) Fail(err error) error { return keepFirst(&d.err, err) }

// keepFirst sets *first to err unless an error is there already, and
// returns the one that stays.
func keepFirst(first *error, err error) error {
	if *first == nil {
		*first = err
	}
	return *first
}

func (d *Decoder) syntax(msg string) error { return d.Fail(&SyntaxError{Offset: int64(d.i), msg: msg}) }

// End checks that nothing but whitespace follows the value read.
func (d *Decoder) End() error {
	if d.err != nil {
		return d.err
	}
	d.ws()
	if d.i != len(d.b) {
		return d.syntax("data after the value")
	}
	return nil
}

func (d *Decoder) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\r', '\n':
			d.i++
		default:
			return
		}
	}
}

// Pos is the offset of the next value, after whitespace.
func (d *Decoder) Pos() int {
	d.ws()
	return d.i
}

// Raw is a copy of the JSON from start to the current position, for a
// result to keep: the input may be reused.
func (d *Decoder) Raw(start int) json.RawMessage {
	return append(json.RawMessage(nil), d.b[start:d.i]...)
}

// Null consumes a null if one comes next and reports whether it did.
func (d *Decoder) Null() bool {
	if d.err != nil {
		return false
	}
	d.ws()
	if bytes.HasPrefix(d.b[d.i:], litNull) {
		d.i += len(litNull)
		return true
	}
	return false
}

var (
	litNull  = []byte("null")
	litTrue  = []byte("true")
	litFalse = []byte("false")
)

// Value consumes the next value, checking its syntax, and returns its bytes.
func (d *Decoder) Value() ([]byte, error) {
	start := d.Pos()
	if err := d.Skip(); err != nil {
		return nil, err
	}
	return d.b[start:d.i], nil
}

// Skip consumes the next value, checking its syntax.
func (d *Decoder) Skip() error {
	if d.err != nil {
		return d.err
	}
	d.ws()
	if d.i >= len(d.b) {
		return d.syntax("unexpected end of input")
	}
	switch c := d.b[d.i]; {
	case c == '"':
		_, _, err := d.str()
		return err
	case c == '{':
		for m := d.Object(); m.Next(); {
			if err := d.Skip(); err != nil {
				return err
			}
		}
		return d.err
	case c == '[':
		for a := d.Array(); a.Next(); {
			if err := d.Skip(); err != nil {
				return err
			}
		}
		return d.err
	case c == 't':
		return d.lit(litTrue)
	case c == 'f':
		return d.lit(litFalse)
	case c == 'n':
		return d.lit(litNull)
	case c == '-' || (c >= '0' && c <= '9'):
		return d.number()
	}
	return d.syntax("looking for the beginning of a value")
}

func (d *Decoder) lit(l []byte) error {
	if !bytes.HasPrefix(d.b[d.i:], l) {
		return d.syntax("invalid literal")
	}
	d.i += len(l)
	return nil
}

// number consumes a number in JSON's grammar: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?
func (d *Decoder) number() error {
	b, i := d.b, d.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = digits(b, i)
	default:
		d.i = i
		return d.syntax("invalid number")
	}
	if i < len(b) && b[i] == '.' {
		if j := digits(b, i+1); j > i+1 {
			i = j
		} else {
			d.i = i
			return d.syntax("invalid number")
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if j := digits(b, i); j > i {
			i = j
		} else {
			d.i = i
			return d.syntax("invalid number")
		}
	}
	d.i = i
	return nil
}

func digits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}

// str consumes a string and returns its content as written and whether it
// has escapes (then json.Unmarshal gives its value).
func (d *Decoder) str() (raw []byte, escaped bool, err error) {
	b := d.b
	start := d.i + 1
	for i := start; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			d.i = i + 1
			return b[start:i], escaped, nil
		case c == '\\':
			escaped = true
			i++
			if i >= len(b) {
				break
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(b) || !isHex(b[i+1:i+5]) {
					d.i = i
					return nil, false, d.syntax("invalid escape in string")
				}
				i += 4
			default:
				d.i = i
				return nil, false, d.syntax("invalid escape in string")
			}
		case c < ' ':
			d.i = i
			return nil, false, d.syntax("control character in string")
		}
	}
	d.i = len(b)
	return nil, false, d.syntax("unterminated string")
}

func isHex(b []byte) bool {
	for _, c := range b {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// Members walks an object: for m := d.Object(); m.Next(); { ...m.Key()...,
// then read or Skip the value }. null is an object with no members;
// anything else that is not an object is an error (see Decoder.Err).
type Members struct {
	d     *Decoder
	n     int
	key   []byte
	ended bool
}

// Object starts walking the object that comes next.
func (d *Decoder) Object() Members { return Members{d: d} }

// Key is the current member's key, unescaped.
func (m *Members) Key() []byte { return m.key }

// Next moves to the next member, consuming its key and colon; false at the
// end of the object or on an error.
func (m *Members) Next() bool {
	if !m.step('{', '}') {
		return false
	}
	d := m.d
	var ok bool
	if m.key, ok = d.key(); !ok {
		return false
	}
	d.ws()
	if d.i >= len(d.b) || d.b[d.i] != ':' {
		d.syntax("looking for a colon after an object key")
		return false
	}
	d.i++
	return true
}

// key consumes an object key and returns it unescaped.
func (d *Decoder) key() ([]byte, bool) {
	d.ws()
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		d.syntax("looking for an object key")
		return nil, false
	}
	raw, escaped, err := d.str()
	if err != nil {
		return nil, false
	}
	if !escaped {
		return raw, true
	}
	var s string
	if err := json.Unmarshal(d.b[d.i-len(raw)-2:d.i], &s); err != nil {
		d.Fail(err)
		return nil, false
	}
	return []byte(s), true
}

// step moves to the next member or element: the opening bracket (or null)
// before the first, a comma before each other; false at the end.
func (m *Members) step(opening, closing byte) bool {
	if m.ended || m.d.err != nil {
		return false
	}
	m.d.ws()
	if m.n == 0 {
		if !m.open(opening, closing) {
			return false
		}
	} else if !m.more(closing) {
		return false
	}
	m.n++
	return true
}

// open consumes null (no members) or the opening bracket; false when the
// container is empty or on an error.
func (m *Members) open(opening, closing byte) bool {
	d := m.d
	if d.Null() {
		m.ended = true
		return false
	}
	if d.i >= len(d.b) || d.b[d.i] != opening {
		d.Fail(fmt.Errorf("wire: want %s, got %s", container(opening), kind(d.b[d.i:])))
		return false
	}
	if d.depth++; d.depth > maxDepth {
		d.syntax("nested too deep")
		return false
	}
	d.i++
	d.ws()
	if d.i < len(d.b) && d.b[d.i] == closing {
		d.i++
		d.depth--
		m.ended = true
		return false
	}
	return true
}

// more consumes the comma before another element, or the closing bracket.
func (m *Members) more(closing byte) bool {
	d := m.d
	switch {
	case d.i < len(d.b) && d.b[d.i] == ',':
		d.i++
		return true
	case d.i < len(d.b) && d.b[d.i] == closing:
		d.i++
		d.depth--
		m.ended = true
		return false
	}
	d.syntax("looking for a comma or the end of " + container(closing))
	return false
}

func container(c byte) string {
	if c == '{' || c == '}' {
		return "an object"
	}
	return "an array"
}

// Elements walks an array: for a := d.Array(); a.Next(); { read one value }.
// null is an array with no elements.
type Elements struct{ m Members }

// Array starts walking the array that comes next.
func (d *Decoder) Array() Elements { return Elements{Members{d: d}} }

// Next moves to the next element; false at the end or on an error.
func (a *Elements) Next() bool { return a.m.step('[', ']') }

// Fold returns the key of keys that equals key case-insensitively, as
// encoding/json matches a field whose exact name is not present.
func Fold(key []byte, keys ...string) (string, bool) {
	for _, k := range keys {
		if len(k) == len(key) && bytes.EqualFold(key, []byte(k)) {
			return k, true
		}
	}
	return "", false
}
