package main

import (
	"context"
	"fmt"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/spf13/cobra"
)

type txCmd struct {
	a                *app
	date             string
	product, account string
	requery, asJSON  bool
	progressEvery    time.Duration
}

func newTxCmd(a *app) *cobra.Command {
	t := &txCmd{a: a}
	cmd := &cobra.Command{
		Use:   "tx REFID [--date D]",
		Short: "Find one payment by refid in the history: did order X go through?",
		Long: `tx searches /v2/transactions over a window of days (default: the last 7 days, GMT+8)
for the refid and prints what IIMMPACT recorded. It only reads.

--requery then asks /v2/topup about the refid again, with the request as stored
(product, account and amount from the record found): that is a payment call, so it is
made only when asked for and only with the stored request. A refid not found is not
re-asked: a guessed request under a refid IIMMPACT never saw would be a new payment.

Not found (exit status 1) does not prove the payment was never made: it may be on a day
outside the window. With --requery, a lost answer to the re-ask exits 3, a payment still
pending 4, and a refused re-ask 2.

` + exitHelp,
		Example: `  iimmpact tx ORDER-0001
  iimmpact tx ORDER-0001 --date 2025-01-15 --json
  iimmpact tx ORDER-0001 --date 2025-01-14..2025-01-16 --requery`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return t.run(cmd.Context(), args[0]) },
	}
	f := cmd.Flags()
	f.StringVar(&t.date, "date", "", "day or range of days to search, GMT+8 (default: the last 7 days)")
	f.StringVar(&t.product, "product", "", "narrow the search to this product code")
	f.StringVar(&t.account, "account", "", "narrow the search to this account")
	f.BoolVar(&t.requery, "requery", false, "also ask /v2/topup again with the stored request (a payment call)")
	f.DurationVar(&t.progressEvery, "progress-interval", 200*time.Millisecond, "on a terminal: redraw the progress line this often")
	jsonFlag(cmd, &t.asJSON)
	return cmd
}

type txResultJSON struct {
	RefID    string           `json:"refid"`
	Found    bool             `json:"found"`
	From     string           `json:"from"`
	To       string           `json:"to"`
	Searched int              `json:"searched"`
	Record   *recordJSON      `json:"record,omitempty"`
	Requery  *topupResultJSON `json:"requery,omitempty"`
}

func (t *txCmd) window(now time.Time) (from, to time.Time, err error) {
	if t.date != "" {
		return parseDays(t.date, now)
	}
	to, _ = parseDay("today", now)
	return to.AddDate(0, 0, -6), to, nil
}

func (t *txCmd) run(ctx context.Context, refID string) error {
	from, to, err := t.window(time.Now())
	if err != nil {
		return err
	}
	c, err := t.a.client()
	if err != nil {
		return err
	}
	q := iimmpact.TransactionQuery{From: from, To: to, Product: t.product, Account: t.account,
		Limit: iimmpact.DefaultTransactionLimit}
	recs, err := fetchHistory(ctx, c, q, newProgress(t.a.err), t.progressEvery,
		func(r iimmpact.TransactionRecord) bool { return r.RefID == refID })
	if err != nil {
		return err
	}
	res := txResultJSON{RefID: refID, From: from.Format(dayLayout), To: to.Format(dayLayout), Searched: len(recs)}
	if n := len(recs); n > 0 && recs[n-1].RefID == refID {
		rec := newRecordJSON(&recs[n-1])
		res.Found, res.Record = true, &rec
	}
	if !res.Found {
		return t.notFound(res)
	}
	var code int
	if t.requery {
		tc := &topupCmd{a: t.a, req: storedRequest(&recs[len(recs)-1]), asJSON: t.asJSON}
		res.Requery, code = tc.requery(ctx, c)
	}
	if t.asJSON {
		if err := writeJSON(t.a.out, res); err != nil {
			return err
		}
	} else if err := t.print(&recs[len(recs)-1], res.Requery); err != nil {
		return err
	}
	return withExit(code, nil)
}

// storedRequest is the request a refid was sent with, as IIMMPACT recorded
// it. (A payment in the payments store, which resolve and reconcile use,
// also keeps the extras a history record lacks, such as an IC number; tx
// works without a store, so it asks history.)
func storedRequest(r *iimmpact.TransactionRecord) iimmpact.TopupRequest {
	req := iimmpact.TopupRequest{RefID: r.RefID, Product: r.ProductCode, Account: r.Account, Amount: r.Amount}
	if r.BillerCode != "" {
		req.Extras = &iimmpact.Extras{BillerCode: r.BillerCode}
	}
	return req
}

func (t *txCmd) notFound(res txResultJSON) error {
	if t.asJSON {
		if err := writeJSON(t.a.out, res); err != nil {
			return err
		}
		return withExit(exitNo, nil)
	}
	fmt.Fprintf(t.a.out, "refid %s not found in the history for %s..%s (%d records searched).\n",
		res.RefID, res.From, res.To, res.Searched)
	fmt.Fprintln(t.a.out, "This does not prove it was never paid: it may be on another day (widen --date).")
	if t.requery {
		fmt.Fprintln(t.a.out, "Not re-asked: --requery needs the stored request, and a guessed one could create a payment.")
	}
	return withExit(exitNo, nil)
}

func (t *txCmd) print(r *iimmpact.TransactionRecord, rq *topupResultJSON) error {
	kv := []string{
		"Refid", r.RefID, "Outcome", outcomeWord(r.Outcome()),
		"Status", fmt.Sprintf("%s, code %s", orDash(r.StatusName), r.StatusCode),
		"Trxid", orDash(r.TrxID), "Product", r.ProductCode + " " + r.ProductName, "Account", r.Account,
		"Amount", money(r.Amount), "Cost", money(r.Price), "Date (GMT+8)", showTime(r.Date),
		"Answered (GMT+8)", showTime(r.ResponseDate),
	}
	kv = appendSet(kv, "Serial", r.SN, "Remarks", r.Remarks)
	if rq != nil {
		kv = append(kv, "Re-asked /v2/topup", rq.Outcome)
		if rq.Transaction != nil {
			kv = append(kv, "Live status", fmt.Sprintf("%s, code %s", rq.Transaction.Status, rq.Transaction.StatusCode))
		}
		kv = appendSet(kv, "Error", rq.Error, "Next", rq.Next)
	}
	return fields(t.a.out, kv...)
}

// requery asks /v2/topup once with the stored request and returns the
// verdict and exit status, without printing: tx prints it with the record.
func (t *topupCmd) requery(ctx context.Context, c *iimmpact.Client) (*topupResultJSON, int) {
	j, err := t.judge(c.Topup(ctx, t.req))
	if err != nil {
		return &topupResultJSON{RefID: t.req.RefID, Outcome: "error", Error: err.Error()}, exitError
	}
	switch j.code {
	case exitNo:
		j.code = exitOK // a final failure is a true answer; tx found what it looked for
	case exitError:
		j.res.Next = "the stored request may lack the product's extras (a history record has none); the record stands"
	}
	return &j.res, j.code
}
