package payments

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/internal/pace"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestClassify(t *testing.T) {
	pending := &iimmpact.Transaction{RefID: "r", StatusCode: iimmpact.StatusProcessing}
	for _, c := range []struct {
		name string
		tx   *iimmpact.Transaction
		err  error
		want eventKind
	}{
		{"answer", &iimmpact.Transaction{StatusCode: 20}, nil, evStatus},
		{"unknown", nil, &iimmpact.OutcomeUnknownError{RefID: "r", Err: errors.New("timeout")}, evUnknown},
		{"unknown with a true last answer", nil, &iimmpact.OutcomeUnknownError{RefID: "r", Last: pending, Err: errors.New("timeout")}, evStatus},
		{"duplicate refid", nil, &iimmpact.APIError{HTTPStatus: 400, StatusCode: 54, Remarks: "Duplicate_RefID"}, evUnknown},
		{"401", nil, &iimmpact.APIError{HTTPStatus: http.StatusUnauthorized}, evRefused},
		{"403", nil, &iimmpact.APIError{HTTPStatus: http.StatusForbidden}, evRefused},
		{"429", nil, &iimmpact.APIError{HTTPStatus: http.StatusTooManyRequests}, evRefused},
		{"validation", nil, &iimmpact.APIError{HTTPStatus: 400, StatusCode: 58}, evRejected},
		{"a bare 5xx", nil, &iimmpact.APIError{HTTPStatus: 502}, evUnknown},
		{"anything else", nil, context.Canceled, evUnknown},
	} {
		assert.Equal(t, c.want, classify(c.tx, c.err, SourceAnswer).kind, c.name)
	}
}

// No input moves a payment backwards: from every state, every input
// either leaves the state alone or moves it to an allowed successor.
func TestApplyNeverMovesBackwards(t *testing.T) {
	allowed := map[State][]State{
		StateRecorded:  {StateSent, StateUnknown, StatePending, StateManual, StateSucceeded, StateFailed, StateRejected, StateRefunded, StateAbandoned},
		StateSent:      {StateUnknown, StatePending, StateManual, StateSucceeded, StateFailed, StateRefunded},
		StateUnknown:   {StatePending, StateManual, StateSucceeded, StateFailed, StateRefunded},
		StatePending:   {StateManual, StateSucceeded, StateFailed, StateRefunded},
		StateManual:    {StateSucceeded, StateFailed, StateRefunded},
		StateSucceeded: {StateRefunded},
		StateAbandoned: {StatePending, StateManual, StateSucceeded, StateFailed, StateRefunded},
	}
	var evs []event
	for _, k := range []eventKind{evUnknown, evRefused, evRejected, evHorizon, evAbandon} {
		evs = append(evs, event{kind: k})
	}
	evs = append(evs, event{kind: evRejected, firstSend: true})
	for _, code := range []iimmpact.StatusCode{0, 1, 20, 40, 48, 53, 54, 99} {
		evs = append(evs, statusEvent(&iimmpact.Transaction{StatusCode: code}, SourceCallback))
	}
	for _, from := range States() {
		for _, ev := range evs {
			now := time.Now()
			p := Payment{Request: iimmpact.TopupRequest{RefID: "r"}, State: from, Version: 1, Next: now.Add(time.Minute)}
			apply(&p, ev, now)
			if p.State != from {
				assert.Contains(t, allowed[from], p.State, "%v --%d/%v--> %v", from, ev.kind, ev.tx, p.State)
			}
			if p.State == StateFailed && from != StateFailed {
				require.Equal(t, evStatus, ev.kind, "only IIMMPACT's answer fails a payment")
			}
			if p.State == StateRejected && from != StateRejected {
				require.True(t, ev.kind == evRejected && ev.firstSend, "only a refusal of the first send rejects a payment")
			}
		}
	}
}

func TestPacerKeepsItsRate(t *testing.T) {
	p := pace.New(time.Second/50, 1)
	start := time.Now()
	for range 26 {
		_, err := p.Wait(context.Background())
		require.NoError(t, err)
	}
	assert.GreaterOrEqual(t, time.Since(start), 490*time.Millisecond, "26 requests at 50/s take at least 25 intervals")
}

func TestBackoffGrowsToCeiling(t *testing.T) {
	m := &Manager{s: defaults()}
	for n := 0; n <= 6; n++ {
		d := m.backoff(n)
		assert.True(t, d >= 5*time.Second && d <= 10*time.Second, "check %d: %v", n, d)
	}
	assert.Greater(t, m.backoff(9), 30*time.Second)
	assert.Equal(t, 10*time.Minute, m.backoff(100))
}

func FuzzPaymentJSON(f *testing.F) {
	p := Payment{Request: iimmpact.TopupRequest{RefID: "r", Product: "D", Account: "1", Extras: &iimmpact.Extras{Ref2: "x"}},
		State: StateSucceeded, Effects: []Effect{newEffect("r", StateSucceeded, 20, time.Unix(1, 0))}, EffectsDone: 1,
		History: []Change{{From: StateRecorded, To: StateSucceeded, Source: SourceAnswer}}}
	b, err := json.Marshal(p)
	require.NoError(f, err)
	f.Add(b)
	f.Add([]byte(`{"state":"bogus"}`))
	f.Add([]byte(`{"state":"pending","effects_done":3}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var p Payment
		if json.Unmarshal(b, &p) != nil {
			return
		}
		again, err := json.Marshal(p)
		require.NoError(t, err)
		var q Payment
		require.NoError(t, json.Unmarshal(again, &q), "what was read must write back readable")
		assert.Equal(t, fmt.Sprint(p.State, p.EffectsDone, len(p.Effects)), fmt.Sprint(q.State, q.EffectsDone, len(q.Effects)))
	})
}

// A 4xx refusal settles a payment as rejected only as the answer to the
// refid's first send, recorded before anything else could have sent it;
// any other refusal leaves it open, unknown, whatever it was before.
func TestRejectionProvesNothingExceptForTheFirstSend(t *testing.T) {
	now := time.Now()
	refused := func(first bool, src Source) event {
		ev := classify(nil, &iimmpact.APIError{HTTPStatus: 400, StatusCode: 58, HasStatusCode: true, Remarks: "Invalid_Denomination"}, src)
		ev.firstSend = first
		return ev
	}
	fresh := Payment{Request: iimmpact.TopupRequest{RefID: "r"}, State: StateRecorded, Version: 1, Next: now.Add(time.Minute)}
	claimed := fresh
	claimed.Version, claimed.Next = 2, now.Add(2*time.Minute) // a resolver's Claim (or another Pay) wrote it
	late := fresh
	late.Next = now.Add(-time.Second) // due: a resolver may send it
	for _, c := range []struct {
		name string
		p    Payment
		ev   event
		want State
	}{
		{"Pay's first send, in time", fresh, refused(true, SourceAnswer), StateRejected},
		{"Pay on a refid already recorded", fresh, refused(false, SourceAnswer), StateUnknown},
		{"the resolver sends a recorded payment", fresh, refused(false, SourceRequery), StateUnknown},
		{"first send answered after a claim", claimed, refused(true, SourceAnswer), StateUnknown},
		{"first send answered after Next", late, refused(true, SourceAnswer), StateUnknown},
		{"sent (401 before), refused", Payment{State: StateSent, Version: 2}, refused(false, SourceRequery), StateUnknown},
		{"unknown, refused", Payment{State: StateUnknown, Version: 2}, refused(false, SourceRequery), StateUnknown},
		{"unknown, even if flagged first", Payment{State: StateUnknown, Version: 1, Next: now.Add(time.Minute)}, refused(true, SourceAnswer), StateUnknown},
	} {
		p := c.p.clone()
		p.Request.RefID = "r"
		apply(&p, c.ev, now)
		assert.Equal(t, c.want, p.State, c.name)
		if c.want == StateRejected {
			assert.Equal(t, []string{"r/rejected-58"}, effectKeys(p), c.name)
			continue
		}
		assert.Empty(t, p.Effects, c.name)
		assert.Contains(t, p.Reason, "refused this re-send", c.name)
		assert.Contains(t, p.Reason, "HTTP 400", c.name)
		assert.Contains(t, p.Reason, "Invalid_Denomination (statusCode 58", c.name)
		assert.Contains(t, p.Reason, "does not prove that an earlier attempt created nothing", c.name)
	}
	// A later true answer still settles it.
	p := Payment{Request: iimmpact.TopupRequest{RefID: "r"}, State: StateUnknown, Version: 2}
	apply(&p, refused(false, SourceRequery), now)
	apply(&p, statusEvent(&iimmpact.Transaction{StatusCode: iimmpact.StatusSuccessful}, SourceCallback), now)
	assert.Equal(t, StateSucceeded, p.State)
}

func effectKeys(p Payment) []string {
	var keys []string
	for _, e := range p.Effects {
		keys = append(keys, e.Key)
	}
	return keys
}
