package iimmpact_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// End-to-end: the SDK against the fake, which verifies every signature on
// its own. Query-signed POSTs, the "from - to" date range and repeated
// status keys passing here prove CanonicalQuery agrees with an independent
// implementation.

var mayNoon = time.Date(2025, 5, 15, 12, 0, 0, 0, time.FixedZone("MYT", 8*3600))

// mayClock is one clock for the fake and the client, in May 2025, moving a
// millisecond per reading so transactions have distinct times.
func mayClock() func() time.Time {
	var n atomic.Int64
	return func() time.Time { return mayNoon.Add(time.Duration(n.Add(1)) * time.Millisecond) }
}

func mayServer(t *testing.T, opts ...iimmpacttest.ServerOption) (*iimmpacttest.Server, *iimmpact.Client) {
	clock := mayClock()
	srv := iimmpacttest.NewServer(append([]iimmpacttest.ServerOption{iimmpacttest.WithServerClock(clock), iimmpacttest.WithBalance(iimmpact.MustParseAmount("1000"))}, opts...)...)
	t.Cleanup(srv.Close)
	return srv, srv.Client(iimmpact.WithClock(clock))
}

func pay(t *testing.T, c *iimmpact.Client, refid, product, account, amount string) *iimmpact.Transaction {
	t.Helper()
	tx, err := c.Topup(context.Background(), iimmpact.TopupRequest{RefID: refid, Product: product, Account: account, Amount: iimmpact.MustParseAmount(amount)})
	require.NoError(t, err)
	return tx
}

func TestE2ECatalogOptionsSubproducts(t *testing.T) {
	_, c := mayServer(t)
	ctx := context.Background()

	cat, err := c.Catalog(ctx, iimmpact.CatalogQuery{})
	require.NoError(t, err)
	assert.Len(t, cat.Products, 10)
	assert.False(t, cat.LastUpdated.IsZero())
	require.NotEmpty(t, cat.Groups)
	assert.Equal(t, "Mobile Reload", cat.Groups[0].Name)
	assert.Equal(t, []string{"D", "C", "M"}, cat.Groups[0].Categories[0].ProductCodes)
	assert.Equal(t, "2", cat.Products["D"].Pricing.DiscountRate.String())
	one, err := c.Catalog(ctx, iimmpact.CatalogQuery{ProductCode: "TNB", IncludeHidden: true})
	require.NoError(t, err)
	assert.Len(t, one.Products, 1)
	assert.Equal(t, "Tenaga Nasional Berhad", one.Products["TNB"].Name)

	page, err := c.Options(ctx, iimmpact.OptionsQuery{ProductCode: "D", FieldID: "amount", Limit: 3, Page: 2})
	require.NoError(t, err)
	assert.Equal(t, iimmpact.PageMeta{CurrentPage: 2, LastPage: 3, PerPage: 3, Total: 8}, page.Meta)
	require.Len(t, page.Items, 3)
	assert.Equal(t, "D_20", page.Items[0].Code)
	assert.Equal(t, iimmpact.Money{Amount: iimmpact.MustParseAmount("20"), Currency: "MYR"}, *page.Items[0].Price)
	assert.Equal(t, "19.6", page.Items[0].Cost.Amount.String())

	var codes []string
	for o, err := range c.AllOptions(ctx, iimmpact.OptionsQuery{ProductCode: "D", FieldID: "amount", Limit: 3}) {
		require.NoError(t, err)
		codes = append(codes, o.Code)
	}
	assert.Equal(t, []string{"D_5", "D_10", "D_15", "D_20", "D_25", "D_30", "D_50", "D_100"}, codes)

	_, err = c.Options(ctx, iimmpact.OptionsQuery{ProductCode: "TNB", FieldID: "amount"})
	var ae *iimmpact.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 400, ae.HTTPStatus)

	list, err := c.Subproducts(ctx, iimmpact.SubproductQuery{ProductCode: "GC", Limit: 2})
	require.NoError(t, err)
	var subs []string
	for n := 0; ; n++ {
		require.Less(t, n, 10)
		for _, s := range list.Items {
			subs = append(subs, s.Code+"="+s.Denomination.String())
		}
		if list.Next == "" {
			break
		}
		list, err = c.SubproductsNext(ctx, list.Next)
		require.NoError(t, err)
	}
	assert.Equal(t, []string{"GC_5=5", "GC_10=10", "GC_25=25", "GC_50=50", "GC_100=100"}, subs)
	tnb, err := c.Subproducts(ctx, iimmpact.SubproductQuery{ProductCode: "TNB"})
	require.NoError(t, err)
	require.Len(t, tnb.Items, 1)
	assert.Equal(t, "1", tnb.Items[0].Min.String())
	assert.Equal(t, "5000", tnb.Items[0].Max.String())
}

func TestE2EBillPresentment(t *testing.T) {
	_, c := mayServer(t)
	ctx := context.Background()

	bill, err := c.BillPresentment(ctx, iimmpact.BillQuery{Account: "220001234567", Product: "TNB"})
	require.NoError(t, err)
	assert.Equal(t, iimmpact.BillAccountValid, bill.Status)
	assert.True(t, bill.CanPay())
	require.NotNil(t, bill.Outstanding)
	require.NotNil(t, bill.Balance)
	assert.Equal(t, *bill.Outstanding, *bill.Balance, "the number and the string agree")
	assert.Equal(t, "Tenaga Nasional Berhad", bill.BillerName)
	assert.Contains(t, bill.EBill, "220001234567")
	assert.True(t, bill.LastUpdated.Equal(mayNoon.Truncate(time.Second)) || bill.LastUpdated.After(mayNoon.Add(-time.Second)))

	bill, err = c.BillPresentment(ctx, iimmpact.BillQuery{Account: "0123456789", Product: "D"})
	require.NoError(t, err)
	assert.Equal(t, iimmpact.BillPresentmentUnavailable, bill.Status)
	assert.True(t, bill.CanPay())
	assert.Nil(t, bill.Outstanding)

	bill, err = c.BillPresentment(ctx, iimmpact.BillQuery{Account: "60123450047", Product: "TNB"})
	require.NoError(t, err)
	assert.Equal(t, iimmpact.BillServiceUnavailable, bill.Status)

	_, err = c.BillPresentment(ctx, iimmpact.BillQuery{Account: "60123450052", Product: "TNB"})
	var ae *iimmpact.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 400, ae.HTTPStatus)
	assert.Equal(t, "Invalid account no", ae.Message)
}

func TestE2EHistoryAndStatement(t *testing.T) {
	srv, c := mayServer(t)
	ctx := context.Background()
	for i := range 5 {
		pay(t, c, fmt.Sprintf("may-%d", i), "D", "0123456789", "10")
	}
	failed := pay(t, c, "may-failed", "D", "60123450048", "10")
	require.True(t, failed.StatusCode.IsFailure())

	may := iimmpact.TransactionQuery{From: time.Date(2025, 5, 1, 0, 0, 0, 0, mayNoon.Location()),
		To: time.Date(2025, 5, 31, 0, 0, 0, 0, mayNoon.Location()), Statuses: []string{"SUCCESSFUL", "FAILED"}, Limit: 2}
	var refids []string
	for r, err := range c.AllTransactions(ctx, may) {
		require.NoError(t, err)
		refids = append(refids, r.RefID)
	}
	assert.Equal(t, []string{"may-0", "may-1", "may-2", "may-3", "may-4", "may-failed"}, refids)
	may.Statuses = []string{"FAILED"}
	page, err := c.Transactions(ctx, may)
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	assert.Equal(t, "may-failed", page.Items[0].RefID)

	sq := iimmpact.BalanceStatementQuery{From: may.From, To: may.To, Limit: 2}
	var entries []iimmpact.StatementEntry
	for e, err := range c.AllBalanceStatement(ctx, sq) {
		require.NoError(t, err)
		entries = append(entries, e)
	}
	require.Len(t, entries, 5, "one entry per successful payment")
	prev := iimmpact.MustParseAmount("1000")
	for _, e := range entries {
		assert.Equal(t, iimmpact.StatementTransaction, e.Type)
		assert.Equal(t, "-9.8", e.Amount.String())
		assert.Equal(t, prev.Add(e.Amount), e.Balance, "each balance follows from the one before")
		assert.Equal(t, 2025, e.Date.Year())
		prev = e.Balance
	}
	assert.Equal(t, srv.Balance(), prev)

	first, err := c.BalanceStatement(ctx, sq)
	require.NoError(t, err)
	assert.Equal(t, iimmpact.PageMeta{CurrentPage: 1, LastPage: 3, PerPage: 2, Total: 5, From: 1, To: 2,
		Path: srv.URL + "/v2/balance-statement"}, first.Meta)
	assert.Empty(t, first.Links.Prev)
	assert.NotEmpty(t, first.Links.Next)
	sq.Type = iimmpact.StatementDeposit
	deposits, err := c.BalanceStatement(ctx, sq)
	require.NoError(t, err)
	assert.Empty(t, deposits.Items)
}

func TestE2ESettings(t *testing.T) {
	var mu sync.Mutex
	var got []string
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Method+" "+r.URL.Path+" x="+r.URL.Query().Get("x"))
		mu.Unlock()
	}))
	defer receiver.Close()
	srv, c := mayServer(t, iimmpacttest.WithCallbackPolicy(0, time.Millisecond, time.Second))
	ctx := context.Background()

	cfg, err := c.CallbackSettings(ctx)
	require.NoError(t, err)
	assert.Empty(t, cfg.URL, "no callback configured yet")

	cfg, err = c.SetCallbackURL(ctx, receiver.URL+"/iimmpact?shop=1&x=a%20b", "post")
	require.NoError(t, err)
	assert.Equal(t, "Success", cfg.Status)
	assert.Equal(t, receiver.URL+"/iimmpact?shop=1&x=a%20b", cfg.URL)
	cfg, err = c.CallbackSettings(ctx)
	require.NoError(t, err)
	assert.Equal(t, "POST", cfg.Method)
	assert.Equal(t, 2025, cfg.LastUpdated.Year())

	pay(t, c, "cb-1", "D", "0123456789", "10")
	require.NoError(t, srv.WaitCallbacks(ctx))
	mu.Lock()
	assert.Equal(t, []string{"POST /iimmpact x=a b"}, got, "the fake's callbacks follow the URL the SDK set")
	mu.Unlock()

	a, err := c.SetLowBalanceThreshold(ctx, iimmpact.MustParseAmount("2500.50"))
	require.NoError(t, err)
	assert.Equal(t, "2500.5", a.Threshold.String())
	assert.Equal(t, 2025, a.LastUpdated.Year())
	a, err = c.LowBalanceAlert(ctx)
	require.NoError(t, err)
	assert.Equal(t, "2500.5", a.Threshold.String())
	assert.NotEmpty(t, a.Email)
}

func TestE2EDisputes(t *testing.T) {
	_, c := mayServer(t)
	ctx := context.Background()
	bill := pay(t, c, "tnb-1", "TNB", "220001234567", "120.50")
	require.True(t, bill.StatusCode.IsSuccess())
	reload := pay(t, c, "d-1", "D", "0123456789", "10")
	require.True(t, reload.StatusCode.IsSuccess())

	res, err := c.VoidTransaction(ctx, iimmpact.VoidRequest{RefID: "tnb-1", Type: iimmpact.RefundOther, Reason: "paid the wrong account",
		CCEmails: []string{"ops@merchant.example.com"}})
	require.NoError(t, err)
	assert.True(t, res.Accepted())
	assert.Equal(t, "tnb-1", res.RefID)
	res, err = c.VoidTransaction(ctx, iimmpact.VoidRequest{RefID: "tnb-1", Type: iimmpact.RefundDuplicate})
	require.NoError(t, err)
	assert.False(t, res.Accepted(), "a second void is a declined case, not an error")
	res, err = c.VoidTransaction(ctx, iimmpact.VoidRequest{RefID: "d-1", Type: iimmpact.RefundWrongAmountOrAccount})
	require.NoError(t, err)
	assert.False(t, res.Accepted(), "prepaid reloads are not refundable")

	hist, err := c.Transactions(ctx, iimmpact.TransactionQuery{From: mayNoon, Product: "D"})
	require.NoError(t, err)
	require.Len(t, hist.Items, 1)
	res, err = c.ReportTransaction(ctx, iimmpact.ReportRequest{TrxID: hist.Items[0].TrxID, RefID: "ignored-when-trxid-is-given"})
	require.NoError(t, err)
	assert.True(t, res.Accepted())
	assert.Equal(t, "d-1", res.RefID, "trxid wins over refid")

	_, err = c.ReportTransaction(ctx, iimmpact.ReportRequest{RefID: "no-such-refid"})
	var ae *iimmpact.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 400, ae.HTTPStatus)
}

func TestE2ECatalogWebhook(t *testing.T) {
	srv, c := mayServer(t)
	ctx := context.Background()

	var ae *iimmpact.APIError
	_, err := c.CatalogWebhook(ctx)
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 404, ae.HTTPStatus)

	var mu sync.Mutex
	var secret string
	var events []string
	receiver := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if err := iimmpact.VerifyCatalogWebhook(body, r.Header.Get(iimmpact.CatalogWebhookSignatureHeader), secret); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		ev, err := iimmpact.ParseCatalogEvent(body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		events = append(events, fmt.Sprintf("%s %s %s data=%t", ev.Type, ev.Resource, ev.ID, ev.Data != nil))
	}))
	defer receiver.Close()

	reg, err := c.RegisterCatalogWebhook(ctx, receiver.URL+"/catalog")
	require.NoError(t, err)
	require.NotEmpty(t, reg.Secret)
	assert.Equal(t, receiver.URL+"/catalog", reg.URL)
	mu.Lock()
	secret = string(reg.Secret)
	mu.Unlock()

	cfg, err := c.CatalogWebhook(ctx)
	require.NoError(t, err)
	assert.Equal(t, receiver.URL+"/catalog", cfg.URL)
	require.NotNil(t, cfg.Enabled)
	assert.True(t, *cfg.Enabled)

	send := func(typ, id string) error {
		return srv.SendCatalogEvent(ctx, receiver.Client(), typ, id, map[string]any{"product_code": id, "is_active": true})
	}
	require.NoError(t, send("product.updated", "D"))
	require.NoError(t, send("option.deleted", "D_5"))

	cfg, err = c.SetCatalogWebhookEnabled(ctx, false)
	require.NoError(t, err)
	assert.False(t, *cfg.Enabled)
	assert.ErrorIs(t, send("product.created", "X"), iimmpacttest.ErrNoCatalogWebhook, "not queued while disabled")
	_, err = c.SetCatalogWebhookEnabled(ctx, true)
	require.NoError(t, err)

	rot, err := c.RotateCatalogWebhookSecret(ctx)
	require.NoError(t, err)
	require.NotEqual(t, reg.Secret, rot.Secret)
	assert.Error(t, send("group.updated", "grp_mobile"), "the receiver still holds the old secret")
	mu.Lock()
	secret = string(rot.Secret)
	mu.Unlock()
	require.NoError(t, send("group.updated", "grp_mobile"))

	require.NoError(t, c.DeleteCatalogWebhook(ctx))
	_, err = c.CatalogWebhook(ctx)
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 404, ae.HTTPStatus)
	assert.True(t, errors.Is(send("product.updated", "D"), iimmpacttest.ErrNoCatalogWebhook))

	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{"product.updated products D data=true", "option.deleted options D_5 data=false",
		"group.updated groups grp_mobile data=true"}, events)
}

// AllSubproducts follows links.next across the fake's pages of JomPAY
// billers, one biller a page, and stops after the page with no next link.
func TestAllSubproductsFollowsNextLinks(t *testing.T) {
	t.Parallel()
	srv, c := mayServer(t)
	var codes []string
	for s, err := range c.AllSubproducts(context.Background(), iimmpact.SubproductQuery{ProductCode: "JOMPAY", Limit: 1}) {
		require.NoError(t, err)
		codes = append(codes, s.Code)
	}
	assert.Len(t, codes, 2, "both billers, one a page")
	assert.NotEqual(t, codes[0], codes[1])
	assert.Equal(t, 2, srv.Requests("/v2/subproducts"))
}
