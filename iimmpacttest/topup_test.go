package iimmpacttest_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iimmpact-go/iimmpact"
)

const seedRef = "digi-reload-20250115-001"

var seedTopupBody = []byte(`{"refid":"digi-reload-20250115-001","product":"D","account":"0123456789","amount":30,"remarks":"Digi Prepaid RM30"}`)

func TestTopupSuccessMatchesWalkthrough(t *testing.T) {
	t.Parallel()
	srv, c, _ := startFake(t)
	status, body := c.do(http.MethodPost, "/v2/topup", seedTopupBody)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.Equal(t, compact(t, `{"data":{"statusCode":20,"status":"Succesful","account":"0123456789",
		"product":"D","productName":"Digi Prepaid","amount":30,"sn":"DG250115000001","pin":"","expiry":"",
		"cost":29.4,"balance":920.6,"remarks":"","refid":"digi-reload-20250115-001",
		"timestamp":"2025-01-15 10:23:47","note":"Top up successful and credited to mobile number.","voucherlink":""}}`), string(body))
	assert.Equal(t, "920.6", srv.Balance().String())
	assert.Equal(t, 1, srv.Debits(seedRef))

	// Step 6: the same request again is a status check, not a second payment.
	status, again := c.do(http.MethodPost, "/v2/topup", seedTopupBody)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, string(body), string(again))
	assert.Equal(t, "920.6", srv.Balance().String())
	assert.Equal(t, 1, srv.Debits(seedRef))
	tx, ok := srv.TopupRecord(seedRef)
	require.True(t, ok)
	assert.Equal(t, iimmpacttest.TopupRecord{
		RefID: seedRef, TrxID: "905187223", Product: "D", Account: "0123456789", Amount: iimmpact.MustParseAmount("30"),
		StatusCode: 20, Status: "Succesful", Cost: iimmpact.MustParseAmount("29.4"), Debits: 1, Polls: 1, SN: "DG250115000001",
		Created: tx.Created, Settled: tx.Settled,
	}, tx)
}

func TestTopupSettlesAfterPolls(t *testing.T) {
	t.Parallel()
	srv, c, clk := startFake(t, iimmpacttest.WithSettleAfter(2))
	status, body := c.do(http.MethodPost, "/v2/topup", seedTopupBody)
	require.Equal(t, http.StatusOK, status)
	processing := compact(t, `{"data":{"statusCode":1,"status":"Processing","account":"0123456789",
		"product":"D","productName":"Digi Prepaid","amount":30,"sn":"","pin":"","expiry":"","cost":0,
		"balance":950,"remarks":"Transaction is being processed","refid":"digi-reload-20250115-001",
		"timestamp":"2025-01-15 10:23:47","note":"","voucherlink":""}}`)
	assert.Equal(t, processing, string(body))
	assert.Equal(t, 0, srv.Debits(seedRef))

	clk.Advance(time.Second)
	_, body = c.do(http.MethodPost, "/v2/topup", seedTopupBody)
	assert.Equal(t, processing, string(body), "first poll still processing")
	assert.Equal(t, "950", srv.Balance().String())

	clk.Advance(3 * time.Second)
	// The amount as a string with trailing zeros is the same amount.
	_, data := c.topup(seedRef, "D", "0123456789", "30.00")
	assert.Equal(t, "20", num(data["statusCode"]))
	assert.Equal(t, "Succesful", data["status"])
	assert.Equal(t, "2025-01-15 10:23:51", data["timestamp"])
	assert.Equal(t, "920.6", num(data["balance"]))

	for range 3 {
		_, data = c.topup(seedRef, "D", "0123456789", 30)
		assert.Equal(t, "20", num(data["statusCode"]))
	}
	assert.Equal(t, 1, srv.Debits(seedRef))
	assert.Equal(t, "920.6", srv.Balance().String())
	tx, _ := srv.TopupRecord(seedRef)
	assert.Equal(t, 5, tx.Polls)
}

func TestTopupSettleDelay(t *testing.T) {
	t.Parallel()
	t.Run("timer", func(t *testing.T) {
		srv, c, _ := startFake(t, iimmpacttest.WithSettleDelay(30*time.Millisecond))
		_, data := c.topup("delay-1", "C", "0191234567", 10)
		assert.Equal(t, "1", num(data["statusCode"]))
		require.Eventually(t, func() bool { return srv.Debits("delay-1") == 1 }, 5*time.Second, 5*time.Millisecond)
		_, data = c.topup("delay-1", "C", "0191234567", 10)
		assert.Equal(t, "20", num(data["statusCode"]))
	})
	t.Run("fake clock", func(t *testing.T) {
		srv, c, clk := startFake(t, iimmpacttest.WithSettleDelay(time.Hour))
		_, data := c.topup("delay-2", "C", "0191234567", 10)
		assert.Equal(t, "1", num(data["statusCode"]))
		_, data = c.topup("delay-2", "C", "0191234567", 10)
		assert.Equal(t, "1", num(data["statusCode"]), "no polls-based settling with only a delay")
		clk.Advance(time.Hour)
		_, data = c.topup("delay-2", "C", "0191234567", 10)
		assert.Equal(t, "20", num(data["statusCode"]))
		assert.Equal(t, 1, srv.Debits("delay-2"))
	})
	t.Run("polls first, then the timer fires", func(t *testing.T) {
		srv, c, _ := startFake(t, iimmpacttest.WithSettleAfter(1), iimmpacttest.WithSettleDelay(20*time.Millisecond))
		c.topup("both-1", "D", "0123456789", 10)
		_, data := c.topup("both-1", "D", "0123456789", 10)
		assert.Equal(t, "20", num(data["statusCode"]))
		time.Sleep(60 * time.Millisecond)
		assert.Equal(t, 1, srv.Debits("both-1"), "the timer must not settle it again")
		assert.Equal(t, "940.2", srv.Balance().String())
	})
	t.Run("forced", func(t *testing.T) {
		srv, c, _ := startFake(t, iimmpacttest.WithSettleAfter(100))
		c.topup("forced-1", "D", "0123456789", 5)
		assert.True(t, srv.Settle("forced-1"))
		assert.False(t, srv.Settle("forced-1"))
		assert.False(t, srv.Settle("unknown"))
		assert.Equal(t, "945.1", srv.Balance().String())
	})
}

func TestTopupValidationDoesNotConsumeRefid(t *testing.T) {
	t.Parallel()
	srv, c, _ := startFake(t)
	status, body := c.do(http.MethodPost, "/v2/topup",
		[]byte(`{"refid":"digi-reload-20250115-001","product":"D","account":"0123456789","amount":22.23}`))
	require.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, compact(t, `{"data":{"statusCode":58,"status":"Failed","account":"0123456789","product":"D",
		"amount":22.23,"cost":0,"balance":950,"remarks":"Invalid_Denomination",
		"refid":"digi-reload-20250115-001","timestamp":"2025-01-15 10:23:47"}}`), string(body))
	assert.Empty(t, srv.TopupRecords())

	status, data := c.topup(seedRef, "D", "0123456789", 30)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "20", num(data["statusCode"]))
}

func TestTopupRejections(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		body    string
		code    string
		remarks string
	}{
		{"malformed JSON", `{"refid":`, "44", "Invalid_Request"},
		{"account as number", `{"refid":"r","product":"D","account":123,"amount":10}`, "44", "Invalid_Request"},
		{"missing refid", `{"product":"D","account":"0123456789","amount":10}`, "44", "Missing_RefID"},
		{"refid too long", `{"refid":"` + fmt.Sprintf("%051d", 1) + `","product":"D","account":"0123456789","amount":10}`, "44", "Invalid_RefID"},
		{"missing product", `{"refid":"r","account":"0123456789","amount":10}`, "44", "Missing_Product"},
		{"missing amount", `{"refid":"r","product":"D","account":"0123456789"}`, "44", "Missing_Amount"},
		{"null amount", `{"refid":"r","product":"D","account":"0123456789","amount":null}`, "44", "Missing_Amount"},
		{"unknown product", `{"refid":"r","product":"ZZ","account":"0123456789","amount":10}`, "44", "Invalid_Product"},
		{"unlisted denomination", `{"refid":"r","product":"C","account":"0191234567","amount":15}`, "58", "Invalid_Denomination"},
		{"bill below minimum", `{"refid":"r","product":"TNB","account":"220012345678","amount":0.5}`, "58", "Invalid_Denomination"},
		{"bill above maximum", `{"refid":"r","product":"TNB","account":"220012345678","amount":5000.01}`, "58", "Invalid_Denomination"},
		{"bill with fractions of sen", `{"refid":"r","product":"TNB","account":"220012345678","amount":"12.345"}`, "58", "Invalid_Denomination"},
		{"extras not an object", `{"refid":"r","product":"D","account":"0123456789","amount":10,"extras":"x"}`, "44", "Invalid_Extras"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, c, _ := startFake(t)
			status, body := c.do(http.MethodPost, "/v2/topup", []byte(tc.body))
			require.Equal(t, http.StatusBadRequest, status, string(body))
			data := dataOf(t, body)
			assert.Equal(t, tc.code, num(data["statusCode"]))
			assert.Equal(t, "Failed", data["status"])
			assert.Equal(t, tc.remarks, data["remarks"])
			assert.Equal(t, "0", num(data["cost"]))
			assert.Equal(t, "950", num(data["balance"]))
			assert.Empty(t, srv.TopupRecords())
			assert.Equal(t, "950", srv.Balance().String())
		})
	}
}

func TestTopupOpenAmountBill(t *testing.T) {
	t.Parallel()
	srv, c, _ := startFake(t)
	status, data := c.topup("tnb-1", "TNB", "220012345678", "123.45")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "123.45", num(data["amount"]))
	assert.Equal(t, "120.981", num(data["cost"])) // 123.45 less 2%
	assert.Equal(t, "829.019", srv.Balance().String())
}

func TestTopupDuplicateRefidWithDifferentParameters(t *testing.T) {
	t.Parallel()
	srv, c, _ := startFake(t, iimmpacttest.WithSettleAfter(1))
	c.topup("dup-1", "D", "0123456789", 10)
	for _, tc := range []struct {
		product, account string
		amount           any
	}{{"D", "0123456789", 20}, {"D", "0199999999", 10}, {"C", "0123456789", 10}, {"D", "0123456789", "10.0001"}} {
		status, data := c.topup("dup-1", tc.product, tc.account, tc.amount)
		assert.Equal(t, http.StatusBadRequest, status)
		assert.Equal(t, "54", num(data["statusCode"]))
		assert.Equal(t, "Duplicate_RefID", data["remarks"])
	}
	tx, _ := srv.TopupRecord("dup-1")
	assert.Equal(t, 0, tx.Polls, "a rejected repeat is not a poll")
	assert.Equal(t, iimmpact.StatusProcessing, tx.StatusCode)

	// Extras take part in the comparison, in any key order.
	body := `{"refid":"dup-2","product":"D","account":"0123456789","amount":10,"extras":{"a":"1","b":"2"}}`
	status, _ := c.do(http.MethodPost, "/v2/topup", []byte(body))
	require.Equal(t, http.StatusOK, status)
	status, _ = c.do(http.MethodPost, "/v2/topup", []byte(`{"amount":"10","extras":{"b":"2","a":"1"},"refid":"dup-2","product":"D","account":"0123456789","remarks":"free text may differ"}`))
	assert.Equal(t, http.StatusOK, status)
	status, _ = c.do(http.MethodPost, "/v2/topup", []byte(`{"refid":"dup-2","product":"D","account":"0123456789","amount":10}`))
	assert.Equal(t, http.StatusBadRequest, status)
}

func TestTopupInsufficientBalance(t *testing.T) {
	t.Parallel()
	srv, c, _ := startFake(t, iimmpacttest.WithBalance(iimmpact.MustParseAmount("29.39")))
	status, data := c.topup("poor-1", "D", "0123456789", 30)
	require.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "43", num(data["statusCode"]))
	assert.Equal(t, "Insufficient_Balance", data["remarks"])
	assert.Empty(t, srv.TopupRecords())

	srv.SetBalance(iimmpact.MustParseAmount("29.4")) // exactly the cost
	status, data = c.topup("poor-1", "D", "0123456789", 30)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "20", num(data["statusCode"]))
	assert.Equal(t, "0", srv.Balance().String())
}

func TestTopupPendingCostsAreHeld(t *testing.T) {
	t.Parallel()
	srv, c, _ := startFake(t, iimmpacttest.WithBalance(iimmpact.MustParseAmount("50")), iimmpacttest.WithSettleAfter(1))
	_, data := c.topup("hold-1", "D", "0123456789", 30)
	assert.Equal(t, "1", num(data["statusCode"]))
	assert.Equal(t, "50", srv.Balance().String(), "not debited while processing")
	status, data := c.topup("hold-2", "D", "0123456789", 30)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "43", num(data["statusCode"]))
	status, _ = c.topup("hold-3", "D", "0123456789", 20)
	assert.Equal(t, http.StatusOK, status, "50 - 29.4 held leaves 20.6 for a 19.6 cost")
}

func TestTopupStagingTestAccounts(t *testing.T) {
	t.Parallel()
	accounts := map[string]int{
		"60123450052": 52, "60123450041": 41, "60123450043": 43, "60123450044": 44,
		"60123450045": 45, "60123450047": 47, "60123450048": 48, "60123450464": 54,
		"60123450055": 55, "60123450056": 56, "60123450057": 57, "60123450861": 61,
	}
	srv, c, _ := startFake(t)
	for account, code := range accounts {
		refid := "stg-" + account
		status, data := c.topup(refid, "D", account, 30)
		require.Equal(t, http.StatusOK, status, account)
		assert.Equal(t, fmt.Sprint(code), num(data["statusCode"]), account)
		assert.Equal(t, "Failed", data["status"])
		assert.Equal(t, "0", num(data["cost"]))
		assert.Equal(t, "950", num(data["balance"]))
		assert.Equal(t, "", data["sn"])
		assert.Equal(t, 0, srv.Debits(refid))
		if code == 48 {
			assert.Equal(t, "HC", data["remarks"])
		}
		// The refid is consumed: asking again returns the same failure.
		status, again := c.topup(refid, "D", account, 30)
		assert.Equal(t, http.StatusOK, status)
		assert.Equal(t, data, again)
	}
	assert.Equal(t, "950", srv.Balance().String())
	assert.Len(t, srv.TopupRecords(), len(accounts))
}

func TestTopupGiftCodeCarriesVoucher(t *testing.T) {
	t.Parallel()
	srv, c, _ := startFake(t)
	_, data := c.topup("gc-1", "GC", "0123456789", 5)
	assert.Equal(t, "20", num(data["statusCode"]))
	assert.Equal(t, "Grab Gift Code", data["productName"])
	assert.Equal(t, "5", num(data["cost"]), "no discount on gift codes")
	assert.Regexp(t, `^[A-Z0-9]{10}$`, data["pin"])
	assert.Equal(t, "20250715", data["expiry"])
	assert.Regexp(t, `^https://\S+$`, data["voucherlink"])
	assert.Regexp(t, `^\d{9}$`, data["sn"])
	assert.Equal(t, "945", srv.Balance().String())
}

func TestTopupConcurrentPayAndPoll(t *testing.T) {
	t.Parallel()
	srv, c, _ := startFake(t, iimmpacttest.WithBalance(iimmpact.MustParseAmount("100000")), iimmpacttest.WithSettleAfter(3))
	const orders, pollers = 60, 5
	var wg sync.WaitGroup
	for i := range orders {
		for range pollers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 3 {
					status, _ := c.topup(fmt.Sprintf("conc-%03d", i), "D", "0123456789", 10)
					assert.Equal(t, http.StatusOK, status)
				}
			}()
		}
	}
	wg.Wait()
	for _, tx := range srv.TopupRecords() {
		assert.Equal(t, iimmpact.StatusSuccessful, tx.StatusCode, tx.RefID)
		assert.Equal(t, 1, tx.Debits, tx.RefID)
		assert.Equal(t, pollers*3-1, tx.Polls, tx.RefID)
	}
	assert.Len(t, srv.TopupRecords(), orders)
	assert.Equal(t, "99412", srv.Balance().String()) // 100000 - 60 * 9.8
}

func TestRefund(t *testing.T) {
	t.Parallel()
	recv := newReceiver(t)
	srv, c, _ := startFake(t, iimmpacttest.WithCallback(recv.URL, "POST"), fastPolicy())
	c.topup("refund-1", "TNB", "220012345678", 100)
	assert.Equal(t, "852", srv.Balance().String())
	assert.False(t, srv.Refund("unknown"))
	require.True(t, srv.Refund("refund-1"))
	assert.False(t, srv.Refund("refund-1"), "only a successful transaction is refunded")
	assert.Equal(t, "950", srv.Balance().String())

	_, data := c.topup("refund-1", "TNB", "220012345678", 100)
	assert.Equal(t, "53", num(data["statusCode"]))
	assert.Equal(t, "Refund", data["status"])
	assert.Equal(t, "950", num(data["balance"]))

	p := c.history(t, "date=2025-01-15&limit=5&status=REFUND")
	require.Equal(t, []string{"refund-1"}, refids(p))
	assert.Equal(t, "Refund", p.Data[0]["status_name"])
	assert.Equal(t, "1", p.Meta["refund_count"])
	assert.Equal(t, "0.0000", p.Meta["total_amount"])

	waitCallbacks(t, srv)
	got := recv.requests()
	require.Len(t, got, 2)
	assert.Contains(t, string(got[1].body), `"statusCode":53,"status":"Refund"`)
	tx, _ := srv.TopupRecord("refund-1")
	assert.Equal(t, 1, tx.Debits)
}
