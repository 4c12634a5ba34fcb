package postgres

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store is a CallbackStore in one PostgreSQL table. It is safe for
// concurrent use, and any number of Stores (in any number of processes)
// may share the table.
type Store struct {
	pool   *pgxpool.Pool
	table  string // validated, possibly schema-qualified
	quoted string // table, quoted for SQL
	sql    statements
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
	return &Store{pool: pool, table: o.table, quoted: quoted, sql: newStatements(quoted)}, nil
}

// micros is d in whole microseconds, rounded up: a sub-microsecond lease
// is not zero.
func micros(d time.Duration) int64 {
	m := d.Microseconds()
	if d%time.Microsecond != 0 {
		m++
	}
	return m
}

// Claim implements iimmpact.CallbackStore in one statement; see claimSQL.
func (s *Store) Claim(ctx context.Context, refID string, status iimmpact.StatusCode, d time.Duration) (iimmpact.Lease, iimmpact.ClaimResult, error) {
	if d <= 0 {
		return iimmpact.Lease{}, 0, errors.New("iimmpact/postgres: callback claim needs a positive lease")
	}
	// The token tells our own claim from another's in the returned row. A
	// retry reuses it, so a claim that was committed but whose answer was
	// lost is recognised as ours.
	token := rand.Text()
	pending := status.IsPending()
	var (
		acted, duplicate, refunded, final bool
		newestPending                     *int64
		until                             *time.Time
	)
	err := retry(ctx, claimRetryBudget, func(ctx context.Context) error {
		return s.pool.QueryRow(ctx, s.sql.claim, refID, int64(status), token, micros(d), pending).
			Scan(&acted, &duplicate, &refunded, &final, &newestPending, &until)
	})
	if err != nil {
		return iimmpact.Lease{}, 0, fmt.Errorf("iimmpact/postgres: claim refid %q status %d: %w", refID, int(status), err)
	}
	switch {
	case acted && until != nil:
		return iimmpact.Lease{RefID: refID, Status: status, Token: token, Until: *until}, iimmpact.ClaimAct, nil
	case duplicate:
		return iimmpact.Lease{}, iimmpact.ClaimDuplicate, nil
	case refunded && status != iimmpact.StatusRefund:
		return iimmpact.Lease{}, iimmpact.ClaimStale, nil
	case pending && (final || (newestPending != nil && int64(status) <= *newestPending)):
		return iimmpact.Lease{}, iimmpact.ClaimStale, nil
	}
	return iimmpact.Lease{}, iimmpact.ClaimBusy, nil
}

// Renew implements iimmpact.CallbackStore in one statement: it extends l
// to now()+d if l still holds its refid (see renewSQL).
func (s *Store) Renew(ctx context.Context, l iimmpact.Lease, d time.Duration) (iimmpact.Lease, error) {
	if d <= 0 {
		return iimmpact.Lease{}, errors.New("iimmpact/postgres: callback lease renewal needs a positive lease")
	}
	var until time.Time
	err := retry(ctx, claimRetryBudget, func(ctx context.Context) error {
		return s.pool.QueryRow(ctx, s.sql.renew, l.RefID, int64(l.Status), l.Token, micros(d)).Scan(&until)
	})
	if err != nil {
		return iimmpact.Lease{}, leaseError("renew", l, err)
	}
	l.Until = until
	return l, nil
}

// Complete implements iimmpact.CallbackStore in one statement (see
// completeSQL): it records l's status and ends the lease if no other claim
// on the refid was granted since l, even if l lapsed (Handle did run, and
// nobody else can have). A retry of a Complete that was committed but
// whose answer was lost succeeds.
func (s *Store) Complete(ctx context.Context, l iimmpact.Lease) error {
	return s.finish(ctx, "complete", s.sql.complete, l, l.Status.IsPending())
}

// Release implements iimmpact.CallbackStore in one statement: it ends l,
// recording nothing, if l still holds its refid. (A retry of a Release
// that was committed but whose answer was lost reports ErrLeaseLost; the
// lease is released all the same.)
func (s *Store) Release(ctx context.Context, l iimmpact.Lease) error {
	return s.finish(ctx, "release", s.sql.release, l)
}

// finish runs Complete's or Release's statement, retrying transient
// errors: both record work already done.
func (s *Store) finish(ctx context.Context, op, query string, l iimmpact.Lease, extra ...any) error {
	args := append([]any{l.RefID, int64(l.Status), l.Token}, extra...)
	err := retry(ctx, finishRetryBudget, func(ctx context.Context) error {
		var ok bool
		return s.pool.QueryRow(ctx, query, args...).Scan(&ok)
	})
	if err != nil {
		return leaseError(op, l, err)
	}
	return nil
}

// leaseError names the operation and the lease (never its token), and
// turns "no row" into ErrLeaseLost.
func leaseError(op string, l iimmpact.Lease, err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		err = iimmpact.ErrLeaseLost
	}
	return fmt.Errorf("iimmpact/postgres: %s refid %q status %d: %w", op, l.RefID, int(l.Status), err)
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
