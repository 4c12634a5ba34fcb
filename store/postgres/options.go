package postgres

import (
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// DefaultTable is the table a Store uses unless WithTable.
const DefaultTable = "iimmpact_callbacks"

// Option configures New.
type Option func(*options)

type options struct {
	table string
}

// WithTable sets the table, "name" or "schema.name"; each part must be a
// lower-case SQL identifier (letters, digits and _, not starting with a
// digit, at most 63 bytes), so the name means the same quoted or not. The
// schema must already exist. New reports a bad name.
func WithTable(name string) Option {
	return func(o *options) { o.table = name }
}

// quoteTable validates name and returns it quoted for SQL.
func quoteTable(name string) (string, error) {
	parts := strings.Split(name, ".")
	if len(parts) > 2 {
		return "", fmt.Errorf("iimmpact/postgres: table name %q: at most one dot (schema.table)", name)
	}
	for _, p := range parts {
		if !isPlainIdent(p) {
			return "", fmt.Errorf("iimmpact/postgres: table name %q: want lower-case letters, digits and _, not starting with a digit, at most 63 bytes per part", name)
		}
	}
	return pgx.Identifier(parts).Sanitize(), nil
}

// isPlainIdent reports whether p is what PostgreSQL folds an unquoted
// identifier to, within its 63-byte limit.
func isPlainIdent(p string) bool {
	if p == "" || len(p) > 63 || ('0' <= p[0] && p[0] <= '9') {
		return false
	}
	for _, c := range []byte(p) {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
