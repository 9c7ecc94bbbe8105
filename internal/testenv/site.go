package testenv

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sessionkit/session"
)

// SiteKey signs the cookies of Sites.
const SiteKey = "testenv: 9sK2pL7vQ4xN1mB6cZ3rT8wY5uE0aH"

// Site is a Manager over a store behind an httptest server, with pages
// that make a session's usual moves, for middleware tests that inject
// faults: /set?k=v sets keys, /login?u=U logs U in (Set, SetOwner),
// /logout destroys the session, /get lists it, and /slow?k=v (or
// /slow?destroy=1) reads the session, waits in the handler while the test
// does something else (DoPaused), then changes it.
type Site struct {
	M    *session.Manager
	URL  string
	Logs *Logs
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

// NewSite serves a Manager over store, with clock (nil: the real one)
// and configure (nil: nothing) applied before its Handler is built.
func NewSite(t testing.TB, store session.Store, clock *Clock, configure func(*session.Manager)) *Site {
	t.Helper()
	m, err := session.New([]byte(SiteKey))
	if err != nil {
		t.Fatal(err)
	}
	s := &Site{M: m, Logs: &Logs{}}
	if clock != nil {
		m.Now = clock.Now
	}
	m.Logger = slog.New(slog.NewTextHandler(s.Logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	m.Store = store
	if configure != nil {
		configure(m)
	}
	mux := http.NewServeMux()
	sess := func(r *http.Request) *session.Session { return session.FromContext(r.Context()) }
	mux.HandleFunc("/set", func(w http.ResponseWriter, r *http.Request) {
		for k, v := range r.URL.Query() {
			sess(r).Set(k, v[0])
		}
		io.WriteString(w, "ok")
	})
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		u := r.URL.Query().Get("u")
		sess(r).Set("usuario", u)
		sess(r).SetOwner(u)
		io.WriteString(w, "ok")
	})
	mux.HandleFunc("/logout", func(w http.ResponseWriter, r *http.Request) {
		sess(r).Destroy()
		io.WriteString(w, "bye")
	})
	mux.HandleFunc("/get", func(w http.ResponseWriter, r *http.Request) {
		var keys []string
		for k, v := range sess(r).All() {
			keys = append(keys, fmt.Sprintf("%s=%v", k, v))
		}
		io.WriteString(w, strings.Join(keys, ","))
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		sn := sess(r)
		sn.Has("usuario") // loaded and looked at
		s.arrived <- struct{}{}
		<-s.gate
		for k, v := range r.URL.Query() {
			if k == "destroy" {
				sn.Destroy()
				continue
			}
			sn.Set(k, v[0])
		}
		io.WriteString(w, "slow ok")
	})
	srv := httptest.NewServer(m.Handler(mux))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// Result is one response of a Site.
type Result struct {
	Status int
	Body   string
	Cookie string // the session cookie's new value; "" if none was set
	Set    bool   // a session Set-Cookie was sent
}

// Do sends a GET for path with the session cookie value (may be empty).
func (s *Site) Do(t testing.TB, path, cookie string) Result {
	t.Helper()
	req, err := http.NewRequest("GET", s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: "session", Value: cookie})
	}
	resp, err := (&http.Client{Timeout: Patience}).Do(req)
	if err != nil {
		t.Errorf("GET %s: %v", path, err)
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

// Start makes a session with path and returns its cookie.
func (s *Site) Start(t testing.TB, path string) string {
	t.Helper()
	res := s.Do(t, path, "")
	if res.Status != 200 || res.Cookie == "" {
		t.Fatalf("%s: %+v", path, res)
	}
	return res.Cookie
}

// DoPaused sends a /slow request and runs meanwhile while its handler
// waits between reading the session and changing it; then it lets the
// handler go on and returns its response. The handler is let go even when
// meanwhile fails the test, so that the server can close.
func (s *Site) DoPaused(t testing.TB, path, cookie string, meanwhile func()) Result {
	t.Helper()
	s.gate, s.arrived = make(chan struct{}), make(chan struct{})
	done := make(chan Result, 1)
	go func() { done <- s.Do(t, path, cookie) }()
	select {
	case <-s.arrived:
	case <-time.After(Patience):
		t.Fatalf("%s never reached its handler", path)
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
