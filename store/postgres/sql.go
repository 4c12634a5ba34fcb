package postgres

import "strings"

// statements are the SQL a Store runs, with its table name filled in.
type statements struct {
	create, columnType, migrateToken, claim, renew, complete, release, prune string
}

func newStatements(table string) statements {
	fill := func(q string) string {
		q = strings.ReplaceAll(q, "{claimable}", claimable)
		q = strings.ReplaceAll(q, "{holds}", holds)
		return strings.ReplaceAll(q, "{table}", table)
	}
	return statements{
		create:       fill(createSQL),
		columnType:   columnTypeSQL,
		migrateToken: fill(migrateTokenSQL),
		claim:        fill(claimSQL),
		renew:        fill(renewSQL),
		complete:     fill(completeSQL),
		release:      fill(releaseSQL),
		prune:        fill(pruneSQL),
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
    lease_token text,
    lease_until timestamptz,
    touched_at  timestamptz NOT NULL DEFAULT now()
)`

// columnTypeSQL names the type of column $2 of table $1 (a quoted name).
const columnTypeSQL = `SELECT format_type(atttypid, atttypmod) FROM pg_attribute
WHERE attrelid = $1::regclass AND attname = $2 AND NOT attisdropped`

// migrateTokenSQL turns the first schema's bigint tokens into text, in
// place: every row is kept, and a lease held under an old token still
// holds (until it lapses: no new worker presents the old token).
const migrateTokenSQL = `ALTER TABLE {table} ALTER COLUMN lease_token TYPE text USING lease_token::text`

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
// our token means act (until lease_until); otherwise done, final and
// pending tell duplicate from stale from busy.
const claimSQL = `INSERT INTO {table} AS c (refid, claimed, lease_token, lease_until)
VALUES ($1, $2, $3, now() + $4::bigint * interval '1 microsecond')
ON CONFLICT (refid) DO UPDATE SET
    claimed     = CASE WHEN {claimable} THEN excluded.claimed ELSE c.claimed END,
    lease_token = CASE WHEN {claimable} THEN excluded.lease_token ELSE c.lease_token END,
    lease_until = CASE WHEN {claimable} THEN excluded.lease_until ELSE c.lease_until END,
    touched_at  = now()
RETURNING (lease_token = $3) IS TRUE, $2 = ANY (done), 53 = ANY (done), final, pending, lease_until`

// holds is true when the lease ($1 refid, $2 status, $3 token) is the
// refid's latest grant and has not lapsed by the database's clock.
const holds = `refid = $1 AND claimed = $2 AND lease_token = $3 AND lease_until > now()`

// renewSQL extends a lease that still holds to now + $4 µs. No row: lost.
const renewSQL = `UPDATE {table} SET lease_until = now() + $4::bigint * interval '1 microsecond', touched_at = now()
WHERE {holds}
RETURNING lease_until`

// completeSQL records status $2 (pending: $4) as done and ends the lease,
// if the lease ($1, $2, $3) is the refid's latest grant: unexpired, or
// lapsed with nobody claiming since (Handle did run, and nobody else can
// have), or already completed by this very call's first attempt. No row:
// lost, and nothing was recorded. greatest() skips NULLs, so pending keeps
// the newest pending status.
const completeSQL = `UPDATE {table} SET
    done        = CASE WHEN $2 = ANY (done) THEN done ELSE done || $2::bigint END,
    final       = final OR NOT $4::boolean,
    pending     = CASE WHEN $4 THEN greatest(pending, $2::bigint) ELSE pending END,
    lease_until = NULL,
    touched_at  = now()
WHERE refid = $1 AND claimed = $2 AND lease_token = $3
  AND (lease_until IS NOT NULL OR $2 = ANY (done))
RETURNING true`

// releaseSQL ends a lease that still holds, recording nothing. No row: lost.
const releaseSQL = `UPDATE {table} SET lease_until = NULL WHERE {holds} RETURNING true`

// pruneSQL forgets refids untouched for $1 µs whose lease is not held.
const pruneSQL = `DELETE FROM {table}
WHERE touched_at < now() - $1::bigint * interval '1 microsecond'
  AND (lease_until IS NULL OR lease_until <= now())`
