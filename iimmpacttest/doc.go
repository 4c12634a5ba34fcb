// Package iimmpacttest provides a fake IIMMPACT v2 API server for tests,
// in the spirit of net/http/httptest: it listens on a real local socket,
// verifies every request's API-key and HMAC signature the way IIMMPACT
// does, keeps a wallet and a transaction ledger, delivers callbacks, and
// can be told to fail in precise ways.
//
// The fake is a second, independent implementation of IIMMPACT's rules.
// What it checks and serves is its own code: signature verification (its
// canonical strings, body hashes and HMAC), the money it parses from
// requests and writes in answers, its JSON and its callbacks. So a mistake
// in the SDK's signing, money handling or JSON makes tests against the
// fake fail. It uses package iimmpact only at its edge with the test:
// Server.Client builds an SDK client pointed at it; the inspection and
// setup API (TopupRecord.Amount and Cost, Balance, SetBalance,
// WithBalance) speaks iimmpact.Amount, converted to and from the fake's
// own money through decimal text (Amount.String, MustParseAmount); status
// codes are reported as iimmpact.StatusCode; and NewCallbackRequest
// builds its body with the SDK's Transaction.MarshalJSON.
//
// # Use
//
//	func TestReload(t *testing.T) {
//		srv := iimmpacttest.NewServer(iimmpacttest.WithBalance(iimmpact.MustParseAmount("100")))
//		defer srv.Close()
//
//		client := srv.Client() // an *iimmpact.Client for srv.URL, srv.APIKey, srv.HMACSecret
//		// ... exercise code that pays through client ...
//
//		if got := srv.Debits("order-1"); got != 1 {
//			t.Fatalf("order-1 debited %d times", got)
//		}
//		if got := srv.Balance(); got != iimmpact.MustParseAmount("70.6") {
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
//     success carries a pin, an expiry (yyyymmdd) and a voucherlink; and the
//     products that need more (below): DB (Digi Postpaid, whole ringgit only),
//     JOMPAY, PTPTN, HI (mobile data plans) and ESIM (an eSIM voucher with a
//     PIN, voucherlink and expiry).
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
// 300 seconds of the fake's clock (WithServerClock), an X-Nonce of 16 to 128
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
// A request that fails validation answers HTTP 400 and does not use up its
// refid. IIMMPACT's announced validation errors — a missing account, an
// amount that is not a number (or a decimal for the integer-only DB), an
// account that is not a mobile number for a mobile product — and, by the
// fake's inference, missing mandatory extras, answer in the Laravel form
// {"message":"The given data was invalid.","errors":{"account":["The
// account field is required."]}} while the fake's clock is before 23 March
// 2026, and from then on in the standard form, a full data object with
// statusCode 58 and the message in remarks (WithValidationErrors fixes
// either). The other 400s keep IIMMPACT's short data object: statusCode 44
// for a malformed body, a missing refid, product or amount, a refid over 50
// characters, an unknown or deactivated product, an unknown biller or
// subproduct; 58 Invalid_Denomination for an amount the product does not
// sell (or not its plan's price); 43 Insufficient_Balance when the cost
// exceeds the wallet less the costs held for pending topups.
//
// Mandatory extras follow IIMMPACT's payment guide: JOMPAY needs
// extras.biller_code (5454 or 7777, from /v2/options field "biller") and
// extras.ic_number; PTPTN needs extras.subproduct_code (the loan account
// /v2/options field "loan_account" returns for the IC in account_number)
// and extras.ic_number; HI needs extras.subproduct_code (a plan from field
// "plan"), and its amount is the plan's price. JomPAY bill presentment
// needs biller_code, and Ref-2 for biller 7777.
//
// A valid new refid creates a transaction. It settles at once unless
// WithAccepted keeps it Accepted (statusCode 0) for a number of status
// checks, or WithSettleAfter or WithSettleDelay keep it Processing
// (statusCode 1) for a number of status checks or a time: WithAccepted(1)
// with WithSettleAfter(1) answers 0, then 1, then the final status. Repeating the refid with the
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
// # Rate limits
//
// As IIMMPACT documents: more than 30,000 requests in 5 minutes from one
// source address ban it for 240 minutes, every request answering HTTP 403
// meanwhile, on the fake's clock (WithIPBan lowers the threshold so a
// test can reach it). /v2/catalog (60 a minute, bursts of 10) and
// /v2/options (120, bursts of 20) answer 429 with Retry-After beyond their
// limits (WithCatalogRateLimit).
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
// Callbacks come from DefaultCallbackSource, 127.0.0.1, which is not an
// IIMMPACT address, so an allowlist of IIMMPACT's published addresses
// refuses them. WithCallbackSource changes it: a loopback address is the
// real source of the connection; a published address such as 18.140.170.98
// arrives as X-Forwarded-For from a 127.0.0.1 peer, as through the
// merchant's load balancer in IIMMPACT's walkthrough.
//
// # Catalog events
//
// SetProductActive and SetProductDisplayName change the catalogue at run
// time: last_updated moves, and an enabled catalog webhook receives
// product.deleted (deactivated) or product.updated, in the event's own
// product shape (product_code, product_category_code, display_name,
// is_active), signed as SendCatalogEvent describes, retried 5 times with
// exponential backoff (WithCatalogEventPolicy; WithCatalogEventClient for
// an HTTPS test receiver). Nothing is queued while delivery is disabled.
// CatalogEvents and WaitCatalogEvents report the attempts.
//
// # Other languages
//
// The sandbox (cmd/iimmpact-sandbox) serves this fake to any HTTP client.
// X-Timestamp is Unix time in seconds; the signature is
// "v1=" + Base64(HMAC-SHA256(Base64-decoded secret,
// "v1:{ts}:{nonce}:{METHOD}:{QUERY}:{Base64(SHA-256(body))}")). WireGuide
// lists every endpoint's parameters and field names and a complete signed
// curl request with its signature worked out; the sandbox prints it with -h.
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
