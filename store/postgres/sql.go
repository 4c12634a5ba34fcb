package postgres

import "strings"

// statements are the SQL a Store runs, with its table name filled in.
type statements struct {
	create, claim, complete, release, prune string
}

func newStatements(table string) statements {
	fill := func(q string) string {
		q = strings.ReplaceAll(q, "{claimable}", claimable)
		return strings.ReplaceAll(q, "{table}", table)
	}
	return statements{
		create:   fill(createSQL),
		claim:    fill(claimSQL),
		complete: fill(completeSQL),
		release:  fill(releaseSQL),
		prune:    fill(pruneSQL),
	}
}

// createSQL is the schema; the package doc shows it and says what each
// column holds.
const createSQL = `CREATE TABLE IF NOT EXISTS {table} (
    refid       text        PRIMARY KEY,
    done        bigint[]    NOT NULL DEFAULT '{}',
    final       boolean     NOT NULL DEFAULT false,
    pending     bigint,
    claimed     bigint,
    lease_token bigint,
    lease_until timestamptz,
    touched_at  timestamptz NOT NULL DEFAULT now()
)`

// claimable is the memory store's Claim rule on the existing row c, for
// status $2 (pending: $5): not done, not stale (older pending, or anything
// but a refund after the refund, 53), and no unexpired lease.
// ON CONFLICT evaluates it on the row's latest version, locked, so two
// concurrent claims cannot both see it true.
const claimable = `(NOT ($2 = ANY (c.done))
        AND NOT ($2 <> 53 AND 53 = ANY (c.done))
        AND NOT ($5 AND (c.final OR c.pending >= $2) IS TRUE)
        AND (c.lease_until IS NULL OR c.lease_until <= now()))`

// claimSQL takes the lease for status $2 with token $3 for $4 µs if the row
// is claimable, and touches the row either way (as the memory store's
// Claim does). A new refid is always claimable. The row it returns is
// unchanged unless the claim was granted, so Go reads the answer from it:
// our token means act; otherwise done, final and pending tell duplicate
// from stale from busy.
const claimSQL = `INSERT INTO {table} AS c (refid, claimed, lease_token, lease_until)
VALUES ($1, $2, $3, now() + $4::bigint * interval '1 microsecond')
ON CONFLICT (refid) DO UPDATE SET
    claimed     = CASE WHEN {claimable} THEN excluded.claimed ELSE c.claimed END,
    lease_token = CASE WHEN {claimable} THEN excluded.lease_token ELSE c.lease_token END,
    lease_until = CASE WHEN {claimable} THEN excluded.lease_until ELSE c.lease_until END,
    touched_at  = now()
RETURNING (lease_token = $3) IS TRUE, $2 = ANY (done), 53 = ANY (done), final, pending`

// completeSQL records status $2 (pending: $3) as done and ends the lease if
// that status holds it. A missing row is created: Handle did run.
// greatest() skips NULLs, so pending keeps the newest pending status.
const completeSQL = `INSERT INTO {table} AS c (refid, done, final, pending)
VALUES ($1, ARRAY[$2::bigint], NOT $3::boolean, CASE WHEN $3 THEN $2::bigint END)
ON CONFLICT (refid) DO UPDATE SET
    done        = CASE WHEN $2 = ANY (c.done) THEN c.done ELSE c.done || excluded.done END,
    final       = c.final OR excluded.final,
    pending     = greatest(c.pending, excluded.pending),
    lease_until = CASE WHEN c.claimed = $2 THEN NULL ELSE c.lease_until END,
    touched_at  = now()`

// releaseSQL ends the lease if status $2 holds it, recording nothing.
const releaseSQL = `UPDATE {table} SET lease_until = NULL WHERE refid = $1 AND claimed = $2`

// pruneSQL forgets refids untouched for $1 µs whose lease is not held.
const pruneSQL = `DELETE FROM {table}
WHERE touched_at < now() - $1::bigint * interval '1 microsecond'
  AND (lease_until IS NULL OR lease_until <= now())`
