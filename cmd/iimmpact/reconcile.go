package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/reconcile"
	"github.com/spf13/cobra"
)

type reconcileCmd struct {
	a       *app
	store   storeFlags
	resolve bool
	window  time.Duration
	asJSON  bool
}

func newReconcileCmd(a *app) *cobra.Command {
	r := &reconcileCmd{a: a}
	cmd := &cobra.Command{
		Use:   "reconcile DAY [--json]",
		Short: "Reconcile a day's payments store against IIMMPACT's history and wallet statement",
		Long: `reconcile compares the payments in the PostgreSQL payments store at the DSN (--dsn or
IIMMPACT_DSN) created on DAY (GMT+8; YYYY-MM-DD, a range D1..D2, today or yesterday) with
IIMMPACT's transaction history (every page, every status) and balance statement, and
prints one line per discrepancy: a payment still open here that IIMMPACT settled, statuses
or amounts that differ, a refid IIMMPACT has and the store never recorded, one the store
sent that IIMMPACT does not have after the settling window, and wallet or totals that do
not add up. A clean day is one line. It only reads, unless --resolve.

--resolve settles this side of what IIMMPACT's history proves (a payment open here that it
holds final, a success it refunded) through the payments layer's transition, recorded as
source "history". The effects that owes (crediting the order, the voucher) are left to
your service's resolver, which delivers them as it always does.

Exit status: 0 when the day reconciles (with --resolve: when every discrepancy was
resolved in this run), 1 when discrepancies remain, 2 when the reconciliation could not
run (configuration, the network, the database).`,
		Example: `  export IIMMPACT_DSN=postgres://app@db/shop
  iimmpact reconcile yesterday
  iimmpact reconcile 2025-01-15 --json | jq '.discrepancies[] | select(.kind == "missing")'
  iimmpact reconcile 2025-01-01..2025-01-31 --resolve || page-the-finance-team`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return r.run(cmd.Context(), args[0]) },
	}
	r.store.bind(cmd)
	f := cmd.Flags()
	f.BoolVar(&r.resolve, "resolve", false, "settle this side of what IIMMPACT's history proves, through the payments layer")
	f.DurationVar(&r.window, "settling-window", reconcile.DefaultSettlingWindow,
		"how long after it was sent a payment may be absent from IIMMPACT's history before it is reported missing")
	jsonFlag(cmd, &r.asJSON)
	return cmd
}

func (r *reconcileCmd) run(ctx context.Context, day string) error {
	from, to, err := parseDays(day, time.Now())
	if err != nil {
		return err
	}
	db, err := r.a.openPayments(ctx, &r.store)
	if err != nil {
		return err
	}
	defer db.close()
	m, err := db.manager(db.store)
	if err != nil {
		return err
	}
	ledger := reconcile.NewPaymentsLedger(m)
	opts := []reconcile.Option{reconcile.WithSettlingWindow(r.window)}
	if r.resolve {
		opts = append(opts, reconcile.WithResolver(ledger))
	}
	rc, err := reconcile.New(db.client, ledger, opts...)
	if err != nil {
		return usagef("%v", err)
	}
	rep, err := rc.Range(ctx, from, to)
	if err != nil {
		return err
	}
	if r.asJSON {
		err = writeJSON(r.a.out, rep)
	} else {
		err = writeReport(r.a.out, rep)
	}
	if err != nil {
		return err
	}
	if len(rep.Unresolved()) > 0 {
		return withExit(exitNo, nil)
	}
	return nil
}

// writeReport prints the report for people, as reconcile's WriteTable
// lays it out, with money as "RM 29.40": a clean day in one line, else
// the history's and the wallet's totals and one row per discrepancy.
func writeReport(w io.Writer, rep *reconcile.Report) error {
	days := dayRange(rep.From, rep.To)
	if rep.Clean() {
		_, err := fmt.Fprintf(w, "%s: clean (%d payments match IIMMPACT's %d records, %d still open; wallet moved %s as the records say)\n",
			days, rep.Matched, rep.History.Records, rep.Open, money(rep.Wallet.Movement()))
		return err
	}
	resolved := len(rep.Discrepancies) - len(rep.Unresolved())
	h, wl := &rep.History, &rep.Wallet
	fmt.Fprintf(w, "%s: %d payments, %d IIMMPACT records, wallet moved %s: %d discrepancies (%d resolved)\n",
		days, rep.Ours, h.Records, money(wl.Movement()), len(rep.Discrepancies), resolved)
	fmt.Fprintf(w, "History:  %d successful (amount %s, cost %s), %d failed, %d pending, %d refunded (cost %s)\n",
		h.Successful, money(h.Amount), money(h.Price), h.Failed, h.Pending, h.Refunded, money(h.RefundedPrice))
	fmt.Fprintf(w, "Wallet:   opening %s, transactions %s, refunds %s, deposits %s, commissions %s, closing %s\n",
		money(wl.Opening), money(wl.Transactions), money(wl.Refunds), money(wl.Deposits), money(wl.Commissions), money(wl.Closing))
	t := newTable(w, "KIND", "REFID", "FIELD", "OURS/EXPECTED", "THEIRS/ACTUAL", "RESOLVED")
	for _, d := range rep.Discrepancies {
		t.row(string(d.Kind), orDash(d.RefID), d.Field, asMoney(&d, d.Expected), asMoney(&d, d.Actual), d.Resolution())
	}
	return t.flush()
}

// asMoney shows a discrepancy's value as money when its field is one
// (an amount, a cost, a total; not a status, a refid or a count).
func asMoney(d *reconcile.Discrepancy, v string) string {
	switch {
	case d.Field == "status", d.Field == "refid", d.Field == "product/account", strings.HasSuffix(d.Field, "count"):
		return orDash(v)
	}
	a, err := iimmpact.ParseAmount(v)
	if err != nil {
		return orDash(v)
	}
	return money(a)
}
