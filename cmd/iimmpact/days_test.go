package main

import (
	"strings"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseDays(t *testing.T) {
	// 23:30 UTC is already the next day in GMT+8.
	now := time.Date(2025, 1, 15, 23, 30, 0, 0, time.UTC)
	day := func(s string) time.Time { d, _ := time.ParseInLocation(dayLayout, s, myt); return d }
	for _, tc := range []struct{ in, from, to string }{
		{"2025-01-15", "2025-01-15", "2025-01-15"},
		{"today", "2025-01-16", "2025-01-16"},
		{"Yesterday", "2025-01-15", "2025-01-15"},
		{"2025-01-01..2025-01-31", "2025-01-01", "2025-01-31"},
		{"2025-01-01 - 2025-01-31", "2025-01-01", "2025-01-31"},
		{" yesterday..today ", "2025-01-15", "2025-01-16"},
	} {
		from, to, err := parseDays(tc.in, now)
		require.NoError(t, err, tc.in)
		assert.Equal(t, day(tc.from), from, tc.in)
		assert.Equal(t, day(tc.to), to, tc.in)
	}
	for _, in := range []string{"", "15-01-2025", "2025-02-30", "2025-01-31..2025-01-01", "2025-01-01..", "tomorrow"} {
		_, _, err := parseDays(in, now)
		assert.Error(t, err, "%q", in)
	}
}

func FuzzParseDays(f *testing.F) {
	for _, s := range []string{"2025-01-15", "today", "2025-01-01..2025-01-31", "2025-01-01 - 2025-01-31",
		"..", " - ", "2025-13-01", "yesterday..today"} {
		f.Add(s)
	}
	now := time.Date(2025, 1, 15, 12, 0, 0, 0, myt)
	f.Fuzz(func(t *testing.T, s string) {
		from, to, err := parseDays(s, now)
		if err != nil {
			return
		}
		for _, d := range []time.Time{from, to} {
			if d.Location() != myt || d.Hour() != 0 || d.Minute() != 0 || d.Second() != 0 || d.Nanosecond() != 0 {
				t.Fatalf("%q: %v is not a GMT+8 midnight", s, d)
			}
		}
		if to.Before(from) {
			t.Fatalf("%q: range ends before it starts", s)
		}
	})
}

func TestMoney(t *testing.T) {
	for in, want := range map[string]string{
		"29.4": "RM 29.40", "30": "RM 30.00", "48.6333": "RM 48.6333", "-5": "-RM 5.00", "0": "RM 0.00",
		"0.05": "RM 0.05", "1234567.891": "RM 1234567.891",
	} {
		assert.Equal(t, want, money(iimmpact.MustParseAmount(in)), in)
	}
}

// FuzzMoney: what money prints always reads back as the same amount.
func FuzzMoney(f *testing.F) {
	for _, s := range []string{"29.4", "30", "-0.5", "48.6333", "0.00000001", "92000000000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := iimmpact.ParseAmount(s)
		if err != nil {
			return
		}
		shown := money(a)
		num := strings.Replace(shown, "RM ", "", 1)
		back, err := iimmpact.ParseAmount(num)
		if err != nil || back != a {
			t.Fatalf("%s shown as %q reads back as %v (%v)", s, shown, back, err)
		}
		if _, frac, _ := strings.Cut(num, "."); len(frac) < 2 {
			t.Fatalf("%q has fewer than two decimals", shown)
		}
	})
}
