package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// skipAll reports whether the Decoder takes b as exactly one JSON value.
func skipAll(b []byte) bool {
	d := NewDecoder(b)
	return d.Skip() == nil && d.End() == nil
}

func TestDecoderAgreesWithEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		`{}`, `[]`, `null`, `true`, `false`, `0`, `-0.5e+10`, `"a\u00e9\n"`, ` {"a": [1, {"b": null}], "c": "d"} `,
		`{"a":1,}`, `[1,]`, `01`, `1.`, `-`, `"\x"`, `"abc`, `{"a" 1}`, `{1:2}`, `nul`, `[1 2]`, `{} {}`, "\"\x01\"", ``, `.5`, `1e`,
	} {
		assert.Equal(t, json.Valid([]byte(s)), skipAll([]byte(s)), "%q", s)
	}
}

func TestMembersReadsKeysUnescapedAndNullAsEmpty(t *testing.T) {
	t.Parallel()
	d := NewDecoder([]byte(`{"a\u0062": "x", "c": null}`))
	var keys []string
	for m := d.Object(); m.Next(); {
		keys = append(keys, string(m.Key()))
		require.NoError(t, d.Skip())
	}
	require.NoError(t, d.End())
	assert.Equal(t, []string{"ab", "c"}, keys)

	d = NewDecoder([]byte(`null`))
	for m := d.Object(); m.Next(); {
		t.Fatal("null has no members")
	}
	assert.NoError(t, d.End())

	d = NewDecoder([]byte(`[1]`))
	for m := d.Object(); m.Next(); {
		t.Fatal("an array is not an object")
	}
	assert.ErrorContains(t, d.Err(), "want an object, got an array")
}

func TestDecoderRefusesDeepNesting(t *testing.T) {
	t.Parallel()
	deep := make([]byte, 0, 2*maxDepth+2)
	for range maxDepth + 1 {
		deep = append(deep, '[')
	}
	for range maxDepth + 1 {
		deep = append(deep, ']')
	}
	assert.False(t, skipAll(deep))
}

func TestSyntaxErrorDoesNotQuoteTheInput(t *testing.T) {
	t.Parallel()
	d := NewDecoder([]byte(`{"pin": "1234` + "\x01" + `"}`))
	err := d.Skip()
	var se *SyntaxError
	require.ErrorAs(t, err, &se)
	assert.NotContains(t, err.Error(), "1234")
}

// FuzzDecoder holds the one-pass decoder to encoding/json's grammar: the
// same texts are valid, and walking never panics.
func FuzzDecoder(f *testing.F) {
	for _, s := range []string{`{"a":[1,2,{"b":"c"}]}`, `"\u12"`, `[-0.0e-0]`, `{"a":1}x`, `  null  `} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := skipAll(b), json.Valid(b); got != want {
			t.Fatalf("Decoder says valid=%v, encoding/json %v, for %q", got, want, b)
		}
	})
}

// readWords reads an array of strings with Interned.
func readWords(t *testing.T, d Decoder) []string {
	var out []string
	require.NoError(t, Slice(&d, &out, func(p *string, d *Decoder) error { return Interned(d, p) }))
	require.NoError(t, d.End())
	return out
}

// With an interning decoder, a repeated plain string is one allocation; escaped
// strings and numbers read as SetString reads them; a plain decoder, or a
// word past the table's bound, gets its own copy each time.
func TestInterned(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", maxWordLen+1)
	in := []byte(`["tel","tel","a\u00e9","a\u00e9",12,null,"` + long + `","` + long + `"]`)
	got := readWords(t, interning(in))
	assert.Equal(t, []string{"tel", "tel", "aé", "aé", "12", "", long, long}, got)
	assert.Same(t, unsafe.StringData(got[0]), unsafe.StringData(got[1]), "a repeated word is shared")
	assert.NotSame(t, unsafe.StringData(got[6]), unsafe.StringData(got[7]), "a long string is not kept in the table")

	plain := readWords(t, NewDecoder(in))
	assert.Equal(t, got, plain)
	assert.NotSame(t, unsafe.StringData(plain[0]), unsafe.StringData(plain[1]), "no table without an interning decoder")
	copy(in, bytes.Repeat([]byte{'z'}, len(in)))
	assert.Equal(t, "tel", got[0], "an interned word does not alias the input")
}

// The table stops growing at maxWords: a body of distinct strings cannot
// grow it without bound, and later strings still decode.
func TestInternedBound(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	b.WriteByte('[')
	for i := range maxWords + 10 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"w%d"`, i)
	}
	b.WriteByte(']')
	d := interning(b.Bytes())
	got := readWords(t, d)
	assert.Len(t, d.words.m, maxWords)
	assert.Equal(t, fmt.Sprintf("w%d", maxWords+9), got[len(got)-1])
}

// readShared reads a list of string lists, each list Shared.
func readShared(t *testing.T, d Decoder) [][]string {
	var out [][]string
	require.NoError(t, Slice(&d, &out, func(p *[]string, d *Decoder) error {
		return Shared(d, p, func(p *[]string, d *Decoder) error { return ScalarSlice(d, p, SetString) })
	}))
	require.NoError(t, d.End())
	return out
}

// With an interning decoder, a value repeated byte for byte is decoded
// once and shared; a different one (even equal after decoding, or past the
// length bound) is its own; a plain decoder shares nothing.
func TestShared(t *testing.T) {
	t.Parallel()
	long := `["` + strings.Repeat("x", maxSharedLen) + `"]`
	in := []byte(`[["a","b"],["a","b"],["a", "b"],["c"],` + long + `,` + long + `]`)
	got := readShared(t, interning(in))
	plain := readShared(t, NewDecoder(in))
	assert.Equal(t, plain, got)
	assert.Equal(t, []string{"a", "b"}, got[0])
	assert.Same(t, &got[0][0], &got[1][0], "a repeat is shared")
	assert.NotSame(t, &got[0][0], &got[2][0], "other bytes, another value")
	assert.NotSame(t, &got[4][0], &got[5][0], "a long value is not kept in the table")
	assert.NotSame(t, &plain[0][0], &plain[1][0], "no table without an interning decoder")

	d := interning([]byte(`[{"a":1}]`))
	var bad []string
	require.Error(t, Shared(&d, &bad, func(p *[]string, d *Decoder) error { return ScalarSlice(d, p, SetString) }))
}

// interning is a Decoder with a Stream's table of words and shared values.
func interning(b []byte) Decoder { return Decoder{b: b, words: newWords()} }
