package iimmpact

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/iimmpact-go/iimmpact/internal/wire"
)

// Transaction is a payment as /v2/topup and callbacks report it.
type Transaction struct {
	StatusCode  StatusCode // the status to act on; see IsPending, IsSuccess
	Status      string     // "Accepted", "Processing", "Succesful" (sic), "Failed", "Refund"
	RefID       string
	Account     string
	Product     string
	ProductName string
	Amount      Amount // face value
	Cost        Amount // your wholesale cost; never show it to customers
	Balance     Amount // your wallet after this transaction
	SN          string // operator serial number
	PIN         string // voucher PIN: secret, never logged by this package
	Expiry      string // voucher expiry, yyyymmdd, or ""
	Remarks     string // e.g. "HC" on a provider rejection
	Note        string // instructions for the customer
	VoucherLink string
	Timestamp   time.Time // GMT+8
}

// Outcome is the transaction's coarse state.
func (t *Transaction) Outcome() Outcome { return t.StatusCode.Outcome() }

type transactionWire struct {
	StatusCode  json.RawMessage `json:"statusCode"`
	Status      wire.String     `json:"status"`
	Account     wire.String     `json:"account"`
	Product     wire.String     `json:"product"`
	ProductName wire.String     `json:"productName"`
	Amount      Amount          `json:"amount"`
	SN          wire.String     `json:"sn"`
	PIN         wire.String     `json:"pin"`
	Expiry      wire.String     `json:"expiry"`
	Cost        Amount          `json:"cost"`
	Balance     Amount          `json:"balance"`
	Remarks     wire.String     `json:"remarks"`
	RefID       wire.String     `json:"refid"`
	Timestamp   wire.Time       `json:"timestamp"`
	Note        wire.String     `json:"note"`
	VoucherLink wire.String     `json:"voucherlink"`
}

// UnmarshalJSON reads IIMMPACT's transaction object (the value of "data").
// A transaction without a statusCode (absent, null or "") is an error: it
// cannot be acted on, and must never read as 0, Accepted.
func (t *Transaction) UnmarshalJSON(b []byte) error {
	var w transactionWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	code, ok := parseStatusCode(w.StatusCode)
	if !ok {
		return errNoStatusCode
	}
	*t = Transaction{
		StatusCode: code, Status: string(w.Status), RefID: string(w.RefID),
		Account: string(w.Account), Product: string(w.Product), ProductName: string(w.ProductName),
		Amount: w.Amount, Cost: w.Cost, Balance: w.Balance, SN: string(w.SN), PIN: string(w.PIN),
		Expiry: string(w.Expiry), Remarks: string(w.Remarks), Note: string(w.Note),
		VoucherLink: string(w.VoucherLink), Timestamp: w.Timestamp.Time,
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

// String summarises the request without extras' IC number.
func (r TopupRequest) String() string {
	return fmt.Sprintf("refid=%s product=%s account=%s amount=%s", r.RefID, r.Product, r.Account, r.Amount)
}

// GoString keeps %#v from printing the IC number.
func (r TopupRequest) GoString() string { return "iimmpact.TopupRequest{" + r.String() + "}" }

// LogValue keeps slog from printing the IC number.
func (r TopupRequest) LogValue() slog.Value {
	return slog.GroupValue(slog.String("refid", r.RefID), slog.String("product", r.Product),
		slog.String("account", r.Account), slog.String("amount", r.Amount.String()))
}
