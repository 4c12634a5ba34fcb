package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/spf13/cobra"
)

type historyCmd struct {
	a             *app
	date          string
	q             iimmpact.TransactionQuery
	asJSON, asCSV bool
	progressEvery time.Duration
}

func newHistoryCmd(a *app) *cobra.Command {
	h := &historyCmd{a: a}
	cmd := &cobra.Command{
		Use:   "history --date D [--status S]... [--product P] [--account A] [--json|--csv]",
		Short: "List the transaction history (every page) for a day or a range of days",
		Long: `history reads /v2/transactions page after page until the last one. On a terminal it
shows its progress on stderr while paging; piped or redirected it prints only the result.

D is a day in GMT+8 (2025-01-15), a range (2025-01-01..2025-01-31, or IIMMPACT's own
"2025-01-01 - 2025-01-31"), or "today" (the default).`,
		Example: `  iimmpact history --date 2025-01-15
  iimmpact history --date 2025-01-01..2025-01-31 --status FAILED --status REFUND --csv > jan.csv
  iimmpact history --date today --product D --account 0123456789 --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return h.run(cmd.Context()) },
	}
	f := cmd.Flags()
	f.StringVar(&h.date, "date", "today", "day or range of days, GMT+8")
	f.StringArrayVar(&h.q.Statuses, "status", nil, "only SUCCESSFUL, PENDING, FAILED or REFUND (repeat for several)")
	f.StringVar(&h.q.Product, "product", "", "only this product code")
	f.StringVar(&h.q.Account, "account", "", "only this account")
	f.IntVar(&h.q.Limit, "page-size", iimmpact.DefaultTransactionLimit, "records per request")
	f.DurationVar(&h.progressEvery, "progress-interval", 200*time.Millisecond, "on a terminal: redraw the progress line this often")
	jsonFlag(cmd, &h.asJSON)
	f.BoolVar(&h.asCSV, "csv", false, "print CSV (amounts as plain decimals, times in RFC 3339 GMT+8)")
	cmd.MarkFlagsMutuallyExclusive("json", "csv")
	return cmd
}

// historyStatuses are the filter words /v2/transactions takes.
var historyStatuses = map[string]bool{"SUCCESSFUL": true, "PENDING": true, "FAILED": true, "REFUND": true}

func (h *historyCmd) run(ctx context.Context) error {
	var err error
	if h.q.From, h.q.To, err = parseDays(h.date, time.Now()); err != nil {
		return err
	}
	for i, s := range h.q.Statuses {
		h.q.Statuses[i] = strings.ToUpper(s)
		if !historyStatuses[h.q.Statuses[i]] {
			return usagef("--status %q: want SUCCESSFUL, PENDING, FAILED or REFUND", s)
		}
	}
	if h.q.Limit < 1 {
		return usagef("--page-size must be at least 1")
	}
	c, err := h.a.client()
	if err != nil {
		return err
	}
	recs, err := fetchHistory(ctx, c, h.q, newProgress(h.a.err), h.progressEvery, func(iimmpact.TransactionRecord) bool { return false })
	if err != nil {
		return err
	}
	switch {
	case h.asJSON:
		out := make([]recordJSON, len(recs))
		for i := range recs {
			out[i] = newRecordJSON(&recs[i])
		}
		return writeJSON(h.a.out, out)
	case h.asCSV:
		return writeHistoryCSV(h.a.out, recs)
	}
	return printHistory(h.a.out, recs)
}

// fetchHistory walks every page of q, drawing its progress on p, until
// the history ends or stop says a record is the one looked for.
func fetchHistory(ctx context.Context, c *iimmpact.Client, q iimmpact.TransactionQuery, p *progress,
	every time.Duration, stop func(iimmpact.TransactionRecord) bool) ([]iimmpact.TransactionRecord, error) {
	var n atomic.Int64
	start := time.Now()
	p.start(every, func() string {
		got := n.Load()
		return fmt.Sprintf("fetching history %s: %d records, %d pages, %s",
			dayRange(q.From, q.To), got, got/int64(q.Limit)+1, elapsed(time.Since(start)))
	})
	defer p.finish()
	var recs []iimmpact.TransactionRecord
	for r, err := range c.AllTransactions(ctx, q) {
		if err != nil {
			return nil, err
		}
		recs = append(recs, r)
		if n.Add(1)%int64(q.Limit) == 0 {
			p.redraw()
		}
		if stop(r) {
			break
		}
	}
	return recs, nil
}

func printHistory(w io.Writer, recs []iimmpact.TransactionRecord) error {
	t := newTable(w, "DATE (GMT+8)", "REFID", "TRXID", "PRODUCT", "ACCOUNT", "AMOUNT", "COST", "STATUS")
	var amount, cost iimmpact.Amount
	counts := map[iimmpact.Outcome]int{}
	for i := range recs {
		r := &recs[i]
		t.row(showTime(r.Date), orDash(r.RefID), orDash(r.TrxID), r.ProductCode, r.Account,
			money(r.Amount), money(r.Price), fmt.Sprintf("%s (%d)", orDash(r.StatusName), r.StatusCode))
		amount, cost = amount.Add(r.Amount), cost.Add(r.Price)
		counts[r.Outcome()]++
	}
	if err := t.flush(); err != nil {
		return err
	}
	noun := "transactions"
	if len(recs) == 1 {
		noun = "transaction"
	}
	_, err := fmt.Fprintf(w, "%d %s: %d successful, %d failed, %d pending, %d refunded, %d unknown; amount %s, cost %s\n",
		len(recs), noun, counts[iimmpact.OutcomeSuccessful], counts[iimmpact.OutcomeFailed], counts[iimmpact.OutcomePending],
		counts[iimmpact.OutcomeRefunded], counts[iimmpact.OutcomeUnknown], money(amount), money(cost))
	return err
}

func writeHistoryCSV(w io.Writer, recs []iimmpact.TransactionRecord) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"date", "refid", "trxid", "product", "account", "amount", "cost", "currency",
		"status_code", "status", "outcome", "sn"})
	for i := range recs {
		r := &recs[i]
		date, _ := jsonTime(r.Date).MarshalJSON()
		_ = cw.Write([]string{strings.Trim(string(date), `"`), r.RefID, r.TrxID, r.ProductCode, r.Account,
			r.Amount.String(), r.Price.String(), r.Currency, strconv.Itoa(int(r.StatusCode)), r.StatusName,
			r.Outcome().String(), r.SN})
	}
	cw.Flush()
	return cw.Error()
}

// recordJSON is a history record as scripts read it; the PIN is never
// printed (HasPIN says whether there is one).
type recordJSON struct {
	TrxID        string              `json:"trxid"`
	RefID        string              `json:"refid"`
	Date         jsonTime            `json:"date"`
	ResponseDate jsonTime            `json:"response_date"`
	Product      string              `json:"product"`
	ProductName  string              `json:"product_name"`
	BillerCode   string              `json:"biller_code,omitempty"`
	Category     string              `json:"category,omitempty"`
	Account      string              `json:"account"`
	Amount       iimmpact.Amount     `json:"amount"`
	Cost         iimmpact.Amount     `json:"cost"`
	Currency     string              `json:"currency"`
	StatusCode   iimmpact.StatusCode `json:"status_code"`
	Status       string              `json:"status"`
	Outcome      string              `json:"outcome"`
	SN           string              `json:"sn,omitempty"`
	HasPIN       bool                `json:"has_pin"`
	Expiry       string              `json:"expiry,omitempty"`
	Remarks      string              `json:"remarks,omitempty"`
}

func newRecordJSON(r *iimmpact.TransactionRecord) recordJSON {
	return recordJSON{r.TrxID, r.RefID, jsonTime(r.Date), jsonTime(r.ResponseDate), r.ProductCode,
		r.ProductName, r.BillerCode, r.Category, r.Account, r.Amount, r.Price, r.Currency, r.StatusCode,
		r.StatusName, r.Outcome().String(), r.SN, r.PIN != "", r.Expiry, r.Remarks}
}
