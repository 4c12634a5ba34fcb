package iimmpacttest

import (
	"bytes"
	"encoding/json"
	"net/http"
)

const maxRefIDLength = 50

// topupWire is the POST /v2/topup body as received.
type topupWire struct {
	RefID   string          `json:"refid"`
	Product string          `json:"product"`
	Account string          `json:"account"`
	Amount  json.RawMessage `json:"amount"`
	Remarks string          `json:"remarks"`
	Extras  json.RawMessage `json:"extras"`
}

// rejectData is the short data object of a 400 from /v2/topup (seed Step 4,
// "Validation Error"): no transaction was created and the refid is free.
type rejectData struct {
	StatusCode int    `json:"statusCode"`
	Status     string `json:"status"`
	Account    string `json:"account"`
	Product    string `json:"product"`
	Amount     money  `json:"amount"`
	Cost       money  `json:"cost"`
	Balance    money  `json:"balance"`
	Remarks    string `json:"remarks"`
	RefID      string `json:"refid"`
	Timestamp  string `json:"timestamp"`
}

// handleTopup is the payment state machine. A refid that is new and valid
// creates a transaction; a known refid with identical product, account,
// amount and extras is a status check; anything else is a 400 that leaves
// the refid unused.
func (s *Server) handleTopup(req *request) response {
	var in topupWire
	err := json.Unmarshal(req.body, &in)
	amount, amountErr := parseAmountJSON(in.Amount)
	reject := func(code int, remarks string) response {
		s.mu.Lock()
		bal := s.balance
		s.mu.Unlock()
		return jsonResponse(http.StatusBadRequest, map[string]rejectData{"data": {
			StatusCode: code, Status: "Failed", Account: in.Account, Product: in.Product,
			Amount: amount, Balance: bal, Remarks: remarks, RefID: in.RefID,
			Timestamp: req.now.In(myt).Format(layoutTopup),
		}})
	}
	switch {
	case err != nil:
		return reject(codeInvalid, "Invalid_Request")
	case in.RefID == "":
		return reject(codeInvalid, "Missing_RefID")
	case len(in.RefID) > maxRefIDLength:
		return reject(codeInvalid, "Invalid_RefID")
	case in.Product == "":
		return reject(codeInvalid, "Missing_Product")
	case in.Account == "":
		return reject(codeInvalid, "Missing_Account")
	case len(in.Amount) == 0 || string(in.Amount) == "null":
		return reject(codeInvalid, "Missing_Amount")
	case amountErr != nil || amount <= 0:
		return reject(codeInvalid, "Invalid_Amount")
	}
	extras, billerCode, err := canonicalExtras(in.Extras)
	if err != nil {
		return reject(codeInvalid, "Invalid_Extras")
	}

	s.mu.Lock()
	if t := s.txns[in.RefID]; t != nil {
		if t.product.listing.ProductCode != in.Product || t.account != in.Account || t.amount != amount || t.extras != extras {
			s.mu.Unlock()
			return reject(codeDuplicate, "Duplicate_RefID")
		}
		t.polls++
		s.maybeSettleLocked(t, req.now)
		data := s.dataLocked(t)
		s.mu.Unlock()
		return jsonResponse(http.StatusOK, map[string]topupData{"data": data})
	}
	p := s.products[in.Product]
	if p == nil {
		s.mu.Unlock()
		return reject(codeInvalid, "Invalid_Product")
	}
	if !p.accepts(amount) {
		s.mu.Unlock()
		return reject(codeDenomination, "Invalid_Denomination")
	}
	cost := p.cost(amount)
	if cost > s.balance-s.held {
		s.mu.Unlock()
		return reject(codeInsufficient, "Insufficient_Balance")
	}
	t := &txn{
		trxID: s.nextTrx, refID: in.RefID, product: p, account: in.Account,
		amount: amount, extras: extras, billerCode: billerCode,
		sender: remoteIP(req.http), code: codeProcessing,
		remarks: "Transaction is being processed", hold: cost, created: req.now,
	}
	s.nextTrx++
	s.txns[in.RefID] = t
	s.order = append(s.order, t)
	s.held += cost
	if s.settleAfter == 0 && s.cfg.settleDelay == 0 {
		s.settleLocked(t, req.now)
	} else {
		s.enqueueCallbackLocked(s.dataLocked(t))
		s.settleLaterLocked(in.RefID)
	}
	data := s.dataLocked(t)
	s.mu.Unlock()
	return jsonResponse(http.StatusOK, map[string]topupData{"data": data})
}

// canonicalExtras re-encodes the "extras" object with sorted keys so two
// requests compare equal when their extras carry the same values. Absent,
// null and {} are all "". It also returns extras.biller_code, if any.
func canonicalExtras(raw json.RawMessage) (canon, billerCode string, err error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return "", "", nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return "", "", err
	}
	if len(m) == 0 {
		return "", "", nil
	}
	if bc, ok := m["biller_code"].(string); ok {
		billerCode = bc
	}
	return string(marshal(m)), billerCode, nil
}

// Settle settles a Processing transaction now, whatever its settle-after
// or settle-delay, and reports whether refid was pending.
func (s *Server) Settle(refid string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.txns[refid]
	if t == nil || !t.pending() {
		return false
	}
	s.settleLocked(t, s.now())
	return true
}

// Refund turns a successful transaction into statusCode 53 "Refund", as a
// granted void request would, credits its cost back to the wallet, and
// sends a callback. It reports whether refid was successful. The
// transaction keeps Debits 1: it was charged once, then refunded; the
// statement keeps its TRANSACTION debit and gains a REFUND credit.
func (s *Server) Refund(refid string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.txns[refid]
	if t == nil || t.code != codeSuccess {
		return false
	}
	s.balance += t.cost
	t.code, t.remarks, t.settled = codeRefund, "Refunded", s.now()
	t.balanceAfter = s.balance
	s.bookLocked("REFUND", t.cost, t.settled, t)
	s.enqueueCallbackLocked(s.dataLocked(t))
	return true
}
