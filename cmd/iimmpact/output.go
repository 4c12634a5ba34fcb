package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/iimmpact-go/iimmpact"
)

// myt is the zone every time is shown in: IIMMPACT's, GMT+8.
var myt = time.FixedZone("GMT+8", 8*3600)

const timeLayout = "2006-01-02 15:04:05"

// showTime renders t in GMT+8 to the second; a zero time is "-".
func showTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(myt).Format(timeLayout)
}

// money renders an amount for people: "RM 29.40", with at least two
// decimals and every further digit the exact amount has ("RM 48.6333").
func money(a iimmpact.Amount) string {
	s := a.String()
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	for len(frac) < 2 {
		frac += "0"
	}
	return sign + "RM " + whole + "." + frac
}

// orDash shows an empty field as "-", so table columns stay readable.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// table writes aligned columns; call flush when done.
type table struct{ tw *tabwriter.Writer }

func newTable(w io.Writer, header ...string) *table {
	t := &table{tw: tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)}
	t.row(header...)
	return t
}

func (t *table) row(cells ...string) { fmt.Fprintln(t.tw, strings.Join(cells, "\t")) }

func (t *table) flush() error { return t.tw.Flush() }

// fields writes "Label:  value" lines, aligned, for one record.
func fields(w io.Writer, kv ...string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for i := 0; i+1 < len(kv); i += 2 {
		fmt.Fprintf(tw, "%s:\t%s\n", kv[i], kv[i+1])
	}
	return tw.Flush()
}

// writeJSON prints v as indented JSON followed by a newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// jsonTime is a time in GMT+8 as RFC 3339 ("2025-01-15T14:30:45+08:00"),
// or null when unknown.
type jsonTime time.Time

func (t jsonTime) MarshalJSON() ([]byte, error) {
	if time.Time(t).IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(time.Time(t).In(myt).Format(time.RFC3339Nano))
}

// writeJSONLine prints v as one line of JSON (JSON Lines).
func writeJSONLine(w io.Writer, v any) error { return json.NewEncoder(w).Encode(v) }

// UnmarshalJSON reads what MarshalJSON writes, so scripts' view of the
// output (and the tests') round-trips.
func (t *jsonTime) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*t = jsonTime{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	*t = jsonTime(v)
	return err
}
