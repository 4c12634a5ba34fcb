package postgres

import (
	"context"
	"fmt"
	"iter"
	"time"

	"github.com/iimmpact-go/iimmpact/payments"
)

// ListCreated implements payments.Store: it reads the window in keyset
// pages over the (created_at, refid) index, one short query each, so no
// connection is held while the caller works through a page and a page
// lost to a transient error is simply asked again. A payment created
// while the listing runs is included if its creation time sorts after the
// page being read.
func (s *PaymentStore) ListCreated(ctx context.Context, from, to time.Time) iter.Seq2[payments.Payment, error] {
	return func(yield func(payments.Payment, error) bool) {
		afterAt, afterID := from, ""
		for {
			page, err := s.listPage(ctx, from, to, afterAt, afterID)
			if err != nil {
				yield(payments.Payment{}, err)
				return
			}
			for _, r := range page {
				if !yield(r.p, nil) {
					return
				}
			}
			if len(page) < s.listPageSize {
				return
			}
			last := page[len(page)-1]
			afterAt, afterID = last.created, last.p.RefID()
		}
	}
}

// listedRow is a payment and its created_at column, the keyset's first
// key as PostgreSQL stores it (to the microsecond; p.Created may be
// finer). The second key, the refid column, is p.RefID(): both are
// written from one Payment.
type listedRow struct {
	created time.Time
	p       payments.Payment
}

func (s *PaymentStore) listPage(ctx context.Context, from, to, afterAt time.Time, afterID string) ([]listedRow, error) {
	var page []listedRow
	err := retry(ctx, paymentRetryBudget, func(ctx context.Context) error {
		page = page[:0]
		rows, err := s.pool.Query(ctx, s.sql.list, from, to, afterAt, afterID, s.listPageSize)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				r       listedRow
				version int64
				data    []byte
			)
			if err := rows.Scan(&r.created, &version, &data); err != nil {
				return err
			}
			if err := decodePayment(data, version, &r.p); err != nil {
				return err
			}
			page = append(page, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("iimmpact/postgres: list payments created %s to %s: %w", from.Format(time.RFC3339), to.Format(time.RFC3339), err)
	}
	return page, nil
}
