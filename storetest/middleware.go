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
	run       func(t *testing.T, s *site)
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

// site is a Manager over the store under test behind an httptest server,
// with pages that play a session's usual moves.
type site struct {
	m      *session.Manager
	store  *countingStore
	clock  *testClock
	url    string
	client *http.Client
	logs   *syncBuffer
	// gate, when set, is where /slow waits after loading the session.
	gate    chan struct{}
	arrived chan struct{}
}

// syncBuffer is a log destination safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex // guards b
	b  strings.Builder
}

func (l *syncBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newSite(t *testing.T, store session.Store, clock *testClock, configure func(*session.Manager)) *site {
	t.Helper()
	m, err := session.New([]byte(middlewareKey))
	if err != nil {
		t.Fatal(err)
	}
	s := &site{m: m, clock: clock, logs: &syncBuffer{}, store: &countingStore{Store: store, calls: map[string]int{}}}
	m.Now = clock.Now
	m.Logger = slog.New(slog.NewTextHandler(s.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	m.Store = s.store
	if configure != nil {
		configure(m)
	}
	srv := httptest.NewServer(m.Handler(s.routes(t)))
	t.Cleanup(srv.Close)
	s.url = srv.URL
	transport := &http.Transport{MaxIdleConnsPerHost: 64}
	t.Cleanup(transport.CloseIdleConnections)
	s.client = &http.Client{Transport: transport, Timeout: time.Minute}
	return s
}

func (s *site) routes(t *testing.T) *http.ServeMux {
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

// result is one response of the site.
type result struct {
	status int
	body   string
	cookie string // the session cookie's new value; "" if none was set
	set    bool   // a session Set-Cookie was sent
}

// do sends a GET for path with the session cookie value (may be empty).
func (s *site) do(t *testing.T, path, cookie string) result {
	t.Helper()
	req, err := http.NewRequest("GET", s.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: "session", Value: cookie})
	}
	resp, err := s.client.Do(req)
	if err != nil {
		t.Errorf("GET %s: %v", path, err) // not Fatal: clients run in goroutines
		return result{status: -1, body: err.Error()}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	res := result{status: resp.StatusCode, body: string(body)}
	for _, c := range resp.Cookies() {
		if c.Name == "session" {
			res.set, res.cookie = true, c.Value
		}
	}
	return res
}

// doPaused sends a /slow request and runs meanwhile while its handler waits
// between reading the session and changing it; then it lets the handler go
// on and returns its response. The handler is let go even when meanwhile
// fails the test, so that the server can close.
func (s *site) doPaused(t *testing.T, path, cookie string, meanwhile func()) result {
	t.Helper()
	s.gate, s.arrived = make(chan struct{}), make(chan struct{})
	done := make(chan result, 1)
	go func() { done <- s.do(t, path, cookie) }()
	<-s.arrived
	func() {
		defer close(s.gate)
		meanwhile()
	}()
	return <-done
}

// idOf returns the session ID an ID cookie carries, or "" for a data
// cookie, reading the payload without verifying it.
func idOf(t *testing.T, cookie string) string {
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

// start makes a session with a first write and returns its cookie.
func (s *site) start(t *testing.T, path string) string {
	t.Helper()
	res := s.do(t, path, "")
	if res.status != 200 || res.cookie == "" {
		t.Fatalf("%s: %+v", path, res)
	}
	return res.cookie
}

func (s *site) load(t *testing.T, id string) (session.Record, error) {
	t.Helper()
	return s.store.Store.Load(context.Background(), id)
}

func testRoundTrip(t *testing.T, s *site) {
	cookie := s.start(t, "/login?u=Maria")
	id := idOf(t, cookie)
	if id == "" {
		t.Fatalf("cookie %q does not carry a session id", cookie)
	}
	rec, err := s.load(t, id)
	if err != nil || !strings.Contains(string(rec.Data), `"usuario":"Maria"`) || rec.Owner != "Maria" {
		t.Fatalf("stored record = %q owner %q, %v", rec.Data, rec.Owner, err)
	}
	if res := s.do(t, "/get", cookie); res.body != "usuario=Maria" {
		t.Fatalf("/get = %q; want usuario=Maria", res.body)
	}
	res := s.do(t, "/set?tema=escuro", cookie)
	if idOf(t, res.cookie) != id {
		t.Fatalf("a save changed the session id")
	}
	if res := s.do(t, "/get", cookie); res.body != "tema=escuro,usuario=Maria" {
		t.Fatalf("/get = %q", res.body)
	}
	res = s.do(t, "/logout", cookie)
	if !res.set || res.cookie != "" {
		t.Fatalf("logout response: %+v; want a deletion cookie", res)
	}
	if _, err := s.load(t, id); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("record after logout: %v", err)
	}
	if res := s.do(t, "/get", cookie); res.body != "" || res.set {
		t.Fatalf("replayed cookie after logout: %+v; want an empty session", res)
	}
}

func testForgedID(t *testing.T, s *site) {
	good := s.start(t, "/login?u=Maria")
	id := idOf(t, good)
	data := s.m.Codec().Signer()
	ids := s.m.IDSigner()
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
		res := s.do(t, "/get", cookie)
		if res.status != 200 || res.body != "" || res.set {
			t.Errorf("%s: %+v; want 200, an empty session, no Set-Cookie", name, res)
		}
	}
	if n := s.store.n("Load"); n != loads {
		t.Fatalf("%d store loads for forged cookies; want 0", n-loads)
	}
}

func testUnknownID(t *testing.T, s *site) {
	planted := NewID()
	cookie := s.m.IDSigner().Sign("sk~"+planted, s.clock.Now())
	if res := s.do(t, "/get", cookie); res.body != "" || res.set {
		t.Fatalf("unknown id: %+v; want an empty session and no Set-Cookie", res)
	}
	res := s.do(t, "/set?a=1", cookie)
	if id := idOf(t, res.cookie); id == planted || id == "" {
		t.Fatalf("the write went to id %q; want a fresh server-made id", id)
	}
	if _, err := s.load(t, planted); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("the planted id exists: %v", err)
	}
}

func testReadOnlyWrites(t *testing.T, s *site) {
	for range 20 {
		if res := s.do(t, "/get", ""); res.set {
			t.Fatalf("anonymous read set a cookie: %+v", res)
		}
	}
	if w := s.store.writes(); w != 0 {
		t.Fatalf("%d store writes for anonymous reads; want 0", w)
	}
	cookie := s.start(t, "/set?usuario=Maria")
	id := idOf(t, cookie)
	before := s.store.writes()
	for range 20 {
		s.clock.Add(10 * time.Second) // 200 s in all, inside the 5 min interval
		res := s.do(t, "/get", cookie)
		if res.body != "usuario=Maria" || res.set {
			t.Fatalf("read-only request: %+v; want the session and no Set-Cookie", res)
		}
	}
	if w := s.store.writes() - before; w != 0 {
		t.Fatalf("%d store writes for read-only requests inside the touch interval; want 0", w)
	}
	s.clock.Add(2 * time.Minute)
	res := s.do(t, "/get", cookie)
	if w := s.store.n("Touch"); w != 1 || s.store.writes()-before != 1 {
		t.Fatalf("after the touch interval: %d touches, %d writes; want 1, 1", w, s.store.writes()-before)
	}
	if idOf(t, res.cookie) != id {
		t.Fatalf("the touch re-sent cookie %q; want the same id re-signed", res.cookie)
	}
	rec, err := s.load(t, id)
	if err != nil || !rec.Expiry.Equal(s.clock.Now().Add(time.Hour)) {
		t.Fatalf("expiry after touch = %v, %v; want %v", rec.Expiry, err, s.clock.Now().Add(time.Hour))
	}
	s.do(t, "/get", res.cookie)
	if s.store.writes()-before != 1 {
		t.Fatalf("a read right after the touch wrote again")
	}
}

// testNoWriteForNoChange: setting a key or the permanent flag to the value
// it holds writes nothing, however many times (a page that sets the flag
// on every view, as the lesson's Exemplo 02 does).
func testNoWriteForNoChange(t *testing.T, s *site) {
	cookie := s.start(t, "/set?usuario=Maria")
	s.do(t, "/permanent", cookie)
	before := s.store.writes()
	for range 10 {
		for _, path := range []string{"/permanent", "/set?usuario=Maria"} {
			if res := s.do(t, path, cookie); res.status != 200 {
				t.Fatalf("%s: %+v", path, res)
			}
		}
	}
	if w := s.store.writes() - before; w != 0 {
		t.Fatalf("%d store writes for changes to the values already held; want 0", w)
	}
	if res := s.do(t, "/set?usuario=Joana", cookie); res.status != 200 || s.store.writes()-before != 1 {
		t.Fatalf("a real change: %+v, %d writes; want 1", res, s.store.writes()-before)
	}
}

// testAnonymousNotStored: a flood of cookie-less requests to a page that
// only sets the permanent flag creates no record and sets no cookie.
func testAnonymousNotStored(t *testing.T, s *site) {
	for range 200 {
		if res := s.do(t, "/permanent", ""); res.status != 200 || res.set {
			t.Fatalf("anonymous /permanent: %+v; want 200 and no Set-Cookie", res)
		}
	}
	if n := s.store.writes(); n != 0 {
		t.Fatalf("%d store writes for anonymous visitors; want 0", n)
	}
	// The first real value stores the session, flag included.
	cookie := s.start(t, "/set?usuario=Maria")
	if res := s.do(t, "/permanent", cookie); res.status != 200 || !res.set {
		t.Fatalf("permanent on a stored session: %+v", res)
	}
	if res := s.do(t, "/get", cookie); res.body != "_permanent=true,usuario=Maria" {
		t.Fatalf("session: %q", res.body)
	}
}

// testMergeDifferentKeys: two requests change different keys of one
// session at the same time; both changes persist (SECURITY.md F-16).
func testMergeDifferentKeys(t *testing.T, s *site) {
	cookie := s.start(t, "/set?usuario=Maria")
	res := s.doPaused(t, "/slow?carrinho=livro", cookie, func() {
		if res := s.do(t, "/set?tema=escuro", cookie); res.status != 200 {
			t.Fatalf("fast request: %+v", res)
		}
	})
	if res.status != 200 || !res.set {
		t.Fatalf("slow request: %+v", res)
	}
	if res := s.do(t, "/get", cookie); res.body != "carrinho=Marialivro,tema=escuro,usuario=Maria" {
		t.Fatalf("after both saves: %q; want every key", res.body)
	}
	if s.store.n("Update") != 3 {
		t.Fatalf("calls %v; want the slow save to conflict once and merge", s.store.calls)
	}
}

// testReadThenWriteConflicts: a request that read a key and saves a value
// built on it, after another request changed that key, is refused with 409
// and no Set-Cookie; the other request's value stays.
func testReadThenWriteConflicts(t *testing.T, s *site) {
	cookie := s.start(t, "/set?usuario=Maria")
	res := s.doPaused(t, "/slow?read=usuario&usuario=!", cookie, func() {
		if res := s.do(t, "/set?usuario=Joana", cookie); res.status != 200 {
			t.Fatalf("fast request: %+v", res)
		}
	})
	if res.status != http.StatusConflict || res.set || strings.Contains(res.body, "slow ok") {
		t.Fatalf("stale read-modify-write: %+v; want 409, no Set-Cookie, not the handler's body", res)
	}
	if res := s.do(t, "/get", cookie); res.body != "usuario=Joana" {
		t.Fatalf("after the refused save: %q; want the other request's value", res.body)
	}
	// A blind write of the same key (no read) wins instead: it does not
	// depend on the value it replaces.
	res = s.doPaused(t, "/slow?read=tema&usuario=Ana", cookie, func() {
		s.do(t, "/set?usuario=Bia", cookie)
	})
	if res.status != 200 {
		t.Fatalf("blind write: %+v", res)
	}
	if res := s.do(t, "/get", cookie); res.body != "usuario=Ana" {
		t.Fatalf("after the blind write: %q; want usuario=Ana", res.body)
	}
	// A read made with Peek is not something the change depends on.
	res = s.doPaused(t, "/slow?read=usuario&peek=1&usuario=!", cookie, func() {
		s.do(t, "/set?usuario=Caio", cookie)
	})
	if res.status != 200 {
		t.Fatalf("write after Peek: %+v", res)
	}
	if res := s.do(t, "/get", cookie); res.body != "usuario=Ana!" {
		t.Fatalf("after the write built on Peek: %q; want usuario=Ana!", res.body)
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
func testBurstOfWriters(t *testing.T, s *site) {
	cookie := s.start(t, "/set?usuario=Maria")
	const n = 16
	results := make([]result, n)
	parallel(n, func(i int) { results[i] = s.do(t, fmt.Sprintf("/set?k%02d=v", i), cookie) })
	want := []string{"usuario=Maria"}
	for i, res := range results {
		if res.status != 200 {
			t.Errorf("request %d: status %d, body %q", i, res.status, res.body)
		}
		want = append(want, fmt.Sprintf("k%02d=v", i))
	}
	slices.Sort(want)
	if got := s.do(t, "/get", cookie).body; got != strings.Join(want, ",") {
		t.Fatalf("after the burst: %q; want every key", got)
	}
}

// testConcurrentAppends: 2, 4, 16 and 64 clients append names to one
// session at once through Append: every request succeeds, every name is
// there once at the end, nothing else is, and each client's names keep
// their order.
func testConcurrentAppends(t *testing.T, s *site) {
	for _, clients := range []int{2, 4, 16, 64} {
		t.Run(fmt.Sprint(clients), func(t *testing.T) {
			cookie := s.start(t, "/set?usuario=Maria")
			perClient := max(4, 160/clients)
			var mu sync.Mutex // guards failed
			var failed []string
			parallel(clients, func(c int) {
				for i := range perClient {
					name := fmt.Sprintf("c%02d-%03d", c, i)
					if res := s.do(t, "/append?nome="+name, cookie); res.status != 200 {
						mu.Lock()
						failed = append(failed, fmt.Sprintf("%s: %d %q", name, res.status, res.body))
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
func (s *site) list(t *testing.T, cookie string) []string {
	t.Helper()
	res := s.do(t, "/list", cookie)
	var names []string
	if err := json.Unmarshal([]byte(res.body), &names); err != nil {
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
func testConcurrentCounters(t *testing.T, s *site) {
	cookie := s.start(t, "/set?usuario=Maria")
	const clients, each = 16, 8
	var mu sync.Mutex // guards bad
	var bad []result
	parallel(clients, func(int) {
		for range each {
			if res := s.do(t, "/add", cookie); res.status != 200 {
				mu.Lock()
				bad = append(bad, res)
				mu.Unlock()
			}
		}
	})
	if len(bad) > 0 {
		t.Fatalf("%d counts failed, first: %+v", len(bad), bad[0])
	}
	if got := s.do(t, "/get", cookie).body; got != fmt.Sprintf("n=%d,usuario=Maria", clients*each) {
		t.Fatalf("after the counts: %q; want n=%d", got, clients*each)
	}
}

// testConcurrentReadModifyWrite: 16 clients increment by hand (Get, then
// Set): a request either succeeds, and its increment counts, or is refused
// with 409; the final count is the number of successes.
func testConcurrentReadModifyWrite(t *testing.T, s *site) {
	cookie := s.start(t, "/set?usuario=Maria")
	const clients, each = 16, 8
	var mu sync.Mutex // guards ok, seen
	ok := 0
	seen := map[string]bool{}
	parallel(clients, func(int) {
		for range each {
			res := s.do(t, "/incr", cookie)
			mu.Lock()
			switch {
			case res.status == 200 && seen[res.body]:
				t.Errorf("two successful increments both answered %s", res.body)
			case res.status == 200:
				ok++
				seen[res.body] = true
			case res.status != http.StatusConflict || res.set:
				t.Errorf("increment: %+v; want 200, or 409 without Set-Cookie", res)
			}
			mu.Unlock()
		}
	})
	if got := s.do(t, "/get", cookie).body; got != fmt.Sprintf("n=%d,usuario=Maria", ok) {
		t.Fatalf("after %d acknowledged increments: %q", ok, got)
	}
	t.Logf("%d of %d increments acknowledged, the rest refused with 409", ok, clients*each)
}

// testNoResurrection: a slow request saves after a logout: it is refused
// and the session stays ended (SECURITY.md F-17).
func testNoResurrection(t *testing.T, s *site) {
	cookie := s.start(t, "/login?u=Maria")
	id := idOf(t, cookie)
	res := s.doPaused(t, "/slow?carrinho=livro", cookie, func() {
		if res := s.do(t, "/logout", cookie); res.status != 200 || res.cookie != "" {
			t.Fatalf("logout: %+v", res)
		}
	})
	if res.status != http.StatusConflict || res.set {
		t.Fatalf("slow request after logout: %+v; want 409 and no Set-Cookie", res)
	}
	if _, err := s.load(t, id); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("record after the late save: %v; want ErrNotFound", err)
	}
	if res := s.do(t, "/get", cookie); res.body != "" {
		t.Fatalf("replayed cookie: %q; want an anonymous session", res.body)
	}
}

// testOldIDAfterRenew: a request carrying the old ID saves after another
// request logged in (a new owner renews the ID): the old ID is not
// recreated, the late save is refused, and the new ID holds the login
// (SECURITY.md F-18).
func testOldIDAfterRenew(t *testing.T, s *site) {
	anon := s.start(t, "/set?carrinho=livro")
	oldID := idOf(t, anon)
	var login result
	res := s.doPaused(t, "/slow?tema=claro", anon, func() {
		login = s.do(t, "/login?u=Maria", anon)
		if newID := idOf(t, login.cookie); newID == oldID || newID == "" {
			t.Fatalf("login kept id %q", newID)
		}
	})
	if res.status != http.StatusConflict || res.set {
		t.Fatalf("old-id request: %+v; want 409 and no Set-Cookie", res)
	}
	if _, err := s.load(t, oldID); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("old id after the late save: %v; want ErrNotFound", err)
	}
	if res := s.do(t, "/get", login.cookie); res.body != "carrinho=livro,usuario=Maria" {
		t.Fatalf("new session: %q", res.body)
	}
}

func testManagerDestroyAll(t *testing.T, s *site) {
	phone, laptop, other := s.start(t, "/login?u=maria"), s.start(t, "/login?u=maria"), s.start(t, "/login?u=joao")
	if err := s.m.DestroyAll(context.Background(), "maria"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{phone, laptop} {
		if res := s.do(t, "/get", c); res.body != "" {
			t.Fatalf("maria's session after DestroyAll: %q", res.body)
		}
	}
	if res := s.do(t, "/get", other); res.body != "usuario=joao" {
		t.Fatalf("joao's session after DestroyAll(maria): %q", res.body)
	}
}

// testUnreadableRecord: a record whose data cannot be decoded ends the
// session instead of failing every request (SECURITY.md F-15), and the
// log never holds the session ID.
func testUnreadableRecord(t *testing.T, s *site) {
	cookie := s.start(t, "/set?usuario=Maria")
	id := idOf(t, cookie)
	if _, err := s.store.Store.Update(context.Background(), id, session.Record{Data: []byte("\xff{not json"), Expiry: s.clock.Now().Add(time.Hour), Version: 1}); err != nil {
		t.Fatal(err)
	}
	if res := s.do(t, "/get", cookie); res.status != 200 || res.body != "" {
		t.Fatalf("undecodable record: %+v; want 200 and an empty session", res)
	}
	if _, err := s.load(t, id); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("undecodable record still stored: %v", err)
	}
	if strings.Contains(s.logs.String(), id) {
		t.Fatalf("the log holds the session id:\n%s", s.logs)
	}
}

// testClear: emptying a session deletes its record and its cookie.
func testClear(t *testing.T, s *site) {
	cookie := s.start(t, "/set?a=1")
	id := idOf(t, cookie)
	if res := s.do(t, "/small", cookie); res.set {
		t.Fatalf("deleting an absent key set a cookie: %+v", res)
	}
	res := s.do(t, "/clear", cookie)
	if !res.set || res.cookie != "" {
		t.Fatalf("clear: %+v; want a deletion cookie", res)
	}
	if _, err := s.load(t, id); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("record after Clear: %v; want ErrNotFound", err)
	}
}

// testRecordTooLarge: a session over MaxRecordSize (1000 here) fails with
// 500 and no Set-Cookie and the record keeps its value; a stored record
// over the limit is not read.
func testRecordTooLarge(t *testing.T, s *site) {
	cookie := s.start(t, "/set?usuario=Maria")
	id := idOf(t, cookie)
	res := s.do(t, "/set?texto="+strings.Repeat("x", 1200), cookie)
	if res.status != http.StatusInternalServerError || res.set {
		t.Fatalf("oversized session: %+v; want 500 and no Set-Cookie", res)
	}
	if !strings.Contains(s.logs.String(), "record too large") {
		t.Fatalf("the oversized session was not logged:\n%s", s.logs)
	}
	if res := s.do(t, "/get", cookie); res.body != "usuario=Maria" {
		t.Fatalf("session after the refused save: %q", res.body)
	}
	big := session.Record{Data: []byte(`{"texto":"` + strings.Repeat("x", 1200) + `"}`), Expiry: s.clock.Now().Add(time.Hour), Version: 1}
	if _, err := s.store.Store.Update(context.Background(), id, big); err != nil {
		t.Fatal(err)
	}
	if res := s.do(t, "/get", cookie); res.status != 200 || res.body != "" {
		t.Fatalf("stored record over the limit: %+v; want 200 and an empty session", res)
	}
}

// testHybrid: a session lives in the Flask cookie while small and moves to
// the store when it outgrows the cookie, for good: shrunk, it stays there
// under the same ID.
func testHybrid(t *testing.T, s *site) {
	c := s.start(t, "/set?usuario=Maria")
	if idOf(t, c) != "" {
		t.Fatalf("small session went to the store")
	}
	if n := s.store.writes(); n != 0 {
		t.Fatalf("%d store writes for a session in the cookie", n)
	}
	big := s.do(t, "/big", c).cookie
	id := idOf(t, big)
	if id == "" {
		t.Fatal("big session stayed in the cookie")
	}
	if res := s.do(t, "/get", c); res.body != "usuario=Maria" {
		t.Fatalf("the data cookie from before the move: %q", res.body)
	}
	small := s.do(t, "/small", big)
	if small.status != 200 || idOf(t, small.cookie) != id {
		t.Fatalf("shrunk session: %+v; want it kept in the store under %s", small, id)
	}
	if res := s.do(t, "/get", big); res.body != "usuario=Maria" {
		t.Fatalf("session after shrinking: %q", res.body)
	}
}

// testHybridConcurrentAppends: once a hybrid session is held in the store,
// concurrent appends all persist, as in store mode.
func testHybridConcurrentAppends(t *testing.T, s *site) {
	cookie := s.start(t, "/set?usuario="+url.QueryEscape(strings.Repeat("Maria ", 40)))
	if idOf(t, cookie) == "" {
		t.Fatalf("a session over the threshold stayed in the cookie")
	}
	const clients, each = 8, 10
	parallel(clients, func(c int) {
		for i := range each {
			if res := s.do(t, fmt.Sprintf("/append?nome=c%02d-%03d", c, i), cookie); res.status != 200 {
				t.Errorf("append: %+v", res)
			}
		}
	})
	checkAppends(t, s.list(t, cookie), clients, each)
}
