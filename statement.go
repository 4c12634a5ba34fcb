package iimmpact

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/iimmpact-go/iimmpact/internal/wire"
)

// StatementType filters the balance statement by kind of entry.
type StatementType string

// The entry types GET /v2/balance-statement documents.
const (
	StatementDeposit     StatementType = "DEPOSIT"
	StatementTransaction StatementType = "TRANSACTION"
	StatementRefund      StatementType = "REFUND"
	StatementCommission  StatementType = "COMMISSION"
)

// BalanceStatementQuery filters the wallet ledger.
type BalanceStatementQuery struct {
	// From and To are calendar days in GMT+8, as for TransactionQuery; a
	// zero To means the single day From.
	From, To time.Time
	Type     StatementType // "" means all types
	Page     int           // from 1; 0 is the first page
	Limit    int           // entries per page; 0 is IIMMPACT's default
}

func (q *BalanceStatementQuery) values() (url.Values, error) {
	date, err := dateParam("balance statement query", q.From, q.To)
	if err != nil {
		return nil, err
	}
	if q.Page < 0 || q.Limit < 0 {
		return nil, fmt.Errorf("%w: negative page or limit", ErrInvalidRequest)
	}
	v := url.Values{"date": {date}}
	if q.Type != "" {
		t := StatementType(strings.ToUpper(string(q.Type)))
		switch t {
		case StatementDeposit, StatementTransaction, StatementRefund, StatementCommission:
			v.Set("type", string(t))
		default:
			return nil, fmt.Errorf("%w: statement type %q is not DEPOSIT, TRANSACTION, REFUND or COMMISSION", ErrInvalidRequest, q.Type)
		}
	}
	if q.Page > 0 {
		v.Set("page", strconv.Itoa(q.Page))
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	return v, nil
}

// StatementEntry is one movement of the wallet.
type StatementEntry struct {
	ID      int64
	Date    time.Time // GMT+8
	Amount  Amount    // signed: negative for money out
	Balance Amount    // the wallet balance after this entry
	Remarks string
	Type    StatementType // as sent
}

// UnmarshalJSON reads the documented entry.
func (e *StatementEntry) UnmarshalJSON(b []byte) error {
	var w struct {
		ID      wire.Int    `json:"id"`
		Date    wire.Time   `json:"date"`
		Amount  Amount      `json:"amount"`
		Balance Amount      `json:"balance"`
		Remarks wire.String `json:"remarks"`
		Type    wire.String `json:"type"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*e = StatementEntry{ID: int64(w.ID), Date: w.Date.Time, Amount: w.Amount, Balance: w.Balance,
		Remarks: string(w.Remarks), Type: StatementType(w.Type)}
	return nil
}

// PageLinks are the page URLs a Laravel-style list sends; Prev is "" on
// the first page and Next "" on the last.
type PageLinks struct {
	First, Last, Prev, Next string
}

// UnmarshalJSON reads the links, null as "".
func (l *PageLinks) UnmarshalJSON(b []byte) error {
	var w struct {
		First wire.String `json:"first"`
		Last  wire.String `json:"last"`
		Prev  wire.String `json:"prev"`
		Next  wire.String `json:"next"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*l = PageLinks{First: string(w.First), Last: string(w.Last), Prev: string(w.Prev), Next: string(w.Next)}
	return nil
}

// BalanceStatementPage is one page of the wallet ledger.
type BalanceStatementPage struct {
	Entries []StatementEntry
	Links   PageLinks
	Meta    PageMeta
	// Summary totals the whole filtered set, not just this page; nil when
	// IIMMPACT sent none (before 31 October 2025).
	Summary *StatementSummary
}

// StatementSummary is the balance statement's "summary", added by IIMMPACT
// on 31 October 2025. The announcement names the fields but not their
// signs, so each total is kept as sent.
type StatementSummary struct {
	TransactionAmount Amount // total_transactions.amount
	TransactionCount  int    // total_transactions.count
	Deposit           Amount // total_deposit
	Refund            Amount // total_refund
}

type summaryWire[N any] struct {
	TotalTransactions struct {
		Amount Amount `json:"amount"`
		Count  N      `json:"count"`
	} `json:"total_transactions"`
	TotalDeposit Amount `json:"total_deposit"`
	TotalRefund  Amount `json:"total_refund"`
}

// UnmarshalJSON reads numbers or numeric strings alike.
func (s *StatementSummary) UnmarshalJSON(b []byte) error {
	var w summaryWire[wire.Int]
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*s = StatementSummary{TransactionAmount: w.TotalTransactions.Amount, TransactionCount: int(w.TotalTransactions.Count),
		Deposit: w.TotalDeposit, Refund: w.TotalRefund}
	return nil
}

// MarshalJSON writes IIMMPACT's shape, so a summary round-trips.
func (s StatementSummary) MarshalJSON() ([]byte, error) {
	var w summaryWire[int]
	w.TotalTransactions.Amount, w.TotalTransactions.Count = s.TransactionAmount, s.TransactionCount
	w.TotalDeposit, w.TotalRefund = s.Deposit, s.Refund
	return json.Marshal(w)
}

type statementBody struct {
	Data    *[]StatementEntry `json:"data"`
	Links   PageLinks         `json:"links"`
	Meta    PageMeta          `json:"meta"`
	Summary *StatementSummary `json:"summary"`
}

func (b *statementBody) check() error {
	if b.Data == nil {
		return errNoData
	}
	return nil
}

// last reports whether no page follows: meta.last_page when IIMMPACT sent
// it, else the absence of links.next.
func (p *BalanceStatementPage) last(asked int) bool {
	if p.Meta.LastPage > 0 {
		return asked >= p.Meta.LastPage
	}
	return p.Links.Next == ""
}

// BalanceStatement returns one page of the wallet ledger: deposits,
// transactions, refunds and commissions with the balance after each, for
// reconciliation. Use AllBalanceStatement to walk every page.
func (c *Client) BalanceStatement(ctx context.Context, q BalanceStatementQuery) (*BalanceStatementPage, error) {
	v, err := q.values()
	if err != nil {
		return nil, err
	}
	body, err := do[statementBody](ctx, c, call{method: http.MethodGet, path: "/v2/balance-statement", query: v})
	if err != nil {
		return nil, err
	}
	return &BalanceStatementPage{Entries: *body.Data, Links: body.Links, Meta: body.Meta, Summary: body.Summary}, nil
}

// AllBalanceStatement walks every entry from q.Page on, stopping after
// meta.last_page (or, without meta, the page with no links.next). A server
// that answers another page than the one asked for, or repeats a page,
// ends the walk with ErrPaginationStuck.
func (c *Client) AllBalanceStatement(ctx context.Context, q BalanceStatementQuery) iter.Seq2[StatementEntry, error] {
	return numberedPages(ctx, "balance statement", q.Page, func(e *StatementEntry) string { return strconv.FormatInt(e.ID, 10) },
		func(n int) ([]StatementEntry, PageMeta, bool, error) {
			q.Page = n
			p, err := c.BalanceStatement(ctx, q)
			if err != nil {
				return nil, PageMeta{}, false, err
			}
			return p.Entries, p.Meta, p.last(n), nil
		})
}
