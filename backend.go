package session

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"strings"
	"time"

	"github.com/sessionkit/session/flask"
)

// A backend loads and saves the session of one request: cookieBackend keeps
// the data in the Flask cookie; server-side stores and the hybrid mode plug
// in through newStoreBackend (storemode.go). The middleware (handler and responseWriter)
// does everything else: the context, Vary and Cache-Control, the
// ErrorHandler, commit-before-headers and late-change reporting.
//
// Contract:
//
//   - load fills s from the request r at time now: s.values (a map the
//     backend owns, or nil for an empty session) and the bookkeeping fields
//     (owner, gen, created, nonce; raw for cookies; id, version, expiry for
//     stores). A missing, forged, expired or revoked cookie is not an error:
//     it leaves s empty (anonymous), as Flask does. load returns an error
//     only when the session's state is unknown (a store or Generations
//     outage, wrapped in ErrStoreUnavailable); the middleware then calls
//     the ErrorHandler and never runs the handler.
//   - commit runs once, with s.mu held (it must not call Session's exported
//     methods), just before the response headers are written. It reads the
//     flags (modified, accessed, cleared, allChanged, destroyed, renewed,
//     force, ownerChanged, destroyOwner) and the keys set or deleted this
//     request (s.changed; with allChanged every key counts as changed),
//     performs the writes it needs (store calls, generation bumps), and
//     returns the cookie to set: a new value, a refresh, a deletion
//     (Manager.deletionCookie), or nil for no Set-Cookie. It must check the
//     size (a *CookieTooLargeError) before returning a cookie. On error it
//     returns nil and the error: the middleware sends no Set-Cookie, so the
//     client keeps its previous cookie, and calls the ErrorHandler.
//   - Helpers shared by backends: Manager.newCookie(value, expires) and
//     Manager.deletionCookie() build cookies with the configured
//     attributes; storeErr wraps Store and Generations errors;
//     s.permanentLocked() reads the permanent flag; takeReserved lifts the
//     _sk_ keys out of decoded values; cookieBackend.encode signs s with
//     the reserved keys put back (hybrid mode can call it and fall back to
//     the store on a *CookieTooLargeError).
type backend interface {
	load(ctx context.Context, r *http.Request, s *Session, now time.Time) error
	commit(ctx context.Context, s *Session, now time.Time) (*http.Cookie, error)
}

// backend returns the backend m's configuration asks for.
func (m *Manager) backend() (backend, error) {
	if m.Store == nil {
		return cookieBackend{m}, nil
	}
	return newStoreBackend(m)
}

// maxCandidates bounds how many cookies carrying the session's name load
// verifies (SECURITY.md H-71): tossed cookies cannot make it do unbounded
// work.
const maxCandidates = 5

// cookieBackend keeps the whole session in a Flask-compatible signed cookie.
type cookieBackend struct{ m *Manager }

// load reads the session cookie. Several cookies may carry the session's
// name (a sibling subdomain can plant one for the parent domain with a
// longer Path, and the browser sends it first: cookie tossing). The rule,
// bounded and never merging: verify at most maxCandidates non-empty ones;
// if exactly one verifies, or all that verify hold the same data, use it;
// if several verify with different data, refuse them all and log a
// security event, since an anonymous user is better than a swapped
// identity.
func (b cookieBackend) load(ctx context.Context, r *http.Request, s *Session, now time.Time) error {
	m := b.m
	var (
		raw     string
		values  map[string]any
		valid   int
		seen    int
		firstEr error
	)
	for _, c := range r.CookiesNamed(m.Cookie.Name) {
		if c.Value == "" {
			continue
		}
		if seen++; seen > maxCandidates {
			m.logger().LogAttrs(ctx, slog.LevelWarn, "session: too many session cookies; ignoring the rest",
				slog.Int("verified", maxCandidates))
			break
		}
		v, err := m.codec.Decode(c.Value, now)
		if err != nil {
			if firstEr == nil {
				firstEr = err
			}
			continue
		}
		valid++
		if valid == 1 {
			raw, values = c.Value, v
			continue
		}
		if !sameData(values, v) {
			m.logger().LogAttrs(ctx, slog.LevelWarn,
				"session: several valid session cookies with different data (cookie tossing?); refusing all of them",
				slog.String("path", r.URL.Path))
			return nil
		}
	}
	if valid == 0 {
		if firstEr != nil {
			level := slog.LevelDebug
			if errors.Is(firstEr, flask.ErrPayload) || errors.Is(firstEr, flask.ErrTooDeep) || errors.Is(firstEr, flask.ErrUnsupported) {
				// These come after the signature verified: something that
				// holds the key wrote a cookie Flask would fail on too.
				level = slog.LevelWarn
			}
			m.logger().LogAttrs(ctx, level, "session: cookie refused; starting an empty session",
				slog.String("reason", firstEr.Error()))
		}
		return nil
	}

	created, owner, gen, nonce := takeReserved(values)
	if m.AbsoluteTimeout > 0 && created != 0 && now.Unix()-created > int64(m.AbsoluteTimeout/time.Second) {
		m.logger().LogAttrs(ctx, slog.LevelDebug, "session: absolute timeout reached; starting an empty session")
		return nil
	}
	if m.Generations != nil && owner != "" {
		cur, err := m.Generations.Generation(ctx, owner)
		if err != nil {
			return storeErr("load generation", err)
		}
		if cur != gen {
			m.logger().LogAttrs(ctx, slog.LevelInfo, "session: cookie revoked (owner's generation moved on); starting an empty session")
			return nil
		}
	}
	s.values, s.raw = values, raw
	s.created, s.owner, s.gen, s.nonce = created, owner, gen, nonce
	if m.AbsoluteTimeout > 0 && created == 0 && len(values) > 0 {
		// A session begun before AbsoluteTimeout was configured, or by
		// Flask: its clock starts now, and the cookie must learn it.
		s.created = now.Unix()
		s.force = true
	}
	return nil
}

// takeReserved removes the reserved _sk_ keys from values and returns them.
func takeReserved(values map[string]any) (created int64, owner string, gen uint64, nonce string) {
	if len(values) == 0 {
		return
	}
	if v, ok := values[keyCreated]; ok {
		created, _ = asInt64(v)
		delete(values, keyCreated)
	}
	if v, ok := values[keyOwner]; ok {
		owner, _ = v.(string)
		delete(values, keyOwner)
	}
	if v, ok := values[keyGen]; ok {
		gen, _ = asUint64(v)
		delete(values, keyGen)
	}
	if v, ok := values[keyNonce]; ok {
		nonce, _ = v.(string)
		delete(values, keyNonce)
	}
	return
}

// sameData reports whether two decoded sessions hold the same data.
func sameData(a, b map[string]any) bool {
	ja, err1 := flask.Marshal(a)
	jb, err2 := flask.Marshal(b)
	return err1 == nil && err2 == nil && string(ja) == string(jb)
}

// commit decides the Set-Cookie as Flask's save_session does
// (FLASK_SESSION_SPEC.md §7): an empty session that was modified is
// deleted; a non-empty one is written when modified, and a permanent one on
// every request when RefreshEachRequest is set. An unmodified permanent
// session is refreshed cheaply: the incoming payload is re-signed with a
// new timestamp, without decoding or encoding it again.
func (b cookieBackend) commit(ctx context.Context, s *Session, now time.Time) (*http.Cookie, error) {
	m := b.m
	if s.setErr != nil {
		return nil, s.setErr
	}
	if s.destroyOwner != "" && m.Generations != nil {
		if _, err := m.Generations.Bump(ctx, s.destroyOwner); err != nil {
			return nil, storeErr("destroy: bump generation", err)
		}
	}
	if len(s.values) == 0 {
		if s.modified {
			return m.deletionCookie(), nil
		}
		return nil, nil
	}
	permanent := s.permanentLocked()
	write := s.modified || s.force
	if !write && !(permanent && m.RefreshEachRequest) {
		return nil, nil
	}
	var expires time.Time
	if permanent {
		expires = now.Add(m.Lifetime)
		if m.AbsoluteTimeout > 0 && s.created != 0 {
			// The browser may as well drop the cookie when the server will
			// refuse it.
			if end := time.Unix(s.created, 0).Add(m.AbsoluteTimeout); end.Before(expires) {
				expires = end
			}
		}
	}
	var value string
	var err error
	if !write && s.raw != "" {
		// Cheap refresh: load verified s.raw in this request, so its
		// payload is re-signed as it is, with a new timestamp: one HMAC, no
		// base64, zlib or JSON work. A cookie signed with a fallback key
		// comes back signed with the current key.
		value = m.codec.Signer().Sign(signedPayload(s.raw), now)
	} else {
		value, err = b.encode(ctx, s, now)
	}
	if err == nil {
		err = m.checkSize(value)
	}
	if err != nil {
		return nil, err
	}
	return m.newCookie(value, expires), nil
}

// checkSize returns a *CookieTooLargeError if the session cookie with value
// would exceed MaxCookieSize.
func (m *Manager) checkSize(value string) error {
	if size := len(m.Cookie.Name) + len(value); size > m.MaxCookieSize {
		return &CookieTooLargeError{Size: size, Limit: m.MaxCookieSize}
	}
	return nil
}

// encode signs s's values, with the reserved keys put back, and checks the
// size of the result (a *CookieTooLargeError).
func (b cookieBackend) encode(ctx context.Context, s *Session, now time.Time) (string, error) {
	m := b.m
	if s.renewed {
		var n [16]byte
		if _, err := rand.Read(n[:]); err != nil {
			return "", fmt.Errorf("session: renew: %w", err)
		}
		s.nonce = base64.RawURLEncoding.EncodeToString(n[:])
	}
	if m.AbsoluteTimeout > 0 && s.created == 0 {
		s.created = now.Unix()
	}
	if s.owner != "" && s.ownerChanged && m.Generations != nil {
		g, err := m.Generations.Generation(ctx, s.owner)
		if err != nil {
			return "", storeErr("load generation", err)
		}
		s.gen = g
	}
	values := s.values
	if s.created != 0 || s.owner != "" || s.nonce != "" {
		values = maps.Clone(s.values)
		if s.created != 0 {
			values[keyCreated] = s.created
		}
		if s.owner != "" {
			values[keyOwner] = s.owner
			if m.Generations != nil {
				values[keyGen] = int64(s.gen)
			}
		}
		if s.nonce != "" {
			values[keyNonce] = s.nonce
		}
	}
	value, err := m.codec.Encode(values, now)
	if se, ok := errors.AsType[*flask.SizeError](err); ok {
		// Over the codec's own limit (4096 bytes of value): report it as the
		// Manager's limit, with the size the codec measured.
		return "", &CookieTooLargeError{Size: len(m.Cookie.Name) + se.Size, Limit: m.MaxCookieSize}
	}
	if err != nil {
		return "", fmt.Errorf("session: encode: %w", err)
	}
	return value, m.checkSize(value)
}

// signedPayload returns the payload field of a cookie value (payload "."
// timestamp "." signature), leading "." of a compressed payload included.
func signedPayload(cookie string) string {
	cookie = cookie[:max(strings.LastIndexByte(cookie, '.'), 0)]
	return cookie[:max(strings.LastIndexByte(cookie, '.'), 0)]
}
