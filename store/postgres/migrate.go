package postgres

import (
	"context"
	"fmt"
	"hash/fnv"

	"github.com/jackc/pgx/v5"
)

// Migrate creates the Store's table if it does not exist. Every replica
// may run it at start-up at once: CREATE TABLE IF NOT EXISTS alone can
// still fail when two sessions race to create the same table, so Migrate
// holds a transaction-scoped advisory lock, keyed by the table name, while
// it runs.
func (s *Store) Migrate(ctx context.Context) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", migrateLockKey(s.table)); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		if _, err := tx.Exec(ctx, s.sql.create); err != nil {
			return fmt.Errorf("create: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("iimmpact/postgres: migrate table %s: %w", s.table, err)
	}
	return nil
}

// migrateLockKey is the advisory lock for migrating table: stable across
// processes, and distinct per table so unrelated migrations do not wait.
func migrateLockKey(table string) int64 {
	h := fnv.New64a()
	h.Write([]byte("github.com/iimmpact-go/iimmpact/store/postgres.Migrate " + table))
	return int64(h.Sum64())
}
