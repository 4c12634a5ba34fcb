package iimmpacttest

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/iimmpact-go/iimmpact"
)

// money is an exact amount of ringgit in units of 1/10000 (four decimal
// places, the precision /v2/transactions reports). The fake never uses
// floating point for money.
type money int64

const (
	moneyScale     = 10000
	maxIntegerPart = 9 // digits; keeps every product of two amounts inside int64
)

var errBadMoney = errors.New("iimmpacttest: not a plain non-negative decimal with at most 4 decimal places")

// parseMoney reads a plain decimal such as "30", "22.23" or "0.0001".
// Signs, exponents, spaces and more than four decimal places are refused.
func parseMoney(s string) (money, error) {
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" || len(intPart) > maxIntegerPart || len(frac) > 4 || (hasDot && frac == "") {
		return 0, errBadMoney
	}
	if !allDigits(intPart) || !allDigits(frac) {
		return 0, errBadMoney
	}
	whole, err := strconv.ParseInt(intPart, 10, 64)
	if err != nil {
		return 0, errBadMoney
	}
	var f int64
	if frac != "" {
		f, _ = strconv.ParseInt(frac+strings.Repeat("0", 4-len(frac)), 10, 64)
	}
	return money(whole*moneyScale + f), nil
}

// mustMoney parses s or panics; for option values supplied by test authors.
// moneyOf converts an SDK amount given to the fake, through its canonical
// decimal text, so the fake's own parser (not the SDK's) reads it.
func moneyOf(what string, a iimmpact.Amount) money { return mustMoney(what, a.String()) }

// amount is m as the SDK's type, for the fake's inspection methods.
func (m money) amount() iimmpact.Amount { return iimmpact.MustParseAmount(m.String()) }

func mustMoney(what, s string) money {
	m, err := parseMoney(s)
	if err != nil {
		panic("iimmpacttest: " + what + " " + strconv.Quote(s) + ": " + err.Error())
	}
	return m
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseAmountJSON reads the topup "amount", which IIMMPACT accepts as a
// JSON number or a JSON string holding a number.
func parseAmountJSON(raw json.RawMessage) (money, error) {
	text := strings.TrimSpace(string(raw))
	if strings.HasPrefix(text, `"`) {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, errBadMoney
		}
		text = s
	}
	return parseMoney(text)
}

// String renders the shortest exact decimal: 950, 29.4, 22.23, 0.0001.
// This is how IIMMPACT writes JSON numbers ("integer if whole number,
// decimal otherwise").
func (m money) String() string {
	s := m.fixed4()
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// fixed4 renders exactly four decimal places, as /v2/transactions does: "30.0000".
func (m money) fixed4() string {
	sign := ""
	v := int64(m)
	if v < 0 {
		sign, v = "-", -v
	}
	frac := strconv.FormatInt(v%moneyScale, 10)
	return sign + strconv.FormatInt(v/moneyScale, 10) + "." + strings.Repeat("0", 4-len(frac)) + frac
}

// MarshalJSON writes the amount as a bare JSON number.
func (m money) MarshalJSON() ([]byte, error) { return []byte(m.String()), nil }

// lessBasisPoints returns m reduced by bp/10000 (200 = 2%), rounded half up
// to the nearest 1/10000 ringgit.
func (m money) lessBasisPoints(bp int64) money {
	return money((int64(m)*(moneyScale-bp) + moneyScale/2) / moneyScale)
}
