package main

import (
	"context"
	"fmt"
	"sync"

	"github.com/iimmpact-go/iimmpact"
)

// orders stands in for the merchant's database of sent payments.
type orders struct {
	mu   sync.Mutex
	byID map[string]iimmpact.TopupRequest
}

func newOrders() *orders { return &orders{byID: make(map[string]iimmpact.TopupRequest)} }

func (o *orders) save(r iimmpact.TopupRequest) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.byID[r.RefID] = r
}

func (o *orders) lookup(_ context.Context, refID string) (iimmpact.TopupRequest, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	r, ok := o.byID[refID]
	if !ok {
		return r, fmt.Errorf("refid %q: %w", refID, iimmpact.ErrUnknownRefID)
	}
	return r, nil
}

// newCallbackHandler is the merchant's callback endpoint. The embedded fake
// calls from 127.0.0.1; against IIMMPACT the allowlist would be
// iimmpact.ProductionCallbackIPs() (or StagingCallbackIPs()).
func newCallbackHandler(o *orders, out chan<- *iimmpact.Callback) (*iimmpact.CallbackHandler, error) {
	allow, err := iimmpact.NewIPAllowlist("127.0.0.1")
	if err != nil {
		return nil, err
	}
	return iimmpact.NewCallbackHandler(iimmpact.CallbackConfig{
		Allowlist: allow,
		Lookup:    o.lookup, // refuses unknown refids and mismatched product, account or amount
		Handle: func(ctx context.Context, cb *iimmpact.Callback) error {
			select { // runs once per (refid, status), however often IIMMPACT retries
			case out <- cb:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		},
	})
}
