// Package storeop holds what sqlitestore, redisstore and pgstore do around
// every operation, so that they do it alike: bound its time, and word its
// errors as "<package>: <operation>: <sentinel>[: <cause>]".
//
// memstore words its errors the same way but does not import this package:
// it must compile with the standard library and package session alone.
package storeop

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sessionkit/session"
)

// Bound returns ctx limited to d from now, or to def if d is not positive:
// a store's Timeout field and its default. When that limit ends the
// operation, context.Cause reports a *TimeoutError, which Errors.Unavailable
// adds to the error so that it tells the store's timeout from the caller's
// deadline.
func Bound(ctx context.Context, d, def time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		d = def
	}
	return context.WithTimeoutCause(ctx, d, &TimeoutError{Timeout: d})
}

// TimeoutError is the cause of a context that Bound ended.
type TimeoutError struct {
	Timeout time.Duration // the limit that ran out
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("the store's Timeout (%v) ran out", e.Timeout)
}

// Unwrap returns context.DeadlineExceeded.
func (e *TimeoutError) Unwrap() error { return context.DeadlineExceeded }

// Errors words the errors of the store package it names, e.g.
// Errors("redisstore").
type Errors string

// Unavailable wraps a failure of the backend, err, in
// session.ErrStoreUnavailable. If ctx has ended, its cause is wrapped too
// (unless err already is it), so that errors.Is(err,
// context.DeadlineExceeded) holds whenever a deadline ended the operation,
// whatever error the driver made of it.
func (e Errors) Unavailable(ctx context.Context, op string, err error) error {
	if cause := context.Cause(ctx); cause != nil && !errors.Is(err, cause) {
		return fmt.Errorf("%s: %s: %w: %w (%w)", e, op, session.ErrStoreUnavailable, err, cause)
	}
	return fmt.Errorf("%s: %s: %w: %w", e, op, session.ErrStoreUnavailable, err)
}

// NotFound returns session.ErrNotFound for op.
func (e Errors) NotFound(op string) error {
	return fmt.Errorf("%s: %s: %w", e, op, session.ErrNotFound)
}

// Exists returns session.ErrExists for op.
func (e Errors) Exists(op string) error {
	return fmt.Errorf("%s: %s: %w", e, op, session.ErrExists)
}

// Conflict returns session.ErrConflict for op, with the version the store
// holds and the one the request loaded.
func (e Errors) Conflict(op string, stored, loaded int64) error {
	return fmt.Errorf("%s: %s: stored version %d, request loaded %d: %w", e, op, stored, loaded, session.ErrConflict)
}

// NonNil returns b, or an empty slice if b is nil, so that a database does
// not store an empty value as NULL.
func NonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
