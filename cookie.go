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

// maxCandidates bounds how many cookies carrying the session's name a
// request may send (SECURITY.md H-71): with more, none is used, so that
// junk cookies cannot hide a planted one from the duplicate check, and the
// work stays bounded.
const maxCandidates = 5

// testHookVerify, when set (by tests), runs on every verification.
var testHookVerify func()

// kind tells a session data cookie (Flask's format) from an ID cookie.
type kind uint8

const (
	kindData kind = 1 << iota
	kindID
)

// verified is a session cookie whose signature (or seal) and age checked
// out.
type verified struct {
	kind    kind
	raw     string // the cookie value
	data    opened // a data cookie, opened
	payload string // what verified cookies compare by: the data's payload, or idPrefix and an ID
	legacy  bool   // an ID cookie signed as data (by versions before the ID salt)
}

// find returns the session cookie of r, verified, among the kinds wanted.
// Several cookies may carry the session's name (a sibling subdomain can
// plant one for the parent domain with a longer Path, which the browser
// sends first: cookie tossing). The rule, bounded and never merging: with
// more than maxCandidates distinct non-empty values, none is used; else
// every one is verified, and if those that verify do not all carry the
// same payload, none is used and a security event is logged: an anonymous
// user is better than a swapped identity. ok is false when no cookie is
// used.
func (c *config) find(ctx context.Context, r *http.Request, now time.Time, want kind) (v verified, ok bool) {
	var vals [maxCandidates]string
	n := 0
	for _, ck := range r.CookiesNamed(c.cookie.Name) {
		if ck.Value == "" || contains(vals[:n], ck.Value) {
			continue
		}
		if n == maxCandidates {
			c.logger.LogAttrs(ctx, slog.LevelWarn,
				"session: more session cookies than checked (cookie tossing?); refusing all of them",
				slog.Int("limit", maxCandidates), slog.String("path", r.URL.Path))
			return verified{}, false
		}
		vals[n] = ck.Value
		n++
	}
	var firstErr error
	for _, raw := range vals[:n] {
		cand, err := c.verify(raw, now, want)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if !ok {
			v, ok = cand, true
			continue
		}
		if cand.kind != v.kind || cand.payload != v.payload {
			c.logger.LogAttrs(ctx, slog.LevelWarn,
				"session: several valid session cookies that disagree (cookie tossing?); refusing all of them",
				slog.String("path", r.URL.Path))
			return verified{}, false
		}
	}
	if !ok && firstErr != nil {
		c.logger.LogAttrs(ctx, slog.LevelDebug, "session: cookie refused; starting an empty session",
			slog.String("reason", firstErr.Error()))
	}
	return v, ok
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// verify checks one cookie value's signature (or seal) and age. An ID
// cookie (idPrefix) is signed by the ID signer, which Flask's signer does
// not accept; a data cookie is read by the data format. Either way it
// costs one MAC.
func (c *config) verify(raw string, now time.Time, want kind) (verified, error) {
	if testHookVerify != nil {
		testHookVerify()
	}
	if len(raw) > flask.MaxCookieSize {
		return verified{}, fmt.Errorf("%w: %d bytes", flask.ErrTooLarge, len(raw))
	}
	if !strings.HasPrefix(raw, idPrefix) {
		if want&kindData == 0 {
			return verified{}, errors.New("session: a data cookie where an ID cookie was expected")
		}
		o, err := c.format.open(raw, now)
		if err != nil {
			return verified{}, err
		}
		return verified{kind: kindData, raw: raw, data: o, payload: o.payload}, nil
	}
	if want&kindID == 0 {
		return verified{}, errors.New("session: an ID cookie where a data cookie was expected")
	}
	v := verified{kind: kindID, raw: raw}
	payload, ts, _, err := c.idSigner.Unsign(raw)
	if err != nil {
		// Versions before the ID salt signed ID cookies as data; read them
		// and write them anew.
		if p, t, _, err2 := c.signer.Unsign(raw); err2 == nil {
			payload, ts, err, v.legacy = p, t, nil, true
		}
	}
	if err == nil {
		err = flask.CheckAge(ts, now, c.lifetime, c.codec.Skew)
	}
	if err != nil {
		return verified{}, err
	}
	v.payload = payload
	return v, nil
}

// cookieBackend keeps the whole session in a Flask-compatible signed
// cookie.
type cookieBackend struct{ c *config }

func (b cookieBackend) load(ctx context.Context, r *http.Request, s *Session, now time.Time) error {
	v, ok := b.c.find(ctx, r, now, kindData)
	if !ok {
		return nil
	}
	b.open(ctx, s, v, now)
	return nil
}

// open decodes the verified data cookie v into s. A payload that does not
// decode leaves s anonymous.
func (b cookieBackend) open(ctx context.Context, s *Session, v verified, now time.Time) {
	c := b.c
	values, err := c.format.decode(v.data)
	if err != nil {
		// The signature verified: something that holds the key wrote a
		// cookie Flask would fail on too.
		c.logger.LogAttrs(ctx, slog.LevelWarn, "session: signed cookie with an unreadable payload; starting an empty session",
			slog.String("reason", err.Error()))
		return
	}
	created, owner, gen, nonce := takeReserved(values)
	if c.expired(created, now) {
		c.logger.LogAttrs(ctx, slog.LevelDebug, "session: absolute timeout reached; starting an empty session")
		return
	}
	s.values = values
	s.from = origin{place: placeCookie, raw: v.raw, cookie: v.data, created: created, owner: owner, gen: gen, nonce: nonce,
		rewrite: v.data.signed}
	if c.absTimeout > 0 && created == 0 && len(values) > 0 {
		// A session begun before AbsoluteTimeout was configured, or by
		// Flask: its clock starts now, and the cookie must learn it.
		s.from.created = now.Unix()
		s.from.rewrite = true
	}
}

// expired reports whether a session begun at created (Unix seconds; 0
// unknown) is past the absolute timeout.
func (c *config) expired(created int64, now time.Time) bool {
	return c.absTimeout > 0 && created != 0 && now.Unix()-created > int64(c.absTimeout/time.Second)
}

func (b cookieBackend) save(ctx context.Context, s *Session, now time.Time) (*http.Cookie, error) {
	c := b.c
	switch c.planCookie(s) {
	case stepErase:
		return c.deletionCookie(), nil
	case stepResend:
		// The cookie load verified, written again unchanged: with a new
		// issue time for a refresh (which slides the expiry), with its own
		// for a move to the current key (which must not extend its life).
		iat := now
		if !(permanent(s.values) && c.refresh) {
			iat = s.from.cookie.issued
		}
		value, err := c.format.reissue(s.from.cookie, iat)
		if err != nil {
			return nil, err
		}
		return c.newCookie(value, c.expires(s, iat)), nil
	case stepWrite:
		value, err := b.encode(s, now)
		if err != nil {
			return nil, err
		}
		return c.newCookie(value, c.expires(s, now)), nil
	}
	return nil, nil
}

// encode signs s's values, with the reserved keys put back, and checks the
// size of the result (a *CookieTooLargeError).
func (b cookieBackend) encode(s *Session, now time.Time) (string, error) {
	c := b.c
	if s.intent.renew {
		var n [16]byte
		rand.Read(n[:]) // never fails (crypto/rand documents it)
		s.from.nonce = base64.RawURLEncoding.EncodeToString(n[:])
		s.from.created = 0
	}
	if c.absTimeout > 0 && s.from.created == 0 {
		s.from.created = now.Unix()
	}
	values := s.values
	owner := s.ownerLocked()
	if s.from.created != 0 || owner != "" || s.from.nonce != "" {
		values = maps.Clone(s.values)
		if s.from.created != 0 {
			values[keyCreated] = s.from.created
		}
		if owner != "" {
			values[keyOwner] = owner
			if c.gens != nil {
				values[keyGen] = int64(s.from.gen)
			}
		}
		if s.from.nonce != "" {
			values[keyNonce] = s.from.nonce
		}
	}
	value, err := c.format.encode(values, now)
	if te, ok := errors.AsType[*CookieTooLargeError](err); ok {
		// Over the format's own limit: report it as the Manager's, with
		// the size measured.
		return "", &CookieTooLargeError{Size: len(c.cookie.Name) + te.Size, Limit: c.maxCookie}
	}
	if err != nil {
		return "", fmt.Errorf("session: encode: %w", err)
	}
	if size := len(c.cookie.Name) + len(value); size > c.maxCookie {
		return "", &CookieTooLargeError{Size: size, Limit: c.maxCookie}
	}
	return value, nil
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

// newCookie returns the session cookie with value; a non-zero expires makes
// it a persistent cookie. As Flask, it carries Expires but no Max-Age.
func (c *config) newCookie(value string, expires time.Time) *http.Cookie {
	o := &c.cookie
	return &http.Cookie{
		Name:        o.Name,
		Value:       value,
		Path:        o.Path,
		Domain:      o.Domain,
		Expires:     expires,
		Secure:      o.Secure,
		HttpOnly:    o.HttpOnly,
		SameSite:    o.SameSite,
		Partitioned: o.Partitioned,
	}
}

// deletionCookie returns the cookie that deletes the session cookie: empty,
// expired in 1970 and Max-Age=0, with the same attributes as the live one
// so that the browser matches it (FLASK_SESSION_SPEC.md §8).
func (c *config) deletionCookie() *http.Cookie {
	ck := c.newCookie("", time.Unix(0, 0))
	ck.MaxAge = -1
	return ck
}

// CookieTooLargeError reports a session whose cookie would be bigger than
// Manager.MaxCookieSize. It wraps ErrCookieTooLarge.
type CookieTooLargeError struct {
	Size  int // bytes of cookie name and value; 0 when only known to be over Limit
	Limit int // Manager.MaxCookieSize
}

// ErrCookieTooLarge is wrapped by *CookieTooLargeError.
var ErrCookieTooLarge = errors.New("session: cookie too large")

func (e *CookieTooLargeError) Error() string {
	size := "more than the limit"
	if e.Size > e.Limit {
		size = fmt.Sprintf("%d bytes", e.Size)
	}
	return fmt.Sprintf("session: cookie too large: %s of name and value, over the limit of %d that browsers keep; store less in the session, or keep sessions on the server (Manager.Store)", size, e.Limit)
}

// Unwrap returns ErrCookieTooLarge.
func (e *CookieTooLargeError) Unwrap() error { return ErrCookieTooLarge }
