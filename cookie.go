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

// testHookDecode, when set (by tests), runs on every decoding of a data
// cookie: every request whose cookie is not in the cache.
var testHookDecode func()

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
	tooMany := false
	readCookies(r, c.cookie.Name, func(value string) bool {
		if value == "" || contains(vals[:n], value) {
			return true
		}
		if n == maxCandidates {
			tooMany = true
			return false
		}
		vals[n] = value
		n++
		return true
	})
	if tooMany {
		c.logger.LogAttrs(ctx, slog.LevelWarn,
			"session: more session cookies than checked (cookie tossing?); refusing all of them",
			slog.Int("limit", maxCandidates), slog.String("path", r.URL.Path))
		return verified{}, false
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

// maxScanCookies is the most cookies a request may carry for readCookies
// to read them itself; beyond it, net/http's Request.CookiesNamed does, with
// its own limit (3000 cookies by default, GODEBUG httpcookiemaxnum).
const maxScanCookies = 64

// readCookies calls yield with the value of each cookie called name that r
// carries, in order, until yield returns false: the values
// Request.CookiesNamed returns (net/http's readCookies: each Cookie header
// cut at ";", parts trimmed of ASCII spaces, cut at the first "=", the name
// trimmed, a value between double quotes unquoted, a value with a byte
// outside RFC 6265's cookie-octets skipped), without allocating. name is a
// valid cookie name (CookieOptions.validate). TestReadCookies compares the
// two on many headers, FuzzReadCookies on any.
func readCookies(r *http.Request, name string, yield func(value string) bool) {
	lines := r.Header["Cookie"]
	count := 0
	for _, line := range lines {
		count += strings.Count(line, ";") + 1
	}
	if count > maxScanCookies {
		// Beyond what a browser sends for one site: let net/http apply its
		// limits (a request over them carries no cookies at all).
		for _, ck := range r.CookiesNamed(name) {
			if !yield(ck.Value) {
				return
			}
		}
		return
	}
	for _, line := range lines {
		for line != "" {
			var part string
			part, line, _ = strings.Cut(line, ";")
			part = trimASCIISpace(part)
			if part == "" {
				continue
			}
			k, v, _ := strings.Cut(part, "=")
			if trimASCIISpace(k) != name {
				continue
			}
			if len(v) > 1 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
			if !validCookieValue(v) {
				continue
			}
			if !yield(v) {
				return
			}
		}
	}
}

// trimASCIISpace is textproto.TrimString: s without leading and trailing
// spaces, tabs, CRs and LFs.
func trimASCIISpace(s string) string {
	for len(s) > 0 && isASCIISpace(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isASCIISpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

func isASCIISpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

// validCookieValue reports whether every byte of v is a cookie-octet as
// net/http reads them (RFC 6265 §4.1.1, with spaces and commas allowed):
// 0x20 to 0x7e but for '"', ';' and '\\'. It looks at eight bytes at a
// time, since session cookies are long.
func validCookieValue(v string) bool {
	const (
		lo = 0x0101010101010101
		hi = 0x8080808080808080
	)
	// zero has the high bit of each byte of x that is 0 set (and no
	// other bits set when none is 0).
	zero := func(x uint64) uint64 { return (x - lo) & ^x & hi }
	i := 0
	for ; i+8 <= len(v); i += 8 {
		w := uint64(v[i]) | uint64(v[i+1])<<8 | uint64(v[i+2])<<16 | uint64(v[i+3])<<24 |
			uint64(v[i+4])<<32 | uint64(v[i+5])<<40 | uint64(v[i+6])<<48 | uint64(v[i+7])<<56
		// Every byte below 0x80; then: none is 0x7f (adding 1 sets its
		// high bit), none below 0x20 (subtracting 0x20 borrows), and none
		// is '"', ';' or '\\'.
		if w&hi != 0 || (w+lo)&hi != 0 || (w-0x20*lo)&^w&hi != 0 ||
			zero(w^('"'*lo))|zero(w^(';'*lo))|zero(w^('\\'*lo)) != 0 {
			return false
		}
	}
	for ; i < len(v); i++ {
		if b := v[i]; b < 0x20 || b >= 0x7f || b == '"' || b == ';' || b == '\\' {
			return false
		}
	}
	return true
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
	d, shared, err := c.decodeData(v.data)
	if err != nil {
		// The signature verified: something that holds the key wrote a
		// cookie Flask would fail on too.
		c.logger.LogAttrs(ctx, slog.LevelWarn, "session: signed cookie with an unreadable payload; starting an empty session",
			slog.String("reason", err.Error()))
		return
	}
	created := d.created
	if c.expired(created, now) {
		c.logger.LogAttrs(ctx, slog.LevelDebug, "session: absolute timeout reached; starting an empty session")
		return
	}
	s.values = d.values
	if shared {
		s.base, s.shared = d.values, true
	}
	s.from = origin{place: placeCookie, raw: v.raw, cookie: v.data, created: created, owner: d.owner, gen: d.gen, nonce: d.nonce,
		rewrite: v.data.signed}
	if c.absTimeout > 0 && created == 0 && len(d.values) > 0 {
		// A session begun before AbsoluteTimeout was configured, or by
		// Flask: its clock starts now, and the cookie must learn it.
		s.from.created = now.Unix()
		s.from.rewrite = true
	}
}

// decodeData returns the content of the verified data cookie o: from the
// cache of verified cookies when o's text is there, else decoded (and
// then kept in the cache). shared reports that the values belong to the
// cache: the session must copy them before changing them (Session.own).
func (c *config) decodeData(o opened) (d decoded, shared bool, err error) {
	key := o.cacheKey()
	if c.cache != nil {
		if e := c.cache.get(key); e != nil {
			return e.data, true, nil
		}
	}
	if testHookDecode != nil {
		testHookDecode()
	}
	values, err := c.format.decode(o)
	if err != nil {
		return decoded{}, false, err
	}
	d.values = values
	d.created, d.owner, d.gen, d.nonce = takeReserved(values)
	if c.cache == nil {
		return d, false, nil
	}
	// The key is part of the request's Cookie header: the entry keeps a
	// copy of its own.
	key.text = strings.Clone(key.text)
	c.cache.put(key, d)
	return d, true, nil
}

// cacheValues returns a new map of s's values as decoding the cookie
// written will give them, so that the cache can keep it (encode): the values
// s read from the cache and neither changed nor lent, shared with their
// entry (neither entry is ever written); the others copied by decodedForm.
// ok is false when a value's decoded form is not a copy (the map then
// holds it as it is, to be encoded, not kept).
func cacheValues(s *Session) (values map[string]any, ok bool) {
	values = make(map[string]any, len(s.values)+4)
	ok = true
	for k, v := range s.values {
		if ok && !s.pristine(k) {
			if d, copied := decodedForm(v); copied {
				v = d
			} else {
				ok = false
			}
		}
		values[k] = v
	}
	return values, ok
}

// expired reports whether a session begun at created (Unix seconds; 0
// unknown) is past the absolute timeout.
func (c *config) expired(created int64, now time.Time) bool {
	return c.absTimeout > 0 && created != 0 && now.Unix()-created > int64(c.absTimeout/time.Second)
}

func (b cookieBackend) save(ctx context.Context, s *Session, now time.Time) (sessionCookie, error) {
	c := b.c
	switch c.planCookie(s) {
	case stepErase:
		return eraseCookie, nil
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
			return sessionCookie{}, err
		}
		return sessionCookie{value: value, expires: c.expires(s, iat)}, nil
	case stepWrite:
		value, err := b.encode(s, now)
		if err != nil {
			return sessionCookie{}, err
		}
		return sessionCookie{value: value, expires: c.expires(s, now)}, nil
	}
	return sessionCookie{}, nil
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
	// made: values is a new map, the session's values in the form decoding
	// gives them (cacheValues), which the cache can keep as it is; made
	// when the reserved keys must be added anyway (one map for the cookie
	// and the cache), else only once the cookie is known to be new to the
	// cache.
	made, keepable := false, false
	if reserved := s.from.created != 0 || owner != "" || s.from.nonce != ""; reserved {
		if c.cache != nil {
			values, keepable = cacheValues(s)
		} else {
			values = maps.Clone(s.values)
		}
		made = true
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
	value, key, err := c.format.encode(values, now)
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
	if c.cache != nil && c.cache.get(key) == nil {
		if !made {
			values, keepable = cacheValues(s)
		}
		if keepable {
			d := decoded{values: values}
			d.created, d.owner, d.gen, d.nonce = takeReserved(values)
			c.cache.put(key, d)
		}
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

// sessionCookie is the Set-Cookie a save sends: the session cookie's
// value and expiry, or its deletion; its name and attributes are the
// configuration's (config.header writes them). The zero value sends
// nothing.
type sessionCookie struct {
	value   string
	expires time.Time // zero: a browser-session cookie. As Flask: Expires, no Max-Age
	erase   bool      // the deletion cookie
}

// eraseCookie deletes the session cookie: empty, expired in 1970 and
// Max-Age=0, with the same attributes as the live one so that the browser
// matches it (FLASK_SESSION_SPEC.md §8).
var eraseCookie = sessionCookie{expires: time.Unix(0, 0), erase: true}

// none reports whether ck sends nothing.
func (ck sessionCookie) none() bool { return ck.value == "" && !ck.erase }

// cookieHeader is the part of the session's Set-Cookie header that the
// configuration fixes, as net/http writes it (compile asks
// http.Cookie.String for it, so that paths and domains are written as
// net/http writes them).
type cookieHeader struct {
	name  string // "name="
	where string // "; Path=...; Domain=..."
	flags string // "; HttpOnly; Secure; SameSite=...; Partitioned"
}

func newCookieHeader(o *CookieOptions) cookieHeader {
	// The name is a token (validate), so String writes "name=v" first.
	head := len(o.Name) + len("=v")
	where := (&http.Cookie{Name: o.Name, Value: "v", Path: o.Path, Domain: o.Domain}).String()
	flags := (&http.Cookie{Name: o.Name, Value: "v", HttpOnly: o.HttpOnly, Secure: o.Secure,
		SameSite: o.SameSite, Partitioned: o.Partitioned}).String()
	return cookieHeader{name: o.Name + "=", where: where[head:], flags: flags[head:]}
}

// header returns the Set-Cookie header of ck: byte for byte what
// http.Cookie.String writes for the same cookie (TestSetCookieHeader
// compares them over every attribute), in one allocation, and without
// String's checks of the value: the values the Manager writes are
// base64url, dots and "~" only (Flask's and ID cookies: itsdangerous's
// payload.timestamp.signature, an ID's payload starting with "sk~"; SK1
// tokens: base64url), which String writes as they are
// (TestCookieValueAlphabet).
func (c *config) header(ck sessionCookie) string {
	h := &c.setCookie
	var date [len(http.TimeFormat)]byte
	var expires []byte
	// RFC 6265 §5.1.1: net/http writes no Expires before 1601.
	if ck.expires.Year() >= 1601 {
		expires = ck.expires.UTC().AppendFormat(date[:0], http.TimeFormat)
	}
	n := len(h.name) + len(ck.value) + len(h.where) + len(h.flags)
	if expires != nil {
		n += len("; Expires=") + len(expires)
	}
	if ck.erase {
		n += len("; Max-Age=0")
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(h.name)
	b.WriteString(ck.value)
	b.WriteString(h.where)
	if expires != nil {
		b.WriteString("; Expires=")
		b.Write(expires)
	}
	if ck.erase {
		b.WriteString("; Max-Age=0")
	}
	b.WriteString(h.flags)
	return b.String()
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
