// Command merchant is the merchant side of store/postgres's crash test: a
// process that pays n payments through the payments layer on a
// PostgreSQL store, serves IIMMPACT's callbacks and runs the resolver.
// The test kills it with SIGKILL at random moments and starts it again;
// it exits 0 once every payment it was told to make is final (or needs
// manual reconciliation), except those left unknown that IIMMPACT would
// never sell (see settled). Effects go into a ledger table inside the
// transaction of the state change, so the test can count them.
//
// Everything comes from the environment (see config); it is not a tool
// for anything but that test.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/payments"
	"github.com/iimmpact-go/iimmpact/store/postgres"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

type config struct {
	dsn, table, ledger      string
	baseURL, apiKey, secret string
	listen                  string
	n, payers               int
}

func env(name string) string {
	v := os.Getenv(name)
	if v == "" {
		log.Fatalf("merchant: %s is not set", name)
	}
	return v
}

func envInt(name string) int {
	n, err := strconv.Atoi(env(name))
	if err != nil {
		log.Fatalf("merchant: %s: %v", name, err)
	}
	return n
}

func main() {
	cfg := config{
		dsn: env("MERCHANT_DSN"), table: env("MERCHANT_TABLE"), ledger: env("MERCHANT_LEDGER"),
		baseURL: env("MERCHANT_BASE_URL"), apiKey: env("MERCHANT_API_KEY"), secret: env("MERCHANT_SECRET"),
		listen: env("MERCHANT_LISTEN"), n: envInt("MERCHANT_N"), payers: envInt("MERCHANT_PAYERS"),
	}
	ctx := context.Background()
	if err := run(ctx, cfg); err != nil {
		log.Fatalf("merchant: %v", err)
	}
}

// Request is payment i's request: mostly good reloads, every 7th to a
// staging account that fails with 48, every 11th an amount D does not sell.
func Request(i int) iimmpact.TopupRequest {
	r := iimmpact.TopupRequest{RefID: fmt.Sprintf("crash-%04d", i), Product: "D", Account: "0123456789", Amount: amount("10")}
	switch {
	case i%11 == 0:
		r.Amount = amount("11")
	case i%7 == 0:
		r.Account = "60123450048"
	case i%2 == 0:
		r.Amount = amount("30")
	}
	return r
}

// neverSold reports whether r is one of Request's amounts D does not
// sell: IIMMPACT refuses every send of it with 400.
func neverSold(r iimmpact.TopupRequest) bool { return r.Amount == amount("11") }

func amount(s string) iimmpact.Amount {
	a, err := iimmpact.ParseAmount(s)
	if err != nil {
		panic(err)
	}
	return a
}

func run(ctx context.Context, cfg config) error {
	pool, err := pgxpool.New(ctx, cfg.dsn)
	if err != nil {
		return err
	}
	defer pool.Close()
	insert := "INSERT INTO " + pgx.Identifier{cfg.ledger}.Sanitize() + " (refid, key, state) VALUES ($1, $2, $3)"
	store, err := postgres.NewPaymentStore(pool, postgres.WithPaymentsTable(cfg.table),
		postgres.WithTxEffects(func(ctx context.Context, tx pgx.Tx, e payments.Effect, _ payments.Payment) error {
			_, err := tx.Exec(ctx, insert, e.RefID, e.Key, e.State.String())
			return err
		}))
	if err != nil {
		return err
	}
	// One attempt per call: every injected fault reaches the payments
	// layer, whose resolver, not the client, has to recover from it.
	client, err := iimmpact.New(cfg.apiKey, cfg.secret, iimmpact.WithBaseURL(cfg.baseURL),
		iimmpact.WithRetryPolicy(iimmpact.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		return err
	}
	m, err := payments.New(client, store, payments.WithSendGrace(time.Second),
		payments.WithPollSchedule(20*time.Millisecond, 60*time.Millisecond, 3, 300*time.Millisecond),
		payments.WithResolverRate(payments.MaxRate), payments.WithResolverWorkers(8), payments.WithResolverClaim(5*time.Second),
		payments.WithResolverIdle(50*time.Millisecond))
	if err != nil {
		return err
	}
	if err := serveCallbacks(m, cfg.listen); err != nil {
		return err
	}
	rctx, stop := context.WithCancel(ctx)
	defer stop()
	go func() { _ = m.Run(rctx) }()
	pay(ctx, m, cfg)
	return waitFinal(ctx, m)
}

func serveCallbacks(m *payments.Manager, addr string) error {
	allow, err := iimmpact.NewIPAllowlist("127.0.0.1")
	if err != nil {
		return err
	}
	h, err := m.CallbackHandler(iimmpact.CallbackConfig{Allowlist: allow})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	go func() { _ = http.Serve(ln, h) }()
	return nil
}

// pay starts every payment, cfg.payers at a time. After a restart the
// ones already final cost one read each.
func pay(ctx context.Context, m *payments.Manager, cfg config) {
	work := make(chan int)
	var wg sync.WaitGroup
	for range cfg.payers {
		wg.Go(func() {
			for i := range work {
				if _, err := m.Pay(ctx, Request(i)); err != nil {
					log.Printf("merchant: pay %d: %v", i, err)
				}
			}
		})
	}
	for i := range cfg.n {
		work <- i
	}
	close(work)
	wg.Wait()
	fmt.Println("merchant: all payments started")
}

// waitFinal returns once every payment is settled (see settled).
func waitFinal(ctx context.Context, m *payments.Manager) error {
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		done, err := settled(ctx, m)
		if err != nil {
			return err
		}
		if done {
			fmt.Println("merchant: all payments resolved")
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return errors.New("payments still open after 2 minutes")
}

// settled reports whether every payment is final or needs a person, except
// one IIMMPACT never sells that is unknown: its first answer was lost (or
// its first send went out just before a SIGKILL), and a refused re-send
// does not prove the first attempt created nothing, so it stays open
// until the horizon (24 h), as it should.
func settled(ctx context.Context, m *payments.Manager) (bool, error) {
	for p, err := range m.ListCreated(ctx, time.Unix(0, 0), time.Now().Add(time.Hour)) {
		if err != nil {
			return false, err
		}
		if p.State.IsOpen() && p.State != payments.StateManual && (p.State != payments.StateUnknown || !neverSold(p.Request)) {
			return false, nil
		}
	}
	return true, nil
}
