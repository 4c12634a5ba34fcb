package iimmpacttest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

type caseRequest struct {
	RefID        string   `json:"refid"`
	TrxID        string   `json:"trxid"`
	UserEmail    []string `json:"user_email"`
	RefundType   int      `json:"refund_type"`
	RefundReason string   `json:"refund_reason"`
}

type caseData struct {
	RefID   string `json:"refid"`
	Status  string `json:"status"`
	Message string `json:"message"`
}

// openCase reads a void or check request, finds its transaction (trxid
// first, as documented) and answers Failed for what IIMMPACT declines: a
// transaction that is not successful, a void of a non-refundable product,
// and a second case of the same kind. Like staging, it runs no workflow:
// a voided transaction keeps its status. It is longer than most: each
// refusal IIMMPACT documents is one short step, in the order it checks.
func (s *Server) openCase(req *request, kind string) response {
	var c caseRequest
	if err := json.Unmarshal(req.body, &c); err != nil {
		return errorResponse(http.StatusBadRequest, "invalid_body", "Body must be a JSON object")
	}
	if c.RefID == "" && c.TrxID == "" {
		return errorResponse(http.StatusBadRequest, "invalid_parameter", "refid or trxid is required")
	}
	if kind == "void" {
		if c.RefundType < 1 || c.RefundType > 3 {
			return errorResponse(http.StatusBadRequest, "invalid_refund_type", "refund_type must be 1, 2 or 3")
		}
		if c.RefundType == 3 && strings.TrimSpace(c.RefundReason) == "" {
			return errorResponse(http.StatusBadRequest, "invalid_refund_reason", "refund_reason is required when refund_type is 3")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var t *txn
	if c.TrxID != "" {
		for _, x := range s.order {
			if strconv.FormatInt(x.trxID, 10) == c.TrxID {
				t = x
			}
		}
	} else {
		t = s.txns[c.RefID]
	}
	if t == nil {
		return errorResponse(http.StatusBadRequest, "transaction_not_found", "No transaction with that refid or trxid")
	}
	failed := func(msg string) response {
		return jsonResponse(http.StatusOK, map[string]caseData{"data": {t.refID, "Failed", msg}})
	}
	key := kind + ":" + strconv.FormatInt(t.trxID, 10)
	switch {
	case t.code != codeSuccess:
		return failed("Only successful transactions can be submitted")
	case kind == "void" && !t.product.listing.IsRefundable:
		return failed("This product is not refundable")
	case s.rest.cases[key]:
		return failed("Failed - duplicate request")
	}
	if s.rest.cases == nil {
		s.rest.cases = map[string]bool{}
	}
	s.rest.cases[key] = true
	msg := "We've received your request and will update you by email."
	if kind == "void" {
		msg = "Your void request has been received and is pending biller approval."
	}
	return jsonResponse(http.StatusOK, map[string]caseData{"data": {t.refID, "Success", msg}})
}

// handleVoid answers POST /v2/transactions/void.
func (s *Server) handleVoid(req *request) response { return s.openCase(req, "void") }

// handleCheck answers POST /v2/transactions/check.
func (s *Server) handleCheck(req *request) response { return s.openCase(req, "check") }
