package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	scsmem "github.com/alexedwards/scs/v2/memstore"
	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"
	"github.com/sessionkit/session"
	"github.com/sessionkit/session/flask/kzlib"
	"github.com/sessionkit/session/memstore"
)

// The three request kinds of a middleware round trip.
const (
	// readOnly reads the session of a non-permanent session: no Set-Cookie.
	readOnly = "readonly"
	// readWrite reads the session and increments a counter in it.
	readWrite = "readwrite"
	// refresh reads a permanent session, which each library re-sends with a
	// new expiry (sessionkit and Flask: RefreshEachRequest; scs: IdleTimeout;
	// gorilla: Save on each request, its only way to slide the expiry).
	refresh = "refresh"
	// chain is readWrite as a browser makes it: each request brings the
	// cookie the previous response set, so that a cookie session is a new
	// cookie every time (readWrite sends the seeded cookie again and
	// again). Cookie sessions only, and scs's memstore for reference.
	chain = "chain"
)

var ops = []string{readOnly, readWrite, refresh, chain}

const greeting = "Bem-vindo, Maria!"

// seedPath is the request that stores the workload in a fresh session.
const seedPath = "/seed"

// subject is one implementation under test: its middleware and handler, and
// optionally a counter of store writes.
type subject struct {
	handler http.Handler
	writes  *atomic.Int64 // nil when the subject has no store
	cleanup func()
	// anyRefresh: whether a refresh sends a cookie is the subject's choice
	// (sessionkit's store mode re-signs the ID cookie without writing the
	// store; the store is touched at most once per touch interval).
	anyRefresh bool
}

// chainSubjects run the chain requests: the cookie sessions, and scs's
// memstore for reference (its cookie, a token, does not change).
var chainSubjects = map[string]bool{"bare": true, "sessionkit-cookie": true, "sessionkit-cookie-kzlib": true, "scs-memstore": true, "gorilla-cookie": true}

// subjectFunc builds a subject for one workload and request kind. It skips
// b when a service or an API is missing.
type subjectFunc func(b *testing.B, w Workload, op string) subject

// seedValues is the workload without "_permanent" (permanence is set per
// request kind through each library's own means).
func seedValues(w Workload) map[string]any {
	out := map[string]any{}
	for k, v := range w.Values {
		if k != "_permanent" {
			out[k] = v
		}
	}
	return out
}

var discardLogger = slog.New(slog.NewTextHandler(io.Discard, nil))

// subjects lists the implementations in the order they run (and are
// reported).
func subjects() []struct {
	name string
	fn   subjectFunc
} {
	return []struct {
		name string
		fn   subjectFunc
	}{
		{"bare", bareSubject},
		{"sessionkit-cookie", sessionkitSubject("")},
		{"sessionkit-cookie-kzlib", sessionkitSubject("kzlib")},
		{"sessionkit-memstore", sessionkitSubject("memstore")},
		{"sessionkit-redis", sessionkitSubject("redis")},
		{"sessionkit-postgres", sessionkitSubject("postgres")},
		{"scs-memstore", scsSubject(func(b *testing.B) (scs.Store, func()) { return scsmem.NewWithCleanupInterval(0), func() {} })},
		{"scs-redis", scsSubject(scsRedisStore)},
		{"scs-postgres", scsSubject(scsPostgresStore)},
		{"gorilla-cookie", gorillaSubject},
	}
}

// skStores build sessionkit's stores by name; a store that does not exist
// yet is absent and its benchmarks skip.
var skStores = map[string]func(b *testing.B) (session.Store, func()){
	"memstore": func(b *testing.B) (session.Store, func()) { return memstore.New(), func() {} },
}

// BenchmarkMiddleware measures a full request through each library's
// middleware: httptest.NewRecorder and a pre-made request carrying the
// session cookie, as a browser would send it.
func BenchmarkMiddleware(b *testing.B) {
	for _, w := range Workloads() {
		b.Run(w.Name, func(b *testing.B) {
			for _, op := range ops {
				b.Run(op, func(b *testing.B) {
					for _, s := range subjects() {
						b.Run(s.name, func(b *testing.B) {
							if op == chain && !chainSubjects[s.name] {
								b.Skip("the chain requests measure cookie sessions (and scs's memstore for reference)")
							}
							sub := s.fn(b, w, op)
							if sub.cleanup != nil {
								defer sub.cleanup()
							}
							roundTrips(b, sub, op)
						})
					}
				})
			}
		})
	}
}

// roundTrips seeds a session, checks one request behaves as op expects, then
// times requests carrying the seeded cookie.
func roundTrips(b *testing.B, sub subject, op string) {
	b.Helper()
	rec := httptest.NewRecorder()
	sub.handler.ServeHTTP(rec, httptest.NewRequest("GET", seedPath, nil))
	if rec.Code != http.StatusOK {
		b.Fatalf("seed: status %d: %s", rec.Code, rec.Body)
	}
	req := httptest.NewRequest("GET", "/", nil)
	for _, c := range rec.Result().Cookies() {
		req.AddCookie(c)
	}
	// One checked request: the session was read, and a cookie was sent
	// back exactly when op calls for one.
	check := *req
	rec = httptest.NewRecorder()
	sub.handler.ServeHTTP(rec, &check)
	if rec.Code != http.StatusOK || rec.Body.String() != greeting {
		b.Fatalf("status %d, body %q: the session was not read", rec.Code, rec.Body)
	}
	if got, want := len(rec.Result().Cookies()) > 0, op != readOnly; got != want && !(op == refresh && sub.anyRefresh) && !(op == chain && sub.writes != nil) {
		b.Fatalf("%s: Set-Cookie sent = %v, want %v", op, got, want)
	}
	// For chain, the Cookie header each request brings: the session cookie
	// the previous response set.
	var cookieLine [1]string
	next := func(rec *httptest.ResponseRecorder) {
		for _, line := range rec.Header()["Set-Cookie"] {
			if v, _, _ := strings.Cut(line, ";"); strings.HasPrefix(v, "session=") {
				cookieLine[0] = v
				req.Header["Cookie"] = cookieLine[:]
			}
		}
	}
	var before int64
	if sub.writes != nil {
		before = sub.writes.Load()
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		// A shallow copy per request: some middlewares (gorilla) cache the
		// decoded session in the request they are given.
		r := *req
		rec := httptest.NewRecorder()
		sub.handler.ServeHTTP(rec, &r)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		if op == chain {
			next(rec)
		}
		n++
	}
	if sub.writes != nil {
		b.ReportMetric(float64(sub.writes.Load()-before)/float64(n), "writes/op")
	}
}

// bareSubject answers what the session handlers answer, from constants: the
// greeting, and for op other than readOnly a Set-Cookie of the size of the
// workload's Flask cookie.
func bareSubject(b *testing.B, w Workload, op string) subject {
	body := []byte(greeting)
	c := &http.Cookie{Name: "session", Value: flaskCookies(b)[w.Name], Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Expires: time.Now().Add(31 * 24 * time.Hour)}
	setCookie := []string{c.String()}
	return subject{handler: http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if op != readOnly || r.URL.Path == seedPath {
			rw.Header()["Set-Cookie"] = setCookie
		}
		rw.Write(body)
	})}
}

// sessionkitSubject is sessionkit's Manager, in cookie mode when store is
// "" or "kzlib" (cookie mode with flask/kzlib's Compressor) and backed by
// skStores[store] otherwise.
func sessionkitSubject(store string) subjectFunc {
	return func(b *testing.B, w Workload, op string) subject {
		var sub subject
		m := newManager(b)
		if store == "kzlib" {
			m.Codec().Compressor = kzlib.Compressor{}
			store = ""
		}
		if store != "" {
			newStore := skStores[store]
			if newStore == nil {
				b.Skip("sessionkit's " + store + " store is not available yet: skipping")
			}
			st, cleanup := newStore(b)
			counted := &countingStore{Store: st}
			m.Store = counted
			sub.writes = &counted.writes
			sub.cleanup = cleanup
			sub.anyRefresh = true
		}
		vals := seedValues(w)
		app := http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			s := session.FromContext(r.Context())
			if r.URL.Path == seedPath {
				for k, v := range vals {
					s.Set(k, v)
				}
				s.SetPermanent(op == refresh)
				return
			}
			u, _ := session.Get[string](s, "usuario")
			if op == readWrite || op == chain {
				n, _ := session.Get[int](s, "visitas")
				s.Set("visitas", n+1)
			}
			io.WriteString(rw, "Bem-vindo, "+u+"!")
		})
		sub.handler = mustHandler(b, m, app)
		return sub
	}
}

// newManager returns sessionkit's Manager, skipping b while the core is a
// placeholder.
func newManager(b *testing.B) (m *session.Manager) {
	b.Helper()
	defer func() {
		if r := recover(); r != nil {
			if r != "unimplemented" {
				panic(r)
			}
			b.Skip("sessionkit: package session is not implemented yet")
		}
	}()
	m, err := session.New([]byte(Key))
	if err != nil {
		b.Fatal(err)
	}
	m.Logger = discardLogger
	return m
}

// mustHandler returns m's middleware around app. While the Manager cannot
// use a Store yet (its Handler panics saying so), store-backed subjects skip.
func mustHandler(b *testing.B, m *session.Manager, app http.Handler) (h http.Handler) {
	defer func() {
		if r := recover(); r != nil {
			if r == "unimplemented" {
				b.Skip("sessionkit: package session is not implemented yet")
			}
			if m.Store != nil {
				b.Skipf("sessionkit's Manager does not take a Store yet (%v): skipping", r)
			}
			panic(r)
		}
	}()
	return m.Handler(app)
}

// countingStore counts the writes a session.Store receives.
type countingStore struct {
	session.Store
	writes atomic.Int64
}

func (c *countingStore) Create(ctx context.Context, id string, rec session.Record) error {
	c.writes.Add(1)
	return c.Store.Create(ctx, id, rec)
}

func (c *countingStore) Update(ctx context.Context, id string, rec session.Record) (int64, error) {
	c.writes.Add(1)
	return c.Store.Update(ctx, id, rec)
}

func (c *countingStore) Touch(ctx context.Context, id string, expiry time.Time) error {
	c.writes.Add(1)
	return c.Store.Touch(ctx, id, expiry)
}

func (c *countingStore) Renew(ctx context.Context, oldID, newID string, rec session.Record) (int64, error) {
	c.writes.Add(1)
	return c.Store.Renew(ctx, oldID, newID, rec)
}

func (c *countingStore) Delete(ctx context.Context, id string) error {
	c.writes.Add(1)
	return c.Store.Delete(ctx, id)
}

// scsSubject is alexedwards/scs's SessionManager over store.
func scsSubject(newStore func(b *testing.B) (scs.Store, func())) subjectFunc {
	return func(b *testing.B, w Workload, op string) subject {
		st, cleanup := newStore(b)
		counted := &countingSCS{Store: st}
		sm := scs.New()
		sm.Store = counted
		sm.Lifetime = 31 * 24 * time.Hour
		sm.Cookie.Persist = op == refresh
		if op == refresh {
			// scs re-commits and re-sends a session on every request only
			// with an idle timeout.
			sm.IdleTimeout = 31 * 24 * time.Hour
		}
		vals := gobValues(seedValues(w))
		app := http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			ctx := r.Context()
			if r.URL.Path == seedPath {
				for k, v := range vals {
					sm.Put(ctx, k, v)
				}
				return
			}
			u := sm.GetString(ctx, "usuario")
			if op == readWrite || op == chain {
				sm.Put(ctx, "visitas", sm.GetInt(ctx, "visitas")+1)
			}
			io.WriteString(rw, "Bem-vindo, "+u+"!")
		})
		return subject{handler: sm.LoadAndSave(app), writes: &counted.writes, cleanup: cleanup}
	}
}

// countingSCS counts the writes an scs.Store receives.
type countingSCS struct {
	scs.Store
	writes atomic.Int64
}

func (c *countingSCS) Commit(token string, b []byte, expiry time.Time) error {
	c.writes.Add(1)
	return c.Store.Commit(token, b, expiry)
}

func (c *countingSCS) Delete(token string) error {
	c.writes.Add(1)
	return c.Store.Delete(token)
}

// gorillaSubject is gorilla/sessions' CookieStore (HMAC-signed gob, like
// Flask's signed-only cookie). Its length limit is lifted so that the large
// workload can be measured.
func gorillaSubject(b *testing.B, w Workload, op string) subject {
	store := sessions.NewCookieStore([]byte(Key))
	store.MaxAge(31 * 24 * 3600)
	for _, c := range store.Codecs {
		c.(*securecookie.SecureCookie).MaxLength(0)
	}
	vals := gobValues(seedValues(w))
	app := http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		s, err := store.Get(r, "session")
		if err != nil {
			http.Error(rw, err.Error(), http.StatusInternalServerError)
			return
		}
		if r.URL.Path == seedPath {
			for k, v := range vals {
				s.Values[k] = v
			}
			if err := s.Save(r, rw); err != nil {
				http.Error(rw, err.Error(), http.StatusInternalServerError)
			}
			return
		}
		u, _ := s.Values["usuario"].(string)
		if op == readWrite || op == chain {
			n, _ := s.Values["visitas"].(int)
			s.Values["visitas"] = n + 1
		}
		if op != readOnly {
			if err := s.Save(r, rw); err != nil {
				http.Error(rw, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		io.WriteString(rw, "Bem-vindo, "+u+"!")
	})
	return subject{handler: app}
}

// uniquePrefix names this run's keys and tables.
func uniquePrefix(kind string) string {
	return fmt.Sprintf("sessionkit-bench-%s-%d", kind, time.Now().UnixNano())
}
