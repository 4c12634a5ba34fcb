package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/iimmpact-go/iimmpact"
)

// report prints a topup's verdict and chooses the exit status. The verdict
// is about the refid: only an answer for this request says "failed" or
// "nothing was created"; a lost answer is unknown, and pending is pending.
func (t *topupCmd) report(tx *iimmpact.Transaction, err error) error {
	res := topupResultJSON{RefID: t.req.RefID}
	var (
		code  int
		notes []string
		ou    *iimmpact.OutcomeUnknownError
		ae    *iimmpact.APIError
	)
	switch {
	case errors.As(err, &ou) || errors.Is(err, iimmpact.ErrOutcomeUnknown):
		if tx == nil && ou != nil {
			tx = ou.Last
		}
		res.Error = err.Error()
		if tx != nil && tx.StatusCode.IsPending() {
			// The last answer for this very request said pending.
			res.Outcome, code = "pending", exitPending
			notes = t.pendingNotes()
			break
		}
		res.Outcome, code = "unknown", exitUnknown
		notes = t.unknownNotes()
	case errors.As(err, &ae):
		res.Outcome, code, res.Error = "refused", exitError, err.Error()
		notes = refusedNotes(ae)
	case err != nil:
		return err // nothing was sent, or not an answer about this payment
	default:
		res.Outcome = tx.Outcome().String()
		code, notes = t.verdict(tx)
	}
	res.Transaction = newTransactionJSON(tx)
	if len(notes) > 0 {
		res.Next = notes[len(notes)-1]
	}
	if t.asJSON {
		if werr := writeJSON(t.a.out, res); werr != nil {
			return werr
		}
		return withExit(code, nil)
	}
	if tx != nil {
		if err := printTransaction(t.a.out, tx); err != nil {
			return err
		}
	}
	if res.Error != "" { // the cause first, then what to do about it
		fmt.Fprintln(t.a.err, errLine(err))
	}
	for _, n := range notes {
		fmt.Fprintln(t.a.out, n)
	}
	return withExit(code, nil)
}

// verdict reads a transaction IIMMPACT answered for this request.
func (t *topupCmd) verdict(tx *iimmpact.Transaction) (int, []string) {
	switch tx.Outcome() {
	case iimmpact.OutcomeSuccessful:
		return exitOK, nil
	case iimmpact.OutcomePending:
		return exitPending, t.pendingNotes()
	case iimmpact.OutcomeFailed:
		return exitNo, []string{"The payment failed and its refid is used up: a new attempt needs a new refid."}
	case iimmpact.OutcomeRefunded:
		return exitNo, []string{"The payment was refunded: its cost is back in the wallet."}
	}
	return exitUnknown, []string{
		fmt.Sprintf("IIMMPACT answered an undocumented status (%d): do not treat it as failed.", tx.StatusCode),
		"Next: reconcile by hand; look it up with: iimmpact tx " + shellQuote(t.req.RefID),
	}
}

func (t *topupCmd) pendingNotes() []string {
	return []string{
		"The payment is still pending. It is not failed: do not pay again with a new refid.",
		"Next: wait for the callback, or ask again with: " + t.againCommand(),
	}
}

func (t *topupCmd) unknownNotes() []string {
	return []string{
		"Outcome UNKNOWN: the answer was lost, so the payment may have gone through.",
		"Do not pay again with a new refid and do not refund: the same refid can never pay twice.",
		"Next: ask again with the same request: " + t.againCommand() +
			"   (or look it up later: iimmpact tx " + shellQuote(t.req.RefID) + ")",
	}
}

func refusedNotes(ae *iimmpact.APIError) []string {
	if ae.RefIDConsumed() {
		return []string{"IIMMPACT refused the payment and its refid is used up: a new attempt needs a new refid."}
	}
	return []string{"IIMMPACT refused the request before creating a payment: nothing was created and the refid is not used.",
		"Next: fix the request (or the credentials) and send it again with the same refid."}
}

// againCommand is the command that asks about this payment again: the same
// request, field for field, so IIMMPACT treats it as a status check. The IC
// number is not printed; the operator must give the same one.
func (t *topupCmd) againCommand() string {
	r := t.req
	args := []string{"iimmpact", "topup", "--refid", r.RefID, "--product", r.Product,
		"--account", r.Account, "--amount", r.Amount.String()}
	if r.Remarks != "" {
		args = append(args, "--remarks", r.Remarks)
	}
	if e := r.Extras; e != nil {
		args = appendSet(args, "--subproduct", e.SubproductCode, "--biller-code", e.BillerCode, "--ref2", e.Ref2)
	}
	for i := range args {
		args[i] = shellQuote(args[i])
	}
	if r.Extras != nil && r.Extras.ICNumber != "" {
		args = append(args, "--ic-number", "<the same IC number>")
	}
	return strings.Join(append(args, "--wait"), " ")
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.,:/@+=") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
