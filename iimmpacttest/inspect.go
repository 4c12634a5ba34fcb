package iimmpacttest

import (
	"strconv"
	"time"

	"github.com/iimmpact-go/iimmpact"
)

// TopupRecord is a snapshot of one transaction the fake created (a
// /v2/topup that passed validation), for assertions in tests.
type TopupRecord struct {
	RefID      string
	TrxID      string
	Product    string
	Account    string
	Amount     iimmpact.Amount
	StatusCode iimmpact.StatusCode // 1 while Processing, then 20 or a failure code
	Status     string              // data.status spelling: "Processing", "Succesful", "Failed"
	Cost       iimmpact.Amount     // wholesale cost debited; zero unless successful
	Debits     int                 // times the wallet was debited for it: 0 or 1, never more
	Polls      int                 // repeats of the same refid received after creation
	SN         string
	Created    time.Time
	Settled    time.Time // zero while pending
}

// TopupRecords returns every transaction in creation order.
func (s *Server) TopupRecords() []TopupRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]TopupRecord, len(s.order))
	for i, t := range s.order {
		out[i] = TopupRecord{
			RefID: t.refID, TrxID: strconv.FormatInt(t.trxID, 10), Product: t.product.listing.ProductCode,
			Account: t.account, Amount: t.amount.amount(), StatusCode: iimmpact.StatusCode(t.code),
			Status: statusText(t.code), Cost: t.cost.amount(), Debits: t.debits,
			Polls: t.polls, SN: t.sn, Created: t.created, Settled: t.settled,
		}
	}
	return out
}

// TopupRecord returns the snapshot of refid, and false if no transaction
// was created for it.
func (s *Server) TopupRecord(refid string) (TopupRecord, bool) {
	for _, t := range s.TopupRecords() {
		if t.RefID == refid {
			return t, true
		}
	}
	return TopupRecord{}, false
}

// Debits reports how many times the wallet was debited for refid (0 when
// the refid is unknown, pending or failed; 1 once successful).
func (s *Server) Debits(refid string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.txns[refid]; t != nil {
		return t.debits
	}
	return 0
}

// Balance returns the wallet balance, as /v2/balance reports it. A topup is debited when it succeeds, so costs
// of Processing topups are not yet subtracted; they are, however, held
// back when the fake checks a new topup for Insufficient_Balance.
func (s *Server) Balance() iimmpact.Amount {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.balance.amount()
}

// SetBalance sets the wallet balance (at most 4 decimal places, not
// negative); it panics on anything else. The change is booked in the balance statement
// as a DEPOSIT of the difference (negative when the balance went down),
// so the statement still adds up.
func (s *Server) SetBalance(amount iimmpact.Amount) {
	m := moneyOf("balance", amount)
	s.mu.Lock()
	defer s.mu.Unlock()
	if d := m - s.balance; d != 0 {
		s.balance = m
		s.bookLocked("DEPOSIT", d, s.now(), nil)
	}
}

// SetNetworkStatus sets what /v2/networkstatus reports for product
// ("Healthy" or "Interruption") and stamps last_updated with the fake's
// clock. It panics on an unknown product or status.
func (s *Server) SetNetworkStatus(product, status string) {
	checkNetworkStatus(status)
	if s.products[product] == nil {
		panic("iimmpacttest: unknown product " + product)
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.network[product] = networkState{status: status, updated: now}
}

// SetSettleAfter changes WithSettleAfter for transactions polled from now
// on (including those already Processing).
func (s *Server) SetSettleAfter(polls int) {
	if polls < 0 {
		panic("iimmpacttest: SetSettleAfter with a negative count")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleAfter = polls
}

// Requests reports how many requests arrived for path (e.g. "/v2/topup"),
// counting those rejected, failed by an injected fault, or unrouted.
func (s *Server) Requests(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[path]
}

// ProductCodes lists the product codes the fake sells: D, C, M (mobile reload,
// fixed denominations), TNB (bill, open amount 1.00–5000.00), GC (Grab
// gift code, returns a PIN and voucher link), DB (postpaid bill in whole
// ringgit), JOMPAY and PTPTN (bills with mandatory extras), HI (mobile
// data plans) and ESIM (eSIM voucher).
func (s *Server) ProductCodes() []string {
	out := make([]string, len(s.listing))
	for i, p := range s.listing {
		out[i] = p.listing.ProductCode
	}
	return out
}
