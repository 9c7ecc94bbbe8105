package session_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	session "github.com/sessionkit/session"
	"github.com/sessionkit/session/memstore"
	"github.com/sessionkit/session/pgstore"
	"github.com/sessionkit/session/redisstore"
	"github.com/sessionkit/session/storetest"
)

// countingStore counts the calls made to a real store, by method.
type countingStore struct {
	session.Store
	mu    sync.Mutex // guards calls
	calls map[string]int
}

func newCountingStore(s session.Store) *countingStore {
	return &countingStore{Store: s, calls: map[string]int{}}
}

func (c *countingStore) count(method string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls[method]++
}

// n returns how many calls of the named methods were made.
func (c *countingStore) n(methods ...string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	total := 0
	for _, m := range methods {
		total += c.calls[m]
	}
	return total
}

// writes returns how many write calls were made.
func (c *countingStore) writes() int {
	return c.n("Create", "Update", "Touch", "Renew", "Delete", "DestroyAll")
}

func (c *countingStore) Create(ctx context.Context, id string, rec session.Record) error {
	c.count("Create")
	return c.Store.Create(ctx, id, rec)
}

func (c *countingStore) Load(ctx context.Context, id string) (session.Record, error) {
	c.count("Load")
	return c.Store.Load(ctx, id)
}

func (c *countingStore) Update(ctx context.Context, id string, rec session.Record) (int64, error) {
	c.count("Update")
	return c.Store.Update(ctx, id, rec)
}

func (c *countingStore) Touch(ctx context.Context, id string, expiry time.Time) error {
	c.count("Touch")
	return c.Store.Touch(ctx, id, expiry)
}

func (c *countingStore) Renew(ctx context.Context, oldID, newID string, rec session.Record) (int64, error) {
	c.count("Renew")
	return c.Store.Renew(ctx, oldID, newID, rec)
}

func (c *countingStore) Delete(ctx context.Context, id string) error {
	c.count("Delete")
	return c.Store.Delete(ctx, id)
}

func (c *countingStore) DestroyAll(ctx context.Context, owner string) (int, error) {
	c.count("DestroyAll")
	return c.Store.DestroyAll(ctx, owner)
}

// smSite is a Manager with a server-side store behind an httptest server
// whose routes play the lesson's pages.
type smSite struct {
	m     *session.Manager
	store *countingStore
	clock *clock
	url   string
	logs  *logBuffer
	// gate, when set, is where /slow waits after loading the session.
	gate    chan struct{}
	arrived chan struct{}
}

// smBackends are the stores the server-side tests run against: memstore
// always, Redis and PostgreSQL when reachable.
func smBackends(t *testing.T) map[string]func(t *testing.T, clock *clock) session.Store {
	b := map[string]func(t *testing.T, clock *clock) session.Store{
		"memstore": func(t *testing.T, clock *clock) session.Store {
			s := memstore.New()
			s.Now = clock.Now
			return s
		},
	}
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379", ContextTimeoutEnabled: true})
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	err := c.Ping(ctx).Err()
	c.Close()
	switch {
	case err == nil:
		b["redis"] = func(t *testing.T, clock *clock) session.Store { return smRedis(t, "127.0.0.1:6379") }
	case os.Getenv("SESSIONKIT_REQUIRE_ALL") == "1":
		t.Fatalf("Redis at 127.0.0.1:6379: %v (SESSIONKIT_REQUIRE_ALL=1)", err)
	default:
		t.Logf("Redis at 127.0.0.1:6379 is not reachable (%v); not running against it", err)
	}
	pool, err := pgxpool.New(ctx, pgDSN)
	if err == nil {
		err = pool.Ping(ctx)
		pool.Close()
	}
	switch {
	case err == nil:
		b["postgres"] = func(t *testing.T, clock *clock) session.Store { return smPostgres(t) }
	case os.Getenv("SESSIONKIT_REQUIRE_ALL") == "1":
		t.Fatalf("PostgreSQL at %s: %v (SESSIONKIT_REQUIRE_ALL=1)", pgDSN, err)
	default:
		t.Logf("PostgreSQL at %s is not reachable (%v); not running against it", pgDSN, err)
	}
	return b
}

const pgDSN = "postgres://postgres@127.0.0.1:5432/test"

// smPostgres returns a PostgreSQL store in a schema of its own, removed
// when the test ends.
func smPostgres(t testing.TB) *pgstore.Store {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), pgDSN)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	s := pgstore.New(pool)
	s.Schema = storeNamespace(t, "postgres")
	return s
}

// smRedis returns a Redis store under a prefix of its own, removed when the
// test ends.
func smRedis(t testing.TB, addr string) *redisstore.Store {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, ContextTimeoutEnabled: true, DialTimeout: 200 * time.Millisecond})
	s := redisstore.New(c)
	s.Prefix = "sessionkit-test:" + storetest.NewID()[:12] + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		iter := c.Scan(ctx, 0, s.Prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			c.Del(ctx, iter.Val())
		}
		c.Close()
	})
	return s
}

func newSMSite(t *testing.T, store session.Store, clock *clock, configure func(*session.Manager)) *smSite {
	t.Helper()
	m, err := session.New([]byte(testKey))
	if err != nil {
		t.Fatal(err)
	}
	site := &smSite{m: m, clock: clock, logs: &logBuffer{}}
	m.Now = clock.Now
	m.Logger = newTextLogger(site.logs)
	site.store = newCountingStore(store)
	m.Store = site.store
	if configure != nil {
		configure(m)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		s.Set("usuario", r.URL.Query().Get("u"))
		s.SetOwner(r.URL.Query().Get("u"))
		if err := s.Renew(); err != nil {
			t.Error(err)
		}
		io.WriteString(w, "ok")
	})
	mux.HandleFunc("/set", func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		for k, v := range r.URL.Query() {
			s.Set(k, v[0])
		}
		io.WriteString(w, "ok")
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		// Random text: compression cannot bring it under the limit.
		var big strings.Builder
		for big.Len() < 5000 {
			big.WriteString(storetest.NewID())
		}
		s.Set("big", big.String())
		io.WriteString(w, "ok")
	})
	mux.HandleFunc("/small", func(w http.ResponseWriter, r *http.Request) {
		session.FromContext(r.Context()).Delete("big")
		io.WriteString(w, "ok")
	})
	mux.HandleFunc("/get", func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		var keys []string
		for k, v := range s.All() {
			keys = append(keys, k+"="+toString(v))
		}
		io.WriteString(w, strings.Join(keys, ","))
	})
	mux.HandleFunc("/clear", func(w http.ResponseWriter, r *http.Request) {
		session.FromContext(r.Context()).Clear()
		io.WriteString(w, "cleared")
	})
	mux.HandleFunc("/logout", func(w http.ResponseWriter, r *http.Request) {
		session.FromContext(r.Context()).Destroy()
		io.WriteString(w, "bye")
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		_ = s.Len() // loaded and looked at
		site.arrived <- struct{}{}
		<-site.gate
		for k, v := range r.URL.Query() {
			if k == "destroy" {
				s.Destroy()
				continue
			}
			s.Set(k, v[0])
		}
		io.WriteString(w, "slow ok")
	})
	srv := httptest.NewServer(m.Handler(mux))
	t.Cleanup(srv.Close)
	site.url = srv.URL
	return site
}

// doPaused sends a GET for path, a /slow request, with the session cookie
// value and runs meanwhile while the handler waits between loading the
// session and changing it; then it lets the handler go on and returns its
// response. The handler is let go even when meanwhile fails the test, so
// that the server can close.
func (s *smSite) doPaused(t *testing.T, path, cookie string, meanwhile func()) smResult {
	t.Helper()
	s.gate, s.arrived = make(chan struct{}), make(chan struct{})
	done := make(chan smResult, 1)
	go func() { done <- s.do(t, path, cookie) }()
	<-s.arrived
	func() {
		defer close(s.gate)
		meanwhile()
	}()
	return <-done
}

func toString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return "?"
}

// smResult is one response of the site.
type smResult struct {
	status int
	body   string
	cookie string // the session cookie's new value; "" if none was set
	set    bool   // a session Set-Cookie was sent
}

// do sends a GET for path with the session cookie value (may be empty).
func (s *smSite) do(t *testing.T, path, cookie string) smResult {
	t.Helper()
	req, err := http.NewRequest("GET", s.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: "session", Value: cookie})
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	res := smResult{status: resp.StatusCode, body: string(body)}
	for _, c := range resp.Cookies() {
		if c.Name == "session" {
			res.set, res.cookie = true, c.Value
		}
	}
	return res
}

// idOf returns the session ID an ID cookie carries, or "" for a data
// cookie.
func (s *smSite) idOf(t *testing.T, cookie string) string {
	t.Helper()
	payload, _, _, err := s.m.Codec().Signer().Unsign(cookie)
	if err != nil {
		t.Fatalf("cookie %q: %v", cookie, err)
	}
	id, ok := strings.CutPrefix(payload, "sk~")
	if !ok {
		return ""
	}
	if len(id) != 43 {
		t.Fatalf("session id %q is not 43 characters", id)
	}
	return id
}

func (s *smSite) login(t *testing.T, user string) string {
	t.Helper()
	res := s.do(t, "/login?u="+user, "")
	if res.status != 200 || res.cookie == "" {
		t.Fatalf("login: %+v", res)
	}
	return res.cookie
}

func forEachBackend(t *testing.T, f func(t *testing.T, newStore func(t *testing.T, clock *clock) session.Store)) {
	for name, newStore := range smBackends(t) {
		t.Run(name, func(t *testing.T) { f(t, newStore) })
	}
}

func TestStoreRoundTrip(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newStore func(*testing.T, *clock) session.Store) {
		clock := newClock()
		site := newSMSite(t, newStore(t, clock), clock, nil)
		cookie := site.login(t, "Maria")
		id := site.idOf(t, cookie)
		if id == "" {
			t.Fatalf("cookie %q does not carry a session id", cookie)
		}
		rec, err := site.store.Load(context.Background(), id)
		if err != nil || !strings.Contains(string(rec.Data), `"usuario":"Maria"`) || rec.Owner != "Maria" {
			t.Fatalf("stored record = %q owner %q, %v", rec.Data, rec.Owner, err)
		}
		if res := site.do(t, "/get", cookie); res.body != "usuario=Maria" {
			t.Fatalf("/get = %q; want usuario=Maria", res.body)
		}
		res := site.do(t, "/set?tema=escuro", cookie)
		if site.idOf(t, res.cookie) != id {
			t.Fatalf("a save changed the session id")
		}
		if res := site.do(t, "/get", cookie); res.body != "tema=escuro,usuario=Maria" {
			t.Fatalf("/get = %q", res.body)
		}
		// Logout deletes the record and the cookie.
		res = site.do(t, "/logout", cookie)
		if !res.set || res.cookie != "" {
			t.Fatalf("logout response: %+v; want a deletion cookie", res)
		}
		if _, err := site.store.Load(context.Background(), id); !errors.Is(err, session.ErrNotFound) {
			t.Fatalf("record after logout: %v", err)
		}
		if res := site.do(t, "/get", cookie); res.body != "" || res.set {
			t.Fatalf("replayed cookie after logout: %+v; want an empty session", res)
		}
	})
}

// TestStoreForgedIDNeverReachesStore sends cookies that are not validly
// signed IDs: the store is never asked.
func TestStoreForgedIDNeverReachesStore(t *testing.T) {
	clock := newClock()
	site := newSMSite(t, memstore.New(), clock, nil)
	signer := site.m.Codec().Signer()
	good := site.login(t, "Maria")
	goodID := site.idOf(t, good)
	loads := site.store.n("Load")
	for name, cookie := range map[string]string{
		"raw id":          goodID,
		"prefixed id":     "sk~" + goodID,
		"bad signature":   good[:len(good)-2] + "AA",
		"other key":       mustSigner(t, "another key entirely, also long enough").Sign("sk~"+goodID, clock.Now()),
		"short id":        signer.Sign("sk~"+goodID[:42], clock.Now()),
		"glob id":         signer.Sign("sk~*", clock.Now()),
		"expired":         signer.Sign("sk~"+goodID, clock.Now().Add(-32*24*time.Hour)),
		"data not an id":  signer.Sign("eyJhIjoxfQ", clock.Now()),
		"empty":           "",
		"huge":            strings.Repeat("A", 5000),
		"non-canonical":   signer.Sign("sk~"+goodID[:42]+"p", clock.Now()),
		"sql":             signer.Sign("sk~'OR'1'='1", clock.Now()),
		"two dots inside": "sk~a.b.c.d",
	} {
		res := site.do(t, "/get", cookie)
		if res.status != 200 || res.body != "" || res.set {
			t.Errorf("%s: %+v; want 200, an empty session, no Set-Cookie", name, res)
		}
	}
	if n := site.store.n("Load"); n != loads {
		t.Fatalf("%d store loads for forged cookies; want 0", n-loads)
	}
}

// FuzzStoreCookie sends arbitrary session cookies to a server-side
// Manager: no panic, no error status, and no store call, since no input
// the fuzzer finds carries a valid signature.
func FuzzStoreCookie(f *testing.F) {
	f.Add("sk~" + storetest.NewID())
	f.Add("sk~AAAA.aw2cAg.qDnq8DAfjgn7L6Wx6QhSPA6txDQ")
	f.Add(".eJyrVirNK1ayUlA.aw2cAg.qDnq8DAfjgn7L6Wx6QhSPA6txDQ")
	f.Add("")
	f.Add(strings.Repeat("sk~", 2000))
	m, err := session.New([]byte(testKey))
	if err != nil {
		f.Fatal(err)
	}
	store := newCountingStore(memstore.New())
	m.Store, m.Hybrid = store, true
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("x", session.FromContext(r.Context()).Len()))
	}))
	f.Fuzz(func(t *testing.T, value string) {
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set("Cookie", "session="+value)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 || rec.Body.Len() != 0 {
			t.Fatalf("cookie %q: status %d, %d keys", value, rec.Code, rec.Body.Len())
		}
		if n := store.n("Load", "Create", "Update", "Touch", "Renew", "Delete"); n != 0 {
			t.Fatalf("cookie %q reached the store (%d calls)", value, n)
		}
	})
}

func mustSigner(t *testing.T, key string) interface {
	Sign(string, time.Time) string
} {
	t.Helper()
	m, err := session.New([]byte(key))
	if err != nil {
		t.Fatal(err)
	}
	return m.Codec().Signer()
}

// TestStoreUnknownIDNotAdopted presents a validly signed ID with no record:
// the session is anonymous and a write creates another ID.
func TestStoreUnknownIDNotAdopted(t *testing.T) {
	clock := newClock()
	site := newSMSite(t, memstore.New(), clock, nil)
	planted := storetest.NewID()
	cookie := site.m.Codec().Signer().Sign("sk~"+planted, clock.Now())
	if res := site.do(t, "/get", cookie); res.body != "" || res.set {
		t.Fatalf("unknown id: %+v; want an empty session and no Set-Cookie", res)
	}
	res := site.do(t, "/set?a=1", cookie)
	if id := site.idOf(t, res.cookie); id == planted || id == "" {
		t.Fatalf("the write went to id %q; want a fresh server-made id", id)
	}
	if _, err := site.store.Load(context.Background(), planted); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("the planted id exists: %v", err)
	}
}

// TestStoreReadOnlyWrites counts store writes of read-only requests: none
// inside the touch interval, one Touch after it (SECURITY.md F-21 too).
func TestStoreReadOnlyWrites(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newStore func(*testing.T, *clock) session.Store) {
		clock := newClock()
		site := newSMSite(t, newStore(t, clock), clock, func(m *session.Manager) {
			m.Lifetime = time.Hour
			m.TouchInterval = 5 * time.Minute
		})
		// Anonymous visitors who only read cost nothing.
		for range 20 {
			if res := site.do(t, "/get", ""); res.set {
				t.Fatalf("anonymous read set a cookie: %+v", res)
			}
		}
		if w := site.store.writes(); w != 0 {
			t.Fatalf("%d store writes for anonymous reads; want 0", w)
		}
		cookie := site.do(t, "/set?usuario=Maria", "").cookie
		id := site.idOf(t, cookie)
		before := site.store.writes()
		for range 20 {
			clock.Add(10 * time.Second) // 200 s in all, inside the 5 min interval
			res := site.do(t, "/get", cookie)
			if res.body != "usuario=Maria" || res.set {
				t.Fatalf("read-only request: %+v; want the session and no Set-Cookie", res)
			}
		}
		if w := site.store.writes() - before; w != 0 {
			t.Fatalf("%d store writes for read-only requests inside the touch interval; want 0", w)
		}
		clock.Add(2 * time.Minute)
		res := site.do(t, "/get", cookie)
		if w := site.store.n("Touch"); w != 1 || site.store.writes()-before != 1 {
			t.Fatalf("after the touch interval: %d touches, %d writes; want 1, 1", w, site.store.writes()-before)
		}
		if site.idOf(t, res.cookie) != id {
			t.Fatalf("the touch re-sent cookie %q; want the same id re-signed", res.cookie)
		}
		rec, err := site.store.Load(context.Background(), id)
		if err != nil || !rec.Expiry.Equal(clock.Now().Add(time.Hour)) {
			t.Fatalf("expiry after touch = %v, %v; want %v", rec.Expiry, err, clock.Now().Add(time.Hour))
		}
		site.do(t, "/get", res.cookie)
		if site.store.writes()-before != 1 {
			t.Fatalf("a read right after the touch wrote again")
		}
	})
}

// TestStoreLostUpdate: two requests change different keys of one session
// at the same time; both changes persist (SECURITY.md F-16).
func TestStoreLostUpdate(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newStore func(*testing.T, *clock) session.Store) {
		clock := newClock()
		site := newSMSite(t, newStore(t, clock), clock, nil)
		cookie := site.do(t, "/set?usuario=Maria", "").cookie
		res := site.doPaused(t, "/slow?carrinho=livro", cookie, func() {
			if res := site.do(t, "/set?tema=escuro", cookie); res.status != 200 {
				t.Fatalf("fast request: %+v", res)
			}
		})
		if res.status != 200 || !res.set {
			t.Fatalf("slow request: %+v", res)
		}
		if res := site.do(t, "/get", cookie); res.body != "carrinho=livro,tema=escuro,usuario=Maria" {
			t.Fatalf("after both saves: %q; want every key", res.body)
		}
		if site.store.n("Update") != 3 || site.store.n("Load") < 3 {
			t.Fatalf("calls %v; want the slow save to conflict once and merge", site.store.calls)
		}
	})
}

// TestStoreBurstOfWriters: a page firing many requests at once, each
// setting its own key of one session (a burst of XHRs): every request
// succeeds and every key persists. Conflicts are merged, with backoff, not
// turned into errors.
func TestStoreBurstOfWriters(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newStore func(*testing.T, *clock) session.Store) {
		clock := newClock()
		site := newSMSite(t, newStore(t, clock), clock, nil)
		cookie := site.do(t, "/set?usuario=Maria", "").cookie
		const n = 16
		var wg sync.WaitGroup
		results := make([]smResult, n)
		for i := range n {
			wg.Go(func() { results[i] = site.do(t, fmt.Sprintf("/set?k%02d=v", i), cookie) })
		}
		wg.Wait()
		want := []string{"usuario=Maria"}
		for i, res := range results {
			if res.status != 200 {
				t.Errorf("request %d: status %d, body %q", i, res.status, res.body)
			}
			want = append(want, fmt.Sprintf("k%02d=v", i))
		}
		slices.Sort(want)
		if got := site.do(t, "/get", cookie).body; got != strings.Join(want, ",") {
			t.Fatalf("after the burst: %q; want every key", got)
		}
	})
}

// TestStoreNoResurrection: a slow request saves after a logout; the
// session stays ended (SECURITY.md F-17).
func TestStoreNoResurrection(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newStore func(*testing.T, *clock) session.Store) {
		clock := newClock()
		site := newSMSite(t, newStore(t, clock), clock, nil)
		cookie := site.login(t, "Maria")
		id := site.idOf(t, cookie)
		res := site.doPaused(t, "/slow?carrinho=livro", cookie, func() {
			if res := site.do(t, "/logout", cookie); res.status != 200 || res.cookie != "" {
				t.Fatalf("logout: %+v", res)
			}
		})
		if res.status != 200 || res.set {
			t.Fatalf("slow request after logout: %+v; want 200 and no Set-Cookie", res)
		}
		if _, err := site.store.Load(context.Background(), id); !errors.Is(err, session.ErrNotFound) {
			t.Fatalf("record after the late save: %v; want ErrNotFound", err)
		}
		if res := site.do(t, "/get", cookie); res.body != "" {
			t.Fatalf("replayed cookie: %q; want an anonymous session", res.body)
		}
		if !strings.Contains(site.logs.String(), "save dropped") {
			t.Fatalf("the dropped save was not logged:\n%s", site.logs)
		}
	})
}

// TestStoreOldIDAfterRenew: a request carrying the old ID saves after
// another request logged in (Renew); the old ID is not recreated and the
// new one holds the login (SECURITY.md F-18).
func TestStoreOldIDAfterRenew(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newStore func(*testing.T, *clock) session.Store) {
		clock := newClock()
		site := newSMSite(t, newStore(t, clock), clock, nil)
		anon := site.do(t, "/set?carrinho=livro", "").cookie
		oldID := site.idOf(t, anon)
		var login smResult
		res := site.doPaused(t, "/slow?tema=claro", anon, func() {
			login = site.do(t, "/login?u=Maria", anon)
			newID := site.idOf(t, login.cookie)
			if newID == oldID || newID == "" {
				t.Fatalf("login kept id %q", newID)
			}
		})
		if res.status != 200 || res.set {
			t.Fatalf("old-id request: %+v; want 200 and no Set-Cookie", res)
		}
		if _, err := site.store.Load(context.Background(), oldID); !errors.Is(err, session.ErrNotFound) {
			t.Fatalf("old id after the late save: %v; want ErrNotFound", err)
		}
		if res := site.do(t, "/get", login.cookie); res.body != "carrinho=livro,usuario=Maria" {
			t.Fatalf("new session: %q", res.body)
		}
	})
}

func TestStoreDestroyAll(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newStore func(*testing.T, *clock) session.Store) {
		clock := newClock()
		site := newSMSite(t, newStore(t, clock), clock, func(m *session.Manager) {
			m.Generations = memstore.NewGenerations()
		})
		phone, laptop, other := site.login(t, "maria"), site.login(t, "maria"), site.login(t, "joao")
		if err := site.m.DestroyAll(context.Background(), "maria"); err != nil {
			t.Fatal(err)
		}
		for _, c := range []string{phone, laptop} {
			if res := site.do(t, "/get", c); res.body != "" {
				t.Fatalf("maria's session after DestroyAll: %q", res.body)
			}
		}
		if res := site.do(t, "/get", other); res.body != "usuario=joao" {
			t.Fatalf("joao's session after DestroyAll(maria): %q", res.body)
		}
		if g, _ := site.m.Generations.Generation(context.Background(), "maria"); g != 1 {
			t.Fatalf("maria's generation = %d; want 1", g)
		}
	})
}

// TestStoreIDCollision forces the random source to repeat an ID (SECURITY.md
// F-11): the second session gets another ID and the first is untouched.
func TestStoreIDCollision(t *testing.T) {
	clock := newClock()
	site := newSMSite(t, memstore.New(), clock, nil)
	fixed := storetest.NewID()
	ids := []string{fixed, fixed, storetest.NewID()}
	var mu sync.Mutex // guards ids
	restore := session.SetStoreIDSource(func() string {
		mu.Lock()
		defer mu.Unlock()
		id := ids[0]
		ids = ids[1:]
		return id
	})
	defer restore()
	first := site.do(t, "/set?usuario=Maria", "").cookie
	second := site.do(t, "/set?usuario=Joao", "").cookie
	if site.idOf(t, first) != fixed || site.idOf(t, second) == fixed {
		t.Fatalf("ids %q, %q; want the second to differ from %q", site.idOf(t, first), site.idOf(t, second), fixed)
	}
	if res := site.do(t, "/get", first); res.body != "usuario=Maria" {
		t.Fatalf("first session after the collision: %q", res.body)
	}
	if res := site.do(t, "/get", second); res.body != "usuario=Joao" {
		t.Fatalf("second session: %q", res.body)
	}
}

// TestStoreUndecodableRecord: a record whose data cannot be decoded ends
// the session instead of failing every request (SECURITY.md F-15).
func TestStoreUndecodableRecord(t *testing.T) {
	clock := newClock()
	store := memstore.New()
	store.Now = clock.Now
	site := newSMSite(t, store, clock, nil)
	cookie := site.do(t, "/set?usuario=Maria", "").cookie
	id := site.idOf(t, cookie)
	if _, err := store.Update(context.Background(), id, session.Record{Data: []byte("\xff{not json"), Expiry: clock.Now().Add(time.Hour), Version: 1}); err != nil {
		t.Fatal(err)
	}
	if res := site.do(t, "/get", cookie); res.status != 200 || res.body != "" {
		t.Fatalf("undecodable record: %+v; want 200 and an empty session", res)
	}
	if _, err := store.Load(context.Background(), id); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("undecodable record still stored: %v", err)
	}
	if strings.Contains(site.logs.String(), id) {
		t.Fatalf("the log holds the session id:\n%s", site.logs)
	}
}

// TestStoreUnavailable: the store fails on load (F-01) and on save: 503, no
// Set-Cookie, and the handler does not run on a failed load.
func TestStoreUnavailable(t *testing.T) {
	t.Run("load", func(t *testing.T) {
		ln := httptest.NewServer(http.NotFoundHandler())
		addr := strings.TrimPrefix(ln.URL, "http://")
		ln.Close() // a closed port: nothing listens there now
		clock := newClock()
		down := smRedis(t, addr)
		down.Timeout = 300 * time.Millisecond
		site := newSMSite(t, down, clock, nil)
		cookie := site.m.Codec().Signer().Sign("sk~"+storetest.NewID(), clock.Now())
		for _, path := range []string{"/get", "/set?a=1", "/logout"} {
			res := site.do(t, path, cookie)
			if res.status != http.StatusServiceUnavailable || res.set {
				t.Fatalf("%s with the store down: %+v; want 503 and no Set-Cookie", path, res)
			}
		}
		// Without a cookie nothing is loaded; a read still works.
		if res := site.do(t, "/get", ""); res.status != 200 {
			t.Fatalf("anonymous read with the store down: %+v", res)
		}
		if res := site.do(t, "/set?a=1", ""); res.status != http.StatusServiceUnavailable || res.set {
			t.Fatalf("anonymous write with the store down: %+v; want 503 and no Set-Cookie", res)
		}
	})
	t.Run("full", func(t *testing.T) {
		clock := newClock()
		store := memstore.New()
		store.MaxEntries = 1
		site := newSMSite(t, store, clock, nil)
		first := site.do(t, "/set?usuario=Maria", "")
		if first.status != 200 {
			t.Fatal(first)
		}
		res := site.do(t, "/set?usuario=Joao", "")
		if res.status != http.StatusServiceUnavailable || res.set || strings.Contains(res.body, "ok") {
			t.Fatalf("new session in a full store: %+v; want 503, no Set-Cookie, not the handler's body", res)
		}
		if res := site.do(t, "/set?tema=escuro", first.cookie); res.status != 200 {
			t.Fatalf("existing session in a full store: %+v", res)
		}
	})
}

// TestStoreClear: emptying a session deletes its record and its cookie.
func TestStoreClear(t *testing.T) {
	clock := newClock()
	site := newSMSite(t, memstore.New(), clock, nil)
	cookie := site.do(t, "/set?a=1", "").cookie
	id := site.idOf(t, cookie)
	if res := site.do(t, "/small", cookie); res.set {
		t.Fatalf("deleting an absent key set a cookie: %+v", res)
	}
	res := site.do(t, "/clear", cookie)
	if !res.set || res.cookie != "" {
		t.Fatalf("clear: %+v; want a deletion cookie", res)
	}
	if _, err := site.store.Load(context.Background(), id); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("record after Clear: %v; want ErrNotFound", err)
	}
}

func TestStoreFieldsValidate(t *testing.T) {
	m, err := session.New([]byte(testKey))
	if err != nil {
		t.Fatal(err)
	}
	m.Store = memstore.New()
	for _, set := range []func(){
		func() { m.TouchInterval = -1 },
		func() { m.MergeRetries = -1 },
		func() { m.HybridThreshold = -1 },
	} {
		m.TouchInterval, m.MergeRetries, m.HybridThreshold = 0, 0, 0
		set()
		if err := m.Validate(); err == nil || !strings.Contains(err.Error(), "must not be negative") {
			t.Errorf("Validate with a negative store setting = %v", err)
		}
	}
}

// BenchmarkStoreRoundTrip measures a request through the middleware with
// a server-side session, read-only (inside the touch interval) and
// read-write, for each store, and reports the store writes per request.
func BenchmarkStoreRoundTrip(b *testing.B) {
	stores := map[string]func(b *testing.B) session.Store{
		"memstore": func(b *testing.B) session.Store { return memstore.New() },
		"redis": func(b *testing.B) session.Store {
			s := smRedis(b, "127.0.0.1:6379")
			s.Prefix = storeNamespace(b, "redis")
			return s
		},
		"postgres": func(b *testing.B) session.Store { return smPostgres(b) },
	}
	for _, name := range []string{"memstore", "redis", "postgres"} {
		for _, workload := range []string{"readonly", "readwrite"} {
			b.Run(name+"/"+workload, func(b *testing.B) {
				m, err := session.New([]byte(testKey))
				if err != nil {
					b.Fatal(err)
				}
				store := newCountingStore(stores[name](b))
				m.Store = store
				h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					s := session.FromContext(r.Context())
					if r.URL.Path == "/set" {
						s.Set("usuario", "Maria")
						s.Set("nomes", []string{"Ana", "Bruno", "Carla"})
					}
					name, _ := session.Get[string](s, "usuario")
					io.WriteString(w, "Olá, "+name)
				}))
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest("GET", "/set", nil))
				var cookie *http.Cookie
				for _, c := range rec.Result().Cookies() {
					cookie = c
				}
				path := "/"
				if workload == "readwrite" {
					path = "/set"
				}
				req := httptest.NewRequest("GET", path, nil)
				req.AddCookie(cookie)
				before := store.writes()
				n := 0
				b.ReportAllocs()
				for b.Loop() {
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
					if rec.Code != 200 {
						b.Fatalf("status %d", rec.Code)
					}
					n++
				}
				b.ReportMetric(float64(store.writes()-before)/float64(n), "writes/op")
			})
		}
	}
}

// smProxy is a TCP proxy in front of Redis that a test can cut, as a
// server dying mid-request, or slow down.
type smProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex // guards conns, cut, delay
	conns  []net.Conn
	cut    bool
	delay  time.Duration
	wg     sync.WaitGroup
}

func newSMProxy(t *testing.T, target string) *smProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &smProxy{ln: ln, target: target}
	p.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			cut := p.cut
			p.mu.Unlock()
			if cut {
				c.Close()
				continue
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			p.wg.Go(func() { p.pipe(s, c) })
			p.wg.Go(func() { p.pipe(c, s) })
		}
	})
	t.Cleanup(func() {
		ln.Close()
		p.stop()
		p.wg.Wait()
	})
	return p
}

func (p *smProxy) pipe(dst, src net.Conn) {
	defer dst.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if err != nil {
			return
		}
		p.mu.Lock()
		delay := p.delay
		p.mu.Unlock()
		if delay > 0 {
			time.Sleep(delay) // the fault under test: a slow server
		}
		if _, err := dst.Write(buf[:n]); err != nil {
			return
		}
	}
}

// stop closes every connection and refuses new ones.
func (p *smProxy) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = true
	for _, c := range p.conns {
		c.Close()
	}
}

func (p *smProxy) slow(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.delay = d
}

// TestStoreRedisDiesMidRequest stops Redis (through a proxy) while the
// handler runs, after it changed the session (SECURITY.md F-02): the client
// gets a 503 instead of the handler's page, no Set-Cookie, and the record
// keeps its previous state.
func TestStoreRedisDiesMidRequest(t *testing.T) {
	backends := smBackends(t)
	if backends["redis"] == nil {
		t.Skip("Redis is not reachable")
	}
	p := newSMProxy(t, "127.0.0.1:6379")
	store := smRedis(t, p.ln.Addr().String())
	direct := smRedis(t, "127.0.0.1:6379")
	direct.Prefix = store.Prefix
	clock := newClock()
	site := newSMSite(t, store, clock, nil)
	cookie := site.do(t, "/set?usuario=Maria", "").cookie
	id := site.idOf(t, cookie)
	res := site.doPaused(t, "/slow?carrinho=livro", cookie, func() {
		p.stop()
	})
	if res.status != http.StatusServiceUnavailable || res.set || strings.Contains(res.body, "slow ok") {
		t.Fatalf("save with Redis gone: %+v; want 503, no Set-Cookie, not the handler's body", res)
	}
	rec, err := direct.Load(context.Background(), id)
	if err != nil || strings.Contains(string(rec.Data), "carrinho") || rec.Version != 1 {
		t.Fatalf("record after the failed save: %q v%d, %v; want the one before", rec.Data, rec.Version, err)
	}
}

// TestStoreLogoutFails: the store goes away while a logout runs
// (SECURITY.md F-22): the response is the ErrorHandler's 503, not a page
// saying "logged out", the failure is logged, and the record is still
// there for a retry.
func TestStoreLogoutFails(t *testing.T) {
	if smBackends(t)["redis"] == nil {
		t.Skip("Redis is not reachable")
	}
	p := newSMProxy(t, "127.0.0.1:6379")
	store := smRedis(t, p.ln.Addr().String())
	store.Timeout = 300 * time.Millisecond
	direct := smRedis(t, "127.0.0.1:6379")
	direct.Prefix = store.Prefix
	clock := newClock()
	site := newSMSite(t, store, clock, nil)
	cookie := site.login(t, "Maria")
	id := site.idOf(t, cookie)
	res := site.doPaused(t, "/slow?destroy=1", cookie, func() {
		p.stop()
	})
	if res.status != http.StatusServiceUnavailable || res.set || strings.Contains(res.body, "slow ok") {
		t.Fatalf("logout with the store gone: %+v; want 503, no Set-Cookie, not the handler's page", res)
	}
	if !strings.Contains(site.logs.String(), "logout failed") {
		t.Fatalf("the failed logout was not logged:\n%s", site.logs)
	}
	if _, err := direct.Load(context.Background(), id); err != nil {
		t.Fatalf("record after the failed logout: %v; want it still there", err)
	}
}

// TestStoreRedisSlow puts Redis behind a proxy slower than the store's
// timeout (SECURITY.md F-04): requests fail with 503 in about the timeout
// and the goroutine count comes back to where it was.
func TestStoreRedisSlow(t *testing.T) {
	backends := smBackends(t)
	if backends["redis"] == nil {
		t.Skip("Redis is not reachable")
	}
	clock := newClock()
	direct := smRedis(t, "127.0.0.1:6379")
	p := newSMProxy(t, "127.0.0.1:6379")
	store := smRedis(t, p.ln.Addr().String())
	store.Prefix = direct.Prefix
	store.Timeout = 200 * time.Millisecond
	site := newSMSite(t, store, clock, nil)
	cookie := site.do(t, "/set?usuario=Maria", "").cookie
	http.DefaultClient.CloseIdleConnections()
	base := runtime.NumGoroutine()
	p.slow(2 * time.Second)
	for _, path := range []string{"/get", "/set?a=1"} {
		start := time.Now()
		res := site.do(t, path, cookie)
		if res.status != http.StatusServiceUnavailable || res.set {
			t.Fatalf("%s with a slow Redis: %+v; want 503 and no Set-Cookie", path, res)
		}
		if d := time.Since(start); d > 1500*time.Millisecond {
			t.Fatalf("%s with a slow Redis took %v; want about the 200ms timeout", path, d)
		}
	}
	p.slow(0)
	p.stop()
	http.DefaultClient.CloseIdleConnections()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > base+2 { // the proxy's pipes may still be draining
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines, %d before the slow requests", runtime.NumGoroutine(), base)
		}
		time.Sleep(20 * time.Millisecond) // polling for exits
	}
}

// TestStoreInstanceHelper is not a test: TestStoreMultiInstance runs the
// test binary again with SESSIONKIT_STORE_INSTANCE set, and this function
// then serves the names page of Exemplo 02 with a shared store until the
// process is killed.
func TestStoreInstanceHelper(t *testing.T) {
	backend := os.Getenv("SESSIONKIT_STORE_INSTANCE")
	if backend == "" {
		t.Skip("helper process for TestStoreMultiInstance")
	}
	ctx := context.Background()
	var store session.Store
	switch backend {
	case "redis":
		c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379", ContextTimeoutEnabled: true})
		rs := redisstore.New(c)
		rs.Prefix = os.Getenv("SESSIONKIT_STORE_NS")
		store = rs
	case "postgres":
		pool, err := pgxpool.New(ctx, pgDSN)
		if err != nil {
			t.Fatal(err)
		}
		ps := pgstore.New(pool)
		ps.Schema = os.Getenv("SESSIONKIT_STORE_NS")
		store = ps
	}
	m, err := session.New([]byte(testKey))
	if err != nil {
		t.Fatal(err)
	}
	m.Store = store
	mux := http.NewServeMux()
	mux.HandleFunc("/add", func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		names, _ := session.Get[[]string](s, "nomes")
		name := r.URL.Query().Get("nome")
		if !slices.Contains(names, name) {
			s.Set("nomes", append(names, name))
		}
		if d, err := time.ParseDuration(r.URL.Query().Get("wait")); err == nil {
			time.Sleep(d) // a slow page, so that the test can kill the process mid-request
		}
		io.WriteString(w, "ok")
	})
	mux.HandleFunc("/nomes", func(w http.ResponseWriter, r *http.Request) {
		names, _ := session.Get[[]string](session.FromContext(r.Context()), "nomes")
		io.WriteString(w, strings.Join(names, ","))
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("ADDR %s\n", ln.Addr())
	http.Serve(ln, m.Handler(mux))
}

// TestStoreMultiInstance starts three processes sharing one store; a
// client adds names while bouncing between them, one process is killed
// in the middle of a request, and no name is lost.
func TestStoreMultiInstance(t *testing.T) {
	if os.Getenv("SESSIONKIT_STORE_INSTANCE") != "" {
		t.Skip("inside a helper process")
	}
	for _, backend := range []string{"redis", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			ns := storeNamespace(t, backend)
			var addrs []string
			var procs []*exec.Cmd
			for range 3 {
				cmd := exec.Command(os.Args[0], "-test.run=^TestStoreInstanceHelper$", "-test.v=false")
				cmd.Env = append(os.Environ(), "SESSIONKIT_STORE_INSTANCE="+backend, "SESSIONKIT_STORE_NS="+ns)
				out, err := cmd.StdoutPipe()
				if err != nil {
					t.Fatal(err)
				}
				cmd.Stderr = os.Stderr
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
				line, err := bufio.NewReader(out).ReadString('\n')
				addr, ok := strings.CutPrefix(strings.TrimSpace(line), "ADDR ")
				if err != nil || !ok {
					t.Fatalf("instance did not start: %q, %v", line, err)
				}
				addrs, procs = append(addrs, addr), append(procs, cmd)
			}
			jar, err := cookiejar.New(nil)
			if err != nil {
				t.Fatal(err)
			}
			client := &http.Client{Jar: jar, Timeout: 5 * time.Second}
			alive := []bool{true, true, true}
			var want []string
			add := func(i int, name string) {
				t.Helper()
				for try := range 3 {
					n := (i + try) % 3
					if !alive[n] {
						continue
					}
					resp, err := client.Get("http://" + addrs[n] + "/add?nome=" + name)
					if err != nil {
						continue // that instance is gone: the client tries another
					}
					resp.Body.Close()
					if resp.StatusCode == 200 {
						return
					}
				}
				t.Fatalf("no instance took %s", name)
			}
			for i := range 30 {
				name := fmt.Sprintf("nome%02d", i)
				want = append(want, name)
				if i == 15 {
					// Kill instance 1 while it serves a request.
					done := make(chan error, 1)
					go func() {
						resp, err := client.Get("http://" + addrs[1] + "/add?wait=2s&nome=" + name)
						if err == nil {
							resp.Body.Close()
						}
						done <- err
					}()
					time.Sleep(300 * time.Millisecond) // let the request reach the handler
					procs[1].Process.Kill()
					procs[1].Wait()
					alive[1] = false
					if err := <-done; err == nil {
						t.Fatal("the request to the killed instance succeeded")
					}
				}
				add(i, name)
			}
			for n, addr := range addrs {
				if !alive[n] {
					continue
				}
				resp, err := client.Get("http://" + addr + "/nomes")
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if string(body) != strings.Join(want, ",") {
					t.Fatalf("instance %d sees %q; want %q", n, body, strings.Join(want, ","))
				}
			}
		})
	}
}

// storeNamespace prepares a Redis key prefix or a PostgreSQL schema for
// one test, removed when it ends, or skips the test when the server is
// not reachable (failing it under SESSIONKIT_REQUIRE_ALL=1).
func storeNamespace(t testing.TB, backend string) string {
	t.Helper()
	ctx := context.Background()
	ns := "sessionkit_multi_" + strings.ToLower(strings.NewReplacer("-", "", "_", "").Replace(storetest.NewID()[:12]))
	var err error
	switch backend {
	case "redis":
		// smRedis deletes the keys under its prefix when the test ends.
		s := smRedis(t, "127.0.0.1:6379")
		ns += ":"
		s.Prefix = ns
		_, err = s.Generation(ctx, "ping")
	case "postgres":
		var pool *pgxpool.Pool
		pool, err = pgxpool.New(ctx, pgDSN)
		if err == nil {
			t.Cleanup(pool.Close)
			_, err = pool.Exec(ctx, "CREATE SCHEMA "+ns)
		}
		if err == nil {
			t.Cleanup(func() { pool.Exec(ctx, "DROP SCHEMA "+ns+" CASCADE") })
			err = pgstore.Migrate(ctx, pool, ns)
		}
	}
	if err != nil {
		if os.Getenv("SESSIONKIT_REQUIRE_ALL") == "1" {
			t.Fatalf("%s: %v (SESSIONKIT_REQUIRE_ALL=1)", backend, err)
		}
		t.Skipf("%s is not reachable (%v)", backend, err)
	}
	return ns
}

// TestStorePostgresTerminatedMidRequest terminates the server backends of
// the store's pool while the handler runs (SECURITY.md F-08): the save
// fails, the client gets a 503 and no Set-Cookie, and the record is the
// one before.
func TestStorePostgresTerminatedMidRequest(t *testing.T) {
	if smBackends(t)["postgres"] == nil {
		t.Skip("PostgreSQL is not reachable")
	}
	ctx := context.Background()
	app := "sessionkit-test-" + storetest.NewID()[:8]
	cfg, err := pgxpool.ParseConfig(pgDSN)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = app
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	admin, err := pgxpool.New(ctx, pgDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	store := pgstore.New(pool)
	store.Schema = storeNamespace(t, "postgres")
	clock := newClock()
	site := newSMSite(t, store, clock, nil)
	cookie := site.do(t, "/set?usuario=Maria", "").cookie
	id := site.idOf(t, cookie)
	res := site.doPaused(t, "/slow?carrinho=livro", cookie, func() {
		var killed int
		if err := admin.QueryRow(ctx,
			`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1`, app).Scan(&killed); err != nil || killed == 0 {
			t.Fatalf("terminated %d backends: %v", killed, err)
		}
	})
	if res.status != http.StatusServiceUnavailable || res.set || strings.Contains(res.body, "slow ok") {
		t.Fatalf("save with the backend terminated: %+v; want 503, no Set-Cookie, not the handler's body", res)
	}
	rec, err := store.Load(ctx, id)
	if err != nil || strings.Contains(string(rec.Data), "carrinho") || rec.Version != 1 {
		t.Fatalf("record after the failed save: %q v%d, %v; want the one before", rec.Data, rec.Version, err)
	}
	// The pool replaces its connections: the next request works.
	if res := site.do(t, "/set?carrinho=livro", cookie); res.status != 200 {
		t.Fatalf("request after the failure: %+v", res)
	}
}

func ExampleManager_serverSide() {
	m, err := session.New([]byte("Zq8vT3nW6yB1cR5mX0kP7sD2fG9hJ4lAe"))
	if err != nil {
		fmt.Println(err)
		return
	}
	store := memstore.New()
	m.Store = store
	m.TouchInterval = 5 * time.Minute
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		session.FromContext(r.Context()).Set("usuario", "Maria")
	}))

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/login", nil))
	cookie := rec.Result().Cookies()[0]
	// The cookie holds a signed ID; the data stays on the server.
	fmt.Println(strings.HasPrefix(cookie.Value, "sk~"), strings.Contains(cookie.Value, "Maria"), store.Len())
	// Output:
	// true false 1
}
