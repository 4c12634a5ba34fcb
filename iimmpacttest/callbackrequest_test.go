package iimmpacttest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func grabGift() iimmpact.Transaction {
	return iimmpact.Transaction{
		StatusCode: iimmpact.StatusSuccessful, Status: "Succesful", RefID: "321479-0-30f4f209-ee",
		Account: "0123456789", Product: "GC", ProductName: "Grab Gift Code",
		Amount: iimmpact.MustParseAmount("5"), Cost: iimmpact.MustParseAmount("5"), Balance: iimmpact.MustParseAmount("50.54"),
		SN: "106648697", PIN: "MPHE39G3WL", Expiry: "20251116",
		Note:        "Insert voucher code into Use Grab Gifts under Use Offers section upon check out",
		VoucherLink: "https://api.grab.com/gifts/v2/go?id=7464957319334bb0afbd5980738a2b50",
		Timestamp:   time.Date(2025, 5, 20, 13, 9, 34, 0, time.FixedZone("MYT", 8*3600)),
	}
}

func TestNewCallbackRequestParsesBack(t *testing.T) {
	t.Parallel()
	tx := grabGift()
	for _, method := range []string{http.MethodPost, http.MethodGet} {
		r := iimmpacttest.NewCallbackRequest(method, tx)
		peer, err := netip.ParseAddrPort(r.RemoteAddr)
		require.NoError(t, err)
		assert.Contains(t, iimmpact.ProductionCallbackIPs(), peer.Addr().String())
		cb, err := iimmpact.ParseCallback(r)
		require.NoError(t, err, method)
		assert.Equal(t, method, cb.Method)
		assert.Equal(t, tx.PIN, cb.PIN)
		assert.True(t, tx.Timestamp.Equal(cb.Timestamp))
		cb.Timestamp = tx.Timestamp
		assert.Equal(t, tx, cb.Transaction)
	}
	assert.Panics(t, func() { iimmpacttest.NewCallbackRequest(http.MethodPut, tx) })
}

// The GET form is IIMMPACT's sample byte for byte, except that the
// sample's timestamp has milliseconds and Transaction keeps seconds.
func TestNewCallbackRequestGetMatchesTheSeed(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../testdata/callback_get_query.txt")
	require.NoError(t, err)
	seed, err := url.Parse(strings.TrimSpace(string(raw)))
	require.NoError(t, err)
	cb, err := iimmpact.ParseCallback(httptest.NewRequest(http.MethodGet, "/?"+seed.RawQuery, nil))
	require.NoError(t, err)

	r := iimmpacttest.NewCallbackRequest(http.MethodGet, cb.Transaction)
	want := strings.Replace(seed.RawQuery, "14%3A29%3A31.710", "14%3A29%3A31", 1)
	assert.Equal(t, want, r.URL.RawQuery)
}

func TestNewCallbackRequestPassesAProductionHandler(t *testing.T) {
	t.Parallel()
	allow, err := iimmpact.NewIPAllowlist(iimmpact.ProductionCallbackIPs()...)
	require.NoError(t, err)
	handled := 0
	h, err := iimmpact.NewCallbackHandler(iimmpact.CallbackConfig{
		Allowlist: allow,
		Verify:    func(context.Context, *iimmpact.Callback) error { return nil },
		Handle:    func(context.Context, *iimmpact.Callback) error { handled++; return nil },
	})
	require.NoError(t, err)
	for _, method := range []string{http.MethodPost, http.MethodGet} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, iimmpacttest.NewCallbackRequest(method, grabGift()))
		assert.Equal(t, http.StatusOK, w.Code)
	}
	assert.Equal(t, 1, handled, "the GET repeats the POST's (refid, status)")
}
