package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Migrate creates or upgrades the payments table and its indexes. Every
// replica may run it at start-up at once: the steps run in one transaction
// under an advisory lock keyed by the table name.
func (s *PaymentStore) Migrate(ctx context.Context) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", migrateLockKey(s.table)); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		for i, m := range s.sql.migrations {
			if _, err := tx.Exec(ctx, m); err != nil {
				return fmt.Errorf("step %d: %w", i+1, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("iimmpact/postgres: migrate payments table %s: %w", s.table, err)
	}
	return nil
}
