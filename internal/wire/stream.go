package wire

import (
	"bytes"
	"errors"
	"io"
)

// Stream reads one large JSON text from a reader without holding all of
// it: the catalog, tens of megabytes, is an object whose "products" member
// is an object of 100,000 small values. A Stream walks those outer objects
// itself and hands each inner value, once its bytes are in the buffer, to a
// Decoder (StreamValue): at any moment only the value being decoded is
// held, not the body. Strings repeated across the values (Interned) are
// allocated once, and values repeated byte for byte (Shared) decoded once.
//
// The Stream checks the syntax of the parts it walks; each value is checked
// by the Decoder that reads it, so the whole text is checked as strictly as
// Decoder checks one. The first error sticks.
type Stream struct {
	r     io.Reader
	buf   []byte // buf[i:n] is read and not yet consumed
	i, n  int
	off   int64 // the input offset of buf[0]
	depth int
	eof   bool
	err   error
	words *words
}

// streamBuf is the buffer a Stream starts with and shrinks back to: far
// larger than a product, far smaller than a catalog.
const streamBuf = 64 << 10

// NewStream reads r. Reading errors (not io.EOF) are returned as they are;
// malformed input is a *SyntaxError with the offset in the whole input.
func NewStream(r io.Reader) *Stream {
	return &Stream{r: r, buf: make([]byte, streamBuf), words: newWords()}
}

func newWords() *words { return &words{m: map[string]string{}, shared: map[string]any{}} }

func (s *Stream) fail(err error) error { return keepFirst(&s.err, err) }

func (s *Stream) syntax(at int, msg string) error {
	return s.fail(&SyntaxError{Offset: s.off + int64(at), msg: msg})
}

// fill reads more input after buf[:n], keeping buf[keep:n] (moved to the
// front), and returns keep's new index; ok is false at the end of the
// input or on an error.
func (s *Stream) fill(keep int) (int, bool) {
	if s.eof || s.err != nil {
		return keep, false
	}
	if keep > 0 {
		s.compact(keep)
		keep = 0
	}
	if s.n == len(s.buf) {
		s.buf = append(s.buf, make([]byte, len(s.buf))...)[:2*len(s.buf)]
	}
	for {
		m, err := s.r.Read(s.buf[s.n:])
		s.n += m
		switch {
		case errors.Is(err, io.EOF):
			s.eof = true
			return keep, m > 0
		case err != nil:
			s.fail(err)
			return keep, false
		case m > 0:
			return keep, true
		}
	}
}

// compact drops buf[:keep], shrinking a buffer grown for one large value
// back to its first size when what is kept fits in it.
func (s *Stream) compact(keep int) {
	rest := s.buf[keep:s.n]
	if len(s.buf) > streamBuf && len(rest) < streamBuf/2 {
		s.buf = make([]byte, streamBuf)
	}
	s.n = copy(s.buf, rest)
	s.i -= keep
	s.off += int64(keep)
}

// peek skips whitespace and returns the next byte; false at the end.
func (s *Stream) peek() (byte, bool) {
	for {
		for ; s.i < s.n; s.i++ {
			switch c := s.buf[s.i]; c {
			case ' ', '\t', '\r', '\n':
			default:
				return c, true
			}
		}
		var ok bool
		if s.i, ok = s.fill(s.i); !ok {
			return 0, false
		}
	}
}

// End checks that nothing but whitespace follows the text read.
func (s *Stream) End() error {
	if s.err != nil {
		return s.err
	}
	if _, ok := s.peek(); ok {
		return s.syntax(s.i, "data after the value")
	}
	return s.err
}

// Null consumes a null if one comes next and reports whether it did.
func (s *Stream) Null() bool {
	c, ok := s.peek()
	if !ok || c != 'n' {
		return false
	}
	b, err := s.Value()
	if err != nil {
		return false
	}
	if !bytes.Equal(b, litNull) {
		s.syntax(s.i-len(b), "invalid literal")
		return false
	}
	return true
}

// Value consumes the next value and returns its bytes, valid until the
// Stream reads again. It finds where the value ends, and no more: the
// Decoder given the bytes checks them (StreamValue).
func (s *Stream) Value() ([]byte, error) {
	if _, ok := s.peek(); !ok {
		return nil, s.syntax(s.i, "unexpected end of input")
	}
	v, err := s.scan()
	if err != nil {
		return nil, err
	}
	s.i = v.end
	return s.buf[v.start:v.end], nil
}

// span is a value's bounds in buf.
type span struct{ start, end int }

// scan finds the end of the value starting at buf[i], reading more input
// as needed: a string, brackets to their match, or a scalar up to the
// next delimiter.
func (s *Stream) scan() (span, error) {
	start, j := s.i, s.i
	depth, inString, escaped := 0, false, false
	for {
		if j == s.n {
			kept, ok := s.fill(start)
			j -= start - kept
			start = kept
			if !ok {
				if s.err == nil && depth == 0 && !inString && j > start {
					return span{start, j}, nil // a scalar that ends the input
				}
				return span{}, s.syntax(j, "unexpected end of input")
			}
		}
		c := s.buf[j]
		j++
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
				if depth == 0 {
					return span{start, j}, nil
				}
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			if depth++; s.depth+depth > maxDepth {
				return span{}, s.syntax(j-1, "nested too deep")
			}
		case depth == 0 && isDelim(c):
			return span{start, j - 1}, nil // a scalar's end, or no value at all
		case c == '}' || c == ']':
			if depth--; depth == 0 {
				return span{start, j}, nil
			}
		}
	}
}

// isDelim reports whether c ends a scalar.
func isDelim(c byte) bool {
	switch c {
	case ',', '}', ']', ':', ' ', '\t', '\r', '\n':
		return true
	}
	return false
}

// StreamValue reads the next value with dec, as Decode would read it alone
// (interned and shared with the rest of the Stream).
func StreamValue[T any](s *Stream, p *T, dec func(*T, *Decoder) error) error {
	s.peek()
	at := s.off + int64(s.i) // where the value starts, whatever the buffer does
	b, err := s.Value()
	if err != nil {
		return err
	}
	d := Decoder{b: b, depth: s.depth, words: s.words}
	if err := dec(p, &d); err != nil {
		return s.fail(shift(err, at))
	}
	if err := d.End(); err != nil {
		return s.fail(shift(err, at))
	}
	return nil
}

// shift makes a syntax error's offset one in the whole input.
func shift(err error, by int64) error {
	var se *SyntaxError
	if errors.As(err, &se) {
		return &SyntaxError{Offset: se.Offset + by, msg: se.msg}
	}
	return err
}

// StreamMembers walks an object of a Stream, as Members does a Decoder's:
// for m := s.Object(); m.Next(); { ...m.Key()..., then read or Skip the
// value }. null is an object with no members.
type StreamMembers struct {
	s     *Stream
	n     int
	key   []byte // this walk's own copy: the buffer moves under it
	ended bool
}

// Object starts walking the object that comes next.
func (s *Stream) Object() StreamMembers { return StreamMembers{s: s} }

// Key is the current member's key, unescaped, valid until the next Next.
func (m *StreamMembers) Key() []byte { return m.key }

// Next moves to the next member, consuming its key and colon; false at the
// end of the object or on an error.
func (m *StreamMembers) Next() bool {
	s := m.s
	if m.ended || s.err != nil {
		return false
	}
	if !m.step() {
		return false
	}
	if c, ok := s.peek(); !ok || c != '"' {
		s.syntax(s.i, "looking for an object key")
		return false
	}
	if !m.readKey() {
		return false
	}
	if c, ok := s.peek(); !ok || c != ':' {
		s.syntax(s.i, "looking for a colon after an object key")
		return false
	}
	s.i++
	return true
}

// step consumes the opening brace (or null) before the first member and
// a comma before each other; false at the closing brace.
func (m *StreamMembers) step() bool {
	s := m.s
	c, ok := s.peek()
	switch {
	case !ok:
		s.syntax(s.i, "unexpected end of input")
	case m.n == 0 && c == 'n':
		m.ended = s.Null() // when not null, Null has recorded why
		return false
	case m.n == 0 && c == '{':
		if s.depth++; s.depth > maxDepth {
			s.syntax(s.i, "nested too deep")
			return false
		}
		s.i++
		if c, ok := s.peek(); ok && c == '}' {
			return m.close()
		}
	case m.n == 0:
		s.syntax(s.i, "want an object")
	case c == ',':
		s.i++
	case c == '}':
		return m.close()
	default:
		s.syntax(s.i, "looking for a comma or the end of an object")
	}
	if s.err != nil {
		return false
	}
	m.n++
	return true
}

func (m *StreamMembers) close() bool {
	m.s.i++
	m.s.depth--
	m.ended = true
	return false
}

// readKey reads the key's string, checked and unescaped by a Decoder.
func (m *StreamMembers) readKey() bool {
	return StreamValue(m.s, &m.key, func(dst *[]byte, d *Decoder) error {
		key, ok := d.key()
		if !ok {
			return d.err
		}
		*dst = append((*dst)[:0], key...)
		return nil
	}) == nil
}
