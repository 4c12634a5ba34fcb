package main

import (
	"context"
	"fmt"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/payments"
	"github.com/iimmpact-go/iimmpact/store/postgres"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/spf13/cobra"
)

// storeFlags are the flags of the commands that use the payments store.
type storeFlags struct{ table string }

func (f *storeFlags) bind(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.table, "payments-table", postgres.DefaultPaymentsTable,
		"the payments table (store/postgres's WithPaymentsTable), optionally schema-qualified")
}

// paymentsDB is the PostgreSQL payments store at the DSN and the client
// that re-asks IIMMPACT about its payments.
type paymentsDB struct {
	client *iimmpact.Client
	store  *postgres.PaymentStore
	close  func()
}

// openPayments opens the store at --dsn or IIMMPACT_DSN. It never
// migrates the schema: that is the merchant's service's job.
func (a *app) openPayments(ctx context.Context, f *storeFlags) (*paymentsDB, error) {
	dsn := a.setting(a.cfg.dsn, "IIMMPACT_DSN")
	if dsn == "" {
		return nil, usagef("no payments store: set IIMMPACT_DSN (or --dsn) to the PostgreSQL database of store/postgres's PaymentStore")
	}
	c, err := a.client()
	if err != nil {
		return nil, err
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("payments store DSN: %w", err) // pgx leaves the password out
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("payments store: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("payments store: %w", err)
	}
	store, err := postgres.NewPaymentStore(pool, postgres.WithPaymentsTable(f.table))
	if err != nil {
		pool.Close()
		return nil, usagef("--payments-table: %v", err)
	}
	return &paymentsDB{client: c, store: store, close: pool.Close}, nil
}

// manager is a payments.Manager over store (d.store, or a wrapper of it)
// that leaves every effect to the merchant's own service
// (payments.WithEffectsElsewhere): this command has no EffectFunc, and a
// Manager without one would count effects as delivered.
func (d *paymentsDB) manager(store payments.Store, opts ...payments.Option) (*payments.Manager, error) {
	return payments.New(d.client, store, append([]payments.Option{payments.WithEffectsElsewhere()}, opts...)...)
}
