// Package iimmpacttest provides a fake IIMMPACT v2 API server for tests,
// in the spirit of net/http/httptest: it listens on a real local socket,
// verifies every request's API-key and HMAC signature the way IIMMPACT
// does, keeps a wallet and a transaction ledger, delivers callbacks, and
// can be told to fail in precise ways.
//
// The fake is a second, independent implementation of IIMMPACT's rules.
// Apart from Server.Client, which only builds an SDK client pointed at it,
// it does not use package iimmpact, so a mistake in the SDK's signing,
// money handling or JSON makes tests against the fake fail.
//
// # Use
//
//	func TestReload(t *testing.T) {
//		srv := iimmpacttest.NewServer(iimmpacttest.WithBalance("100"))
//		defer srv.Close()
//
//		client := srv.Client() // an *iimmpact.Client for srv.URL, srv.APIKey, srv.HMACSecret
//		// ... exercise code that pays through client ...
//
//		if got := srv.Debits("order-1"); got != 1 {
//			t.Fatalf("order-1 debited %d times", got)
//		}
//		if got := srv.Balance(); got != "70.6" {
//			t.Fatalf("balance %s", got)
//		}
//	}
//
// Any HTTP client works too: send X-Api-Key, X-Timestamp, X-Nonce and
// X-Signature as IIMMPACT's API-key authentication describes.
//
// # What it serves
//
//   - GET /v2/balance: the walkthrough's demo account 3100528, opening balance
//     950 (WithBalance, SetBalance).
//   - GET /v2/product-list: D (Digi Prepaid, exactly the walkthrough's record),
//     C (Celcom), M (Hotlink) with fixed denominations; TNB, a bill with an open
//     amount from 1.00 to 5000.00 in whole sen; GC, a Grab gift code whose
//     success carries a pin, an expiry (yyyymmdd) and a voucherlink.
//   - GET /v2/networkstatus?product=X: Healthy unless set otherwise
//     (WithNetworkStatus, SetNetworkStatus); an unknown product is a 400.
//   - POST /v2/topup: the payment state machine described below.
//   - GET /v2/transactions: history with the date, limit, offset, product,
//     account and repeated status filters, and meta totals.
//   - GET /v2/catalog, GET /v2/options and the legacy GET /v2/subproducts: the
//     same catalogue as a tree and product map; a product with denominations
//     has one select field, "amount", paged with limit and page.
//   - GET /v2/bill-presentment: TNB presents a bill derived from the account
//     number; 60123450052 is an HTTP 400 "Invalid account no", 60123450047
//     "Service unavailable"; other products "unavailable for this product".
//   - GET /v2/balance-statement: a true ledger of the wallet: a TRANSACTION
//     debit when a payment succeeds, a REFUND credit when it is refunded
//     (the debit stays), a DEPOSIT when SetBalance changes the balance, each
//     with the balance after it, paged Laravel-style, with the "summary"
//     totals IIMMPACT added on 31 October 2025. The history shows a
//     refunded payment as status_code 53 "Refund".
//   - GET/POST /v2/callback-url and /v2/low-balance-threshold: POST takes
//     query parameters and refuses a body; a callback URL set here is where
//     the fake's callbacks go.
//   - POST /v2/transactions/void and /check: open a case for a successful
//     transaction once; anything else answers status "Failed".
//   - GET/POST/PUT/DELETE /v2/reseller/catalog/webhook and POST .../rotate,
//     with Server.SendCatalogEvent to deliver a signed catalog event.
//
// Unknown paths answer 404 and wrong methods 405, both as JSON
// {"error","message"}, which is also the shape of every 401.
//
// # Authentication
//
// Every request must carry the configured X-Api-Key, an X-Timestamp within
// 300 seconds of the fake's clock (WithClock), an X-Nonce of 16 to 128
// characters never used before, and X-Signature "v1=" + Base64 of
// HMAC-SHA256 keyed with the Base64-decoded secret over
// "v1:{ts}:{nonce}:{METHOD}:{QUERY}:{Base64(SHA-256(body))}". QUERY is the
// decoded query parameters sorted by key and then value, as k=v joined by
// '&'. Failures answer 401 with error codes missing_credentials,
// invalid_api_key, invalid_timestamp, timestamp_out_of_window,
// invalid_nonce, invalid_signature or nonce_reused.
//
// # Topups
//
// A request that fails validation answers HTTP 400 with IIMMPACT's short
// data object and does not use up its refid: statusCode 44 for a malformed
// body, a missing field, a refid over 50 characters, a bad amount or an
// unknown product; 58 Invalid_Denomination for an amount the product does
// not sell; 43 Insufficient_Balance when the cost exceeds the wallet less
// the costs held for Processing topups.
//
// A valid new refid creates a transaction. It settles at once unless
// WithSettleAfter or WithSettleDelay keep it Processing (statusCode 1)
// for a number of status checks or a time. Repeating the refid with the
// same product, account, amount (compared as exact decimals, so 30 and
// "30.00" are equal) and extras is a status check: it answers the current
// state and counts one poll. Repeating it with different parameters
// answers 400 statusCode 54 Duplicate_RefID, since IIMMPACT's docs say
// only that identical parameters must be sent.
//
// Settling succeeds (statusCode 20, "Succesful" as IIMMPACT spells it) and
// debits the cost, the amount less a 2% discount (none on GC), exactly once.
// The staging test accounts of IIMMPACT's error-code table (60123450052,
// …041, …043, …044, …045, …047, …048, 60123450464, …055, …056, …057,
// 60123450861) settle instead as HTTP 200 Failed with their code, no
// debit and the refid used up.
//
// # Callbacks
//
// With WithCallback (or SetCallback) every status change is delivered, in
// order per refid: Processing when a topup is created pending, then its
// final status. POST sends {"data":{...}} shaped like the topup answer;
// GET sends refid, status (numeric), price (the cost) and message (the
// JSON of the inner object) in the query. Attempts are retried on 5xx,
// 408, 429 and network errors per WithCallbackPolicy, and recorded for
// Callbacks; WaitCallbacks waits for quiet.
//
// # Faults
//
// InjectFaults (random, seeded by WithSeed) and ScriptFaults (the next N
// requests) make a path answer 5xx, 408 or 429 with Retry-After, drop the
// connection, answer slowly or answer with a truncated body. A Fault with
// After set strikes after the request was applied — the topup created and
// the wallet debited — which is how a test proves that a client retrying
// with the same refid never pays twice:
//
//	srv.ScriptFaults("/v2/topup", iimmpacttest.ResetFault().AfterProcessing())
//
// # Inspection
//
// Transactions, Transaction, Debits, Balance and Requests report what the
// fake saw; Settle, Refund (statusCode 53, cost credited back),
// SetBalance, SetNetworkStatus, SetSettleAfter and SetCallback steer it. Close stops everything the fake started, including callback retries.
package iimmpacttest
