package reconcile

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"time"

	"github.com/iimmpact-go/iimmpact"
)

// State is what the merchant's ledger knows about a payment.
type State int

// The states a ledger records. The zero value is invalid, so a payment
// whose state was never set is refused rather than guessed.
const (
	// Pending: sent, and IIMMPACT answered Accepted or Processing.
	Pending State = iota + 1
	// Unknown: sent (or maybe sent), and no answer for this very request
	// settled it (iimmpact.ErrOutcomeUnknown).
	Unknown
	// Final: IIMMPACT's final status is in Payment.Status: 20, 53 (refunded
	// after success) or a failure code.
	Final
	// Rejected: refused with proof that nothing was created (a 400 for
	// this request), so IIMMPACT's history must not hold it.
	Rejected
	// Abandoned: the merchant gave the intent up believing it never left
	// (payments.StateAbandoned). IIMMPACT's history should not hold it;
	// if it does, the intent did leave, and a final record settles it
	// as it would an open payment (OursOpen).
	Abandoned
)

var stateNames = map[State]string{Pending: "pending", Unknown: "unknown", Final: "final", Rejected: "rejected",
	Abandoned: "abandoned"}

func (s State) String() string {
	if n, ok := stateNames[s]; ok {
		return n
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// MarshalText writes the state's name, for JSON reports.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a state's name.
func (s *State) UnmarshalText(b []byte) error {
	for k, n := range stateNames {
		if n == string(b) {
			*s = k
			return nil
		}
	}
	return fmt.Errorf("reconcile: unknown state %q", b)
}

// Payment is one payment as the merchant's ledger records it.
type Payment struct {
	RefID   string
	Product string
	Account string
	Amount  iimmpact.Amount // face value asked for
	State   State
	// Status is IIMMPACT's final code when State is Final.
	Status iimmpact.StatusCode
	// Cost is what IIMMPACT charged, when CostKnown (from a final answer).
	Cost      iimmpact.Amount
	CostKnown bool
	// Time is when the payment was sent (GMT+8 days decide which day's
	// reconciliation it belongs to).
	Time time.Time
}

func (p Payment) String() string {
	return fmt.Sprintf("refid=%s product=%s account=%s amount=%s state=%s status=%d",
		p.RefID, p.Product, p.Account, p.Amount, p.State, int(p.Status))
}

// open reports whether the ledger is still waiting for a verdict.
func (p *Payment) open() bool { return p.State == Pending || p.State == Unknown }

// settleable reports whether a final history record may settle the
// payment: an open one, or an abandoned intent that did leave after all.
func (p *Payment) settleable() bool { return p.open() || p.State == Abandoned }

// unsent reports whether the ledger holds that nothing was created.
func (p *Payment) unsent() bool { return p.State == Rejected || p.State == Abandoned }

// Ledger is the merchant's side: every payment sent (or that may have been
// sent) in [from, to), in any order. The payments layer implements it over
// its store; a merchant with an order table implements it over that.
// Reconciliation reads it once per run and holds only these payments'
// keys in memory.
type Ledger interface {
	Payments(ctx context.Context, from, to time.Time) iter.Seq2[Payment, error]
}

// Resolver settles the merchant's side of a payment from a history
// record, which is a definitive answer for its refid. Reconciliation calls
// it only with a final record (successful, failed or refunded) for a
// payment the ledger holds open or abandoned, or with a Refund (53) for one it holds
// successful, and only when the record's product, account and amount are
// the ledger's: a record for the refid but another request is not an
// answer for this one. An implementation must apply the same transition an answer
// or callback would, and may refuse (return an error) when its own state
// machine forbids the move.
type Resolver interface {
	ApplyHistory(ctx context.Context, rec iimmpact.TransactionRecord) error
}

// ResolverFunc adapts a function to Resolver.
type ResolverFunc func(ctx context.Context, rec iimmpact.TransactionRecord) error

// ApplyHistory calls f.
func (f ResolverFunc) ApplyHistory(ctx context.Context, rec iimmpact.TransactionRecord) error {
	return f(ctx, rec)
}

// paymentJSON is Payment on the wire: status as a number, cost omitted
// when unknown.
type paymentJSON struct {
	RefID   string           `json:"refid"`
	Product string           `json:"product"`
	Account string           `json:"account"`
	Amount  iimmpact.Amount  `json:"amount"`
	State   State            `json:"state"`
	Status  int              `json:"status,omitempty"`
	Cost    *iimmpact.Amount `json:"cost,omitempty"`
	Time    time.Time        `json:"time"`
}

// MarshalJSON writes the payment for a JSON report.
func (p Payment) MarshalJSON() ([]byte, error) {
	w := paymentJSON{RefID: p.RefID, Product: p.Product, Account: p.Account, Amount: p.Amount,
		State: p.State, Time: p.Time}
	if p.State == Final {
		w.Status = int(p.Status)
	}
	if p.CostKnown {
		c := p.Cost
		w.Cost = &c
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (p *Payment) UnmarshalJSON(b []byte) error {
	var w paymentJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*p = Payment{RefID: w.RefID, Product: w.Product, Account: w.Account, Amount: w.Amount, State: w.State,
		Status: iimmpact.StatusCode(w.Status), Time: w.Time}
	if w.Cost != nil {
		p.Cost, p.CostKnown = *w.Cost, true
	}
	return nil
}
