package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Replicas starting together all run Migrate; without the advisory lock,
// concurrent CREATE TABLE IF NOT EXISTS can fail on a duplicate type.
func TestMigrateConcurrently(t *testing.T) {
	ctx := context.Background()
	for round := range 5 {
		table := newTable(t, newPool(t, 1))
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				s, err := New(newPool(t, 1), WithTable(table))
				if assert.NoError(t, err) {
					assert.NoError(t, s.Migrate(ctx), "round %d", round)
				}
			})
		}
		wg.Wait()
	}
}

func TestMigrateSchemaQualified(t *testing.T) {
	ctx := context.Background()
	pool := newPool(t, 2)
	schema := newTable(t, pool) + "_schema"
	_, err := pool.Exec(ctx, "CREATE SCHEMA "+schema)
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = pool.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE") })

	s, err := New(pool, WithTable(schema+".callbacks"))
	require.NoError(t, err)
	require.NoError(t, s.Migrate(ctx))
	require.NoError(t, s.Migrate(ctx), "twice is harmless")
	_, res, err := s.Claim(ctx, "r", iimmpact.StatusSuccessful, time.Minute)
	require.NoError(t, err)
	assert.Equal(t, iimmpact.ClaimAct, res)

	missing, err := New(pool, WithTable("no_such_schema.callbacks"))
	require.NoError(t, err)
	err = missing.Migrate(ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "migrate table no_such_schema.callbacks")
}

// Before Migrate, the store's errors name the operation and are not retried
// (an undefined table will not go away by waiting).
func TestErrorsBeforeMigrate(t *testing.T) {
	ctx := context.Background()
	pool := newPool(t, 2)
	s, err := New(pool, WithTable(newTable(t, pool)))
	require.NoError(t, err)
	start := time.Now()
	_, _, err = s.Claim(ctx, "r", iimmpact.StatusSuccessful, time.Minute)
	assert.ErrorContains(t, err, `claim refid "r" status 20`)
	l := iimmpact.Lease{RefID: "r", Status: iimmpact.StatusSuccessful, Token: "t"}
	for op, err := range map[string]error{"complete": s.Complete(ctx, l), "release": s.Release(ctx, l),
		"renew": func() error { _, err := s.Renew(ctx, l, time.Minute); return err }()} {
		assert.ErrorContains(t, err, op+` refid "r" status 20`)
		assert.NotErrorIs(t, err, iimmpact.ErrLeaseLost, "a missing table is not a lost lease")
	}
	var pgErr *pgconn.PgError
	require.ErrorAs(t, err, &pgErr)
	assert.Equal(t, "42P01", pgErr.Code, "undefined_table")
	assert.Less(t, time.Since(start), 500*time.Millisecond, "not retried")
}

func TestPrune(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, newPool(t, 2))
	leases := map[string]iimmpact.Lease{}
	for _, id := range []string{"a", "b"} {
		l, res, err := s.Claim(ctx, id, iimmpact.StatusSuccessful, time.Minute)
		require.NoError(t, err)
		require.Equal(t, iimmpact.ClaimAct, res)
		leases[id] = l
	}
	require.NoError(t, s.Complete(ctx, leases["a"])) // b still holds its lease
	time.Sleep(50 * time.Millisecond)
	_, res, err := s.Claim(ctx, "c", iimmpact.StatusProcessing, time.Millisecond) // fresh
	require.NoError(t, err)
	require.Equal(t, iimmpact.ClaimAct, res)

	n, err := s.Prune(ctx, 40*time.Millisecond)
	require.NoError(t, err)
	assert.Equal(t, int64(1), n, "only a: b is leased, c is recent")
	_, res, err = s.Claim(ctx, "a", iimmpact.StatusSuccessful, time.Minute)
	require.NoError(t, err)
	assert.Equal(t, iimmpact.ClaimAct, res, "a pruned refid is forgotten")

	_, err = s.Prune(ctx, 0)
	assert.Error(t, err)
}

func TestTransient(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{&pgconn.PgError{Code: "57P01"}, true},
		{&pgconn.PgError{Code: "57P03"}, true},
		{&pgconn.PgError{Code: "08006"}, true},
		{fmt.Errorf("wrapped: %w", &pgconn.PgError{Code: "40001"}), true},
		{&net.OpError{Op: "dial", Err: errors.New("connection refused")}, true},
		{fmt.Errorf("read: %w", io.ErrUnexpectedEOF), true},
		{pgconn.ErrConnClosed, true},
		{&pgconn.PgError{Code: "42P01"}, false}, // undefined_table
		{&pgconn.PgError{Code: "23505"}, false}, // unique_violation
		{errors.New("can't scan into dest[0]"), false},
		{context.Canceled, false},
		{fmt.Errorf("x: %w", context.DeadlineExceeded), false},
	} {
		assert.Equal(t, tc.want, transient(tc.err), "%v", tc.err)
	}
}

// retry gives up at its budget and when ctx ends, and never retries a
// permanent error.
func TestRetry(t *testing.T) {
	calls := 0
	flaky := func(context.Context) error { calls++; return io.ErrUnexpectedEOF }
	start := time.Now()
	err := retry(context.Background(), 150*time.Millisecond, flaky)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Less(t, time.Since(start), 300*time.Millisecond)
	assert.Greater(t, calls, 1)

	calls = 0
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	_ = retry(ctx, time.Hour, flaky)
	assert.Less(t, time.Since(start), time.Second)

	calls = 0
	_ = retry(context.Background(), time.Hour, func(context.Context) error { calls++; return errors.New("permanent") })
	assert.Equal(t, 1, calls)

	calls = 0
	_ = retry(context.Background(), time.Hour, func(context.Context) error {
		if calls++; calls < 3 {
			return io.EOF
		}
		return nil
	})
	assert.Equal(t, 3, calls)
}

// firstSchema is the table as the first release of this package created
// it: lease_token was a bigint.
const firstSchema = `CREATE TABLE %s (
    refid       text        PRIMARY KEY,
    done        bigint[]    NOT NULL DEFAULT '{}',
    final       boolean     NOT NULL DEFAULT false,
    pending     bigint,
    claimed     bigint,
    lease_token bigint,
    lease_until timestamptz,
    touched_at  timestamptz NOT NULL DEFAULT now()
)`

// Migrate brings a first-schema table up to date in place, from several
// replicas at once: every row is kept and answers as before, and a lease
// held under an old token still holds.
func TestMigrateKeepsRowsOfTheFirstSchema(t *testing.T) {
	ctx := context.Background()
	pool := newPool(t, 2)
	table := newTable(t, pool)
	_, err := pool.Exec(ctx, fmt.Sprintf(firstSchema, table))
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `INSERT INTO `+table+` (refid, done, final, pending, claimed, lease_token, lease_until) VALUES
		('succeeded', '{1,20}', true, 1, 20, 11, NULL),
		('processing', '{1}', false, 1, 1, 12, NULL),
		('held', '{}', false, NULL, 20, 4242, now() + interval '1 minute'),
		('lapsed', '{}', false, NULL, 20, 13, now() - interval '1 second')`)
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `INSERT INTO `+table+` (refid, done, final, claimed, lease_token)
		SELECT 'bulk-' || i, '{20}', true, 20, i FROM generate_series(1, 5000) AS i`)
	require.NoError(t, err)

	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			s, err := New(newPool(t, 1), WithTable(table))
			if assert.NoError(t, err) {
				assert.NoError(t, s.Migrate(ctx))
			}
		})
	}
	wg.Wait()
	s, err := New(pool, WithTable(table))
	require.NoError(t, err)
	require.NoError(t, s.Migrate(ctx), "again: nothing to do")

	var typ string
	require.NoError(t, pool.QueryRow(ctx, s.sql.columnType, s.quoted, "lease_token").Scan(&typ))
	assert.Equal(t, "text", typ)
	var token string
	require.NoError(t, pool.QueryRow(ctx, `SELECT lease_token FROM `+table+` WHERE refid = 'held'`).Scan(&token))
	assert.Equal(t, 5004, countRows(t, pool, table), "no row lost")
	assert.Equal(t, "4242", token)

	d := newDriver(t, s)
	assert.Equal(t, iimmpact.ClaimDuplicate, d.claim("succeeded", iimmpact.StatusSuccessful))
	assert.Equal(t, iimmpact.ClaimDuplicate, d.claim("succeeded", iimmpact.StatusProcessing))
	assert.Equal(t, iimmpact.ClaimStale, d.claim("succeeded", iimmpact.StatusAccepted))
	assert.Equal(t, iimmpact.ClaimStale, d.claim("processing", iimmpact.StatusAccepted))
	assert.Equal(t, iimmpact.ClaimDuplicate, d.claim("bulk-4999", iimmpact.StatusSuccessful))
	assert.Equal(t, iimmpact.ClaimBusy, d.claim("held", iimmpact.StatusSuccessful), "an old lease still holds")
	assert.Equal(t, iimmpact.ClaimAct, d.claim("lapsed", iimmpact.StatusSuccessful))
	d.complete("lapsed")
	assert.Equal(t, iimmpact.ClaimAct, d.claim("processing", iimmpact.StatusSuccessful))
	assert.NoError(t, s.Release(ctx, iimmpact.Lease{RefID: "held", Status: iimmpact.StatusSuccessful, Token: "4242"}),
		"the old token, as text, still names its lease")
}
