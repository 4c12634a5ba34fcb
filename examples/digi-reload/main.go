// Command digi-reload runs IIMMPACT's complete integration walkthrough, a
// RM30 Digi Prepaid reload, step by step: balance, product list, network
// status, payment, callback, verification and reconciliation.
//
// With no environment it runs against an embedded iimmpacttest server, so it
// works anywhere with only Go installed:
//
//	go run ./examples/digi-reload
//
// With IIMMPACT_API_KEY and IIMMPACT_HMAC_SECRET set it runs against
// IIMMPACT instead: staging unless IIMMPACT_BASE_URL says otherwise. Staging
// cannot reach this program's local callback endpoint, so there step 5 is
// skipped and the payment is confirmed by polling alone.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
)

func main() {
	account := flag.String("account", "0123456789", "mobile number to reload")
	amount := flag.String("amount", "30", "amount in RM")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := run(ctx, *account, *amount); err != nil {
		fmt.Fprintln(os.Stderr, "digi-reload:", err)
		os.Exit(1)
	}
}

// walkthrough is what the steps share.
type walkthrough struct {
	client    *iimmpact.Client
	callbacks <-chan *iimmpact.Callback // nil when callbacks cannot reach us
	orders    *orders
	poll      iimmpact.WaitOption
}

func run(ctx context.Context, account, amountText string) error {
	amount, err := iimmpact.ParseAmount(amountText)
	if err != nil {
		return err
	}
	w, cleanup, err := setup()
	if err != nil {
		return err
	}
	defer cleanup()

	req := iimmpact.TopupRequest{RefID: iimmpact.NewRefID(), Product: "D", Account: account, Amount: amount, Remarks: "Digi Prepaid RM" + amount.String()}
	for _, step := range []func(context.Context, *iimmpact.TopupRequest) error{
		w.checkBalance, w.findProduct, w.checkNetwork, w.pay, w.awaitCallback, w.verify, w.reconcile,
	} {
		if err := step(ctx, &req); err != nil {
			return err
		}
	}
	fmt.Println("\nDone: the reload is paid, confirmed and in the history.")
	return nil
}

// setup picks the environment: IIMMPACT itself, or an embedded fake that
// delivers its callbacks to a local handler.
func setup() (*walkthrough, func(), error) {
	key, secret := os.Getenv("IIMMPACT_API_KEY"), os.Getenv("IIMMPACT_HMAC_SECRET")
	orders := newOrders()
	if key != "" || secret != "" {
		base := os.Getenv("IIMMPACT_BASE_URL")
		if base == "" {
			base = iimmpact.StagingURL
		}
		client, err := iimmpact.New(key, secret, iimmpact.WithBaseURL(base))
		if err != nil {
			return nil, nil, err
		}
		fmt.Println("Environment:", base)
		return &walkthrough{client: client, orders: orders, poll: iimmpact.WithPollInterval(5*time.Second, 10*time.Second)}, func() {}, nil
	}

	callbacks := make(chan *iimmpact.Callback, 4)
	handler, err := newCallbackHandler(orders, callbacks)
	if err != nil {
		return nil, nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	hs := &http.Server{Handler: handler, ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(ln)
	fake := iimmpacttest.NewServer(
		iimmpacttest.WithSettleAfter(1), // Processing first, as real reloads often are
		iimmpacttest.WithCallback("http://"+ln.Addr().String()+"/iimmpact/callback", http.MethodPost),
		iimmpacttest.WithCallbackPolicy(3, 200*time.Millisecond, 5*time.Second))
	fmt.Println("Environment: embedded iimmpacttest server at", fake.URL, "(set IIMMPACT_API_KEY and IIMMPACT_HMAC_SECRET for staging)")
	cleanup := func() {
		fake.Close()
		hs.Close()
	}
	return &walkthrough{client: fake.Client(), callbacks: callbacks, orders: orders,
		poll: iimmpact.WithPollInterval(300*time.Millisecond, 600*time.Millisecond)}, cleanup, nil
}

func step(n int, title string) { fmt.Printf("\nStep %d: %s\n", n, title) }

func (w *walkthrough) checkBalance(ctx context.Context, req *iimmpact.TopupRequest) error {
	step(1, "check the wallet balance")
	bal, err := w.client.Balance(ctx)
	if err != nil {
		return fmt.Errorf("balance: %w", err)
	}
	fmt.Printf("  %s (account %s): RM %s\n", bal.Name, bal.Account, bal.Balance)
	if !bal.CanTopup() {
		return errors.New("balance: this API key is read-only (access 50) and cannot pay")
	}
	if bal.Balance.Cmp(req.Amount) < 0 {
		return fmt.Errorf("balance: RM %s is not enough for RM %s", bal.Balance, req.Amount)
	}
	return nil
}

func (w *walkthrough) findProduct(ctx context.Context, req *iimmpact.TopupRequest) error {
	step(2, "find Digi Prepaid in the product list")
	products, err := w.client.Products(ctx)
	if err != nil {
		return fmt.Errorf("product list: %w", err)
	}
	for _, p := range products {
		if p.Code != req.Product {
			continue
		}
		fmt.Printf("  %s (%s): %s, denominations %v\n", p.Name, p.Code, p.Status, p.Denominations)
		if !p.Active() {
			return fmt.Errorf("product list: %s is %s", p.Code, p.Status)
		}
		if !p.AcceptsAmount(req.Amount) {
			return fmt.Errorf("product list: %s does not sell RM %s", p.Code, req.Amount)
		}
		return nil
	}
	return fmt.Errorf("product list: no product %q", req.Product)
}

func (w *walkthrough) checkNetwork(ctx context.Context, req *iimmpact.TopupRequest) error {
	step(3, "check the network status")
	st, err := w.client.NetworkStatus(ctx, req.Product)
	if err != nil {
		return fmt.Errorf("network status: %w", err)
	}
	fmt.Printf("  %s: %s (as of %s)\n", st.ProductName, st.Status, st.LastUpdated.Format("2006-01-02 15:04:05 MST"))
	if !st.Healthy() {
		fmt.Println("  Interruption is advisory: warn the customer, but still allow the payment.")
	}
	return nil
}

func (w *walkthrough) pay(ctx context.Context, req *iimmpact.TopupRequest) error {
	step(4, "pay, then poll with the same refid while it is processing")
	w.orders.save(*req) // before paying, so the callback can find it
	fmt.Printf("  refid %s: RM %s to %s\n", req.RefID, req.Amount, req.Account)
	tx, err := w.client.WaitTopup(ctx, *req, w.poll, iimmpact.WithOnPoll(func(tx *iimmpact.Transaction) {
		fmt.Printf("  status %s %q\n", tx.StatusCode, tx.Status)
	}))
	if errors.Is(err, iimmpact.ErrOutcomeUnknown) {
		return fmt.Errorf("payment: outcome unknown, not failed; ask again later with refid %s: %w", req.RefID, err)
	}
	if err != nil {
		return fmt.Errorf("payment: %w", err)
	}
	if !tx.StatusCode.IsSuccess() {
		return fmt.Errorf("payment: final status %s, remarks %q (the refid is used up)", tx.StatusCode, tx.Remarks)
	}
	fmt.Printf("  paid: serial %s, cost RM %s, wallet now RM %s\n", tx.SN, tx.Cost, tx.Balance)
	return nil
}

func (w *walkthrough) awaitCallback(ctx context.Context, req *iimmpact.TopupRequest) error {
	step(5, "receive the callback")
	if w.callbacks == nil {
		fmt.Println("  skipped: IIMMPACT cannot reach a local endpoint; configure a public callback URL")
		return nil
	}
	timeout := time.After(30 * time.Second)
	for {
		select {
		case cb := <-w.callbacks:
			fmt.Printf("  %s callback for %s: %s %q\n", cb.Method, cb.RefID, cb.StatusCode, cb.Status)
			if cb.RefID == req.RefID && cb.StatusCode.IsFinal() {
				return nil
			}
		case <-timeout:
			return errors.New("callback: no final callback within 30 s")
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (w *walkthrough) verify(ctx context.Context, req *iimmpact.TopupRequest) error {
	step(6, "verify by asking again with the same refid")
	tx, err := w.client.Topup(ctx, *req)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	fmt.Printf("  %s %q, serial %s (not charged again)\n", tx.StatusCode, tx.Status, tx.SN)
	if !tx.StatusCode.IsSuccess() {
		return fmt.Errorf("verify: status %s", tx.StatusCode)
	}
	return nil
}

func (w *walkthrough) reconcile(ctx context.Context, req *iimmpact.TopupRequest) error {
	step(7, "reconcile with the transaction history")
	page, err := w.client.Transactions(ctx, iimmpact.TransactionQuery{From: time.Now(), Product: req.Product, Limit: 50})
	if err != nil {
		return fmt.Errorf("history: %w", err)
	}
	for _, r := range page.Records {
		if r.RefID == req.RefID {
			fmt.Printf("  trxid %s: %s, RM %s, price RM %s, at %s\n", r.TrxID, r.StatusName, r.Amount, r.Price, r.Date.Format("15:04:05.000"))
			fmt.Printf("  today: %d transactions, RM %s total, RM %s profit\n", page.Summary.TransactionCount, page.Summary.TotalAmount, page.Summary.Profit)
			if r.Amount != req.Amount {
				return fmt.Errorf("history: amount RM %s, paid RM %s", r.Amount, req.Amount)
			}
			return nil
		}
	}
	return fmt.Errorf("history: refid %s not in today's history", req.RefID)
}
