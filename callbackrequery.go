package iimmpact

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// requeryLimit is the page size of a re-query's history walk: filtered by
// account and product over two days, one page is almost always all.
const requeryLimit = 100

// errNotInHistory: the refid is not (yet) in IIMMPACT's history.
var errNotInHistory = errors.New("refid not in IIMMPACT's transaction history")

// requery confirms cb's status without a side effect: it looks for cb's
// refid in IIMMPACT's transaction history (GET /v2/transactions) for the
// callback's account and product, on the callback's day and the day before
// (a payment made just before midnight settles after it). It never calls
// /v2/topup, which would create the payment if the refid was never sent.
//
// ok is false with a 503 while the refid is not in the history yet, the
// history cannot be read, or it still says pending: IIMMPACT retries.
func (h *CallbackHandler) requery(ctx context.Context, cb *Callback) (rec *TransactionRecord, status StatusCode, v verdict, ok bool) {
	day := cb.Timestamp
	if day.IsZero() {
		day = time.Now()
	}
	q := TransactionQuery{From: day.AddDate(0, 0, -1), To: day, Account: cb.Account, Product: cb.Product, Limit: requeryLimit}
	for r, err := range h.cfg.Requery.AllTransactions(ctx, q) {
		if err != nil {
			return nil, 0, verdict{code: http.StatusServiceUnavailable, reason: "re-query failed", err: err}, false
		}
		if r.RefID == cb.RefID {
			rec = &r
			break
		}
	}
	if rec == nil {
		return nil, 0, verdict{code: http.StatusServiceUnavailable, reason: "re-query: not in the history yet", err: errNotInHistory}, false
	}
	status = rec.StatusCode
	if status == noStatusCode && rec.Outcome() == cb.Outcome() && rec.Outcome() != OutcomeUnknown {
		status = cb.StatusCode // no code in the record, but its word agrees
	}
	switch {
	case status.IsPending() || rec.Outcome() == OutcomePending:
		return nil, 0, verdict{code: http.StatusServiceUnavailable, reason: "re-query still pending"}, false
	case status < 0: // noStatusCode, or a negative code as sent: neither is a status
		return nil, 0, verdict{code: http.StatusServiceUnavailable, reason: "re-query failed",
			err: fmt.Errorf("history record has no status code, and its status %q differs from the callback's", rec.StatusName)}, false
	}
	return rec, status, verdict{}, true
}

// actOnHistory handles a callback whose status IIMMPACT's history does not
// confirm: it acts on the history's status instead (once, as any other),
// then acknowledges the callback only if its own status is now a duplicate
// or stale. Otherwise the history may simply lag behind the callback (a
// Refund not listed yet), so the answer is 503 and IIMMPACT retries.
func (h *CallbackHandler) actOnHistory(ctx context.Context, cb *Callback, rec *TransactionRecord, status StatusCode) verdict {
	sent := cb.StatusCode
	hd, v, ok := h.take(ctx, cb.RefID, status)
	switch {
	case ok:
		confirmWith(cb, rec, status)
		if v = h.run(hd, cb); v.code != http.StatusOK || v.err != nil {
			return v
		}
	case v.code != http.StatusOK: // busy, or the store failed
		return v
	}
	own, v, ok := h.take(ctx, cb.RefID, sent)
	if !ok {
		if v.code == http.StatusOK {
			v.reason = "re-query: IIMMPACT's history says " + status.String() + "; the callback's status is " + v.reason
		}
		return v
	}
	own.abandon()
	return verdict{code: http.StatusServiceUnavailable, reason: "re-query: IIMMPACT's history says " + status.String() +
		", not yet the callback's " + sent.String()}
}

// confirmWith replaces what the callback says with what IIMMPACT's history
// says. Balance, Note and Timestamp are not in the history and stay the
// callback's; Status keeps the callback's word unless the status changed.
func confirmWith(cb *Callback, rec *TransactionRecord, status StatusCode) {
	if status != cb.StatusCode {
		cb.StatusCode, cb.Status = status, rec.StatusName
	}
	t := &cb.Transaction
	t.Account, t.Product, t.ProductName = rec.Account, rec.ProductCode, rec.ProductName
	t.Amount, t.Cost = rec.Amount, rec.Price
	t.SN, t.PIN, t.Expiry, t.Remarks, t.VoucherLink = rec.SN, rec.PIN, rec.Expiry, rec.Remarks, rec.VoucherLink
}
