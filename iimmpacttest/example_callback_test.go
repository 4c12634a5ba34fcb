package iimmpacttest_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
)

// callbackSink is a merchant's callback endpoint that parses what it gets.
func callbackSink() (*httptest.Server, func() []string) {
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cb, err := iimmpact.ParseCallback(r)
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			got = append(got, err.Error())
			http.Error(w, "bad callback", http.StatusBadRequest)
			return
		}
		got = append(got, fmt.Sprint(cb.Method, " ", cb.RefID, " ", cb.StatusCode))
	}))
	return srv, func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), got...) }
}

func ExampleServer_SetCallback() {
	rcv, got := callbackSink()
	defer rcv.Close()
	srv := iimmpacttest.NewServer(iimmpacttest.WithSettleAfter(1))
	defer srv.Close()
	srv.SetCallback(rcv.URL, http.MethodGet)

	req := iimmpact.TopupRequest{RefID: "cb-1", Product: "D", Account: "0123456789", Amount: iimmpact.AmountFromInt(10)}
	client := srv.Client()
	for range 2 { // every status calls back: Processing, then the settled one
		if _, err := client.Topup(context.Background(), req); err != nil {
			panic(err)
		}
	}
	if err := srv.WaitCallbacks(context.Background()); err != nil {
		panic(err)
	}
	fmt.Println(got())
	// Output: [GET cb-1 1 (processing) GET cb-1 20 (successful)]
}

func ExampleServer_Callbacks() {
	rcv, _ := callbackSink()
	defer rcv.Close()
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	srv.SetCallback(rcv.URL, http.MethodPost)

	req := iimmpact.TopupRequest{RefID: "cb-2", Product: "D", Account: "0123456789", Amount: iimmpact.AmountFromInt(10)}
	if _, err := srv.Client().Topup(context.Background(), req); err != nil {
		panic(err)
	}
	if err := srv.WaitCallbacks(context.Background()); err != nil {
		panic(err)
	}
	for _, a := range srv.Callbacks() {
		fmt.Println(a.RefID, a.Method, a.HTTPStatus)
	}
	// Output: cb-2 POST 200
}

func ExampleServer_Settle() {
	srv := iimmpacttest.NewServer(iimmpacttest.WithSettleAfter(100))
	defer srv.Close()
	req := iimmpact.TopupRequest{RefID: "slow-1", Product: "D", Account: "0123456789", Amount: iimmpact.AmountFromInt(10)}
	client := srv.Client()
	tx, err := client.Topup(context.Background(), req)
	if err != nil {
		panic(err)
	}
	fmt.Println(tx.StatusCode)

	fmt.Println(srv.Settle("slow-1"), srv.Settle("slow-1")) // pending once, then no longer
	tx, err = client.Topup(context.Background(), req)
	if err != nil {
		panic(err)
	}
	fmt.Println(tx.StatusCode)
	// Output:
	// 1 (processing)
	// true false
	// 20 (successful)
}

func ExampleServer_SetSettleAfter() {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	srv.SetSettleAfter(1) // the next topups stay Processing for one more ask
	req := iimmpact.TopupRequest{RefID: "later-1", Product: "D", Account: "0123456789", Amount: iimmpact.AmountFromInt(10)}
	for range 2 {
		tx, err := srv.Client().Topup(context.Background(), req)
		if err != nil {
			panic(err)
		}
		fmt.Println(tx.StatusCode)
	}
	// Output:
	// 1 (processing)
	// 20 (successful)
}

func ExampleServer_Refund() {
	srv := iimmpacttest.NewServer(iimmpacttest.WithBalance(iimmpact.AmountFromInt(100)))
	defer srv.Close()
	req := iimmpact.TopupRequest{RefID: "void-1", Product: "D", Account: "0123456789", Amount: iimmpact.AmountFromInt(30)}
	if _, err := srv.Client().Topup(context.Background(), req); err != nil {
		panic(err)
	}
	fmt.Println(srv.Balance())
	fmt.Println(srv.Refund("void-1"), srv.Balance())
	rec, _ := srv.TopupRecord("void-1")
	fmt.Println(rec.StatusCode, rec.Debits)
	// Output:
	// 70.6
	// true 100
	// 53 (refunded) 1
}

func ExampleNewCallbackRequest() {
	tx := iimmpact.Transaction{StatusCode: iimmpact.StatusSuccessful, Status: "Succesful", RefID: "order-9",
		Product: "D", Account: "0123456789", Amount: iimmpact.AmountFromInt(10), Cost: iimmpact.MustParseAmount("9.8")}
	r := iimmpacttest.NewCallbackRequest(http.MethodPost, tx)
	cb, err := iimmpact.ParseCallback(r)
	if err != nil {
		panic(err)
	}
	fmt.Println(cb.Method, cb.RefID, cb.StatusCode, cb.Cost)
	_, _ = io.Copy(io.Discard, r.Body)
	// Output: POST order-9 20 (successful) 9.8
}
