package payments_test

import (
	"context"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/iimmpact-go/iimmpact/payments"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The first send's answer is lost after IIMMPACT processed it (here a
// 400, so nothing was created, but the merchant cannot know that); the
// resolver's re-send is refused with 400. That refusal is about the
// re-send only: the payment stays open, unknown, is asked about again with
// the same refid, and after the horizon needs a person. Never rejected,
// never failed, and nothing was charged.
func TestRefusedResendAfterALostAnswerStaysOpen(t *testing.T) {
	r := newRig(t, nil, payments.WithHorizon(time.Hour))
	r.srv.ScriptFaults("/v2/topup", iimmpacttest.ResetFault().AfterProcessing())
	p, err := r.m.Pay(context.Background(), digi("lost-bad-1", "31")) // D does not sell 31
	require.NoError(t, err)
	require.Equal(t, payments.StateUnknown, p.State)

	assert.Equal(t, 1, r.resolveAt(t, 11*time.Second))
	p = r.state(t, "lost-bad-1")
	assert.Equal(t, payments.StateUnknown, p.State, "a refused re-send proves nothing about the lost first attempt")
	assert.Contains(t, p.Reason, "refused this re-send")
	assert.Contains(t, p.Reason, "Invalid_Denomination")
	assert.True(t, p.Next.After(r.clock.now()), "asked again on the normal schedule")

	for range 12 {
		r.resolveAt(t, 10*time.Minute)
	}
	p = r.state(t, "lost-bad-1")
	assert.Equal(t, payments.StateManual, p.State, "past the horizon a person reconciles it")
	before := r.srv.Requests("/v2/topup")
	r.resolveAt(t, 11*time.Minute)
	assert.Equal(t, before+1, r.srv.Requests("/v2/topup"), "still asked about, with its refid")
	for _, c := range r.state(t, "lost-bad-1").History {
		assert.NotContains(t, []payments.State{payments.StateRejected, payments.StateFailed}, c.To)
	}
	assert.Empty(t, r.fx.got(), "no effect: nothing is final")
	assert.Equal(t, 0, r.srv.Debits("lost-bad-1"))
	assert.Equal(t, "950", r.srv.Balance().String())
	_, found := r.srv.TopupRecord("lost-bad-1")
	assert.False(t, found)
}

// A recorded intent may have been sent by a process that died before the
// answer: neither the resolver's send nor a second Pay is the refid's
// first, so their 400 leaves the payment unknown, not rejected.
func TestRefusedSendOfARecordedIntentIsUnknown(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, nil)
	for _, id := range []string{"crash-bad-1", "crash-bad-2"} {
		_, err := r.m.Start(ctx, digi(id, "31"))
		require.NoError(t, err)
	}
	p, err := r.m.Pay(ctx, digi("crash-bad-1", "31")) // after a restart
	require.NoError(t, err)
	assert.Equal(t, payments.StateUnknown, p.State, "Pay on a refid already recorded")
	assert.Equal(t, 2, r.resolveAt(t, payments.DefaultSendGrace), "the resolver sends the other and asks about the first")
	assert.Equal(t, payments.StateUnknown, r.state(t, "crash-bad-2").State, "the resolver's send")
	for _, id := range []string{"crash-bad-1", "crash-bad-2"} {
		assert.Contains(t, r.state(t, id).Reason, "does not prove that an earlier attempt created nothing", id)
	}
	assert.Empty(t, r.fx.got())
	assert.Equal(t, 3, r.srv.Requests("/v2/topup"))
	assert.Empty(t, r.srv.TopupRecords())
}

// A second Pay of a refid whose first send is still in flight writes the
// record before it sends, so the first send's refusal, arriving after
// that, no longer passes for the answer to the refid's only send: the
// second send may have reached IIMMPACT first.
func TestFirstSendRefusedAfterAnotherPaySentIsUnknown(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, nil)
	r.srv.ScriptFaults("/v2/topup", iimmpacttest.DelayFault(150*time.Millisecond), iimmpacttest.DelayFault(400*time.Millisecond))
	first := make(chan payments.Payment, 1)
	go func() {
		p, err := r.m.Pay(ctx, digi("twice-1", "31"))
		assert.NoError(t, err)
		first <- p
	}()
	require.Eventually(t, func() bool { return r.srv.Requests("/v2/topup") == 1 }, time.Second, time.Millisecond)
	second, err := r.m.Pay(ctx, digi("twice-1", "31"))
	require.NoError(t, err)
	p := <-first
	assert.Equal(t, payments.StateUnknown, p.State, "the first send's 400 came after another send went out")
	assert.Equal(t, payments.StateUnknown, second.State)
	assert.Empty(t, r.fx.got())
}
