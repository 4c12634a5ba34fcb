package iimmpact_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/iimmpact-go/iimmpact"
)

func ExampleClient_Catalog() {
	client, done := stub(map[string]string{"GET /v2/catalog": `{"last_updated":"2025-01-07T00:00:00Z",
		"tree":{"groups":[{"id":"grp_mobile","name":"Mobile","categories":[{"id":"cat_prepaid","name":"Prepaid Reload","product_codes":["D"]}]}]},
		"products":{"D":{"code":"D","name":"Digi Prepaid","processing_time":"instant","fields":[]}}}`})
	defer done()

	cat, err := client.Catalog(context.Background(), iimmpact.CatalogQuery{})
	if err != nil {
		panic(err)
	}
	fmt.Println("catalog of", cat.LastUpdated.Format("2006-01-02 15:04 MST"))
	for _, g := range cat.Groups {
		for _, c := range g.Categories {
			for _, code := range c.ProductCodes {
				fmt.Printf("%s / %s / %s (%s)\n", g.Name, c.Name, cat.Products[code].Name, cat.Products[code].ProcessingTime)
			}
		}
	}
	// Output:
	// catalog of 2025-01-07 08:00 MYT
	// Mobile / Prepaid Reload / Digi Prepaid (instant)
}

func ExampleClient_Options() {
	client, done := stub(map[string]string{"GET /v2/options": `{"product_code":"HI","field_id":"plan",
		"items":[{"code":"HI_UNL_30_3M","label":"Unlimited 30 Days (3Mbps)","price":{"amount":"40.00","currency":"MYR"}}],
		"meta":{"current_page":1,"last_page":1,"per_page":100,"total":1}}`})
	defer done()

	page, err := client.Options(context.Background(), iimmpact.OptionsQuery{ProductCode: "HI", FieldID: "plan", AccountNumber: "0123456789"})
	if err != nil {
		panic(err)
	}
	for _, o := range page.Items {
		fmt.Println(o.Code, o.Label, o.Price.Currency, o.Price.Amount)
	}
	// Output: HI_UNL_30_3M Unlimited 30 Days (3Mbps) MYR 40
}

func ExampleClient_AllOptions() {
	client, done := stub(map[string]string{"GET /v2/options": `{"product_code":"JOMPAY","field_id":"biller",
		"items":[{"code":"5454","label":"Tenaga Nasional Berhad"},{"code":"6072","label":"Air Selangor"}],
		"meta":{"current_page":1,"last_page":1,"per_page":1000,"total":2}}`})
	defer done()

	q := iimmpact.OptionsQuery{ProductCode: "JOMPAY", FieldID: "biller", Limit: 1000}
	for biller, err := range client.AllOptions(context.Background(), q) {
		if err != nil {
			fmt.Println("stopped:", err) // e.g. errors.Is(err, iimmpact.ErrPaginationStuck)
			break
		}
		fmt.Println(biller.Code, biller.Label)
	}
	// Output:
	// 5454 Tenaga Nasional Berhad
	// 6072 Air Selangor
}

func ExampleClient_Subproducts() {
	client, done := stub(map[string]string{"GET /v2/subproducts": `{"message":"success",
		"data":[{"subproduct_code":"5454","display_name":"Tenaga Nasional Berhad","min":"1.00","max":"5000.00"}],
		"links":{"next":null}}`})
	defer done()

	list, err := client.Subproducts(context.Background(), iimmpact.SubproductQuery{ProductCode: "JOMPAY"})
	if err != nil {
		panic(err)
	}
	for _, s := range list.Items {
		fmt.Printf("%s %s (RM %s to RM %s)\n", s.Code, s.DisplayName, s.Min, s.Max)
	}
	fmt.Println("more pages:", list.Next != "")
	// Output:
	// 5454 Tenaga Nasional Berhad (RM 1 to RM 5000)
	// more pages: false
}

func ExampleClient_SubproductsNext() {
	client, done := stub(map[string]string{"GET /v2/subproducts": `{"message":"success",
		"data":[{"subproduct_code":"6072","display_name":"Air Selangor"}],"links":{"next":null}}`})
	defer done()

	// Next comes from the previous page's SubproductList.Next.
	list, err := client.SubproductsNext(context.Background(), "/v2/subproducts?product_code=JOMPAY&page=2")
	if err != nil {
		panic(err)
	}
	fmt.Println(list.Items[0].Code, list.Items[0].DisplayName)
	// Output: 6072 Air Selangor
}

func ExampleClient_RegisterCatalogWebhook() {
	client, done := stub(map[string]string{"POST /v2/reseller/catalog/webhook": `{"data":{"webhook_url":"https://your-api.com/iimmpact/catalog-webhook","secret":"whsec_example"}}`})
	defer done()

	reg, err := client.RegisterCatalogWebhook(context.Background(), "https://your-api.com/iimmpact/catalog-webhook")
	if err != nil {
		panic(err)
	}
	// Store string(reg.Secret) in your secret manager now: it is shown once.
	fmt.Println(reg) // printing never shows the secret
	// Output: {URL:https://your-api.com/iimmpact/catalog-webhook Secret:[REDACTED]}
}

func ExampleClient_RotateCatalogWebhookSecret() {
	client, done := stub(map[string]string{"POST /v2/reseller/catalog/webhook/rotate": `{"data":{"secret":"whsec_rotated"}}`})
	defer done()

	rot, err := client.RotateCatalogWebhookSecret(context.Background())
	if err != nil {
		panic(err)
	}
	fmt.Println("new secret received:", rot.Secret != "", rot.Secret)
	// Output: new secret received: true [REDACTED]
}

func ExampleClient_CatalogWebhook() {
	client, done := stub(map[string]string{"GET /v2/reseller/catalog/webhook": `{"data":{"webhook_url":"https://your-api.com/hook","enabled":true}}`})
	defer done()

	cfg, err := client.CatalogWebhook(context.Background())
	if err != nil {
		panic(err)
	}
	fmt.Println(cfg.URL, cfg.Enabled != nil && *cfg.Enabled)
	// Output: https://your-api.com/hook true
}

func ExampleClient_SetCatalogWebhookEnabled() {
	client, done := stub(map[string]string{"PUT /v2/reseller/catalog/webhook": `{"data":{"enabled":false}}`})
	defer done()

	cfg, err := client.SetCatalogWebhookEnabled(context.Background(), false)
	if err != nil {
		panic(err)
	}
	// Events while delivery is off are not queued: call Catalog after turning it back on.
	fmt.Println("enabled:", *cfg.Enabled)
	// Output: enabled: false
}

func ExampleClient_DeleteCatalogWebhook() {
	client, done := stub(map[string]string{"DELETE /v2/reseller/catalog/webhook": ``})
	defer done()

	if err := client.DeleteCatalogWebhook(context.Background()); err != nil {
		panic(err)
	}
	fmt.Println("removed")
	// Output: removed
}

// A catalog webhook receiver: verify the raw body, then parse it.
func ExampleVerifyCatalogWebhook() {
	secret := "whsec_example" // from RegisterCatalogWebhook, kept in your secret store
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, "unreadable", http.StatusBadRequest)
			return
		}
		if err := iimmpact.VerifyCatalogWebhook(body, r.Header.Get(iimmpact.CatalogWebhookSignatureHeader), secret); err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		ev, err := iimmpact.ParseCatalogEvent(body)
		if err != nil {
			http.Error(w, "bad event", http.StatusBadRequest)
			return
		}
		fmt.Println("event", ev.Type, ev.ID)
	})

	body := `{"type":"product.updated","resource":"products","id":"CELCOM10","timestamp":"2024-01-15T10:30:00.000Z","data":{"is_active":true}}`
	for _, sig := range []string{iimmpact.SignCatalogWebhook([]byte(body), secret), "sha256=" + strings.Repeat("0", 64)} {
		req := httptest.NewRequest(http.MethodPost, "/iimmpact/catalog-webhook", strings.NewReader(body))
		req.Header.Set(iimmpact.CatalogWebhookSignatureHeader, sig)
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		fmt.Println(rec.Code)
	}
	// Output:
	// event product.updated CELCOM10
	// 200
	// 401
}

func ExampleSignCatalogWebhook() {
	// Build a signed event for your own handler's tests.
	body := []byte(`{"type":"group.deleted","resource":"groups","id":"grp_mobile","timestamp":"2024-01-15T10:30:00Z","data":null}`)
	sig := iimmpact.SignCatalogWebhook(body, "whsec_test")
	fmt.Println(iimmpact.VerifyCatalogWebhook(body, sig, "whsec_test"))
	err := iimmpact.VerifyCatalogWebhook(body, sig, "whsec_other")
	fmt.Println(errors.Is(err, iimmpact.ErrSignatureMismatch))
	// Output:
	// <nil>
	// true
}

func ExampleParseCatalogEvent() {
	ev, err := iimmpact.ParseCatalogEvent([]byte(`{"type":"option.deleted","resource":"options","id":"HI_UNL_30_3M",
		"timestamp":"2024-01-15T10:30:00.000Z","data":null}`))
	if err != nil {
		panic(err)
	}
	switch {
	case ev.Type.Deleted():
		fmt.Println("remove", ev.Resource, ev.ID, "at", ev.Timestamp.Format("2006-01-02 15:04:05 MST"))
	case ev.Type.Known():
		fmt.Println("upsert", ev.Resource, ev.ID, string(ev.Data))
	default:
		fmt.Println("ignore unknown event", ev.Type)
	}
	// Output: remove options HI_UNL_30_3M at 2024-01-15 18:30:00 MYT
}
