package payments

import "strconv"

// State is where a payment stands. Only an answer from IIMMPACT for this
// very refid (a topup answer, a poll, a callback, a re-query) moves a
// payment to a final state, so StateFailed always means IIMMPACT said so.
type State int

// The states, in the order a payment moves through them. The zero value is
// not a state, so a missing one is never mistaken for a result.
const (
	// StateRecorded: the intent is durable; it may or may not have reached
	// IIMMPACT (a crash right after the write leaves no trace of a send).
	StateRecorded State = iota + 1
	// StateSent: an attempt went out and was refused in a way that proves
	// nothing about the refid (401, 403, 408, 429); it will be sent again
	// with the same refid.
	StateSent
	// StateUnknown: an attempt may have been processed and its answer was
	// lost (timeout, dropped connection, 5xx, a duplicate refid), or a
	// re-send was refused with a 4xx, which says nothing about the earlier
	// attempts: asked again later with the same refid.
	StateUnknown
	// StatePending: IIMMPACT answered Accepted (0) or Processing (1).
	StatePending
	// StateManual: still unresolved after the horizon, or IIMMPACT answered
	// a status code it does not document. Needs reconciliation by hand; it
	// is never treated as failed, and a true answer still settles it.
	StateManual
	// StateSucceeded: IIMMPACT answered Succesful (20). Final, except for a
	// refund.
	StateSucceeded
	// StateFailed: IIMMPACT answered a documented failure code (HTTP 200
	// Failed). Final; the refid is consumed.
	StateFailed
	// StateRejected: IIMMPACT refused the refid's first send (Pay's, right
	// after it recorded the intent) with a 4xx other than 401, 403, 408 and
	// 429 (e.g. HTTP 400 Invalid_Denomination): nothing was ever sent
	// before, so nothing was created. Final here: nothing was charged.
	// Start a new payment to try again. A refused re-send is StateUnknown.
	StateRejected
	// StateRefunded: IIMMPACT reported Refund (53). Final.
	StateRefunded
	// StateAbandoned: the merchant abandoned the intent before a true
	// answer. Final for the resolver, but a true answer (a callback) still
	// moves it, since a recorded intent may have been sent before a crash.
	StateAbandoned
)

var stateNames = map[State]string{
	StateRecorded: "recorded", StateSent: "sent", StateUnknown: "unknown", StatePending: "pending",
	StateManual: "manual", StateSucceeded: "succeeded", StateFailed: "failed", StateRejected: "rejected",
	StateRefunded: "refunded", StateAbandoned: "abandoned",
}

// String returns the state's lower-case name, e.g. "pending".
func (s State) String() string {
	if n, ok := stateNames[s]; ok {
		return n
	}
	return "State(" + strconv.Itoa(int(s)) + ")"
}

// ParseState reads a name String returned; ok is false for anything else.
func ParseState(name string) (State, bool) {
	for s, n := range stateNames {
		if n == name {
			return s, true
		}
	}
	return 0, false
}

// States lists every state in order.
func States() []State {
	out := make([]State, 0, len(stateNames))
	for s := StateRecorded; s <= StateAbandoned; s++ {
		out = append(out, s)
	}
	return out
}

// IsFinal reports whether nothing more will happen to the payment unless
// IIMMPACT says otherwise: succeeded, failed, rejected, refunded, abandoned.
func (s State) IsFinal() bool { return s >= StateSucceeded }

// IsOpen reports whether the resolver still asks IIMMPACT about it.
func (s State) IsOpen() bool { return s >= StateRecorded && s <= StateManual }
