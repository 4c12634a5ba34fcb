package postgres

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
)

// runHint says how to give the tests a database; they fail without one,
// so a green run always means the store was tested.
const runHint = "run the tests through .ci/postgres.sh from the repository root " +
	"(it starts a throwaway PostgreSQL and sets IIMMPACT_PG_DSN, IIMMPACT_PG_CTL and IIMMPACT_PG_DATA), " +
	"or set IIMMPACT_PG_DSN to a database the tests may create tables in"

func testDSN(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv("IIMMPACT_PG_DSN")
	if dsn == "" {
		tb.Fatal("IIMMPACT_PG_DSN is not set: " + runHint)
	}
	return dsn
}

// newPool opens a pool of at most maxConns connections, closed when the
// test ends.
func newPool(tb testing.TB, maxConns int32) *pgxpool.Pool {
	tb.Helper()
	cfg, err := pgxpool.ParseConfig(testDSN(tb))
	require.NoError(tb, err)
	cfg.MaxConns = maxConns
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	require.NoError(tb, err)
	tb.Cleanup(pool.Close)
	return pool
}

// newTable returns a table name no other test uses, dropped when the test
// ends, so tests never see each other's rows.
func newTable(tb testing.TB, pool *pgxpool.Pool) string {
	tb.Helper()
	name := fmt.Sprintf("iimmpact_test_%016x", rand.Uint64())
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := pool.Exec(ctx, "DROP TABLE IF EXISTS "+name); err != nil {
			tb.Logf("drop %s: %v", name, err)
		}
	})
	return name
}

// newStore returns a migrated Store on its own table.
func newStore(tb testing.TB, pool *pgxpool.Pool) *Store {
	tb.Helper()
	s, err := New(pool, WithTable(newTable(tb, pool)))
	require.NoError(tb, err)
	require.NoError(tb, s.Migrate(context.Background()))
	return s
}
