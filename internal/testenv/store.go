package testenv

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sessionkit/session"
)

// StoreOps runs every operation of s once with ctx, on the record id (which
// may or may not exist), and returns their errors by method name. It runs
// DeleteExpired, Generation and Bump too if s implements session.Cleaner or
// session.Generations.
func StoreOps(ctx context.Context, s session.Store, id string) map[string]error {
	exp := time.Now().Add(time.Hour)
	rec := session.Record{Data: []byte("new"), Expiry: exp, Version: 1, Owner: "o"}
	errs := map[string]error{}
	errs["Create"] = s.Create(ctx, Name("create-"), rec)
	_, errs["Load"] = s.Load(ctx, id)
	_, errs["Update"] = s.Update(ctx, id, rec)
	errs["Touch"] = s.Touch(ctx, id, exp)
	_, errs["Renew"] = s.Renew(ctx, id, Name("renew-"), rec)
	errs["Delete"] = s.Delete(ctx, id)
	_, errs["DestroyAll"] = s.DestroyAll(ctx, "o")
	if c, ok := s.(session.Cleaner); ok {
		_, errs["DeleteExpired"] = c.DeleteExpired(ctx)
	}
	if g, ok := s.(session.Generations); ok {
		_, errs["Generation"] = g.Generation(ctx, "o")
		_, errs["Bump"] = g.Bump(ctx, "o")
	}
	return errs
}

// WantUnavailable checks that every error in errs is ErrStoreUnavailable
// and none claims ErrNotFound: a store that cannot answer must never say a
// session is absent.
func WantUnavailable(t testing.TB, errs map[string]error) {
	t.Helper()
	for op, err := range errs {
		if !errors.Is(err, session.ErrStoreUnavailable) || errors.Is(err, session.ErrNotFound) {
			t.Errorf("%s = %v; want ErrStoreUnavailable (and not ErrNotFound)", op, err)
		}
	}
}

// WantDeadline checks that err is ErrStoreUnavailable caused by a context
// deadline: the operation was ended by the store's timeout or the caller's
// deadline, whichever the test left able to fire, and not by anything else.
func WantDeadline(t testing.TB, what string, err error) {
	t.Helper()
	if !errors.Is(err, session.ErrStoreUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("%s = %v; want ErrStoreUnavailable from a context deadline", what, err)
	}
}
