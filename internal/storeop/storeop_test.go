package storeop_test

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/sessionkit/session"
	"github.com/sessionkit/session/internal/storeop"
)

const errs = storeop.Errors("somestore")

func TestErrors(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	timedOut, stop := storeop.Bound(context.Background(), time.Nanosecond, time.Hour)
	defer stop()
	<-timedOut.Done()
	for _, tc := range []struct {
		name string
		err  error
		is   []error
		not  []error
		msg  string
	}{
		{"unavailable", errs.Unavailable(context.Background(), "load", io.EOF),
			[]error{session.ErrStoreUnavailable, io.EOF}, []error{session.ErrNotFound, context.DeadlineExceeded},
			"somestore: load: session: store unavailable: EOF"},
		{"canceled, driver says so", errs.Unavailable(canceled, "load", context.Canceled),
			[]error{session.ErrStoreUnavailable, context.Canceled}, nil,
			"somestore: load: session: store unavailable: context canceled"},
		{"canceled, driver says something else", errs.Unavailable(canceled, "load", io.EOF),
			[]error{session.ErrStoreUnavailable, context.Canceled, io.EOF}, nil,
			"somestore: load: session: store unavailable: EOF (context canceled)"},
		{"store timeout", errs.Unavailable(timedOut, "touch", errors.New("interrupted")),
			[]error{session.ErrStoreUnavailable, context.DeadlineExceeded}, nil,
			"somestore: touch: session: store unavailable: interrupted (the store's Timeout (1ns) ran out)"},
		{"not found", errs.NotFound("update"), []error{session.ErrNotFound}, []error{session.ErrStoreUnavailable},
			"somestore: update: session: not found"},
		{"exists", errs.Exists("renew: new id"), []error{session.ErrExists}, []error{session.ErrStoreUnavailable},
			"somestore: renew: new id: session: id already exists"},
		{"conflict", errs.Conflict("update", 3, 2), []error{session.ErrConflict}, []error{session.ErrStoreUnavailable},
			"somestore: update: stored version 3, request loaded 2: session: version conflict"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, target := range tc.is {
				if !errors.Is(tc.err, target) {
					t.Errorf("%v is not %v", tc.err, target)
				}
			}
			for _, target := range tc.not {
				if errors.Is(tc.err, target) {
					t.Errorf("%v is %v", tc.err, target)
				}
			}
			if tc.err.Error() != tc.msg {
				t.Errorf("message %q; want %q", tc.err, tc.msg)
			}
		})
	}
}

func TestBound(t *testing.T) {
	parent, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, tc := range []struct {
		d, def, want time.Duration
	}{
		{0, time.Hour, time.Hour},
		{-1, time.Hour, time.Hour},
		{time.Minute, time.Hour, time.Minute},
	} {
		before := time.Now()
		ctx, stop := storeop.Bound(parent, tc.d, tc.def)
		deadline, ok := ctx.Deadline()
		stop()
		if !ok || deadline.Before(before.Add(tc.want)) || deadline.After(time.Now().Add(tc.want)) {
			t.Errorf("Bound(%v, %v): deadline %v after now; want %v", tc.d, tc.def, deadline.Sub(before), tc.want)
		}
	}
	// The caller's deadline stays in force, and its cause is the caller's.
	cancel()
	ctx, stop := storeop.Bound(parent, time.Hour, time.Hour)
	defer stop()
	if cause := context.Cause(ctx); !errors.Is(cause, context.Canceled) {
		t.Fatalf("cause under a canceled parent = %v", cause)
	}
}

func TestNonNil(t *testing.T) {
	if b := storeop.NonNil(nil); b == nil || len(b) != 0 {
		t.Fatalf("NonNil(nil) = %#v", b)
	}
	if b := storeop.NonNil([]byte("x")); string(b) != "x" {
		t.Fatalf("NonNil(x) = %q", b)
	}
}
