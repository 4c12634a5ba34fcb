package iimmpact

import (
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
)

// ErrInvalidAmount is wrapped by every error returned for text that is not a
// valid [Amount]. Test for it with [errors.Is].
var ErrInvalidAmount = errors.New("iimmpact: invalid amount")

const (
	// amountDecimals is the number of fractional decimal digits an Amount
	// holds. IIMMPACT sends at most 4 (for example "30.0000"); 8 leaves room
	// for rates and intermediate results without rounding.
	amountDecimals = 8
	// amountScale is the number of units in one whole currency unit.
	amountScale = 100_000_000
	// maxAmountWhole is the largest whole number of currency units that fits.
	maxAmountWhole = math.MaxInt64 / amountScale
	// maxQuotedInput caps how much of a rejected input an error message quotes.
	maxQuotedInput = 32
)

// Amount is an exact decimal amount of money, such as a balance or a price in
// ringgit. Money is never held as a float, so values like 0.1 + 0.2 add up
// exactly.
//
// An Amount holds 8 fractional digits (units of 1e-8), which covers the
// 4-decimal values IIMMPACT returns with room to spare. Its range is
// ±92233720368.54775807; a value out of range is rejected, never wrapped or
// clamped. ParseAmount never rounds either; only JSON decoding, which reads
// what the server wrote, rounds digits past the 8th decimal (see
// UnmarshalJSON).
//
// The zero value is 0. Each value has exactly one representation, so Amounts
// can be compared with == and used as map keys. IsZero makes the
// `json:",omitzero"` option work.
//
// In JSON an Amount is written as a number in canonical form (30, 29.4) and
// read from either a number (48.6333) or a string ("30.0000"). JSON is how
// IIMMPACT's server, which computes in floating point, writes money, so
// reading JSON is lenient where ParseAmount is strict: exponents (1.0E-5)
// and float noise (50.540000000000006) are read, rounded half to even to 8
// decimals.
type Amount struct {
	// units is the amount in 1e-8 of the currency unit. It never equals
	// math.MinInt64, so the range is symmetric and Neg cannot overflow.
	units int64
}

// Interfaces Amount implements.
var (
	_ json.Marshaler           = Amount{}
	_ json.Unmarshaler         = (*Amount)(nil)
	_ encoding.TextMarshaler   = Amount{}
	_ encoding.TextAppender    = Amount{}
	_ encoding.TextUnmarshaler = (*Amount)(nil)
	_ fmt.Stringer             = Amount{}
)

// ParseAmount parses a decimal such as "30", "-0.5" or "48.6333".
//
// The grammar is an optional leading '-', one or more ASCII digits, and
// optionally '.' followed by one or more digits. Signs other than a leading
// '-', spaces, exponents, "NaN" and "Inf" are rejected. Digits past the 8th
// decimal place are accepted only if they are all zero ("30.0000000000" is
// 30): ParseAmount never rounds. Values outside the range of Amount are
// rejected. Errors wrap [ErrInvalidAmount].
func ParseAmount(s string) (Amount, error) {
	return parseAmount(s)
}

// MustParseAmount is like [ParseAmount] but panics if s is not a valid amount.
// It is meant for constants in code and tests.
func MustParseAmount(s string) Amount {
	a, err := parseAmount(s)
	if err != nil {
		panic(err)
	}
	return a
}

// AmountFromInt returns the Amount of n whole currency units (for example
// ringgit). It panics if |n| exceeds 92233720368, the largest whole amount an
// Amount can hold.
func AmountFromInt(n int64) Amount {
	if n > maxAmountWhole || n < -maxAmountWhole {
		panic("iimmpact: AmountFromInt: " + strconv.FormatInt(n, 10) + " is out of the range of Amount")
	}
	return Amount{units: n * amountScale}
}

// parseAmount implements ParseAmount for both strings and byte slices so the
// JSON and text decoders need not convert (and allocate). It is one pass
// over the bytes, kept whole (longer than most functions) so the grammar
// reads top to bottom in one place.
func parseAmount[T string | []byte](s T) (Amount, error) {
	n := len(s)
	if n == 0 {
		return Amount{}, amountError(s, "empty string")
	}
	i := 0
	neg := false
	if s[0] == '-' {
		neg = true
		i++
	}

	// Whole part. Leading zeros are fine: they never grow the value.
	var whole uint64
	start := i
	for ; i < n && isDigit(s[i]); i++ {
		whole = whole*10 + uint64(s[i]-'0')
		if whole > maxAmountWhole {
			return Amount{}, amountError(s, "out of range")
		}
	}
	if i == start {
		if i < n && s[i] == '.' {
			return Amount{}, amountError(s, "missing digits before the decimal point")
		}
		if i == n {
			return Amount{}, amountError(s, "missing digits")
		}
		return Amount{}, badChar(s, i)
	}

	// Fractional part.
	var frac uint64
	if i < n && s[i] == '.' {
		i++
		start = i
		for ; i < n && isDigit(s[i]); i++ {
			d := uint64(s[i] - '0')
			if i-start < amountDecimals {
				frac = frac*10 + d
			} else if d != 0 {
				return Amount{}, amountError(s, "more than 8 decimal places")
			}
		}
		if i == start {
			return Amount{}, amountError(s, "missing digits after the decimal point")
		}
		for k := i - start; k < amountDecimals; k++ {
			frac *= 10
		}
	}
	if i < n {
		return Amount{}, badChar(s, i)
	}

	// whole <= maxAmountWhole and frac < amountScale, so this cannot
	// overflow uint64; it can exceed MaxInt64.
	u := whole*amountScale + frac
	if u > math.MaxInt64 {
		return Amount{}, amountError(s, "out of range")
	}
	units := int64(u)
	if neg {
		units = -units
	}
	return Amount{units: units}, nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// badChar reports the unexpected byte at s[i].
func badChar[T string | []byte](s T, i int) error {
	switch c := s[i]; {
	case c == 'e' || c == 'E':
		return amountError(s, "exponent notation is not allowed")
	case c == '+' && i == 0:
		return amountError(s, "a leading '+' is not allowed")
	default:
		return amountError(s, fmt.Sprintf("unexpected character %q at byte %d", c, i))
	}
}

// amountError returns an error wrapping ErrInvalidAmount. It quotes s only if
// s is short, so a huge or sensitive payload is not copied into logs.
func amountError[T string | []byte](s T, reason string) error {
	if len(s) <= maxQuotedInput {
		return fmt.Errorf("%w %q: %s", ErrInvalidAmount, s, reason)
	}
	return fmt.Errorf("%w (%d bytes): %s", ErrInvalidAmount, len(s), reason)
}

// String returns a in canonical form: no trailing fractional zeros and no
// trailing decimal point, e.g. "30", "29.4", "-0.5", "0".
func (a Amount) String() string {
	var buf [24]byte
	return string(a.appendTo(buf[:0]))
}

// appendTo appends the canonical form of a to b. It is the one formatter
// behind String, AppendText, MarshalText and MarshalJSON.
func (a Amount) appendTo(b []byte) []byte {
	u := uint64(a.units)
	if a.units < 0 {
		b = append(b, '-')
		u = -u // correct magnitude even for MinInt64
	}
	b = strconv.AppendUint(b, u/amountScale, 10)
	frac := u % amountScale
	if frac == 0 {
		return b
	}
	digits := amountDecimals
	for frac%10 == 0 {
		frac /= 10
		digits--
	}
	var buf [amountDecimals]byte
	for k := digits - 1; k >= 0; k-- {
		buf[k] = byte('0' + frac%10)
		frac /= 10
	}
	b = append(b, '.')
	return append(b, buf[:digits]...)
}

// Cmp compares a and b and returns -1 if a < b, 0 if a == b and +1 if a > b.
func (a Amount) Cmp(b Amount) int {
	switch {
	case a.units < b.units:
		return -1
	case a.units > b.units:
		return 1
	}
	return 0
}

// Add returns a + b exactly. It panics if the sum is outside the range of
// Amount (about ±92 billion), which no real payment reaches; a panic is safer
// than a silently wrong balance.
func (a Amount) Add(b Amount) Amount {
	s := a.units + b.units
	// Overflow iff both operands have the same sign and the sum's differs.
	if (a.units^s)&(b.units^s) < 0 || s == math.MinInt64 {
		panic("iimmpact: Amount overflow in " + a.String() + " + " + b.String())
	}
	return Amount{units: s}
}

// Sub returns a - b exactly. Like [Amount.Add], it panics if the result is
// outside the range of Amount.
func (a Amount) Sub(b Amount) Amount {
	d := a.units - b.units
	// Overflow iff the operands have different signs and the result's sign
	// differs from a's.
	if (a.units^b.units)&(a.units^d) < 0 || d == math.MinInt64 {
		panic("iimmpact: Amount overflow in " + a.String() + " - " + b.String())
	}
	return Amount{units: d}
}

// IsZero reports whether a is 0.
func (a Amount) IsZero() bool { return a.units == 0 }

// Sign returns -1 if a < 0, 0 if a == 0 and +1 if a > 0.
func (a Amount) Sign() int { return a.Cmp(Amount{}) }

// Neg returns -a. It cannot overflow: the range of Amount is symmetric.
func (a Amount) Neg() Amount { return Amount{units: -a.units} }

// AppendText implements [encoding.TextAppender]: it appends the canonical
// form of a (see [Amount.String]) to b. It never fails.
func (a Amount) AppendText(b []byte) ([]byte, error) {
	return a.appendTo(b), nil
}

// MarshalText implements [encoding.TextMarshaler] with the canonical form.
func (a Amount) MarshalText() ([]byte, error) {
	return a.appendTo(make([]byte, 0, 24)), nil
}

// UnmarshalText implements [encoding.TextUnmarshaler] with the grammar of
// [ParseAmount]. On error a is left unchanged.
func (a *Amount) UnmarshalText(text []byte) error {
	v, err := parseAmount(text)
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// MarshalJSON implements [json.Marshaler]. It writes a JSON number in
// canonical form, such as 30 or 29.4.
func (a Amount) MarshalJSON() ([]byte, error) {
	return a.appendTo(make([]byte, 0, 24)), nil
}

// UnmarshalJSON implements [json.Unmarshaler] for money a server wrote. It
// accepts a JSON number (48.6333, 1.0E-5, 50.540000000000006) or a JSON
// string holding one ("30.0000"): the grammar of [ParseAmount] plus an
// optional exponent, with any number of decimals, rounded to 8 decimal
// places half to even (so 50.540000000000006 is 50.54, and 0.000000015 is
// 0.00000002). The digits are read as written, never through a float. null
// leaves a unchanged, as encoding/json does. Anything else, including "",
// NaN and values out of range after rounding, is an error wrapping
// [ErrInvalidAmount], and a is left unchanged. Merchant input belongs in
// [ParseAmount], which never rounds.
func (a *Amount) UnmarshalJSON(data []byte) error {
	data = trimJSONSpace(data)
	if string(data) == "null" {
		return nil
	}
	text := data
	if len(data) > 0 && data[0] == '"' {
		if len(data) < 2 || data[len(data)-1] != '"' {
			return amountError(data, "unterminated JSON string")
		}
		text = data[1 : len(data)-1]
		for _, c := range text {
			if c == '"' || c == '\\' {
				// A valid amount never needs escaping.
				return amountError(data, "escapes and quotes are not allowed in an amount string")
			}
		}
	} else if len(data) == 0 || (data[0] != '-' && !isDigit(data[0])) {
		return amountError(data, "want a JSON number or string")
	}
	v, err := parseServerAmount(text)
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// trimJSONSpace removes the whitespace JSON allows around a value.
func trimJSONSpace(b []byte) []byte {
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// setOptAmount reads an amount that IIMMPACT may leave out: a missing key,
// null and "" all leave it nil. Fields documented as "string|null" (the
// sub-products' min and max, bill presentment's Balance) arrive as "" in
// practice often enough that treating "" as malformed would fail whole
// lists; any other non-amount is still an error.
func setOptAmount(p **Amount, b []byte) error {
	a, ok, err := optAmount(b)
	if err != nil {
		return err
	}
	*p = nil
	if ok {
		*p = &a
	}
	return nil
}

// setOptAmountValue is setOptAmount for a field whose absence is zero.
func setOptAmountValue(p *Amount, b []byte) error {
	a, _, err := optAmount(b)
	if err != nil {
		return err
	}
	*p = a
	return nil
}

// optAmount reads what setOptAmount does; ok is false when it is absent.
func optAmount(b []byte) (a Amount, ok bool, err error) {
	switch string(trimJSONSpace(b)) {
	case "null", `""`:
		return Amount{}, false, nil
	}
	if err := a.UnmarshalJSON(b); err != nil {
		return Amount{}, false, err
	}
	return a, true, nil
}
