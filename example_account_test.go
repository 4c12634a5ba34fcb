package iimmpact_test

import (
	"context"
	"fmt"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
)

// paid returns a fake with a few settled payments, for the examples that
// read history.
func paid(refids ...string) (*iimmpacttest.Server, *iimmpact.Client) {
	srv := iimmpacttest.NewServer(iimmpacttest.WithBalance(iimmpact.MustParseAmount("100")))
	client := srv.Client()
	for _, r := range refids {
		_, err := client.Topup(context.Background(), iimmpact.TopupRequest{RefID: r, Product: "D", Account: "0123456789",
			Amount: iimmpact.MustParseAmount("10")})
		if err != nil {
			panic(err)
		}
	}
	return srv, client
}

func ExampleClient_BillPresentment() {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	client := srv.Client()

	for _, account := range []string{"220001234567", "60123450052"} {
		bill, err := client.BillPresentment(context.Background(), iimmpact.BillQuery{Account: account, Product: "TNB"})
		if err != nil {
			fmt.Println("cannot pay:", err) // an *iimmpact.APIError whose Message is error_message
			continue
		}
		if !bill.CanPay() {
			fmt.Println("cannot pay:", bill.ErrorMessage)
			continue
		}
		if bill.ShowDetails() && bill.Outstanding != nil {
			fmt.Printf("%s owes RM %s to %s\n", bill.CustomerName, bill.Outstanding, bill.BillerName)
		}
	}
	// Output:
	// DEMO CUSTOMER owes RM 51.41 to Tenaga Nasional Berhad
	// cannot pay: iimmpact: HTTP 400 Bad Request: Invalid account no
}

func ExampleClient_BalanceStatement() {
	srv, client := paid("order-1")
	defer srv.Close()

	page, err := client.BalanceStatement(context.Background(), iimmpact.BalanceStatementQuery{
		From: time.Now().AddDate(0, 0, -1), To: time.Now(), Type: iimmpact.StatementTransaction,
	})
	if err != nil {
		panic(err)
	}
	for _, e := range page.Items {
		fmt.Println(e.Type, e.Amount, "→", e.Balance)
	}
	// Output: TRANSACTION -9.8 → 90.2
}

func ExampleClient_AllBalanceStatement() {
	srv, client := paid("order-1", "order-2", "order-3")
	defer srv.Close()

	var spent iimmpact.Amount
	q := iimmpact.BalanceStatementQuery{From: time.Now().AddDate(0, 0, -30), To: time.Now(), Limit: 2}
	for e, err := range client.AllBalanceStatement(context.Background(), q) {
		if err != nil {
			panic(err)
		}
		spent = spent.Sub(e.Amount)
	}
	fmt.Println("spent in the last 30 days: RM", spent)
	// Output: spent in the last 30 days: RM 29.4
}

func ExampleClient_AllTransactions() {
	srv, client := paid("order-1", "order-2", "order-3")
	defer srv.Close()

	q := iimmpact.TransactionQuery{
		From:     time.Now().AddDate(0, 0, -30),
		To:       time.Now(),
		Statuses: []string{"SUCCESSFUL", "FAILED"},
		Limit:    2, // small pages, to show the paging; use hundreds in production
	}
	for rec, err := range client.AllTransactions(context.Background(), q) {
		if err != nil {
			panic(err) // errors.Is(err, iimmpact.ErrPaginationStuck) if the offset stops advancing
		}
		fmt.Println(rec.RefID, rec.Outcome(), "cost RM", rec.Price)
	}
	// Output:
	// order-1 successful cost RM 9.8
	// order-2 successful cost RM 9.8
	// order-3 successful cost RM 9.8
}

func ExampleClient_CallbackSettings() {
	srv := iimmpacttest.NewServer(iimmpacttest.WithCallback("https://merchant.example.com/iimmpact", "POST"))
	defer srv.Close()
	client := srv.Client()

	cfg, err := client.CallbackSettings(context.Background())
	if err != nil {
		panic(err)
	}
	fmt.Println(cfg.Method, cfg.URL)
	// Output: POST https://merchant.example.com/iimmpact
}

func ExampleClient_SetCallbackURL() {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	client := srv.Client()

	cfg, err := client.SetCallbackURL(context.Background(), "https://merchant.example.com/iimmpact", "POST")
	if err != nil {
		panic(err)
	}
	fmt.Println(cfg.Status, cfg.Method, cfg.URL)
	// Output: Success POST https://merchant.example.com/iimmpact
}

func ExampleClient_LowBalanceAlert() {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()
	if _, err := client.SetLowBalanceThreshold(ctx, iimmpact.MustParseAmount("1000")); err != nil {
		panic(err)
	}

	a, err := client.LowBalanceAlert(ctx)
	if err != nil {
		panic(err)
	}
	fmt.Println("alert below RM", a.Threshold)
	// Output: alert below RM 1000
}

func ExampleClient_SetLowBalanceThreshold() {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	client := srv.Client()

	a, err := client.SetLowBalanceThreshold(context.Background(), iimmpact.MustParseAmount("2500"))
	if err != nil {
		panic(err)
	}
	fmt.Println(a.Status, a.Threshold)

	_, err = client.SetLowBalanceThreshold(context.Background(), iimmpact.MustParseAmount("0.50"))
	fmt.Println(err) // refused before sending
	// Output:
	// Success 2500
	// iimmpact: invalid request: low balance threshold 0.5 is below the minimum of RM 1
}

func ExampleClient_VoidTransaction() {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()
	_, err := client.Topup(ctx, iimmpact.TopupRequest{RefID: "tnb-bill-017", Product: "TNB", Account: "220001234567",
		Amount: iimmpact.MustParseAmount("120.50")})
	if err != nil {
		panic(err)
	}

	res, err := client.VoidTransaction(ctx, iimmpact.VoidRequest{
		RefID:  "tnb-bill-017",
		Type:   iimmpact.RefundOther,
		Reason: "Customer paid the wrong bill",
	})
	if err != nil {
		panic(err)
	}
	// Accepted means a case is open; the refund itself shows later as status 53.
	fmt.Println(res.RefID, res.Accepted())
	// Output: tnb-bill-017 true
}

func ExampleClient_ReportTransaction() {
	srv, client := paid("order-1")
	defer srv.Close()
	ctx := context.Background()

	for range 2 {
		res, err := client.ReportTransaction(ctx, iimmpact.ReportRequest{RefID: "order-1"})
		if err != nil {
			panic(err)
		}
		fmt.Println(res.Accepted(), res.Message)
	}
	// Output:
	// true We've received your request and will update you by email.
	// false Failed - duplicate request
}
