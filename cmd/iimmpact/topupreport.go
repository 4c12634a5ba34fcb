package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/iimmpact-go/iimmpact"
)

// judged is a topup's verdict: what scripts get, the exit status, and
// the lines that tell people what to do next.
type judged struct {
	res   topupResultJSON
	tx    *iimmpact.Transaction
	code  int
	notes []string
}

// judge reads a topup's answer. The verdict is about the refid: only an
// answer for this request says "failed" or "nothing was created"; a lost
// answer is unknown, and pending is pending. An error that is no answer
// about this payment (nothing was sent) comes back as err.
func (t *topupCmd) judge(tx *iimmpact.Transaction, err error) (judged, error) {
	j := judged{res: topupResultJSON{RefID: t.req.RefID}, tx: tx}
	var (
		ou *iimmpact.OutcomeUnknownError
		ae *iimmpact.APIError
	)
	switch {
	case errors.Is(err, iimmpact.ErrDuplicateRefID):
		// The refid already belongs to a transaction this call knows nothing
		// of: neither free nor failed.
		j.res.Outcome, j.code, j.notes = "unknown", exitUnknown, t.duplicateNotes()
	case errors.As(err, &ou) || errors.Is(err, iimmpact.ErrOutcomeUnknown):
		if j.tx == nil && ou != nil {
			j.tx = ou.Last
		}
		if j.tx != nil && j.tx.StatusCode.IsPending() {
			// The last answer for this very request said pending.
			j.res.Outcome, j.code, j.notes = "pending", exitPending, t.pendingNotes()
		} else {
			j.res.Outcome, j.code, j.notes = "unknown", exitUnknown, t.unknownNotes()
		}
	case errors.As(err, &ae):
		j.res.Outcome, j.code, j.notes = "refused", exitError, t.refusedNotes()
	case err != nil:
		return j, err
	default:
		j.res.Outcome = tx.Outcome().String()
		j.code, j.notes = t.verdict(tx)
	}
	if err != nil {
		j.res.Error = err.Error()
	}
	j.res.Transaction = newTransactionJSON(j.tx)
	if len(j.notes) > 0 {
		j.res.Next = j.notes[len(j.notes)-1]
	}
	return j, nil
}

// report prints a topup's verdict and exits with its status.
func (t *topupCmd) report(tx *iimmpact.Transaction, err error) error {
	j, err := t.judge(tx, err)
	if err != nil {
		return err
	}
	if t.asJSON {
		if err := writeJSON(t.a.out, j.res); err != nil {
			return err
		}
		return withExit(j.code, nil)
	}
	if j.tx != nil {
		if err := printTransaction(t.a.out, j.tx); err != nil {
			return err
		}
	}
	if j.res.Error != "" { // the cause first, then what to do about it
		fmt.Fprintln(t.a.err, errLine(errors.New(j.res.Error)))
	}
	for _, n := range j.notes {
		fmt.Fprintln(t.a.out, n)
	}
	return withExit(j.code, nil)
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

func (t *topupCmd) duplicateNotes() []string {
	return []string{"IIMMPACT says this refid already belongs to a transaction, perhaps one sent with other parameters.",
		"Do not pay again with a new refid and do not refund before you know its outcome.",
		"Next: look the refid up: iimmpact tx " + shellQuote(t.req.RefID)}
}

func (t *topupCmd) refusedNotes() []string {
	return []string{"IIMMPACT refused the request before creating a payment: this send created nothing.",
		"If this refid was sent before and that answer never came, the earlier send may still have been charged: look it up first (iimmpact tx " + shellQuote(t.req.RefID) + ").",
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
