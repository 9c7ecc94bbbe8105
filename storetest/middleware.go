package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sessionkit/session"
)

// RunMiddleware runs the Manager's server-side scenarios through the real
// middleware and an HTTP server over the stores newStore returns: round
// trips, forged and unknown IDs, writes of read-only and unchanged
// sessions, anonymous visitors, merges of concurrent saves (2 to 64
// clients appending to, counting in and rewriting one session), logouts
// and renewals racing other requests, unreadable and oversized records,
// and hybrid mode. newStore returns a fresh store whose expiry checks use
// now where the store has a clock of its own to set (stores that read the
// database server's clock may ignore it: the scenarios only move now
// forward). Run it with -race.
func RunMiddleware(t *testing.T, newStore func(t *testing.T, now func() time.Time) session.Store) {
	t.Helper()
	for _, c := range middlewareCases {
		t.Run(c.name, func(t *testing.T) {
			clock := &testClock{now: time.Now().Truncate(time.Second)}
			c.run(t, newSite(t, newStore(t, clock.Now), clock, c.configure))
		})
	}
}

var middlewareCases = []struct {
	name      string
	configure func(m *session.Manager)
	run       func(t *testing.T, s *Site)
}{
	{"RoundTrip", nil, testRoundTrip},
	{"ForgedIDNeverReachesStore", nil, testForgedID},
	{"UnknownIDNotAdopted", nil, testUnknownID},
	{"ReadOnlyWrites", func(m *session.Manager) { m.Lifetime, m.TouchInterval = time.Hour, 5*time.Minute }, testReadOnlyWrites},
	{"NoWriteForNoChange", nil, testNoWriteForNoChange},
	{"AnonymousNotStored", nil, testAnonymousNotStored},
	{"MergeDifferentKeys", nil, testMergeDifferentKeys},
	{"ReadThenWriteConflicts", nil, testReadThenWriteConflicts},
	{"BurstOfWriters", nil, testBurstOfWriters},
	{"ConcurrentAppends", nil, testConcurrentAppends},
	{"ConcurrentCounters", nil, testConcurrentCounters},
	{"ConcurrentReadModifyWrite", nil, testConcurrentReadModifyWrite},
	{"NoResurrection", nil, testNoResurrection},
	{"OldIDAfterRenew", nil, testOldIDAfterRenew},
	{"DestroyAll", nil, testManagerDestroyAll},
	{"UnreadableRecord", nil, testUnreadableRecord},
	{"Clear", nil, testClear},
	{"RecordTooLarge", func(m *session.Manager) { m.MaxRecordSize = 1000 }, testRecordTooLarge},
	{"Hybrid", func(m *session.Manager) { m.Hybrid = true }, testHybrid},
	{"HybridConcurrentAppends", func(m *session.Manager) { m.Hybrid, m.HybridThreshold = true, 200 }, testHybridConcurrentAppends},
}

// testClock is a settable clock.
type testClock struct {
	mu  sync.Mutex // guards now
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// countingStore counts the calls made to a store, by method.
type countingStore struct {
	session.Store
	mu    sync.Mutex // guards calls
	calls map[string]int
}

func (c *countingStore) count(method string) {
	c.mu.Lock()
	c.calls[method]++
	c.mu.Unlock()
}

// n returns the calls of methods.
func (c *countingStore) n(methods ...string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	sum := 0
	for _, m := range methods {
		sum += c.calls[m]
	}
	return sum
}

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

// middlewareKey signs the scenarios' cookies.
const middlewareKey = "storetest: 7qX2vN9wR4tY6uI1oP3aS5dF8gH0jK"

// Site is a Manager over a store behind an httptest server, with pages
// that make a session's usual moves; RunMiddleware drives it, and a
// store's own tests can drive it to inject faults (a store that dies in
// the middle of a request, say):
//
//	/set?k=v&...       sets keys
//	/login?u=U         logs U in (Set "usuario", SetOwner)
//	/logout            destroys the session
//	/get               lists the session: k=v,... sorted
//	/permanent         sets the permanent flag
//	/append?nome=N     session.Append to "nomes"; /list answers it as JSON
//	/add               session.Add 1 to "n"; /incr does it by hand (Get, Set)
//	/big, /small       sets and deletes 5000 random characters under "big"
//	/clear             clears the session
//	/slow?k=v&...      reads "usuario" (or ?read=KEY; with ?peek=1 through
//	                   Peek), waits until DoPaused lets it go, then sets each
//	                   k to the value read followed by v (?destroy=1:
//	                   destroys the session)
type Site struct {
	M    *session.Manager
	URL  string
	Logs *Logs // the Manager's log, debug lines included

	store  *countingStore
	clock  *testClock // RunMiddleware's; nil for NewSite
	client *http.Client
	// gate, when set, is where /slow waits after loading the session.
	gate    chan struct{}
	arrived chan struct{}
}

// Logs is a log destination safe for concurrent writes.
type Logs struct {
	mu sync.Mutex // guards b
	b  strings.Builder
}

func (l *Logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns what was logged.
func (l *Logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// NewSite serves a Manager over store, with now (nil: time.Now) as its
// clock and configure (nil: nothing) applied before its Handler is built.
// The server is closed when the test ends.
func NewSite(t testing.TB, store session.Store, now func() time.Time, configure func(*session.Manager)) *Site {
	t.Helper()
	m, err := session.New([]byte(middlewareKey))
	if err != nil {
		t.Fatal(err)
	}
	s := &Site{M: m, Logs: &Logs{}, store: &countingStore{Store: store, calls: map[string]int{}}}
	if now != nil {
		m.Now = now
	}
	m.Logger = slog.New(slog.NewTextHandler(s.Logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	m.Store = s.store
	if configure != nil {
		configure(m)
	}
	srv := httptest.NewServer(m.Handler(s.routes(t)))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	transport := &http.Transport{MaxIdleConnsPerHost: 64}
	t.Cleanup(transport.CloseIdleConnections)
	s.client = &http.Client{Transport: transport, Timeout: time.Minute}
	return s
}

// newSite is NewSite on a settable clock.
func newSite(t *testing.T, store session.Store, clock *testClock, configure func(*session.Manager)) *Site {
	s := NewSite(t, store, clock.Now, configure)
	s.clock = clock
	return s
}

func (s *Site) routes(t testing.TB) *http.ServeMux {
	mux := http.NewServeMux()
	sess := func(r *http.Request) *session.Session { return session.FromContext(r.Context()) }
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		sn := sess(r)
		sn.Set("usuario", r.URL.Query().Get("u"))
		sn.SetOwner(r.URL.Query().Get("u"))
		io.WriteString(w, "ok")
	})
	mux.HandleFunc("/set", func(w http.ResponseWriter, r *http.Request) {
		sn := sess(r)
		for k, v := range r.URL.Query() {
			if err := sn.Set(k, v[0]); err != nil {
				t.Errorf("Set(%q): %v", k, err)
			}
		}
		io.WriteString(w, "ok")
	})
	mux.HandleFunc("/permanent", func(w http.ResponseWriter, r *http.Request) {
		sess(r).SetPermanent(true)
		io.WriteString(w, "ok")
	})
	mux.HandleFunc("/append", func(w http.ResponseWriter, r *http.Request) {
		if err := session.Append(sess(r), "nomes", r.URL.Query().Get("nome")); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		io.WriteString(w, "ok")
	})
	mux.HandleFunc("/add", func(w http.ResponseWriter, r *http.Request) {
		if _, err := session.Add(sess(r), "n", 1); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		io.WriteString(w, "ok")
	})
	mux.HandleFunc("/incr", func(w http.ResponseWriter, r *http.Request) {
		// Read-modify-write by hand: the save must refuse rather than
		// overwrite a count another request saved meanwhile.
		sn := sess(r)
		n, _ := session.Get[int](sn, "n")
		sn.Set("n", n+1)
		io.WriteString(w, strconv.Itoa(n+1))
	})
	mux.HandleFunc("/list", func(w http.ResponseWriter, r *http.Request) {
		names, _ := session.Get[[]string](sess(r), "nomes")
		json.NewEncoder(w).Encode(names)
	})
	mux.HandleFunc("/get", func(w http.ResponseWriter, r *http.Request) {
		var keys []string
		for k, v := range sess(r).All() {
			keys = append(keys, fmt.Sprintf("%s=%v", k, v))
		}
		io.WriteString(w, strings.Join(keys, ","))
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		// Random text: compression cannot bring it under a cookie's limit.
		var big strings.Builder
		for big.Len() < 5000 {
			big.WriteString(NewID())
		}
		sess(r).Set("big", big.String())
		io.WriteString(w, "ok")
	})
	mux.HandleFunc("/small", func(w http.ResponseWriter, r *http.Request) {
		sess(r).Delete("big")
		io.WriteString(w, "ok")
	})
	mux.HandleFunc("/clear", func(w http.ResponseWriter, r *http.Request) {
		sess(r).Clear()
		io.WriteString(w, "cleared")
	})
	mux.HandleFunc("/logout", func(w http.ResponseWriter, r *http.Request) {
		sess(r).Destroy()
		io.WriteString(w, "bye")
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		sn := sess(r)
		read := r.URL.Query().Get("read")
		if read == "" {
			read = "usuario"
		}
		get := session.Get[string] // the value the change is built on
		if r.URL.Query().Has("peek") {
			get = session.Peek[string] // a read declared harmless if stale
		}
		v, _ := get(sn, read)
		s.arrived <- struct{}{}
		<-s.gate
		for k, vs := range r.URL.Query() {
			switch k {
			case "read", "peek":
			case "destroy":
				sn.Destroy()
			default:
				sn.Set(k, v+vs[0])
			}
		}
		io.WriteString(w, "slow ok")
	})
	return mux
}

// Result is one response of a Site.
type Result struct {
	Status int
	Body   string
	Cookie string // the session cookie's new value; "" if none was set
	Set    bool   // a session Set-Cookie was sent
}

// Do sends a GET for path with the session cookie value (may be empty).
// A transport error fails t without stopping it (clients may run in
// goroutines) and gives Status -1.
func (s *Site) Do(t testing.TB, path, cookie string) Result {
	t.Helper()
	req, err := http.NewRequest("GET", s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: "session", Value: cookie})
	}
	resp, err := s.client.Do(req)
	if err != nil {
		t.Errorf("GET %s: %v", path, err) // not Fatal: clients run in goroutines
		return Result{Status: -1, Body: err.Error()}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	res := Result{Status: resp.StatusCode, Body: string(body)}
	for _, c := range resp.Cookies() {
		if c.Name == "session" {
			res.Set, res.Cookie = true, c.Value
		}
	}
	return res
}

// DoPaused sends a /slow request and runs meanwhile while its handler waits
// between reading the session and changing it; then it lets the handler go
// on and returns its response. The handler is let go even when meanwhile
// fails the test, so that the server can close.
func (s *Site) DoPaused(t testing.TB, path, cookie string, meanwhile func()) Result {
	t.Helper()
	s.gate, s.arrived = make(chan struct{}), make(chan struct{})
	done := make(chan Result, 1)
	go func() { done <- s.Do(t, path, cookie) }()
	select {
	case <-s.arrived:
	case r := <-done:
		t.Fatalf("%s answered without reaching /slow's pause: %+v", path, r)
	}
	func() {
		defer close(s.gate)
		meanwhile()
	}()
	return <-done
}

// IDOf returns the session ID an ID cookie carries, or "" for a data
// cookie, reading the payload without verifying it.
func IDOf(t testing.TB, cookie string) string {
	t.Helper()
	id, ok := strings.CutPrefix(cookie, "sk~")
	if !ok {
		return ""
	}
	id, _, _ = strings.Cut(id, ".")
	if len(id) != 43 {
		t.Fatalf("session id %q is not 43 characters", id)
	}
	return id
}

// Start makes a session with the request path (which must write it) and
// returns its cookie.
func (s *Site) Start(t testing.TB, path string) string {
	t.Helper()
	res := s.Do(t, path, "")
	if res.Status != 200 || res.Cookie == "" {
		t.Fatalf("%s: %+v", path, res)
	}
	return res.Cookie
}

func (s *Site) load(t *testing.T, id string) (session.Record, error) {
	t.Helper()
	return s.store.Store.Load(context.Background(), id)
}

func testRoundTrip(t *testing.T, s *Site) {
	cookie := s.Start(t, "/login?u=Maria")
	id := IDOf(t, cookie)
	if id == "" {
		t.Fatalf("cookie %q does not carry a session id", cookie)
	}
	rec, err := s.load(t, id)
	if err != nil || !strings.Contains(string(rec.Data), `"usuario":"Maria"`) || rec.Owner != "Maria" {
		t.Fatalf("stored record = %q owner %q, %v", rec.Data, rec.Owner, err)
	}
	if res := s.Do(t, "/get", cookie); res.Body != "usuario=Maria" {
		t.Fatalf("/get = %q; want usuario=Maria", res.Body)
	}
	res := s.Do(t, "/set?tema=escuro", cookie)
	if IDOf(t, res.Cookie) != id {
		t.Fatalf("a save changed the session id")
	}
	if res := s.Do(t, "/get", cookie); res.Body != "tema=escuro,usuario=Maria" {
		t.Fatalf("/get = %q", res.Body)
	}
	res = s.Do(t, "/logout", cookie)
	if !res.Set || res.Cookie != "" {
		t.Fatalf("logout response: %+v; want a deletion cookie", res)
	}
	if _, err := s.load(t, id); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("record after logout: %v", err)
	}
	if res := s.Do(t, "/get", cookie); res.Body != "" || res.Set {
		t.Fatalf("replayed cookie after logout: %+v; want an empty session", res)
	}
}

func testForgedID(t *testing.T, s *Site) {
	good := s.Start(t, "/login?u=Maria")
	id := IDOf(t, good)
	data := s.M.Codec().Signer()
	ids := s.M.IDSigner()
	other, err := session.New([]byte("storetest: another key, long and random 4fK9q"))
	if err != nil {
		t.Fatal(err)
	}
	now := s.clock.Now()
	loads := s.store.n("Load")
	for name, cookie := range map[string]string{
		"raw id":           id,
		"prefixed id":      "sk~" + id,
		"bad signature":    good[:len(good)-2] + "AA",
		"other key":        other.IDSigner().Sign("sk~"+id, now),
		"short id":         ids.Sign("sk~"+id[:42], now),
		"glob id":          ids.Sign("sk~*", now),
		"expired":          ids.Sign("sk~"+id, now.Add(-32*24*time.Hour)),
		"future":           ids.Sign("sk~"+id, now.Add(time.Hour)),
		"data not an id":   data.Sign("eyJhIjoxfQ", now),
		"empty":            "",
		"huge":             strings.Repeat("A", 5000),
		"non-canonical":    ids.Sign("sk~"+id[:42]+"p", now),
		"sql":              ids.Sign("sk~'OR'1'='1", now),
		"two dots inside":  "sk~a.b.c.d",
		"data-signed glob": data.Sign("sk~*", now),
	} {
		res := s.Do(t, "/get", cookie)
		if res.Status != 200 || res.Body != "" || res.Set {
			t.Errorf("%s: %+v; want 200, an empty session, no Set-Cookie", name, res)
		}
	}
	if n := s.store.n("Load"); n != loads {
		t.Fatalf("%d store loads for forged cookies; want 0", n-loads)
	}
}

func testUnknownID(t *testing.T, s *Site) {
	planted := NewID()
	cookie := s.M.IDSigner().Sign("sk~"+planted, s.clock.Now())
	if res := s.Do(t, "/get", cookie); res.Body != "" || res.Set {
		t.Fatalf("unknown id: %+v; want an empty session and no Set-Cookie", res)
	}
	res := s.Do(t, "/set?a=1", cookie)
	if id := IDOf(t, res.Cookie); id == planted || id == "" {
		t.Fatalf("the write went to id %q; want a fresh server-made id", id)
	}
	if _, err := s.load(t, planted); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("the planted id exists: %v", err)
	}
}

func testReadOnlyWrites(t *testing.T, s *Site) {
	for range 20 {
		if res := s.Do(t, "/get", ""); res.Set {
			t.Fatalf("anonymous read set a cookie: %+v", res)
		}
	}
	if w := s.store.writes(); w != 0 {
		t.Fatalf("%d store writes for anonymous reads; want 0", w)
	}
	cookie := s.Start(t, "/set?usuario=Maria")
	id := IDOf(t, cookie)
	before := s.store.writes()
	for range 20 {
		s.clock.Add(10 * time.Second) // 200 s in all, inside the 5 min interval
		res := s.Do(t, "/get", cookie)
		if res.Body != "usuario=Maria" || res.Set {
			t.Fatalf("read-only request: %+v; want the session and no Set-Cookie", res)
		}
	}
	if w := s.store.writes() - before; w != 0 {
		t.Fatalf("%d store writes for read-only requests inside the touch interval; want 0", w)
	}
	s.clock.Add(2 * time.Minute)
	res := s.Do(t, "/get", cookie)
	if w := s.store.n("Touch"); w != 1 || s.store.writes()-before != 1 {
		t.Fatalf("after the touch interval: %d touches, %d writes; want 1, 1", w, s.store.writes()-before)
	}
	if IDOf(t, res.Cookie) != id {
		t.Fatalf("the touch re-sent cookie %q; want the same id re-signed", res.Cookie)
	}
	rec, err := s.load(t, id)
	if err != nil || !rec.Expiry.Equal(s.clock.Now().Add(time.Hour)) {
		t.Fatalf("expiry after touch = %v, %v; want %v", rec.Expiry, err, s.clock.Now().Add(time.Hour))
	}
	s.Do(t, "/get", res.Cookie)
	if s.store.writes()-before != 1 {
		t.Fatalf("a read right after the touch wrote again")
	}
}

// testNoWriteForNoChange: setting a key or the permanent flag to the value
// it holds writes nothing, however many times (a page that sets the flag
// on every view, as the lesson's Exemplo 02 does).
func testNoWriteForNoChange(t *testing.T, s *Site) {
	cookie := s.Start(t, "/set?usuario=Maria")
	s.Do(t, "/permanent", cookie)
	before := s.store.writes()
	for range 10 {
		for _, path := range []string{"/permanent", "/set?usuario=Maria"} {
			if res := s.Do(t, path, cookie); res.Status != 200 {
				t.Fatalf("%s: %+v", path, res)
			}
		}
	}
	if w := s.store.writes() - before; w != 0 {
		t.Fatalf("%d store writes for changes to the values already held; want 0", w)
	}
	if res := s.Do(t, "/set?usuario=Joana", cookie); res.Status != 200 || s.store.writes()-before != 1 {
		t.Fatalf("a real change: %+v, %d writes; want 1", res, s.store.writes()-before)
	}
}

// testAnonymousNotStored: a flood of cookie-less requests to a page that
// only sets the permanent flag creates no record and sets no cookie.
func testAnonymousNotStored(t *testing.T, s *Site) {
	for range 200 {
		if res := s.Do(t, "/permanent", ""); res.Status != 200 || res.Set {
			t.Fatalf("anonymous /permanent: %+v; want 200 and no Set-Cookie", res)
		}
	}
	if n := s.store.writes(); n != 0 {
		t.Fatalf("%d store writes for anonymous visitors; want 0", n)
	}
	// The first real value stores the session, flag included.
	cookie := s.Start(t, "/set?usuario=Maria")
	if res := s.Do(t, "/permanent", cookie); res.Status != 200 || !res.Set {
		t.Fatalf("permanent on a stored session: %+v", res)
	}
	if res := s.Do(t, "/get", cookie); res.Body != "_permanent=true,usuario=Maria" {
		t.Fatalf("session: %q", res.Body)
	}
}

// testMergeDifferentKeys: two requests change different keys of one
// session at the same time; both changes persist (SECURITY.md F-16).
func testMergeDifferentKeys(t *testing.T, s *Site) {
	cookie := s.Start(t, "/set?usuario=Maria")
	res := s.DoPaused(t, "/slow?carrinho=livro", cookie, func() {
		if res := s.Do(t, "/set?tema=escuro", cookie); res.Status != 200 {
			t.Fatalf("fast request: %+v", res)
		}
	})
	if res.Status != 200 || !res.Set {
		t.Fatalf("slow request: %+v", res)
	}
	if res := s.Do(t, "/get", cookie); res.Body != "carrinho=Marialivro,tema=escuro,usuario=Maria" {
		t.Fatalf("after both saves: %q; want every key", res.Body)
	}
	if s.store.n("Update") != 3 {
		t.Fatalf("calls %v; want the slow save to conflict once and merge", s.store.calls)
	}
}

// testReadThenWriteConflicts: a request that read a key and saves a value
// built on it, after another request changed that key, is refused with 409
// and no Set-Cookie; the other request's value stays.
func testReadThenWriteConflicts(t *testing.T, s *Site) {
	cookie := s.Start(t, "/set?usuario=Maria")
	res := s.DoPaused(t, "/slow?read=usuario&usuario=!", cookie, func() {
		if res := s.Do(t, "/set?usuario=Joana", cookie); res.Status != 200 {
			t.Fatalf("fast request: %+v", res)
		}
	})
	if res.Status != http.StatusConflict || res.Set || strings.Contains(res.Body, "slow ok") {
		t.Fatalf("stale read-modify-write: %+v; want 409, no Set-Cookie, not the handler's body", res)
	}
	if res := s.Do(t, "/get", cookie); res.Body != "usuario=Joana" {
		t.Fatalf("after the refused save: %q; want the other request's value", res.Body)
	}
	// A blind write of the same key (no read) wins instead: it does not
	// depend on the value it replaces.
	res = s.DoPaused(t, "/slow?read=tema&usuario=Ana", cookie, func() {
		s.Do(t, "/set?usuario=Bia", cookie)
	})
	if res.Status != 200 {
		t.Fatalf("blind write: %+v", res)
	}
	if res := s.Do(t, "/get", cookie); res.Body != "usuario=Ana" {
		t.Fatalf("after the blind write: %q; want usuario=Ana", res.Body)
	}
	// A read made with Peek is not something the change depends on.
	res = s.DoPaused(t, "/slow?read=usuario&peek=1&usuario=!", cookie, func() {
		s.Do(t, "/set?usuario=Caio", cookie)
	})
	if res.Status != 200 {
		t.Fatalf("write after Peek: %+v", res)
	}
	if res := s.Do(t, "/get", cookie); res.Body != "usuario=Ana!" {
		t.Fatalf("after the write built on Peek: %q; want usuario=Ana!", res.Body)
	}
}

// parallel runs f for clients 0..n-1 at the same moment.
func parallel(n int, f func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			f(i)
		})
	}
	close(start)
	wg.Wait()
}

// testBurstOfWriters: a page firing many requests at once, each setting its
// own key of one session (a burst of XHRs): every request succeeds and
// every key persists.
func testBurstOfWriters(t *testing.T, s *Site) {
	cookie := s.Start(t, "/set?usuario=Maria")
	const n = 16
	results := make([]Result, n)
	parallel(n, func(i int) { results[i] = s.Do(t, fmt.Sprintf("/set?k%02d=v", i), cookie) })
	want := []string{"usuario=Maria"}
	for i, res := range results {
		if res.Status != 200 {
			t.Errorf("request %d: status %d, body %q", i, res.Status, res.Body)
		}
		want = append(want, fmt.Sprintf("k%02d=v", i))
	}
	slices.Sort(want)
	if got := s.Do(t, "/get", cookie).Body; got != strings.Join(want, ",") {
		t.Fatalf("after the burst: %q; want every key", got)
	}
}

// testConcurrentAppends: 2, 4, 16 and 64 clients append names to one
// session at once through Append: every request succeeds, every name is
// there once at the end, nothing else is, and each client's names keep
// their order.
func testConcurrentAppends(t *testing.T, s *Site) {
	for _, clients := range []int{2, 4, 16, 64} {
		t.Run(fmt.Sprint(clients), func(t *testing.T) {
			cookie := s.Start(t, "/set?usuario=Maria")
			perClient := max(4, 160/clients)
			var mu sync.Mutex // guards failed
			var failed []string
			parallel(clients, func(c int) {
				for i := range perClient {
					name := fmt.Sprintf("c%02d-%03d", c, i)
					if res := s.Do(t, "/append?nome="+name, cookie); res.Status != 200 {
						mu.Lock()
						failed = append(failed, fmt.Sprintf("%s: %d %q", name, res.Status, res.Body))
						mu.Unlock()
					}
				}
			})
			if len(failed) > 0 {
				t.Fatalf("%d appends failed, first: %s", len(failed), failed[0])
			}
			got := s.list(t, cookie)
			checkAppends(t, got, clients, perClient)
		})
	}
}

// list returns the names the session holds.
func (s *Site) list(t *testing.T, cookie string) []string {
	t.Helper()
	res := s.Do(t, "/list", cookie)
	var names []string
	if err := json.Unmarshal([]byte(res.Body), &names); err != nil {
		t.Fatalf("/list: %+v: %v", res, err)
	}
	return names
}

// checkAppends checks that got holds each of the names "cCC-III" for
// clients CC and appends III exactly once, each client's in order.
func checkAppends(t *testing.T, got []string, clients, perClient int) {
	t.Helper()
	if len(got) != clients*perClient {
		t.Errorf("%d names at the end; want %d", len(got), clients*perClient)
	}
	next := make([]int, clients)
	for _, name := range got {
		var c, i int
		if _, err := fmt.Sscanf(name, "c%02d-%03d", &c, &i); err != nil || c >= clients {
			t.Fatalf("name %q was never sent", name)
		}
		if i != next[c] {
			t.Fatalf("client %d: name %d where %d was due (lost, repeated or reordered)", c, i, next[c])
		}
		next[c]++
	}
}

// testConcurrentCounters: 16 clients count in one session with Add; the
// count is the number of requests.
func testConcurrentCounters(t *testing.T, s *Site) {
	cookie := s.Start(t, "/set?usuario=Maria")
	const clients, each = 16, 8
	var mu sync.Mutex // guards bad
	var bad []Result
	parallel(clients, func(int) {
		for range each {
			if res := s.Do(t, "/add", cookie); res.Status != 200 {
				mu.Lock()
				bad = append(bad, res)
				mu.Unlock()
			}
		}
	})
	if len(bad) > 0 {
		t.Fatalf("%d counts failed, first: %+v", len(bad), bad[0])
	}
	if got := s.Do(t, "/get", cookie).Body; got != fmt.Sprintf("n=%d,usuario=Maria", clients*each) {
		t.Fatalf("after the counts: %q; want n=%d", got, clients*each)
	}
}

// testConcurrentReadModifyWrite: 16 clients increment by hand (Get, then
// Set): a request either succeeds, and its increment counts, or is refused
// with 409; the final count is the number of successes.
func testConcurrentReadModifyWrite(t *testing.T, s *Site) {
	cookie := s.Start(t, "/set?usuario=Maria")
	const clients, each = 16, 8
	var mu sync.Mutex // guards ok, seen
	ok := 0
	seen := map[string]bool{}
	parallel(clients, func(int) {
		for range each {
			res := s.Do(t, "/incr", cookie)
			mu.Lock()
			switch {
			case res.Status == 200 && seen[res.Body]:
				t.Errorf("two successful increments both answered %s", res.Body)
			case res.Status == 200:
				ok++
				seen[res.Body] = true
			case res.Status != http.StatusConflict || res.Set:
				t.Errorf("increment: %+v; want 200, or 409 without Set-Cookie", res)
			}
			mu.Unlock()
		}
	})
	if got := s.Do(t, "/get", cookie).Body; got != fmt.Sprintf("n=%d,usuario=Maria", ok) {
		t.Fatalf("after %d acknowledged increments: %q", ok, got)
	}
	t.Logf("%d of %d increments acknowledged, the rest refused with 409", ok, clients*each)
}

// testNoResurrection: a slow request saves after a logout: it is refused
// and the session stays ended (SECURITY.md F-17).
func testNoResurrection(t *testing.T, s *Site) {
	cookie := s.Start(t, "/login?u=Maria")
	id := IDOf(t, cookie)
	res := s.DoPaused(t, "/slow?carrinho=livro", cookie, func() {
		if res := s.Do(t, "/logout", cookie); res.Status != 200 || res.Cookie != "" {
			t.Fatalf("logout: %+v", res)
		}
	})
	if res.Status != http.StatusConflict || res.Set {
		t.Fatalf("slow request after logout: %+v; want 409 and no Set-Cookie", res)
	}
	if _, err := s.load(t, id); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("record after the late save: %v; want ErrNotFound", err)
	}
	if res := s.Do(t, "/get", cookie); res.Body != "" {
		t.Fatalf("replayed cookie: %q; want an anonymous session", res.Body)
	}
}

// testOldIDAfterRenew: a request carrying the old ID saves after another
// request logged in (a new owner renews the ID): the old ID is not
// recreated, the late save is refused, and the new ID holds the login
// (SECURITY.md F-18).
func testOldIDAfterRenew(t *testing.T, s *Site) {
	anon := s.Start(t, "/set?carrinho=livro")
	oldID := IDOf(t, anon)
	var login Result
	res := s.DoPaused(t, "/slow?tema=claro", anon, func() {
		login = s.Do(t, "/login?u=Maria", anon)
		if newID := IDOf(t, login.Cookie); newID == oldID || newID == "" {
			t.Fatalf("login kept id %q", newID)
		}
	})
	if res.Status != http.StatusConflict || res.Set {
		t.Fatalf("old-id request: %+v; want 409 and no Set-Cookie", res)
	}
	if _, err := s.load(t, oldID); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("old id after the late save: %v; want ErrNotFound", err)
	}
	if res := s.Do(t, "/get", login.Cookie); res.Body != "carrinho=livro,usuario=Maria" {
		t.Fatalf("new session: %q", res.Body)
	}
}

func testManagerDestroyAll(t *testing.T, s *Site) {
	phone, laptop, other := s.Start(t, "/login?u=maria"), s.Start(t, "/login?u=maria"), s.Start(t, "/login?u=joao")
	if err := s.M.DestroyAll(context.Background(), "maria"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{phone, laptop} {
		if res := s.Do(t, "/get", c); res.Body != "" {
			t.Fatalf("maria's session after DestroyAll: %q", res.Body)
		}
	}
	if res := s.Do(t, "/get", other); res.Body != "usuario=joao" {
		t.Fatalf("joao's session after DestroyAll(maria): %q", res.Body)
	}
}

// testUnreadableRecord: a record whose data cannot be decoded ends the
// session instead of failing every request (SECURITY.md F-15), and the
// log never holds the session ID.
func testUnreadableRecord(t *testing.T, s *Site) {
	cookie := s.Start(t, "/set?usuario=Maria")
	id := IDOf(t, cookie)
	if _, err := s.store.Store.Update(context.Background(), id, session.Record{Data: []byte("\xff{not json"), Expiry: s.clock.Now().Add(time.Hour), Version: 1}); err != nil {
		t.Fatal(err)
	}
	if res := s.Do(t, "/get", cookie); res.Status != 200 || res.Body != "" {
		t.Fatalf("undecodable record: %+v; want 200 and an empty session", res)
	}
	if _, err := s.load(t, id); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("undecodable record still stored: %v", err)
	}
	if strings.Contains(s.Logs.String(), id) {
		t.Fatalf("the log holds the session id:\n%s", s.Logs)
	}
}

// testClear: emptying a session deletes its record and its cookie.
func testClear(t *testing.T, s *Site) {
	cookie := s.Start(t, "/set?a=1")
	id := IDOf(t, cookie)
	if res := s.Do(t, "/small", cookie); res.Set {
		t.Fatalf("deleting an absent key set a cookie: %+v", res)
	}
	res := s.Do(t, "/clear", cookie)
	if !res.Set || res.Cookie != "" {
		t.Fatalf("clear: %+v; want a deletion cookie", res)
	}
	if _, err := s.load(t, id); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("record after Clear: %v; want ErrNotFound", err)
	}
}

// testRecordTooLarge: a session over MaxRecordSize (1000 here) fails with
// 500 and no Set-Cookie and the record keeps its value; a stored record
// over the limit is not read.
func testRecordTooLarge(t *testing.T, s *Site) {
	cookie := s.Start(t, "/set?usuario=Maria")
	id := IDOf(t, cookie)
	res := s.Do(t, "/set?texto="+strings.Repeat("x", 1200), cookie)
	if res.Status != http.StatusInternalServerError || res.Set {
		t.Fatalf("oversized session: %+v; want 500 and no Set-Cookie", res)
	}
	if !strings.Contains(s.Logs.String(), "record too large") {
		t.Fatalf("the oversized session was not logged:\n%s", s.Logs)
	}
	if res := s.Do(t, "/get", cookie); res.Body != "usuario=Maria" {
		t.Fatalf("session after the refused save: %q", res.Body)
	}
	big := session.Record{Data: []byte(`{"texto":"` + strings.Repeat("x", 1200) + `"}`), Expiry: s.clock.Now().Add(time.Hour), Version: 1}
	if _, err := s.store.Store.Update(context.Background(), id, big); err != nil {
		t.Fatal(err)
	}
	if res := s.Do(t, "/get", cookie); res.Status != 200 || res.Body != "" {
		t.Fatalf("stored record over the limit: %+v; want 200 and an empty session", res)
	}
}

// testHybrid: a session lives in the Flask cookie while small and moves to
// the store when it outgrows the cookie, for good: shrunk, it stays there
// under the same ID.
func testHybrid(t *testing.T, s *Site) {
	c := s.Start(t, "/set?usuario=Maria")
	if IDOf(t, c) != "" {
		t.Fatalf("small session went to the store")
	}
	if n := s.store.writes(); n != 0 {
		t.Fatalf("%d store writes for a session in the cookie", n)
	}
	big := s.Do(t, "/big", c).Cookie
	id := IDOf(t, big)
	if id == "" {
		t.Fatal("big session stayed in the cookie")
	}
	if res := s.Do(t, "/get", c); res.Body != "usuario=Maria" {
		t.Fatalf("the data cookie from before the move: %q", res.Body)
	}
	small := s.Do(t, "/small", big)
	if small.Status != 200 || IDOf(t, small.Cookie) != id {
		t.Fatalf("shrunk session: %+v; want it kept in the store under %s", small, id)
	}
	if res := s.Do(t, "/get", big); res.Body != "usuario=Maria" {
		t.Fatalf("session after shrinking: %q", res.Body)
	}
}

// testHybridConcurrentAppends: once a hybrid session is held in the store,
// concurrent appends all persist, as in store mode.
func testHybridConcurrentAppends(t *testing.T, s *Site) {
	cookie := s.Start(t, "/set?usuario="+url.QueryEscape(strings.Repeat("Maria ", 40)))
	if IDOf(t, cookie) == "" {
		t.Fatalf("a session over the threshold stayed in the cookie")
	}
	const clients, each = 8, 10
	parallel(clients, func(c int) {
		for i := range each {
			if res := s.Do(t, fmt.Sprintf("/append?nome=c%02d-%03d", c, i), cookie); res.Status != 200 {
				t.Errorf("append: %+v", res)
			}
		}
	})
	checkAppends(t, s.list(t, cookie), clients, each)
}
