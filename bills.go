package iimmpact

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// BillQuery asks GET /v2/bill-presentment (beta) for an account's bill.
type BillQuery struct {
	Account    string // required; for JomPAY, Ref-1
	Product    string // required, e.g. "TNB", "JOMPAY"
	BillerCode string // required for JOMPAY
	Ref2       string // JOMPAY only, optional
	Amount     Amount // JOMPAY only; zero sends none
}

func (q *BillQuery) values() (url.Values, error) {
	if q.Account == "" || q.Product == "" {
		return nil, fmt.Errorf("%w: bill presentment needs an account and a product", ErrInvalidRequest)
	}
	jompay := strings.EqualFold(q.Product, "JOMPAY")
	if jompay && q.BillerCode == "" {
		return nil, fmt.Errorf("%w: JOMPAY bill presentment needs a biller code", ErrInvalidRequest)
	}
	if q.Amount.Sign() < 0 {
		return nil, fmt.Errorf("%w: negative amount %s", ErrInvalidRequest, q.Amount)
	}
	v := url.Values{"account": {q.Account}, "product": {q.Product}}
	if q.BillerCode != "" {
		v.Set("biller_code", q.BillerCode)
	}
	if q.Ref2 != "" {
		v.Set("ref2", q.Ref2)
	}
	if !q.Amount.IsZero() {
		v.Set("amount", q.Amount.String())
	}
	return v, nil
}

// BillStatus is what data.message says, as IIMMPACT's guide sorts it.
// Only BillInvalidAccount stops the customer from paying: bill
// presentment is advisory, and every other answer lets them proceed.
type BillStatus int

const (
	BillOther                  BillStatus = iota // any other message: show nothing, allow payment
	BillAccountValid                             // "Account no is valid": show the returned fields
	BillPresentmentUnavailable                   // "Bill presentment is unavailable for this product"
	BillServiceUnavailable                       // "Service unavailable. Please try again later"
	BillInvalidAccount                           // "Invalid account no": show ErrorMessage, refuse payment
)

var billMessages = map[string]BillStatus{
	"account no is valid":                              BillAccountValid,
	"bill presentment is unavailable for this product": BillPresentmentUnavailable,
	"service unavailable. please try again later":      BillServiceUnavailable,
	"invalid account no":                               BillInvalidAccount,
}

// parseBillStatus matches a message case-insensitively, ignoring a final
// full stop and surrounding spaces; an unknown message is BillOther.
func parseBillStatus(msg string) BillStatus {
	return billMessages[strings.ToLower(strings.TrimSuffix(strings.TrimSpace(msg), "."))]
}

func (s BillStatus) String() string {
	switch s {
	case BillAccountValid:
		return "account valid"
	case BillPresentmentUnavailable:
		return "presentment unavailable"
	case BillServiceUnavailable:
		return "service unavailable"
	case BillInvalidAccount:
		return "invalid account"
	}
	return "other"
}

// Bill is an account's outstanding bill. Fields IIMMPACT did not return
// are empty or nil: show only what is there, and only when ShowDetails.
type Bill struct {
	Status       BillStatus
	Message      string `wire:"message"` // data.message as sent
	ErrorMessage string // top-level error_message: the reason to show when !CanPay()

	BillerName   string  `wire:"BillerName"`
	CustomerName string  `wire:"CustomerName"`
	Outstanding  *Amount `wire:"Outstanding,with=setOptAmount"` // sent as a number; nil when absent
	Balance      *Amount `wire:"Balance,with=setOptAmount"`     // sent as a string; nil when absent or ""
	DataBalance  string  `wire:"Data"`                          // a data plan's remaining balance, as text
	Address      string  `wire:"Address"`
	EBill        string  `wire:"E-Bill"` // link to the bill's PDF

	LastUpdated time.Time       // metadata.last_updated, GMT+8
	Raw         json.RawMessage `wire:",raw"` // the data object, for fields beyond these
}

// CanPay reports whether the customer may go on to pay. Only an invalid
// account stops them; an unavailable or unknown answer does not.
func (b *Bill) CanPay() bool { return b.Status != BillInvalidAccount }

// ShowDetails reports whether the returned fields are worth showing.
func (b *Bill) ShowDetails() bool { return b.Status == BillAccountValid }

// decoded sorts the message.
func (b *Bill) decoded() error {
	b.Status = parseBillStatus(b.Message)
	return nil
}

type billBody struct {
	Data         *Bill     `wire:"data"`
	Metadata     *metadata `wire:"metadata"`
	ErrorMessage string    `wire:"error_message"`
}

func (b *billBody) check() error { return checkData(b.Data) }

// BillPresentment looks up an account's bill before payment, to show the
// customer what they owe and to catch a mistyped account. A 200 with
// "Invalid account no" is a Bill whose CanPay is false; IIMMPACT may also
// answer HTTP 400, which is an *APIError whose Message is error_message.
func (c *Client) BillPresentment(ctx context.Context, q BillQuery) (*Bill, error) {
	v, err := q.values()
	if err != nil {
		return nil, err
	}
	return fetch[Bill, billBody](ctx, c, getCall("/v2/bill-presentment", v))
}

func (b *billBody) result() *Bill {
	b.Data.ErrorMessage = b.ErrorMessage
	b.Data.LastUpdated = b.Metadata.lastUpdated()
	return b.Data
}
