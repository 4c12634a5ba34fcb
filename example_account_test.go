package iimmpact_test

import (
	"context"
	"fmt"
	"time"

	"github.com/iimmpact-go/iimmpact"
)

var myt = time.FixedZone("MYT", 8*3600)

func ExampleClient_BillPresentment() {
	client, done := stub(map[string]string{"GET /v2/bill-presentment": `{"data":{"message":"Account no is valid",
		"BillerName":"Tenaga Nasional Berhad","CustomerName":"AHMAD","Outstanding":158.4,"Balance":"158.40"},
		"metadata":{"status_code":200,"last_updated":"19-05-2025 14:49:03"}}`})
	defer done()

	bill, err := client.BillPresentment(context.Background(), iimmpact.BillQuery{Account: "220001234567", Product: "TNB"})
	if err != nil {
		panic(err) // a 400 for an invalid account is an *iimmpact.APIError whose Message is error_message
	}
	if !bill.CanPay() {
		fmt.Println("cannot pay:", bill.ErrorMessage)
		return
	}
	if bill.ShowDetails() && bill.Outstanding != nil {
		fmt.Printf("%s owes RM %s to %s\n", bill.CustomerName, bill.Outstanding, bill.BillerName)
	}
	// Output: AHMAD owes RM 158.4 to Tenaga Nasional Berhad
}

func ExampleClient_BalanceStatement() {
	client, done := stub(map[string]string{"GET /v2/balance-statement": `{"data":[
		{"id":1,"date":"2025-05-01 09:15:02.417","amount":1000,"balance":1048.6333,"remarks":"Deposit","type":"DEPOSIT"}],
		"links":{"next":null},"meta":{"current_page":1,"last_page":1}}`})
	defer done()

	page, err := client.BalanceStatement(context.Background(), iimmpact.BalanceStatementQuery{
		From: time.Date(2025, 5, 1, 0, 0, 0, 0, myt), To: time.Date(2025, 5, 31, 0, 0, 0, 0, myt),
		Type: iimmpact.StatementDeposit,
	})
	if err != nil {
		panic(err)
	}
	for _, e := range page.Entries {
		fmt.Println(e.Date.Format("2006-01-02"), e.Type, e.Amount, "→", e.Balance)
	}
	// Output: 2025-05-01 DEPOSIT 1000 → 1048.6333
}

func ExampleClient_AllBalanceStatement() {
	client, done := stub(map[string]string{"GET /v2/balance-statement": `{"data":[
		{"id":1,"amount":1000,"balance":1048.6333,"type":"DEPOSIT"},{"id":2,"amount":-29.4,"balance":1019.2333,"type":"TRANSACTION"}],
		"links":{"next":null},"meta":{"current_page":1,"last_page":1}}`})
	defer done()

	var net iimmpact.Amount
	q := iimmpact.BalanceStatementQuery{From: time.Date(2025, 5, 1, 0, 0, 0, 0, myt), To: time.Date(2025, 5, 31, 0, 0, 0, 0, myt)}
	for e, err := range client.AllBalanceStatement(context.Background(), q) {
		if err != nil {
			panic(err)
		}
		net = net.Add(e.Amount)
	}
	fmt.Println("net movement in May: RM", net)
	// Output: net movement in May: RM 970.6
}

func ExampleClient_AllTransactions() {
	client, done := stub(map[string]string{"GET /v2/transactions": `{"data":[
		{"trxid":"905187223","refid":"digi-reload-20250115-001","amount":"30.0000","price":"29.4000","status_code":"20"}],
		"meta":{"transaction_count":"1"}}`})
	defer done()

	q := iimmpact.TransactionQuery{
		From:     time.Date(2025, 5, 1, 0, 0, 0, 0, myt),
		To:       time.Date(2025, 5, 31, 0, 0, 0, 0, myt),
		Statuses: []string{"SUCCESSFUL", "FAILED"},
		Limit:    500,
	}
	for rec, err := range client.AllTransactions(context.Background(), q) {
		if err != nil {
			panic(err) // errors.Is(err, iimmpact.ErrPaginationStuck) if the offset stops advancing
		}
		fmt.Println(rec.TrxID, rec.RefID, rec.Outcome(), "cost RM", rec.Price)
	}
	// Output: 905187223 digi-reload-20250115-001 successful cost RM 29.4
}

func ExampleClient_CallbackURL() {
	client, done := stub(map[string]string{"GET /v2/callback-url": `{"data":{"Status":"Success","CallbackUrl":"https://merchant.example.com/iimmpact","Method":"POST"},
		"@metadata":{"status_code":200,"last_updated":"21-05-2025 14:02:56"}}`})
	defer done()

	cfg, err := client.CallbackURL(context.Background())
	if err != nil {
		panic(err)
	}
	fmt.Println(cfg.Method, cfg.URL)
	// Output: POST https://merchant.example.com/iimmpact
}

func ExampleClient_SetCallbackURL() {
	client, done := stub(map[string]string{"POST /v2/callback-url": `{"data":{"Status":"Success","CallbackUrl":"https://merchant.example.com/iimmpact","Method":"POST"},
		"@metadata":{"status_code":200,"last_updated":"21-05-2025 14:02:56"}}`})
	defer done()

	cfg, err := client.SetCallbackURL(context.Background(), "https://merchant.example.com/iimmpact", "POST")
	if err != nil {
		panic(err)
	}
	fmt.Println(cfg.Status, cfg.URL)
	// Output: Success https://merchant.example.com/iimmpact
}

func ExampleClient_LowBalanceThreshold() {
	client, done := stub(map[string]string{"GET /v2/low-balance-threshold": `{"data":{"Status":"Success","Email":"finance@merchant.example.com","BalanceThreshold":1000},
		"@metadata":{"status_code":200,"last_updated":"16-05-2025 18:49:32"}}`})
	defer done()

	a, err := client.LowBalanceThreshold(context.Background())
	if err != nil {
		panic(err)
	}
	fmt.Println("alert", a.Email, "below RM", a.Threshold)
	// Output: alert finance@merchant.example.com below RM 1000
}

func ExampleClient_SetLowBalanceThreshold() {
	client, done := stub(map[string]string{"POST /v2/low-balance-threshold": `{"data":{"Status":"Success","Email":"finance@merchant.example.com","BalanceThreshold":2500},
		"@metadata":{"status_code":200,"last_updated":"2025-05-16 18:49:32"}}`})
	defer done()

	a, err := client.SetLowBalanceThreshold(context.Background(), iimmpact.MustParseAmount("2500"))
	if err != nil {
		panic(err)
	}
	fmt.Println(a.Status, a.Threshold, a.LastUpdated.Format(time.DateTime))
	// Output: Success 2500 2025-05-16 18:49:32
}

func ExampleClient_VoidTransaction() {
	client, done := stub(map[string]string{"POST /v2/transactions/void": `{"data":{"refid":"tnb-bill-20250520-017","status":"Success","message":"Received"}}`})
	defer done()

	res, err := client.VoidTransaction(context.Background(), iimmpact.VoidRequest{
		RefID:  "tnb-bill-20250520-017",
		Type:   iimmpact.RefundOther,
		Reason: "Customer paid the wrong bill",
	})
	if err != nil {
		panic(err)
	}
	// Accepted means a case is open; the refund itself shows later as status 53.
	fmt.Println(res.RefID, res.Accepted())
	// Output: tnb-bill-20250520-017 true
}

func ExampleClient_ReportTransaction() {
	client, done := stub(map[string]string{"POST /v2/transactions/check": `{"data":{"refid":"321479-0-30f4f209-ee","status":"Failed","message":"Failed - duplicate request"}}`})
	defer done()

	res, err := client.ReportTransaction(context.Background(), iimmpact.ReportRequest{TrxID: "905187223"})
	if err != nil {
		panic(err)
	}
	if !res.Accepted() {
		fmt.Println("not opened:", res.Message)
	}
	// Output: not opened: Failed - duplicate request
}
