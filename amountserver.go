package iimmpact

import (
	"math"
	"strconv"
)

// maxServerExponent caps the exponent parseServerAmount reads: anything
// larger already makes every non-zero amount out of range (or round to 0),
// and the cap keeps the arithmetic far from overflow.
const maxServerExponent = 1 << 20

// parseServerAmount reads a money number as a server that computes in
// floating point writes it: the grammar of ParseAmount plus an optional
// exponent ("1.0E-5", "5e+1"), and any number of decimals, rounded to
// Amount's 8 decimal places half to even (50.540000000000006 is 50.54,
// 0.000000005 is 0, 0.000000015 is 0.00000002). It works on the decimal
// digits as written, never through a float. Values out of Amount's range
// after rounding are errors wrapping ErrInvalidAmount, as is any other
// syntax (spaces, '+' signs, NaN, Inf, hex, ".5", "5.").
//
// A float64 printed in its shortest form carries its noise in the 17th
// significant digit, so for any amount under 10,000,000 the noise sits
// past the 8th decimal and rounds away: the result is the amount the
// server meant.
//
// Like parseAmount it is one pass kept whole, so that the grammar, the
// exponent and the rounding read in order in one place.
func parseServerAmount[T string | []byte](s T) (Amount, error) {
	n := len(s)
	i := 0
	neg := n > 0 && s[0] == '-'
	if neg {
		i++
	}
	intStart := i
	for i < n && isDigit(s[i]) {
		i++
	}
	intEnd, fracStart, fracEnd := i, i, i
	if intEnd == intStart {
		return Amount{}, serverSyntaxError(s, i)
	}
	if i < n && s[i] == '.' {
		i++
		fracStart = i
		for i < n && isDigit(s[i]) {
			i++
		}
		if fracEnd = i; fracEnd == fracStart {
			return Amount{}, amountError(s, "missing digits after the decimal point")
		}
	}
	exp, i, ok := readExponent(s, i)
	if !ok || i < n {
		return Amount{}, serverSyntaxError(s, i)
	}

	// The digits D = int part then fraction part; the value is
	// D * 10^(exp - fracLen), and units are that times 10^8.
	intLen, fracLen := intEnd-intStart, fracEnd-fracStart
	digit := func(k int) uint64 {
		if k < intLen {
			return uint64(s[intStart+k] - '0')
		}
		return uint64(s[fracStart+k-intLen] - '0')
	}
	total := intLen + fracLen
	first := 0
	for first < total && digit(first) == 0 {
		first++
	}
	if first == total {
		return Amount{}, nil // zero, however written
	}
	keepEnd := total + exp - fracLen + amountDecimals // digits before it are whole units
	if keepEnd-first > 19 {
		return Amount{}, amountError(s, "out of range")
	}
	var u uint64 // < 10^19: fits
	for k := first; k < keepEnd; k++ {
		u *= 10
		if k < total {
			u += digit(k)
		}
	}
	if roundsUp(digit, keepEnd, total, u) {
		u++
	}
	if u > math.MaxInt64 {
		return Amount{}, amountError(s, "out of range")
	}
	if neg {
		return Amount{units: -int64(u)}, nil
	}
	return Amount{units: int64(u)}, nil
}

// readExponent reads an optional exponent at s[i:], capped in magnitude.
func readExponent[T string | []byte](s T, i int) (exp, next int, ok bool) {
	n := len(s)
	if i >= n || (s[i] != 'e' && s[i] != 'E') {
		return 0, i, true
	}
	i++
	neg := false
	if i < n && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	for ; i < n && isDigit(s[i]); i++ {
		if exp < maxServerExponent {
			exp = exp*10 + int(s[i]-'0')
		}
	}
	if i == start {
		return 0, i, false
	}
	exp = min(exp, maxServerExponent)
	if neg {
		exp = -exp
	}
	return exp, i, true
}

// roundsUp decides half to even on the digits from keepEnd on, given the
// kept value u. Digits before index 0 are leading zeros.
func roundsUp(digit func(int) uint64, keepEnd, total int, u uint64) bool {
	if keepEnd >= total || keepEnd < 0 {
		return false // nothing dropped, or the first dropped digit is a leading 0
	}
	switch d := digit(keepEnd); {
	case d > 5:
		return true
	case d < 5:
		return false
	}
	for k := keepEnd + 1; k < total; k++ {
		if digit(k) != 0 {
			return true // above the half
		}
	}
	return u%2 == 1 // exactly half: to even
}

// serverSyntaxError reports where a server number went wrong.
func serverSyntaxError[T string | []byte](s T, i int) error {
	switch {
	case len(s) == 0:
		return amountError(s, "empty string")
	case i >= len(s):
		return amountError(s, "missing digits")
	case s[i] == '.':
		return amountError(s, "missing digits before the decimal point")
	case s[i] == '+' && i == 0:
		return amountError(s, "a leading '+' is not allowed")
	}
	return amountError(s, "unexpected character at byte "+strconv.Itoa(i))
}
