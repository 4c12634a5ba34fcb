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

// topupIn is a topup body that parsed: its amount read exactly and its
// extras in canonical form (for comparing repeats) and as strings.
type topupIn struct {
	topupWire
	amount money
	canon  string
	extras map[string]string
}

// handleTopup is the payment state machine. A refid that is new and valid
// creates a transaction; a known refid with identical product, account,
// amount and extras is a status check; anything else is a 400 that leaves
// the refid unused.
func (s *Server) handleTopup(req *request) response {
	in, rej := parseTopup(req.body)
	s.mu.Lock()
	defer s.mu.Unlock()
	if rej != nil {
		return s.rejectLocked(req, in, rej)
	}
	if t := s.txns[in.RefID]; t != nil {
		if t.product.listing.ProductCode != in.Product || t.account != in.Account || t.amount != in.amount || t.extras != in.canon {
			return s.rejectLocked(req, in, dataReject(codeDuplicate, "Duplicate_RefID"))
		}
		t.polls++
		s.maybeSettleLocked(t, req.now)
		return jsonResponse(http.StatusOK, map[string]topupData{"data": s.dataLocked(t)})
	}
	p := s.products[in.Product]
	if p == nil || !s.activeLocked(in.Product) {
		return s.rejectLocked(req, in, dataReject(codeInvalid, "Invalid_Product"))
	}
	if rej := checkForProduct(p, in); rej != nil {
		return s.rejectLocked(req, in, rej)
	}
	cost := p.cost(in.amount)
	if cost > s.balance-s.held {
		return s.rejectLocked(req, in, dataReject(codeInsufficient, "Insufficient_Balance"))
	}
	t := s.createLocked(req, p, in, cost)
	return jsonResponse(http.StatusOK, map[string]topupData{"data": s.dataLocked(t)})
}

// parseTopup checks what needs no product knowledge. Its answers for a
// missing refid, product or amount and for bad JSON are the fake's own
// (statusCode 44, "incorrect format"); the account and amount checks are
// the validation errors IIMMPACT's breaking-change notice lists.
func parseTopup(body []byte) (topupIn, *rejection) {
	var in topupIn
	err := json.Unmarshal(body, &in.topupWire)
	in.amount, _ = parseAmountJSON(in.Amount)
	switch {
	case err != nil:
		return in, dataReject(codeInvalid, "Invalid_Request")
	case in.RefID == "":
		return in, dataReject(codeInvalid, "Missing_RefID")
	case len(in.RefID) > maxRefIDLength:
		return in, dataReject(codeInvalid, "Invalid_RefID")
	case in.Product == "":
		return in, dataReject(codeInvalid, "Missing_Product")
	case len(in.Amount) == 0 || string(in.Amount) == "null":
		return in, dataReject(codeInvalid, "Missing_Amount")
	}
	var v validation
	if in.Account == "" {
		v.add("account", "The account field is required.")
	}
	if amount, err := parseAmountJSON(in.Amount); err != nil {
		v.add("amount", "The amount must be a number.")
	} else if amount <= 0 {
		v.add("amount", "The amount must be greater than 0.")
	}
	canon, extras, err := canonicalExtras(in.Extras)
	if err != nil {
		return in, dataReject(codeInvalid, "Invalid_Extras")
	}
	in.canon, in.extras = canon, extras
	return in, v.rejection()
}

// checkForProduct applies p's own rules: the account's format, whole
// ringgit, its mandatory extras, the biller, plan or loan account named,
// and the amount it sells.
func checkForProduct(p *product, in topupIn) *rejection {
	var v validation
	if p.phoneAccount && !validPhone(in.Account) {
		v.add("account", "The account format is invalid.")
	}
	if p.integerOnly && in.amount%10000 != 0 {
		v.add("amount", "The amount must be an integer.")
	}
	for _, k := range p.requiredExtras {
		if in.extras[k] == "" {
			v.add("extras."+k, "The extras."+k+" field is required.")
		}
	}
	if rej := v.rejection(); rej != nil {
		return rej
	}
	switch {
	case p.billers != nil && p.biller(in.extras["biller_code"]) == nil:
		return dataReject(codeInvalid, "The provided biller code is invalid")
	case p.loanAccounts && in.extras["subproduct_code"] != loanAccount(in.extras["ic_number"]):
		return dataReject(codeInvalid, "Invalid_Subproduct")
	case p.plans != nil:
		pl := p.plan(in.extras["subproduct_code"])
		if pl == nil {
			return dataReject(codeInvalid, "Invalid_Subproduct")
		}
		if pl.price != in.amount {
			return dataReject(codeDenomination, "Invalid_Denomination")
		}
	case !p.accepts(in.amount):
		return dataReject(codeDenomination, "Invalid_Denomination")
	}
	return nil
}

// createLocked records a new transaction, settles it at once unless it is
// to stay pending, and queues its callbacks. The caller holds s.mu.
func (s *Server) createLocked(req *request, p *product, in topupIn, cost money) *txn {
	t := &txn{
		trxID: s.nextTrx, refID: in.RefID, product: p, account: in.Account,
		amount: in.amount, extras: in.canon, billerCode: in.extras["biller_code"],
		sender: remoteIP(req.http), code: codeProcessing,
		remarks: "Transaction is being processed", hold: cost, created: req.now,
	}
	if s.cfg.acceptPolls > 0 {
		t.code, t.remarks = codeAccepted, "Transaction accepted and will be sent for processing"
	}
	s.nextTrx++
	s.txns[in.RefID] = t
	s.order = append(s.order, t)
	s.changedLocked()
	s.held += cost
	if s.settleAfter == 0 && s.cfg.settleDelay == 0 && s.cfg.acceptPolls == 0 {
		s.settleLocked(t, req.now)
		return t
	}
	if t.code == codeProcessing {
		s.enqueueCallbackLocked(s.dataLocked(t))
	}
	s.settleLaterLocked(in.RefID)
	return t
}

// canonicalExtras re-encodes the "extras" object with sorted keys so two
// requests compare equal when their extras carry the same values. Absent,
// null and {} are all "". It also returns the string-valued keys.
func canonicalExtras(raw json.RawMessage) (canon string, fields map[string]string, err error) {
	fields = map[string]string{}
	if len(bytes.TrimSpace(raw)) == 0 {
		return "", fields, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return "", nil, err
	}
	if len(m) == 0 {
		return "", fields, nil
	}
	for k, v := range m {
		if s, ok := v.(string); ok {
			fields[k] = s
		}
	}
	return string(marshal(m)), fields, nil
}

// Settle settles a pending (Accepted or Processing) transaction now,
// whatever its settle-after or settle-delay, and reports whether refid
// was pending.
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
	s.changedLocked()
	t.balanceAfter = s.balance
	s.bookLocked("REFUND", t.cost, t.settled, t)
	s.enqueueCallbackLocked(s.dataLocked(t))
	return true
}
