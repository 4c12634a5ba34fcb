package iimmpacttest

import (
	"fmt"
	"strconv"
	"time"
)

// myt is Malaysia time, GMT+8, the zone of every IIMMPACT timestamp.
var myt = time.FixedZone("MYT", 8*60*60)

const (
	layoutTopup   = "2006-01-02 15:04:05"
	layoutHistory = "2006-01-02 15:04:05.000"
	layoutNetwork = "02-01-2006 15:04:05"
	layoutExpiry  = "20060102"
)

// Payment status codes the fake produces (spec §6).
const (
	codeAccepted     = 0
	codeProcessing   = 1
	codeSuccess      = 20
	codeInsufficient = 43
	codeInvalid      = 44
	codeDuplicate    = 54
	codeDenomination = 58
	codeRefund       = 53
)

// stagingFailures maps IIMMPACT's staging test accounts to the final
// status code (and remarks) they settle with.
var stagingFailures = map[string]struct {
	code    int
	remarks string
}{
	"60123450052": {52, "Invalid account number"},
	"60123450041": {41, "Account suspended"},
	"60123450043": {43, "Insufficient credit"},
	"60123450044": {44, "Invalid product"},
	"60123450045": {45, "Out of stock"},
	"60123450047": {47, "Service unavailable"},
	"60123450048": {48, "HC"},
	"60123450464": {54, "Daily limit reached"},
	"60123450055": {55, "Timeout"},
	"60123450056": {56, "Account blacklisted"},
	"60123450057": {57, "Number activated"},
	"60123450861": {61, "Invalid denomination"},
}

// statusText is data.status for a code, with IIMMPACT's spelling.
func statusText(code int) string {
	switch code {
	case codeAccepted:
		return "Accepted"
	case codeProcessing:
		return "Processing"
	case codeSuccess:
		return "Succesful"
	case codeRefund:
		return "Refund"
	}
	return "Failed"
}

// txn is one created transaction (a refid that passed validation).
type txn struct {
	trxID        int64
	refID        string
	product      *product
	account      string
	amount       money
	extras       string // canonical JSON of "extras", "" when absent
	billerCode   string
	sender       string
	code         int
	remarks      string
	hold         money // cost reserved while pending
	cost         money // debited; 0 unless successful
	balanceAfter money // wallet balance right after settling
	sn, pin      string
	expiry       string
	voucherLink  string
	created      time.Time
	settled      time.Time
	polls        int
	debits       int
}

func (t *txn) pending() bool { return t.code == codeAccepted || t.code == codeProcessing }

// topupData is data in /v2/topup answers and callbacks, fields in IIMMPACT's order.
type topupData struct {
	StatusCode  int    `json:"statusCode"`
	Status      string `json:"status"`
	Account     string `json:"account"`
	Product     string `json:"product"`
	ProductName string `json:"productName"`
	Amount      money  `json:"amount"`
	SN          string `json:"sn"`
	PIN         string `json:"pin"`
	Expiry      string `json:"expiry"`
	Cost        money  `json:"cost"`
	Balance     money  `json:"balance"`
	Remarks     string `json:"remarks"`
	RefID       string `json:"refid"`
	Timestamp   string `json:"timestamp"`
	Note        string `json:"note"`
	VoucherLink string `json:"voucherlink"`
}

// dataLocked renders t as IIMMPACT reports it now. The caller holds s.mu.
func (s *Server) dataLocked(t *txn) topupData {
	d := topupData{
		StatusCode: t.code, Status: statusText(t.code),
		Account: t.account, Product: t.product.listing.ProductCode,
		ProductName: t.product.listing.ProductName,
		Amount:      t.amount, SN: t.sn, PIN: t.pin, Expiry: t.expiry,
		Cost: t.cost, Balance: t.balanceAfter, Remarks: t.remarks,
		RefID: t.refID, Timestamp: t.settled.In(myt).Format(layoutTopup),
		VoucherLink: t.voucherLink,
	}
	if t.pending() {
		d.Balance = s.balance
		d.Timestamp = t.created.In(myt).Format(layoutTopup)
	}
	if t.code == codeSuccess {
		d.Note = t.product.note
	}
	return d
}

// settleLocked moves a pending transaction to its final status, debits the
// wallet for a success (exactly once), and queues the callback. The caller
// holds s.mu.
func (s *Server) settleLocked(t *txn, now time.Time) {
	if !t.pending() {
		return
	}
	s.held -= t.hold
	t.settled = now
	s.changedLocked()
	if fail, ok := stagingFailures[t.account]; ok {
		t.code, t.remarks, t.cost = fail.code, fail.remarks, 0
	} else {
		t.code, t.remarks, t.cost = codeSuccess, "", t.hold
		s.balance -= t.cost
		t.debits++
		s.bookLocked("TRANSACTION", -t.cost, now, t)
		s.fulfilLocked(t, now)
	}
	t.hold = 0
	t.balanceAfter = s.balance
	s.enqueueCallbackLocked(s.dataLocked(t))
}

// fulfilLocked gives a successful transaction its serial number and, for
// voucher products, a PIN, an expiry date and a redeem link.
func (s *Server) fulfilLocked(t *txn, now time.Time) {
	s.nextSN++
	local := now.In(myt)
	if t.product.snPrefix != "" {
		t.sn = fmt.Sprintf("%s%s%06d", t.product.snPrefix, local.Format("060102"), s.nextSN%1000000)
	} else {
		t.sn = strconv.FormatInt(100000000+s.nextSN, 10)
	}
	if t.product.voucher {
		const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
		pin := make([]byte, 10)
		for i := range pin {
			pin[i] = alphabet[s.rng.IntN(len(alphabet))]
		}
		t.pin = string(pin)
		t.expiry = local.AddDate(0, 6, 0).Format(layoutExpiry)
		t.voucherLink = fmt.Sprintf("https://gifts.example.com/redeem?id=%016x%016x", s.rng.Uint64(), s.rng.Uint64())
	}
}

// maybeSettleLocked settles t if its configured Processing period is over.
func (s *Server) maybeSettleLocked(t *txn, now time.Time) {
	if !t.pending() {
		return
	}
	if t.code == codeAccepted && t.polls >= s.cfg.acceptPolls {
		t.code, t.remarks = codeProcessing, "Transaction is being processed"
		s.changedLocked()
		s.enqueueCallbackLocked(s.dataLocked(t))
	}
	// Polls count unless only a delay was configured; Accepted polls come first.
	byPolls := (s.settleAfter > 0 || s.cfg.settleDelay == 0) && t.polls >= s.cfg.acceptPolls+s.settleAfter
	byDelay := s.cfg.settleDelay > 0 && !now.Before(t.created.Add(s.cfg.settleDelay))
	if byPolls || byDelay {
		s.settleLocked(t, now)
	}
}

// settleLater arms the WithSettleDelay timer for a new pending transaction.
func (s *Server) settleLaterLocked(refID string) {
	d := s.cfg.settleDelay
	if d <= 0 {
		return
	}
	s.goLocked(func() {
		if !s.sleep(s.ctx, d) {
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if t := s.txns[refID]; t != nil {
			s.settleLocked(t, s.now())
		}
	})
}
