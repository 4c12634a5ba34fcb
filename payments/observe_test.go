package payments_test

import (
	"context"
	"sync"
	"testing"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/iimmpact-go/iimmpact/payments"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stateWatcher records the state changes the layer reports to the
// client's Observer.
type stateWatcher struct {
	iimmpact.NopObserver
	mu      sync.Mutex
	changes []iimmpact.PaymentStateChange
}

func (w *stateWatcher) PaymentState(_ context.Context, e iimmpact.PaymentStateChange) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.changes = append(w.changes, e)
}

// The client's Observer sees every state change of the layer, with its
// source, and the layer's counts in the Observer's gauge shape.
func TestObserverSeesStateChanges(t *testing.T) {
	srv := iimmpacttest.NewServer(iimmpacttest.WithSettleAfter(1))
	defer srv.Close()
	w := &stateWatcher{}
	m, err := payments.New(srv.Client(iimmpact.WithObserver(w)), payments.NewMemoryStore())
	require.NoError(t, err)
	ctx := context.Background()
	req := iimmpact.TopupRequest{RefID: "obs-1", Product: "D", Account: "0123456789", Amount: iimmpact.MustParseAmount("30")}
	p, err := m.Pay(ctx, req)
	require.NoError(t, err)
	require.Equal(t, payments.StatePending, p.State)
	_, err = m.ResolveOnce(ctx) // not due yet: nothing changes
	require.NoError(t, err)
	tx, err := srv.Client().Topup(ctx, req) // settles it at the fake
	require.NoError(t, err)
	_, err = m.Apply(ctx, tx, payments.SourceRequery)
	require.NoError(t, err)

	w.mu.Lock()
	defer w.mu.Unlock()
	require.Len(t, w.changes, 2)
	assert.Equal(t, iimmpact.PaymentStateChange{RefID: "obs-1", From: "recorded", To: "pending", Source: string(payments.SourceAnswer), At: w.changes[0].At}, w.changes[0])
	assert.Equal(t, "pending", w.changes[1].From)
	assert.Equal(t, "succeeded", w.changes[1].To)
	assert.Equal(t, string(payments.SourceRequery), w.changes[1].Source)

	st, err := m.ObservedStats(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, st.ByState["succeeded"])
	assert.Zero(t, st.OldestUnresolved, "nothing is open")
}
