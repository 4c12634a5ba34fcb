package payments_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/iimmpact-go/iimmpact/payments"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func callbackServer(t *testing.T, m *payments.Manager) *httptest.Server {
	t.Helper()
	allow, err := iimmpact.NewIPAllowlist("127.0.0.1")
	require.NoError(t, err)
	h, err := m.CallbackHandler(iimmpact.CallbackConfig{Allowlist: allow})
	require.NoError(t, err)
	cb := httptest.NewServer(h)
	t.Cleanup(cb.Close)
	return cb
}

// The callback settles a pending payment through the same state machine,
// with no hand-written Lookup; polls that arrive later are stale.
func TestCallbackSettlesPendingPayment(t *testing.T) {
	ctx := context.Background()
	srv := iimmpacttest.NewServer(iimmpacttest.WithSettleDelay(50*time.Millisecond),
		iimmpacttest.WithCallbackPolicy(3, 10*time.Millisecond, time.Second))
	defer srv.Close()
	fx := &recorder{}
	m, err := payments.New(srv.Client(), payments.NewMemoryStore(), payments.WithEffects(fx.effect))
	require.NoError(t, err)
	srv.SetCallback(callbackServer(t, m).URL, http.MethodPost)

	p, err := m.Pay(ctx, digi("cb-1", "30"))
	require.NoError(t, err)
	require.Equal(t, payments.StatePending, p.State)
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	p, err = m.Wait(wctx, "cb-1", 10*time.Millisecond)
	require.NoError(t, err)
	assert.Equal(t, payments.StateSucceeded, p.State)
	assert.Equal(t, payments.SourceCallback, p.History[len(p.History)-1].Source)
	require.NoError(t, srv.WaitCallbacks(wctx))
	for _, a := range srv.Callbacks() {
		assert.Equal(t, http.StatusOK, a.HTTPStatus, "every callback acknowledged")
	}
	assert.Equal(t, []string{"cb-1/succeeded"}, fx.got())

	// A poll after the callback changes nothing.
	before := p.Version
	p, err = m.Pay(ctx, digi("cb-1", "30"))
	require.NoError(t, err)
	assert.Equal(t, before, p.Version)
}

func TestCallbackRefusesUnknownAndMismatched(t *testing.T) {
	ctx := context.Background()
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	m, err := payments.New(srv.Client(), payments.NewMemoryStore())
	require.NoError(t, err)
	cb := callbackServer(t, m)
	_, err = m.Start(ctx, digi("known", "30"))
	require.NoError(t, err)
	post := func(body string) int {
		res, err := http.Post(cb.URL, "application/json", strings.NewReader(body))
		require.NoError(t, err)
		res.Body.Close()
		return res.StatusCode
	}
	assert.Equal(t, http.StatusNotFound, post(`{"data":{"statusCode":20,"refid":"never","product":"D","account":"0123456789","amount":30}}`))
	assert.Equal(t, http.StatusUnprocessableEntity, post(`{"data":{"statusCode":20,"refid":"known","product":"D","account":"0123456789","amount":50}}`))
	p, _ := m.Get(ctx, "known")
	assert.Equal(t, payments.StateRecorded, p.State, "a mismatched callback changed nothing")
	assert.Equal(t, http.StatusOK, post(`{"data":{"statusCode":20,"refid":"known","product":"D","account":"0123456789","amount":"30.00"}}`))
	p, _ = m.Get(ctx, "known")
	assert.Equal(t, payments.StateSucceeded, p.State)

	_, err = m.CallbackHandler(iimmpact.CallbackConfig{Allowlist: mustAllow(t), Handle: func(context.Context, *iimmpact.Callback) error { return nil }})
	assert.Error(t, err, "Handle is the layer's own")
}

func mustAllow(t *testing.T) *iimmpact.IPAllowlist {
	a, err := iimmpact.NewIPAllowlist("127.0.0.1")
	require.NoError(t, err)
	return a
}
