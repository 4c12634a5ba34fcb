package iimmpact

import (
	"context"
	"encoding/json"
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
	Records []TransactionRecord
	Summary TransactionSummary
}

// TransactionRecord is one transaction in the history. Its status is
// spelled "Successful" here, unlike Topup's "Succesful"; use StatusCode or
// Outcome, never the word.
type TransactionRecord struct {
	TrxID           string // IIMMPACT's transaction id
	RefID           string
	Date            time.Time // GMT+8
	ResponseDate    time.Time // GMT+8
	ProductCode     string
	ProductName     string
	BillerCode      string
	ProductImageURL string
	Category        string
	Amount          Amount // face value
	Price           Amount // your cost
	Currency        string
	Account         string
	Sender          string // the IP that sent the request
	MemberID        string
	StatusCode      StatusCode // -1 when IIMMPACT sent none (absent, null or "")
	StatusName      string     // as sent, e.g. "Successful"
	SN              string
	PIN             string // voucher PIN: secret
	Expiry          string
	Remarks         string
	VoucherLink     string
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

// UnmarshalJSON reads the documented record, whose fields are all strings.
func (r *TransactionRecord) UnmarshalJSON(b []byte) error {
	var w struct {
		TrxID           wire.String     `json:"trxid"`
		Date            wire.Time       `json:"date"`
		ProductCode     wire.String     `json:"product_code"`
		ProductName     wire.String     `json:"product_name"`
		BillerCode      wire.String     `json:"biller_code"`
		ProductImageURL wire.String     `json:"product_image_url"`
		Category        wire.String     `json:"category"`
		Amount          Amount          `json:"amount"`
		Account         wire.String     `json:"account"`
		Sender          wire.String     `json:"sender"`
		MemberID        wire.String     `json:"member_id"`
		StatusCode      json.RawMessage `json:"status_code"`
		StatusName      wire.String     `json:"status_name"`
		ResponseDate    wire.Time       `json:"response_date"`
		Price           Amount          `json:"price"`
		SN              wire.String     `json:"sn"`
		PIN             wire.String     `json:"pin"`
		Expiry          wire.String     `json:"expiry"`
		Remarks         wire.String     `json:"remarks"`
		RefID           wire.String     `json:"refid"`
		VoucherLink     wire.String     `json:"voucherlink"`
		Currency        wire.String     `json:"currency"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	code, ok := parseStatusCode(w.StatusCode)
	if !ok {
		code = noStatusCode
	}
	*r = TransactionRecord{
		TrxID: string(w.TrxID), RefID: string(w.RefID), Date: w.Date.Time, ResponseDate: w.ResponseDate.Time,
		ProductCode: string(w.ProductCode), ProductName: string(w.ProductName), BillerCode: string(w.BillerCode),
		ProductImageURL: string(w.ProductImageURL), Category: string(w.Category), Amount: w.Amount,
		Price: w.Price, Currency: string(w.Currency), Account: string(w.Account), Sender: string(w.Sender),
		MemberID: string(w.MemberID), StatusCode: code, StatusName: string(w.StatusName), SN: string(w.SN),
		PIN: string(w.PIN), Expiry: string(w.Expiry), Remarks: string(w.Remarks), VoucherLink: string(w.VoucherLink),
	}
	return nil
}

// TransactionSummary is the history's "meta": totals over the filtered set.
type TransactionSummary struct {
	TransactionCount int
	TotalAmount      Amount // face value
	TotalPrice       Amount // your cost
	Profit           Amount
	SuccessfulCount  int
	FailedCount      int
	PendingCount     int
	RefundCount      int
}

// UnmarshalJSON reads the documented meta, whose fields are all strings.
func (s *TransactionSummary) UnmarshalJSON(b []byte) error {
	var w struct {
		TransactionCount wire.Int `json:"transaction_count"`
		TotalAmount      Amount   `json:"total_amount"`
		TotalPrice       Amount   `json:"total_price"`
		Profit           Amount   `json:"profit"`
		SuccessfulCount  wire.Int `json:"successful_count"`
		FailedCount      wire.Int `json:"failed_count"`
		PendingCount     wire.Int `json:"pending_count"`
		RefundCount      wire.Int `json:"refund_count"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*s = TransactionSummary{
		TransactionCount: int(w.TransactionCount), TotalAmount: w.TotalAmount, TotalPrice: w.TotalPrice,
		Profit: w.Profit, SuccessfulCount: int(w.SuccessfulCount), FailedCount: int(w.FailedCount),
		PendingCount: int(w.PendingCount), RefundCount: int(w.RefundCount),
	}
	return nil
}

type transactionsBody struct {
	Data *[]TransactionRecord `json:"data"`
	Meta TransactionSummary   `json:"meta"`
}

func (b *transactionsBody) check() error {
	if b.Data == nil {
		return errNoData
	}
	return nil
}

// Transactions returns one page of the transaction history, for
// reconciliation. Page with Offset and Limit; a page shorter than Limit is
// the last.
func (c *Client) Transactions(ctx context.Context, q TransactionQuery) (*TransactionPage, error) {
	v, err := q.values()
	if err != nil {
		return nil, err
	}
	body, err := do[transactionsBody](ctx, c, call{method: "GET", path: "/v2/transactions", query: v})
	if err != nil {
		return nil, err
	}
	return &TransactionPage{Records: *body.Data, Summary: body.Meta}, nil
}
