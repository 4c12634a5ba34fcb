package iimmpact_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The merchant saved a topup and crashed before sending it. A forged (or
// mistaken) Succesful callback for that refid arrives from an allowlisted
// address: with Requery set, the handler must not create the payment. The
// fake debits the wallet only for a /v2/topup it received, so its debit
// count is the proof. Once the merchant does send the topup, the next
// delivery is confirmed and acted on.
func TestCallbackRequeryNeverCreatesAPayment(t *testing.T) {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	client := srv.Client()
	m := &merchant{pending: map[string]iimmpact.TopupRequest{}}
	req := iimmpact.TopupRequest{RefID: iimmpact.NewRefID(), Product: "D", Account: "0123456789",
		Amount: iimmpact.MustParseAmount("30")}
	m.save(req) // ... and crash before client.Topup

	allow, err := iimmpact.NewIPAllowlist(iimmpact.ProductionCallbackIPs()...)
	require.NoError(t, err)
	h, err := iimmpact.NewCallbackHandler(iimmpact.CallbackConfig{
		Allowlist: allow, Lookup: m.lookup, Handle: m.handle, Requery: client})
	require.NoError(t, err)
	forged := iimmpact.Transaction{StatusCode: iimmpact.StatusSuccessful, Status: "Succesful", RefID: req.RefID,
		Account: req.Account, Product: req.Product, Amount: req.Amount, Cost: iimmpact.MustParseAmount("29.4"),
		SN: "FORGED", Timestamp: time.Now()}
	deliver := func(method string) int {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, iimmpacttest.NewCallbackRequest(method, forged))
		return w.Code
	}

	for _, method := range []string{http.MethodPost, http.MethodGet, http.MethodPost} {
		assert.Equal(t, http.StatusServiceUnavailable, deliver(method), "not in IIMMPACT's history: retry later")
	}
	assert.Zero(t, srv.Debits(req.RefID), "the wallet was debited: a callback created a payment")
	_, created := srv.TopupRecord(req.RefID)
	assert.False(t, created, "a callback created a transaction")
	assert.Zero(t, srv.Requests("/v2/topup"), "a re-query sent /v2/topup")
	assert.Positive(t, srv.Requests("/v2/transactions"))
	assert.Empty(t, m.handled())

	// The merchant recovers and sends it; IIMMPACT's next retry is confirmed.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tx, err := client.Topup(ctx, req)
	require.NoError(t, err)
	require.Equal(t, iimmpact.StatusSuccessful, tx.StatusCode)
	assert.Equal(t, http.StatusOK, deliver(http.MethodPost))
	assert.Equal(t, http.StatusOK, deliver(http.MethodGet), "a duplicate")
	assert.Equal(t, []string{"POST " + req.RefID + " 20 (successful)"}, m.handled())
	assert.Equal(t, 1, srv.Debits(req.RefID))
	assert.Equal(t, 1, srv.Requests("/v2/topup"), "only the merchant's own")
}
