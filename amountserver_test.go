package iimmpact

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Numbers as a float-computing server writes them (PHP, JavaScript, Java),
// read as the amounts it meant; ties at the 9th decimal go to even.
func TestServerAmountRounding(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		`50.540000000000006`:          "50.54",
		`"50.540000000000006"`:        "50.54",
		`0.30000000000000004`:         "0.3",
		`29.399999999999999`:          "29.4",
		`920.6000000000001`:           "920.6",
		`5.000000000000001`:           "5",
		`1.0E-5`:                      "0.00001",
		`"1.0E-5"`:                    "0.00001",
		`1e-5`:                        "0.00001",
		`5E+1`:                        "50",
		`3.0E1`:                       "30",
		`2.94e1`:                      "29.4",
		`-4.86333E1`:                  "-48.6333",
		`1e-9`:                        "0",
		`0.000000005`:                 "0",           // tie, 0 is even
		`0.000000015`:                 "0.00000002",  // tie, up to even
		`0.000000025`:                 "0.00000002",  // tie, down to even
		`0.0000000250000000000001`:    "0.00000003",  // above the tie
		`-0.000000015`:                "-0.00000002", // symmetric
		`0.123456785`:                 "0.12345678",  // a float would misround this tie
		`1e-1000000000000`:            "0",           // a vast exponent is no trouble
		`0e999999999`:                 "0",           // nor is zero with one
		`92233720368.547758074999`:    "92233720368.54775807",
		`9.2233720368547758070E10`:    "92233720368.54775807",
		`"000000000000000000000030"`:  "30",
		`30.000000000000000000000`:    "30",
		`"-0.0000000000000000000001"`: "0",
	} {
		t.Run(in, func(t *testing.T) {
			var a Amount
			require.NoError(t, json.Unmarshal([]byte(in), &a))
			assert.Equal(t, want, a.String())
		})
	}
}

// ParseAmount, for a merchant's own input, stays strict: the same texts
// the server may send are refused there.
func TestParseAmountStaysStrict(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"50.540000000000006", "1.0E-5", "1e2", "0.000000015"} {
		_, err := ParseAmount(in)
		assert.ErrorIs(t, err, ErrInvalidAmount, in)
		var a Amount
		assert.ErrorIs(t, a.UnmarshalText([]byte(in)), ErrInvalidAmount, in)
	}
}

// Every money field of every answer goes through Amount's JSON decoding,
// so float noise anywhere reads as the amount meant.
func TestServerNumbersInResponses(t *testing.T) {
	t.Parallel()
	var tx Transaction
	require.NoError(t, json.Unmarshal([]byte(`{"statusCode":20,"refid":"r","amount":5.000000000000001,
		"cost":1.0E-5,"balance":50.540000000000006}`), &tx))
	assert.Equal(t, "5 0.00001 50.54", tx.Amount.String()+" "+tx.Cost.String()+" "+tx.Balance.String())

	var rec TransactionRecord
	require.NoError(t, json.Unmarshal([]byte(`{"refid":"r","amount":"30.000000000000004","price":"2.94E1"}`), &rec))
	assert.Equal(t, "30 29.4", rec.Amount.String()+" "+rec.Price.String())

	var sum TransactionSummary
	require.NoError(t, json.Unmarshal([]byte(`{"total_amount":"1.0E2","profit":0.6000000000000001}`), &sum))
	assert.Equal(t, "100 0.6", sum.TotalAmount.String()+" "+sum.Profit.String())
}

// serverNumber is the syntax the lenient reader accepts, written
// independently of it.
var serverNumber = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?([eE][+-]?([0-9]+))?$`)

// roundHalfEven is the oracle: r in 1e-8 units, rounded half to even, with
// math/big only.
func roundHalfEven(r *big.Rat) *big.Int {
	scaled := new(big.Rat).Mul(r, big.NewRat(amountScale, 1))
	num, den := new(big.Int).Abs(scaled.Num()), scaled.Denom()
	q, m := new(big.Int).QuoRem(num, den, new(big.Int))
	switch new(big.Int).Lsh(m, 1).Cmp(den) {
	case 1:
		q.Add(q, big.NewInt(1))
	case 0:
		if q.Bit(0) == 1 {
			q.Add(q, big.NewInt(1))
		}
	}
	if scaled.Sign() < 0 {
		q.Neg(q)
	}
	return q
}

// FuzzServerAmount: never a panic, never a float; every number in the
// server syntax reads as the exact value rounded half to even to 8
// decimals when that fits, and as an error wrapping ErrInvalidAmount
// otherwise.
func FuzzServerAmount(f *testing.F) {
	for _, s := range []string{"50.540000000000006", "1.0E-5", "0.123456785", "0.000000015", "-0.000000025",
		"92233720368.547758075", "92233720368.547758074999", "1e-400", "1e400", "0e9999999999999999999",
		"1e", ".5", "5.", "+1", "NaN", "-", "", "00012.50000000500", "9.999999999999999e10", "1E+9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := parseServerAmount(s)
		m := serverNumber.FindStringSubmatch(s)
		if m == nil {
			if err == nil {
				t.Fatalf("parseServerAmount(%q) = %v, want a syntax error", s, a)
			}
			if !errors.Is(err, ErrInvalidAmount) {
				t.Fatalf("parseServerAmount(%q): %v does not wrap ErrInvalidAmount", s, err)
			}
			return
		}
		// Keep the oracle's numbers small; vast exponents still must not panic.
		if exp, _ := strconv.Atoi(m[3]); len(m[3]) > 4 || exp > 400 {
			if err != nil && !errors.Is(err, ErrInvalidAmount) {
				t.Fatalf("parseServerAmount(%q): %v", s, err)
			}
			return
		}
		r, ok := new(big.Rat).SetString(s)
		if !ok {
			t.Fatalf("big.Rat rejected %q", s)
		}
		want := roundHalfEven(r)
		if !want.IsInt64() || want.Int64() == math.MinInt64 {
			if !errors.Is(err, ErrInvalidAmount) {
				t.Fatalf("parseServerAmount(%q) = %v, %v; want out of range", s, a, err)
			}
			return
		}
		if err != nil || a.units != want.Int64() {
			t.Fatalf("parseServerAmount(%q) = %d units, %v; want %d", s, a.units, err, want.Int64())
		}
		if b, err := ParseAmount(s); err == nil && b != a {
			t.Fatalf("ParseAmount(%q) = %v, lenient %v", s, b, a)
		}
		if str := a.String(); strings.Contains(str, "e") {
			t.Fatalf("String() = %q", str)
		}
	})
}

// The same numbers in a /v2/topup answer are the payment's result, not an
// unreadable answer (which would make the outcome unknown for no reason).
func TestTopupAnswerWithFloatNoise(t *testing.T) {
	t.Parallel()
	client, mock := mockClient(t)
	body := strings.NewReplacer(`"balance": 920.6`, `"balance": 920.6000000000001`,
		`"cost": 29.4`, `"cost": 2.94E1`).Replace(string(fixture(t, "topup_success.json")))
	require.Contains(t, body, "920.6000000000001")
	require.Contains(t, body, "2.94E1")
	respond(t, mock, "POST", "/v2/topup", 200, []byte(body))
	tx, err := client.Topup(context.Background(), seedTopup())
	require.NoError(t, err)
	assert.Equal(t, StatusSuccessful, tx.StatusCode)
	assert.Equal(t, "920.6 29.4", tx.Balance.String()+" "+tx.Cost.String())
}
