package session

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/sessionkit/session/flask"
)

// CookieOptions are the attributes of the session cookie.
type CookieOptions struct {
	// Name of the cookie. Default "session", as Flask.
	Name string
	// Path of the cookie. Default "/".
	Path string
	// Domain of the cookie. Default "": the cookie goes to this host only.
	Domain string
	// Secure sends the cookie over HTTPS only. Default false, so that
	// http://localhost works; set it in production.
	Secure bool
	// HttpOnly hides the cookie from JavaScript. Default true.
	HttpOnly bool
	// SameSite of the cookie. Default http.SameSiteLaxMode (Flask leaves it
	// unset, which browsers no longer treat alike).
	SameSite http.SameSite
	// Partitioned asks for a CHIPS partitioned cookie; it requires Secure.
	// Default false.
	Partitioned bool
}

// Manager holds the configuration of sessions and provides the middleware.
// Build it with New (or NewWithCodec), change the fields you need, then call
// Handler. Fields must not change once Handler has been called.
type Manager struct {
	// Cookie holds the cookie's attributes.
	Cookie CookieOptions
	// Lifetime is Flask's PERMANENT_SESSION_LIFETIME: the maximum age of
	// every cookie, permanent or not (it bounds how long a copied cookie can
	// be replayed), the idle limit, and the Expires of permanent sessions.
	// Default 31 days.
	Lifetime time.Duration
	// RefreshEachRequest re-sends a permanent session's cookie on every
	// request, which makes Lifetime a sliding idle limit. Default true.
	RefreshEachRequest bool
	// AbsoluteTimeout ends a session this long after it was created, however
	// active it is. Default 0: no absolute limit.
	AbsoluteTimeout time.Duration
	// MaxCookieSize is the largest Set-Cookie name plus value the Manager
	// writes; a larger session is an error, never a silently dropped
	// cookie. Default 4096, what browsers keep.
	MaxCookieSize int
	// Store keeps sessions on the server when set; the cookie then carries
	// only a signed session ID. Default nil: the session lives in the cookie.
	Store Store
	// Generations enables revocation of cookie sessions per owner (see
	// Session.SetOwner and DestroyAll). Default nil: no revocation.
	Generations Generations
	// ErrorHandler writes the response when the session cannot be loaded or
	// saved. Default: log, then 503 for ErrStoreUnavailable and 500 otherwise.
	ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)
	// Logger receives the Manager's log lines. Default slog.Default().
	Logger *slog.Logger
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// AllowWeakKey accepts a key that CheckKey refuses, for development
	// only; set by NewDevelopment. Every Handler call then logs a warning.
	AllowWeakKey bool

	codec  *flask.Codec
	keyErr error // result of the key policy check, nil for NewWithCodec
}

// New returns a Manager signing cookies with key and accepting cookies
// signed with any of fallbacks too (oldest first, as Flask's
// SECRET_KEY_FALLBACKS). It returns an error wrapping ErrWeakKey when a key
// breaks the policy of CheckKeys; use NewDevelopment to accept such a key
// on a development machine.
func New(key []byte, fallbacks ...[]byte) (*Manager, error) {
	panic("unimplemented")
}

// NewDevelopment is New for development machines: it accepts a weak key
// (but never an empty one) and sets AllowWeakKey, so every Handler call
// logs a warning.
func NewDevelopment(key []byte, fallbacks ...[]byte) (*Manager, error) {
	panic("unimplemented")
}

// NewWithCodec returns a Manager using c to read and write cookies. The key
// policy is then the caller's. Handler sets c.MaxAge to Lifetime.
func NewWithCodec(c *flask.Codec) *Manager {
	panic("unimplemented")
}

// Codec returns the codec the Manager signs cookies with.
func (m *Manager) Codec() *flask.Codec { return m.codec }

// Validate reports a configuration that cannot work: a cookie browsers
// would reject, a weak key without AllowWeakKey, a negative duration.
func (m *Manager) Validate() error {
	panic("unimplemented")
}

// Handler returns middleware that loads the session of each request, makes
// it available through FromContext, and saves it just before the response
// headers are written. It panics with a message saying how to fix the
// configuration when Validate fails.
func (m *Manager) Handler(next http.Handler) http.Handler {
	panic("unimplemented")
}

// DestroyAll ends every session of owner: it deletes owner's records from
// the Store (when set) and bumps owner's generation (when Generations is
// set), so that copies of owner's cookies are refused.
func (m *Manager) DestroyAll(ctx context.Context, owner string) error {
	panic("unimplemented")
}
