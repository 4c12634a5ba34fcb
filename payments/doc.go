// Package payments is the recommended way to pay through IIMMPACT: one
// durable record per refid, from intent to final, that survives crashes
// and runs on any number of replicas.
//
//	store := payments.NewMemoryStore()          // or store/postgres's PaymentStore
//	m, err := payments.New(client, store, payments.WithEffects(deliver))
//	...
//	go m.Run(ctx)                               // resolves whatever is left open
//	http.Handle("/iimmpact/callback", must(m.CallbackHandler(iimmpact.CallbackConfig{Allowlist: allow})))
//	p, err := m.Pay(ctx, req)                   // p.State: succeeded, pending, unknown, ...
//
// # Write ahead
//
// Pay (or Start) records the whole TopupRequest before the first byte goes
// to IIMMPACT. Starting a refid again returns the recorded payment; a
// different request under a recorded refid is ErrParamsDiffer, and nothing
// is sent. Nothing here ever invents a refid.
//
// # One state machine
//
// Topup answers, the resolver's re-queries, callbacks and Apply all become
// inputs to one transition function. It never moves backwards, ignores
// stale inputs (a Processing after Succesful, a Succesful after its
// Refund, a second callback), and appends every change with its source to
// Payment.History. Only IIMMPACT's own status for this refid makes a
// payment StateFailed. What each kind of answer does:
//
//   - A transaction (HTTP 200): its status. Accepted and Processing are
//     StatePending; Succesful is StateSucceeded; a documented failure code
//     is StateFailed; Refund (53) is StateRefunded, after a success or
//     not; an undocumented code is StateManual, never failed.
//   - ErrOutcomeUnknown, or Duplicate_RefID (the refid belongs to a
//     transaction this call knows nothing about): StateUnknown, and the
//     resolver asks again with the same refid.
//   - HTTP 401, 403, 408 or 429: this attempt was refused before it was
//     applied, which proves nothing about earlier ones. The payment stays
//     open (StateSent if it was only recorded) and the resolver sends the
//     same refid again later.
//   - Any other 4xx (such as 400 Invalid_Denomination or
//     Insufficient_Balance) proves only that this send created nothing.
//     For the refid's first send, the one Pay makes right after its Start
//     created the record, answered before the send grace ends and before
//     anything else wrote the record, that means nothing was ever created:
//     StateRejected, final, nothing charged, an effect owed. Pay again
//     under a new refid. A refused re-send (the resolver's, or Pay on a
//     refid already recorded) proves nothing about the attempts before it:
//     IIMMPACT does not document checking a refid before validating, and a
//     denomination disabled or a wallet drained since a lost first attempt
//     would refuse the re-send of a refid that was created and charged. It
//     is StateUnknown, and the resolver asks again with the same refid
//     until a true status, or the horizon.
//
// # Resolution after any crash
//
// Run (or ResolveOnce) claims due payments from the store and asks
// IIMMPACT again with each one's own request: 5–10 s apart for the first
// six checks, then doubling to 10 minutes (WithPollSchedule). Requests are
// paced at WithResolverRate per process (default 10/s, a tenth of what
// IIMMPACT's 30,000-per-5-minutes ban allows), so a backlog of any size
// drains at that pace and never trips the ban.
//
// A recorded payment that was never answered is sent by the resolver,
// with its refid, once the send grace (3 minutes, WithSendGrace) has
// passed. That is the default because the record cannot tell "never
// sent" from "sent, then the process died before the answer" without a
// second write before every send; sending the same refid again is safe
// (IIMMPACT answers the one transaction or creates it once), while
// forgetting an intent that did reach IIMMPACT would lose track of money.
// Abandon is the merchant's explicit way out for an intent it knows never
// left (Start without Pay); a true answer still overrides it.
//
// A payment still open after the horizon (24 h, WithHorizon) becomes
// StateManual, is logged at Warn and counted in Stats: a person reconciles
// it. It is never failed, the resolver keeps asking at the slowest pace,
// and a true answer still settles it.
//
// # Effects
//
// Entering StateSucceeded, StateFailed, StateRejected or StateRefunded owes
// the merchant one Effect, keyed refid + "/" + state (+ "-" + code for a
// failure or rejection), e.g. "order-1/succeeded". Two guarantees:
//
//   - WithEffects (any store): at least once. The effect runs after its
//     state change is durable, in state order, and not for two effects of
//     one refid at once as long as the EffectFunc returns before its
//     context ends (the effect lease, 30 s). A failure or a crash leaves it
//     owed, and the resolver delivers it again, so make the EffectFunc
//     idempotent on Effect.Key.
//   - store/postgres's WithTxEffects: exactly once. The effect runs inside
//     the database transaction whose UPDATE records the state change, under
//     that row's lock: both commit or neither does, in state order, one at a
//     time per refid.
//
// # Replicas
//
// Every write is a compare-and-swap on Payment.Version, so answers,
// callbacks and re-queries for one refid from different processes
// serialise on its record; a loser re-reads and re-applies its input,
// which the transition function then finds stale or applies once. Claim
// hands each due payment to one resolver at a time (FOR UPDATE SKIP LOCKED
// with PostgreSQL) until its claim lapses (2 minutes, WithResolverClaim).
//
// # Stores
//
// MemoryStore keeps everything in memory and loses it on exit: tests and
// single-process tools only. store/postgres's PaymentStore is the durable
// one. Both pass paymentstest.Run, the conformance suite any Store must.
//
// # Reconciliation
//
// Store.ListCreated yields a window's payments by creation time; package
// reconcile's PaymentsLedger reads the store through it and settles what
// IIMMPACT's history proves through Apply, recorded as SourceHistory. A
// tool that shares the store with the merchant's service (the iimmpact
// command's resolve and reconcile) uses WithEffectsElsewhere, so the
// effects its changes owe are left to the service rather than counted as
// delivered.
//
// # Observability
//
// Stats gives counts by state, the age of the oldest open payment and the
// resolver's lag. WithLogger logs state changes with refid, states,
// source and status code; never an account number, an IC number or a PIN.
package payments
