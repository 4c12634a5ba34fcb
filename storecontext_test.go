package iimmpact

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type ctxKey struct{}

// A store call's context behaves as context.WithDeadline over
// context.WithoutCancel would: the request's values, not its
// cancellation or its cause; Done closed at the deadline or by stop.
func TestStoreContextIsADeadlineContext(t *testing.T) {
	t.Parallel()
	req, cancelReq := context.WithCancelCause(context.WithValue(context.Background(), ctxKey{}, "v"))
	cancelReq(errors.New("peer hung up"))

	deadline := time.Now().Add(30 * time.Millisecond)
	c := newStoreContext(req, deadline)
	got, ok := c.Deadline()
	assert.True(t, ok)
	assert.Equal(t, deadline, got)
	assert.Equal(t, "v", c.Value(ctxKey{}))
	assert.NoError(t, c.Err(), "the request's cancellation does not reach the store")
	assert.NoError(t, context.Cause(c), "nor its cause")
	child, cancelChild := context.WithCancel(c)
	defer cancelChild()
	select {
	case <-c.Done():
		t.Fatal("done before its deadline")
	default:
	}
	select {
	case <-c.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("not done at its deadline")
	}
	assert.ErrorIs(t, c.Err(), context.DeadlineExceeded)
	assert.ErrorIs(t, context.Cause(c), context.DeadlineExceeded)
	<-child.Done()
	assert.ErrorIs(t, child.Err(), context.DeadlineExceeded, "a context derived from it ends with it")
	c.stop()
	assert.ErrorIs(t, c.Err(), context.DeadlineExceeded, "the first end sticks")
}

// Stopped before its deadline it is Canceled, whether Done was asked for
// before or after; past its deadline, Err says so even if Done was never
// asked for, and Done is then already closed.
func TestStoreContextStopAndLazyDone(t *testing.T) {
	t.Parallel()
	a := newStoreContext(context.Background(), time.Now().Add(time.Hour))
	done := a.Done()
	a.stop()
	<-done
	assert.ErrorIs(t, a.Err(), context.Canceled)

	b := newStoreContext(context.Background(), time.Now().Add(time.Hour))
	b.stop()
	<-b.Done()
	assert.ErrorIs(t, b.Err(), context.Canceled)

	past := newStoreContext(context.Background(), time.Now().Add(-time.Millisecond))
	require.ErrorIs(t, past.Err(), context.DeadlineExceeded)
	<-past.Done()
	late := newStoreContext(context.Background(), time.Now().Add(-time.Millisecond))
	<-late.Done()
	assert.ErrorIs(t, late.Err(), context.DeadlineExceeded)
}
