package reconcile

import (
	"time"

	"github.com/iimmpact-go/iimmpact"
)

// Kind names what a discrepancy is. The values are stable strings, for
// JSON reports and alerting rules.
type Kind string

// The kinds of discrepancy. Per-payment kinds carry the refid and both
// sides; day-level kinds (the last four) carry the figures that disagree.
const (
	// OursOpen: the ledger holds the payment pending, unknown or
	// abandoned, IIMMPACT's history holds a final status. With a Resolver the ledger is settled
	// from the record (Resolved), unless the record's request differs.
	OursOpen Kind = "ours_open"
	// StatusDiffers: both sides final (or ours rejected, or theirs not
	// documented) and the statuses differ, e.g. a success that became a
	// Refund (53). Only success → refund is resolved automatically.
	StatusDiffers Kind = "status_differs"
	// AmountDiffers: the face value differs (exact comparison).
	AmountDiffers Kind = "amount_differs"
	// CostDiffers: the ledger's known cost differs from IIMMPACT's price.
	CostDiffers Kind = "cost_differs"
	// RequestDiffers: the product or the account differs.
	RequestDiffers Kind = "request_differs"
	// Unrecorded: IIMMPACT has a refid the ledger never recorded (someone
	// else using the API key, or an intent the merchant lost).
	Unrecorded Kind = "unrecorded"
	// Missing: the ledger has a payment, sent longer ago than the settling
	// window, that IIMMPACT's history does not hold. Not proof that nothing
	// was created: ask /v2/topup with the same refid.
	Missing Kind = "missing"
	// WalletMismatch: a component of the balance statement's movement
	// (transactions, refunds) differs from what the history adds up to.
	WalletMismatch Kind = "wallet_mismatch"
	// SummaryMismatch: the balance statement's summary differs from the sum
	// of its entries.
	SummaryMismatch Kind = "summary_mismatch"
	// MetaMismatch: the history's meta totals differ from the sums of its
	// records.
	MetaMismatch Kind = "meta_mismatch"
	// BalanceBreak: a statement entry's balance is not the previous balance
	// plus its amount.
	BalanceBreak Kind = "balance_break"
)

// Record is IIMMPACT's side of a payment in a report: the history record
// without its voucher PIN.
type Record struct {
	TrxID        string              `json:"trxid"`
	RefID        string              `json:"refid"`
	Product      string              `json:"product"`
	Account      string              `json:"account"`
	Amount       iimmpact.Amount     `json:"amount"`
	Price        iimmpact.Amount     `json:"price"`
	Status       iimmpact.StatusCode `json:"status"`
	Date         time.Time           `json:"date"`
	ResponseDate time.Time           `json:"response_date"`
}

func recordOf(r *iimmpact.TransactionRecord) *Record {
	return &Record{TrxID: r.TrxID, RefID: r.RefID, Product: r.ProductCode, Account: r.Account, Amount: r.Amount,
		Price: r.Price, Status: r.StatusCode, Date: r.Date, ResponseDate: r.ResponseDate}
}

// Discrepancy is one thing that does not reconcile. For per-payment kinds
// Expected is the ledger's value and Actual IIMMPACT's; for day-level
// kinds Expected is what the records add up to and Actual what IIMMPACT's
// totals or statement say.
type Discrepancy struct {
	Kind     Kind     `json:"kind"`
	RefID    string   `json:"refid,omitempty"`
	Field    string   `json:"field"`
	Expected string   `json:"expected"`
	Actual   string   `json:"actual"`
	Ours     *Payment `json:"ours,omitempty"`
	Theirs   *Record  `json:"theirs,omitempty"`
	// Resolved: the Resolver settled the ledger from Theirs in this run.
	Resolved bool `json:"resolved,omitempty"`
	// ResolveError is why the Resolver refused, if it did.
	ResolveError string `json:"resolve_error,omitempty"`
}

// HistoryTotals are the sums of /v2/transactions records for the window.
type HistoryTotals struct {
	Records    int             `json:"records"`
	Successful int             `json:"successful"`
	Failed     int             `json:"failed"`
	Pending    int             `json:"pending"`
	Refunded   int             `json:"refunded"`
	Other      int             `json:"other"`  // undocumented status codes
	Amount     iimmpact.Amount `json:"amount"` // face value of successful records
	Price      iimmpact.Amount `json:"price"`  // cost of successful records
	// Debited is the cost of records charged in the window: successful or
	// refunded, less successes that settled after the window ended
	// (SettledLater), plus successes created in the lookback days that
	// settled inside it (SettledEarlier). RefundedPrice is the cost of the
	// refunded records.
	Debited        iimmpact.Amount `json:"debited"`
	RefundedPrice  iimmpact.Amount `json:"refunded_price"`
	SettledLater   int             `json:"settled_later"`
	SettledEarlier int             `json:"settled_earlier"`
}

// WalletTotals are the sums of /v2/balance-statement entries for the window.
type WalletTotals struct {
	Entries      int                        `json:"entries"`
	Opening      iimmpact.Amount            `json:"opening"`
	Closing      iimmpact.Amount            `json:"closing"`
	Transactions iimmpact.Amount            `json:"transactions"` // signed, normally negative
	Count        int                        `json:"transaction_count"`
	Refunds      iimmpact.Amount            `json:"refunds"`
	Deposits     iimmpact.Amount            `json:"deposits"`
	Commissions  iimmpact.Amount            `json:"commissions"`
	Other        iimmpact.Amount            `json:"other"` // entries of an undocumented type
	Summary      *iimmpact.StatementSummary `json:"summary,omitempty"`
}

// Movement is the wallet's net change over the window.
func (w *WalletTotals) Movement() iimmpact.Amount {
	return w.Transactions.Add(w.Refunds).Add(w.Deposits).Add(w.Commissions).Add(w.Other)
}

// Report is the result of one reconciliation run.
type Report struct {
	From, To time.Time // first and last GMT+8 day, at midnight
	// Ours counts the ledger's payments of the window (plus any sent just
	// before it that IIMMPACT created inside it), Matched those on both
	// sides with nothing to report, Open those still pending on both sides
	// or sent within the settling window and not yet in the history.
	Ours, Matched, Open int
	Discrepancies       []Discrepancy
	History             HistoryTotals
	Wallet              WalletTotals
}

// Clean reports whether nothing failed to reconcile.
func (r *Report) Clean() bool { return len(r.Discrepancies) == 0 }

// Count returns how many discrepancies of kind k the report holds.
func (r *Report) Count(k Kind) int {
	n := 0
	for i := range r.Discrepancies {
		if r.Discrepancies[i].Kind == k {
			n++
		}
	}
	return n
}

// Unresolved returns the discrepancies a Resolver did not settle.
func (r *Report) Unresolved() []Discrepancy {
	var out []Discrepancy
	for _, d := range r.Discrepancies {
		if !d.Resolved {
			out = append(out, d)
		}
	}
	return out
}
