package iimmpact

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/iimmpact-go/iimmpact/internal/wire"
)

// Transaction is a payment as /v2/topup and callbacks report it.
type Transaction struct {
	StatusCode  StatusCode `wire:"statusCode,with=setStatusCode"` // the status to act on; see IsPending, IsSuccess
	Status      string     `wire:"status"`                        // "Accepted", "Processing", "Succesful" (sic), "Failed", "Refund"
	RefID       string     `wire:"refid"`
	Account     string     `wire:"account"`
	Product     string     `wire:"product"`
	ProductName string     `wire:"productName"`
	Amount      Amount     `wire:"amount"`  // face value
	Cost        Amount     `wire:"cost"`    // your wholesale cost; never show it to customers
	Balance     Amount     `wire:"balance"` // your wallet after this transaction
	SN          string     `wire:"sn"`      // operator serial number
	PIN         string     `wire:"pin"`     // voucher PIN: secret, never logged by this package
	Expiry      string     `wire:"expiry"`  // voucher expiry, yyyymmdd, or ""
	Remarks     string     `wire:"remarks"` // e.g. "HC" on a provider rejection
	Note        string     `wire:"note"`    // instructions for the customer
	VoucherLink string     `wire:"voucherlink"`
	Timestamp   time.Time  `wire:"timestamp"` // GMT+8
}

// Outcome is the transaction's coarse state.
func (t *Transaction) Outcome() Outcome { return t.StatusCode.Outcome() }

// unsetStatusCode marks a status code not (yet) read: absent, null, ""
// or not a number. parseStatusCode reads at most 32 bits, so it cannot
// produce this value on a 64-bit platform.
const unsetStatusCode = StatusCode(math.MinInt)

// setStatusCode reads statusCode as parseStatusCode does; what is not a
// status code is unsetStatusCode, never 0 (Accepted).
func setStatusCode(p *StatusCode, b []byte) error {
	code, ok := parseStatusCode(b)
	if !ok {
		code = unsetStatusCode
	}
	*p = code
	return nil
}

func (t *Transaction) reset() { *t = Transaction{StatusCode: unsetStatusCode} }

// decoded refuses a transaction without a statusCode (absent, null or
// ""): it cannot be acted on, and must never read as 0, Accepted.
func (t *Transaction) decoded() error {
	if t.StatusCode == unsetStatusCode {
		return errNoStatusCode
	}
	return nil
}

// MarshalJSON writes the transaction in IIMMPACT's own shape, so that a
// Transaction round-trips (and test helpers can build callback bodies).
func (t Transaction) MarshalJSON() ([]byte, error) {
	ts := ""
	if !t.Timestamp.IsZero() {
		ts = t.Timestamp.In(wire.MYT).Format(wire.DateTime)
	}
	return json.Marshal(struct {
		StatusCode  int    `json:"statusCode"`
		Status      string `json:"status"`
		Account     string `json:"account"`
		Product     string `json:"product"`
		ProductName string `json:"productName"`
		Amount      Amount `json:"amount"`
		SN          string `json:"sn"`
		PIN         string `json:"pin"`
		Expiry      string `json:"expiry"`
		Cost        Amount `json:"cost"`
		Balance     Amount `json:"balance"`
		Remarks     string `json:"remarks"`
		RefID       string `json:"refid"`
		Timestamp   string `json:"timestamp"`
		Note        string `json:"note"`
		VoucherLink string `json:"voucherlink"`
	}{int(t.StatusCode), t.Status, t.Account, t.Product, t.ProductName, t.Amount, t.SN, t.PIN,
		t.Expiry, t.Cost, t.Balance, t.Remarks, t.RefID, ts, t.Note, t.VoucherLink})
}

// String summarises the transaction without its PIN.
func (t Transaction) String() string {
	return fmt.Sprintf("refid=%s product=%s account=%s amount=%s status=%s sn=%s",
		t.RefID, t.Product, t.Account, t.Amount, t.StatusCode, t.SN)
}

// GoString keeps %#v from printing the PIN.
func (t Transaction) GoString() string { return "iimmpact.Transaction{" + t.String() + "}" }

// LogValue keeps slog from printing the PIN.
func (t Transaction) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("refid", t.RefID), slog.String("product", t.Product),
		slog.String("account", t.Account), slog.String("amount", t.Amount.String()),
		slog.Int("status_code", int(t.StatusCode)), slog.String("sn", t.SN))
}
