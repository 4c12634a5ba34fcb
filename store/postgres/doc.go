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
// Leases are owned: each grant has a random token, and Renew, Complete and
// Release name the token, the status and the refid in their WHERE clause,
// so a replica whose lease lapsed or was superseded changes nothing (its
// call fails with iimmpact.ErrLeaseLost). Complete still records a lapsed
// lease that nobody superseded: Handle did run, and nobody else can have.
//
// Claim, Renew, Complete and Release are each one SQL statement on one row,
// so the rules hold under any concurrency without a read-then-write race:
// Claim is an INSERT ... ON CONFLICT DO UPDATE that takes the lease only
// when the row's locked, latest state allows it, and returns that state;
// the others are UPDATEs whose WHERE clause is the ownership check.
// Complete and Release retry transient failures (a dropped connection, a
// restarting server) for a few seconds, since a lost Complete could let a
// later delivery act again (a retried Complete whose first attempt
// committed succeeds again); Claim and Renew retry them for one second (a
// retried Claim presents the same lease token).
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
//	    lease_token text,
//	    lease_until timestamptz,
//	    touched_at  timestamptz NOT NULL DEFAULT now()
//	);
//
// done lists the statuses Handle completed; final says one of them is not
// pending; pending is the newest pending one (NULL if none). claimed is the
// status of the latest claim, lease_token the random token of that grant
// and lease_until when it lapses (NULL once completed or released).
//
// Migrate also upgrades a table created by this package's first version,
// whose lease_token was a bigint: under the same lock it runs
// ALTER TABLE ... ALTER COLUMN lease_token TYPE text USING lease_token::text,
// which keeps every row (a lease held under an old token keeps blocking
// other claims until it lapses). The ALTER rewrites the table under an
// exclusive lock once; callbacks meanwhile wait, or get a 503 that
// IIMMPACT retries. Replace every replica running the old version when
// you migrate: the old version ignores tokens when it ends a lease.
// touched_at is the last Claim or Complete, which Prune reads.
//
// Rows are kept until Prune deletes them: call it now and then (say hourly)
// with a retention of a day or more, past IIMMPACT's retries and any
// manual re-send. A duplicate that arrives after its row was pruned acts
// again, as with the memory store's retention.
package postgres
