package iimmpact_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
)

func ExampleNew() {
	// Production is the default; staging and local fakes take WithBaseURL.
	client, err := iimmpact.New("iimm_dev_example", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		iimmpact.WithBaseURL(iimmpact.StagingURL),
		iimmpact.WithUserAgent("my-shop/1.2"))
	if err != nil {
		log.Fatal(err)
	}
	_ = client

	// Mistakes fail here, not at the first payment.
	_, err = iimmpact.New("iimm_dev_example", "not base64!")
	fmt.Println(err)
	_, err = iimmpact.New("iimm_dev_example", "AAECAwQF", iimmpact.WithBaseURL("http://api.iimmpact.com"))
	fmt.Println(err)
	// Output:
	// iimmpact: HMAC secret is not standard Base64 (copy it from Dashboard > Developer > API Keys)
	// iimmpact: base URL "http://api.iimmpact.com": plain http is allowed only for loopback hosts
}

func ExampleClient_Balance() {
	srv := iimmpacttest.NewServer() // a fake IIMMPACT; use iimmpact.New in production
	defer srv.Close()
	client := srv.Client()

	bal, err := client.Balance(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(bal.Name, bal.Balance, bal.CanTopup())
	// Output: Demo Merchant Sdn Bhd 950 true
}

func ExampleClient_Products() {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	products, err := srv.Client().Products(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range products {
		if p.Code == "D" {
			fmt.Println(p.Name, p.Denominations, p.AcceptsAmount(iimmpact.MustParseAmount("30")), p.AcceptsAmount(iimmpact.MustParseAmount("22.23")))
		}
	}
	// Output: Digi Prepaid [5 10 15 20 25 30 50 100] true false
}

func ExampleClient_NetworkStatus() {
	srv := iimmpacttest.NewServer(iimmpacttest.WithNetworkStatus("D", "Interruption"))
	defer srv.Close()
	status, err := srv.Client().NetworkStatus(context.Background(), "D")
	if err != nil {
		log.Fatal(err)
	}
	if !status.Healthy() {
		fmt.Println("warn the customer, but still allow the payment")
	}
	// Output: warn the customer, but still allow the payment
}

func ExampleClient_Topup() {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	req := iimmpact.TopupRequest{
		RefID:   "digi-reload-20250115-001", // in real code: iimmpact.NewRefID(), stored with the order first
		Product: "D",
		Account: "0123456789",
		Amount:  iimmpact.MustParseAmount("30"),
		Remarks: "Digi Prepaid RM30",
	}
	tx, err := client.Topup(ctx, req)
	var apiErr *iimmpact.APIError
	switch {
	case errors.Is(err, iimmpact.ErrOutcomeUnknown):
		fmt.Println("unknown: ask again with the same request") // never "failed"
	case errors.As(err, &apiErr):
		fmt.Println("refused, nothing charged:", apiErr.Remarks)
	case err != nil:
		log.Fatal(err)
	case tx.StatusCode.IsPending():
		fmt.Println("pending: wait for the callback or use WaitTopup")
	case tx.StatusCode.IsSuccess():
		fmt.Println("paid", tx.Amount, "cost", tx.Cost)
	default:
		fmt.Println("final:", tx.StatusCode)
	}

	// Sending the same request again never charges twice.
	again, _ := client.Topup(ctx, req)
	fmt.Println(again.StatusCode, srv.Debits(req.RefID))

	// A denomination Digi does not sell is refused before anything is created.
	req.RefID, req.Amount = "digi-reload-20250115-002", iimmpact.MustParseAmount("22.23")
	_, err = client.Topup(ctx, req)
	fmt.Println(errors.As(err, &apiErr), apiErr.StatusCode, errors.Is(err, iimmpact.ErrOutcomeUnknown))
	// Output:
	// paid 30 cost 29.4
	// 20 (successful) 1
	// true 58 (invalid amount, account or denomination) false
}

func ExampleClient_WaitTopup() {
	srv := iimmpacttest.NewServer(iimmpacttest.WithSettleAfter(2)) // Processing for two polls
	defer srv.Close()
	client := srv.Client()

	req := iimmpact.TopupRequest{RefID: iimmpact.NewRefID(), Product: "D", Account: "0123456789", Amount: iimmpact.MustParseAmount("10")}
	tx, err := client.WaitTopup(context.Background(), req,
		iimmpact.WithPollInterval(10*time.Millisecond, 20*time.Millisecond), // default: 5-10 s
		iimmpact.WithOnPoll(func(tx *iimmpact.Transaction) { fmt.Println("seen:", tx.Status) }))
	if errors.Is(err, iimmpact.ErrOutcomeUnknown) {
		fmt.Println("still unknown; keep the refid and ask again later") // tx is the last state seen
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tx.Outcome(), tx.Cost)
	// Output:
	// seen: Processing
	// seen: Processing
	// seen: Succesful
	// successful 9.8
}

func ExampleClient_Transactions() {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()
	req := iimmpact.TopupRequest{RefID: "order-42", Product: "D", Account: "0123456789", Amount: iimmpact.MustParseAmount("30")}
	if _, err := client.Topup(ctx, req); err != nil {
		log.Fatal(err)
	}

	page, err := client.Transactions(ctx, iimmpact.TransactionQuery{From: time.Now(), Limit: 5, Product: "D"})
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range page.Items {
		fmt.Println(r.RefID, r.StatusName, r.Outcome(), r.Amount, r.Price)
	}
	fmt.Println("total", page.Summary.TotalAmount, "profit", page.Summary.Profit)
	// Output:
	// order-42 Successful successful 30 29.4
	// total 30 profit 0.6
}

func ExampleNewRefID() {
	id := iimmpact.NewRefID()
	fmt.Println(len(id) <= iimmpact.MaxRefIDLen)
	// Output: true
}

func ExampleCanonicalQuery() {
	q := url.Values{"product": {"D"}, "date": {"2025-05-01 - 2025-05-31"}, "status": {"SUCCESSFUL", "FAILED"}}
	fmt.Println(iimmpact.CanonicalQuery(q))
	// Output: date=2025-05-01 - 2025-05-31&product=D&status=FAILED&status=SUCCESSFUL
}

func ExampleSigner_Sign() {
	signer, err := iimmpact.NewSigner("iimm_dev_example", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	if err != nil {
		log.Fatal(err)
	}
	req, _ := http.NewRequest("GET", "https://api.iimmpact.com/v2/balance", nil)
	if err := signer.Sign(req, nil, time.Unix(1704067200, 0), "req-1704067200-a1b2c3d4e5f6a7b8"); err != nil {
		log.Fatal(err)
	}
	fmt.Println(req.Header.Get("X-Signature"))
	// Output: v1=6DsQ9h4Ol1bdn0DGwd02wira6/xyjYKdCc3R2oZXce4=
}

func ExampleTransport() {
	// For calls the SDK does not type, sign any request with the Transport;
	// the fake checks the signature as IIMMPACT would.
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	signer, err := iimmpact.NewSigner(srv.APIKey, srv.HMACSecret)
	if err != nil {
		log.Fatal(err)
	}
	hc := &http.Client{Transport: &iimmpact.Transport{Signer: signer}}
	resp, err := hc.Get(srv.URL + "/v2/balance")
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	fmt.Println(resp.Status)
	// Output: 200 OK
}

func ExampleParseAmount_json() {
	// IIMMPACT sends money as numbers in one place and strings in another.
	a, _ := iimmpact.ParseAmount("30.0000")
	b := iimmpact.MustParseAmount("29.4")
	fmt.Println(a, a.Sub(b), a.Cmp(b))
	// Output: 30 0.6 1
}

func ExampleParseOutcome() {
	for _, w := range []string{"Succesful", "Successful", "SUCCESSFUL", "Processing", "Failed", "Refund", "Sent"} {
		fmt.Print(iimmpact.ParseOutcome(w), " ")
	}
	fmt.Println()
	// Output: successful successful successful pending failed refunded unknown
}

func ExampleStatusCode() {
	for _, c := range []iimmpact.StatusCode{iimmpact.StatusAccepted, iimmpact.StatusSuccessful, iimmpact.StatusInsufficientCredit, 99} {
		fmt.Println(c, c.IsPending(), c.IsFinal(), c.IsSuccess())
	}
	// Output:
	// 0 (accepted) true false false
	// 20 (successful) false true true
	// 43 (insufficient wallet credit) false true false
	// 99 (undocumented) false false false
}

func ExampleWithRetryPolicy() {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	// Two failed answers, then the real one: the client rides them out.
	srv.ScriptFaults("/v2/balance", iimmpacttest.StatusFault(503), iimmpacttest.RateLimitFault(0))

	p := iimmpact.DefaultRetryPolicy()
	p.BaseDelay, p.MaxDelay = time.Millisecond, 10*time.Millisecond // tests only; keep the defaults in production
	p.OnRetry = func(e iimmpact.RetryEvent) { fmt.Println("retry after HTTP", e.HTTPStatus) }
	client := srv.Client(iimmpact.WithRetryPolicy(p))

	bal, err := client.Balance(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(bal.Balance)
	// Output:
	// retry after HTTP 503
	// retry after HTTP 429
	// 950
}

func ExampleWithHTTPClient() {
	// Bring your own transport (proxy, TLS settings); the SDK wraps it with
	// signing and leaves hc unchanged. hc.Timeout applies per attempt.
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	hc := &http.Client{Timeout: 40 * time.Second}
	client, err := iimmpact.New(srv.APIKey, srv.HMACSecret, iimmpact.WithBaseURL(srv.URL), iimmpact.WithHTTPClient(hc))
	if err != nil {
		log.Fatal(err)
	}
	defer client.CloseIdleConnections()
	bal, err := client.Balance(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(bal.Balance, hc.Timeout, hc.Transport == nil)
	// Output: 950 40s true
}

func ExampleWithLogger() {
	// Debug level logs each request (method, path, status, duration), each
	// retry and each canonical string signed; never a secret, signature,
	// PIN or body.
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	client := srv.Client(iimmpact.WithLogger(logger))
	if _, err := client.Balance(context.Background()); err != nil {
		log.Fatal(err)
	}
	logged := buf.String()
	fmt.Println(strings.Contains(logged, `msg="iimmpact: request" method=GET path=/v2/balance status=200`))
	fmt.Println(strings.Contains(logged, srv.HMACSecret), strings.Contains(logged, "X-Signature"))
	// Output:
	// true
	// false false
}

func ExampleOutcomeUnknownError() {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	// The payment goes through, but its answer is lost every time.
	srv.InjectFaults("/v2/topup", 1, iimmpacttest.StatusFault(502).AfterProcessing())
	client := srv.Client(iimmpact.WithRetryPolicy(iimmpact.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond}))

	req := iimmpact.TopupRequest{RefID: "order-7", Product: "D", Account: "0123456789", Amount: iimmpact.MustParseAmount("10")}
	_, err := client.Topup(context.Background(), req)
	var unknown *iimmpact.OutcomeUnknownError
	if errors.As(err, &unknown) {
		fmt.Println("not failed; ask again about", unknown.RefID)
	}

	srv.ClearFaults()
	tx, err := client.Topup(context.Background(), req) // the same request: no second charge
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tx.StatusCode, "debits:", srv.Debits(req.RefID))
	// Output:
	// not failed; ask again about order-7
	// 20 (successful) debits: 1
}

func ExampleTopupRequest_Validate() {
	req := iimmpact.TopupRequest{RefID: "order-8", Product: "D", Account: "0123456789"}
	err := req.Validate() // Topup runs it before any network call
	fmt.Println(errors.Is(err, iimmpact.ErrInvalidRequest), err)
	// Output: true iimmpact: invalid request: amount 0 is not positive
}

func ExampleAPIError() {
	srv := iimmpacttest.NewServer(iimmpacttest.WithBalance(iimmpact.MustParseAmount("5")))
	defer srv.Close()
	req := iimmpact.TopupRequest{RefID: "order-9", Product: "D", Account: "0123456789", Amount: iimmpact.MustParseAmount("30")}
	_, err := srv.Client().Topup(context.Background(), req)
	var apiErr *iimmpact.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.HTTPStatus, apiErr.StatusCode, apiErr.Remarks, "unknown:", errors.Is(err, iimmpact.ErrOutcomeUnknown))
	}
	// Output: 400 43 (insufficient wallet credit) Insufficient_Balance unknown: false
}

func ExampleStatusCode_IsPending() {
	// Accepted and Processing are pending: never treat them as failures.
	for _, c := range []iimmpact.StatusCode{iimmpact.StatusAccepted, iimmpact.StatusProcessing, iimmpact.StatusSuccessful} {
		fmt.Println(c, c.IsPending())
	}
	// Output:
	// 0 (accepted) true
	// 1 (processing) true
	// 20 (successful) false
}

func ExampleStatusCode_IsFinal() {
	// An undocumented code is neither pending nor final: ask again.
	for _, c := range []iimmpact.StatusCode{iimmpact.StatusProcessing, iimmpact.StatusSuccessful, iimmpact.StatusRefund, 99} {
		fmt.Println(c, c.IsFinal())
	}
	// Output:
	// 1 (processing) false
	// 20 (successful) true
	// 53 (refunded) true
	// 99 (undocumented) false
}

func ExampleStatusCode_IsSuccess() {
	for _, c := range []iimmpact.StatusCode{iimmpact.StatusSuccessful, iimmpact.StatusInsufficientCredit, iimmpact.StatusProcessing} {
		fmt.Println(c, c.IsSuccess())
	}
	// Output:
	// 20 (successful) true
	// 43 (insufficient wallet credit) false
	// 1 (processing) false
}

func ExampleProduct_AcceptsAmount() {
	fixed := iimmpact.Product{Code: "D", DenominationText: "5,10,30", Denominations: []iimmpact.Amount{
		iimmpact.AmountFromInt(5), iimmpact.AmountFromInt(10), iimmpact.AmountFromInt(30)}}
	open := iimmpact.Product{Code: "TNB"} // no list: any positive amount
	fmt.Println(fixed.AcceptsAmount(iimmpact.AmountFromInt(10)), fixed.AcceptsAmount(iimmpact.AmountFromInt(20)))
	fmt.Println(open.AcceptsAmount(iimmpact.MustParseAmount("87.45")), open.AcceptsAmount(iimmpact.Amount{}))
	// Output:
	// true false
	// true false
}

func ExampleNewSigner() {
	// NewSigner checks the credentials before anything is signed.
	if _, err := iimmpact.NewSigner("iimm_dev_example", "not base64!"); err != nil {
		fmt.Println("refused: the secret is not Base64")
	}
	signer, err := iimmpact.NewSigner("iimm_dev_example", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	fmt.Println(signer != nil, err)
	// Output:
	// refused: the secret is not Base64
	// true <nil>
}

func ExampleWithBaseURL() {
	// A base URL is a scheme and host: the client adds /v2/... itself.
	_, err := iimmpact.New("iimm_dev_example", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		iimmpact.WithBaseURL("https://staging.iimmpact.com/v2"))
	fmt.Println(err)
	_, err = iimmpact.New("iimm_dev_example", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		iimmpact.WithBaseURL(iimmpact.StagingURL))
	fmt.Println(err)
	// Output:
	// iimmpact: base URL "https://staging.iimmpact.com/v2" must have no path: the client adds /v2/... itself
	// <nil>
}

func ExampleWithClock() {
	// The clock stamps X-Timestamp; a fake and a client that share one
	// agree on time, so a test can run in any month it likes.
	may := func() time.Time { return time.Date(2025, 5, 15, 12, 0, 0, 0, time.UTC) }
	srv := iimmpacttest.NewServer(iimmpacttest.WithServerClock(may))
	defer srv.Close()
	client := srv.Client(iimmpact.WithClock(may))
	bal, err := client.Balance(context.Background())
	fmt.Println(bal.Balance, err)
	// Output: 950 <nil>
}

func ExampleClient_AllSubproducts() {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	q := iimmpact.SubproductQuery{ProductCode: "JOMPAY", Limit: 1} // one biller a page
	n := 0
	for s, err := range srv.Client().AllSubproducts(context.Background(), q) {
		if err != nil {
			log.Fatal(err)
		}
		n++
		_ = s.Code
	}
	fmt.Println(n, "billers in", srv.Requests("/v2/subproducts"), "pages")
	// Output: 2 billers in 2 pages
}

func ExampleWithCallbackRetention() {
	// Remember refids for a week rather than the default.
	store := iimmpact.NewMemoryCallbackStore(iimmpact.WithCallbackRetention(7 * 24 * time.Hour))
	fmt.Println(store.Len())
	// Output: 0
}
