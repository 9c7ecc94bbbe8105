package memstore_test

import (
	"testing"
	"time"

	"github.com/sessionkit/session"
	"github.com/sessionkit/session/memstore"
	"github.com/sessionkit/session/storetest"
)

// TestMiddleware runs the Manager's server-side scenarios over memstore.
func TestMiddleware(t *testing.T) {
	storetest.RunMiddleware(t, func(t *testing.T, now func() time.Time) session.Store {
		s := memstore.New()
		s.Now = now
		return s
	})
}
