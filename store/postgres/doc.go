// Package postgres is an iimmpact.CallbackStore on PostgreSQL, for
// merchants whose callback endpoint runs as several replicas behind a load
// balancer. IIMMPACT retries a callback until it gets a 2xx, and each retry
// may land on any replica; the in-memory store only knows what its own
// process did, so two replicas would both act on one success. This store
// keeps the claims in one table that every replica shares, and the
// database, not the replicas, decides who acts:
//
//	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
//	...
//	store, err := postgres.New(pool)
//	...
//	if err := store.Migrate(ctx); err != nil { ... }
//	h, err := iimmpact.NewCallbackHandler(iimmpact.CallbackConfig{..., Store: store})
//
// It is a separate module so that the SDK itself does not depend on a
// database driver.
//
// # Rules
//
// The rules are those of iimmpact.MemoryCallbackStore, so a handler acts
// the same on one replica or many: Handle runs once per (refid, status); a
// pending status (Accepted, Processing) is stale once a non-pending status,
// or a pending one at least as new, was completed; a non-pending status
// acts once each, so a Refund (53) after Succesful (20) acts, and nothing
// but a duplicate refund is answered after a refund was handled; while one
// claim on a refid holds its lease no other claim on that refid is granted.
// A claim whose holder crashed lapses when its lease ends, measured by the
// database's clock (now()), never a replica's.
//
// Claim, Complete and Release are each one SQL statement on one row, so the
// rules hold under any concurrency without a read-then-write race: Claim is
// an INSERT ... ON CONFLICT DO UPDATE that takes the lease only when the
// row's locked, latest state allows it, and returns that state. Complete and
// Release retry transient failures (a dropped connection, a restarting
// server) for a few seconds, since both are idempotent and a lost Complete
// could let a later delivery act again; Claim retries them for one second
// (it is idempotent too: a retry presents the same lease token).
//
// # Schema
//
// Migrate creates the table (iimmpact_callbacks unless WithTable) if it is
// missing. Run it at start-up from every replica, or apply the same DDL
// with your own migration tool:
//
//	CREATE TABLE IF NOT EXISTS iimmpact_callbacks (
//	    refid       text        PRIMARY KEY,
//	    done        bigint[]    NOT NULL DEFAULT '{}',
//	    final       boolean     NOT NULL DEFAULT false,
//	    pending     bigint,
//	    claimed     bigint,
//	    lease_token bigint,
//	    lease_until timestamptz,
//	    touched_at  timestamptz NOT NULL DEFAULT now()
//	);
//
// done lists the statuses Handle completed; final says one of them is not
// pending; pending is the newest pending one (NULL if none). claimed is the
// status of the latest claim, lease_token a random number its claimer chose
// and lease_until when it lapses (NULL once completed or released).
// touched_at is the last Claim or Complete, which Prune reads.
//
// Rows are kept until Prune deletes them: call it now and then (say hourly)
// with a retention of a day or more, past IIMMPACT's retries and any
// manual re-send. A duplicate that arrives after its row was pruned acts
// again, as with the memory store's retention.
package postgres
