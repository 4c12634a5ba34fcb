package postgres

import (
	"strings"
)

// paymentStatements are the SQL a PaymentStore runs, its names filled in.
type paymentStatements struct {
	quoted, index                   string
	migrations                      []string
	create, get, exists, put, claim string
	counts, oldestOpen, due, prune  string
	list                            string
}

func newPaymentStatements(table, indexPrefix string) paymentStatements {
	fill := func(q string) string {
		q = strings.ReplaceAll(q, "{open}", openStates)
		q = strings.ReplaceAll(q, "{index}", indexPrefix)
		return strings.ReplaceAll(q, "{table}", table)
	}
	s := paymentStatements{
		quoted: table, index: indexPrefix,
		create: fill(createPaymentSQL), get: fill(getPaymentSQL), exists: fill(existsPaymentSQL),
		put: fill(putPaymentSQL), claim: fill(claimPaymentsSQL), counts: fill(countsSQL),
		oldestOpen: fill(oldestOpenSQL), due: fill(dueSQL), prune: fill(prunePaymentsSQL),
		list: fill(listCreatedSQL),
	}
	for _, m := range paymentMigrations {
		s.migrations = append(s.migrations, fill(m))
	}
	return s
}

// openStates are the states the resolver still asks about (payments.State.IsOpen).
const openStates = `('recorded', 'sent', 'unknown', 'pending', 'manual')`

// paymentMigrations build the schema step by step. Each is idempotent and
// they run in order under an advisory lock (Migrate); a later version of
// this package only appends steps, so every replica may migrate at start.
//
// data is the whole payments.Payment as JSON; the columns beside it are
// what the queries select on. due_at is payments.Payment.DueAt (NULL:
// never due), owed says effects are owed.
var paymentMigrations = []string{
	`CREATE TABLE IF NOT EXISTS {table} (
    refid      text        PRIMARY KEY,
    version    bigint      NOT NULL,
    state      text        NOT NULL,
    due_at     timestamptz,
    owed       boolean     NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    data       jsonb       NOT NULL
)`,
	// The resolver's Claim: due payments, oldest due first.
	`CREATE INDEX IF NOT EXISTS {index}_due ON {table} (due_at) WHERE due_at IS NOT NULL`,
	// Stats: the oldest open payment.
	`CREATE INDEX IF NOT EXISTS {index}_open ON {table} (created_at) WHERE state IN {open}`,
	// Prune: final, delivered, old.
	`CREATE INDEX IF NOT EXISTS {index}_done ON {table} (updated_at) WHERE due_at IS NULL`,
	// ListCreated (reconciliation): a creation-time window, in keyset pages.
	`CREATE INDEX IF NOT EXISTS {index}_created ON {table} (created_at, refid)`,
}

// createPaymentSQL is the write-ahead: a new refid only.
const createPaymentSQL = `INSERT INTO {table} (refid, version, state, due_at, owed, created_at, updated_at, data)
VALUES ($1, 1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (refid) DO NOTHING`

const getPaymentSQL = `SELECT version, data FROM {table} WHERE refid = $1`

const existsPaymentSQL = `SELECT true FROM {table} WHERE refid = $1`

// putPaymentSQL is a compare-and-swap on version: the row lock it takes
// serialises writers of one refid, and a writer that read an older
// version updates nothing.
const putPaymentSQL = `UPDATE {table}
SET version = $2 + 1, state = $3, due_at = $4, owed = $5, updated_at = $6, data = $7
WHERE refid = $1 AND version = $2`

// claimPaymentsSQL locks up to $3 due rows, skipping rows another Claim
// (or a writer) holds, and pushes each one's due time to $2: the effect
// lease (token 0, a resolver's claim) if effects are owed, else the next
// check. It returns each row's previous due time, for ordering.
const claimPaymentsSQL = `WITH due AS (
    SELECT refid, due_at FROM {table}
    WHERE due_at <= $1
    ORDER BY due_at
    LIMIT $3
    FOR UPDATE SKIP LOCKED
)
UPDATE {table} AS p
SET version = p.version + 1, due_at = $2,
    data = CASE WHEN p.owed
        THEN jsonb_set(jsonb_set(p.data, '{effect_lease}', to_jsonb($2::timestamptz)), '{effect_token}', '0')
        ELSE jsonb_set(p.data, '{next}', to_jsonb($2::timestamptz)) END
FROM due
WHERE p.refid = due.refid
RETURNING due.due_at, p.version, p.data`

const countsSQL = `SELECT state, count(*) FROM {table} GROUP BY state`

const oldestOpenSQL = `SELECT min(created_at) FROM {table} WHERE state IN {open}`

const dueSQL = `SELECT count(*), min(due_at) FROM {table} WHERE due_at <= $1`

const prunePaymentsSQL = `DELETE FROM {table} WHERE due_at IS NULL AND updated_at < $1`

// listCreatedSQL is one keyset page of ListCreated: the payments created
// in [$1, $2) after the row ($3, $4), in index order.
const listCreatedSQL = `SELECT created_at, version, data FROM {table}
WHERE created_at >= $1 AND created_at < $2 AND (created_at, refid) > ($3, $4)
ORDER BY created_at, refid
LIMIT $5`
