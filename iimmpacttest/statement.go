package iimmpacttest

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

const defaultStatementLimit = 15 // Laravel's default page size

type statementEntry struct {
	ID      int64  `json:"id"`
	Date    string `json:"date"`
	Amount  money  `json:"amount"`
	Balance money  `json:"balance"`
	Remarks string `json:"remarks"`
	Type    string `json:"type"`
}

// handleBalanceStatement answers GET /v2/balance-statement?date=: one
// TRANSACTION entry per settled successful topup, the cost debited and the
// balance right after it, oldest first, paged Laravel-style. The fake has
// no deposits, refunds or commissions, so those type filters match nothing.
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

	type settled struct {
		at    time.Time
		entry statementEntry
	}
	var all []settled
	s.mu.Lock()
	for _, t := range s.order {
		day := t.settled.In(myt).Format(time.DateOnly)
		if t.code != codeSuccess || day < from || day > to || (typ != "" && typ != "TRANSACTION") {
			continue
		}
		all = append(all, settled{t.settled, statementEntry{ID: t.trxID, Date: t.settled.In(myt).Format(layoutHistory),
			Amount: -t.cost, Balance: t.balanceAfter, Type: "TRANSACTION",
			Remarks: t.product.listing.ProductCode + " " + t.account + " RM" + t.amount.String() + " " + t.refID}})
	}
	s.mu.Unlock()
	slices.SortStableFunc(all, func(a, b settled) int { return cmp.Or(a.at.Compare(b.at), cmp.Compare(a.entry.ID, b.entry.ID)) })

	lo, hi, last := window(len(all), limit, page)
	data := []statementEntry{}
	for _, e := range all[lo:hi] {
		data = append(data, e.entry)
	}
	path := s.URL + "/v2/balance-statement"
	link := func(n int) *string {
		if n < 1 || n > last {
			return nil
		}
		v := url.Values{"date": {q.Get("date")}, "page": {strconv.Itoa(n)}}
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
	return jsonResponse(http.StatusOK, struct {
		Data  []statementEntry `json:"data"`
		Links links            `json:"links"`
		Meta  meta             `json:"meta"`
	}{data, links{link(1), link(last), link(page - 1), link(page + 1)},
		meta{page, first, last, path, limit, upto, len(all)}})
}
