package iimmpact

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/iimmpact-go/iimmpact/internal/wire"
)

// TransactionQuery filters the transaction history (GET /v2/transactions).
type TransactionQuery struct {
	// From and To are calendar days in GMT+8 (the time of day is ignored).
	// A zero To means the single day From.
	From, To time.Time
	Limit    int // records per page; 0 means DefaultTransactionLimit
	Offset   int // records to skip
	Product  string
	Account  string
	// Statuses filters by any of SUCCESSFUL, PENDING, FAILED, REFUND (any
	// case); empty means all.
	Statuses []string
}

// DefaultTransactionLimit is the page size when TransactionQuery.Limit is 0.
const DefaultTransactionLimit = 50

func (q *TransactionQuery) values() (url.Values, error) {
	date, err := dateParam("transaction query", q.From, q.To)
	if err != nil {
		return nil, err
	}
	if q.Limit < 0 || q.Offset < 0 {
		return nil, fmt.Errorf("%w: negative limit or offset", ErrInvalidRequest)
	}
	limit := q.Limit
	if limit == 0 {
		limit = DefaultTransactionLimit
	}
	v := url.Values{"date": {date}, "limit": {strconv.Itoa(limit)}}
	if q.Offset > 0 {
		v.Set("offset", strconv.Itoa(q.Offset))
	}
	if q.Product != "" {
		v.Set("product", q.Product)
	}
	if q.Account != "" {
		v.Set("account", q.Account)
	}
	for _, s := range q.Statuses {
		s = strings.ToUpper(strings.TrimSpace(s))
		switch s {
		case "SUCCESSFUL", "PENDING", "FAILED", "REFUND":
			v.Add("status", s)
		default:
			return nil, fmt.Errorf("%w: status filter %q is not SUCCESSFUL, PENDING, FAILED or REFUND", ErrInvalidRequest, s)
		}
	}
	return v, nil
}

// dateParam renders the "date" parameter of /v2/transactions and
// /v2/balance-statement: one GMT+8 day, or "from - to" (spaces included,
// as documented) for a range. A zero to means the single day from.
func dateParam(what string, from, to time.Time) (string, error) {
	if from.IsZero() {
		return "", fmt.Errorf("%w: %s needs From", ErrInvalidRequest, what)
	}
	f := from.In(wire.MYT).Format(wire.Date)
	if to.IsZero() {
		return f, nil
	}
	t := to.In(wire.MYT).Format(wire.Date)
	if t < f {
		return "", fmt.Errorf("%w: To %s is before From %s", ErrInvalidRequest, t, f)
	}
	if t == f {
		return f, nil
	}
	return f + " - " + t, nil
}

// TransactionPage is one page of history and IIMMPACT's summary of the
// whole filtered set.
type TransactionPage struct {
	Items   []TransactionRecord
	Summary TransactionSummary
}

// TransactionRecord is one transaction in the history. Its status is
// spelled "Successful" here, unlike Topup's "Succesful"; use StatusCode or
// Outcome, never the word.
type TransactionRecord struct {
	TrxID           string     `wire:"trxid"` // IIMMPACT's transaction id
	RefID           string     `wire:"refid"`
	Date            time.Time  `wire:"date"`          // GMT+8
	ResponseDate    time.Time  `wire:"response_date"` // GMT+8
	ProductCode     string     `wire:"product_code"`
	ProductName     string     `wire:"product_name"`
	BillerCode      string     `wire:"biller_code"`
	ProductImageURL string     `wire:"product_image_url"`
	Category        string     `wire:"category"`
	Amount          Amount     `wire:"amount"` // face value
	Price           Amount     `wire:"price"`  // your cost
	Currency        string     `wire:"currency"`
	Account         string     `wire:"account"`
	Sender          string     `wire:"sender"` // the IP that sent the request
	MemberID        string     `wire:"member_id"`
	StatusCode      StatusCode `wire:"status_code,with=setStatusCode"` // -1 when IIMMPACT sent none (absent, null or "")
	StatusName      string     `wire:"status_name"`                    // as sent, e.g. "Successful"
	SN              string     `wire:"sn"`
	PIN             string     `wire:"pin"` // voucher PIN: secret
	Expiry          string     `wire:"expiry"`
	Remarks         string     `wire:"remarks"`
	VoucherLink     string     `wire:"voucherlink"`
}

// Outcome is the record's coarse state, from its code, or from its name
// only when the record has no code: an undocumented code is unknown,
// whatever its name says, so that it is never taken for a failure.
func (r *TransactionRecord) Outcome() Outcome {
	if r.StatusCode != noStatusCode {
		return r.StatusCode.Outcome()
	}
	return ParseOutcome(r.StatusName)
}

// noStatusCode is TransactionRecord.StatusCode when IIMMPACT sent none.
const noStatusCode StatusCode = -1

// String summarises the record without its PIN.
func (r TransactionRecord) String() string {
	return fmt.Sprintf("trxid=%s refid=%s product=%s account=%s amount=%s status=%s",
		r.TrxID, r.RefID, r.ProductCode, r.Account, r.Amount, r.StatusCode)
}

// GoString keeps %#v from printing the PIN.
func (r TransactionRecord) GoString() string { return "iimmpact.TransactionRecord{" + r.String() + "}" }

func (r *TransactionRecord) reset() { *r = TransactionRecord{StatusCode: noStatusCode} }

// decoded keeps a record without a status code readable: its Outcome
// falls back on the status name.
func (r *TransactionRecord) decoded() error {
	if r.StatusCode == unsetStatusCode {
		r.StatusCode = noStatusCode
	}
	return nil
}

// TransactionSummary is the history's "meta": totals over the filtered set.
type TransactionSummary struct {
	TransactionCount int    `wire:"transaction_count"`
	TotalAmount      Amount `wire:"total_amount"` // face value
	TotalPrice       Amount `wire:"total_price"`  // your cost
	Profit           Amount `wire:"profit"`
	SuccessfulCount  int    `wire:"successful_count"`
	FailedCount      int    `wire:"failed_count"`
	PendingCount     int    `wire:"pending_count"`
	RefundCount      int    `wire:"refund_count"`
}

type transactionsBody struct {
	Data *[]TransactionRecord `wire:"data"`
	Meta TransactionSummary   `wire:"meta"`
}

func (b *transactionsBody) check() error { return checkData(b.Data) }

// Transactions returns one page of the transaction history, for
// reconciliation. Page with Offset and Limit; a page shorter than Limit is
// the last.
func (c *Client) Transactions(ctx context.Context, q TransactionQuery) (*TransactionPage, error) {
	v, err := q.values()
	if err != nil {
		return nil, err
	}
	return fetch[TransactionPage, transactionsBody](ctx, c, getCall("/v2/transactions", v))
}

func (b *transactionsBody) result() *TransactionPage {
	return &TransactionPage{Items: *b.Data, Summary: b.Meta}
}
