package iimmpact

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
)

// MaxRefIDLen is the longest refid the SDK sends. IIMMPACT's documented
// constraints were not available; third-party clients enforce 50.
const MaxRefIDLen = 50

// TopupRequest is one payment (POST /v2/topup): a reload, bill, voucher or
// eSIM. The RefID makes it idempotent: sending the same request again
// returns the state of the one transaction, never a second charge.
type TopupRequest struct {
	RefID   string // your unique reference, at most 50 characters
	Product string // product code, e.g. "D" for Digi Prepaid
	Account string // mobile number, bill account, ...
	Amount  Amount
	Remarks string
	Extras  *Extras // product-specific fields; nil for most products
}

// Validate checks the request before any network call.
func (r *TopupRequest) Validate() error {
	switch {
	case r.RefID == "":
		return fmt.Errorf("%w: refid is empty", ErrInvalidRequest)
	case utf8.RuneCountInString(r.RefID) > MaxRefIDLen:
		return fmt.Errorf("%w: refid is longer than %d characters", ErrInvalidRequest, MaxRefIDLen)
	case strings.ContainsFunc(r.RefID, func(c rune) bool { return c < ' ' || c == 0x7f }):
		return fmt.Errorf("%w: refid contains control characters", ErrInvalidRequest)
	case r.Product == "":
		return fmt.Errorf("%w: product is empty", ErrInvalidRequest)
	case r.Account == "":
		return fmt.Errorf("%w: account is empty", ErrInvalidRequest)
	case r.Amount.Sign() <= 0:
		return fmt.Errorf("%w: amount %s is not positive", ErrInvalidRequest, r.Amount)
	}
	return r.checkExtras()
}

// MarshalJSON writes the body IIMMPACT takes.
func (r TopupRequest) MarshalJSON() ([]byte, error) {
	w := struct {
		RefID   string  `json:"refid"`
		Product string  `json:"product"`
		Account string  `json:"account"`
		Amount  Amount  `json:"amount"`
		Remarks string  `json:"remarks,omitempty"`
		Extras  *Extras `json:"extras,omitempty"`
	}{RefID: r.RefID, Product: r.Product, Account: r.Account, Amount: r.Amount, Remarks: r.Remarks, Extras: r.Extras}
	return json.Marshal(w)
}

// Topup sends a payment, or asks for the state of one already sent: call it
// again with the identical request (same RefID) to poll.
//
// Whenever IIMMPACT reports this transaction (HTTP 2xx whose refid,
// product, account and amount are the request's) the result is that
// transaction and a nil error, whatever its status: read tx.StatusCode.
// Pending (Accepted, Processing) is not failure. A final "Failed" (HTTP 200)
// has consumed the refid; a new attempt needs a new one.
//
// Errors, which say what became of the refid:
//   - ErrInvalidRequest: refused locally, nothing was sent.
//   - a bare *APIError (a 4xx; errors.Is ErrOutcomeUnknown false): every
//     attempt was refused, so this call created nothing (a refid an earlier call
//     left unknown stays unknown):
//     fix the input and send the same refid again.
//   - *OutcomeUnknownError (errors.Is ErrOutcomeUnknown): the payment may
//     have happened — a timeout, a dropped connection, a 5xx, a redirect,
//     an unreadable answer or one for another request, or any refusal after
//     such an attempt. Ask again with the same request; never refund and
//     never switch refid. errors.As reaches the last *APIError, if any.
//   - ErrDuplicateRefID (also ErrOutcomeUnknown): the refid already belongs
//     to a transaction with other details. Reconcile it; do not reuse it.
func (c *Client) Topup(ctx context.Context, req TopupRequest) (*Transaction, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	return unwrap[Transaction](ctx, c, call{method: http.MethodPost, path: "/v2/topup", body: req, refID: req.RefID,
		match: func(out any) error { return req.matches(out.(*envelope[Transaction]).Data) }})
}

// matches reports whether tx is an answer for r: an answer about another
// refid, product, account or amount is not this request's status.
func (r *TopupRequest) matches(tx *Transaction) error {
	switch {
	case tx.RefID != r.RefID:
		return fmt.Errorf("answer is for refid %q", tx.RefID)
	case tx.Product != r.Product:
		return fmt.Errorf("answer is for product %q, not %q", tx.Product, r.Product)
	case tx.Account != r.Account:
		return errors.New("answer is for another account")
	case tx.Amount.Cmp(r.Amount) != 0:
		return fmt.Errorf("answer is for amount %s, not %s", tx.Amount, r.Amount)
	}
	return nil
}

// errNoStatusCode: a transaction without a status code cannot be acted on.
var errNoStatusCode = errors.New(`transaction has no "statusCode"`)

// NewRefID returns a new unique refid: a version 7 UUID (36 characters,
// within MaxRefIDLen), which sorts by creation time, so refids in logs and
// in the transaction history line up with when they were made. Store it with
// the order before calling Topup, so a crash cannot lose which refid paid.
func NewRefID() string { return uuid.Must(uuid.NewV7()).String() }

// String summarises the request without extras' IC number.
func (r TopupRequest) String() string {
	return fmt.Sprintf("refid=%s product=%s account=%s amount=%s", r.RefID, r.Product, r.Account, r.Amount)
}

// GoString keeps %#v from printing the IC number.
func (r TopupRequest) GoString() string { return "iimmpact.TopupRequest{" + r.String() + "}" }

// LogValue keeps slog from printing the IC number.
func (r TopupRequest) LogValue() slog.Value {
	return slog.GroupValue(slog.String("refid", r.RefID), slog.String("product", r.Product),
		slog.String("account", r.Account), slog.String("amount", r.Amount.String()))
}
