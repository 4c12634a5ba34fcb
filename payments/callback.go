package payments

import (
	"context"
	"errors"
	"fmt"

	"github.com/iimmpact-go/iimmpact"
)

// CallbackHandler returns IIMMPACT's callback endpoint fed into m: cfg is
// an iimmpact.CallbackConfig without Lookup and Handle, which this fills
// in. Lookup is the stored request for the refid, so the handler refuses
// a callback whose product, account or amount differ from it (422) and one
// for a refid never recorded (404). Handle applies the callback as a
// transition, which is idempotent on its own: a duplicate or an
// out-of-order callback changes nothing, on any replica, even without a
// shared CallbackStore. Effects the callback causes are delivered before
// the handler answers; a failed delivery is left to the resolver, since
// the state change itself is recorded.
func (m *Manager) CallbackHandler(cfg iimmpact.CallbackConfig) (*iimmpact.CallbackHandler, error) {
	if cfg.Lookup != nil || cfg.Handle != nil {
		return nil, errors.New("payments: CallbackHandler sets Lookup and Handle itself; leave them nil")
	}
	cfg.Lookup = m.lookup
	cfg.Handle = m.handleCallback
	return iimmpact.NewCallbackHandler(cfg)
}

func (m *Manager) lookup(ctx context.Context, refID string) (iimmpact.TopupRequest, error) {
	p, err := m.store.Get(ctx, refID)
	switch {
	case errors.Is(err, ErrNotFound):
		return iimmpact.TopupRequest{}, fmt.Errorf("%w: %q is not a recorded payment", iimmpact.ErrUnknownRefID, refID)
	case err != nil:
		return iimmpact.TopupRequest{}, err
	}
	return p.Request, nil
}

func (m *Manager) handleCallback(ctx context.Context, cb *iimmpact.Callback) error {
	_, err := m.Apply(ctx, &cb.Transaction, SourceCallback)
	return err
}

// Apply feeds a transaction IIMMPACT reported for a recorded refid (from a
// callback your own endpoint parsed, or a history record you trust to be
// for this very request) into the state machine, and returns the payment.
func (m *Manager) Apply(ctx context.Context, tx *iimmpact.Transaction, src Source) (Payment, error) {
	p, err := m.store.Get(ctx, tx.RefID)
	if err != nil {
		return p, err
	}
	txc := *tx
	return m.record(ctx, p, statusEvent(&txc, src), false)
}
