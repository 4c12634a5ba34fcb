package iimmpacttest

import (
	"net/http"
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

	var (
		page                  = []historyRecord{}
		count, succ, fail     int
		pend, refund          int
		totalAmount, totalFee money
	)
	s.mu.Lock()
	for _, t := range s.order {
		day := t.created.In(myt).Format(time.DateOnly)
		class := historyClass(t.code)
		if day < from || day > to || (product != "" && t.product.listing.ProductCode != product) ||
			(account != "" && t.account != account) || (len(classes) > 0 && !classes[class]) {
			continue
		}
		if count >= offset && len(page) < limit {
			page = append(page, historyOf(t, class))
		}
		count++
		switch class {
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
	s.mu.Unlock()

	return jsonResponse(http.StatusOK, struct {
		Data []historyRecord `json:"data"`
		Meta historyMeta     `json:"meta"`
	}{page, historyMeta{
		TransactionCount: strconv.Itoa(count),
		TotalAmount:      totalAmount.fixed4(),
		TotalPrice:       totalFee.fixed4(),
		Profit:           (totalAmount - totalFee).fixed4(),
		SuccessfulCount:  strconv.Itoa(succ),
		FailedCount:      strconv.Itoa(fail),
		PendingCount:     strconv.Itoa(pend),
		RefundCount:      strconv.Itoa(refund),
	}})
}

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
