package postgres

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store is a CallbackStore in one PostgreSQL table. It is safe for
// concurrent use, and any number of Stores (in any number of processes)
// may share the table.
type Store struct {
	pool  *pgxpool.Pool
	table string // validated, possibly schema-qualified
	sql   statements
}

var _ iimmpact.CallbackStore = (*Store)(nil)

// How long the methods retry transient database errors. Claim answers a
// live request, so it gives up soon and lets IIMMPACT retry (503);
// Complete and Release record work already done, so they try harder (the
// handler gives them 5 s).
const (
	claimRetryBudget  = time.Second
	finishRetryBudget = 10 * time.Second
)

// New returns a Store over pool. It does not touch the database; call
// Migrate to create the table.
func New(pool *pgxpool.Pool, opts ...Option) (*Store, error) {
	if pool == nil {
		return nil, errors.New("iimmpact/postgres: New needs a pool")
	}
	o := options{table: DefaultTable}
	for _, opt := range opts {
		opt(&o)
	}
	quoted, err := quoteTable(o.table)
	if err != nil {
		return nil, err
	}
	return &Store{pool: pool, table: o.table, sql: newStatements(quoted)}, nil
}

// Claim implements iimmpact.CallbackStore in one statement; see claimSQL.
func (s *Store) Claim(ctx context.Context, refID string, status iimmpact.StatusCode, lease time.Duration) (iimmpact.ClaimResult, error) {
	if lease <= 0 {
		return 0, errors.New("iimmpact/postgres: callback claim needs a positive lease")
	}
	micros := lease.Microseconds()
	if lease%time.Microsecond != 0 {
		micros++ // round up: a sub-microsecond lease is not zero
	}
	// The token tells our own claim from another's in the returned row. A
	// retry reuses it, so a claim that was committed but whose answer was
	// lost is recognised as ours.
	token := rand.Int64()
	pending := status.IsPending()
	var (
		acted, duplicate, refunded, final bool
		newestPending                     *int64
	)
	err := retry(ctx, claimRetryBudget, func(ctx context.Context) error {
		return s.pool.QueryRow(ctx, s.sql.claim, refID, int64(status), token, micros, pending).
			Scan(&acted, &duplicate, &refunded, &final, &newestPending)
	})
	if err != nil {
		return 0, fmt.Errorf("iimmpact/postgres: claim refid %q status %d: %w", refID, int(status), err)
	}
	switch {
	case acted:
		return iimmpact.ClaimAct, nil
	case duplicate:
		return iimmpact.ClaimDuplicate, nil
	case refunded && status != iimmpact.StatusRefund:
		return iimmpact.ClaimStale, nil
	case pending && (final || (newestPending != nil && int64(status) <= *newestPending)):
		return iimmpact.ClaimStale, nil
	}
	return iimmpact.ClaimBusy, nil
}

// Complete implements iimmpact.CallbackStore: it records status as done
// (even if the lease lapsed: Handle did run) and ends the lease if status
// holds it.
func (s *Store) Complete(ctx context.Context, refID string, status iimmpact.StatusCode) error {
	err := retry(ctx, finishRetryBudget, func(ctx context.Context) error {
		_, err := s.pool.Exec(ctx, s.sql.complete, refID, int64(status), status.IsPending())
		return err
	})
	if err != nil {
		return fmt.Errorf("iimmpact/postgres: complete refid %q status %d: %w", refID, int(status), err)
	}
	return nil
}

// Release implements iimmpact.CallbackStore: it ends the lease only if
// status holds it, so releasing Processing cannot free a Succesful claim.
// Like the memory store's, claims carry no owner check here: the handler
// bounds its work by the lease.
func (s *Store) Release(ctx context.Context, refID string, status iimmpact.StatusCode) error {
	err := retry(ctx, finishRetryBudget, func(ctx context.Context) error {
		_, err := s.pool.Exec(ctx, s.sql.release, refID, int64(status))
		return err
	})
	if err != nil {
		return fmt.Errorf("iimmpact/postgres: release refid %q status %d: %w", refID, int(status), err)
	}
	return nil
}

// Prune deletes the refids untouched (no Claim or Complete) for longer than
// retention whose lease is not held, and returns how many. Call it
// periodically; a day or more keeps every retry and late duplicate.
func (s *Store) Prune(ctx context.Context, retention time.Duration) (int64, error) {
	if retention <= 0 {
		return 0, errors.New("iimmpact/postgres: Prune needs a positive retention")
	}
	tag, err := s.pool.Exec(ctx, s.sql.prune, int64(retention/time.Microsecond))
	if err != nil {
		return 0, fmt.Errorf("iimmpact/postgres: prune %s: %w", s.table, err)
	}
	return tag.RowsAffected(), nil
}
