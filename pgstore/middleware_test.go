package pgstore_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessionkit/session"
	"github.com/sessionkit/session/internal/lincheck"
	"github.com/sessionkit/session/internal/pgtest"
	"github.com/sessionkit/session/internal/testenv"
	"github.com/sessionkit/session/storetest"
)

// TestMiddleware runs the Manager's server-side scenarios over PostgreSQL,
// whose expiry checks use the database server's clock.
func TestMiddleware(t *testing.T) {
	pool := pgtest.Pool(t, func(c *pgxpool.Config) { c.MaxConns = 16 })
	storetest.RunMiddleware(t, func(t *testing.T, now func() time.Time) session.Store { return newStore(t, pool) })
}

// TestLinearizable checks histories of concurrent clients of one session
// kept in PostgreSQL, behind two Managers.
func TestLinearizable(t *testing.T) {
	pool := pgtest.Pool(t, func(c *pgxpool.Config) { c.MaxConns = 16 })
	lincheck.RunStore(t, func(t *testing.T) session.Store { return newStore(t, pool) }, nil)
}

// TestManagerTerminatedMidRequest terminates the server backends of the
// store's pool while the handler runs (SECURITY.md F-08): the save fails,
// the client gets a 503 and no Set-Cookie, the record is the one before,
// and the next request works on new connections.
func TestManagerTerminatedMidRequest(t *testing.T) {
	ctx := context.Background()
	app := testenv.Name("sessionkit-test-")
	pool := pgtest.Pool(t, func(c *pgxpool.Config) { c.ConnConfig.RuntimeParams["application_name"] = app })
	admin := pgtest.Pool(t, nil)
	store := newStore(t, pool)
	site := storetest.NewSite(t, store, nil, nil)
	cookie := site.Start(t, "/set?usuario=Maria")
	id := storetest.IDOf(t, cookie)
	res := site.DoPaused(t, "/slow?carrinho=livro", cookie, func() {
		var killed int
		if err := admin.QueryRow(ctx,
			`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1`, app).Scan(&killed); err != nil || killed == 0 {
			t.Errorf("terminated %d backends: %v", killed, err)
		}
	})
	if res.Status != http.StatusServiceUnavailable || res.Set || strings.Contains(res.Body, "slow ok") {
		t.Fatalf("save with the backend terminated: %+v; want 503, no Set-Cookie, not the handler's body", res)
	}
	rec, err := store.Load(ctx, id)
	if err != nil || strings.Contains(string(rec.Data), "carrinho") || rec.Version != 1 {
		t.Fatalf("record after the failed save: %q v%d, %v; want the one before", rec.Data, rec.Version, err)
	}
	if res := site.Do(t, "/set?carrinho=livro", cookie); res.Status != 200 {
		t.Fatalf("request after the failure: %+v", res)
	}
}
