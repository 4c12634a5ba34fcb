package iimmpacttest

// WireGuide is how to talk to the fake (and to IIMMPACT) from any
// language: authentication, every endpoint's parameters and field names,
// and one complete signed request with its signature worked out. The
// standalone sandbox prints it with -h. Field names are IIMMPACT's
// (documented unless marked "fake" or "inferred"); go doc shows the text.
const WireGuide = `TALKING TO THE SANDBOX FROM ANY LANGUAGE

Authentication (every request, GET included)
  X-Api-Key     the API key
  X-Timestamp   Unix time in SECONDS (10 digits), within 300 s of the server's clock
  X-Nonce       16 to 128 characters, never reused (e.g. req-<timestamp>-<random hex>)
  X-Signature   "v1=" + Base64(HMAC-SHA256(key, canonical))
  key        =  the HMAC secret Base64-DECODED to raw bytes (not its ASCII text)
  canonical  =  "v1:" + timestamp + ":" + nonce + ":" + METHOD + ":" + QUERY + ":" + body_hash
  QUERY      =  query parameters decoded, sorted by key then value, "k=v" joined by "&";
                "" when there is none (so a bare GET has "...:GET::...")
  body_hash  =  Base64(SHA-256(the exact body bytes sent)); for no body that is
                47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=
  The path is not signed. Base64 is standard, with "=" padding. A 401 answers
  {"error","message"}, error one of missing_credentials, invalid_api_key,
  invalid_timestamp, timestamp_out_of_window, invalid_nonce, invalid_signature,
  nonce_reused.

A complete signed request, worked out
  secret     AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=  (bytes 0x00..0x1f)
  timestamp  1704067200
  nonce      req-1704067200-a1b2c3d4e5f6a7b8
  body       {"refid":"ORDER-0001","product":"D","account":"0123456789","amount":10}
  body_hash  YofnP3j+85WVQmDHfoxnDW7A3PedGKi3KUAgudteBuk=
  canonical  v1:1704067200:req-1704067200-a1b2c3d4e5f6a7b8:POST::YofnP3j+85WVQmDHfoxnDW7A3PedGKi3KUAgudteBuk=
  signature  v1=XCNxFfcGDl4m/Yzyou/uemWQJqC/x/qrKxV92QMRGVE=

  Start the sandbox at that instant so the timestamp is inside the window:
    iimmpact-sandbox -api-key iimm_dev_demo -secret AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8= -start-time 1704067200
  and within 300 seconds send:
    curl -sS -X POST http://127.0.0.1:8080/v2/topup \
      -H 'Content-Type: application/json' \
      -H 'X-Api-Key: iimm_dev_demo' \
      -H 'X-Timestamp: 1704067200' \
      -H 'X-Nonce: req-1704067200-a1b2c3d4e5f6a7b8' \
      -H 'X-Signature: v1=XCNxFfcGDl4m/Yzyou/uemWQJqC/x/qrKxV92QMRGVE=' \
      --data-raw '{"refid":"ORDER-0001","product":"D","account":"0123456789","amount":10}'
  The nonce is then used up: every further request needs a new nonce and signature.
  To sign in a shell:
    ts=$(date +%s); nonce="req-$ts-$(openssl rand -hex 8)"
    hash=$(printf '%s' "$body" | openssl dgst -sha256 -binary | base64)
    key=$(printf '%s' "$secret" | base64 -d | xxd -p -c 256)
    sig=$(printf 'v1:%s:%s:POST::%s' "$ts" "$nonce" "$hash" | openssl dgst -sha256 -mac HMAC -macopt hexkey:$key -binary | base64)

Endpoints (required parameters marked *; times are GMT+8 without an offset)
  GET  /v2/balance                  -> data{account, name, balance, level, access}
  GET  /v2/product-list             -> data[]{status, has_subproduct, product_code, product_name,
                                       product_remarks, account_label, keyboard_type, denomination,
                                       common_denominations, denomination_data_type,
                                       denomination_currency, product_group, category, image_url,
                                       account_type, is_refundable}
  GET  /v2/networkstatus  ?product*  -> data{product_code, product_name, product_img, network_status},
                                       metadata{status_code, last_updated "dd-MM-yyyy HH:mm:ss"}
  POST /v2/topup  body{refid*, product*, account*, amount* (number or string), remarks,
                       extras{subproduct_code, ic_number, biller_code, ref2}}
                  -> data{statusCode, status, account, product, productName, amount, sn, pin,
                          expiry "yyyymmdd", cost, balance, remarks, refid,
                          timestamp "yyyy-MM-dd HH:mm:ss", note, voucherlink}
       statusCode 0 Accepted and 1 Processing are pending: repeat the identical body (same
       refid, new nonce) to poll. HTTP 200 "Failed" used the refid up; HTTP 400 did not.
       Validation errors are HTTP 400 {"message":"The given data was invalid.","errors":{...}}
       before 23 March 2026 and {"data":{"statusCode":58,...,"remarks":"<message>"}} from then.
       Mandatory extras: JOMPAY biller_code + ic_number; PTPTN subproduct_code + ic_number;
       mobile data (HI) subproduct_code.
  GET  /v2/transactions  ?date* (yyyy-MM-dd or "yyyy-MM-dd - yyyy-MM-dd") &limit* &offset
                         &product &account &status (repeatable: SUCCESSFUL, PENDING, FAILED, REFUND)
                  -> data[]{trxid, date, product_code, product_name, biller_code,
                            product_image_url, category, amount, account, sender, member_id,
                            status_code, status_name, response_date, price, sn, pin, expiry,
                            remarks, refid, voucherlink, currency}, meta{...}
  GET  /v2/balance-statement  ?date* &type (DEPOSIT, TRANSACTION, REFUND, COMMISSION) &page &limit
                  -> data[]{id, date, amount, balance, remarks, type}, links{...}, meta{...}
  GET  /v2/catalog  ?product_code &is_active &include_hidden
                  -> {last_updated (ISO 8601 UTC), tree{groups[]{id, name, icon_url,
                      categories[]{id, name, product_codes[]}}}, products{CODE: {code, name,
                      product_type, image_url, processing_time, fields[], fulfillment{}, pricing{}}}}
                     (no "data" wrapper; fields/fulfillment schema: inferred, see catalogfields.go)
  GET  /v2/options  ?product_code* &field_id* &account_number (plan, loan_account) &biller_code
                    &limit|per_page &page
                  -> {product_code, field_id, items[]{code, label, description, price{amount,
                      currency}, cost{...}, validity, account_number}, meta{current_page,
                      last_page, per_page, total}}
  GET  /v2/subproducts  ?product_code* &account_number (HI, PTPTN) &limit &page
                  -> {message, data[]{subproduct_code, display_name, denomination, face_value,
                      validity, description, account_number, min, max}, links{next}}
  GET  /v2/bill-presentment  ?account* &product* &biller_code (* for JOMPAY) &ref2 &amount
                  -> data{message, BillerName, CustomerName, Outstanding, Balance, Address,
                          E-Bill}, error_message, metadata{status_code, last_updated}
  GET  /v2/callback-url            -> data{Status, CallbackUrl, Method}, @metadata{...}
  POST /v2/callback-url  ?url* &method* (GET|POST), no body
  GET  /v2/low-balance-threshold   -> data{Status, Email, BalanceThreshold, Note}, @metadata{...}
  POST /v2/low-balance-threshold  ?amount* (RM, at least 1), no body
  POST /v2/transactions/void   body{refid or trxid*, refund_type* (1, 2, 3), refund_reason
                                    (* when 3), user_email[]} -> data{refid, status, message}
  POST /v2/transactions/check  body{refid or trxid*, user_email[]} -> data{refid, status, message}
  GET|POST|PUT|DELETE /v2/reseller/catalog/webhook   POST body{webhook_url* (https)},
                                    PUT body{enabled*} (inferred); POST .../rotate
       Catalog events are POSTed to the webhook signed "X-Webhook-Signature: sha256=<hex
       HMAC-SHA256 of the body keyed with the secret's bytes>" (inferred).

Limits
  More than 30,000 requests in 5 minutes from one IP: HTTP 403 for 240 minutes.
  /v2/catalog 60 a minute (bursts of 10), /v2/options 120 (bursts of 20): HTTP 429 + Retry-After.
`
