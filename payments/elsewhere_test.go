package payments_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/iimmpact-go/iimmpact/payments"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A tool sharing the merchant's store (WithEffectsElsewhere) settles a
// payment but leaves its effect owed, hands back owed effects it claims,
// and the merchant's own resolver then delivers the effect once. Without
// the option a Manager with no EffectFunc would count it delivered.
func TestEffectsElsewhereLeavesEffectsToTheMerchant(t *testing.T) {
	r := newRig(t, nil)
	r.srv.ScriptFaults("/v2/topup", iimmpacttest.ResetFault().AfterProcessing())
	p, err := r.m.Pay(context.Background(), digi("else-1", "30"))
	require.NoError(t, err)
	require.Equal(t, payments.StateUnknown, p.State)

	var mu sync.Mutex
	var seen []string
	tool, err := payments.New(r.srv.Client(oneAttempt), r.store, payments.WithEffectsElsewhere(),
		payments.WithClock(r.clock.now), payments.WithResolverRate(payments.MaxRate),
		payments.WithOnChange(func(_ context.Context, p payments.Payment, c payments.Change) {
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, p.RefID()+" "+c.From.String()+">"+c.To.String()+" "+string(c.Source))
		}))
	require.NoError(t, err)
	r.clock.advance(time.Minute)
	n, err := tool.ResolveOnce(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Equal(t, []string{"else-1 unknown>succeeded requery"}, seen, "the observer saw the one change")
	got := r.state(t, "else-1")
	assert.Equal(t, payments.StateSucceeded, got.State)
	assert.Equal(t, 0, got.EffectsDone, "the tool delivered nothing and marked nothing delivered")
	assert.Empty(t, r.fx.got())

	n, err = tool.ResolveOnce(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, n, "the owed effect is due; the tool claims it...")
	got = r.state(t, "else-1")
	at, due := got.DueAt()
	assert.True(t, due && !at.After(r.clock.now()), "...and hands it back at once (due %v)", at)
	assert.Equal(t, 0, got.EffectsDone)

	assert.Equal(t, 1, r.resolveAt(t, 0), "the merchant's resolver claims it")
	assert.Equal(t, []string{"else-1/succeeded"}, r.fx.got())
	assert.Equal(t, 1, r.state(t, "else-1").EffectsDone)
	assert.Equal(t, 1, r.srv.Debits("else-1"))

	_, err = payments.New(r.srv.Client(), r.store, payments.WithEffectsElsewhere(), payments.WithEffects(r.fx.effect))
	assert.Error(t, err, "delivering effects here and elsewhere at once is refused")
}
