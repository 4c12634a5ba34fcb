package iimmpact_test

import (
	"context"
	"errors"
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

// The end-to-end proofs of issue 17: the SDK against the fake's
// behaviours that follow IIMMPACT's current docs and announcements.

// fakeClock is a settable clock for the fake.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

func TestE2EAcceptedThenProcessingThenSuccessful(t *testing.T) {
	srv := iimmpacttest.NewServer(iimmpacttest.WithAccepted(1), iimmpacttest.WithSettleAfter(1))
	defer srv.Close()
	client := srv.Client()
	req := iimmpact.TopupRequest{RefID: "e2e-acc-1", Product: "D", Account: "0123456789", Amount: iimmpact.MustParseAmount("30")}
	var seen []iimmpact.StatusCode
	for range 3 {
		tx, err := client.Topup(context.Background(), req)
		require.NoError(t, err, "pending is never an error")
		seen = append(seen, tx.StatusCode)
	}
	assert.Equal(t, []iimmpact.StatusCode{iimmpact.StatusAccepted, iimmpact.StatusProcessing, iimmpact.StatusSuccessful}, seen)
	assert.True(t, seen[0].IsPending())
	assert.Equal(t, 1, srv.Debits("e2e-acc-1"))
}

// topupWithBadAccount is a request the SDK lets through (it does not know
// account formats) and IIMMPACT refuses as a validation error.
var topupWithBadAccount = iimmpact.TopupRequest{RefID: "e2e-400-1", Product: "D", Account: "01-2345",
	Amount: iimmpact.MustParseAmount("10")}

func TestE2ELaravelValidation400(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 3, 22, 12, 0, 0, 0, time.UTC)} // before 23 March 2026
	srv := iimmpacttest.NewServer(iimmpacttest.WithServerClock(clk.Now))
	defer srv.Close()
	_, err := srv.Client(iimmpact.WithClock(clk.Now)).Topup(context.Background(), topupWithBadAccount)
	var apiErr *iimmpact.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.False(t, errors.Is(err, iimmpact.ErrOutcomeUnknown), "a 400 created nothing")
	assert.Equal(t, http.StatusBadRequest, apiErr.HTTPStatus)
	assert.Equal(t, "The given data was invalid.", apiErr.Message)
	assert.JSONEq(t, `{"message":"The given data was invalid.","errors":{"account":["The account format is invalid."]}}`, string(apiErr.Body))
	assert.Equal(t, []iimmpact.FieldError{{Field: "account", Messages: []string{"The account format is invalid."}}}, apiErr.Fields)
	assert.Contains(t, err.Error(), "account: The account format is invalid.")
	assert.Empty(t, srv.TopupRecords())
}

func TestE2EStandardValidation400(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 3, 23, 0, 0, 0, 0, time.FixedZone("MYT", 8*3600))}
	srv := iimmpacttest.NewServer(iimmpacttest.WithServerClock(clk.Now))
	defer srv.Close()
	_, err := srv.Client(iimmpact.WithClock(clk.Now)).Topup(context.Background(), topupWithBadAccount)
	var apiErr *iimmpact.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadRequest, apiErr.HTTPStatus)
	assert.Equal(t, iimmpact.StatusCode(58), apiErr.StatusCode)
	assert.Equal(t, "The account format is invalid.", apiErr.Remarks)
	assert.Equal(t, []iimmpact.FieldError{{Field: "account", Messages: []string{"The account format is invalid."}}}, apiErr.Fields)
	assert.Contains(t, err.Error(), "account: The account format is invalid.")
	assert.Empty(t, srv.TopupRecords())
}

func TestE2EBanReachedAndSurfacedAs403(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	srv := iimmpacttest.NewServer(iimmpacttest.WithServerClock(clk.Now), iimmpacttest.WithIPBan(3, 5*time.Minute, 240*time.Minute))
	defer srv.Close()
	client := srv.Client(iimmpact.WithClock(clk.Now))
	for range 3 {
		_, err := client.Balance(context.Background())
		require.NoError(t, err)
	}
	_, err := client.Balance(context.Background())
	require.ErrorIs(t, err, iimmpact.ErrForbidden)
	var apiErr *iimmpact.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Contains(t, apiErr.Message, "IP blocked for 240 minutes")
	assert.Contains(t, err.Error(), "403")
	assert.Equal(t, 4, srv.Requests("/v2/balance"), "a 403 is not retried: retrying only extends a ban")
	assert.Contains(t, err.Error(), "240-minute IP ban", "the error says what a 403 may mean")

	clk.Set(clk.Now().Add(240 * time.Minute))
	_, err = client.Balance(context.Background())
	assert.NoError(t, err, "the ban lifts after 240 minutes on the fake's clock")
}

func TestE2EJomPAYPaymentBuiltFromTheCatalog(t *testing.T) {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	cat, err := client.Catalog(ctx, iimmpact.CatalogQuery{ProductCode: "JOMPAY"})
	require.NoError(t, err)
	product := cat.Products["JOMPAY"]
	billers, err := client.Options(ctx, iimmpact.OptionsQuery{ProductCode: "JOMPAY", FieldID: "biller"})
	require.NoError(t, err)

	form := iimmpact.TopupForm{RefID: "e2e-jp-1",
		Values:  map[string]string{"account": "12345678", "biller": "5454", "amount": "88.20"},
		Options: map[string][]iimmpact.OptionItem{"biller": billers.Items}}
	_, err = product.BuildTopup(form)
	var fe *iimmpact.CatalogFieldError
	require.ErrorAs(t, err, &fe, "no payer IC: refused before the network")
	assert.Equal(t, "ic_number", fe.Field)
	assert.Equal(t, 0, srv.Requests("/v2/topup"))

	form.Values["ic_number"] = "900101015555"
	req, err := product.BuildTopup(form)
	require.NoError(t, err)
	tx, err := client.Topup(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, iimmpact.StatusSuccessful, tx.StatusCode)
	got, ok := srv.TopupRecord("e2e-jp-1")
	require.True(t, ok)
	assert.Equal(t, "88.2", got.Amount.String())
	assert.Equal(t, 1, got.Debits)
}

func TestE2ECallbackFromAPublishedIIMMPACTAddress(t *testing.T) {
	var handled atomic.Int32
	var sent sync.Map
	allow, err := iimmpact.NewIPAllowlist(iimmpact.ProductionCallbackIPs()...)
	require.NoError(t, err)
	proxy, err := iimmpact.NewIPAllowlist("127.0.0.1")
	require.NoError(t, err)
	h, err := iimmpact.NewCallbackHandler(iimmpact.CallbackConfig{Allowlist: allow, TrustedProxies: proxy,
		Lookup: func(_ context.Context, refID string) (iimmpact.TopupRequest, error) {
			if r, ok := sent.Load(refID); ok {
				return r.(iimmpact.TopupRequest), nil
			}
			return iimmpact.TopupRequest{}, iimmpact.ErrUnknownRefID
		},
		Handle: func(context.Context, *iimmpact.Callback) error { handled.Add(1); return nil }})
	require.NoError(t, err)
	hook := httptest.NewServer(h)
	defer hook.Close()

	for _, tc := range []struct {
		source string
		want   int
	}{{"", 403}, {"18.140.170.98", 200}} {
		opts := []iimmpacttest.ServerOption{iimmpacttest.WithCallback(hook.URL, "POST"), iimmpacttest.WithCallbackPolicy(0, 0, time.Second)}
		if tc.source != "" {
			opts = append(opts, iimmpacttest.WithCallbackSource(tc.source))
		}
		srv := iimmpacttest.NewServer(opts...)
		req := iimmpact.TopupRequest{RefID: "e2e-cb-" + tc.source, Product: "D", Account: "0123456789", Amount: iimmpact.MustParseAmount("10")}
		sent.Store(req.RefID, req)
		_, err := srv.Client().Topup(context.Background(), req)
		require.NoError(t, err)
		require.NoError(t, srv.WaitCallbacks(context.Background()))
		cbs := srv.Callbacks()
		require.Len(t, cbs, 1)
		assert.Equal(t, tc.want, cbs[0].HTTPStatus, "source %q", tc.source)
		srv.Close()
	}
	assert.Equal(t, int32(1), handled.Load(), "only the published address got through")
}
