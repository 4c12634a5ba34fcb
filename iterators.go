package iimmpact

import (
	"context"
	"errors"
	"fmt"
	"iter"
)

// ErrPaginationStuck is returned (wrapped) by the All* iterators when the
// server does not move on to the next page: it answered a different page
// than the one asked for, repeated the previous page, or the iterator hit
// its page cap. Without this guard a server that ignores the page or offset
// parameter would be asked for the same page forever.
var ErrPaginationStuck = errors.New("iimmpact: pagination is not advancing")

// defaultMaxPages caps the pages one iterator fetches (Client.maxPages):
// at IIMMPACT's largest page sizes this is millions of records, far more
// than any listing holds, and at its rate limit it keeps one runaway loop
// well short of an IP ban.
const defaultMaxPages = 10_000

// PageMeta is the pagination block of the paged endpoints: Options sends
// current_page, last_page, per_page and total; the balance statement's
// Laravel-style meta may also send from, to and path. A field IIMMPACT did
// not send is zero.
type PageMeta struct {
	CurrentPage int    `wire:"current_page"`
	LastPage    int    `wire:"last_page"`
	PerPage     int    `wire:"per_page"`
	Total       int    `wire:"total"`
	From        int    `wire:"from"` // the 1-based positions of the page's first and last records
	To          int    `wire:"to"`
	Path        string `wire:"path"` // the endpoint's URL without the query
}

// page is what one fetch hands to paginate.
type page[T any] struct {
	items []T
	last  bool   // the server says there is no page after this one
	mark  string // identifies the page's content; "" if it cannot be told
}

// paginate turns fetch (n = pages already read) into an iterator. It stops
// after the last page or an empty one, stops without another request when
// the caller breaks, and ends with an error, never a loop, when a page
// repeats the one before it or maxPages are read. A cancelled ctx ends
// it before the next request. An error is yielded once, with the zero T,
// and ends the iteration.
func paginate[T any](ctx context.Context, maxPages int, what string, fetch func(n int) (page[T], error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		prev := ""
		for n := 0; ; n++ {
			if n == maxPages {
				yield(zero, fmt.Errorf("%w: %s: stopped after %d pages", ErrPaginationStuck, what, maxPages))
				return
			}
			if err := ctx.Err(); err != nil {
				yield(zero, err)
				return
			}
			p, err := fetch(n)
			if err != nil {
				yield(zero, err)
				return
			}
			if p.mark != "" && p.mark == prev {
				yield(zero, fmt.Errorf("%w: %s: page %d repeats the page before it", ErrPaginationStuck, what, n+1))
				return
			}
			prev = p.mark
			for _, it := range p.items {
				if !yield(it, nil) {
					return
				}
			}
			if p.last || len(p.items) == 0 {
				return
			}
		}
	}
}

// numberedPages walks page-numbered answers from start (page 1 when 0).
// fetch returns one page's items, its meta and whether it is the last;
// each answer is checked to be the page asked for.
func numberedPages[T any](ctx context.Context, maxPages int, what string, start int, key func(*T) string,
	fetch func(page int) ([]T, PageMeta, bool, error)) iter.Seq2[T, error] {
	if start == 0 {
		start = 1
	}
	return paginate(ctx, maxPages, what, func(n int) (page[T], error) {
		asked := start + n
		items, meta, last, err := fetch(asked)
		if err == nil {
			err = checkPage(what, asked, meta)
		}
		if err != nil {
			return page[T]{}, err
		}
		return page[T]{items: items, last: last, mark: markOf(items, key)}, nil
	})
}

// checkPage refuses an answer for another page than the one asked for,
// which is how a server that ignores the page parameter shows itself.
func checkPage(what string, asked int, m PageMeta) error {
	if m.CurrentPage != 0 && m.CurrentPage != asked {
		return fmt.Errorf("%w: %s: asked for page %d, got page %d", ErrPaginationStuck, what, asked, m.CurrentPage)
	}
	return nil
}

// markOf identifies a page by its first and last keys.
func markOf[T any](items []T, key func(*T) string) string {
	if len(items) == 0 {
		return ""
	}
	first, last := key(&items[0]), key(&items[len(items)-1])
	if first == "" && last == "" {
		return ""
	}
	return first + "\x00" + last
}

// AllTransactions walks the transaction history from q.Offset on, q.Limit
// records per request (DefaultTransactionLimit when 0), advancing the
// offset until a page comes back shorter than the limit. The history has
// no page metadata, so the guards are the records themselves: a page
// whose first and last trxid repeat the previous page's (a server
// ignoring offset), or one longer than the limit (offsets would overlap
// and yield duplicates), ends the walk with ErrPaginationStuck.
func (c *Client) AllTransactions(ctx context.Context, q TransactionQuery) iter.Seq2[TransactionRecord, error] {
	limit := q.Limit
	if limit == 0 {
		limit = DefaultTransactionLimit
	}
	start := q.Offset
	return paginate(ctx, c.maxPages, "transactions", func(n int) (page[TransactionRecord], error) {
		q.Offset = start + n*limit
		p, err := c.Transactions(ctx, q)
		if err != nil {
			return page[TransactionRecord]{}, err
		}
		if len(p.Items) > limit {
			return page[TransactionRecord]{}, fmt.Errorf("%w: transactions: %d records for limit %d", ErrPaginationStuck, len(p.Items), limit)
		}
		return page[TransactionRecord]{items: p.Items, last: len(p.Items) < limit,
			mark: markOf(p.Items, func(r *TransactionRecord) string { return r.TrxID })}, nil
	})
}
