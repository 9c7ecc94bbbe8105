package session_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	session "github.com/sessionkit/session"
	"github.com/sessionkit/session/memstore"
	"github.com/sessionkit/session/storetest"
)

// The Manager's server-side scenarios run from each store's package
// (storetest.RunMiddleware, internal/lincheck); the tests here need the
// package's internals or no store of their own.

// spyStore counts the calls that reach a store.
type spyStore struct {
	session.Store
	calls atomic.Int64
}

func (s *spyStore) Create(ctx context.Context, id string, rec session.Record) error {
	s.calls.Add(1)
	return s.Store.Create(ctx, id, rec)
}

func (s *spyStore) Load(ctx context.Context, id string) (session.Record, error) {
	s.calls.Add(1)
	return s.Store.Load(ctx, id)
}

func (s *spyStore) Update(ctx context.Context, id string, rec session.Record) (int64, error) {
	s.calls.Add(1)
	return s.Store.Update(ctx, id, rec)
}

// FuzzStoreCookie sends arbitrary session cookies to a hybrid Manager: no
// panic, no error status, and no store call, since no input the fuzzer
// finds carries a valid signature.
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
	store := &spyStore{Store: memstore.New()}
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
		if n := store.calls.Load(); n != 0 {
			t.Fatalf("cookie %q reached the store (%d calls)", value, n)
		}
	})
}

// TestStoreIDCollision forces the random source to repeat an ID (SECURITY.md
// F-11): the second session gets another ID and the first is untouched.
func TestStoreIDCollision(t *testing.T) {
	site := storetest.NewSite(t, memstore.New(), nil, nil)
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
	first := site.Start(t, "/set?usuario=Maria")
	second := site.Start(t, "/set?usuario=Joao")
	if storetest.IDOf(t, first) != fixed || storetest.IDOf(t, second) == fixed {
		t.Fatalf("ids %q, %q; want the second to differ from %q", storetest.IDOf(t, first), storetest.IDOf(t, second), fixed)
	}
	if res := site.Do(t, "/get", first); res.Body != "usuario=Maria" {
		t.Fatalf("first session after the collision: %q", res.Body)
	}
	if res := site.Do(t, "/get", second); res.Body != "usuario=Joao" {
		t.Fatalf("second session: %q", res.Body)
	}
}

// TestStoreFull: a store with no room answers 503 for a new session, with
// no Set-Cookie and not the handler's body; existing sessions go on.
func TestStoreFull(t *testing.T) {
	store := memstore.New()
	store.MaxEntries = 1
	site := storetest.NewSite(t, store, nil, nil)
	first := site.Start(t, "/set?usuario=Maria")
	res := site.Do(t, "/set?usuario=Joao", "")
	if res.Status != http.StatusServiceUnavailable || res.Set || strings.Contains(res.Body, "ok") {
		t.Fatalf("new session in a full store: %+v; want 503, no Set-Cookie, not the handler's body", res)
	}
	if res := site.Do(t, "/set?tema=escuro", first); res.Status != 200 {
		t.Fatalf("existing session in a full store: %+v", res)
	}
	// Visitors who hold nothing but the permanent flag never take room.
	if res := site.Do(t, "/get", ""); res.Status != 200 {
		t.Fatalf("anonymous read in a full store: %+v", res)
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
		func() { m.MaxRecordSize = -1 },
	} {
		m.TouchInterval, m.MergeRetries, m.HybridThreshold, m.MaxRecordSize = 0, 0, 0, 0
		set()
		if err := m.Validate(); err == nil || !strings.Contains(err.Error(), "must not be negative") {
			t.Errorf("Validate with a negative store setting = %v", err)
		}
	}
	m.MaxRecordSize, m.Store, m.Hybrid = 0, nil, true
	if err := m.Validate(); err == nil || !strings.Contains(err.Error(), "Hybrid needs a Store") {
		t.Errorf("Validate of Hybrid without a Store = %v", err)
	}
}

// TestStoreHybridGenerations: with revocation generations on, a hybrid
// session's cookie from before a DestroyAll is refused, a new login's is
// not, and DestroyAll ends the session once it moved to the store.
func TestStoreHybridGenerations(t *testing.T) {
	gens := memstore.NewGenerations()
	gens.Bump(context.Background(), "Maria") // an earlier "log out everywhere"
	site := storetest.NewSite(t, memstore.New(), nil, func(m *session.Manager) {
		m.Hybrid = true
		m.Generations = gens
	})
	before := site.Start(t, "/login?u=Maria")
	if storetest.IDOf(t, before) != "" {
		t.Fatal("small session went to the store")
	}
	if err := site.M.DestroyAll(t.Context(), "Maria"); err != nil {
		t.Fatal(err)
	}
	if res := site.Do(t, "/get", before); res.Body != "" {
		t.Fatalf("cookie from before DestroyAll: %q; want it refused", res.Body)
	}
	again := site.Start(t, "/login?u=Maria")
	var random strings.Builder // compression cannot shrink it into a cookie
	for random.Len() < 5000 {
		random.WriteString(storetest.NewID())
	}
	big := site.Do(t, "/set?big="+random.String(), again).Cookie
	if storetest.IDOf(t, big) == "" {
		t.Fatal("big session stayed in the cookie")
	}
	if res := site.Do(t, "/get", big); !strings.HasSuffix(res.Body, ",usuario=Maria") {
		t.Fatalf("session in the store: %q", res.Body)
	}
	if err := site.M.DestroyAll(t.Context(), "Maria"); err != nil {
		t.Fatal(err)
	}
	if res := site.Do(t, "/get", big); res.Body != "" {
		t.Fatalf("stored session after DestroyAll: %q; want it gone", res.Body)
	}
}

// BenchmarkStoreRoundTrip measures a request through the middleware with
// a session in memstore, read-only (inside the touch interval) and
// read-write. bench/ compares the other stores with their peers.
func BenchmarkStoreRoundTrip(b *testing.B) {
	for _, workload := range []string{"readonly", "readwrite"} {
		b.Run(workload, func(b *testing.B) {
			m, err := session.New([]byte(testKey))
			if err != nil {
				b.Fatal(err)
			}
			m.Store = memstore.New()
			h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s := session.FromContext(r.Context())
				if r.URL.Path == "/set" {
					s.Set("usuario", fmt.Sprint("Maria", time.Now().UnixNano()))
					s.Set("nomes", []string{"Ana", "Bruno", "Carla"})
				}
				name, _ := session.Get[string](s, "usuario")
				io.WriteString(w, "Olá, "+name)
			}))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", "/set", nil))
			cookie := rec.Result().Cookies()[0]
			path := "/"
			if workload == "readwrite" {
				path = "/set"
			}
			req := httptest.NewRequest("GET", path, nil)
			req.AddCookie(cookie)
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != 200 {
					b.Fatalf("status %d", rec.Code)
				}
			}
		})
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
