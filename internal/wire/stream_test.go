package wire

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// member is what both walks below read: each key with its value as
// encoding/json would decode it.
type member struct {
	Key   string
	Value any
}

// streamWalk reads an object of objects (the catalog's shape) with a
// Stream: the outer and inner objects walked by the Stream, each inner
// value decoded by a Decoder.
func streamWalk(r io.Reader) ([]member, error) {
	s := NewStream(r)
	var out []member
	for m := s.Object(); m.Next(); {
		key := string(m.Key())
		if key != "inner" {
			var v any
			if err := StreamValue(s, &v, decodeAny); err != nil {
				return nil, err
			}
			out = append(out, member{key, v})
			continue
		}
		if s.Null() {
			out = append(out, member{key, nil})
			continue
		}
		for in := s.Object(); in.Next(); {
			var v any
			if err := StreamValue(s, &v, decodeAny); err != nil {
				return nil, err
			}
			out = append(out, member{key + "." + string(in.Key()), v})
		}
	}
	return out, s.End()
}

// decoderWalk reads the same with one Decoder over the whole input.
func decoderWalk(b []byte) ([]member, error) {
	d := NewDecoder(b)
	var out []member
	for m := d.Object(); m.Next(); {
		key := string(m.Key())
		if key != "inner" {
			var v any
			if err := decodeAny(&v, &d); err != nil {
				return nil, err
			}
			out = append(out, member{key, v})
			continue
		}
		if d.Null() {
			out = append(out, member{key, nil})
			continue
		}
		for in := d.Object(); in.Next(); {
			var v any
			if err := decodeAny(&v, &d); err != nil {
				return nil, err
			}
			out = append(out, member{key + "." + string(in.Key()), v})
		}
	}
	if err := d.Err(); err != nil {
		return nil, err
	}
	return out, d.End()
}

func decodeAny(p *any, d *Decoder) error {
	b, err := d.Value()
	if err != nil {
		return err
	}
	return json.Unmarshal(b, p)
}

var streamInputs = []string{
	`{"a":1,"inner":{"x":{"k":[1,2,{"z":"}"}]},"y":"s\"]"},"b":[true,false,null],"c":-1.5e3}`,
	` { "inner" : null , "a\u00e9" : "v" } `,
	`{"inner":{}}`, `{}`, `null`, `{"a":1}`, `{"a":"x"}  `,
	// Malformed: every one must be refused by both.
	`{"a":1`, `{"a":}`, `{"a" 1}`, `{"a":1,}`, `{"a":1}x`, `{"a":1}{}`, `[1]`, `{"inner":[1]}`,
	`{"inner":{"x":1,}}`, `{"inner":{"x":{]}}`, `{"a":tru}`, `{"a":"\x01"}`, `{"a":"\q"}`, `{a:1}`,
	`{"a":1 2}`, `{"a":01}`, `{"a":"x"y}`, `{"inner":nul}`, `{"inner":{"x":1}`, `{"a":[}`, ``, `   `,
	`{"a":1:2}`, `{"a":{"b":1}}}`,
}

// A Stream reads exactly what one Decoder over the whole input reads, and
// refuses what it refuses, however the input arrives.
func TestStreamAgreesWithDecoder(t *testing.T) {
	t.Parallel()
	for _, in := range streamInputs {
		want, wantErr := decoderWalk([]byte(in))
		for _, r := range []io.Reader{strings.NewReader(in), iotest.OneByteReader(strings.NewReader(in)),
			iotest.DataErrReader(strings.NewReader(in)), iotest.HalfReader(strings.NewReader(in))} {
			got, err := streamWalk(r)
			if wantErr != nil {
				assert.Error(t, err, "%q: the decoder refused it (%v)", in, wantErr)
				continue
			}
			require.NoError(t, err, in)
			assert.Equal(t, want, got, in)
		}
	}
}

// A value far larger than the buffer is read whole, and the buffer goes
// back to its first size for the values after it.
func TestStreamGrowsForALargeValueAndShrinks(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x", 5*streamBuf)
	var rest strings.Builder
	for i := range 80_000 { // more than the grown buffer holds, so it is refilled
		fmt.Fprintf(&rest, `,"s%d":1`, i)
	}
	in := `{"inner":{"big":"` + big + `"` + rest.String() + `}}`
	s := NewStream(iotest.HalfReader(strings.NewReader(in)))
	var sizes []int
	m := s.Object()
	require.True(t, m.Next())
	for in := s.Object(); in.Next(); {
		var v any
		require.NoError(t, StreamValue(s, &v, decodeAny))
		if in.Key()[0] == 'b' {
			assert.Equal(t, big, v)
		}
		sizes = append(sizes, len(s.buf))
	}
	require.False(t, m.Next())
	require.NoError(t, s.End())
	assert.Greater(t, sizes[0], 5*streamBuf, "grown to hold the value")
	assert.Equal(t, streamBuf, sizes[len(sizes)-1], "shrunk back")
}

// The reader's own error is the Stream's, as it is; malformed input is a
// *SyntaxError whose offset is in the whole input, not in a value.
func TestStreamErrors(t *testing.T) {
	t.Parallel()
	reset := errors.New("connection reset")
	in := `{"inner":{"x":{"k":1},"y":{"k":2}}}`
	_, err := streamWalk(io.MultiReader(strings.NewReader(in[:20]), iotest.ErrReader(reset)))
	assert.ErrorIs(t, err, reset)

	bad := `{"inner":{"x":{"k":1},"y":{"k":[1,]}}}`
	_, err = streamWalk(iotest.OneByteReader(strings.NewReader(bad)))
	var se *SyntaxError
	require.ErrorAs(t, err, &se)
	_, whole := decoderWalk([]byte(bad))
	var wse *SyntaxError
	require.ErrorAs(t, whole, &wse)
	assert.Equal(t, wse.Offset, se.Offset, "the offset one Decoder over the whole input gives")
	assert.NotContains(t, err.Error(), "inner", "the error quotes nothing of the input")
}

// Nesting is bounded across the Stream and its values together, as in one
// Decoder: a value nested just within the bound is read, one past it is
// refused.
func TestStreamDepth(t *testing.T) {
	t.Parallel()
	nest := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	ok := `{"inner":{"x":` + nest(maxDepth-2) + `}}`
	_, err := streamWalk(strings.NewReader(ok))
	assert.NoError(t, err)
	_, err = decoderWalk([]byte(ok))
	assert.NoError(t, err)
	deep := `{"inner":{"x":` + nest(maxDepth-1) + `}}`
	_, err = streamWalk(strings.NewReader(deep))
	assert.Error(t, err)
	_, err = decoderWalk([]byte(deep))
	assert.Error(t, err)
}

// FuzzStream holds a Stream to one Decoder over the whole input, with the
// input arriving in pieces of every size.
func FuzzStream(f *testing.F) {
	for _, in := range streamInputs {
		f.Add([]byte(in), uint8(1))
	}
	f.Fuzz(func(t *testing.T, b []byte, piece uint8) {
		want, wantErr := decoderWalk(b)
		got, err := streamWalk(&chunks{b: b, n: int(piece%32) + 1})
		if (wantErr == nil) != (err == nil) {
			t.Fatalf("decoder: %v, stream: %v, for %q", wantErr, err, b)
		}
		if err == nil && !assert.ObjectsAreEqual(want, got) {
			t.Fatalf("%q: decoder read %v, stream %v", b, want, got)
		}
	})
}

// chunks reads b n bytes at a time.
type chunks struct {
	b []byte
	n int
}

func (c *chunks) Read(p []byte) (int, error) {
	if len(c.b) == 0 {
		return 0, io.EOF
	}
	k := copy(p[:min(len(p), c.n)], c.b)
	c.b = c.b[k:]
	return k, nil
}
