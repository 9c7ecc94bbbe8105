package session

import (
	"cmp"
	"context"
	"crypto/fips140"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/sessionkit/session/flask"
	"github.com/sessionkit/session/seal"
)

// Defaults of the Manager's fields.
const (
	// DefaultLifetime is Flask's PERMANENT_SESSION_LIFETIME default.
	DefaultLifetime = 31 * 24 * time.Hour
	// DefaultMaxCookieSize is the most name and value bytes browsers keep
	// for one cookie (RFC 6265bis; larger cookies are dropped silently).
	DefaultMaxCookieSize = 4096
	// DefaultCookieName is Flask's SESSION_COOKIE_NAME.
	DefaultCookieName = "session"
)

// maxBrowserLifetime is the longest Expires browsers honour (RFC 6265bis
// caps cookie lifetimes at 400 days).
const maxBrowserLifetime = 400 * 24 * time.Hour

// CookieOptions are the attributes of the session cookie. New fills in the
// defaults stated on each field.
type CookieOptions struct {
	// Name of the cookie. Default "session", as Flask. A "__Host-" prefix
	// makes browsers refuse cookies planted by sibling subdomains; it needs
	// Secure, Path "/" and no Domain.
	Name string
	// Path of the cookie. Default "/".
	Path string
	// Domain of the cookie. Default "": the cookie goes to this host only,
	// which is the safest choice.
	Domain string
	// Secure sends the cookie over HTTPS only. Default false, so that
	// http://localhost works; set it in production.
	Secure bool
	// HttpOnly hides the cookie from JavaScript. Default true.
	HttpOnly bool
	// SameSite of the cookie: http.SameSiteLaxMode (default),
	// http.SameSiteStrictMode or http.SameSiteNoneMode (which needs Secure).
	// Flask leaves the attribute out, which browsers do not treat alike.
	SameSite http.SameSite
	// Partitioned asks for a partitioned (CHIPS) cookie; it needs Secure.
	// Default false.
	Partitioned bool
}

// Manager holds the configuration of sessions and provides the middleware.
// Build it with New (or NewWithCodec), change the fields you need, then call
// Handler. Handler takes a snapshot of the fields: changing them afterwards
// does not affect the middleware it returned.
type Manager struct {
	// Cookie holds the cookie's attributes.
	Cookie CookieOptions
	// Lifetime is Flask's PERMANENT_SESSION_LIFETIME: the maximum age of
	// every cookie, permanent or not (it bounds how long a copied cookie can
	// be replayed), hence the idle limit, and the Expires of permanent
	// sessions. Default 31 days. Flask counts it in whole seconds.
	Lifetime time.Duration
	// RefreshEachRequest re-sends a permanent session's cookie on every
	// request, which slides its expiry. Default true, as Flask.
	RefreshEachRequest bool
	// AbsoluteTimeout ends a session this long after it began (or after its
	// last Renew), however active it is. The start time is kept in the
	// cookie under the reserved key "_sk_created", which Flask applications
	// sharing the cookie see. Default 0: no absolute limit.
	AbsoluteTimeout time.Duration
	// MaxCookieSize is the largest name plus value of the Set-Cookie the
	// Manager writes. A bigger session fails through ErrorHandler with a
	// *CookieTooLargeError and the client keeps its previous cookie; it is
	// never dropped silently. Default 4096, what browsers keep; at most 4096.
	MaxCookieSize int
	// Generations enables revocation of cookie sessions, per owner (see
	// Session.SetOwner, Session.Destroy and DestroyAll). Default nil: a
	// copied cookie stays valid until it expires, as in Flask.
	Generations Generations
	// ErrorHandler writes the response when the session cannot be loaded or
	// saved. It is called at most once per request, before the response
	// headers are written. Default: log the error, then respond 503 with
	// Retry-After for ErrStoreUnavailable, 409 for ErrConflict (a
	// *ConflictError: the request may be retried) and 500 otherwise.
	ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)
	// Logger receives the Manager's log lines; it never sees cookie values
	// or keys. Default slog.Default().
	Logger *slog.Logger
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// AllowWeakKey accepts a key that CheckKeys refuses, for development
	// only. NewDevelopment sets it; Handler then logs a warning, once.
	AllowWeakKey bool

	// CacheEntries and CacheBytes bound the cache of verified cookies: a
	// browser sends the same cookie until its session changes, so the
	// Manager keeps the decoded content of the cookies it verified or
	// wrote recently, and a request bringing one of them again costs the
	// signature (or seal) and age check, which every request still
	// passes, and no decoding. Entries are never shared between Managers,
	// keys or cookie names, and a handler cannot change what the next
	// request reads (see "Cost of a request" in the package
	// documentation). CacheEntries bounds the entries, default
	// DefaultCacheEntries (4096); CacheBytes their estimated memory,
	// default DefaultCacheBytes (8 MiB), which the garbage collector's
	// headroom (GOGC) may double in the process's resident memory. A
	// negative value of either turns the cache off. Sessions kept in a
	// Store are not cached.
	CacheEntries int
	CacheBytes   int

	// Store keeps sessions on the server when set; the cookie then carries
	// only a signed session ID (see "Server-side sessions" in the package
	// documentation). Default nil: the session lives in the cookie. The
	// fields below only apply with a Store.
	Store Store
	// TouchInterval is how long after a write a read-only request of a
	// server-side session starts extending its expiry (one Store.Touch,
	// then none again for TouchInterval). Default DefaultTouchInterval; at
	// most half of Lifetime is used.
	TouchInterval time.Duration
	// MergeRetries bounds the merge-and-retry rounds of a server-side save
	// that races saves of the same session in other processes. Default
	// DefaultMergeRetries.
	MergeRetries int
	// MaxRecordSize is the largest record (its data, in Flask's tagged
	// JSON) a session may have in the Store. A bigger session fails through
	// ErrorHandler with a *RecordTooLargeError and the record keeps its
	// previous value; a stored record over the limit is not read. Default
	// DefaultMaxRecordSize (64 KiB).
	MaxRecordSize int
	// Hybrid keeps a session in the Flask cookie while its cookie fits
	// (MaxCookieSize, or HybridThreshold when set) and moves it to the
	// Store when it grows beyond, for good: a stored session stays there
	// until it ends, so that its cookie (an ID) does not change under
	// concurrent requests. Handlers see no difference. Flask applications
	// sharing the key read the session while it is in the cookie. Default
	// false.
	Hybrid bool
	// HybridThreshold is the largest cookie (name and value bytes) a hybrid
	// session keeps; above it the session moves to the Store. Default 0:
	// MaxCookieSize.
	HybridThreshold int

	// AcceptSignedUntil, for a Manager made with NewSealed, is the end of
	// the migration window from Flask's signed cookies: until then, a
	// signed session cookie (under the same key) is still read, and written
	// back sealed; from then on it is refused. Default: the zero time,
	// signed cookies refused. It has no effect on other Managers.
	AcceptSignedUntil time.Time

	codec  *flask.Codec
	sealer *seal.Sealer // NewSealed: data cookies are SK1 tokens
	// fipsOnly: NewSealed under GODEBUG=fips140=only; the codec's signer
	// is HMAC-SHA256, and Flask's signed cookies cannot be read.
	fipsOnly bool
	keyErr   error     // what CheckKeys said of the keys; nil for NewWithCodec
	warn     sync.Once // the configuration warnings are logged once
	caches   cacheSet  // the caches of verified cookies of the Handlers made
}

// New returns a Manager signing cookies with key, as a Flask application
// with SECRET_KEY = key, and accepting cookies signed with any of fallbacks
// (given oldest first, as Flask's SECRET_KEY_FALLBACKS). It returns an error
// wrapping ErrWeakKey when a key breaks the policy of CheckKeys (generate
// keys with `sessionkit secret` or 32 bytes of crypto/rand); NewDevelopment
// accepts such keys on a development machine.
func New(key []byte, fallbacks ...[]byte) (*Manager, error) {
	if err := CheckKeys(key, fallbacks...); err != nil {
		return nil, err
	}
	return newManager(key, fallbacks)
}

// NewDevelopment is New for a development machine: it accepts a weak key
// (never an empty one, nor a fallback that is empty or repeats the key) and
// sets AllowWeakKey, so that Handler logs a warning naming what is wrong
// with the key. Do not use it in production: anyone who guesses a weak key
// can forge every session.
func NewDevelopment(key []byte, fallbacks ...[]byte) (*Manager, error) {
	err := CheckKeys(key, fallbacks...)
	if we := (*WeakKeyError)(nil); errors.As(err, &we) && (we.Rule == "K1" || we.Rule == "K8") {
		return nil, err
	}
	m, err2 := newManager(key, fallbacks)
	if err2 != nil {
		return nil, err2
	}
	m.keyErr = err
	m.AllowWeakKey = true
	return m, nil
}

func newManager(key []byte, fallbacks [][]byte) (*Manager, error) {
	if fips140.Enforced() {
		return nil, ErrFIPSOnly
	}
	signer, err := flask.NewSigner(key, fallbacks...)
	if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	return NewWithCodec(flask.NewCodec(signer)), nil
}

// ErrFIPSOnly is what New returns under GODEBUG=fips140=only: Flask signs
// its cookies with HMAC-SHA1, which FIPS 140-only mode forbids. NewSealed
// works in that mode.
var ErrFIPSOnly = errors.New("session: Flask's cookie signature is HMAC-SHA1, which GODEBUG=fips140=only forbids: use NewSealed, or run without fips140=only")

// NewWithCodec returns a Manager reading and writing cookies with c, for a
// custom salt, digest or compression. The key policy is then the caller's
// (see CheckKeys). Handler uses a copy of c whose MaxAge is Lifetime; c
// itself is never changed.
func NewWithCodec(c *flask.Codec) *Manager {
	return &Manager{
		Cookie: CookieOptions{
			Name:     DefaultCookieName,
			Path:     "/",
			HttpOnly: true,
			SameSite: http.SameSiteLaxMode,
		},
		Lifetime:           DefaultLifetime,
		RefreshEachRequest: true,
		MaxCookieSize:      DefaultMaxCookieSize,
		Now:                time.Now,
		codec:              c,
	}
}

// NewSealed returns a Manager whose session cookies are SK1 tokens
// (package seal): encrypted and authenticated, so that a client can
// neither read nor change its session, where Flask's cookie is only
// signed. The current key seals; the fallbacks (oldest first, as Flask's
// SECRET_KEY_FALLBACKS) open tokens sealed with them, found by key ID, and
// such a token is sealed again with the current key, keeping its issue
// time. scope names what the tokens are for (Purpose "session" for a Flask
// application using python/sessionkit_seal; App when several applications
// share a key): a token opens in its own scope only. The keys must pass
// CheckKeys. ID cookies of server-side sessions stay signed (they hold no
// data). A Flask application reads and writes the same sessions through
// python/sessionkit_seal; during a migration from Flask's signed cookies
// set AcceptSignedUntil.
//
// A sealed cookie costs more than a signed one (docs/ENCRYPTED.md):
// nothing is compressed, and each write encrypts.
func NewSealed(scope seal.Scope, key []byte, fallbacks ...[]byte) (*Manager, error) {
	if err := CheckKeys(key, fallbacks...); err != nil {
		return nil, err
	}
	var m *Manager
	if fips140.Enforced() {
		// Flask's HMAC-SHA1 is not allowed: the signer, which here signs
		// only the ID cookies of server-side sessions, uses HMAC-SHA256,
		// and no signed data cookie is read (AcceptSignedUntil is refused).
		signer, err := flask.NewCustomSigner(flask.DefaultSalt, sha256.New, key, fallbacks...)
		if err != nil {
			return nil, fmt.Errorf("session: %w", err)
		}
		m = NewWithCodec(flask.NewCodec(signer))
		m.fipsOnly = true
	} else {
		var err error
		if m, err = newManager(key, fallbacks); err != nil {
			return nil, err
		}
	}
	var err error
	if m.sealer, err = seal.New(seal.Keys{Current: key, Fallbacks: fallbacks}, scope); err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	return m, nil
}

// Sealer returns the sealer of a Manager made with NewSealed, nil for
// others. Its MaxAge and Limit are its own; the middleware opens and seals
// with Lifetime and MaxCookieSize.
func (m *Manager) Sealer() *seal.Sealer { return m.sealer }

// Codec returns the codec the Manager signs and reads cookies with. Its
// MaxAge is the codec's own; the middleware checks ages against Lifetime.
func (m *Manager) Codec() *flask.Codec { return m.codec }

// IDSigner returns the signer of the ID cookies of server-side sessions:
// Codec().Signer().Derive("sessionkit-id"). A Flask application sharing the
// secret key finds such a cookie's signature bad and starts an empty
// session; tools that inspect ID cookies verify them with it.
func (m *Manager) IDSigner() *flask.Signer {
	if m.codec == nil || m.codec.Signer() == nil {
		return nil
	}
	return m.codec.Signer().Derive(idSalt)
}

// Validate reports a configuration that cannot work, with a message saying
// how to fix it: a cookie browsers would reject, a weak key without
// AllowWeakKey, a duration or size out of range.
func (m *Manager) Validate() error {
	_, err := m.compile()
	return err
}

// config is the Manager's configuration as Handler found it, with every
// default applied: the middleware reads only this snapshot.
type config struct {
	cookie     CookieOptions
	lifetime   time.Duration
	refresh    bool
	absTimeout time.Duration
	maxCookie  int
	codec      *flask.Codec  // a copy of the Manager's, MaxAge = lifetime
	format     dataFormat    // writes and reads data cookies
	signer     *flask.Signer // codec's: signs Flask's data cookies
	idSigner   *flask.Signer // signs ID cookies; Flask's signer refuses them
	gens       Generations
	cache      *verifiedCache // nil when off; shared with like configurations (cacheID)
	setCookie  cookieHeader   // the fixed part of the Set-Cookie header
	onError    func(w http.ResponseWriter, r *http.Request, err error)
	logger     *slog.Logger
	now        func() time.Time

	// With a Store.
	store     Store
	touch     time.Duration
	retries   int
	maxRecord int
	hybrid    bool
	threshold int
}

// idSalt derives the ID cookies' signer from the data cookies' (see
// flask.Signer.Derive).
const idSalt = "sessionkit-id"

// compile checks m and returns its configuration with the defaults
// applied.
func (m *Manager) compile() (*config, error) {
	if m.codec == nil || m.codec.Signer() == nil {
		return nil, errors.New("session: the Manager has no codec: build it with session.New or session.NewWithCodec")
	}
	if m.keyErr != nil && !m.AllowWeakKey {
		return nil, m.keyErr
	}
	if m.Lifetime < time.Second {
		return nil, fmt.Errorf("session: Lifetime %v is too short: Flask counts it in whole seconds; use at least 1s", m.Lifetime)
	}
	if m.AbsoluteTimeout < 0 {
		return nil, fmt.Errorf("session: AbsoluteTimeout %v is negative: use 0 to turn it off", m.AbsoluteTimeout)
	}
	if m.MaxCookieSize <= 0 || m.MaxCookieSize > DefaultMaxCookieSize {
		return nil, fmt.Errorf("session: MaxCookieSize %d is out of range: browsers keep at most %d bytes of name and value", m.MaxCookieSize, DefaultMaxCookieSize)
	}
	if err := m.Cookie.validate(); err != nil {
		return nil, err
	}
	if m.TouchInterval < 0 || m.MergeRetries < 0 || m.HybridThreshold < 0 || m.MaxRecordSize < 0 {
		return nil, errors.New("session: TouchInterval, MergeRetries, MaxRecordSize and HybridThreshold must not be negative; 0 means the default")
	}
	if m.Hybrid && m.Store == nil {
		return nil, errors.New("session: Hybrid needs a Store")
	}
	if m.fipsOnly && !m.AcceptSignedUntil.IsZero() {
		return nil, errors.New("session: AcceptSignedUntil cannot work under GODEBUG=fips140=only: Flask's signed cookies are HMAC-SHA1, which that mode forbids; leave it unset")
	}
	codec := *m.codec
	codec.MaxAge = m.Lifetime
	c := &config{
		cookie:     m.Cookie,
		lifetime:   m.Lifetime,
		refresh:    m.RefreshEachRequest,
		absTimeout: m.AbsoluteTimeout,
		maxCookie:  m.MaxCookieSize,
		codec:      &codec,
		signer:     codec.Signer(),
		idSigner:   codec.Signer().Derive(idSalt),
		gens:       m.Generations,
		onError:    m.ErrorHandler,
		logger:     m.Logger,
		now:        m.Now,
		store:      m.Store,
		touch:      cmp.Or(m.TouchInterval, DefaultTouchInterval),
		retries:    cmp.Or(m.MergeRetries, DefaultMergeRetries),
		maxRecord:  cmp.Or(m.MaxRecordSize, DefaultMaxRecordSize),
		hybrid:     m.Hybrid,
		threshold:  m.HybridThreshold,
	}
	c.touch = min(c.touch, c.lifetime/2)
	c.setCookie = newCookieHeader(&c.cookie)
	c.cache = m.caches.get(cacheID{
		name:            c.cookie.Name,
		signer:          c.signer,
		sealer:          m.sealer,
		maxDepth:        codec.MaxDepth,
		maxDecompressed: codec.MaxDecompressed,
		compressor:      codec.Compressor,
		entries:         cacheBound(m.CacheEntries, DefaultCacheEntries),
		bytes:           cacheBound(m.CacheBytes, DefaultCacheBytes),
	})
	c.format = flaskFormat{c.codec}
	if m.sealer != nil {
		sc := *m.sealer
		sc.MaxAge, sc.Limit = c.lifetime, c.maxCookie
		c.format = sealFormat{sealer: &sc, name: c.cookie.Name, signed: flaskFormat{c.codec}, acceptSigned: m.AcceptSignedUntil}
	}
	if c.logger == nil {
		c.logger = slog.Default()
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c, nil
}

// cacheBound returns the bound v of the cache of verified cookies: def for
// 0, and 0 (off) for a negative v.
func cacheBound(v, def int) int {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return v
}

// backend returns the backend c asks for: the cookie, a store, or both
// (hybrid), with revocation around those holding sessions in cookies.
func (c *config) backend() backend {
	var b backend
	switch {
	case c.store == nil:
		b = cookieBackend{c}
	case c.hybrid:
		b = &hybridBackend{cookie: cookieBackend{c}, store: &storeBackend{c: c, store: c.store}}
	default:
		return &storeBackend{c: c, store: c.store}
	}
	if c.gens != nil {
		b = revoking{backend: b, c: c}
	}
	return b
}

// A backend loads and saves the session of one request; the middleware
// (handler and responseWriter) does everything else: the context, Vary and
// Cache-Control, the ErrorHandler, commit-before-headers and late-change
// reporting.
//
// load fills s from the request r at time now: s.values and s.from. A
// missing, forged, expired or revoked cookie is not an error: it leaves s
// empty (anonymous), as Flask does. load returns an error only when the
// session's state is unknown (a store or Generations outage, wrapped in
// ErrStoreUnavailable); the middleware then calls the ErrorHandler and never
// runs the handler.
//
// save runs once, with s.mu held, just before the response headers are
// written: it asks the planner (plan.go) what to do, does it, and returns
// the cookie to set, or the zero sessionCookie for no Set-Cookie. On error
// it returns the error: the middleware sends no Set-Cookie, so the client
// keeps its previous cookie, and calls the ErrorHandler.
type backend interface {
	load(ctx context.Context, r *http.Request, s *Session, now time.Time) error
	save(ctx context.Context, s *Session, now time.Time) (sessionCookie, error)
}

// validate refuses cookie attributes that browsers reject or that
// net/http would silently alter (RFC 6265bis cookie prefixes and limits).
func (o *CookieOptions) validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("session: invalid Cookie options: "+format, args...)
	}
	if o.Name == "" {
		return bad("Name is empty; the default is %q", DefaultCookieName)
	}
	if len(o.Path) > 1024 || len(o.Domain) > 1024 {
		return bad("Path and Domain must be at most 1024 bytes; browsers ignore longer ones")
	}
	if !strings.HasPrefix(o.Path, "/") {
		return bad("Path %q must start with \"/\"", o.Path)
	}
	switch o.SameSite {
	case http.SameSiteLaxMode, http.SameSiteStrictMode:
	case http.SameSiteNoneMode:
		if !o.Secure {
			return bad("SameSite=None needs Secure: browsers drop SameSite=None cookies that are not Secure")
		}
	default:
		return bad("SameSite must be http.SameSiteLaxMode, http.SameSiteStrictMode or http.SameSiteNoneMode; browsers do not agree on a missing SameSite")
	}
	if o.Partitioned && !o.Secure {
		return bad("Partitioned needs Secure")
	}
	lower := strings.ToLower(o.Name)
	if strings.HasPrefix(lower, "__secure-") && !o.Secure {
		return bad("a cookie named %q needs Secure: browsers refuse __Secure- cookies without it", o.Name)
	}
	if strings.HasPrefix(lower, "__host-") && (!o.Secure || o.Path != "/" || o.Domain != "") {
		return bad("a cookie named %q needs Secure, Path \"/\" and no Domain: browsers refuse __Host- cookies otherwise", o.Name)
	}
	c := http.Cookie{Name: o.Name, Value: "v", Path: o.Path, Domain: o.Domain}
	if err := c.Valid(); err != nil {
		return bad("%v", err)
	}
	if strings.ContainsAny(o.Path, ";\x7f") {
		return bad("Path %q contains a byte not allowed in a cookie attribute", o.Path)
	}
	for i := 0; i < len(o.Path); i++ {
		if o.Path[i] < 0x20 || o.Path[i] >= 0x7f {
			return bad("Path %q contains a byte not allowed in a cookie attribute", o.Path)
		}
	}
	return nil
}

// Handler returns middleware that loads each request's session, makes it
// available through FromContext, and saves it just before the response
// headers are written (see the package documentation). It works on a
// snapshot of m's fields taken now. It panics with a message saying how to
// fix the configuration when Validate fails; call Validate first to get the
// error instead. The first call logs a warning when the key is weak
// (AllowWeakKey) or Lifetime exceeds what browsers keep.
func (m *Manager) Handler(next http.Handler) http.Handler {
	c, err := m.compile()
	if err != nil {
		panic(err.Error())
	}
	m.warn.Do(func() {
		if m.keyErr != nil {
			c.logger.LogAttrs(context.Background(), slog.LevelWarn,
				"session: using a weak secret key because AllowWeakKey is set; anyone who guesses it can forge sessions. Generate one with `sessionkit secret` for production",
				slog.String("reason", m.keyErr.Error()))
		}
		if c.lifetime > maxBrowserLifetime {
			c.logger.LogAttrs(context.Background(), slog.LevelWarn,
				"session: Lifetime is longer than the 400 days browsers keep a cookie; permanent cookies will expire earlier in the browser",
				slog.Duration("lifetime", c.lifetime))
		}
	})
	return &handler{cfg: c, b: c.backend(), next: next}
}

type handler struct {
	cfg  *config
	b    backend
	next http.Handler
}

// request is what the middleware needs for one request, in one allocation:
// the session, the wrapped writer and the context carrying the session.
type request struct {
	s   Session
	w   responseWriter
	ctx sessionContext
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	st := new(request)
	s := &st.s
	s.h, s.ctx = h, ctx
	if err := h.b.load(ctx, r, s, h.cfg.now()); err != nil {
		s.commit.err = err
		h.cfg.handleError(w, r, err)
		return
	}
	rw := &st.w
	rw.ResponseWriter, rw.h, rw.s, rw.r = w, h, s, r
	st.ctx = sessionContext{Context: ctx, s: s}
	h.next.ServeHTTP(rw, r.WithContext(&st.ctx))
	rw.finish()
}

// sessionContext is the request's context carrying its *Session under
// sessionKey: what context.WithValue makes, inside the request's one
// allocation.
type sessionContext struct {
	context.Context
	s *Session
}

// Value returns the session for sessionKey, and asks the parent for any
// other key.
func (c *sessionContext) Value(key any) any {
	if key == any(sessionKey) {
		return c.s
	}
	return c.Context.Value(key)
}

// String names the context as context.WithValue's do.
func (c *sessionContext) String() string {
	return fmt.Sprintf("%v.WithValue(session)", c.Context)
}

// DestroyAll ends every session of owner: it deletes owner's records from
// the Store (when set) and bumps owner's generation (when Generations is
// set), so that copies of owner's cookies are refused from now on. Call it
// when a user logs out everywhere, changes password or is disabled. To keep
// the current request's session, call its Renew after DestroyAll: its new
// cookie or record is written after the bump.
func (m *Manager) DestroyAll(ctx context.Context, owner string) error {
	if owner == "" {
		return errors.New("session: DestroyAll: empty owner")
	}
	var errs []error
	if m.Store != nil {
		if _, err := m.Store.DestroyAll(ctx, owner); err != nil {
			errs = append(errs, storeErr("destroy all", err))
		}
	}
	if m.Generations != nil {
		if _, err := m.Generations.Bump(ctx, owner); err != nil {
			errs = append(errs, storeErr("bump generation", err))
		}
	}
	return errors.Join(errs...)
}

// storeErr wraps err, from a Store or Generations call, so that it is an
// ErrStoreUnavailable unless it already says what it is.
func storeErr(op string, err error) error {
	switch {
	case errors.Is(err, ErrStoreUnavailable), errors.Is(err, ErrNotFound), errors.Is(err, ErrConflict), errors.Is(err, ErrExists):
		return fmt.Errorf("session: %s: %w", op, err)
	}
	return fmt.Errorf("session: %s: %w: %w", op, ErrStoreUnavailable, err)
}

// handleError reports err for request r through the ErrorHandler.
func (c *config) handleError(w http.ResponseWriter, r *http.Request, err error) {
	if c.onError != nil {
		c.onError(w, r, err)
		return
	}
	status := StatusOf(err)
	level := slog.LevelError
	if status == http.StatusConflict {
		level = slog.LevelWarn
	}
	c.logger.LogAttrs(r.Context(), level, "session: request failed",
		slog.String("error", err.Error()), slog.String("method", r.Method),
		slog.String("path", r.URL.Path), slog.Int("status", status))
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	http.Error(w, http.StatusText(status), status)
}

// StatusOf returns the HTTP status the default ErrorHandler answers for
// err: 503 Service Unavailable for ErrStoreUnavailable, 409 Conflict for
// ErrConflict (a save that could not be merged with a concurrent one; the
// client may retry), 500 Internal Server Error otherwise. Custom
// ErrorHandlers can use it to keep the same statuses.
func StatusOf(err error) int {
	switch {
	case errors.Is(err, ErrStoreUnavailable):
		return http.StatusServiceUnavailable
	case errors.Is(err, ErrConflict):
		return http.StatusConflict
	}
	return http.StatusInternalServerError
}
