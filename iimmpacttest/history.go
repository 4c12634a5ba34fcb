package iimmpacttest

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

const maxHistoryLimit = 1000

// historyRecord is one /v2/transactions record: strings or null, fields in
// IIMMPACT's order (seed Step 7).
type historyRecord struct {
	TrxID           string  `json:"trxid"`
	Date            string  `json:"date"`
	ProductCode     string  `json:"product_code"`
	ProductName     string  `json:"product_name"`
	BillerCode      *string `json:"biller_code"`
	ProductImageURL string  `json:"product_image_url"`
	Category        string  `json:"category"`
	Amount          string  `json:"amount"`
	Account         string  `json:"account"`
	Sender          string  `json:"sender"`
	MemberID        string  `json:"member_id"`
	StatusCode      string  `json:"status_code"`
	StatusName      string  `json:"status_name"`
	ResponseDate    string  `json:"response_date"`
	Price           string  `json:"price"`
	SN              string  `json:"sn"`
	PIN             string  `json:"pin"`
	Expiry          string  `json:"expiry"`
	Remarks         *string `json:"remarks"`
	RefID           string  `json:"refid"`
	VoucherLink     *string `json:"voucherlink"`
	Currency        string  `json:"currency"`
}

type historyMeta struct {
	TransactionCount string `json:"transaction_count"`
	TotalAmount      string `json:"total_amount"`
	TotalPrice       string `json:"total_price"`
	Profit           string `json:"profit"`
	SuccessfulCount  string `json:"successful_count"`
	FailedCount      string `json:"failed_count"`
	PendingCount     string `json:"pending_count"`
	RefundCount      string `json:"refund_count"`
}

// historyClass is the filter vocabulary of /v2/transactions for a code.
func historyClass(code int) string {
	switch {
	case code == codeSuccess:
		return "SUCCESSFUL"
	case code == 0 || code == codeProcessing:
		return "PENDING"
	case code == codeRefund:
		return "REFUND"
	}
	return "FAILED"
}

var historyNames = map[string]string{
	"SUCCESSFUL": "Successful", "PENDING": "Pending", "FAILED": "Failed", "REFUND": "Refund",
}

// handleTransactions answers GET /v2/transactions. date and limit are
// required; records are in creation order (oldest first, so pages stay
// stable while new transactions arrive); meta covers every record that
// matches the filters, not just the page.
func (s *Server) handleTransactions(req *request) response {
	q := req.http.URL.Query()
	from, to, ok := parseDateFilter(q.Get("date"))
	if !ok {
		return errorResponse(http.StatusBadRequest, "invalid_date", "date must be yyyy-MM-dd or yyyy-MM-dd - yyyy-MM-dd")
	}
	limit, err := strconv.Atoi(q.Get("limit"))
	if err != nil || limit < 1 || limit > maxHistoryLimit {
		return errorResponse(http.StatusBadRequest, "invalid_limit", "limit must be an integer from 1 to 1000")
	}
	offset := 0
	if v := q.Get("offset"); v != "" {
		if offset, err = strconv.Atoi(v); err != nil || offset < 0 {
			return errorResponse(http.StatusBadRequest, "invalid_offset", "offset must be a non-negative integer")
		}
	}
	classes := map[string]bool{}
	for _, st := range q["status"] {
		if _, known := historyNames[st]; !known {
			return errorResponse(http.StatusBadRequest, "invalid_status", "status must be SUCCESSFUL, PENDING, FAILED or REFUND")
		}
		classes[st] = true
	}
	product, account := q.Get("product"), q.Get("account")

	s.mu.Lock()
	v := s.historyViewLocked(historyFilter{from: from, to: to, product: product, account: account, classes: classes})
	page := []historyRecord{}
	for _, t := range v.rows[min(offset, len(v.rows)):min(offset+limit, len(v.rows))] {
		page = append(page, historyOf(t, historyClass(t.code)))
	}
	meta := v.meta
	s.mu.Unlock()

	return jsonResponse(http.StatusOK, struct {
		Data []historyRecord `json:"data"`
		Meta historyMeta     `json:"meta"`
	}{page, meta})
}

// historyFilter is what /v2/transactions filters by.
type historyFilter struct {
	from, to         string // yyyy-MM-dd, inclusive
	product, account string
	classes          map[string]bool // empty: every class
}

func (f *historyFilter) matches(t *txn) bool {
	day := t.created.In(myt).Format(time.DateOnly)
	return day >= f.from && day <= f.to && (f.product == "" || t.product.listing.ProductCode == f.product) &&
		(f.account == "" || t.account == f.account) && (len(f.classes) == 0 || f.classes[historyClass(t.code)])
}

// key identifies the filter, classes sorted.
func (f *historyFilter) key() string {
	classes := make([]string, 0, len(f.classes))
	for c := range f.classes {
		classes = append(classes, c)
	}
	slices.Sort(classes)
	return strings.Join(append([]string{f.from, f.to, f.product, f.account}, classes...), "\x00")
}

// historyView is the filtered history of the last query and its meta. A
// walk through the pages of one query reads the records once, not once a
// page: each page then costs its own records, whatever the total.
type historyView struct {
	key  string
	gen  uint64 // s.historyGen when it was read
	n    int    // len(s.order) when it was read
	rows []*txn
	meta historyMeta
}

// historyViewLocked returns the view for f, reading the records again only
// if the filter or any transaction changed since. The caller holds s.mu.
func (s *Server) historyViewLocked(f historyFilter) *historyView {
	key := f.key()
	if v := s.history; v != nil && v.key == key && v.gen == s.historyGen && v.n == len(s.order) {
		return v
	}
	s.historyReads++
	v := &historyView{key: key, gen: s.historyGen, n: len(s.order)}
	var succ, fail, pend, refund int
	var totalAmount, totalFee money
	for _, t := range s.order {
		if !f.matches(t) {
			continue
		}
		v.rows = append(v.rows, t)
		switch historyClass(t.code) {
		case "SUCCESSFUL":
			succ++
			totalAmount += t.amount
			totalFee += t.cost
		case "PENDING":
			pend++
		case "REFUND":
			refund++
		default:
			fail++
		}
	}
	v.meta = historyMeta{
		TransactionCount: strconv.Itoa(len(v.rows)),
		TotalAmount:      totalAmount.fixed4(),
		TotalPrice:       totalFee.fixed4(),
		Profit:           (totalAmount - totalFee).fixed4(),
		SuccessfulCount:  strconv.Itoa(succ),
		FailedCount:      strconv.Itoa(fail),
		PendingCount:     strconv.Itoa(pend),
		RefundCount:      strconv.Itoa(refund),
	}
	s.history = v
	return v
}

// changedLocked records that a transaction changed (status, cost, fields
// the history shows), so the next history read sees it. The caller holds
// s.mu.
func (s *Server) changedLocked() { s.historyGen++ }

// historyOf renders t as a /v2/transactions record. The caller holds s.mu.
func historyOf(t *txn, class string) historyRecord {
	p := t.product.listing
	r := historyRecord{
		TrxID: strconv.FormatInt(t.trxID, 10), Date: t.created.In(myt).Format(layoutHistory),
		ProductCode: p.ProductCode, ProductName: p.ProductName,
		ProductImageURL: p.ImageURL, Category: p.Category,
		Amount: t.amount.fixed4(), Account: t.account, Sender: t.sender, MemberID: demoAccount,
		StatusCode: strconv.Itoa(t.code), StatusName: historyNames[class],
		ResponseDate: t.created.In(myt).Format(layoutHistory),
		Price:        t.cost.fixed4(), SN: t.sn, PIN: t.pin, Expiry: t.expiry,
		RefID: t.refID, Currency: "MYR",
	}
	if !t.pending() {
		r.ResponseDate = t.settled.In(myt).Format(layoutHistory)
	}
	// Copies: the record is encoded after s.mu is released.
	if bc := t.billerCode; bc != "" {
		r.BillerCode = &bc
	}
	if rem := t.remarks; rem != "" && !t.pending() {
		r.Remarks = &rem
	}
	if link := t.voucherLink; link != "" {
		r.VoucherLink = &link
	}
	return r
}

// parseDateFilter reads "yyyy-MM-dd" or "yyyy-MM-dd - yyyy-MM-dd" and
// returns the inclusive range as comparable yyyy-MM-dd strings.
func parseDateFilter(v string) (from, to string, ok bool) {
	from, to, isRange := strings.Cut(v, " - ")
	if !isRange {
		to = from
	}
	a, errA := time.Parse(time.DateOnly, from)
	b, errB := time.Parse(time.DateOnly, to)
	if errA != nil || errB != nil || b.Before(a) {
		return "", "", false
	}
	return from, to, true
}
