package reconcile

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/payments"
)

// PaymentsLedger is the payments layer as a Ledger and a Resolver, so a
// merchant who pays through package payments reconciles its store
// directly:
//
//	l := reconcile.NewPaymentsLedger(manager)
//	r, err := reconcile.New(client, l, reconcile.WithResolver(l))
//
// It reads the store's payments by creation time (Store.ListCreated) and
// settles what the history proves through the payments layer's one
// transition function (Manager.Apply, recorded as payments.SourceHistory),
// so effects follow as they would from a callback.
type PaymentsLedger struct{ m *payments.Manager }

var (
	_ Ledger   = (*PaymentsLedger)(nil)
	_ Resolver = (*PaymentsLedger)(nil)
)

// NewPaymentsLedger returns the ledger of m's store. For a tool that
// shares the store with the merchant's service, build m with
// payments.WithEffectsElsewhere, so the effects a resolution owes are left
// to that service.
func NewPaymentsLedger(m *payments.Manager) *PaymentsLedger { return &PaymentsLedger{m: m} }

// Payments yields the store's payments created in [from, to), as FromPayment maps them.
func (l *PaymentsLedger) Payments(ctx context.Context, from, to time.Time) iter.Seq2[Payment, error] {
	return func(yield func(Payment, error) bool) {
		for p, err := range l.m.ListCreated(ctx, from, to) {
			if err != nil {
				yield(Payment{}, err)
				return
			}
			if !yield(FromPayment(&p), nil) {
				return
			}
		}
	}
}

// FromPayment is a payments-layer record as the ledger's side of a
// reconciliation. Its time is the record's creation, just before the
// first send. The states map as follows:
//
//   - recorded, sent, unknown: Unknown. A recorded intent may have
//     reached IIMMPACT before a crash, and a refused attempt proves
//     nothing about earlier ones: possibly sent, so a final record
//     settles it and absence past the settling window is Missing.
//   - pending: Pending.
//   - manual: Unknown. It needs a person, and the history may be the
//     answer: a final record settles it (the payments layer accepts a
//     true answer for a manual payment); an undocumented code on both
//     sides stays a StatusDiffers for that person.
//   - succeeded, failed, refunded: Final with IIMMPACT's status; the cost
//     is known for a success (the answer's cost), not for a refund, whose
//     answer may not repeat it.
//   - rejected: Rejected (a 4xx proved nothing was created).
//   - abandoned: Abandoned: absent is as expected, present means the
//     intent did leave.
func FromPayment(p *payments.Payment) Payment {
	r := p.Request
	out := Payment{RefID: r.RefID, Product: r.Product, Account: r.Account, Amount: r.Amount, Time: p.Created}
	switch p.State {
	case payments.StatePending:
		out.State = Pending
	case payments.StateSucceeded, payments.StateFailed, payments.StateRefunded:
		out.State, out.Status = Final, p.Status
		if p.State == payments.StateSucceeded && p.Tx != nil {
			out.Cost, out.CostKnown = p.Tx.Cost, true
		}
	case payments.StateRejected:
		out.State = Rejected
	case payments.StateAbandoned:
		out.State = Abandoned
	default: // recorded, sent, unknown, manual, and any state added later
		out.State = Unknown
	}
	return out
}

// ApplyHistory settles the payment rec.RefID through Manager.Apply with a
// final history record for its very request (product, account and amount
// as recorded), and reports ErrConflict (wrapped) when the payments layer
// keeps a final state the record contradicts, such as a failure the
// history calls a success: the transition function never moves a final
// payment except a success to its refund.
func (l *PaymentsLedger) ApplyHistory(ctx context.Context, rec iimmpact.TransactionRecord) error {
	if !rec.StatusCode.IsFinal() {
		return fmt.Errorf("reconcile: refid %s: status %s is not a final answer", rec.RefID, rec.StatusCode)
	}
	p, err := l.m.Get(ctx, rec.RefID)
	if errors.Is(err, payments.ErrNotFound) {
		return fmt.Errorf("%w: %s", ErrUnknownRefID, rec.RefID)
	}
	if err != nil {
		return err
	}
	if amount, target := requestDiffers(p.Request.Product, p.Request.Account, p.Request.Amount, &rec); amount || target {
		return fmt.Errorf("reconcile: refid %s: %s", rec.RefID, errOtherRequest)
	}
	got, err := l.m.Apply(ctx, transactionOf(&rec), payments.SourceHistory)
	if err != nil {
		return err
	}
	if got.Status != rec.StatusCode {
		return fmt.Errorf("%w: refid %s is %s (status %d), history says %s", ErrConflict, rec.RefID, got.State,
			int(got.Status), rec.StatusCode)
	}
	return nil
}

// transactionOf is a history record as the transaction the payments layer
// records: the price is the cost, and the answer's time its settlement.
func transactionOf(r *iimmpact.TransactionRecord) *iimmpact.Transaction {
	at := r.ResponseDate
	if at.IsZero() {
		at = r.Date
	}
	return &iimmpact.Transaction{StatusCode: r.StatusCode, Status: r.StatusName, RefID: r.RefID, Account: r.Account,
		Product: r.ProductCode, ProductName: r.ProductName, Amount: r.Amount, Cost: r.Price, SN: r.SN, PIN: r.PIN,
		Expiry: r.Expiry, Remarks: r.Remarks, VoucherLink: r.VoucherLink, Timestamp: at}
}
