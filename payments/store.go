package payments

import (
	"context"
	"errors"
	"iter"
	"time"
)

// Store errors. Stores return them wrapped; match with errors.Is.
var (
	// ErrNotFound: no payment has the refid.
	ErrNotFound = errors.New("payments: no payment with this refid")
	// ErrConflict: Put's version is not the stored one; someone else
	// wrote first. The Manager re-reads and re-applies its change.
	ErrConflict = errors.New("payments: payment changed concurrently")
	// ErrParamsDiffer: Start was called again for a refid with a different
	// request. Nothing is sent: a refid never carries other parameters.
	ErrParamsDiffer = errors.New("payments: refid already recorded with different parameters")
	// ErrNotAbandonable: Abandon was called on a payment that is no longer
	// only recorded.
	ErrNotAbandonable = errors.New("payments: only a recorded payment can be abandoned")
)

// Store keeps payments durably. Implementations must be safe for
// concurrent use by many Managers (processes) at once; the conformance
// suite in package paymentstest checks the contract.
type Store interface {
	// Create records p (Version 1) if no payment has its refid, and reports
	// created. Otherwise it returns the stored payment and created false,
	// changing nothing. This is the write-ahead: it must be durable when it
	// returns.
	Create(ctx context.Context, p Payment) (stored Payment, created bool, err error)

	// Get returns the payment with refID, or an error wrapping ErrNotFound.
	Get(ctx context.Context, refID string) (Payment, error)

	// Put replaces the payment whose stored Version is version with p
	// (whose Version is version+1) and returns what it stored, or an error
	// wrapping ErrConflict if the version differs. A store may deliver
	// owed effects in the same transaction and return p with EffectsDone
	// advanced (the PostgreSQL store's transactional effects).
	Put(ctx context.Context, p Payment, version int64) (Payment, error)

	// Claim hands out up to limit payments that are due (DueAt at or
	// before now), oldest due first, and makes each one not due until
	// until (bumping its Version), so concurrent Claims, in any process,
	// never return one payment twice while the claim holds.
	Claim(ctx context.Context, now, until time.Time, limit int) ([]Payment, error)

	// Stats counts payments by state and reports the oldest open one's
	// creation and the earliest due time of those due at now.
	Stats(ctx context.Context, now time.Time) (Stats, error)

	// Prune deletes payments that are final, owe no effect and were last
	// updated before cutoff, and returns how many.
	Prune(ctx context.Context, cutoff time.Time) (int, error)

	// ListCreated yields every payment created in [from, to), oldest
	// first and, at equal times, by refid, whatever its state: the
	// merchant's side of a reconciliation (package reconcile). A durable
	// store reads it in pages (a day may hold 100,000 payments), so it
	// need not be one snapshot: a payment written meanwhile may or may not
	// appear, but none appears twice. It stops at the first error, which
	// it yields, and when the caller stops.
	ListCreated(ctx context.Context, from, to time.Time) iter.Seq2[Payment, error]
}

// Stats is what a store reports for monitoring.
type Stats struct {
	Counts map[State]int
	// OldestOpen is the creation time of the oldest payment still open
	// (zero if none): its age is how long a payment has gone unresolved.
	OldestOpen time.Time
	// EarliestDue is the earliest due time among payments due now (zero if
	// none): now minus it is the resolver's lag.
	EarliestDue time.Time
	// Due counts payments due now.
	Due int
}
