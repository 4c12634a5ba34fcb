package payments

import (
	"strconv"
	"time"

	"github.com/iimmpact-go/iimmpact"
)

// eventKind is what an input to the state machine says.
type eventKind int

const (
	evStatus   eventKind = iota + 1 // IIMMPACT reported tx for this very refid
	evUnknown                       // an attempt may have been processed; no true answer
	evRefused                       // refused in a way that proves nothing (401, 403, 408, 429)
	evRejected                      // refused with another 4xx: see verdict
	evHorizon                       // unresolved past the horizon
	evAbandon                       // the merchant gives up an unsent intent
)

// event is one input: topup answers, polls, callbacks and re-queries all
// become one, and apply is the only code that changes a payment's state.
type event struct {
	kind   eventKind
	tx     *iimmpact.Transaction // evStatus
	status iimmpact.StatusCode   // evRejected: the refusal's code, if any
	reason string
	source Source
	// firstSend: the answer to the Topup that Pay sent right after its own
	// Start created the record, the refid's first send. Only Pay sets it.
	firstSend bool
}

// apply moves p by ev at now and reports whether it changed p (its state,
// or the status and answer within a state, as Accepted to Processing). It
// never moves backwards: an input that is older than what p already knows
// (a Processing after Succesful, a Succesful after its Refund, an unknown
// after pending) changes nothing. Entering a final state owes an effect.
func apply(p *Payment, ev event, now time.Time) bool {
	ev = verdict(p, ev, now)
	to, code, ok := target(p, ev)
	if !ok {
		return false
	}
	if ev.kind == evStatus {
		p.Tx = ev.tx
		p.Status = ev.tx.StatusCode
	}
	p.Reason = ev.reason
	if to == p.State {
		return true
	}
	p.History = append(p.History, Change{At: now, From: p.State, To: to, Status: code, Source: ev.source})
	p.State = to
	switch to {
	case StateSucceeded, StateFailed, StateRejected, StateRefunded:
		p.Effects = append(p.Effects, newEffect(p.Request.RefID, to, code, now))
	}
	return true
}

// verdict keeps a 4xx rejection only where it proves that IIMMPACT created
// nothing under the refid: as the answer to the refid's first send, while
// the record is as Start made it (Version 1: the resolver's Claim and Pay
// on an existing record both write before they send, so nothing else can
// have sent it) and before its Next (when a resolver may send it). A
// rejection of any other send is only about that send: IIMMPACT does not
// document looking a refid up before validating, so an earlier attempt
// whose answer was lost (or a send just before a crash) may have been
// created and charged before, say, the denomination was disabled or the
// wallet drained. That rejection leaves the payment open, unknown, and the
// resolver asks again with the same refid until a true status or the
// horizon.
func verdict(p *Payment, ev event, now time.Time) event {
	if ev.kind != evRejected || ev.firstSend && p.untouched() && now.Before(p.Next) {
		return ev
	}
	return event{kind: evUnknown, source: ev.source, reason: "IIMMPACT refused this re-send of the refid (" + ev.reason +
		"), which does not prove that an earlier attempt created nothing: asking again with the same refid"}
}

// target is the state ev leads p to, and false if ev is stale for p.
func target(p *Payment, ev event) (State, iimmpact.StatusCode, bool) {
	s := p.State
	unsettled := s == StateRecorded || s == StateSent || s == StateUnknown
	switch ev.kind {
	case evStatus:
		return statusTarget(p, ev.tx.StatusCode)
	case evUnknown:
		return StateUnknown, 0, unsettled
	case evRefused:
		if s == StateRecorded {
			return StateSent, 0, true
		}
		return s, 0, unsettled
	case evRejected: // only a first send's, which verdict let through
		return StateRejected, ev.status, unsettled
	case evHorizon:
		return StateManual, 0, s.IsOpen() && s != StateManual
	case evAbandon:
		return StateAbandoned, 0, s == StateRecorded
	}
	return 0, 0, false
}

// statusTarget applies a status IIMMPACT reported. A true answer settles
// an abandoned or manual payment too: it is what really happened.
func statusTarget(p *Payment, code iimmpact.StatusCode) (State, iimmpact.StatusCode, bool) {
	s := p.State
	open := s.IsOpen() || s == StateAbandoned
	switch {
	case code.IsPending():
		fresh := s == StateRecorded || s == StateSent || s == StateUnknown || s == StateAbandoned ||
			(s == StatePending && code > p.Status)
		return StatePending, code, fresh
	case code == iimmpact.StatusRefund:
		return StateRefunded, code, open || s == StateSucceeded
	case code.IsSuccess():
		return StateSucceeded, code, open
	case code.IsFailure():
		return StateFailed, code, open
	}
	// Undocumented: never a failure; a person decides.
	return StateManual, code, open && s != StateManual
}

// reasonUndocumented explains a manual payment caused by an unknown code.
func reasonUndocumented(code iimmpact.StatusCode) string {
	return "IIMMPACT answered undocumented status code " + strconv.Itoa(int(code)) + ": reconcile by hand"
}
