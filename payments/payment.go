package payments

import (
	"strconv"
	"time"

	"github.com/iimmpact-go/iimmpact"
)

// Payment is the durable record of one refid, from intent to final. Stores
// keep it whole; only the Manager changes it, through one transition
// function.
type Payment struct {
	Request iimmpact.TopupRequest // exactly what is (re)sent under Request.RefID
	State   State
	// Status is the last status code IIMMPACT reported for the refid, and
	// Tx the answer it came in (nil until one arrived). Tx may hold a
	// voucher PIN; its String and LogValue leave it out.
	Status iimmpact.StatusCode
	Tx     *iimmpact.Transaction
	Reason string // why it is unknown, sent, rejected or manual; never a PIN

	Created  time.Time
	Updated  time.Time
	Attempts int       // requests sent for it by this layer
	Next     time.Time // when the resolver asks IIMMPACT next; zero: never
	History  []Change  // every state change, oldest first

	Effects     []Effect  // effects owed to the merchant, in state order
	EffectsDone int       // how many of Effects were delivered
	EffectLease time.Time // a worker delivers effects until then
	EffectToken int64     // which worker holds EffectLease

	// Version counts writes; stores compare it to refuse a lost update.
	Version int64
}

// RefID is the payment's refid.
func (p *Payment) RefID() string { return p.Request.RefID }

// Change is one state change and where it came from.
type Change struct {
	At     time.Time
	From   State
	To     State
	Status iimmpact.StatusCode // the status code that caused it, if Source is IIMMPACT's
	Source Source
}

// Source says what caused a change.
type Source string

// The sources of changes.
const (
	SourceAnswer   Source = "answer"   // the answer to Pay's own request
	SourceRequery  Source = "requery"  // the resolver asked again with the same refid
	SourceCallback Source = "callback" // IIMMPACT's callback
	SourceHorizon  Source = "horizon"  // unresolved past the horizon
	SourceMerchant Source = "merchant" // Abandon
	// SourceHistory: a record of IIMMPACT's transaction history for the
	// refid and this very request, applied by reconciliation.
	SourceHistory Source = "history"
)

// Effect is the merchant's reaction owed to one final state (or refund).
// Key is stable across retries and processes: refid, "/", the state and,
// for a failure, its status code, e.g. "order-1/succeeded" or
// "order-2/failed-48". Use it as an idempotency key.
type Effect struct {
	Key    string
	RefID  string
	State  State
	Status iimmpact.StatusCode
	At     time.Time
}

func newEffect(refID string, s State, code iimmpact.StatusCode, at time.Time) Effect {
	key := refID + "/" + s.String()
	if s == StateFailed || s == StateRejected {
		key += "-" + strconv.Itoa(int(code))
	}
	return Effect{Key: key, RefID: refID, State: s, Status: code, At: at}
}

// DueAt is when a store should hand the payment to a resolver, and
// whether at all: at once while effects are owed and nobody holds their
// lease (since its last update), at the lease's end while a worker holds it, at Next
// while the payment is open; never once it is final and delivered.
func (p *Payment) DueAt() (time.Time, bool) {
	if p.EffectsDone < len(p.Effects) {
		if p.EffectLease.IsZero() {
			return p.Updated, true
		}
		return p.EffectLease, true
	}
	return p.Next, p.State.IsOpen()
}

// untouched reports whether p is as Start created it: recorded, and
// nobody (no resolver's Claim, no other Pay) has written it since.
func (p *Payment) untouched() bool { return p.State == StateRecorded && p.Version == 1 }

// clone copies p deeply enough that changing the copy leaves p alone.
func (p Payment) clone() Payment {
	p.History = append([]Change(nil), p.History...)
	p.Effects = append([]Effect(nil), p.Effects...)
	if p.Tx != nil {
		tx := *p.Tx
		p.Tx = &tx
	}
	if e := p.Request.Extras; e != nil {
		x := *e
		p.Request.Extras = &x
	}
	return p
}
