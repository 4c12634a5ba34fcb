package iimmpact_test

import (
	"context"
	"fmt"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
)

// The examples run against iimmpacttest, a fake IIMMPACT that checks every
// signature. In production, build the client with iimmpact.New(apiKey,
// hmacSecret) instead of srv.Client().

func ExampleClient_Catalog() {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	client := srv.Client()

	cat, err := client.Catalog(context.Background(), iimmpact.CatalogQuery{})
	if err != nil {
		panic(err)
	}
	for _, g := range cat.Groups {
		for _, c := range g.Categories {
			for _, code := range c.ProductCodes {
				fmt.Printf("%s / %s / %s\n", g.Name, c.Name, cat.Products[code].Name)
			}
		}
	}
	// Output:
	// Mobile Reload / Prepaid / Digi Prepaid
	// Mobile Reload / Prepaid / Celcom Prepaid
	// Mobile Reload / Prepaid / Hotlink Prepaid
	// Bill Payment / Utilities / Tenaga Nasional Berhad
	// Bill Payment / Postpaid / Digi Postpaid
	// Bill Payment / JomPAY / JomPAY
	// Bill Payment / Education / PTPTN Loan Repayment
	// Gift Card / In Store Voucher / Grab Gift Code
	// Mobile Data / Internet / Hotlink Internet
	// eSIM / Travel eSIM / eSIM Asia 5GB
}

func ExampleClient_Options() {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	client := srv.Client()

	page, err := client.Options(context.Background(), iimmpact.OptionsQuery{ProductCode: "GC", FieldID: "amount", Limit: 2})
	if err != nil {
		panic(err)
	}
	for _, o := range page.Items {
		fmt.Println(o.Code, o.Label, o.Price.Currency, o.Price.Amount)
	}
	fmt.Printf("page %d of %d\n", page.Meta.CurrentPage, page.Meta.LastPage)
	// Output:
	// GC_5 RM 5 MYR 5
	// GC_10 RM 10 MYR 10
	// page 1 of 3
}

func ExampleClient_AllOptions() {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	client := srv.Client()

	q := iimmpact.OptionsQuery{ProductCode: "GC", FieldID: "amount", Limit: 2}
	for o, err := range client.AllOptions(context.Background(), q) {
		if err != nil {
			fmt.Println("stopped:", err) // e.g. errors.Is(err, iimmpact.ErrPaginationStuck)
			break
		}
		fmt.Print(o.Code, " ")
	}
	fmt.Println()
	// Output: GC_5 GC_10 GC_25 GC_50 GC_100
}

func ExampleClient_Subproducts() {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	client := srv.Client()

	list, err := client.Subproducts(context.Background(), iimmpact.SubproductQuery{ProductCode: "TNB"})
	if err != nil {
		panic(err)
	}
	for _, s := range list.Items {
		fmt.Printf("%s: RM %s to RM %s\n", s.DisplayName, s.Min, s.Max)
	}
	// Output: Tenaga Nasional Berhad: RM 1 to RM 5000
}

func ExampleClient_SubproductsNext() {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	list, err := client.Subproducts(ctx, iimmpact.SubproductQuery{ProductCode: "GC", Limit: 3})
	for err == nil {
		for _, s := range list.Items {
			fmt.Print(s.Code, " ")
		}
		if list.Next == "" {
			break
		}
		list, err = client.SubproductsNext(ctx, list.Next)
	}
	if err != nil {
		panic(err)
	}
	fmt.Println()
	// Output: GC_5 GC_10 GC_25 GC_50 GC_100
}

func ExampleClient_RegisterCatalogWebhook() {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	client := srv.Client()

	reg, err := client.RegisterCatalogWebhook(context.Background(), "https://your-api.com/iimmpact/catalog-webhook")
	if err != nil {
		panic(err)
	}
	// Store string(reg.Secret) in your secret manager now: it is shown once.
	fmt.Println(reg) // printing never shows the secret
	// Output: {URL:https://your-api.com/iimmpact/catalog-webhook Secret:[REDACTED]}
}

func ExampleClient_RotateCatalogWebhookSecret() {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()
	if _, err := client.RegisterCatalogWebhook(ctx, "https://your-api.com/hook"); err != nil {
		panic(err)
	}

	rot, err := client.RotateCatalogWebhookSecret(ctx)
	if err != nil {
		panic(err)
	}
	fmt.Println("new secret received:", rot.Secret != "", rot.Secret)
	// Output: new secret received: true [REDACTED]
}

func ExampleClient_CatalogWebhook() {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()
	if _, err := client.RegisterCatalogWebhook(ctx, "https://your-api.com/hook"); err != nil {
		panic(err)
	}

	cfg, err := client.CatalogWebhook(ctx)
	if err != nil {
		panic(err)
	}
	fmt.Println(cfg.URL, cfg.Enabled != nil && *cfg.Enabled)
	// Output: https://your-api.com/hook true
}

func ExampleClient_SetCatalogWebhookEnabled() {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()
	if _, err := client.RegisterCatalogWebhook(ctx, "https://your-api.com/hook"); err != nil {
		panic(err)
	}

	cfg, err := client.SetCatalogWebhookEnabled(ctx, false)
	if err != nil {
		panic(err)
	}
	// Events while delivery is off are not queued: call Catalog after turning it back on.
	fmt.Println("enabled:", *cfg.Enabled)
	// Output: enabled: false
}

func ExampleClient_DeleteCatalogWebhook() {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()
	if _, err := client.RegisterCatalogWebhook(ctx, "https://your-api.com/hook"); err != nil {
		panic(err)
	}

	if err := client.DeleteCatalogWebhook(ctx); err != nil {
		panic(err)
	}
	_, err := client.CatalogWebhook(ctx)
	fmt.Println(err)
	// Output: iimmpact: HTTP 404 Not Found: No catalog webhook is registered
}
