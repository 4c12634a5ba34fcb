package iimmpact

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"
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
// Whenever IIMMPACT reports a transaction (HTTP 200) the result is that
// transaction and a nil error, whatever its status: read tx.StatusCode.
// Pending (Accepted, Processing) is not failure. A final "Failed" (HTTP 200)
// has consumed the refid; a new attempt needs a new one.
//
// Errors: ErrInvalidRequest before the network; *APIError for a 4xx, which
// created no transaction (the refid is not consumed: fix the input and send
// the same refid); and *OutcomeUnknownError (errors.Is ErrOutcomeUnknown)
// for a timeout, a dropped connection, a 5xx or an unreadable answer: the
// payment may have happened, so ask again with the same request, never
// refund and never switch refid.
func (c *Client) Topup(ctx context.Context, req TopupRequest) (*Transaction, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	env, err := do[envelope[Transaction]](ctx, c, call{method: http.MethodPost, path: "/v2/topup", body: req, refID: req.RefID})
	if err != nil {
		return nil, err
	}
	if tx := env.Data; tx.RefID != req.RefID {
		return nil, &OutcomeUnknownError{RefID: req.RefID, Err: &MalformedResponseError{HTTPStatus: http.StatusOK,
			Err: fmt.Errorf("answer is for refid %q", tx.RefID)}}
	}
	return env.Data, nil
}

// errNoStatusCode: a transaction without a status code cannot be acted on.
var errNoStatusCode = errors.New(`transaction has no "statusCode"`)
