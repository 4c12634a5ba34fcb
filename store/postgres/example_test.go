package postgres_test

import (
	"context"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/store/postgres"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Every replica of the merchant's backend runs the same start-up: one pool,
// one Store on the shared table, Migrate, and the store in the handler.
func Example() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()

	store, err := postgres.New(pool)
	if err != nil {
		log.Fatal(err)
	}
	if err := store.Migrate(ctx); err != nil { // safe from every replica at once
		log.Fatal(err)
	}

	allow, err := iimmpact.NewIPAllowlist(iimmpact.ProductionCallbackIPs()...)
	if err != nil {
		log.Fatal(err)
	}
	h, err := iimmpact.NewCallbackHandler(iimmpact.CallbackConfig{
		Allowlist: allow,
		Lookup:    lookupPayment,
		Handle:    fulfil,
		Store:     store,
	})
	if err != nil {
		log.Fatal(err)
	}

	// Forget refids a week after their last callback.
	go func() {
		for range time.Tick(time.Hour) {
			if _, err := store.Prune(ctx, 7*24*time.Hour); err != nil {
				log.Print(err)
			}
		}
	}()

	mux := http.NewServeMux()
	mux.Handle("POST /iimmpact/callback", h)
	mux.Handle("GET /iimmpact/callback", h)
	log.Fatal(http.ListenAndServe(":8080", mux))
}

// lookupPayment returns the topup the merchant saved before sending it.
func lookupPayment(ctx context.Context, refID string) (iimmpact.TopupRequest, error) {
	return iimmpact.TopupRequest{}, iimmpact.ErrUnknownRefID
}

// fulfil acts on a status: deliver the order, refund the customer, ...
func fulfil(ctx context.Context, cb *iimmpact.Callback) error { return nil }

func ExampleWithTable() {
	pool, err := pgxpool.New(context.Background(), os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	// A schema of the merchant's own (created beforehand) and a table name.
	store, err := postgres.New(pool, postgres.WithTable("payments.iimmpact_callbacks"))
	if err != nil {
		log.Fatal(err)
	}
	_ = store
}
