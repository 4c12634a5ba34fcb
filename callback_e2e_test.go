package iimmpact_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// merchant is a minimal merchant backend: pending payments saved before
// Topup, and a record of what its callback Handle acted on.
type merchant struct {
	mu      sync.Mutex
	pending map[string]iimmpact.TopupRequest
	acted   []string // "METHOD refid code"
}

func (m *merchant) save(req iimmpact.TopupRequest) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.pending[req.RefID] = req
}

func (m *merchant) lookup(_ context.Context, refID string) (iimmpact.TopupRequest, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	req, ok := m.pending[refID]
	if !ok {
		return iimmpact.TopupRequest{}, iimmpact.ErrUnknownRefID
	}
	return req, nil
}

func (m *merchant) handle(_ context.Context, cb *iimmpact.Callback) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.acted = append(m.acted, cb.Method+" "+cb.RefID+" "+cb.StatusCode.String())
	return nil
}

func (m *merchant) handled() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.acted...)
}

// loseFirstAck passes every delivery to h, but answers the first attempt of
// each distinct callback with 502 after h has acted on it, as a proxy that
// lost the acknowledgement would. The fake then retries, as IIMMPACT does.
// A retry carries the same bytes, so the payload is the key.
func loseFirstAck(h http.Handler) http.Handler {
	var mu sync.Mutex
	seen := map[string]bool{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		key := r.Method + "?" + r.URL.RawQuery + "\n" + string(body)

		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		mu.Lock()
		first := !seen[key]
		seen[key] = true
		mu.Unlock()
		if first && rec.Code == http.StatusOK {
			http.Error(w, "acknowledgement lost", http.StatusBadGateway)
			return
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

// TestCallbacksEndToEnd: a topup on the fake goes Processing, then
// Succesful; the fake delivers both callbacks (POST or GET) to a real
// CallbackHandler over HTTP, and each reaches Handle exactly once even
// though the first acknowledgement of each is lost and the fake retries.
func TestCallbacksEndToEnd(t *testing.T) {
	for _, tt := range []struct {
		method  string
		requery bool
	}{
		{http.MethodPost, false}, {http.MethodGet, false}, {http.MethodPost, true}, {http.MethodGet, true},
	} {
		name := tt.method
		if tt.requery {
			name += "+requery"
		}
		t.Run(name, func(t *testing.T) {
			m := &merchant{pending: map[string]iimmpact.TopupRequest{}}
			// The fake delivers from loopback; in production this is
			// NewIPAllowlist(iimmpact.ProductionCallbackIPs()...).
			allow, err := iimmpact.NewIPAllowlist("127.0.0.1", "::1")
			require.NoError(t, err)

			cfg := iimmpact.CallbackConfig{Allowlist: allow, Lookup: m.lookup, Handle: m.handle}
			var h http.Handler
			receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
			defer receiver.Close()
			srv := iimmpacttest.NewServer(
				iimmpacttest.WithSettleAfter(1), // Processing until the first status check
				iimmpacttest.WithCallback(receiver.URL+"/iimmpact/callback", tt.method),
				iimmpacttest.WithCallbackPolicy(3, time.Millisecond, 5*time.Second))
			defer srv.Close()
			client := srv.Client()
			if tt.requery {
				cfg.Requery = client
			}
			ch, err := iimmpact.NewCallbackHandler(cfg)
			require.NoError(t, err)
			h = loseFirstAck(ch)

			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			req := iimmpact.TopupRequest{RefID: iimmpact.NewRefID(), Product: "D", Account: "0123456789",
				Amount: iimmpact.MustParseAmount("30")}
			m.save(req) // before Topup, so its callback finds it
			tx, err := client.Topup(ctx, req)
			require.NoError(t, err)
			require.Equal(t, iimmpact.StatusProcessing, tx.StatusCode)
			tx, err = client.Topup(ctx, req) // the status check settles it
			require.NoError(t, err)
			require.Equal(t, iimmpact.StatusSuccessful, tx.StatusCode)
			require.NoError(t, srv.WaitCallbacks(ctx))

			assert.Equal(t, []string{
				tt.method + " " + req.RefID + " 1 (processing)",
				tt.method + " " + req.RefID + " 20 (successful)",
			}, m.handled())

			// Each status: attempt 1 lost (502), attempt 2 acknowledged as a duplicate.
			var got [][3]int
			for _, a := range srv.Callbacks() {
				got = append(got, [3]int{int(a.StatusCode), a.Attempt, a.HTTPStatus})
			}
			assert.Equal(t, [][3]int{{1, 1, 502}, {1, 2, 200}, {20, 1, 502}, {20, 2, 200}}, got)
			assert.Equal(t, 1, srv.Debits(req.RefID), "re-queries never pay twice")
			assert.Equal(t, 2, srv.Requests("/v2/topup"), "the merchant's create and status check; a re-query never POSTs")
			if tt.requery { // the handler confirms Succesful once from the history; its retry is a duplicate
				assert.Equal(t, 1, srv.Requests("/v2/transactions"))
			}
		})
	}
}
