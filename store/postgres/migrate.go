package postgres

import (
	"context"
	"fmt"
	"hash/fnv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Migrate creates the Store's table if it does not exist, and brings a
// table made by an earlier version up to date without losing a row (today
// that means lease_token bigint becomes text; see migrateTokenSQL). Every replica
// may run it at start-up at once: CREATE TABLE IF NOT EXISTS alone can
// still fail when two sessions race to create the same table, so Migrate
// holds a transaction-scoped advisory lock, keyed by the table name, while
// it runs.
func (s *Store) Migrate(ctx context.Context) error {
	return migrateLocked(ctx, s.pool, s.table, "table", func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, s.sql.create); err != nil {
			return fmt.Errorf("create: %w", err)
		}
		return s.migrateToken(ctx, tx)
	})
}

// migrateLocked runs steps in one transaction holding table's migration
// advisory lock, so replicas migrating at once take turns. Its errors name
// what is migrated ("table", "payments table") and the table.
func migrateLocked(ctx context.Context, pool *pgxpool.Pool, table, what string, steps func(pgx.Tx) error) error {
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", migrateLockKey(table)); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		return steps(tx)
	})
	if err != nil {
		return fmt.Errorf("iimmpact/postgres: migrate %s %s: %w", what, table, err)
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

// migrateToken converts a first-schema table's bigint lease_token to text.
// The ALTER rewrites the table under an exclusive lock, once: other
// replicas' callbacks wait for it (a 503 at worst, which IIMMPACT retries).
func (s *Store) migrateToken(ctx context.Context, tx pgx.Tx) error {
	var typ string
	if err := tx.QueryRow(ctx, s.sql.columnType, s.quoted, "lease_token").Scan(&typ); err != nil {
		return fmt.Errorf("read lease_token's type: %w", err)
	}
	switch typ {
	case "text":
		return nil
	case "bigint":
		if _, err := tx.Exec(ctx, s.sql.migrateToken); err != nil {
			return fmt.Errorf("lease_token to text: %w", err)
		}
		return nil
	}
	return fmt.Errorf("lease_token has type %s, want text", typ)
}
