package main

import (
	"errors"
	"fmt"
)

// Exit statuses. Scripts rely on them, so they never change meaning.
const (
	exitOK      = 0 // done; for a payment: it succeeded
	exitNo      = 1 // a definite "no": the payment failed, the refid was not found
	exitError   = 2 // the command could not do its job: usage, configuration, a refusal, the network
	exitUnknown = 3 // a payment's outcome is unknown: it may have gone through; ask again
	exitPending = 4 // a payment is still pending: ask again later with the same refid
)

const exitHelp = `Exit status:
  0  done (for a payment: it succeeded)
  1  a definite "no": the payment failed, or the refid was not found
  2  the command could not do its job: bad usage, configuration, a refusal, the network
  3  a payment's outcome is unknown: it may have gone through; ask again with the same refid
  4  a payment is still pending: ask again later with the same refid`

// exitCodeError carries an exit status up to run. A nil err means the
// command has already said everything it had to say.
type exitCodeError struct {
	code int
	err  error
}

func (e *exitCodeError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitCodeError) Unwrap() error { return e.err }

// withExit returns an error that makes the process exit with code; err, if
// not nil, is printed on stderr.
func withExit(code int, err error) error { return &exitCodeError{code: code, err: err} }

// usageError marks mistakes in the command line, exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// exitCode maps an error returned by a command to the process's status.
func exitCode(err error) int {
	var ec *exitCodeError
	if errors.As(err, &ec) {
		return ec.code
	}
	if err != nil {
		return exitError
	}
	return exitOK
}
