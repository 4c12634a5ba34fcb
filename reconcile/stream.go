package reconcile

import (
	"context"
	"errors"
	"fmt"

	"github.com/iimmpact-go/iimmpact"
)

// ErrPaging is returned (wrapped) when a listing does not advance: a page
// longer than asked for, one that repeats the page before it, one that
// answers another page number, or more pages than maxPages.
var ErrPaging = errors.New("reconcile: listing is not advancing")

// maxPages caps the pages of one listing (10 million records at 1000 a page).
const maxPages = 10_000

// Source is IIMMPACT's side; *iimmpact.Client implements it.
type Source interface {
	Transactions(ctx context.Context, q iimmpact.TransactionQuery) (*iimmpact.TransactionPage, error)
	BalanceStatement(ctx context.Context, q iimmpact.BalanceStatementQuery) (*iimmpact.BalanceStatementPage, error)
}

// walkHistory calls each for every record of the window, page by page,
// holding one page at a time, and returns the last page's meta.
func walkHistory(ctx context.Context, src Source, q iimmpact.TransactionQuery,
	each func(*iimmpact.TransactionRecord) error) (iimmpact.TransactionSummary, error) {
	var meta iimmpact.TransactionSummary
	prev := ""
	for n := 0; ; n++ {
		if n == maxPages {
			return meta, fmt.Errorf("%w: transactions: over %d pages", ErrPaging, maxPages)
		}
		q.Offset = n * q.Limit
		p, err := src.Transactions(ctx, q)
		if err != nil {
			return meta, fmt.Errorf("reconcile: transactions at offset %d: %w", q.Offset, err)
		}
		if len(p.Items) > q.Limit {
			return meta, fmt.Errorf("%w: transactions: %d records for limit %d", ErrPaging, len(p.Items), q.Limit)
		}
		if len(p.Items) > 0 {
			mark := p.Items[0].TrxID + "\x00" + p.Items[len(p.Items)-1].TrxID
			if mark == prev {
				return meta, fmt.Errorf("%w: transactions: offset %d repeats the page before it", ErrPaging, q.Offset)
			}
			prev = mark
		}
		meta = p.Summary
		for i := range p.Items {
			if err := each(&p.Items[i]); err != nil {
				return meta, err
			}
		}
		if len(p.Items) < q.Limit {
			return meta, nil
		}
	}
}

// walkStatement calls each for every entry of the window, page by page,
// and returns the first page's summary.
func walkStatement(ctx context.Context, src Source, q iimmpact.BalanceStatementQuery,
	each func(*iimmpact.StatementEntry)) (*iimmpact.StatementSummary, error) {
	var summary *iimmpact.StatementSummary
	var prev int64 = -1
	for page := 1; ; page++ {
		if page > maxPages {
			return summary, fmt.Errorf("%w: balance statement: over %d pages", ErrPaging, maxPages)
		}
		q.Page = page
		p, err := src.BalanceStatement(ctx, q)
		if err != nil {
			return summary, fmt.Errorf("reconcile: balance statement page %d: %w", page, err)
		}
		if p.Meta.CurrentPage != 0 && p.Meta.CurrentPage != page {
			return summary, fmt.Errorf("%w: balance statement: asked for page %d, got %d", ErrPaging, page, p.Meta.CurrentPage)
		}
		if len(p.Items) > q.Limit {
			return summary, fmt.Errorf("%w: balance statement: %d entries for limit %d", ErrPaging, len(p.Items), q.Limit)
		}
		if len(p.Items) > 0 && p.Items[0].ID == prev {
			return summary, fmt.Errorf("%w: balance statement: page %d repeats the page before it", ErrPaging, page)
		}
		if page == 1 {
			summary = p.Summary
		}
		for i := range p.Items {
			each(&p.Items[i])
		}
		if len(p.Items) == 0 || lastStatementPage(p, page) {
			return summary, nil
		}
		prev = p.Items[0].ID
	}
}

// lastStatementPage reports whether no page follows page: meta.last_page
// when sent, else the absence of links.next (the client's own rule, which it
// does not export).
func lastStatementPage(p *iimmpact.BalanceStatementPage, page int) bool {
	if p.Meta.LastPage > 0 {
		return page >= p.Meta.LastPage
	}
	return p.Links.Next == ""
}
