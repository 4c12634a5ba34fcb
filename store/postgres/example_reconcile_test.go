package postgres_test

import (
	"context"
	"log"
	"os"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/payments"
	"github.com/iimmpact-go/iimmpact/reconcile"
	"github.com/iimmpact-go/iimmpact/store/postgres"
	"github.com/jackc/pgx/v5/pgxpool"
)

// A nightly job reconciles yesterday's payments in the PostgreSQL store
// (ListCreated reads them in keyset pages) against IIMMPACT's books, and
// leaves the effects its resolutions owe to the service's own resolver.
func ExamplePaymentStore_ListCreated() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	store, err := postgres.NewPaymentStore(pool)
	if err != nil {
		log.Fatal(err)
	}
	client, err := iimmpact.New(os.Getenv("IIMMPACT_API_KEY"), os.Getenv("IIMMPACT_HMAC_SECRET"))
	if err != nil {
		log.Fatal(err)
	}
	m, err := payments.New(client, store, payments.WithEffectsElsewhere())
	if err != nil {
		log.Fatal(err)
	}
	ledger := reconcile.NewPaymentsLedger(m)
	r, err := reconcile.New(client, ledger, reconcile.WithResolver(ledger))
	if err != nil {
		log.Fatal(err)
	}
	rep, err := r.Day(ctx, time.Now().AddDate(0, 0, -1))
	if err != nil {
		log.Fatal(err)
	}
	_ = rep.WriteTable(os.Stdout)
}
