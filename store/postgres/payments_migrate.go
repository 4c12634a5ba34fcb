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
	return migrateLocked(ctx, s.pool, s.table, "payments table", func(tx pgx.Tx) error {
		for i, m := range s.sql.migrations {
			if _, err := tx.Exec(ctx, m); err != nil {
				return fmt.Errorf("step %d: %w", i+1, err)
			}
		}
		return nil
	})
}
