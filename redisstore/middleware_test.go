package redisstore_test

import (
	"context"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sessionkit/session"
	"github.com/sessionkit/session/internal/lincheck"
	"github.com/sessionkit/session/internal/redistest"
	"github.com/sessionkit/session/internal/testenv"
	"github.com/sessionkit/session/redisstore"
	"github.com/sessionkit/session/storetest"
)

// TestMiddleware runs the Manager's server-side scenarios over Redis.
func TestMiddleware(t *testing.T) {
	c := redistest.Client(t, func(o *redis.Options) { o.PoolSize = 64 })
	storetest.RunMiddleware(t, func(t *testing.T, now func() time.Time) session.Store {
		s := newStore(t, c)
		s.Now = now
		return s
	})
}

// TestLinearizable checks histories of concurrent clients of one session
// kept in Redis, behind two Managers.
func TestLinearizable(t *testing.T) {
	c := redistest.Client(t, func(o *redis.Options) { o.PoolSize = 64 })
	lincheck.RunStore(t, func(t *testing.T) session.Store { return newStore(t, c) }, nil)
}

// faultSite serves a Manager over a store reaching Redis through a fault
// proxy, and returns the site, the proxy, that store, and a store on the
// same keys reaching Redis directly.
func faultSite(t *testing.T) (site *storetest.Site, p *testenv.Proxy, store, direct *redisstore.Store) {
	t.Helper()
	direct = newStore(t, redistest.Client(t, nil))
	p = testenv.NewProxy(t, testenv.RedisAddr())
	store = newStore(t, redistest.NewClient(t, p.Addr(), nil))
	store.Prefix = direct.Prefix
	return storetest.NewSite(t, store, nil, nil), p, store, direct
}

// TestManagerRedisDiesMidRequest stops Redis (through a proxy) while the
// handler runs, after it changed the session (SECURITY.md F-02): the client
// gets a 503 instead of the handler's page, no Set-Cookie, and the record
// keeps its previous state.
func TestManagerRedisDiesMidRequest(t *testing.T) {
	site, p, _, direct := faultSite(t)
	cookie := site.Start(t, "/set?usuario=Maria")
	id := storetest.IDOf(t, cookie)
	res := site.DoPaused(t, "/slow?carrinho=livro", cookie, p.Cut)
	if res.Status != http.StatusServiceUnavailable || res.Set || strings.Contains(res.Body, "slow ok") {
		t.Fatalf("save with Redis gone: %+v; want 503, no Set-Cookie, not the handler's body", res)
	}
	rec, err := direct.Load(context.Background(), id)
	if err != nil || strings.Contains(string(rec.Data), "carrinho") || rec.Version != 1 {
		t.Fatalf("record after the failed save: %q v%d, %v; want the one before", rec.Data, rec.Version, err)
	}
}

// TestManagerLogoutFails: the store goes away while a logout runs
// (SECURITY.md F-22): the response is the ErrorHandler's 503, not a page
// saying "logged out", the failure is logged, and the record is still
// there for a retry.
func TestManagerLogoutFails(t *testing.T) {
	site, p, store, direct := faultSite(t)
	cookie := site.Start(t, "/login?u=Maria")
	id := storetest.IDOf(t, cookie)
	res := site.DoPaused(t, "/slow?destroy=1", cookie, func() {
		store.Timeout = time.Second // the records are in place; the logout must fail
		p.BlackHole()
	})
	if res.Status != http.StatusServiceUnavailable || res.Set || strings.Contains(res.Body, "slow ok") {
		t.Fatalf("logout with the store gone: %+v; want 503, no Set-Cookie, not the handler's page", res)
	}
	if !strings.Contains(site.Logs.String(), "logout failed") {
		t.Fatalf("the failed logout was not logged:\n%s", site.Logs)
	}
	if _, err := direct.Load(context.Background(), id); err != nil {
		t.Fatalf("record after the failed logout: %v; want it still there", err)
	}
}

// TestManagerRedisSlow puts Redis behind a proxy slower than the store's
// timeout (SECURITY.md F-04): requests fail with 503 and no Set-Cookie, and
// the goroutine count comes back to where it was.
func TestManagerRedisSlow(t *testing.T) {
	site, p, store, _ := faultSite(t)
	cookie := site.Start(t, "/set?usuario=Maria")
	http.DefaultClient.CloseIdleConnections()
	base := runtime.NumGoroutine()
	store.Timeout = 200 * time.Millisecond
	p.Slow(testenv.Patience)
	for _, path := range []string{"/get", "/set?a=1"} {
		if res := site.Do(t, path, cookie); res.Status != http.StatusServiceUnavailable || res.Set {
			t.Fatalf("%s with a slow Redis: %+v; want 503 and no Set-Cookie", path, res)
		}
	}
	p.Heal()
	p.Cut()
	testenv.WaitGoroutines(t, base+2) // the proxy's pipes may still be draining
}

// TestManagerStoreDown: with Redis unreachable, a request carrying a
// session cookie gets 503 and no Set-Cookie, and its handler does not run
// (SECURITY.md F-01); a request without one still reads an empty session,
// and fails with 503 when it writes.
func TestManagerStoreDown(t *testing.T) {
	down := redisstore.New(redistest.NewClient(t, testenv.ClosedAddr(t), nil))
	down.Timeout = time.Second
	site := storetest.NewSite(t, down, nil, nil)
	cookie := site.M.IDSigner().Sign("sk~"+storetest.NewID(), time.Now())
	for _, path := range []string{"/get", "/set?a=1", "/logout"} {
		if res := site.Do(t, path, cookie); res.Status != http.StatusServiceUnavailable || res.Set || res.Body == "ok" {
			t.Fatalf("%s with the store down: %+v; want 503 and no Set-Cookie", path, res)
		}
	}
	if res := site.Do(t, "/get", ""); res.Status != 200 {
		t.Fatalf("anonymous read with the store down: %+v", res)
	}
	if res := site.Do(t, "/set?a=1", ""); res.Status != http.StatusServiceUnavailable || res.Set {
		t.Fatalf("anonymous write with the store down: %+v; want 503 and no Set-Cookie", res)
	}
}
