package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/iimmpact-go/iimmpact"
)

// outcomeWord is how a verdict reads to people. Pending and unknown never
// read as failure.
func outcomeWord(o iimmpact.Outcome) string {
	switch o {
	case iimmpact.OutcomeSuccessful:
		return "succeeded"
	case iimmpact.OutcomePending:
		return "pending: not finished yet"
	case iimmpact.OutcomeFailed:
		return "FAILED (final)"
	case iimmpact.OutcomeRefunded:
		return "refunded"
	default:
		return "unknown: reconcile by hand"
	}
}

// transactionJSON is a payment as scripts read it. The voucher PIN is
// never printed: HasPIN says whether there is one.
type transactionJSON struct {
	RefID       string              `json:"refid"`
	StatusCode  iimmpact.StatusCode `json:"status_code"`
	Status      string              `json:"status"`
	Outcome     string              `json:"outcome"`
	Product     string              `json:"product"`
	ProductName string              `json:"product_name,omitempty"`
	Account     string              `json:"account"`
	Amount      iimmpact.Amount     `json:"amount"`
	Cost        iimmpact.Amount     `json:"cost"`
	Balance     iimmpact.Amount     `json:"balance"`
	SN          string              `json:"sn,omitempty"`
	HasPIN      bool                `json:"has_pin"`
	Expiry      string              `json:"expiry,omitempty"`
	Remarks     string              `json:"remarks,omitempty"`
	Note        string              `json:"note,omitempty"`
	VoucherLink string              `json:"voucher_link,omitempty"`
	Timestamp   jsonTime            `json:"timestamp"`
}

func newTransactionJSON(tx *iimmpact.Transaction) *transactionJSON {
	if tx == nil {
		return nil
	}
	return &transactionJSON{tx.RefID, tx.StatusCode, tx.Status, tx.Outcome().String(), tx.Product,
		tx.ProductName, tx.Account, tx.Amount, tx.Cost, tx.Balance, tx.SN, tx.PIN != "", tx.Expiry,
		tx.Remarks, tx.Note, tx.VoucherLink, jsonTime(tx.Timestamp)}
}

// printTransaction shows a /v2/topup answer as labelled lines.
func printTransaction(w io.Writer, tx *iimmpact.Transaction) error {
	kv := []string{
		"Outcome", outcomeWord(tx.Outcome()),
		"Status", fmt.Sprintf("%s, code %s", orDash(tx.Status), tx.StatusCode),
		"Product", strings.TrimSpace(tx.Product + " " + tx.ProductName),
		"Account", tx.Account,
		"Amount", money(tx.Amount),
		"Cost", money(tx.Cost),
		"Balance after", money(tx.Balance),
	}
	kv = appendSet(kv, "Serial", tx.SN, "Expiry", tx.Expiry, "Remarks", tx.Remarks, "Note", tx.Note,
		"Voucher link", tx.VoucherLink)
	if tx.PIN != "" {
		kv = append(kv, "PIN", "issued (not shown)")
	}
	kv = append(kv, "Time (GMT+8)", showTime(tx.Timestamp))
	return fields(w, kv...)
}

// appendSet appends the label/value pairs whose value is not empty.
func appendSet(kv []string, pairs ...string) []string {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			kv = append(kv, pairs[i], pairs[i+1])
		}
	}
	return kv
}
