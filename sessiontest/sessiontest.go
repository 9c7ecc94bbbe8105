// Package sessiontest helps test handlers that use package session: it
// makes requests that carry a session with given values, and reads back the
// session a response set.
//
// Both directions go through the Manager's own middleware, so they work
// with its cookie options, clock, key and Store, and never depend on the
// cookie format:
//
//	req := sessiontest.NewRequest(t, m, "/perfil", map[string]any{"usuario": "Maria"})
//	rec := httptest.NewRecorder()
//	m.Handler(app).ServeHTTP(rec, req)
//	values, ok := sessiontest.SessionFrom(t, m, rec.Result())
package sessiontest

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"testing"

	session "github.com/sessionkit/session"
)

// NewRequest returns a GET request for target carrying a session cookie
// that m accepts, holding values (as Session.Set stores them; include
// "_permanent": true for a permanent session). It fails t if m cannot save
// such a session.
func NewRequest(t testing.TB, m *session.Manager, target string, values map[string]any) *http.Request {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, target, nil)
	AddSession(t, m, r, values)
	return r
}

// AddSession adds to r a session cookie that m accepts, holding values.
// Use it for requests NewRequest does not make (another method, a body).
func AddSession(t testing.TB, m *session.Manager, r *http.Request, values map[string]any) {
	t.Helper()
	for _, c := range Cookies(t, m, values) {
		r.AddCookie(c)
	}
}

// Cookies returns the cookies a client holds after m saved a session with
// values: for a live server, add them to a cookie jar.
func Cookies(t testing.TB, m *session.Manager, values map[string]any) []*http.Cookie {
	t.Helper()
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		for k, v := range values {
			if err := s.Set(k, v); err != nil {
				t.Errorf("sessiontest: %v", err)
			}
		}
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("sessiontest: saving the session failed with status %d (the Manager's log says why): %s", rec.Code, rec.Body)
	}
	var out []*http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Name == m.Cookie.Name && c.MaxAge >= 0 {
			out = append(out, &http.Cookie{Name: c.Name, Value: c.Value})
		}
	}
	if len(values) > 0 && len(out) == 0 {
		t.Fatalf("sessiontest: the Manager set no %q cookie for %d values", m.Cookie.Name, len(values))
	}
	return out
}

// SessionFrom returns the values of the session that resp's Set-Cookie
// carries, as m reads them, and whether resp set the session cookie at
// all. A response that deletes the cookie gives an empty map and true; a
// response that leaves the cookie alone gives nil and false. For an
// httptest.ResponseRecorder, pass rec.Result().
func SessionFrom(t testing.TB, m *session.Manager, resp *http.Response) (map[string]any, bool) {
	t.Helper()
	var set *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == m.Cookie.Name {
			set = c
		}
	}
	if set == nil {
		return nil, false
	}
	values := map[string]any{}
	if set.MaxAge < 0 || set.Value == "" {
		return values, true
	}
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		maps.Insert(values, session.FromContext(r.Context()).All())
	}))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(&http.Cookie{Name: set.Name, Value: set.Value})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if rec.Code != http.StatusOK {
		t.Fatalf("sessiontest: loading the session failed with status %d (the Manager's log says why): %s", rec.Code, rec.Body)
	}
	return values, true
}
