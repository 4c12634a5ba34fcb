package payments_test

import (
	"context"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/iimmpact-go/iimmpact/payments"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPaySucceedsOnceWithOneEffect(t *testing.T) {
	r := newRig(t, nil)
	p, err := r.m.Pay(context.Background(), digi("ok-1", "30"))
	require.NoError(t, err)
	assert.Equal(t, payments.StateSucceeded, p.State)
	assert.Equal(t, iimmpact.StatusSuccessful, p.Status)
	assert.Equal(t, []string{"ok-1/succeeded"}, r.fx.got())
	assert.Equal(t, 1, r.srv.Debits("ok-1"))
	require.Len(t, p.History, 1)
	assert.Equal(t, payments.Change{At: p.History[0].At, From: payments.StateRecorded, To: payments.StateSucceeded,
		Status: iimmpact.StatusSuccessful, Source: payments.SourceAnswer}, p.History[0])
	assert.Equal(t, 0, r.resolveAt(t, time.Hour), "nothing left to resolve")

	again, err := r.m.Pay(context.Background(), digi("ok-1", "30"))
	require.NoError(t, err)
	assert.Equal(t, p.Version, again.Version, "paying a final refid again sends nothing and writes nothing")
	assert.Equal(t, 1, r.srv.Requests("/v2/topup"))
}

// A validation 400 proves nothing was created: the payment is rejected,
// nothing charged, and the merchant hears of it once.
func TestPayRejectedByValidation(t *testing.T) {
	r := newRig(t, nil)
	p, err := r.m.Pay(context.Background(), digi("bad-1", "31")) // D sells 5, 10, 30, ...
	require.NoError(t, err)
	assert.Equal(t, payments.StateRejected, p.State)
	assert.Equal(t, []string{"bad-1/rejected-58"}, r.fx.got())
	assert.Equal(t, "950", r.srv.Balance().String())
	_, found := r.srv.TopupRecord("bad-1")
	assert.False(t, found)
}

// An answer lost after processing leaves the payment unknown, never
// failed; the resolver asks again with the same refid and it settles, with
// one debit.
func TestUnknownIsResolvedWithTheSameRefID(t *testing.T) {
	r := newRig(t, nil)
	r.srv.ScriptFaults("/v2/topup", iimmpacttest.ResetFault().AfterProcessing())
	p, err := r.m.Pay(context.Background(), digi("lost-1", "30"))
	require.NoError(t, err)
	assert.Equal(t, payments.StateUnknown, p.State)
	assert.Empty(t, r.fx.got())

	assert.Equal(t, 0, r.resolveAt(t, 4*time.Second), "not due before 5 s")
	r.clock.advance(17 * time.Second) // due since at most 10 s after Pay: 11 s at least
	st, err := r.m.Stats(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, st.Due)
	assert.GreaterOrEqual(t, st.Lag, 11*time.Second, "resolver lag")
	assert.Equal(t, 1, st.Counts[payments.StateUnknown])
	assert.Equal(t, 1, r.resolveAt(t, 0))
	p = r.state(t, "lost-1")
	assert.Equal(t, payments.StateSucceeded, p.State)
	assert.Equal(t, payments.SourceRequery, p.History[len(p.History)-1].Source)
	assert.Equal(t, 1, r.srv.Debits("lost-1"))
	assert.Len(t, r.srv.TopupRecords(), 1)
	assert.Equal(t, []string{"lost-1/succeeded"}, r.fx.got())
}

// Pending is polled by the resolver until final.
func TestPendingIsPolledUntilFinal(t *testing.T) {
	r := newRig(t, []iimmpacttest.ServerOption{iimmpacttest.WithSettleAfter(2)})
	p, err := r.m.Pay(context.Background(), digi("slow-1", "30"))
	require.NoError(t, err)
	assert.Equal(t, payments.StatePending, p.State)
	assert.Equal(t, iimmpact.StatusProcessing, p.Status)
	r.resolveAt(t, 11*time.Second)
	assert.Equal(t, payments.StatePending, r.state(t, "slow-1").State)
	r.resolveAt(t, 11*time.Second)
	assert.Equal(t, payments.StateSucceeded, r.state(t, "slow-1").State)
	assert.Equal(t, []string{"slow-1/succeeded"}, r.fx.got())
}

// A 401 proves only that this attempt was not applied: the payment stays
// open (sent) and the resolver sends the same refid again.
func TestTransientRefusalIsRetried(t *testing.T) {
	r := newRig(t, nil)
	r.srv.ScriptFaults("/v2/topup", iimmpacttest.StatusFault(401))
	p, err := r.m.Pay(context.Background(), digi("auth-1", "30"))
	require.NoError(t, err)
	assert.Equal(t, payments.StateSent, p.State)
	r.resolveAt(t, 11*time.Second)
	assert.Equal(t, payments.StateSucceeded, r.state(t, "auth-1").State)
	assert.Equal(t, 1, r.srv.Debits("auth-1"))
}

// Past the horizon an unresolved payment needs a person; it is never
// failed, and a true answer still settles it.
func TestHorizonMarksManualNeverFailed(t *testing.T) {
	r := newRig(t, nil, payments.WithHorizon(time.Hour))
	r.srv.InjectFaults("/v2/topup", 1, iimmpacttest.StatusFault(503))
	p, err := r.m.Pay(context.Background(), digi("stuck-1", "30"))
	require.NoError(t, err)
	require.Equal(t, payments.StateUnknown, p.State)
	for range 20 {
		r.resolveAt(t, 10*time.Minute)
	}
	p = r.state(t, "stuck-1")
	assert.Equal(t, payments.StateManual, p.State)
	assert.Contains(t, p.Reason, "reconcile by hand")
	assert.Empty(t, r.fx.got(), "no effect: it is not final")
	st, err := r.m.Stats(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, st.Counts[payments.StateManual])
	assert.GreaterOrEqual(t, st.OldestOpenAge, time.Hour)

	r.srv.InjectFaults("/v2/topup", 0)
	r.resolveAt(t, 11*time.Minute)
	assert.Equal(t, payments.StateSucceeded, r.state(t, "stuck-1").State)
	assert.Equal(t, 1, r.srv.Debits("stuck-1"))
}

// A recorded intent whose process died before sending is sent by the
// resolver, with the same refid, once the send grace has passed.
func TestRecordedIsSentByResolver(t *testing.T) {
	r := newRig(t, nil)
	_, err := r.m.Start(context.Background(), digi("crash-1", "30"))
	require.NoError(t, err)
	assert.Equal(t, 0, r.resolveAt(t, time.Minute), "within the send grace")
	assert.Equal(t, 1, r.resolveAt(t, payments.DefaultSendGrace))
	assert.Equal(t, payments.StateSucceeded, r.state(t, "crash-1").State)
	assert.Equal(t, 1, r.srv.Debits("crash-1"))
}

func TestAbandon(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, nil)
	_, err := r.m.Start(ctx, digi("ab-1", "30"))
	require.NoError(t, err)
	p, err := r.m.Abandon(ctx, "ab-1")
	require.NoError(t, err)
	assert.Equal(t, payments.StateAbandoned, p.State)
	assert.Equal(t, 0, r.resolveAt(t, time.Hour))
	assert.Equal(t, 0, r.srv.Requests("/v2/topup"), "an abandoned intent is never sent")

	_, err = r.m.Pay(ctx, digi("ab-2", "30"))
	require.NoError(t, err)
	_, err = r.m.Abandon(ctx, "ab-2")
	assert.ErrorIs(t, err, payments.ErrNotAbandonable)

	// It was sent after all (a crash hid it): the truth wins.
	p, err = r.m.Apply(ctx, &iimmpact.Transaction{RefID: "ab-1", StatusCode: iimmpact.StatusSuccessful}, payments.SourceCallback)
	require.NoError(t, err)
	assert.Equal(t, payments.StateSucceeded, p.State)
}

// A failing effect is retried (by the resolver) until it succeeds; effects
// arrive in state order and each once.
func TestEffectsRetriedInOrder(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, nil)
	failures := 2
	r.fx.fail = func(payments.Effect) error {
		if failures > 0 {
			failures--
			return assert.AnError
		}
		return nil
	}
	p, err := r.m.Pay(ctx, digi("fx-1", "30"))
	require.NoError(t, err)
	assert.Equal(t, payments.StateSucceeded, p.State)
	assert.Equal(t, 0, p.EffectsDone)
	_, err = r.m.Apply(ctx, &iimmpact.Transaction{RefID: "fx-1", StatusCode: iimmpact.StatusRefund}, payments.SourceCallback)
	require.NoError(t, err)
	assert.Empty(t, r.fx.got(), "the second delivery failed too")
	assert.Equal(t, 0, r.resolveAt(t, 500*time.Millisecond), "not before the retry delay")
	assert.Equal(t, 1, r.resolveAt(t, time.Second))
	assert.Equal(t, []string{"fx-1/succeeded", "fx-1/refunded"}, r.fx.got())
	p = r.state(t, "fx-1")
	assert.Equal(t, 2, p.EffectsDone)
	assert.Equal(t, 0, r.resolveAt(t, time.Hour))
}

func TestNewValidates(t *testing.T) {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	for _, o := range []payments.Option{payments.WithResolverRate(0), payments.WithResolverRate(payments.MaxRate + 1),
		payments.WithHorizon(0), payments.WithResolverWorkers(0), payments.WithPollSchedule(time.Second, time.Millisecond, 1, time.Minute)} {
		_, err := payments.New(srv.Client(), payments.NewMemoryStore(), o)
		assert.Error(t, err)
	}
	_, err := payments.New(nil, payments.NewMemoryStore())
	assert.Error(t, err)
}
