package iimmpact

import (
	"context"
	"fmt"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
)

// RefundType is why a void is asked for (refund_type).
type RefundType int

// The documented reasons. RefundOther needs a written reason.
const (
	RefundWrongAmountOrAccount RefundType = 1 // incorrect amount or wrong account
	RefundDuplicate            RefundType = 2 // duplicate transaction
	RefundOther                RefundType = 3 // other reason, explained in VoidRequest.Reason
)

func (t RefundType) String() string {
	switch t {
	case RefundWrongAmountOrAccount:
		return "incorrect amount or wrong account"
	case RefundDuplicate:
		return "duplicate transaction"
	case RefundOther:
		return "other reason"
	}
	return "RefundType(" + strconv.Itoa(int(t)) + ")"
}

// VoidRequest asks IIMMPACT to void (refund) a successful transaction,
// mainly a bill payment; prepaid reloads, PINs and other instant products
// cannot be voided (see Product.IsRefundable). The biller decides, from
// real time to several business days; a granted void later shows as status
// 53 Refund and a callback.
type VoidRequest struct {
	RefID    string // your refid; give it or TrxID
	TrxID    string // IIMMPACT's transaction id; wins over RefID if both are given
	Type     RefundType
	Reason   string   // required for RefundOther
	CCEmails []string // user_email: addresses copied on the case
}

// ReportRequest reports a problem with a successful transaction (a voucher
// that does not work, a bill not reflected) without asking for a void.
type ReportRequest struct {
	RefID    string // your refid; give it or TrxID
	TrxID    string // wins over RefID if both are given
	CCEmails []string
}

type disputeBody struct {
	RefID        string   `json:"refid,omitempty"`
	TrxID        string   `json:"trxid,omitempty"`
	UserEmail    []string `json:"user_email,omitempty"`
	RefundType   int      `json:"refund_type,omitempty"`
	RefundReason string   `json:"refund_reason,omitempty"`
}

// DisputeResult is IIMMPACT's answer to a void or a report. A case it
// declines (e.g. a duplicate request) is a result with Status "Failed",
// not an error.
type DisputeResult struct {
	RefID   string `wire:"refid"`
	Status  string `wire:"status"`  // "Success" or "Failed"
	Message string `wire:"message"` // e.g. "We've received your request…"
}

// Accepted reports whether IIMMPACT opened the case. For a void this is
// not the refund itself, which the biller still has to approve.
func (r *DisputeResult) Accepted() bool { return strings.EqualFold(r.Status, "Success") }

// checkCase refuses what the docs forbid before anything is sent.
func checkCase(refID, trxID string, emails []string) error {
	if strings.TrimSpace(refID) == "" && strings.TrimSpace(trxID) == "" {
		return fmt.Errorf("%w: give the transaction's refid or trxid", ErrInvalidRequest)
	}
	for _, e := range emails {
		if a, err := mail.ParseAddress(e); err != nil || a.Address != e {
			return fmt.Errorf("%w: %q is not a bare e-mail address", ErrInvalidRequest, e)
		}
	}
	return nil
}

// VoidTransaction asks for a void. It is never retried automatically: a
// second request may open a second case (IIMMPACT answers duplicates with
// Status "Failed"), so after a network error check the case in the
// Dashboard before asking again.
func (c *Client) VoidTransaction(ctx context.Context, req VoidRequest) (*DisputeResult, error) {
	if err := checkCase(req.RefID, req.TrxID, req.CCEmails); err != nil {
		return nil, err
	}
	switch req.Type {
	case RefundWrongAmountOrAccount, RefundDuplicate:
	case RefundOther:
		if strings.TrimSpace(req.Reason) == "" {
			return nil, fmt.Errorf("%w: a void for another reason needs the reason", ErrInvalidRequest)
		}
	default:
		return nil, fmt.Errorf("%w: refund type %d is not 1, 2 or 3", ErrInvalidRequest, int(req.Type))
	}
	body := disputeBody{RefID: req.RefID, TrxID: req.TrxID, UserEmail: req.CCEmails, RefundType: int(req.Type), RefundReason: req.Reason}
	return unwrap[DisputeResult](ctx, c, call{method: http.MethodPost, path: "/v2/transactions/void", body: body})
}

// ReportTransaction reports an issue with a successful transaction. Like
// VoidTransaction it is never retried automatically.
func (c *Client) ReportTransaction(ctx context.Context, req ReportRequest) (*DisputeResult, error) {
	if err := checkCase(req.RefID, req.TrxID, req.CCEmails); err != nil {
		return nil, err
	}
	body := disputeBody{RefID: req.RefID, TrxID: req.TrxID, UserEmail: req.CCEmails}
	return unwrap[DisputeResult](ctx, c, call{method: http.MethodPost, path: "/v2/transactions/check", body: body})
}
