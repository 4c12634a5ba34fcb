package main

import (
	"strings"
	"time"
)

const dayLayout = "2006-01-02"

// parseDays reads a day or a range of days in GMT+8: "2025-01-15",
// "2025-01-01..2025-01-31", IIMMPACT's "2025-01-01 - 2025-01-31", or
// "today" and "yesterday" (relative to now in GMT+8).
func parseDays(s string, now time.Time) (from, to time.Time, err error) {
	s = strings.TrimSpace(s)
	a, b, isRange := strings.Cut(s, "..")
	if !isRange {
		a, b, isRange = strings.Cut(s, " - ")
	}
	if from, err = parseDay(a, now); err != nil {
		return from, to, err
	}
	to = from
	if isRange {
		if to, err = parseDay(b, now); err != nil {
			return from, to, err
		}
	}
	if to.Before(from) {
		return from, to, usagef("date range %q ends before it starts", s)
	}
	return from, to, nil
}

func parseDay(s string, now time.Time) (time.Time, error) {
	today := now.In(myt)
	today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, myt)
	switch s = strings.TrimSpace(s); strings.ToLower(s) {
	case "today":
		return today, nil
	case "yesterday":
		return today.AddDate(0, 0, -1), nil
	}
	d, err := time.ParseInLocation(dayLayout, s, myt)
	if err != nil {
		return d, usagef("date %q: want YYYY-MM-DD, a range D1..D2, today or yesterday", s)
	}
	return d, nil
}

// dayRange renders a window of days for people.
func dayRange(from, to time.Time) string {
	if to.IsZero() || to.Equal(from) {
		return from.Format(dayLayout)
	}
	return from.Format(dayLayout) + ".." + to.Format(dayLayout)
}
