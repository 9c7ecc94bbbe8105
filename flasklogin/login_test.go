package flasklogin

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	session "github.com/sessionkit/session"
	"github.com/sessionkit/session/sessiontest"
)

func newManagers(t *testing.T) (*session.Manager, *Manager) {
	t.Helper()
	m, err := session.New([]byte(testKey))
	if err != nil {
		t.Fatal(err)
	}
	lm, err := New([]byte(testKey))
	if err != nil {
		t.Fatal(err)
	}
	lm.Now = func() time.Time { return time.Unix(1700000000, 0) }
	return m, lm
}

// serve runs fn for r under m and, with handler, lm.Handler, and returns
// the response and the session it saved (nil if it saved none).
func serve(t *testing.T, m *session.Manager, lm *Manager, handler bool, r *http.Request, fn http.HandlerFunc) (*http.Response, map[string]any) {
	t.Helper()
	var h http.Handler = fn
	if handler {
		h = lm.Handler(h)
	}
	rec := httptest.NewRecorder()
	m.Handler(h).ServeHTTP(rec, r)
	values, _ := sessiontest.SessionFrom(t, m, rec.Result())
	return rec.Result(), values
}

func TestLoginWritesFlaskLoginKeys(t *testing.T) {
	m, lm := newManagers(t)
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("User-Agent", "x")
	_, values := serve(t, m, lm, false, r, func(w http.ResponseWriter, r *http.Request) {
		lm.Login(session.FromContext(r.Context()), r, "42", LoginOptions{Remember: true, Duration: 90 * time.Minute, NotFresh: true})
	})
	want := map[string]any{KeyUserID: "42", KeyFresh: false, KeyID: Identifier(r), KeyRemember: "set", KeyRememberSeconds: 5400.0}
	if len(values) != len(want) {
		t.Fatalf("session %v, want %v", values, want)
	}
	for k, v := range want {
		if values[k] != v {
			t.Errorf("%s = %#v, want %#v", k, values[k], v)
		}
	}
}

func TestUserIDAndFresh(t *testing.T) {
	m, lm := newManagers(t)
	tests := []struct {
		values map[string]any
		id     string
		ok     bool
		fresh  bool
	}{
		{map[string]any{KeyUserID: "7", KeyFresh: true}, "7", true, true},
		{map[string]any{KeyUserID: int64(7)}, "7", true, false},
		{map[string]any{KeyUserID: nil, "x": 1}, "", false, false},
		{map[string]any{KeyUserID: []any{"7"}}, "", false, false},
		{map[string]any{"x": 1, KeyFresh: "yes"}, "", false, false},
	}
	for _, tt := range tests {
		r := sessiontest.NewRequest(t, m, "/", tt.values)
		serve(t, m, lm, false, r, func(w http.ResponseWriter, r *http.Request) {
			s := session.FromContext(r.Context())
			id, ok := UserID(s)
			if id != tt.id || ok != tt.ok || Fresh(s) != tt.fresh {
				t.Errorf("%v: UserID %q %v, Fresh %v", tt.values, id, ok, Fresh(s))
			}
		})
	}
}

// Under Handler, User decides once per request, as current_user: a login
// restored from the remember-me cookie under strong protection survives
// the rest of its request (a second decision would end it at once).
func TestUserOncePerRequest(t *testing.T) {
	m, lm := newManagers(t)
	lm.Protection = Strong
	newReq := func() *http.Request {
		r := httptest.NewRequest("GET", "/", nil)
		r.AddCookie(&http.Cookie{Name: DefaultCookieName, Value: lm.EncodeCookie("9")})
		return r
	}
	for _, handler := range []bool{true, false} {
		var first, second bool
		serve(t, m, lm, handler, newReq(), func(w http.ResponseWriter, r *http.Request) {
			s := session.FromContext(r.Context())
			_, first = lm.User(s, r)
			_, second = lm.User(s, r)
		})
		if !first || second != handler {
			t.Errorf("handler=%v: first call %v, second %v", handler, first, second)
		}
	}
	// Login and Logout update the answer.
	serve(t, m, lm, true, httptest.NewRequest("GET", "/", nil), func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		if _, ok := lm.User(s, r); ok {
			t.Error("anonymous request has a user")
		}
		lm.Login(s, r, "5", LoginOptions{})
		if id, ok := lm.User(s, r); !ok || id != "5" {
			t.Errorf("after Login: %q %v", id, ok)
		}
		lm.Logout(s, r)
		if _, ok := lm.User(s, r); ok {
			t.Error("after Logout: still a user")
		}
	})
}

// The remember-me cookie goes out with the headers, whichever way the
// handler writes them.
func TestHandlerSetsCookieBeforeHeaders(t *testing.T) {
	m, lm := newManagers(t)
	login := func(w http.ResponseWriter, r *http.Request) {
		lm.Login(session.FromContext(r.Context()), r, "7", LoginOptions{Remember: true})
	}
	tests := map[string]http.HandlerFunc{
		"no write": login,
		"WriteHeader": func(w http.ResponseWriter, r *http.Request) {
			login(w, r)
			w.WriteHeader(http.StatusCreated)
		},
		"Write": func(w http.ResponseWriter, r *http.Request) {
			login(w, r)
			w.Write([]byte("hi"))
		},
		"Flush": func(w http.ResponseWriter, r *http.Request) {
			login(w, r)
			if err := http.NewResponseController(w).Flush(); err != nil {
				t.Errorf("Flush: %v", err)
			}
		},
		"Early Hints first": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Link", "</a.css>; rel=preload")
			w.WriteHeader(http.StatusEarlyHints)
			login(w, r)
			w.WriteHeader(http.StatusOK)
		},
	}
	for name, h := range tests {
		// A real server: the recorder keeps the headers of the first
		// WriteHeader, informational or not.
		srv := httptest.NewServer(m.Handler(lm.Handler(h)))
		resp, err := srv.Client().Get(srv.URL)
		srv.Close()
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		values, _ := sessiontest.SessionFrom(t, m, resp)
		var cookie string
		for _, c := range resp.Header.Values("Set-Cookie") {
			if strings.HasPrefix(c, DefaultCookieName+"=") {
				cookie = c
			}
		}
		want := DefaultCookieName + "=" + lm.EncodeCookie("7") + "; Path=/; Expires=Wed, 13 Nov 2024 22:13:20 GMT; HttpOnly"
		if cookie != want {
			t.Errorf("%s: Set-Cookie %q, want %q", name, cookie, want)
		}
		if _, ok := values[KeyRemember]; ok || values[KeyUserID] != "7" {
			t.Errorf("%s: session %v", name, values)
		}
	}
	if u := (&responseWriter{ResponseWriter: httptest.NewRecorder()}).Unwrap(); u == nil {
		t.Error("Unwrap returned nil")
	}
}

func TestHandlerOutsideSessionMiddleware(t *testing.T) {
	_, lm := newManagers(t)
	rec := httptest.NewRecorder()
	lm.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		t.Error("handler ran without a session")
	})).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != http.StatusInternalServerError {
		t.Errorf("status %d", rec.Code)
	}
}

func TestRememberCookieSettings(t *testing.T) {
	m, lm := newManagers(t)
	lm.Cookie = RememberCookie{Name: "rt", Duration: time.Hour, Domain: "example.com", Path: "/app", Secure: true, SameSite: http.SameSiteLaxMode}
	resp, _ := serve(t, m, lm, true, httptest.NewRequest("GET", "/", nil), func(w http.ResponseWriter, r *http.Request) {
		lm.Login(session.FromContext(r.Context()), r, `a, "b"`, LoginOptions{Remember: true})
	})
	got := resp.Header.Values("Set-Cookie")
	want := `rt="a\054 \"b\"|` + lm.digest(`a, "b"`) + `"; Path=/app; Domain=example.com; Expires=Tue, 14 Nov 2023 23:13:20 GMT; Secure; SameSite=Lax`
	if len(got) < 1 || got[0] != want {
		t.Errorf("Set-Cookie %q, want %q first", got, want)
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Cookie", strings.SplitN(want, "; ", 2)[0]) // what the browser sends back
	resp, _ = serve(t, m, lm, true, r, func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		if id, ok := lm.User(s, r); !ok || id != `a, "b"` {
			t.Errorf("User from the quoted cookie: %q %v", id, ok)
		}
		lm.Logout(s, r)
	})
	got = resp.Header.Values("Set-Cookie")
	if len(got) < 1 || got[0] != "rt=; Path=/app; Domain=example.com; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0" {
		t.Errorf("clearing Set-Cookie %q", got)
	}
}

func TestProtectionString(t *testing.T) {
	for p, want := range map[Protection]string{Basic: "basic", Strong: "strong", Off: "None", 7: "Protection(7)"} {
		if p.String() != want {
			t.Errorf("%d: %q", int(p), p.String())
		}
	}
}
