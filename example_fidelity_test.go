package iimmpact_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
)

func ExampleCatalogProduct_BuildTopup() {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	cat, err := client.Catalog(ctx, iimmpact.CatalogQuery{ProductCode: "JOMPAY"})
	if err != nil {
		panic(err)
	}
	jompay := cat.Products["JOMPAY"]
	form := iimmpact.TopupForm{RefID: "bill-7", Values: map[string]string{
		"account": "12345678", "biller": "5454", "amount": "120.50"}}
	if _, err := jompay.BuildTopup(form); err != nil {
		fmt.Println(err) // nothing was sent
	}
	form.Values["ic_number"] = "900101015555" // the eKYC-verified IC the AMLA rule requires
	req, err := jompay.BuildTopup(form)
	if err != nil {
		panic(err)
	}
	tx, err := client.Topup(ctx, req)
	if err != nil {
		panic(err)
	}
	fmt.Println(req.Product, req.Extras.BillerCode, tx.StatusCode.IsSuccess())
	// Output:
	// iimmpact: invalid request: product JOMPAY field "ic_number" is required
	// JOMPAY 5454 true
}

func ExampleRequiredExtras() {
	fmt.Println(iimmpact.RequiredExtras("JOMPAY"), iimmpact.RequiredExtras("PTPTN"), iimmpact.RequiredExtras("D"))
	err := (&iimmpact.TopupRequest{RefID: "r", Product: "PTPTN", Account: "900101015555",
		Amount: iimmpact.MustParseAmount("100")}).Validate()
	var missing *iimmpact.MissingExtrasError
	fmt.Println(errors.As(err, &missing), missing.Keys, errors.Is(err, iimmpact.ErrInvalidRequest))
	// Output:
	// [biller_code ic_number] [subproduct_code ic_number] []
	// true [subproduct_code ic_number] true
}

func ExampleExtras_Set() {
	var e iimmpact.Extras
	e.Set("biller_code", "5454") // a documented key lands in its field
	e.Set("meter_no", "M-77")    // any other key a fulfillment names
	b, _ := json.Marshal(e)
	fmt.Println(e.BillerCode, string(b))
	// Output: 5454 {"biller_code":"5454","meter_no":"M-77"}
}

func ExampleCatalogEvent_Product() {
	ev, err := iimmpact.ParseCatalogEvent([]byte(`{"type":"product.updated","resource":"products","id":"CELCOM10",
	 "timestamp":"2024-01-15T10:30:00.000Z","data":{"product_code":"CELCOM10","product_category_code":"MOBILE_PREPAID",
	 "name":"Celcom Prepaid","display_name":"Celcom Prepaid Reload","is_active":true}}`))
	if err != nil {
		panic(err)
	}
	p, err := ev.Product()
	if err != nil {
		panic(err)
	}
	fmt.Println(p.ProductCode, p.ProductCategoryCode, p.DisplayName, p.IsActive)
	// Output: CELCOM10 MOBILE_PREPAID Celcom Prepaid Reload true
}

func ExampleNewCatalogCache() {
	ctx := context.Background()
	var handler atomic.Pointer[http.Handler] // set once the secret is known
	hook := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		(*handler.Load()).ServeHTTP(w, r)
	}))
	defer hook.Close()
	srv := iimmpacttest.NewServer(iimmpacttest.WithCatalogEventClient(hook.Client()))
	defer srv.Close()
	client := srv.Client()

	cache, err := iimmpact.NewCatalogCache(client)
	if err != nil {
		panic(err)
	}
	secret, err := client.RegisterCatalogWebhook(ctx, hook.URL+"/catalog")
	if err != nil {
		panic(err)
	}
	h := cache.WebhookHandler(string(secret.Secret)) // events keep the cache current
	handler.Store(&h)
	if _, err := cache.Refresh(ctx); err != nil {
		panic(err)
	}
	_, before := cache.Product("C")
	srv.SetProductActive("C", false) // IIMMPACT sends product.deleted
	if err := srv.WaitCatalogEvents(ctx); err != nil {
		panic(err)
	}
	_, after := cache.Product("C")
	fmt.Println(before, after)
	// Output: true false
}
