// Package iimmpact is a client for IIMMPACT's v2 API: prepaid reloads, bill
// payments, vouchers and eSIMs for Malaysian merchants.
//
// It signs every request with IIMMPACT's HMAC-SHA256 scheme, keeps money
// exact, retries only what is safe to send twice, and never reports a
// payment whose outcome it could not learn as failed.
//
// # Getting started
//
// Make one Client per set of credentials (Dashboard > Developer > API Keys)
// and share it; it is safe for concurrent use. New checks the key, the
// Base64 secret and the base URL at once:
//
//	client, err := iimmpact.New(apiKey, hmacSecret) // production
//	client, err := iimmpact.New(apiKey, hmacSecret, iimmpact.WithBaseURL(iimmpact.StagingURL))
//
// For tests, the iimmpacttest package runs a faithful fake IIMMPACT on
// loopback, and its Server.Client method returns a Client pointed at it.
//
// # Checking before selling
//
// Balance returns the wallet; Products the product list, whose
// Product.AcceptsAmount tells which denominations a product sells;
// NetworkStatus whether a product's network is healthy. An interruption is
// advisory: warn the customer, but still allow the payment.
//
//	bal, err := client.Balance(ctx)
//	status, err := client.NetworkStatus(ctx, "D")
//
// # Paying
//
// A payment is a TopupRequest with a refid you make (NewRefID) and store
// with the order first. The refid makes the payment idempotent: sending the
// identical request again returns the state of the one transaction and
// never charges twice. That is also how to ask for its status.
//
//	req := iimmpact.TopupRequest{
//		RefID:   iimmpact.NewRefID(),
//		Product: "D",
//		Account: "0123456789",
//		Amount:  iimmpact.MustParseAmount("30"),
//	}
//	tx, err := client.WaitTopup(ctx, req)
//
// Topup sends once (with safe retries); WaitTopup also polls while the
// payment is pending, every 5 to 10 seconds as IIMMPACT advises. Both
// return the transaction and a nil error whenever IIMMPACT reported this
// request's transaction (same refid, product, account and amount), so
// the status is read from tx.StatusCode:
//
//	switch {
//	case tx.StatusCode.IsSuccess():  // deliver; show tx.SN, tx.PIN, tx.VoucherLink
//	case tx.StatusCode.IsPending():  // wait for the callback, or ask again later
//	case tx.StatusCode.IsFailure():  // final; the refid is used up
//	default:                         // refund or undocumented: reconcile by hand
//	}
//
// # What an error says about the payment
//
// A verdict is about the refid, across every attempt of a call and every
// poll of a wait, not about the last attempt:
//
//	switch {
//	case errors.Is(err, iimmpact.ErrDuplicateRefID):
//		// the refid belongs to a transaction with other details, maybe paid:
//		// reconcile it; never reuse the refid, never refund
//	case errors.Is(err, iimmpact.ErrOutcomeUnknown):
//		// maybe paid: keep the order pending, ask again with the same req
//	case err != nil:
//		// every attempt was refused: this call created nothing
//	}
//
// ErrOutcomeUnknown (an *OutcomeUnknownError with the refid and Last, the
// last transaction seen) means the payment may have happened: a timeout,
// a dropped connection, a 5xx, a 408, a redirect, an unreadable answer, an
// answer whose refid, product, account or amount differ from the request,
// or any refusal, exhausted retries, over-long Retry-After or cancelled
// ctx after one of those. Ask again with the same request, or wait for the
// callback; never refund and never retry with a new refid, which could
// pay twice. errors.As still reaches the last *APIError, the cause.
//
// A bare *APIError (errors.Is ErrOutcomeUnknown false) from Topup or
// WaitTopup means every attempt of that call was refused with a 4xx, such
// as HTTP 400 Invalid_Denomination: the call created nothing, so fix the
// input and send the same refid again. It speaks only for that call: a
// refid an earlier call left unknown stays unknown until a 2xx answer for
// it. IIMMPACT's validation errors carry Fields, in both of its forms.
//
// ErrDuplicateRefID (which also matches ErrOutcomeUnknown) is a refusal
// saying the refid already belongs to a transaction (HTTP 400, statusCode
// 54 Duplicate_RefID). An HTTP 200 transaction "Failed" with code 54 is
// instead a final failure of this very refid.
//
// Other errors match the sentinels ErrUnauthorized, ErrForbidden (also how
// IIMMPACT announces a 240-minute IP ban: never retried, and the end of a
// WaitTopup), ErrRateLimited, ErrServer and ErrMalformedResponse with
// errors.Is, and *APIError or *MalformedResponseError with errors.As,
// which carry the HTTP status and the first 4 KiB of the body, with PINs
// and IC numbers blanked.
//
// Every request of a client, retries and polls included, is paced by one
// client-wide limiter (WithRateLimit), so a client alone never reaches
// IIMMPACT's ban of 30,000 requests in 5 minutes.
//
// # Receiving callbacks
//
// IIMMPACT reports each status change to your callback URL, by POST or GET,
// without a signature. CallbackHandler does the checks IIMMPACT's docs ask
// for, in order: the source must be in an IPAllowlist (403), the payload
// well formed (400), the refid one you sent and product, account and amount
// as you sent them (404, 422; Lookup returns your saved request). Then it
// optionally confirms a final status in IIMMPACT's transaction history
// (Requery: never a new /v2/topup, so it cannot create a payment), and runs
// your Handle once per (refid, status), also across IIMMPACT's retries,
// renewing its lease while Handle works. A late Processing never follows a
// final status.
//
//	allow, err := iimmpact.NewIPAllowlist(iimmpact.ProductionCallbackIPs()...)
//	h, err := iimmpact.NewCallbackHandler(iimmpact.CallbackConfig{
//		Allowlist: allow,
//		Lookup:    orders.PaymentRequest, // your saved TopupRequest, or ErrUnknownRefID
//		Requery:   client,                // optional: confirm finals before acting
//		Handle:    orders.ApplyCallback,  // an error answers 500 and IIMMPACT retries
//	})
//	mux.Handle("/iimmpact/callback", h)
//
// Behind a load balancer, list it in TrustedProxies; X-Forwarded-For is
// ignored otherwise. The default MemoryCallbackStore serves one process;
// several replicas need a shared CallbackStore, whose leases are owned: a
// worker that outlived its lease cannot free another's. A CallbackParser
// applies the source check in your own router; ParseCallback reads a
// callback without any checks, and iimmpacttest.NewCallbackRequest builds
// one for your own tests.
//
// # Money and time
//
// Amount is an exact decimal: IIMMPACT sends money as numbers in one place
// and strings such as "30.0000" in another, and both read the same. Times
// are time.Time in Malaysia time (GMT+8), in which IIMMPACT writes them.
//
// # Reconciling
//
// Transactions returns a page of history with IIMMPACT's totals for the
// filtered set, and AllTransactions iterates every record across pages.
// Note that history spells the success status "Successful" while Topup
// spells it "Succesful": compare StatusCode or Outcome, never the word.
//
//	for rec, err := range client.AllTransactions(ctx, iimmpact.TransactionQuery{From: day}) {
//		if err != nil {
//			return err
//		}
//		reconcile(rec.RefID, rec.Outcome(), rec.Amount)
//	}
//
// BalanceStatement (and AllBalanceStatement) is the wallet ledger, with
// IIMMPACT's summary totals on each page. Package reconcile does the whole
// comparison: a merchant's ledger against both, as a typed report.
//
// # The rest of the API
//
// Catalog and Options (with AllOptions) are the recommended product
// catalog; Products and Subproducts its legacy form. BillPresentment shows an
// outstanding bill and whether the customer may pay (Bill.CanPay).
// CallbackSettings, SetCallbackURL, LowBalanceAlert and
// SetLowBalanceThreshold manage settings. VoidTransaction and
// ReportTransaction ask IIMMPACT to refund or investigate a successful
// transaction. The catalog webhook is managed with RegisterCatalogWebhook and
// its siblings, and its deliveries are checked with VerifyCatalogWebhook and
// read with ParseCatalogEvent (CatalogEvent.Product for a product's data).
// The iterators stop on the last page and end with ErrPaginationStuck
// rather than loop if a server ignores paging.
//
// # Selling from the catalog
//
// A catalog product is a form: its Fields say what to ask the customer and
// its Fulfillment how the answers become a payment. BuildTopup checks the
// answers (required, type, pattern, length, bounds, options, plan price)
// and builds the TopupRequest, mandatory extras included, before anything
// is sent; Validate refuses JomPAY and PTPTN payments without the extras
// IIMMPACT requires (RequiredExtras). A CatalogCache keeps the catalog in
// memory for concurrent readers: Refresh it by last_updated, feed it the
// catalog webhook with WebhookHandler, and Resync it after delivery was
// turned back on, since IIMMPACT does not queue events meanwhile.
//
// # Retries
//
// The default RetryPolicy retries GETs and payments on network errors,
// timeouts and HTTP 408, 429, 500, 502, 503 and 504 with jittered backoff,
// honours Retry-After, stops when the context ends, and draws on a
// client-wide budget so a failure storm cannot reach IIMMPACT's
// 30,000-requests-per-5-minutes ban. Every attempt is signed afresh. A 401
// caused by a wrong local clock is corrected once from the server's Date
// header.
//
// # Observing
//
// WithObserver (and CallbackConfig.Observer) hands every call, attempt,
// WaitTopup and callback to an Observer: method, path, refid, attempt
// number, HTTP status, duration, retry delay and verdict, never a secret,
// PIN, IC number, account number or query value. Stats reports the retry
// budget for gauges. The separate module github.com/iimmpact-go/iimmpact/otel
// implements Observer with OpenTelemetry traces and metrics; without an
// observer the hooks cost a nil check each.
package iimmpact
