package iimmpact_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
)

func ExampleWithRateLimit() {
	// At most 20 requests a second on average, bursts of 40, for every
	// request of this client: first attempts, retries and polls alike.
	client, err := iimmpact.New("iimm_prod_example", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		iimmpact.WithRateLimit(20, 40))
	if err != nil {
		log.Fatal(err)
	}
	_ = client

	// A pace that could reach IIMMPACT's IP ban on its own is refused.
	_, err = iimmpact.New("iimm_prod_example", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		iimmpact.WithRateLimit(120, 100))
	fmt.Println(err)
	// Output: iimmpact: WithRateLimit(120, 100) could send 36100 requests in 5 minutes; 30000 trip IIMMPACT's 240-minute IP ban
}

func ExampleErrDuplicateRefID() {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	client := srv.Client()
	first := iimmpact.TopupRequest{RefID: "order-11", Product: "D", Account: "0123456789", Amount: iimmpact.MustParseAmount("30")}
	if _, err := client.Topup(context.Background(), first); err != nil {
		log.Fatal(err)
	}

	// The same refid with another amount: IIMMPACT refuses it, because the
	// refid already belongs to the first payment, which may well be paid.
	second := first
	second.Amount = iimmpact.MustParseAmount("10")
	_, err := client.Topup(context.Background(), second)
	switch {
	case errors.Is(err, iimmpact.ErrDuplicateRefID):
		fmt.Println("refid taken: reconcile it, never treat the order as unpaid")
	case errors.Is(err, iimmpact.ErrOutcomeUnknown):
		fmt.Println("unknown: ask again with the same request")
	}
	fmt.Println(errors.Is(err, iimmpact.ErrOutcomeUnknown))
	// Output:
	// refid taken: reconcile it, never treat the order as unpaid
	// true
}

func ExampleFieldError() {
	// Before 23 March 2026 IIMMPACT answered validation errors in Laravel's
	// form; after it, with statusCode 58 and the text in remarks. Both come
	// out as typed field errors.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"message":"The given data was invalid.","errors":{"amount":["The amount must be an integer."]}}`))
	}))
	defer srv.Close()
	client, err := iimmpact.New("iimm_dev_example", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", iimmpact.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	req := iimmpact.TopupRequest{RefID: "order-12", Product: "D", Account: "0123456789", Amount: iimmpact.MustParseAmount("30.5")}
	_, err = client.Topup(context.Background(), req)
	var apiErr *iimmpact.APIError
	if errors.As(err, &apiErr) && !errors.Is(err, iimmpact.ErrOutcomeUnknown) {
		for _, f := range apiErr.Fields {
			fmt.Println(f.Field+":", f.Messages)
		}
		fmt.Println(err)
	}
	// Output:
	// amount: [The amount must be an integer.]
	// iimmpact: HTTP 400 Bad Request: The given data was invalid.; amount: The amount must be an integer.
}
