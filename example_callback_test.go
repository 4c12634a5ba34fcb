package iimmpact_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
)

func ExampleParseCallback() {
	// IIMMPACT's POST sample.
	body := `{"data":{"statusCode":20,"status":"Succesful","account":"0123456789","product":"GC",
		"productName":"Grab Gift Code","amount":5,"sn":"106648697","pin":"MPHE39G3WL","expiry":"20251116",
		"cost":5,"balance":50.54,"remarks":"","refid":"321479-0-30f4f209-ee","timestamp":"2025-05-20 13:09:34",
		"note":"","voucherlink":"https://api.grab.com/gifts/v2/go?id=7464957319334bb0afbd5980738a2b50"}}`
	r := httptest.NewRequest(http.MethodPost, "/callback", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")

	cb, err := iimmpact.ParseCallback(r)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cb.Method, cb.RefID, cb.StatusCode, cb.Outcome())
	fmt.Println("amount", cb.Amount, "cost", cb.Cost, "balance", cb.Balance)
	fmt.Println(cb.Timestamp)
	fmt.Println(cb) // String leaves the PIN out

	// A GET whose top-level price disagrees with its message is refused.
	q := url.Values{"refid": {"1234t"}, "status": {"48"}, "price": {"9.70"},
		"message": {`{"statusCode":48,"status":"Failed","refid":"1234t","cost":9.73}`}}
	_, err = iimmpact.ParseCallback(httptest.NewRequest(http.MethodGet, "/callback?"+q.Encode(), nil))
	fmt.Println(err)
	// Output:
	// POST 321479-0-30f4f209-ee 20 (successful) successful
	// amount 5 cost 5 balance 50.54
	// 2025-05-20 13:09:34 +0800 MYT
	// refid=321479-0-30f4f209-ee product=GC account=0123456789 amount=5 status=20 (successful) sn=106648697
	// iimmpact: malformed callback: query price differs from message cost
}

func ExampleNewIPAllowlist() {
	allow, err := iimmpact.NewIPAllowlist(iimmpact.ProductionCallbackIPs()...)
	if err != nil {
		fmt.Println(err)
		return
	}
	var seen []bool
	for _, ip := range []string{"18.140.170.98", "::ffff:18.140.170.98", "3.1.120.89"} {
		seen = append(seen, allow.Contains(netip.MustParseAddr(ip)))
	}
	fmt.Println(seen)

	// A typo is an error naming the entry, never a silently shorter list.
	_, err = iimmpact.NewIPAllowlist("18.140.170.98", "43.217.31.158/33")
	fmt.Println(err)
	// Output:
	// [true true false]
	// iimmpact: allowlist entry "43.217.31.158/33": not an IP address or CIDR prefix
}

func ExampleNewCallbackHandler() {
	// The merchant's pending payments, saved before calling Topup.
	var mu sync.Mutex
	pending := map[string]iimmpact.TopupRequest{
		"digi-reload-20250115-001": {RefID: "digi-reload-20250115-001", Product: "D",
			Account: "0123456789", Amount: iimmpact.MustParseAmount("30")},
	}
	allow, err := iimmpact.NewIPAllowlist(iimmpact.ProductionCallbackIPs()...)
	if err != nil {
		fmt.Println(err)
		return
	}
	h, err := iimmpact.NewCallbackHandler(iimmpact.CallbackConfig{
		Allowlist: allow,
		Lookup: func(ctx context.Context, refID string) (iimmpact.TopupRequest, error) {
			mu.Lock()
			defer mu.Unlock()
			req, ok := pending[refID]
			if !ok {
				return iimmpact.TopupRequest{}, iimmpact.ErrUnknownRefID
			}
			return req, nil
		},
		// Requery: client, // to confirm each final status with IIMMPACT first
		Handle: func(ctx context.Context, cb *iimmpact.Callback) error {
			fmt.Println("handle", cb.RefID, cb.Outcome())
			return nil // an error answers 500 and IIMMPACT retries
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	mux := http.NewServeMux()
	mux.Handle("/iimmpact/callback", h)

	tx := iimmpact.Transaction{StatusCode: iimmpact.StatusProcessing, Status: "Processing",
		RefID: "digi-reload-20250115-001", Product: "D", Account: "0123456789", Amount: iimmpact.MustParseAmount("30")}
	deliver := func(method string, tx iimmpact.Transaction, from string) {
		r := iimmpacttest.NewCallbackRequest(method, tx)
		r.URL.Path = "/iimmpact/callback"
		if from != "" {
			r.RemoteAddr = from
		}
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		fmt.Println(method, tx.StatusCode, "->", w.Code, strings.TrimSpace(w.Body.String()))
	}
	deliver(http.MethodPost, tx, "")
	tx.StatusCode, tx.Status = iimmpact.StatusSuccessful, "Succesful"
	deliver(http.MethodPost, tx, "")
	deliver(http.MethodGet, tx, "") // a retry: acknowledged, not handled again
	tx.StatusCode, tx.Status = iimmpact.StatusProcessing, "Processing"
	deliver(http.MethodPost, tx, "") // late: never moves the state back
	deliver(http.MethodPost, tx, "203.0.113.9:5000")
	tx.RefID = "never-sent"
	deliver(http.MethodPost, tx, "")
	// Output:
	// handle digi-reload-20250115-001 pending
	// POST 1 (processing) -> 200 {"received":true}
	// handle digi-reload-20250115-001 successful
	// POST 20 (successful) -> 200 {"received":true}
	// GET 20 (successful) -> 200 {"received":true}
	// POST 1 (processing) -> 200 {"received":true}
	// POST 1 (processing) -> 403 Forbidden
	// POST 1 (processing) -> 404 Not Found
}

// A merchant with their own router parses callbacks with a CallbackParser,
// which checks the source as CallbackHandler does (trusted proxies and
// ported X-Forwarded-For entries included) for POST and GET alike.
func ExampleCallbackParser() {
	allow, _ := iimmpact.NewIPAllowlist(iimmpact.ProductionCallbackIPs()...)
	proxies, _ := iimmpact.NewIPAllowlist("10.0.0.0/8") // your load balancer
	p := &iimmpact.CallbackParser{Allowlist: allow, TrustedProxies: proxies}

	tx := iimmpact.Transaction{StatusCode: iimmpact.StatusSuccessful, Status: "Succesful",
		RefID: "digi-reload-20250115-001", Product: "D", Account: "0123456789", Amount: iimmpact.MustParseAmount("30")}
	for _, from := range []struct{ peer, xff string }{
		{"10.0.0.7:33000", "18.140.170.98:4711"}, // through the load balancer, port and all
		{"203.0.113.9:5000", "18.140.170.98"},    // a stranger claiming to be IIMMPACT
	} {
		r := iimmpacttest.NewCallbackRequest(http.MethodGet, tx)
		r.RemoteAddr = from.peer
		r.Header.Set("X-Forwarded-For", from.xff)
		cb, err := p.Parse(nil, r)
		if errors.Is(err, iimmpact.ErrCallbackSource) {
			fmt.Println("refused: answer 403")
			continue
		}
		fmt.Println("parsed", cb.RefID, cb.Outcome())
	}
	// Output:
	// parsed digi-reload-20250115-001 successful
	// refused: answer 403
}

// The lease protocol a CallbackStore keeps: a worker that outlived its
// lease can neither free nor overwrite its successor's.
func ExampleMemoryCallbackStore() {
	ctx := context.Background()
	s := iimmpact.NewMemoryCallbackStore()
	slow, res, _ := s.Claim(ctx, "r1", iimmpact.StatusSuccessful, 10*time.Millisecond)
	fmt.Println("A:", res)
	time.Sleep(20 * time.Millisecond) // A's lease lapses
	next, res, _ := s.Claim(ctx, "r1", iimmpact.StatusSuccessful, time.Minute)
	fmt.Println("B:", res)
	fmt.Println("A releases:", errors.Is(s.Release(ctx, slow), iimmpact.ErrLeaseLost))
	_, res, _ = s.Claim(ctx, "r1", iimmpact.StatusSuccessful, time.Minute)
	fmt.Println("C:", res)
	next, _ = s.Renew(ctx, next, time.Minute) // B works on
	fmt.Println("B completes:", s.Complete(ctx, next))
	_, res, _ = s.Claim(ctx, "r1", iimmpact.StatusSuccessful, time.Minute)
	fmt.Println("D:", res)
	// Output:
	// A: act
	// B: act
	// A releases: true
	// C: busy
	// B completes: <nil>
	// D: duplicate
}
