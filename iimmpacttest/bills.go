package iimmpacttest

import (
	"hash/fnv"
	"net/http"
)

// The staging accounts bill presentment answers specially: 52 is IIMMPACT's
// "invalid account number" test account, 47 its "service unavailable".
const (
	billInvalidAccount = "60123450052"
	billUnavailable    = "60123450047"
)

type billData struct {
	Message      string `json:"message"`
	BillerName   string `json:"BillerName,omitempty"`
	CustomerName string `json:"CustomerName,omitempty"`
	Outstanding  *money `json:"Outstanding,omitempty"`
	Balance      string `json:"Balance,omitempty"`
	Address      string `json:"Address,omitempty"`
	EBill        string `json:"E-Bill,omitempty"`
}

type billBody struct {
	Data         billData `json:"data"`
	ErrorMessage string   `json:"error_message,omitempty"`
	Metadata     metadata `json:"metadata"`
}

// handleBillPresentment answers GET /v2/bill-presentment?account=&product=.
// Utility bills present an outstanding amount derived from the account
// number (stable across calls); other products answer that presentment is
// unavailable; billInvalidAccount is an HTTP 400 with error_message, as
// observed for invalid accounts.
func (s *Server) handleBillPresentment(req *request) response {
	q := req.http.URL.Query()
	account, code := q.Get("account"), q.Get("product")
	if account == "" || code == "" {
		return errorResponse(http.StatusBadRequest, "invalid_parameter", "account and product are required")
	}
	p := s.products[code]
	if p == nil {
		return jsonResponse(http.StatusBadRequest, map[string]string{"error_message": "Invalid product"})
	}
	meta := stamp(req.now, layoutNetwork)
	name := p.listing.ProductName
	if p.billers != nil {
		b, fail := jompayPresentment(p, q.Get("biller_code"), q.Get("ref2"), q.Get("amount"), meta)
		if fail != nil {
			return *fail
		}
		name = b.name
	}
	switch {
	case account == billInvalidAccount:
		return jsonResponse(http.StatusBadRequest, billBody{Data: billData{Message: "Invalid account no"},
			ErrorMessage: "Invalid account no", Metadata: metadata{StatusCode: http.StatusBadRequest, LastUpdated: meta.LastUpdated}})
	case p.listing.Category != "Utilities" && p.billers == nil:
		return jsonResponse(http.StatusOK, billBody{Data: billData{Message: "Bill presentment is unavailable for this product"}, Metadata: meta})
	case account == billUnavailable:
		return jsonResponse(http.StatusOK, billBody{Data: billData{Message: "Service unavailable. Please try again later"}, Metadata: meta})
	}
	h := fnv.New32a()
	h.Write([]byte(account))
	owed := money(h.Sum32()%50000) * 100 // up to RM 500.00, whole sen
	return jsonResponse(http.StatusOK, billBody{Data: billData{
		Message: "Account no is valid", BillerName: name, CustomerName: "DEMO CUSTOMER",
		Outstanding: &owed, Balance: owed.fixed2(), Address: "NO 1, JALAN DEMO, 50000 KUALA LUMPUR",
		EBill: "https://ebill.example.com/" + p.listing.ProductCode + "/" + account + ".pdf",
	}, Metadata: meta})
}

// jompayPresentment checks JomPAY's presentment parameters: biller_code is
// required (documented), ref2 for billers that need it, and amount, when
// given, must be a positive amount. Each failure is an HTTP 400 with one
// of the documented error_message texts.
func jompayPresentment(p *product, billerCode, ref2, amount string, meta metadata) (*biller, *response) {
	fail := func(msg string) (*biller, *response) {
		r := jsonResponse(http.StatusBadRequest, billBody{Data: billData{Message: msg}, ErrorMessage: msg,
			Metadata: metadata{StatusCode: http.StatusBadRequest, LastUpdated: meta.LastUpdated}})
		return nil, &r
	}
	b := p.biller(billerCode)
	switch {
	case b == nil:
		return fail("The provided biller code is invalid")
	case b.ref2 && ref2 == "":
		return fail("Ref-2 is required")
	}
	if amount != "" {
		if m, err := parseMoney(amount); err != nil || m <= 0 {
			return fail("The provided amount is invalid")
		}
	}
	return b, nil
}
