package iimmpacttest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
)

func ExampleWithAccepted() {
	srv := iimmpacttest.NewServer(iimmpacttest.WithAccepted(1), iimmpacttest.WithSettleAfter(1))
	defer srv.Close()
	client := srv.Client()
	req := iimmpact.TopupRequest{RefID: "acc-1", Product: "D", Account: "0123456789", Amount: iimmpact.MustParseAmount("30")}
	for range 3 {
		tx, err := client.Topup(context.Background(), req)
		if err != nil {
			panic(err)
		}
		fmt.Println(tx.StatusCode)
	}
	// Output:
	// 0 (accepted)
	// 1 (processing)
	// 20 (successful)
}

func ExampleWithValidationErrors() {
	for _, form := range []iimmpacttest.ValidationForm{iimmpacttest.ValidationLaravel, iimmpacttest.ValidationStandard} {
		srv := iimmpacttest.NewServer(iimmpacttest.WithValidationErrors(form))
		_, err := srv.Client().Topup(context.Background(), iimmpact.TopupRequest{RefID: "v-1", Product: "DB",
			Account: "0123456789", Amount: iimmpact.MustParseAmount("22.23")})
		var apiErr *iimmpact.APIError
		errors.As(err, &apiErr)
		fmt.Printf("%d statusCode=%d remarks=%q message=%q\n", apiErr.HTTPStatus, apiErr.StatusCode, apiErr.Remarks, apiErr.Message)
		srv.Close()
	}
	// Output:
	// 400 statusCode=0 remarks="" message="The given data was invalid."
	// 400 statusCode=58 remarks="The amount must be an integer." message=""
}

func ExampleWithIPBan() {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	srv := iimmpacttest.NewServer(iimmpacttest.WithServerClock(clock), iimmpacttest.WithIPBan(2, 5*time.Minute, 240*time.Minute))
	defer srv.Close()
	client := srv.Client(iimmpact.WithClock(clock))
	for range 3 {
		_, err := client.Balance(context.Background())
		fmt.Println(err == nil, errors.Is(err, iimmpact.ErrForbidden))
	}
	// Output:
	// true false
	// true false
	// false true
}

func ExampleWithCallbackSource() {
	srv := iimmpacttest.NewServer(iimmpacttest.WithCallbackSource(iimmpact.ProductionCallbackIPs()[0]))
	defer srv.Close()
	fmt.Println(iimmpacttest.DefaultCallbackSource, "->", iimmpact.ProductionCallbackIPs()[0])
	// Output: 127.0.0.1 -> 18.140.170.98
}

func ExampleServer_SetProductActive() {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	client := srv.Client()
	srv.SetProductActive("C", false) // a registered, enabled catalog webhook would get product.deleted
	cat, err := client.Catalog(context.Background(), iimmpact.CatalogQuery{})
	if err != nil {
		panic(err)
	}
	_, listed := cat.Products["C"]
	_, err = client.Topup(context.Background(), iimmpact.TopupRequest{RefID: "c-1", Product: "C", Account: "0123456789",
		Amount: iimmpact.MustParseAmount("10")})
	var apiErr *iimmpact.APIError
	errors.As(err, &apiErr)
	fmt.Println(listed, apiErr.Remarks)
	// Output: false Invalid_Product
}

func ExampleWithCatalogRateLimit() {
	srv := iimmpacttest.NewServer(iimmpacttest.WithCatalogRateLimit("/v2/catalog", 60, 1))
	defer srv.Close()
	client := srv.Client(iimmpact.WithRetryPolicy(iimmpact.RetryPolicy{MaxAttempts: 1}))
	for range 2 {
		_, err := client.Catalog(context.Background(), iimmpact.CatalogQuery{})
		fmt.Println(err == nil, errors.Is(err, iimmpact.ErrRateLimited))
	}
	// Output:
	// true false
	// false true
}

func ExampleServer_CatalogEvents() {
	hook := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer hook.Close()
	srv := iimmpacttest.NewServer(iimmpacttest.WithCatalogEventClient(hook.Client()),
		iimmpacttest.WithCatalogEventPolicy(5, 10*time.Millisecond, time.Second))
	defer srv.Close()
	if _, err := srv.Client().RegisterCatalogWebhook(context.Background(), hook.URL); err != nil {
		panic(err)
	}
	srv.SetProductDisplayName("D", "Digi Prepaid Reload")
	if err := srv.WaitCatalogEvents(context.Background()); err != nil {
		panic(err)
	}
	for _, a := range srv.CatalogEvents() {
		fmt.Println(a.Type, a.ID, a.Attempt, a.HTTPStatus)
	}
	// Output: product.updated D 1 200
}
