package flasklogin

import (
	"bufio"
	"context"
	"errors"
	"math/big"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	session "github.com/sessionkit/session"
)

// The session keys Flask-Login reads and writes.
const (
	KeyUserID          = "_user_id"          // the logged-in user's ID (get_id())
	KeyFresh           = "_fresh"            // the login was made with credentials in this session
	KeyID              = "_id"               // Identifier of the request that logged in
	KeyRemember        = "_remember"         // "set" or "clear": what to do with the remember-me cookie
	KeyRememberSeconds = "_remember_seconds" // the remember-me cookie's lifetime given at login
	KeyNext            = "next"              // the page to return to (USE_SESSION_FOR_NEXT)
)

// sessionKeys is Flask-Login's SESSION_KEYS: what strong protection
// removes.
var sessionKeys = []string{KeyUserID, KeyRemember, KeyRememberSeconds, KeyID, KeyFresh, KeyNext}

// Flask-Login's defaults for the remember-me cookie.
const (
	DefaultCookieName     = "remember_token"
	DefaultCookieDuration = 365 * 24 * time.Hour
)

// Protection is Flask-Login's SESSION_PROTECTION: what happens to a
// session used from a request whose Identifier differs from the one
// stored at login.
type Protection int

const (
	// Basic ("basic", Flask-Login's default) marks the login not fresh.
	Basic Protection = iota
	// Strong ("strong") logs the user out: the login's keys are removed
	// and the remember-me cookie is cleared. A permanent session is
	// treated as with Basic, as Flask-Login does.
	Strong
	// Off (None) disables session protection.
	Off
)

// String returns the SESSION_PROTECTION value: "basic", "strong" or
// "None".
func (p Protection) String() string {
	switch p {
	case Basic:
		return "basic"
	case Strong:
		return "strong"
	case Off:
		return "None"
	}
	return "Protection(" + strconv.Itoa(int(p)) + ")"
}

// UserID returns the logged-in user's ID as the session stores it
// (Flask-Login's session["_user_id"]), and whether there is one. It does
// not apply session protection nor read the remember-me cookie: use
// Manager.User for what Flask-Login's current_user sees. An integer ID
// (stored by an application whose get_id returns an int) is given in
// decimal, as Flask-Login's str() writes it into the remember-me cookie.
func UserID(s *session.Session) (string, bool) {
	v, ok := session.Get[any](s, KeyUserID)
	if !ok {
		return "", false
	}
	switch v := v.(type) {
	case string:
		return v, true
	case int64:
		return strconv.FormatInt(v, 10), true
	case *big.Int:
		return v.String(), true
	}
	return "", false
}

// Fresh reports whether the login is fresh, as Flask-Login's login_fresh:
// made with credentials in this session, rather than restored from the
// remember-me cookie or marked stale by basic session protection.
func Fresh(s *session.Session) bool {
	f, _ := session.Get[bool](s, KeyFresh)
	return f
}

// Manager applies Flask-Login's rules to sessions shared with a Flask
// application: the settings mirror its LoginManager and REMEMBER_COOKIE_*
// configuration. Make it with New; change fields before first use. It is
// safe for concurrent use.
type Manager struct {
	// Protection is SESSION_PROTECTION. Default Basic.
	Protection Protection
	// Cookie configures the remember-me cookie.
	Cookie RememberCookie
	// RefreshEachRequest is REMEMBER_COOKIE_REFRESH_EACH_REQUEST: re-issue
	// the remember-me cookie of a logged-in user on every response.
	// Default false.
	RefreshEachRequest bool
	// SessionIdentifier computes the "_id" of a request. Default
	// Identifier, Flask-Login's _create_identifier; replace it only with
	// what the Flask app gives LoginManager._session_identifier_generator.
	SessionIdentifier func(r *http.Request) string
	// Now is the clock for the remember-me cookie's expiry. Default
	// time.Now.
	Now func() time.Time

	key []byte
}

// New returns a Manager with Flask-Login's defaults whose remember-me
// cookies are signed with secretKey: the Flask app's SECRET_KEY as
// Flask-Login encodes it, which for a str key is its Latin-1 encoding
// (the same bytes as the UTF-8 that session.New takes when the key is
// ASCII). An empty key is an error.
func New(secretKey []byte) (*Manager, error) {
	if len(secretKey) == 0 {
		return nil, errors.New("flasklogin: empty secret key: pass the Flask app's SECRET_KEY")
	}
	return &Manager{
		Protection: Basic,
		Cookie: RememberCookie{
			Name:     DefaultCookieName,
			Duration: DefaultCookieDuration,
			Path:     "/",
			HttpOnly: true,
		},
		SessionIdentifier: Identifier,
		Now:               time.Now,
		key:               append([]byte(nil), secretKey...),
	}, nil
}

func (m *Manager) now() time.Time {
	if m.Now == nil {
		return time.Now()
	}
	return m.Now()
}

func (m *Manager) identifier(r *http.Request) string {
	if m.SessionIdentifier == nil {
		return Identifier(r)
	}
	return m.SessionIdentifier(r)
}

// LoginOptions are login_user's optional arguments. The zero value is
// login_user's defaults: a fresh login without remember-me cookie.
type LoginOptions struct {
	// Remember sets the remember-me cookie, which logs the user in again
	// after the session ends (remember=True).
	Remember bool
	// Duration is the remember-me cookie's lifetime (duration=); 0 means
	// RememberCookie.Duration.
	Duration time.Duration
	// NotFresh marks the login not fresh (fresh=False).
	NotFresh bool
}

// Login logs userID in, writing what Flask-Login's login_user writes:
// "_user_id", "_fresh", "_id" (the Identifier of r), and with Remember,
// "_remember" = "set" and, with a Duration, "_remember_seconds". The
// remember-me cookie itself is set at the end of the request by
// UpdateCookie (Handler calls it), or by Flask at the user's next request
// to it. Checking credentials, and that the user is active, is the
// caller's job. Call Session.Renew too: Flask-Login does not, and a login
// is when a session identity planted by an attacker must be dropped.
func (m *Manager) Login(s *session.Session, r *http.Request, userID string, opts LoginOptions) {
	s.Set(KeyUserID, userID)
	s.Set(KeyFresh, !opts.NotFresh)
	s.Set(KeyID, m.identifier(r))
	if opts.Remember {
		s.Set(KeyRemember, "set")
		if opts.Duration != 0 {
			// timedelta.total_seconds(): a float, as Flask-Login stores it.
			s.Set(KeyRememberSeconds, opts.Duration.Seconds())
		}
	}
	cacheUser(r, userID, true)
}

// Logout logs the user out as Flask-Login's logout_user: it first loads
// the user as User does (logout_user does, so session protection and the
// remember-me cookie have their say), then removes "_user_id", "_fresh"
// and "_id" and, when r carries the remember-me
// cookie, sets "_remember" = "clear" (so that the cookie is cleared at the
// end of the request, here by UpdateCookie or at the next request to
// Flask, and is not used meanwhile) and removes "_remember_seconds". Other
// keys stay, as in Flask-Login; call Session.Destroy to end the session
// itself.
func (m *Manager) Logout(s *session.Session, r *http.Request) {
	m.User(s, r)
	s.Delete(KeyUserID)
	s.Delete(KeyFresh)
	s.Delete(KeyID)
	if _, ok := requestCookie(r, m.Cookie.Name); ok {
		s.Set(KeyRemember, "clear")
		s.Delete(KeyRememberSeconds)
	}
	cacheUser(r, "", false)
}

// ConfirmLogin marks the login fresh again, after the user re-entered
// their credentials, as Flask-Login's confirm_login: "_fresh" = true and a
// new "_id".
func (m *Manager) ConfirmLogin(s *session.Session, r *http.Request) {
	s.Set(KeyFresh, true)
	s.Set(KeyID, m.identifier(r))
}

// Protect applies session protection to s for request r, as Flask-Login
// does before loading the user, and reports whether the login survives.
// Nothing happens when Protection is Off, when the session is empty, or
// when its "_id" is r's Identifier. Otherwise, with Basic or a permanent
// session, "_fresh" becomes false and Protect returns true; with Strong,
// Flask-Login's session keys are removed, "_remember" becomes "clear",
// and Protect returns false.
//
// Flask-Login counts every key of the session; the reserved keys package
// session hides from Go handlers ("_sk_...") are not counted here, so a
// session holding only those is empty to Protect and not to Flask.
func (m *Manager) Protect(s *session.Session, r *http.Request) bool {
	if m.Protection != Basic && m.Protection != Strong {
		return true
	}
	if s.Len() == 0 {
		return true
	}
	if id, ok := session.Get[any](s, KeyID); ok && id == any(m.identifier(r)) {
		return true
	}
	if m.Protection == Basic || s.Permanent() {
		if f, ok := session.Get[any](s, KeyFresh); !ok || f != any(false) {
			s.Set(KeyFresh, false)
		}
		return true
	}
	for _, k := range sessionKeys {
		s.Delete(k)
	}
	s.Set(KeyRemember, "clear")
	return false
}

// User returns the logged-in user's ID as Flask-Login's current_user sees
// it, and whether a user is logged in: it applies Protect, then reads
// "_user_id", then, when the session has none and r carries a
// remember-me cookie (and "_remember" is not "clear"), the cookie's user
// ID, which it stores in the session as a login that is not fresh (without
// an "_id": under Strong protection such a login ends at the next request,
// exactly as in Flask-Login 0.6).
//
// Under Handler, the first call in a request decides and later calls
// return the same answer, as Flask-Login loads the user once per request;
// Login and Logout update it. Without Handler every call decides anew.
//
// Flask-Login also consults its user_loader: an ID whose user no longer
// exists counts as no user, and the remember-me cookie is tried instead.
// User cannot know that: check the ID, and treat a user who is gone as
// anonymous.
func (m *Manager) User(s *session.Session, r *http.Request) (string, bool) {
	st := stateFrom(r)
	if st != nil {
		st.mu.Lock()
		defer st.mu.Unlock()
		if st.loaded {
			return st.id, st.ok
		}
	}
	id, ok := m.load(s, r)
	if st != nil {
		st.loaded, st.id, st.ok = true, id, ok
	}
	return id, ok
}

// load is Flask-Login's _load_user, without the user_loader.
func (m *Manager) load(s *session.Session, r *http.Request) (string, bool) {
	if !m.Protect(s, r) {
		return "", false
	}
	if id, ok := UserID(s); ok {
		return id, true
	}
	if v, ok := requestCookie(r, m.Cookie.Name); ok {
		if op, _ := session.Get[any](s, KeyRemember); op != any("clear") {
			if id, ok := m.DecodeCookie(v); ok {
				s.Set(KeyUserID, id)
				s.Set(KeyFresh, false)
				return id, true
			}
		}
	}
	return "", false
}

// UpdateCookie does what Flask-Login does after every request: it takes
// "_remember" out of the session and sets the remember-me cookie on w
// when it was "set" and a user is logged in (for the lifetime in
// "_remember_seconds", else Cookie.Duration), or clears the cookie when it
// was "clear". With RefreshEachRequest, a missing "_remember" counts as
// "set". Call it before the response headers are written, once per
// request; Handler does.
func (m *Manager) UpdateCookie(w http.ResponseWriter, s *session.Session) {
	if m.RefreshEachRequest && !s.Has(KeyRemember) {
		s.Set(KeyRemember, "set")
	}
	op, ok := s.Pop(KeyRemember)
	if !ok {
		return
	}
	switch op {
	case "set":
		id, ok := UserID(s)
		if !ok {
			return
		}
		d := m.Cookie.Duration
		if secs, ok := session.Get[float64](s, KeyRememberSeconds); ok {
			d = time.Duration(secs * float64(time.Second))
		}
		m.setCookie(w, id, d)
	case "clear":
		m.clearCookie(w)
	}
}

// requestState is what User decided for one request under Handler.
type requestState struct {
	mu     sync.Mutex // guards the fields below
	loaded bool
	id     string
	ok     bool
}

type contextKey struct{}

var stateKey = &contextKey{}

func stateFrom(r *http.Request) *requestState {
	st, _ := r.Context().Value(stateKey).(*requestState)
	return st
}

// cacheUser records a login or logout made during the request.
func cacheUser(r *http.Request, id string, ok bool) {
	if st := stateFrom(r); st != nil {
		st.mu.Lock()
		st.loaded, st.id, st.ok = true, id, ok
		st.mu.Unlock()
	}
}

// Handler is the middleware counterpart of Flask-Login's hooks: it keeps
// User's answer for the request and runs UpdateCookie just before the
// response headers are written (on the first WriteHeader, Write or Flush,
// or when the handler returns without writing). It must run inside the
// session middleware (m.Handler(lm.Handler(mux))); outside it, every
// request is answered 500, since no login could be read.
func (m *Manager) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		if s == nil {
			http.Error(w, "flasklogin: Handler runs outside the session middleware: wrap it with the session Manager's Handler", http.StatusInternalServerError)
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), stateKey, &requestState{}))
		rw := &responseWriter{ResponseWriter: w, m: m, s: s}
		next.ServeHTTP(rw, r)
		rw.before()
	})
}

// responseWriter runs UpdateCookie once, before the headers are written.
type responseWriter struct {
	http.ResponseWriter
	m    *Manager
	s    *session.Session
	done bool
}

func (w *responseWriter) before() {
	if !w.done {
		w.done = true
		w.m.UpdateCookie(w.ResponseWriter, w.s)
	}
}

// WriteHeader updates the remember-me cookie, then writes the header.
// Informational responses pass through.
func (w *responseWriter) WriteHeader(code int) {
	if code < 100 || code >= 200 || code == http.StatusSwitchingProtocols {
		w.before()
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write updates the remember-me cookie if the headers are not written yet,
// then writes b.
func (w *responseWriter) Write(b []byte) (int, error) {
	w.before()
	return w.ResponseWriter.Write(b)
}

// Flush updates the remember-me cookie, then flushes.
func (w *responseWriter) Flush() { _ = w.FlushError() }

// FlushError is Flush reporting whether the underlying writer could
// flush; http.ResponseController calls it.
func (w *responseWriter) FlushError() error {
	w.before()
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Hijack updates the remember-me cookie, then hands the connection over.
func (w *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.before()
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// Unwrap returns the wrapped writer, for http.ResponseController.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
