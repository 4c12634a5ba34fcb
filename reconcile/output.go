package reconcile

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/iimmpact-go/iimmpact/internal/wire"
)

// days renders the report's window: "2025-05-15" or "2025-05-01 - 2025-05-31".
func (r *Report) days() string {
	f := r.From.Format(time.DateOnly)
	if r.To.Equal(r.From) {
		return f
	}
	return f + " - " + r.To.Format(time.DateOnly)
}

// Summary is the report in one line; for a clean day, the whole report.
func (r *Report) Summary() string {
	head := fmt.Sprintf("%s: %d payments, %d IIMMPACT records, wallet moved %s", r.days(), r.Ours,
		r.History.Records, r.Wallet.Movement())
	if r.Clean() {
		return fmt.Sprintf("%s: clean (%d payments match IIMMPACT's %d records, %d still open; wallet moved %s as the records say)",
			r.days(), r.Matched, r.History.Records, r.Open, r.Wallet.Movement())
	}
	resolved := 0
	for _, d := range r.Discrepancies {
		if d.Resolved {
			resolved++
		}
	}
	return fmt.Sprintf("%s: %d discrepancies (%d resolved)", head, len(r.Discrepancies), resolved)
}

// String is Summary.
func (r *Report) String() string { return r.Summary() }

// WriteTable writes the report for people: the one-line summary, then,
// unless the day is clean, the totals and one row per discrepancy.
func (r *Report) WriteTable(w io.Writer) error {
	if _, err := fmt.Fprintln(w, r.Summary()); err != nil || r.Clean() {
		return err
	}
	h, wl := &r.History, &r.Wallet
	fmt.Fprintf(w, "history: %d successful (amount %s, price %s), %d failed, %d pending, %d refunded (price %s)\n",
		h.Successful, h.Amount, h.Price, h.Failed, h.Pending, h.Refunded, h.RefundedPrice)
	fmt.Fprintf(w, "wallet:  opening %s, transactions %s, refunds %s, deposits %s, commissions %s, closing %s\n",
		wl.Opening, wl.Transactions, wl.Refunds, wl.Deposits, wl.Commissions, wl.Closing)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tREFID\tFIELD\tOURS/EXPECTED\tTHEIRS/ACTUAL\tRESOLVED")
	for _, d := range r.Discrepancies {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", d.Kind, dash(d.RefID), d.Field, d.Expected, d.Actual, d.Resolution())
	}
	return tw.Flush()
}

// Resolution is the table's RESOLVED column: "yes" when the Resolver
// settled it in this run, "refused: why" when it would not, else "no".
func (d *Discrepancy) Resolution() string {
	switch {
	case d.Resolved:
		return "yes"
	case d.ResolveError != "":
		return "refused: " + d.ResolveError
	}
	return "no"
}

func dash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}

type reportJSON struct {
	From          string        `json:"from"`
	To            string        `json:"to"`
	Clean         bool          `json:"clean"`
	Summary       string        `json:"summary"`
	Ours          int           `json:"ours"`
	Matched       int           `json:"matched"`
	Open          int           `json:"open"`
	Discrepancies []Discrepancy `json:"discrepancies"`
	History       HistoryTotals `json:"history"`
	Wallet        WalletTotals  `json:"wallet"`
}

// MarshalJSON writes the report with its days as yyyy-MM-dd (GMT+8) and
// the one-line summary.
func (r *Report) MarshalJSON() ([]byte, error) {
	ds := r.Discrepancies
	if ds == nil {
		ds = []Discrepancy{}
	}
	return json.Marshal(reportJSON{From: r.From.Format(time.DateOnly), To: r.To.Format(time.DateOnly),
		Clean: r.Clean(), Summary: r.Summary(), Ours: r.Ours, Matched: r.Matched, Open: r.Open,
		Discrepancies: ds, History: r.History, Wallet: r.Wallet})
}

// UnmarshalJSON reads what MarshalJSON writes (the clean flag and the
// summary line are derived, so they are not read back).
func (r *Report) UnmarshalJSON(b []byte) error {
	var w reportJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	from, err := time.ParseInLocation(time.DateOnly, w.From, wire.MYT)
	if err != nil {
		return fmt.Errorf("reconcile: report from: %w", err)
	}
	to, err := time.ParseInLocation(time.DateOnly, w.To, wire.MYT)
	if err != nil {
		return fmt.Errorf("reconcile: report to: %w", err)
	}
	ds := w.Discrepancies
	if len(ds) == 0 {
		ds = nil
	}
	*r = Report{From: from, To: to, Ours: w.Ours, Matched: w.Matched, Open: w.Open, Discrepancies: ds,
		History: w.History, Wallet: w.Wallet}
	return nil
}
