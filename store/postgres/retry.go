package postgres

import (
	"context"
	"errors"
	"io"
	"net"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// retry runs op until it succeeds, fails for good, ctx ends or budget
// (measured from the first attempt) would be exceeded. Only idempotent
// operations may be retried: a connection can drop after the server
// committed.
func retry(ctx context.Context, budget time.Duration, op func(context.Context) error) error {
	deadline := time.Now().Add(budget)
	wait := 20 * time.Millisecond
	for {
		err := op(ctx)
		if err == nil || !transient(err) || ctx.Err() != nil || time.Now().Add(wait).After(deadline) {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		wait = min(2*wait, 500*time.Millisecond)
	}
}

// transient reports whether err may go away on its own: the connection or
// the server went away, or the server is starting, shutting down or full.
// Anything else (an error PostgreSQL raised for the statement itself, a
// scan error, a cancelled context) is not.
func transient(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "57P01", "57P02", "57P03", // admin_shutdown, crash_shutdown, cannot_connect_now
			"53300",          // too_many_connections
			"40001", "40P01": // serialization_failure, deadlock_detected
			return true
		}
		return len(pgErr.Code) == 5 && pgErr.Code[:2] == "08" // connection_exception
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	return pgconn.SafeToRetry(err) || errors.As(err, &connectErr) || errors.As(err, &netErr) ||
		errors.Is(err, pgconn.ErrConnClosed) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}
