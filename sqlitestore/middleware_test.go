package sqlitestore_test

import (
	"testing"
	"time"

	"github.com/sessionkit/session"
	"github.com/sessionkit/session/internal/lincheck"
	"github.com/sessionkit/session/internal/testenv"
	"github.com/sessionkit/session/storetest"
)

// TestMiddleware runs the Manager's server-side scenarios over SQLite.
func TestMiddleware(t *testing.T) {
	storetest.RunMiddleware(t, func(t *testing.T, now func() time.Time) session.Store {
		s := newStore(open(t, testenv.Patience))
		s.Now = now
		return s
	})
}

// TestLinearizable checks histories of concurrent clients of one session
// kept in SQLite, behind two Managers.
func TestLinearizable(t *testing.T) {
	lincheck.RunStore(t, func(t *testing.T) session.Store { return newStore(open(t, testenv.Patience)) }, nil)
}
