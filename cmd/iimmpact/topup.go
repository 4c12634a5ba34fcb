package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/spf13/cobra"
)

type topupCmd struct {
	a                *app
	req              iimmpact.TopupRequest
	extras           iimmpact.Extras
	amount           string
	wait, asJSON     bool
	pollMin, pollMax time.Duration
	waitTimeout      time.Duration
	progressEvery    time.Duration
}

func newTopupCmd(a *app) *cobra.Command {
	t := &topupCmd{a: a}
	cmd := &cobra.Command{
		Use:   "topup --product P --account A --amount N [--refid R] [--wait]",
		Short: "Pay (POST /v2/topup): a reload, a bill, a voucher; or ask again about a refid",
		Long: `topup sends one payment. The refid makes it idempotent: sending the same request
with the same refid again never pays twice, it answers the state of that one payment.
Without --refid a new one is made and printed first: keep it.

With --wait it polls while the payment is pending, showing a live progress line on a
terminal (elapsed time, polls, last status), and prints the final state.

If the outcome cannot be learnt (a timeout, a dropped connection, a 5xx) the payment may
have gone through: the command says so and what to run next, exit status 3. It never
reports that as a failure. Never pay again with a new refid for the same order.

` + exitHelp,
		Example: `  iimmpact topup --product D --account 0123456789 --amount 30 --wait
  iimmpact topup --refid ORDER-0001 --product D --account 0123456789 --amount 30 --json
  iimmpact topup --refid ORDER-0002 --product TNB --account 220001234567 --amount 84.50 --wait`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return t.run(cmd.Context()) },
	}
	f := cmd.Flags()
	f.StringVar(&t.req.RefID, "refid", "", "your unique reference (default: a new one, printed first)")
	f.StringVar(&t.req.Product, "product", "", "product code, e.g. D (required)")
	f.StringVar(&t.req.Account, "account", "", "mobile number or bill account (required)")
	f.StringVar(&t.amount, "amount", "", "amount in ringgit, e.g. 30 or 84.50 (required)")
	f.StringVar(&t.req.Remarks, "remarks", "", "free text kept with the payment")
	f.StringVar(&t.extras.SubproductCode, "subproduct", "", "extras.subproduct_code (mobile data, PTPTN)")
	f.StringVar(&t.extras.BillerCode, "biller-code", "", "extras.biller_code (JomPAY)")
	f.StringVar(&t.extras.Ref2, "ref2", "", "extras.ref2 (JomPAY Ref-2)")
	f.StringVar(&t.extras.ICNumber, "ic-number", "", "extras.ic_number (JomPAY, PTPTN); never printed")
	f.BoolVar(&t.wait, "wait", false, "poll while pending and print the final state")
	f.DurationVar(&t.pollMin, "poll-min", 5*time.Second, "with --wait: shortest wait between polls")
	f.DurationVar(&t.pollMax, "poll-max", 10*time.Second, "with --wait: longest wait between polls")
	f.DurationVar(&t.waitTimeout, "wait-timeout", 5*time.Minute, "with --wait: give up after this long (the payment stays open)")
	f.DurationVar(&t.progressEvery, "progress-interval", 200*time.Millisecond, "with --wait on a terminal: redraw the progress line this often")
	jsonFlag(cmd, &t.asJSON)
	for _, name := range []string{"product", "account", "amount"} {
		_ = cmd.MarkFlagRequired(name)
	}
	return cmd
}

func (t *topupCmd) run(ctx context.Context) error {
	amount, err := iimmpact.ParseAmount(t.amount)
	if err != nil {
		return usagef("--amount: %v", err)
	}
	t.req.Amount = amount
	if hasExtras(t.extras) {
		t.req.Extras = &t.extras
	}
	newRefID := t.req.RefID == ""
	if newRefID {
		t.req.RefID = iimmpact.NewRefID()
	}
	if err := t.req.Validate(); err != nil {
		return usagef("%v", err)
	}
	c, err := t.a.client()
	if err != nil {
		return err
	}
	// The refid goes out before the request does, so that whatever happens
	// next, the operator has it.
	if !t.asJSON {
		fmt.Fprintf(t.a.out, "refid: %s\n", t.req.RefID)
	} else if newRefID {
		fmt.Fprintf(t.a.err, "refid: %s\n", t.req.RefID)
	}
	var tx *iimmpact.Transaction
	if t.wait {
		tx, err = t.waitTopup(ctx, c)
	} else {
		tx, err = c.Topup(ctx, t.req)
	}
	return t.report(tx, err)
}

// pollState is what the progress line shows; OnPoll writes it from the
// SDK's goroutine while the ticker reads it.
type pollState struct {
	mu    sync.Mutex
	start time.Time
	polls int
	last  *iimmpact.Transaction
	refID string
}

func (s *pollState) seen(tx *iimmpact.Transaction) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.polls++
	s.last = tx
}

func (s *pollState) line() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	status := "no answer yet"
	if s.last != nil {
		status = fmt.Sprintf("%s (%d)", s.last.Status, s.last.StatusCode)
	}
	return fmt.Sprintf("waiting for %s: %s elapsed, polls: %d, last status: %s",
		s.refID, elapsed(time.Since(s.start)), s.polls, status)
}

func (t *topupCmd) waitTopup(ctx context.Context, c *iimmpact.Client) (*iimmpact.Transaction, error) {
	st := &pollState{start: time.Now(), refID: t.req.RefID}
	p := newProgress(t.a.err)
	p.start(t.progressEvery, st.line)
	defer p.finish()
	return c.WaitTopup(ctx, t.req,
		iimmpact.WithPollInterval(t.pollMin, t.pollMax),
		iimmpact.WithWaitTimeout(t.waitTimeout),
		iimmpact.WithOnPoll(func(tx *iimmpact.Transaction) { st.seen(tx); p.redraw() }))
}

// topupResultJSON is topup's --json answer.
type topupResultJSON struct {
	RefID       string           `json:"refid"`
	Outcome     string           `json:"outcome"` // successful, pending, failed, refunded, unknown, refused
	Transaction *transactionJSON `json:"transaction"`
	Error       string           `json:"error,omitempty"`
	Next        string           `json:"next,omitempty"`
}

// hasExtras reports whether any extras flag was given.
func hasExtras(e iimmpact.Extras) bool {
	return e.SubproductCode != "" || e.ICNumber != "" || e.BillerCode != "" || e.Ref2 != "" || len(e.Other) > 0
}
