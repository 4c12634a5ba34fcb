package reconcile

import (
	"slices"
	"strconv"
	"strings"

	"github.com/iimmpact-go/iimmpact"
)

// record compares one history record with the ledger and forgets the
// ledger's entry, so memory shrinks as the history streams.
func (u *run) record(rec *iimmpact.TransactionRecord) error {
	u.tally(rec)
	p, ok := u.ours[rec.RefID]
	if !ok {
		u.add(Discrepancy{Kind: Unrecorded, RefID: rec.RefID, Field: "refid", Expected: "absent",
			Actual: rec.StatusCode.String(), Theirs: recordOf(rec)})
		return u.ctx.Err()
	}
	if !u.inWindow(&p) {
		u.rep.Ours++ // sent across midnight: compared here, where IIMMPACT has it
	}
	delete(u.ours, rec.RefID)
	u.match(&p, rec)
	return u.ctx.Err()
}

// match compares the two sides of one refid.
func (u *run) match(p *Payment, rec *iimmpact.TransactionRecord) {
	before := len(u.rep.Discrepancies)
	amount, target := requestDiffers(p.Product, p.Account, p.Amount, rec)
	open := u.compareStatus(p, rec, !amount && !target)
	if amount {
		u.pair(AmountDiffers, "amount", p.Amount.String(), rec.Amount.String(), p, rec)
	}
	if target {
		u.pair(RequestDiffers, "product/account", p.Product+" "+p.Account, rec.ProductCode+" "+rec.Account, p, rec)
	}
	if c := rec.StatusCode; p.CostKnown && (c.IsSuccess() || c == iimmpact.StatusRefund) && p.Cost != rec.Price {
		u.pair(CostDiffers, "cost", p.Cost.String(), rec.Price.String(), p, rec)
	}
	switch {
	case len(u.rep.Discrepancies) > before:
	case open:
		u.rep.Open++
	default:
		u.rep.Matched++
	}
}

// compareStatus reports a status that does not reconcile and resolves it
// when the record is definitive and for this very request (same product,
// account and amount); it returns whether both sides are open.
func (u *run) compareStatus(p *Payment, rec *iimmpact.TransactionRecord, sameRequest bool) (open bool) {
	theirs := rec.StatusCode
	switch {
	case p.State == Rejected:
		u.pair(StatusDiffers, "status", "rejected (nothing created)", theirs.String(), p, rec)
	case p.open() && theirs.IsPending():
		return true
	case p.settleable() && theirs.IsFinal():
		// For an abandoned intent too: it did leave, and the record is
		// what became of it.
		u.resolve(u.pair(OursOpen, "status", p.State.String(), theirs.String(), p, rec), rec, sameRequest)
	case p.settleable():
		u.pair(StatusDiffers, "status", p.State.String(), theirs.String(), p, rec)
	case p.Status != theirs:
		d := u.pair(StatusDiffers, "status", p.Status.String(), theirs.String(), p, rec)
		if p.Status.IsSuccess() && theirs == iimmpact.StatusRefund {
			u.resolve(d, rec, sameRequest)
		}
	}
	return false
}

// pair adds a per-payment discrepancy and returns its index.
func (u *run) pair(k Kind, field, ours, theirs string, p *Payment, rec *iimmpact.TransactionRecord) int {
	cp := *p
	u.add(Discrepancy{Kind: k, RefID: rec.RefID, Field: field, Expected: ours, Actual: theirs, Ours: &cp, Theirs: recordOf(rec)})
	return len(u.rep.Discrepancies) - 1
}

// errOtherRequest is why a record for the refid but another request is
// never applied: it is not an answer for the ledger's request.
const errOtherRequest = "the record is for another request (product, account or amount differ)"

// requestDiffers says whether a record for the refid differs from the
// ledger's request in amount, and in target (product or account).
func requestDiffers(product, account string, amt iimmpact.Amount, rec *iimmpact.TransactionRecord) (amount, target bool) {
	return amt != rec.Amount, product != rec.ProductCode || account != rec.Account
}

func (u *run) resolve(i int, rec *iimmpact.TransactionRecord, sameRequest bool) {
	if u.r.resolver == nil {
		return
	}
	d := &u.rep.Discrepancies[i]
	if !sameRequest {
		d.ResolveError = errOtherRequest
		return
	}
	if err := u.r.resolver.ApplyHistory(u.ctx, *rec); err != nil {
		d.ResolveError = err.Error()
		return
	}
	d.Resolved = true
}

// tally adds a record to the history totals.
func (u *run) tally(rec *iimmpact.TransactionRecord) {
	h := &u.rep.History
	h.Records++
	switch c := rec.StatusCode; {
	case c.IsSuccess():
		h.Successful++
		h.Amount, h.Price = h.Amount.Add(rec.Amount), h.Price.Add(rec.Price)
		if !rec.ResponseDate.IsZero() && !rec.ResponseDate.Before(u.end) {
			h.SettledLater++ // debited on a later day's statement
		} else {
			h.Debited = h.Debited.Add(rec.Price)
		}
	case c == iimmpact.StatusRefund:
		h.Refunded++
		h.Debited, h.RefundedPrice = h.Debited.Add(rec.Price), h.RefundedPrice.Add(rec.Price)
	case c.IsPending():
		h.Pending++
	case c.IsFailure():
		h.Failed++
	default:
		h.Other++
	}
}

// earlier adds a success created before the window but settled inside it
// to the debits the statement must show.
func (u *run) earlier(rec *iimmpact.TransactionRecord) error {
	if rec.StatusCode.IsSuccess() && !rec.ResponseDate.Before(u.start) && rec.ResponseDate.Before(u.end) {
		h := &u.rep.History
		h.Debited, h.SettledEarlier = h.Debited.Add(rec.Price), h.SettledEarlier+1
	}
	return u.ctx.Err()
}

// maxLookups caps the next-day history queries one run makes for
// payments sent in the window's last minutes.
const maxLookups = 100

// leftovers reports the window's payments the history did not hold; one
// sent within the skew of the window's end is first looked up in the next
// day's history.
func (u *run) leftovers() error {
	cutoff := u.r.now().Add(-u.r.window)
	keys := make([]string, 0, len(u.ours))
	for k, p := range u.ours {
		if u.inWindow(&p) {
			keys = append(keys, k) // the rest belong to the neighbouring day's run
		}
	}
	slices.Sort(keys)
	lookups := 0
	for _, k := range keys {
		p := u.ours[k]
		if !p.unsent() && !p.Time.Before(u.end.Add(-u.r.skew)) && lookups < maxLookups && !u.r.now().Before(u.end) {
			lookups++
			rec, err := u.nextDay(&p)
			if err != nil {
				return err
			}
			if rec != nil {
				u.match(&p, rec)
				continue
			}
		}
		switch {
		case p.unsent():
			u.rep.Matched++
		case p.Time.After(cutoff):
			u.rep.Open++
		default:
			u.add(Discrepancy{Kind: Missing, RefID: k, Field: "refid", Expected: p.State.String(), Actual: "absent", Ours: &p})
		}
	}
	u.ours = nil
	return nil
}

// nextDay finds p in the history of the day after the window, asking only
// for its account's records.
func (u *run) nextDay(p *Payment) (*iimmpact.TransactionRecord, error) {
	var found *iimmpact.TransactionRecord
	q := iimmpact.TransactionQuery{From: u.end, Account: p.Account, Limit: u.r.pageSize}
	_, err := walkHistory(u.ctx, u.r.src, q, func(rec *iimmpact.TransactionRecord) error {
		if rec.RefID == p.RefID && found == nil {
			cp := *rec
			found = &cp
		}
		return nil
	})
	return found, err
}

// checkMeta compares the history's meta with the sums of its records.
func (u *run) checkMeta(m iimmpact.TransactionSummary) {
	h := &u.rep.History
	u.counts(MetaMismatch, "meta.transaction_count", h.Records, m.TransactionCount)
	u.counts(MetaMismatch, "meta.successful_count", h.Successful, m.SuccessfulCount)
	u.counts(MetaMismatch, "meta.failed_count", h.Failed, m.FailedCount)
	u.counts(MetaMismatch, "meta.pending_count", h.Pending, m.PendingCount)
	u.counts(MetaMismatch, "meta.refund_count", h.Refunded, m.RefundCount)
	u.amounts(MetaMismatch, "meta.total_amount", h.Amount, m.TotalAmount, false)
	u.amounts(MetaMismatch, "meta.total_price", h.Price, m.TotalPrice, false)
	u.amounts(MetaMismatch, "meta.profit", m.TotalAmount.Sub(m.TotalPrice), m.Profit, false)
}

// amounts adds a day-level discrepancy when want and got differ (in
// magnitude only, when anySign: the summary's signs are not documented).
func (u *run) amounts(k Kind, field string, want, got iimmpact.Amount, anySign bool) {
	if want == got || (anySign && want == got.Neg()) {
		return
	}
	u.add(Discrepancy{Kind: k, Field: field, Expected: want.String(), Actual: got.String()})
}

// counts adds a day-level discrepancy when two counts differ.
func (u *run) counts(k Kind, field string, want, got int) {
	if want != got {
		u.add(Discrepancy{Kind: k, Field: field, Expected: strconv.Itoa(want), Actual: strconv.Itoa(got)})
	}
}

// entry adds a statement entry to the wallet totals and checks that its
// balance follows from the one before.
func (u *run) entry(e *iimmpact.StatementEntry) {
	w := &u.rep.Wallet
	if u.prev == nil {
		w.Opening = e.Balance.Sub(e.Amount)
	} else if want := u.prev.Balance.Add(e.Amount); want != e.Balance {
		u.add(Discrepancy{Kind: BalanceBreak, Field: "entry " + strconv.FormatInt(e.ID, 10) + " balance",
			Expected: want.String(), Actual: e.Balance.String()})
	}
	cp := *e
	u.prev = &cp
	w.Entries++
	w.Closing = e.Balance
	switch iimmpact.StatementType(strings.ToUpper(string(e.Type))) {
	case iimmpact.StatementTransaction:
		w.Transactions, w.Count = w.Transactions.Add(e.Amount), w.Count+1
	case iimmpact.StatementRefund:
		w.Refunds = w.Refunds.Add(e.Amount)
	case iimmpact.StatementDeposit:
		w.Deposits = w.Deposits.Add(e.Amount)
	case iimmpact.StatementCommission:
		w.Commissions = w.Commissions.Add(e.Amount)
	default:
		w.Other = w.Other.Add(e.Amount)
	}
}

// checkSummary compares the statement's summary with its entries.
func (u *run) checkSummary() {
	w := &u.rep.Wallet
	s := w.Summary
	if s == nil {
		return
	}
	u.amounts(SummaryMismatch, "summary.total_transactions.amount", w.Transactions, s.TransactionAmount, true)
	u.counts(SummaryMismatch, "summary.total_transactions.count", w.Count, s.TransactionCount)
	u.amounts(SummaryMismatch, "summary.total_deposit", w.Deposits, s.Deposit, true)
	u.amounts(SummaryMismatch, "summary.total_refund", w.Refunds, s.Refund, true)
}

// checkWallet compares the statement's movement with the history: the
// debits are the costs of the records charged in the window, the refunds
// the costs of the refunded ones; deposits and commissions have no other
// source and stand as the statement says. An entry of an undocumented
// type is unexplained money.
func (u *run) checkWallet() {
	w, h := &u.rep.Wallet, &u.rep.History
	u.amounts(WalletMismatch, "statement.transactions", h.Debited.Neg(), w.Transactions, false)
	u.amounts(WalletMismatch, "statement.refunds", h.RefundedPrice, w.Refunds, false)
	u.amounts(WalletMismatch, "statement.other", iimmpact.Amount{}, w.Other, false)
}
