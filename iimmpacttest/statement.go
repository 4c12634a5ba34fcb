package iimmpacttest

import (
	"net/http"
	"net/url"
	"strconv"
	"time"
)

const (
	defaultStatementLimit = 15      // Laravel's default page size
	firstEntryID          = 7731205 // the spec example's first entry id
)

// bookEntry is one wallet movement: the fake's statement is a true ledger,
// so every change of s.balance writes exactly one entry and the entries'
// amounts always add up to the balance's change.
type bookEntry struct {
	id      int64
	at      time.Time
	amount  money // signed: negative for money out
	balance money // after this entry
	remarks string
	typ     string // DEPOSIT, TRANSACTION or REFUND
}

// bookLocked records a movement of amount that has just been applied to
// s.balance. t is the transaction it belongs to, nil for a deposit. The
// caller holds s.mu.
func (s *Server) bookLocked(typ string, amount money, at time.Time, t *txn) {
	remarks := "Wallet top-up"
	if t != nil {
		remarks = t.product.listing.ProductCode + " " + t.account + " RM" + t.amount.String() + " " + t.refID
		if typ == "REFUND" {
			remarks = "Refund " + remarks
		}
	}
	s.book = append(s.book, bookEntry{id: firstEntryID + int64(len(s.book)), at: at, amount: amount,
		balance: s.balance, remarks: remarks, typ: typ})
}

type statementEntry struct {
	ID      int64  `json:"id"`
	Date    string `json:"date"`
	Amount  money  `json:"amount"`
	Balance money  `json:"balance"`
	Remarks string `json:"remarks"`
	Type    string `json:"type"`
}

// statementSummary is the "summary" IIMMPACT added on 31 October 2025.
// The announcement names the fields but not their signs; the fake sends
// each total with the sign its entries carry (transactions negative).
type statementSummary struct {
	TotalTransactions struct {
		Amount money `json:"amount"`
		Count  int   `json:"count"`
	} `json:"total_transactions"`
	TotalDeposit money `json:"total_deposit"`
	TotalRefund  money `json:"total_refund"`
}

func (m *statementSummary) add(e *bookEntry) {
	switch e.typ {
	case "TRANSACTION":
		m.TotalTransactions.Amount += e.amount
		m.TotalTransactions.Count++
	case "DEPOSIT":
		m.TotalDeposit += e.amount
	case "REFUND":
		m.TotalRefund += e.amount
	}
}

// handleBalanceStatement answers GET /v2/balance-statement?date=: every
// wallet movement of those days (a TRANSACTION debit when a topup
// succeeds, a REFUND credit when it is refunded, a DEPOSIT when the
// balance is topped up), oldest first, with the balance after each, paged
// Laravel-style, and a summary of the whole filtered set.
func (s *Server) handleBalanceStatement(req *request) response {
	q := req.http.URL.Query()
	from, to, ok := parseDateFilter(q.Get("date"))
	if !ok {
		return errorResponse(http.StatusBadRequest, "invalid_date", "date must be yyyy-MM-dd or yyyy-MM-dd - yyyy-MM-dd")
	}
	typ := q.Get("type")
	switch typ {
	case "", "DEPOSIT", "TRANSACTION", "REFUND", "COMMISSION":
	default:
		return errorResponse(http.StatusBadRequest, "invalid_type", "type must be DEPOSIT, TRANSACTION, REFUND or COMMISSION")
	}
	limit, page, ok := pageParams(q, defaultStatementLimit, maxHistoryLimit)
	if !ok {
		return errorResponse(http.StatusBadRequest, "invalid_parameter", "limit must be 1 to 1000 and page at least 1")
	}

	data := []statementEntry{}
	var sum statementSummary
	total := 0
	s.mu.Lock()
	for i := range s.book {
		e := &s.book[i]
		day := e.at.In(myt).Format(time.DateOnly)
		if day < from || day > to || (typ != "" && typ != e.typ) {
			continue
		}
		sum.add(e)
		if total >= (page-1)*limit && len(data) < limit {
			data = append(data, statementEntry{ID: e.id, Date: e.at.In(myt).Format(layoutHistory),
				Amount: e.amount, Balance: e.balance, Remarks: e.remarks, Type: e.typ})
		}
		total++
	}
	s.mu.Unlock()
	return jsonResponse(http.StatusOK, statementBody(s.URL, q.Get("date"), data, sum, total, limit, page))
}

// statementBody wraps one page in Laravel's links and meta.
func statementBody(base, date string, data []statementEntry, sum statementSummary, total, limit, page int) any {
	lo, hi, last := window(total, limit, page)
	path := base + "/v2/balance-statement"
	link := func(n int) *string {
		if n < 1 || n > last {
			return nil
		}
		v := url.Values{"date": {date}, "page": {strconv.Itoa(n)}}
		u := path + "?" + v.Encode()
		return &u
	}
	var first, upto *int
	if len(data) > 0 {
		f, t := lo+1, hi
		first, upto = &f, &t
	}
	type links struct {
		First *string `json:"first"`
		Last  *string `json:"last"`
		Prev  *string `json:"prev"`
		Next  *string `json:"next"`
	}
	type meta struct {
		CurrentPage int    `json:"current_page"`
		From        *int   `json:"from"`
		LastPage    int    `json:"last_page"`
		Path        string `json:"path"`
		PerPage     int    `json:"per_page"`
		To          *int   `json:"to"`
		Total       int    `json:"total"`
	}
	return struct {
		Data    []statementEntry `json:"data"`
		Links   links            `json:"links"`
		Meta    meta             `json:"meta"`
		Summary statementSummary `json:"summary"`
	}{data, links{link(1), link(last), link(page - 1), link(page + 1)},
		meta{page, first, last, path, limit, upto, total}, sum}
}
