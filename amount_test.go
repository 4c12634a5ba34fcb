package iimmpact

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const maxUnits = math.MaxInt64

func TestParseAmountValid(t *testing.T) {
	tests := []struct {
		in    string
		units int64
		str   string
	}{
		{"0", 0, "0"},
		{"-0", 0, "0"},
		{"-0.000", 0, "0"},
		{"30", 30_00000000, "30"},
		{"30.0000", 30_00000000, "30"},
		{"30.0000000000", 30_00000000, "30"},
		{"29.4", 29_40000000, "29.4"},
		{"920.6", 920_60000000, "920.6"},
		{"22.23", 22_23000000, "22.23"},
		{"48.6333", 48_63330000, "48.6333"},
		{"-0.5", -50000000, "-0.5"},
		{"-12.34", -12_34000000, "-12.34"},
		{"007", 7_00000000, "7"},
		{"0000000000000000000000000001.5", 1_50000000, "1.5"},
		{"1.100000000000000000000", 1_10000000, "1.1"},
		{"0.00000001", 1, "0.00000001"},
		{"-0.00000001", -1, "-0.00000001"},
		{"0.12345678", 12345678, "0.12345678"},
		{"0.10000000", 10000000, "0.1"},
		{"92233720368", 92233720368_00000000, "92233720368"},
		{"92233720368.54775807", maxUnits, "92233720368.54775807"},
		{"-92233720368.54775807", -maxUnits, "-92233720368.54775807"},
		{"92233720368.547758070000", maxUnits, "92233720368.54775807"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			a, err := ParseAmount(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.units, a.units)
			assert.Equal(t, tt.str, a.String())
			assert.Equal(t, a, MustParseAmount(tt.in))
		})
	}
}

func TestParseAmountInvalid(t *testing.T) {
	tests := []struct {
		in     string
		reason string
	}{
		{"", "empty string"},
		{"-", "missing digits"},
		{"--1", "unexpected character '-' at byte 1"},
		{"+1", "leading '+'"},
		{" 1", "unexpected character ' ' at byte 0"},
		{"1 ", "unexpected character ' ' at byte 1"},
		{"1\n", "unexpected character"},
		{".5", "missing digits before the decimal point"},
		{"-.5", "missing digits before the decimal point"},
		{"5.", "missing digits after the decimal point"},
		{"-5.", "missing digits after the decimal point"},
		{"1.2.3", "unexpected character '.' at byte 3"},
		{"1,5", "unexpected character ','"},
		{"1e2", "exponent"},
		{"1E2", "exponent"},
		{"1e999", "exponent"},
		{"1.5e-3", "exponent"},
		{"NaN", "unexpected character 'N'"},
		{"Inf", "unexpected character 'I'"},
		{"-Inf", "unexpected character 'I'"},
		{"0x10", "unexpected character 'x'"},
		{"1-", "unexpected character '-'"},
		{"١", "unexpected character"},
		{"1.000000001", "more than 8 decimal places"},
		{"0.123456789", "more than 8 decimal places"},
		{"30.00000000001", "more than 8 decimal places"},
		{"92233720368.54775808", "out of range"},
		{"-92233720368.54775808", "out of range"},
		{"92233720369", "out of range"},
		{"-92233720369", "out of range"},
		{"99999999999999999999999999", "out of range"},
		{"18446744073709551616", "out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			a, err := ParseAmount(tt.in)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrInvalidAmount)
			assert.Contains(t, err.Error(), tt.reason)
			assert.Contains(t, err.Error(), fmt.Sprintf("%q", tt.in), "short input is quoted")
			assert.Zero(t, a)
			require.Panics(t, func() { MustParseAmount(tt.in) })
		})
	}
}

func TestParseAmountErrorMessage(t *testing.T) {
	_, err := ParseAmount("1.000000001")
	require.EqualError(t, err, `iimmpact: invalid amount "1.000000001": more than 8 decimal places`)

	// Long input is not copied into the message.
	long := strings.Repeat("9", 33)
	_, err = ParseAmount(long)
	require.ErrorIs(t, err, ErrInvalidAmount)
	assert.EqualError(t, err, "iimmpact: invalid amount (33 bytes): out of range")
	assert.NotContains(t, err.Error(), long)

	short := strings.Repeat("x", 32)
	_, err = ParseAmount(short)
	assert.Contains(t, err.Error(), `"`+short+`"`)
}

func TestAmountString(t *testing.T) {
	tests := []struct {
		units int64
		want  string
	}{
		{0, "0"},
		{1, "0.00000001"},
		{-1, "-0.00000001"},
		{10, "0.0000001"},
		{50000000, "0.5"},
		{-50000000, "-0.5"},
		{30_00000000, "30"},
		{-30_00000000, "-30"},
		{29_40000000, "29.4"},
		{48_63330000, "48.6333"},
		{100_00000001, "100.00000001"},
		{maxUnits, "92233720368.54775807"},
		{-maxUnits, "-92233720368.54775807"},
	}
	for _, tt := range tests {
		a := Amount{units: tt.units}
		assert.Equal(t, tt.want, a.String(), "units %d", tt.units)
		text, err := a.MarshalText()
		require.NoError(t, err)
		assert.Equal(t, tt.want, string(text))
		js, err := a.MarshalJSON()
		require.NoError(t, err)
		assert.Equal(t, tt.want, string(js))
	}
}

func TestAmountFromInt(t *testing.T) {
	assert.Equal(t, MustParseAmount("30"), AmountFromInt(30))
	assert.Equal(t, MustParseAmount("-7"), AmountFromInt(-7))
	assert.Equal(t, Amount{}, AmountFromInt(0))
	assert.Equal(t, "92233720368", AmountFromInt(92233720368).String())
	assert.Equal(t, "-92233720368", AmountFromInt(-92233720368).String())

	for _, n := range []int64{92233720369, -92233720369, math.MaxInt64, math.MinInt64} {
		require.Panics(t, func() { AmountFromInt(n) }, "n=%d", n)
	}
}

func TestAmountArithmetic(t *testing.T) {
	m := MustParseAmount
	tests := []struct {
		a, b     string
		cmp      int
		sum, dif string
	}{
		{"0", "0", 0, "0", "0"},
		{"30", "29.4", 1, "59.4", "0.6"},
		{"29.4", "30", -1, "59.4", "-0.6"},
		{"48.6333", "48.6333", 0, "97.2666", "0"},
		{"-0.5", "0.5", -1, "0", "-1"},
		{"0.00000001", "0", 1, "0.00000001", "0.00000001"},
		{"-92233720368.54775807", "92233720368.54775807", -1, "0", ""},
		{"92233720368.54775807", "0.00000001", 1, "", "92233720368.54775806"},
	}
	for _, tt := range tests {
		a, b := m(tt.a), m(tt.b)
		assert.Equal(t, tt.cmp, a.Cmp(b), "%s cmp %s", tt.a, tt.b)
		assert.Equal(t, -tt.cmp, b.Cmp(a), "%s cmp %s", tt.b, tt.a)
		assert.Equal(t, tt.cmp == 0, a == b)
		if tt.sum != "" {
			assert.Equal(t, m(tt.sum), a.Add(b), "%s + %s", tt.a, tt.b)
			assert.Equal(t, m(tt.sum), b.Add(a), "%s + %s", tt.b, tt.a)
		}
		if tt.dif != "" {
			assert.Equal(t, m(tt.dif), a.Sub(b), "%s - %s", tt.a, tt.b)
		}
	}
}

func TestAmountSignNegIsZero(t *testing.T) {
	tests := []struct {
		in   string
		sign int
		neg  string
	}{
		{"0", 0, "0"},
		{"-0", 0, "0"},
		{"0.00000001", 1, "-0.00000001"},
		{"-30", -1, "30"},
		{"92233720368.54775807", 1, "-92233720368.54775807"},
		{"-92233720368.54775807", -1, "92233720368.54775807"},
	}
	for _, tt := range tests {
		a := MustParseAmount(tt.in)
		assert.Equal(t, tt.sign, a.Sign(), tt.in)
		assert.Equal(t, tt.sign == 0, a.IsZero(), tt.in)
		assert.Equal(t, MustParseAmount(tt.neg), a.Neg(), tt.in)
		assert.Equal(t, a, a.Neg().Neg(), tt.in)
	}
	assert.True(t, Amount{}.IsZero())
	assert.Equal(t, Amount{}, Amount{}.Neg())
}

func TestAmountOverflowPanics(t *testing.T) {
	maxA := Amount{units: maxUnits}
	minA := maxA.Neg()
	tiny := MustParseAmount("0.00000001")
	tests := []struct {
		name string
		f    func() Amount
	}{
		{"max+tiny", func() Amount { return maxA.Add(tiny) }},
		{"tiny+max", func() Amount { return tiny.Add(maxA) }},
		{"max+max", func() Amount { return maxA.Add(maxA) }},
		{"min-tiny", func() Amount { return minA.Sub(tiny) }},
		{"min+(-tiny)", func() Amount { return minA.Add(tiny.Neg()) }},
		{"min+min", func() Amount { return minA.Add(minA) }},
		{"max-(-tiny)", func() Amount { return maxA.Sub(tiny.Neg()) }},
		{"max-min", func() Amount { return maxA.Sub(minA) }},
		{"min-max", func() Amount { return minA.Sub(maxA) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Panics(t, func() { tt.f() })
		})
	}
	require.PanicsWithValue(t,
		"iimmpact: Amount overflow in 92233720368.54775807 + 0.00000001",
		func() { maxA.Add(tiny) })
	require.PanicsWithValue(t,
		"iimmpact: Amount overflow in -92233720368.54775807 - 0.00000001",
		func() { minA.Sub(tiny) })

	// The edges themselves are fine.
	require.NotPanics(t, func() {
		assert.Equal(t, maxA, maxA.Sub(tiny).Add(tiny))
		assert.Equal(t, minA, minA.Add(tiny).Sub(tiny))
		assert.Equal(t, Amount{}, maxA.Add(minA))
		assert.Equal(t, Amount{}, minA.Sub(minA))
	})
}

func TestAmountExact(t *testing.T) {
	a := MustParseAmount("0.1").Add(MustParseAmount("0.2"))
	assert.Equal(t, MustParseAmount("0.3"), a)
	assert.True(t, a == MustParseAmount("0.3"))
	assert.Equal(t, "0.3", a.String())

	// Ten ten-sen coins make exactly one ringgit.
	var sum Amount
	for range 10 {
		sum = sum.Add(MustParseAmount("0.10"))
	}
	assert.Equal(t, AmountFromInt(1), sum)
}

func TestAmountJSONRoundTrip(t *testing.T) {
	tests := []struct {
		in   string
		want string // canonical MarshalJSON output
	}{
		{`48.6333`, `48.6333`},
		{`"30.0000"`, `30`},
		{`30`, `30`},
		{`29.4`, `29.4`},
		{`920.6`, `920.6`},
		{`22.23`, `22.23`},
		{`"22.23"`, `22.23`},
		{`-0.50`, `-0.5`},
		{`"-0"`, `0`},
		{`0`, `0`},
		{` 1.5 `, `1.5`},
		{`"92233720368.54775807"`, `92233720368.54775807`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var a Amount
			require.NoError(t, a.UnmarshalJSON([]byte(tt.in)))
			out, err := a.MarshalJSON()
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(out))
			assert.True(t, json.Valid(out))

			var b Amount
			require.NoError(t, json.Unmarshal(out, &b))
			assert.Equal(t, a, b)

			// Through encoding/json as well.
			var c Amount
			require.NoError(t, json.Unmarshal([]byte(tt.in), &c))
			assert.Equal(t, a, c)
			out, err = json.Marshal(c)
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(out))
		})
	}
}

func TestAmountJSONNull(t *testing.T) {
	a := MustParseAmount("12.5")
	require.NoError(t, a.UnmarshalJSON([]byte("null")))
	assert.Equal(t, MustParseAmount("12.5"), a)

	v := struct {
		Balance Amount `json:"balance"`
	}{Balance: MustParseAmount("7")}
	require.NoError(t, json.Unmarshal([]byte(`{"balance": null}`), &v))
	assert.Equal(t, AmountFromInt(7), v.Balance)

	var p *Amount
	require.NoError(t, json.Unmarshal([]byte(`null`), &p))
	assert.Nil(t, p)
}

func TestAmountJSONReject(t *testing.T) {
	for _, in := range []string{
		`true`, `false`, `{}`, `[]`, `[1]`, `{"a":1}`,
		`""`, `" 1"`, `"1 "`, `"+1"`, `"abc"`, `"NaN"`, `"Inf"`, `"0x10"`,
		`"1e"`, `"1e+"`, `"1.e2"`, `"e2"`, `1e400`, `"-1e11"`,
		`-`, `.5`, `5.`, `+1`,
		`"\u0031"`, `"1\"`, `"1`, `1"`, `"`, `''`, `'1'`,
		`92233720369`, `"-92233720368.54775808"`, `92233720368.547758075`,
		``, ` `, `nul`, `nulll`, `Null`, `NULL`,
	} {
		t.Run(in, func(t *testing.T) {
			a := MustParseAmount("1.25")
			err := a.UnmarshalJSON([]byte(in))
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrInvalidAmount)
			assert.Equal(t, MustParseAmount("1.25"), a, "value changed on error")

			if json.Valid([]byte(in)) {
				var v struct {
					A Amount `json:"a"`
				}
				err := json.Unmarshal([]byte(`{"a":`+in+`}`), &v)
				require.Error(t, err)
				assert.ErrorIs(t, err, ErrInvalidAmount)
			}
		})
	}
}

func TestAmountJSONStruct(t *testing.T) {
	var resp struct {
		Balance Amount `json:"balance"`
		Amount  Amount `json:"amount"`
	}
	require.NoError(t, json.Unmarshal([]byte(`{"balance": 48.6333, "amount": "30.0000"}`), &resp))
	assert.Equal(t, int64(48_63330000), resp.Balance.units)
	assert.Equal(t, int64(30_00000000), resp.Amount.units)
	assert.Equal(t, MustParseAmount("48.6333"), resp.Balance)
	assert.Equal(t, AmountFromInt(30), resp.Amount)

	out, err := json.Marshal(resp)
	require.NoError(t, err)
	assert.JSONEq(t, `{"balance":48.6333,"amount":30}`, string(out))

	// IsZero makes omitzero work.
	var opt struct {
		Fee Amount `json:"fee,omitzero"`
	}
	out, err = json.Marshal(opt)
	require.NoError(t, err)
	assert.Equal(t, `{}`, string(out))
}

func TestAmountText(t *testing.T) {
	var a Amount
	require.NoError(t, a.UnmarshalText([]byte("30.0000")))
	assert.Equal(t, AmountFromInt(30), a)

	err := a.UnmarshalText([]byte("1e2"))
	require.ErrorIs(t, err, ErrInvalidAmount)
	assert.Equal(t, AmountFromInt(30), a, "value changed on error")

	b, err := MustParseAmount("-29.40").AppendText([]byte("RM "))
	require.NoError(t, err)
	assert.Equal(t, "RM -29.4", string(b))

	text, err := MustParseAmount("920.6").MarshalText()
	require.NoError(t, err)
	assert.Equal(t, "920.6", string(text))

	// TextMarshaler makes Amount usable as a JSON object key.
	out, err := json.Marshal(map[Amount]int{AmountFromInt(5): 1})
	require.NoError(t, err)
	assert.Equal(t, `{"5":1}`, string(out))
}

func TestAmountAllocs(t *testing.T) {
	if testing.CoverMode() != "" {
		t.Skip("coverage instrumentation changes allocations")
	}
	a := MustParseAmount("-92233720368.54775807")
	assert.LessOrEqual(t, testing.AllocsPerRun(100, func() { _ = a.String() }), 1.0)
	assert.LessOrEqual(t, testing.AllocsPerRun(100, func() { _, _ = a.MarshalJSON() }), 1.0)
	buf := make([]byte, 0, 64)
	assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = a.AppendText(buf[:0]) }))
	assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = ParseAmount("48.6333") }))
	data := []byte(`"30.0000"`)
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = a.UnmarshalJSON(data) }))
}

// grammar is the accepted syntax, written independently of the parser.
var grammar = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// ratInRange reports whether r is a whole number of 1e-8 units within
// ±MaxInt64 units, i.e. whether it should be representable.
func ratInRange(r *big.Rat) bool {
	scaled := new(big.Rat).Mul(r, big.NewRat(amountScale, 1))
	if !scaled.IsInt() {
		return false
	}
	n := scaled.Num()
	return n.IsInt64() && n.Int64() != math.MinInt64
}

var parseSeeds = []string{
	"0", "-0", "30", "30.0000", "30.0000000000", "29.4", "48.6333", "-0.5",
	"007", "0.00000001", "92233720368.54775807", "-92233720368.54775807",
	"92233720368.54775808", "-92233720368.54775808", "92233720369",
	"", "-", ".5", "5.", "+1", " 1", "1e2", "1e999", "NaN", "Inf",
	"1.000000001", "1.2.3", "18446744073709551616", "0.100000000000000000001",
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range parseSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAmount(s)

		// Independent oracle: valid syntax and an exactly representable value.
		var want *big.Rat
		if grammar.MatchString(s) {
			r, ok := new(big.Rat).SetString(s)
			if !ok {
				t.Fatalf("big.Rat rejected %q", s)
			}
			if ratInRange(r) {
				want = r
			}
		}

		if err != nil {
			if !errors.Is(err, ErrInvalidAmount) {
				t.Fatalf("ParseAmount(%q) error %v does not wrap ErrInvalidAmount", s, err)
			}
			if want != nil {
				t.Fatalf("ParseAmount(%q) rejected a valid amount: %v", s, err)
			}
			if a != (Amount{}) {
				t.Fatalf("ParseAmount(%q) returned %v with an error", s, a)
			}
			return
		}
		if want == nil {
			t.Fatalf("ParseAmount(%q) = %v, want an error", s, a)
		}

		str := a.String()
		if !grammar.MatchString(str) || strings.HasSuffix(str, "0") && strings.Contains(str, ".") || str == "-0" {
			t.Fatalf("ParseAmount(%q).String() = %q, not canonical", s, str)
		}
		b, err := ParseAmount(str)
		if err != nil || b != a {
			t.Fatalf("ParseAmount(%q) = %v, %v; want %v (from %q)", str, b, err, a, s)
		}
		got, ok := new(big.Rat).SetString(str)
		if !ok || got.Cmp(want) != 0 {
			t.Fatalf("ParseAmount(%q).String() = %q, want value %s", s, str, want.FloatString(8))
		}
		if big.NewRat(a.units, amountScale).Cmp(want) != 0 {
			t.Fatalf("ParseAmount(%q) has %d units, want value %s", s, a.units, want.FloatString(8))
		}
	})
}

func FuzzAmountJSON(f *testing.F) {
	for _, s := range parseSeeds {
		f.Add([]byte(s))
		f.Add([]byte(`"` + s + `"`))
	}
	for _, s := range []string{`null`, `true`, `{}`, `[]`, `""`, `" 1"`, `"1\"`, `"\u0031"`, ` 1 `, `"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const sentinel = -123456789
		a := Amount{units: sentinel}
		err := a.UnmarshalJSON(data)
		if err != nil {
			if !errors.Is(err, ErrInvalidAmount) {
				t.Fatalf("UnmarshalJSON(%q) error %v does not wrap ErrInvalidAmount", data, err)
			}
			if a.units != sentinel {
				t.Fatalf("UnmarshalJSON(%q) failed but changed the value to %v", data, a)
			}
			return
		}
		out, err := a.MarshalJSON()
		if err != nil {
			t.Fatalf("MarshalJSON(%v): %v", a, err)
		}
		if !json.Valid(out) {
			t.Fatalf("MarshalJSON(%v) = %q, not valid JSON", a, out)
		}
		var b Amount
		if err := b.UnmarshalJSON(out); err != nil || b != a {
			t.Fatalf("UnmarshalJSON(%q) = %v, %v; want %v (from %q)", out, b, err, a, data)
		}
		// What the strict parser accepts, the lenient one reads the same.
		text := strings.Trim(strings.TrimSpace(string(data)), `"`)
		if c, err := ParseAmount(text); err == nil && c != a {
			t.Fatalf("ParseAmount(%q) = %v; UnmarshalJSON read %v", text, c, a)
		}
	})
}

func BenchmarkParseAmount(b *testing.B) {
	for b.Loop() {
		if _, err := ParseAmount("48.6333"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAmountString(b *testing.B) {
	a := MustParseAmount("-920.6333")
	for b.Loop() {
		_ = a.String()
	}
}

func BenchmarkAmountUnmarshalJSON(b *testing.B) {
	data := []byte(`"30.0000"`)
	var a Amount
	for b.Loop() {
		if err := a.UnmarshalJSON(data); err != nil {
			b.Fatal(err)
		}
	}
}
