package iimmpact

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewValidates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, key, secret, base string
		ok                      bool
	}{
		{"production default", testKey, testSecret, "", true},
		{"staging", testKey, testSecret, StagingURL, true},
		{"trailing slash", testKey, testSecret, "https://api.iimmpact.com/", true},
		{"loopback http", testKey, testSecret, "http://127.0.0.1:8080", true},
		{"localhost http", testKey, testSecret, "http://localhost:8080", true},
		{"ipv6 loopback http", testKey, testSecret, "http://[::1]:8080", true},
		{"empty key", "", testSecret, "", false},
		{"secret not base64", testKey, "hunter2!", "", false},
		{"plain http remote", testKey, testSecret, "http://api.iimmpact.com", false},
		{"path", testKey, testSecret, "https://api.iimmpact.com/v2", false},
		{"query", testKey, testSecret, "https://api.iimmpact.com?x=1", false},
		{"no scheme", testKey, testSecret, "api.iimmpact.com", false},
		{"ftp", testKey, testSecret, "ftp://api.iimmpact.com", false},
		{"user info", testKey, testSecret, "https://u:p@api.iimmpact.com", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts []Option
			if tt.base != "" {
				opts = append(opts, WithBaseURL(tt.base))
			}
			c, err := New(tt.key, tt.secret, opts...)
			if tt.ok {
				require.NoError(t, err)
				assert.False(t, strings.HasSuffix(c.base, "/"))
				return
			}
			require.Error(t, err)
			assert.Nil(t, c)
		})
	}
}

func TestNewDoesNotModifyCallersHTTPClient(t *testing.T) {
	t.Parallel()
	hc := &http.Client{}
	_, err := New(testKey, testSecret, WithHTTPClient(hc))
	require.NoError(t, err)
	assert.Nil(t, hc.Transport)
}

func TestBalanceFixtures(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		file string
		want Balance
	}{
		{"balance.json", Balance{Account: "3100528", Name: "Demo Merchant Sdn Bhd", Balance: MustParseAmount("950"), Level: "12", Access: 0}},
		{"balance_spec.json", Balance{Account: "00000", Name: "Demo", Balance: MustParseAmount("48.6333"), Level: "12"}},
		{"balance_spec_strings.json", Balance{Account: "00000", Name: "Demo", Balance: MustParseAmount("48.6333"), Level: "12"}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			c, mock := mockClient(t)
			respond(t, mock, "GET", "/v2/balance", 200, fixture(t, tt.file))
			b, err := c.Balance(context.Background())
			require.NoError(t, err)
			assert.Equal(t, tt.want, *b)
			assert.True(t, b.CanTopup())
			assert.Equal(t, 1, mock.GetTotalCallCount())
		})
	}
}

func TestProductsFixture(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	respond(t, mock, "GET", "/v2/product-list", 200, fixture(t, "product_list.json"))
	ps, err := c.Products(context.Background())
	require.NoError(t, err)
	require.Len(t, ps, 1)
	p := ps[0]
	var denoms []string
	for _, d := range p.Denominations {
		denoms = append(denoms, d.String())
	}
	assert.Equal(t, []string{"5", "10", "15", "20", "25", "30", "50", "100"}, denoms)
	assert.Equal(t, []Amount{MustParseAmount("10"), MustParseAmount("30"), MustParseAmount("50")}, p.CommonDenominations)
	p.Denominations, p.CommonDenominations = nil, nil
	assert.Equal(t, Product{Code: "D", Name: "Digi Prepaid", Status: "Active", Remarks: "Top up will be credited to the mobile number.",
		AccountLabel: "Mobile Number", AccountType: "phone_number", KeyboardType: "Numeric", Group: "Mobile Reload",
		Category: "Prepaid", ImageURL: "https://dashboard.iimmpact.com/img/D.png", Currency: "MYR", DenominationType: "Integer",
		DenominationText: "5,10,15,20,25,30,50,100"}, p)
	assert.True(t, ps[0].Active())
	assert.True(t, ps[0].AcceptsAmount(MustParseAmount("30")))
	assert.True(t, ps[0].AcceptsAmount(MustParseAmount("30.00")))
	assert.False(t, ps[0].AcceptsAmount(MustParseAmount("22.23")), "the seed's invalid denomination")
	assert.False(t, ps[0].AcceptsAmount(MustParseAmount("-30")))
}

func TestAcceptsAmountOpenAndUnreadable(t *testing.T) {
	t.Parallel()
	open := Product{}
	assert.True(t, open.AcceptsAmount(MustParseAmount("123.45")))
	assert.False(t, open.AcceptsAmount(Amount{}))
	odd := Product{DenominationText: "5,ten"}
	odd.Denominations = parseAmountList(odd.DenominationText)
	assert.False(t, odd.AcceptsAmount(MustParseAmount("5")))
}

func TestNetworkStatusFixture(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	mock.RegisterResponder("GET", "https://api.test.invalid/v2/networkstatus", func(req *http.Request) (*http.Response, error) {
		checkSigned(t, req)
		assert.Equal(t, "product=D", req.URL.RawQuery)
		return newResponse(200, fixture(t, "networkstatus_healthy.json")), nil
	})
	n, err := c.NetworkStatus(context.Background(), "D")
	require.NoError(t, err)
	assert.Equal(t, NetworkStatus{ProductCode: "D", ProductName: "Digi Prepaid", ProductImage: "https://dashboard.iimmpact.com/img/D.png",
		Status: "Healthy", LastUpdated: myt("2025-01-15 10:23:40.000")}, *n)
	assert.True(t, n.Healthy())
	assert.True(t, n.LastUpdated.Equal(myt("2025-01-15 10:23:40.000")))
	_, offset := n.LastUpdated.Zone()
	assert.Equal(t, 8*3600, offset)

	_, err = c.NetworkStatus(context.Background(), "")
	assert.ErrorIs(t, err, ErrInvalidRequest)
}

func TestNetworkStatusInterruption(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	body := strings.Replace(string(fixture(t, "networkstatus_spec_tnb.json")), "Healthy", "Interruption", 1)
	respond(t, mock, "GET", "/v2/networkstatus", 200, []byte(body))
	n, err := c.NetworkStatus(context.Background(), "TNB")
	require.NoError(t, err)
	assert.False(t, n.Healthy())
	assert.Equal(t, "Tenaga Nasional Berhad", n.ProductName)
	assert.True(t, n.LastUpdated.Equal(myt("2025-05-19 14:49:03.000")))
}

func seedTopup() TopupRequest {
	return TopupRequest{RefID: "digi-reload-20250115-001", Product: "D", Account: "0123456789", Amount: MustParseAmount("30"), Remarks: "Digi Prepaid RM30"}
}

func TestTopupFixtures(t *testing.T) {
	t.Parallel()
	success := Transaction{StatusCode: StatusSuccessful, Status: "Succesful", RefID: "digi-reload-20250115-001", Account: "0123456789",
		Product: "D", ProductName: "Digi Prepaid", Amount: MustParseAmount("30"), Cost: MustParseAmount("29.4"),
		Balance: MustParseAmount("920.6"), SN: "DG250115000187", Note: "Top up successful and credited to mobile number.",
		Timestamp: myt("2025-01-15 10:23:51.000")}
	processing := Transaction{StatusCode: StatusProcessing, Status: "Processing", RefID: "digi-reload-20250115-001", Account: "0123456789",
		Product: "D", ProductName: "Digi Prepaid", Amount: MustParseAmount("30"), Balance: MustParseAmount("950"),
		Remarks: "Transaction is being processed", Timestamp: myt("2025-01-15 10:23:48.000")}
	failed := Transaction{StatusCode: StatusRejectedByProvider, Status: "Failed", RefID: "digi-reload-20250115-001", Account: "0123456789",
		Product: "D", ProductName: "Digi Prepaid", Amount: MustParseAmount("30"), Balance: MustParseAmount("950"),
		Remarks: "HC", Timestamp: myt("2025-01-15 10:24:10.000")}
	for _, tt := range []struct {
		file    string
		want    Transaction
		outcome Outcome
	}{
		{"topup_success.json", success, OutcomeSuccessful},
		{"topup_processing.json", processing, OutcomePending},
		{"topup_failed.json", failed, OutcomeFailed},
	} {
		t.Run(tt.file, func(t *testing.T) {
			c, mock := mockClient(t)
			mock.RegisterResponder("POST", "https://api.test.invalid/v2/topup", func(req *http.Request) (*http.Response, error) {
				body := checkSigned(t, req)
				assert.JSONEq(t, string(fixture(t, "topup_request.json")), string(body))
				assert.Equal(t, `{"refid":"digi-reload-20250115-001","product":"D","account":"0123456789","amount":30,"remarks":"Digi Prepaid RM30"}`, string(body))
				assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
				return newResponse(200, fixture(t, tt.file)), nil
			})
			tx, err := c.Topup(context.Background(), seedTopup())
			require.NoError(t, err, "any reported transaction is a nil error")
			assert.Equal(t, tt.want, *tx)
			assert.Equal(t, tt.outcome, tx.Outcome())
		})
	}
}

func TestTopup400IsNotConsumed(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	respond(t, mock, "POST", "/v2/topup", 400, fixture(t, "topup_400_invalid_denomination.json"))
	req := seedTopup()
	req.Amount = MustParseAmount("22.23")
	tx, err := c.Topup(context.Background(), req)
	assert.Nil(t, tx)
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 400, ae.HTTPStatus)
	assert.Equal(t, StatusInvalidDenomination, ae.StatusCode)
	assert.Equal(t, "Invalid_Denomination", ae.Remarks)
	assert.NotErrorIs(t, err, ErrDuplicateRefID)
	assert.NotErrorIs(t, err, ErrOutcomeUnknown)
	assert.Contains(t, err.Error(), "Invalid_Denomination")
}

func TestTopupValidatesBeforeNetwork(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	base := seedTopup()
	for name, mutate := range map[string]func(*TopupRequest){
		"empty refid":   func(r *TopupRequest) { r.RefID = "" },
		"long refid":    func(r *TopupRequest) { r.RefID = strings.Repeat("r", 51) },
		"control refid": func(r *TopupRequest) { r.RefID = "a\nb" },
		"empty product": func(r *TopupRequest) { r.Product = "" },
		"empty account": func(r *TopupRequest) { r.Account = "" },
		"zero amount":   func(r *TopupRequest) { r.Amount = Amount{} },
		"negative":      func(r *TopupRequest) { r.Amount = MustParseAmount("-1") },
	} {
		r := base
		mutate(&r)
		_, err := c.Topup(context.Background(), r)
		assert.ErrorIs(t, err, ErrInvalidRequest, name)
	}
	assert.Zero(t, mock.GetTotalCallCount())
	r := base
	r.RefID = strings.Repeat("r", MaxRefIDLen)
	assert.NoError(t, r.Validate())
}

func TestTopupUnknownOutcomes(t *testing.T) {
	t.Parallel()
	for name, responder := range map[string]func(*http.Request) (*http.Response, error){
		"500": func(*http.Request) (*http.Response, error) {
			return newResponse(500, []byte(`{"message":"boom"}`)), nil
		},
		"504": func(*http.Request) (*http.Response, error) {
			return newResponse(504, []byte(`<html>timeout</html>`)), nil
		},
		"network": func(*http.Request) (*http.Response, error) { return nil, errors.New("connection reset by peer") },
		"truncated 200": func(*http.Request) (*http.Response, error) {
			return newResponse(200, fixture(t, "topup_success.json")[:100]), nil
		},
		"no status code": func(*http.Request) (*http.Response, error) {
			return newResponse(200, []byte(`{"data":{"refid":"digi-reload-20250115-001"}}`)), nil
		},
		"other refid": func(*http.Request) (*http.Response, error) {
			return newResponse(200, []byte(strings.ReplaceAll(string(fixture(t, "topup_success.json")), "20250115-001", "X"))), nil
		},
	} {
		t.Run(name, func(t *testing.T) {
			c, mock := mockClient(t)
			mock.RegisterResponder("POST", "https://api.test.invalid/v2/topup", responder)
			tx, err := c.Topup(context.Background(), seedTopup())
			assert.Nil(t, tx)
			require.ErrorIs(t, err, ErrOutcomeUnknown)
			var ou *OutcomeUnknownError
			require.ErrorAs(t, err, &ou)
			assert.Equal(t, "digi-reload-20250115-001", ou.RefID)
			assert.NotContains(t, strings.ToLower(err.Error()), "failed:")
		})
	}
}

func TestTopupClientErrorsAreKnown(t *testing.T) {
	t.Parallel()
	for status, sentinel := range map[int]error{401: ErrUnauthorized, 403: ErrForbidden, 429: ErrRateLimited} {
		c, mock := mockClient(t)
		respond(t, mock, "POST", "/v2/topup", status, []byte(`{"error":"x","message":"nope"}`))
		_, err := c.Topup(context.Background(), seedTopup())
		assert.ErrorIs(t, err, sentinel)
		assert.NotErrorIs(t, err, ErrOutcomeUnknown, "a refusal created no transaction")
	}
}

func TestTransactionsFixture(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	mock.RegisterResponder("GET", "https://api.test.invalid/v2/transactions", func(req *http.Request) (*http.Response, error) {
		checkSigned(t, req)
		assert.Equal(t, "date=2025-01-15&limit=5&product=D", req.URL.RawQuery)
		return newResponse(200, fixture(t, "transactions.json")), nil
	})
	page, err := c.Transactions(context.Background(), TransactionQuery{From: myt("2025-01-15 10:00:00.000"), Limit: 5, Product: "D"})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	assert.Equal(t, TransactionRecord{TrxID: "905187223", RefID: "digi-reload-20250115-001", Date: myt("2025-01-15 10:23:47.910"),
		ResponseDate: myt("2025-01-15 10:23:51.102"), ProductCode: "D", ProductName: "Digi Prepaid",
		ProductImageURL: "https://dashboard.iimmpact.com/img/D.png", Category: "Prepaid", Amount: MustParseAmount("30"),
		Price: MustParseAmount("29.4"), Currency: "MYR", Account: "0123456789", Sender: "203.0.113.10", MemberID: "3100528",
		StatusCode: StatusSuccessful, StatusName: "Successful", SN: "DG250115000187"}, page.Items[0])
	assert.Equal(t, OutcomeSuccessful, page.Items[0].Outcome())
	assert.Equal(t, TransactionSummary{TransactionCount: 1, TotalAmount: MustParseAmount("30"), TotalPrice: MustParseAmount("29.4"),
		Profit: MustParseAmount("0.6"), SuccessfulCount: 1}, page.Summary)
}

func TestTransactionQueryValues(t *testing.T) {
	t.Parallel()
	day := myt("2025-05-01 23:30:00.000")
	for _, tt := range []struct {
		q    TransactionQuery
		want string
	}{
		{TransactionQuery{From: day}, "date=2025-05-01&limit=50"},
		{TransactionQuery{From: day, To: day}, "date=2025-05-01&limit=50"},
		{TransactionQuery{From: day, To: myt("2025-05-31 00:00:00.000"), Statuses: []string{"successful", "FAILED"}, Offset: 10, Account: "0123"},
			"account=0123&date=2025-05-01+-+2025-05-31&limit=50&offset=10&status=SUCCESSFUL&status=FAILED"},
		// 2025-05-01 16:30 UTC is already 2 May in Malaysia.
		{TransactionQuery{From: myt("2025-05-02 00:30:00.000").UTC()}, "date=2025-05-02&limit=50"},
	} {
		v, err := tt.q.values()
		require.NoError(t, err)
		assert.Equal(t, tt.want, v.Encode())
	}
	for _, bad := range []TransactionQuery{{}, {From: day, Limit: -1}, {From: day, To: day.AddDate(0, 0, -1)}, {From: day, Statuses: []string{"DONE"}}} {
		_, err := bad.values()
		assert.ErrorIs(t, err, ErrInvalidRequest)
	}
}

func newResponse(status int, body []byte) *http.Response {
	r := &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}}, Body: nopCloser{strings.NewReader(string(body))}}
	r.ContentLength = int64(len(body))
	return r
}

type nopCloser struct{ *strings.Reader }

func (nopCloser) Close() error { return nil }
