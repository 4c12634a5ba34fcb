package iimmpact

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
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
	ID      int64         `wire:"id"`
	Date    time.Time     `wire:"date"`    // GMT+8
	Amount  Amount        `wire:"amount"`  // signed: negative for money out
	Balance Amount        `wire:"balance"` // the wallet balance after this entry
	Remarks string        `wire:"remarks"`
	Type    StatementType `wire:"type,string"` // as sent
}

// PageLinks are the page URLs a Laravel-style list sends; Prev is "" on
// the first page and Next "" on the last.
type PageLinks struct {
	First string `wire:"first"`
	Last  string `wire:"last"`
	Prev  string `wire:"prev"`
	Next  string `wire:"next"`
}

// BalanceStatementPage is one page of the wallet ledger.
type BalanceStatementPage struct {
	Items []StatementEntry
	Links PageLinks
	Meta  PageMeta
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

// summaryWire is StatementSummary as sent, with its nested totals.
type summaryWire struct {
	TotalTransactions summaryTotals `wire:"total_transactions" json:"total_transactions"`
	TotalDeposit      Amount        `wire:"total_deposit" json:"total_deposit"`
	TotalRefund       Amount        `wire:"total_refund" json:"total_refund"`
}

type summaryTotals struct {
	Amount Amount `wire:"amount" json:"amount"`
	Count  int    `wire:"count" json:"count"`
}

// UnmarshalJSON reads numbers or numeric strings alike.
func (s *StatementSummary) UnmarshalJSON(b []byte) error {
	return wire.Decode(b, s, (*StatementSummary).decodeWire)
}

// decodeWire reads the nested shape straight into the summary.
func (s *StatementSummary) decodeWire(d *wire.Decoder) error {
	var w summaryWire
	if err := w.decodeWire(d); err != nil {
		return err
	}
	*s = StatementSummary{TransactionAmount: w.TotalTransactions.Amount, TransactionCount: w.TotalTransactions.Count,
		Deposit: w.TotalDeposit, Refund: w.TotalRefund}
	return nil
}

// MarshalJSON writes IIMMPACT's shape, so a summary round-trips.
func (s StatementSummary) MarshalJSON() ([]byte, error) {
	return json.Marshal(summaryWire{TotalTransactions: summaryTotals{Amount: s.TransactionAmount, Count: s.TransactionCount},
		TotalDeposit: s.Deposit, TotalRefund: s.Refund})
}

type statementBody struct {
	Data    *[]StatementEntry `wire:"data"`
	Links   PageLinks         `wire:"links"`
	Meta    PageMeta          `wire:"meta"`
	Summary *StatementSummary `wire:"summary"`
}

func (b *statementBody) check() error { return checkData(b.Data) }

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
	return fetch[BalanceStatementPage, statementBody](ctx, c, getCall("/v2/balance-statement", v))
}

func (b *statementBody) result() *BalanceStatementPage {
	return &BalanceStatementPage{Items: *b.Data, Links: b.Links, Meta: b.Meta, Summary: b.Summary}
}

// AllBalanceStatement walks every entry from q.Page on, stopping after
// meta.last_page (or, without meta, the page with no links.next). A server
// that answers another page than the one asked for, or repeats a page,
// ends the walk with ErrPaginationStuck.
func (c *Client) AllBalanceStatement(ctx context.Context, q BalanceStatementQuery) iter.Seq2[StatementEntry, error] {
	return numberedPages(ctx, c.maxPages, "balance statement", q.Page, func(e *StatementEntry) string { return strconv.FormatInt(e.ID, 10) },
		func(n int) ([]StatementEntry, PageMeta, bool, error) {
			q.Page = n
			p, err := c.BalanceStatement(ctx, q)
			if err != nil {
				return nil, PageMeta{}, false, err
			}
			return p.Items, p.Meta, p.last(n), nil
		})
}
