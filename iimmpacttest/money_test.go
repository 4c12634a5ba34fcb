package iimmpacttest

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseMoney(t *testing.T) {
	t.Parallel()
	good := map[string]string{
		"0": "0", "30": "30", "30.0": "30", "30.00": "30", "22.23": "22.23", "0.0001": "0.0001",
		"48.6333": "48.6333", "007.50": "7.5", "999999999.9999": "999999999.9999",
	}
	for in, want := range good {
		m, err := parseMoney(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, m.String(), in)
	}
	for _, in := range []string{"", ".", "1.", ".5", "-1", "+1", "1e3", "1.00001", " 1", "1 ", "1,5", "NaN", "1234567890", "0x10"} {
		_, err := parseMoney(in)
		assert.Error(t, err, "%q", in)
	}
}

func TestParseAmountJSON(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]string{`30`: "30", `"30.00"`: "30", `22.23`: "22.23", `"0.5"`: "0.5"} {
		m, err := parseAmountJSON(json.RawMessage(raw))
		require.NoError(t, err, raw)
		assert.Equal(t, want, m.String())
	}
	for _, raw := range []string{`true`, `"ab"`, `{}`, `[1]`, `"\u0033"x`, `3e1`, `-3`} {
		_, err := parseAmountJSON(json.RawMessage(raw))
		assert.Error(t, err, raw)
	}
}

func TestMoneyFormats(t *testing.T) {
	t.Parallel()
	m := mustMoney("x", "29.4")
	assert.Equal(t, "29.4000", m.fixed4())
	assert.Equal(t, "-0.6000", (mustMoney("x", "29.4") - mustMoney("x", "30")).fixed4())
	assert.Equal(t, "0.0000", money(0).fixed4())
	b, err := json.Marshal(map[string]money{"a": mustMoney("x", "920.6")})
	require.NoError(t, err)
	assert.Equal(t, `{"a":920.6}`, string(b))
}

func TestLessBasisPoints(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ amount, want string }{
		{"30", "29.4"}, {"10", "9.8"}, {"123.45", "120.981"}, {"0.0001", "0.0001"}, {"0.0003", "0.0003"},
		{"0.0025", "0.0025"}, {"0.0075", "0.0074"}, {"999999999.9999", "979999999.9999"},
	} {
		assert.Equal(t, tc.want, mustMoney("x", tc.amount).lessBasisPoints(200).String(), tc.amount)
	}
	assert.Equal(t, "5", mustMoney("x", "5").lessBasisPoints(0).String())
}

func TestCanonicalQuery(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]string{
		"":                                   "",
		"product=D&limit=50&date=2025-05-01": "date=2025-05-01&limit=50&product=D",
		"date=2025-05-01+-+2025-05-31":       "date=2025-05-01 - 2025-05-31",
		"status=SUCCESSFUL&status=FAILED":    "status=FAILED&status=SUCCESSFUL",
		"a-b=1&a=2":                          "a=2&a-b=1",
		"x=%26%3D":                           "x=&=",
		"flag":                               "flag=",
	} {
		got, err := canonicalQuery(raw)
		require.NoError(t, err, raw)
		assert.Equal(t, want, got, raw)
	}
	_, err := canonicalQuery("a=%zz")
	assert.Error(t, err)
}
