package wire

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestString(t *testing.T) {
	for in, want := range map[string]string{
		`"3100528"`: "3100528", `3100528`: "3100528", `"12"`: "12", `null`: "", `""`: "",
		`"Celcom Prepaid"`: "Celcom Prepaid", `"a\"b"`: `a"b`, `"caf\u00e9"`: "café", `"café"`: "café", `-1.5`: "-1.5",
	} {
		var s string
		require.NoError(t, SetString(&s, []byte(in)), in)
		assert.Equal(t, want, s, in)
	}
	for _, in := range []string{`true`, `{}`, `[]`, `"x`} {
		var s string
		assert.Error(t, SetString(&s, []byte(in)), in)
	}
}

func TestIntAndBool(t *testing.T) {
	for in, want := range map[string]int64{`0`: 0, `"0"`: 0, `50`: 50, `"20"`: 20, `null`: 0, `""`: 0} {
		var n int64
		require.NoError(t, SetInt(&n, []byte(in)), in)
		assert.EqualValues(t, want, n, in)
	}
	for _, in := range []string{`1.5`, `"x"`, `true`, `"1e3"`, `99999999999999999999`} {
		var n int64
		assert.Error(t, SetInt(&n, []byte(in)), in)
	}
	for in, want := range map[string]bool{`true`: true, `"true"`: true, `1`: true, `false`: false, `"0"`: false, `null`: false} {
		var b bool
		require.NoError(t, SetBool(&b, []byte(in)), in)
		assert.Equal(t, want, b, in)
	}
	var b bool
	assert.Error(t, SetBool(&b, []byte(`"yes"`)))
}

func TestParseTime(t *testing.T) {
	for in, want := range map[string]string{
		"2025-01-15 10:23:51":     "2025-01-15T10:23:51+08:00",
		"2025-01-15 10:23:47.910": "2025-01-15T10:23:47.91+08:00",
		"15-01-2025 10:23:40":     "2025-01-15T10:23:40+08:00",
		"2025-01-07T00:00:00Z":    "2025-01-07T08:00:00+08:00",
	} {
		got, err := ParseTime(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got.Format(time.RFC3339Nano), in)
	}
	zero, err := ParseTime("")
	require.NoError(t, err)
	assert.True(t, zero.IsZero())
	for _, in := range []string{"2025-13-01 00:00:00", "yesterday", "2025-01-15"} {
		_, err := ParseTime(in)
		assert.Error(t, err, in)
	}
}

// FuzzScalars: the lenient setters never panic, and SetString agrees with
// encoding/json on every string it accepts.
func FuzzScalars(f *testing.F) {
	for _, s := range []string{`"a"`, `12`, `null`, `"2025-01-15 10:23:51"`, `"\u00e9"`, `"\ud800"`, `"` + "\xff" + `"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var s string
		if err := SetString(&s, b); err == nil && len(b) > 0 && b[0] == '"' {
			var want string
			require.NoError(t, json.Unmarshal(b, &want))
			require.Equal(t, want, s)
		}
		var n int64
		_ = SetInt(&n, b)
		var v bool
		_ = SetBool(&v, b)
		var tm time.Time
		_ = SetTime(&tm, b)
	})
}
