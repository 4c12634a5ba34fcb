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
// cannot reach this program's local callback endpoint, so there the
// payments layer's resolver confirms the payment by re-asking alone.
//
// The payment goes through package payments (recorded before it is sent,
// settled by whichever of callback and re-query comes first) over its
// in-memory store, so no database is needed, and package reconcile checks
// the day's payments in that store against IIMMPACT's books.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/iimmpact-go/iimmpact/payments"
	"github.com/iimmpact-go/iimmpact/reconcile"
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
	pays      *payments.Manager
	effects   <-chan payments.Effect
	callbacks bool // false when IIMMPACT cannot reach our endpoint
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
	resolve, stop := context.WithCancel(ctx)
	defer stop()
	go func() { _ = w.pays.Run(resolve) }() // re-asks whatever is left open

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
		m, effects, err := newPayments(client, 5*time.Second) // IIMMPACT's guidance: poll every 5–10 s
		if err != nil {
			return nil, nil, err
		}
		return &walkthrough{client: client, pays: m, effects: effects}, func() {}, nil
	}

	fake := iimmpacttest.NewServer(
		iimmpacttest.WithSettleDelay(300*time.Millisecond), // Processing first, as real reloads often are
		iimmpacttest.WithCallbackPolicy(3, 200*time.Millisecond, 5*time.Second))
	// One client for the payments layer and the walkthrough's own calls:
	// one retry budget, one limiter, as a service would have.
	client := fake.Client()
	m, effects, err := newPayments(client, time.Second)
	if err != nil {
		fake.Close()
		return nil, nil, err
	}
	handler, err := newCallbackHandler(m)
	if err != nil {
		fake.Close()
		return nil, nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fake.Close()
		return nil, nil, err
	}
	hs := &http.Server{Handler: handler, ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(ln)
	fake.SetCallback("http://"+ln.Addr().String()+"/iimmpact/callback", http.MethodPost)
	fmt.Println("Environment: embedded iimmpacttest server at", fake.URL, "(set IIMMPACT_API_KEY and IIMMPACT_HMAC_SECRET for staging)")
	cleanup := func() {
		fake.Close()
		hs.Close()
	}
	return &walkthrough{client: client, pays: m, effects: effects, callbacks: true}, cleanup, nil
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
	step(4, "pay through the payments layer: recorded first, then sent")
	fmt.Printf("  refid %s: RM %s to %s\n", req.RefID, req.Amount, req.Account)
	p, err := w.pays.Pay(ctx, *req)
	if err != nil {
		return fmt.Errorf("payment: %w", err) // not recorded, or the answer not recorded
	}
	fmt.Printf("  %s (IIMMPACT status %s)\n", p.State, p.Status)
	switch p.State {
	case payments.StateRejected:
		return fmt.Errorf("payment: refused, nothing charged: %s", p.Reason)
	case payments.StateFailed:
		return fmt.Errorf("payment: final status %s (the refid is used up)", p.Status)
	}
	return nil // pending or unknown: never failed; the resolver and callbacks settle it
}

func (w *walkthrough) awaitCallback(ctx context.Context, req *iimmpact.TopupRequest) error {
	step(5, "wait for the final state (callback or re-query, whichever comes first)")
	if !w.callbacks {
		fmt.Println("  IIMMPACT cannot reach a local endpoint: the resolver re-asks with the same refid instead")
	}
	wait, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	select {
	case e := <-w.effects:
		fmt.Printf("  effect %s (delivered once per final state)\n", e.Key)
	case <-wait.Done():
		return fmt.Errorf("payment: still open after 2 minutes; not failed, the resolver keeps asking: %w", wait.Err())
	}
	p, err := w.pays.Get(ctx, req.RefID)
	if err != nil {
		return err
	}
	for _, c := range p.History {
		fmt.Printf("  %s -> %s from %s (status %s)\n", c.From, c.To, c.Source, c.Status)
	}
	if p.State != payments.StateSucceeded {
		return fmt.Errorf("payment: %s, status %s", p.State, p.Status)
	}
	fmt.Printf("  paid: serial %s, cost RM %s, wallet now RM %s\n", p.Tx.SN, p.Tx.Cost, p.Tx.Balance)
	return nil
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

// reconcile compares today's payments in the payments layer's store with
// IIMMPACT's history and wallet statement (package reconcile), settling
// through the layer whatever the history proves.
func (w *walkthrough) reconcile(ctx context.Context, req *iimmpact.TopupRequest) error {
	step(7, "reconcile today's payments with IIMMPACT's history and wallet statement")
	ledger := reconcile.NewPaymentsLedger(w.pays)
	r, err := reconcile.New(w.client, ledger, reconcile.WithResolver(ledger))
	if err != nil {
		return err
	}
	rep, err := r.Day(ctx, time.Now())
	if err != nil {
		return fmt.Errorf("reconcile: %w", err)
	}
	var table strings.Builder
	_ = rep.WriteTable(&table)
	fmt.Print(indent(table.String()))
	for _, d := range rep.Discrepancies {
		if d.RefID == req.RefID {
			return fmt.Errorf("reconcile: refid %s: %s %s, ours %s, IIMMPACT's %s", d.RefID, d.Kind, d.Field, d.Expected, d.Actual)
		}
	}
	if !rep.Clean() {
		// Against IIMMPACT itself, today's other payments (earlier runs,
		// other programs on the key) are not in this run's in-memory store.
		fmt.Println("  this payment reconciles; the rest are payments this run's store never recorded")
	}
	return nil
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n  ") + "\n"
}
