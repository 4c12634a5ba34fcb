package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/iimmpact-go/iimmpact/payments"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DefaultPaymentsTable is the table a PaymentStore uses unless WithPaymentsTable.
const DefaultPaymentsTable = "iimmpact_payments"

// TxEffectFunc delivers one effect inside the database transaction that
// records the state change causing it: both commit, or neither does.
// Write your reaction (the order's ledger row, an outbox message) through
// tx. If it fails, the state change is not recorded either; the resolver
// asks IIMMPACT again later and the change, with its effect, is retried.
type TxEffectFunc func(ctx context.Context, tx pgx.Tx, e payments.Effect, p payments.Payment) error

// PaymentStore is a payments.Store in one PostgreSQL table, shared by any
// number of replicas: writes are compare-and-swap on the row's version
// (the UPDATE's row lock serialises writers of one refid), and Claim
// locks due rows with FOR UPDATE SKIP LOCKED so resolvers split the work.
type PaymentStore struct {
	pool         *pgxpool.Pool
	table        string
	sql          paymentStatements
	txEffect     TxEffectFunc
	listPageSize int // rows per ListCreated query
}

var (
	_ payments.Store           = (*PaymentStore)(nil)
	_ payments.EffectDeliverer = (*PaymentStore)(nil)
)

// PaymentOption configures NewPaymentStore.
type PaymentOption func(*PaymentStore)

// WithPaymentsTable sets the table, validated as WithTable's name is.
func WithPaymentsTable(name string) PaymentOption { return func(s *PaymentStore) { s.table = name } }

// WithTxEffects makes the store deliver effects itself, exactly once,
// inside the transaction that records them (see TxEffectFunc). A Manager
// over this store then ignores its own payments.WithEffects.
func WithTxEffects(f TxEffectFunc) PaymentOption { return func(s *PaymentStore) { s.txEffect = f } }

// NewPaymentStore returns a PaymentStore over pool; call Migrate before use.
func NewPaymentStore(pool *pgxpool.Pool, opts ...PaymentOption) (*PaymentStore, error) {
	if pool == nil {
		return nil, errors.New("iimmpact/postgres: NewPaymentStore needs a pool")
	}
	s := &PaymentStore{pool: pool, table: DefaultPaymentsTable, listPageSize: 1000}
	for _, o := range opts {
		o(s)
	}
	quoted, err := quoteTable(s.table)
	if err != nil {
		return nil, err
	}
	parts := strings.Split(s.table, ".")
	prefix := parts[len(parts)-1]
	s.sql = newPaymentStatements(quoted, prefix[:min(len(prefix), 58)])
	return s, nil
}

// DeliversEffects implements payments.EffectDeliverer.
func (s *PaymentStore) DeliversEffects() bool { return s.txEffect != nil }

// paymentRetryBudget bounds retries of transient database errors. Every
// method is safe to retry: Create and Put are conditional, and a claim
// lost with its connection lapses.
const paymentRetryBudget = 2 * time.Second

// columns derives the row's query columns from p.
func columns(p *payments.Payment) (state string, due *time.Time, owed bool, data []byte, err error) {
	if at, ok := p.DueAt(); ok {
		due = &at
	}
	data, err = json.Marshal(p)
	return p.State.String(), due, p.EffectsDone < len(p.Effects), data, err
}

// Create implements payments.Store in one INSERT (plus a SELECT when the
// refid exists).
func (s *PaymentStore) Create(ctx context.Context, p payments.Payment) (payments.Payment, bool, error) {
	p.Version = 1
	state, due, owed, data, err := columns(&p)
	if err != nil {
		return payments.Payment{}, false, err
	}
	var created bool
	err = retry(ctx, paymentRetryBudget, func(ctx context.Context) error {
		tag, err := s.pool.Exec(ctx, s.sql.create, p.RefID(), state, due, owed, p.Created, p.Updated, data)
		created = tag.RowsAffected() == 1
		return err
	})
	if err != nil {
		return payments.Payment{}, false, fmt.Errorf("iimmpact/postgres: create payment %q: %w", p.RefID(), err)
	}
	if created {
		return p, true, nil
	}
	old, err := s.Get(ctx, p.RefID())
	return old, false, err
}

// Get implements payments.Store.
func (s *PaymentStore) Get(ctx context.Context, refID string) (payments.Payment, error) {
	var p payments.Payment
	err := retry(ctx, paymentRetryBudget, func(ctx context.Context) error {
		return scanPayment(s.pool.QueryRow(ctx, s.sql.get, refID), &p)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return p, fmt.Errorf("iimmpact/postgres: payment %q: %w", refID, payments.ErrNotFound)
	}
	if err != nil {
		return p, fmt.Errorf("iimmpact/postgres: get payment %q: %w", refID, err)
	}
	return p, nil
}

func scanPayment(row pgx.Row, p *payments.Payment) error {
	var (
		version int64
		data    []byte
	)
	if err := row.Scan(&version, &data); err != nil {
		return err
	}
	return decodePayment(data, version, p)
}

// decodePayment reads a row's data, whose version column is the truth.
func decodePayment(data []byte, version int64, p *payments.Payment) error {
	if err := json.Unmarshal(data, p); err != nil {
		return err
	}
	p.Version = version
	return nil
}

// Put implements payments.Store: one UPDATE, or with WithTxEffects a
// transaction holding the UPDATE and the effects it records.
func (s *PaymentStore) Put(ctx context.Context, p payments.Payment, version int64) (payments.Payment, error) {
	p.Version = version + 1
	owed := p.Effects[p.EffectsDone:]
	if s.txEffect != nil {
		p.EffectsDone, p.EffectLease, p.EffectToken = len(p.Effects), time.Time{}, 0
	}
	state, due, owes, data, err := columns(&p)
	if err != nil {
		return p, err
	}
	var n int64
	err = retry(ctx, paymentRetryBudget, func(ctx context.Context) error {
		if s.txEffect == nil || len(owed) == 0 {
			tag, err := s.pool.Exec(ctx, s.sql.put, p.RefID(), version, state, due, owes, p.Updated, data)
			n = tag.RowsAffected()
			return err
		}
		return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			tag, err := tx.Exec(ctx, s.sql.put, p.RefID(), version, state, due, owes, p.Updated, data)
			if n = tag.RowsAffected(); err != nil || n == 0 {
				return err // nothing written: the deferred rollback ends it
			}
			for _, e := range owed {
				if err := s.txEffect(ctx, tx, e, p); err != nil {
					return &effectError{e.Key, err}
				}
			}
			return nil
		})
	})
	switch {
	case err != nil:
		return p, fmt.Errorf("iimmpact/postgres: put payment %q: %w", p.RefID(), err)
	case n == 0:
		return p, s.putMissed(ctx, p.RefID(), version)
	}
	return p, nil
}

// effectError is a failed TxEffectFunc: not transient, never retried here.
type effectError struct {
	key string
	err error
}

func (e *effectError) Error() string { return "effect " + e.key + ": " + e.err.Error() }
func (e *effectError) Unwrap() error { return e.err }

// putMissed tells a stale version from a refid never created.
func (s *PaymentStore) putMissed(ctx context.Context, refID string, version int64) error {
	var ok bool
	err := s.pool.QueryRow(ctx, s.sql.exists, refID).Scan(&ok)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("iimmpact/postgres: put payment %q: %w", refID, payments.ErrNotFound)
	}
	return fmt.Errorf("iimmpact/postgres: put payment %q at version %d: %w", refID, version, payments.ErrConflict)
}

// Claim implements payments.Store in one statement; see claimPaymentsSQL.
func (s *PaymentStore) Claim(ctx context.Context, now, until time.Time, limit int) ([]payments.Payment, error) {
	type claimed struct {
		was time.Time
		p   payments.Payment
	}
	var out []claimed
	err := retry(ctx, paymentRetryBudget, func(ctx context.Context) error {
		out = out[:0]
		rows, err := s.pool.Query(ctx, s.sql.claim, now, until, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				c       claimed
				version int64
				data    []byte
			)
			if err := rows.Scan(&c.was, &version, &data); err != nil {
				return err
			}
			if err := decodePayment(data, version, &c.p); err != nil {
				return err
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("iimmpact/postgres: claim payments: %w", err)
	}
	slices.SortStableFunc(out, func(a, b claimed) int { return a.was.Compare(b.was) })
	ps := make([]payments.Payment, len(out))
	for i, c := range out {
		ps[i] = c.p
	}
	return ps, nil
}

// Stats implements payments.Store in three indexed queries.
func (s *PaymentStore) Stats(ctx context.Context, now time.Time) (payments.Stats, error) {
	st := payments.Stats{Counts: map[payments.State]int{}}
	err := retry(ctx, paymentRetryBudget, func(ctx context.Context) error {
		rows, err := s.pool.Query(ctx, s.sql.counts)
		if err != nil {
			return err
		}
		for rows.Next() {
			var (
				name string
				n    int
			)
			if err := rows.Scan(&name, &n); err != nil {
				rows.Close()
				return err
			}
			if state, ok := payments.ParseState(name); ok {
				st.Counts[state] = n
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		var oldest, earliest *time.Time
		if err := s.pool.QueryRow(ctx, s.sql.oldestOpen).Scan(&oldest); err != nil {
			return err
		}
		if err := s.pool.QueryRow(ctx, s.sql.due, now).Scan(&st.Due, &earliest); err != nil {
			return err
		}
		st.OldestOpen, st.EarliestDue = deref(oldest), deref(earliest)
		return nil
	})
	if err != nil {
		return payments.Stats{}, fmt.Errorf("iimmpact/postgres: payment stats: %w", err)
	}
	return st, nil
}

func deref(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// Prune implements payments.Store: it deletes final, delivered payments
// last updated before cutoff. Run it now and then (say daily) with a
// cutoff well past any dispute window: a late callback for a pruned refid
// is refused as unknown (404).
func (s *PaymentStore) Prune(ctx context.Context, cutoff time.Time) (int, error) {
	var n int64
	err := retry(ctx, paymentRetryBudget, func(ctx context.Context) error {
		tag, err := s.pool.Exec(ctx, s.sql.prune, cutoff)
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("iimmpact/postgres: prune payments: %w", err)
	}
	return int(n), nil
}
