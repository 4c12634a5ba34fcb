package main

import (
	"context"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/payments"
)

// newPayments is the merchant's payments layer: every payment recorded
// before it is sent, one state machine fed by answers, re-queries and
// callbacks, and effects (here: a channel the walkthrough reads) delivered
// once per final state. The memory store is lost on exit; a merchant
// taking real money uses store/postgres's PaymentStore.
func newPayments(client *iimmpact.Client, poll time.Duration) (*payments.Manager, <-chan payments.Effect, error) {
	effects := make(chan payments.Effect, 4)
	m, err := payments.New(client, payments.NewMemoryStore(),
		payments.WithPollSchedule(poll, 2*poll, 6, 10*poll),
		payments.WithResolverIdle(poll/10),
		payments.WithEffects(func(ctx context.Context, e payments.Effect, _ payments.Payment) error {
			select { // at least once per e.Key, in state order
			case effects <- e:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}))
	return m, effects, err
}

// newCallbackHandler is the merchant's callback endpoint, fed into the
// payments layer: it matches each callback to the recorded request itself.
// The embedded fake calls from 127.0.0.1; against IIMMPACT the allowlist
// would be iimmpact.ProductionCallbackIPs() (or StagingCallbackIPs()).
func newCallbackHandler(m *payments.Manager) (*iimmpact.CallbackHandler, error) {
	allow, err := iimmpact.NewIPAllowlist("127.0.0.1")
	if err != nil {
		return nil, err
	}
	return m.CallbackHandler(iimmpact.CallbackConfig{Allowlist: allow})
}
