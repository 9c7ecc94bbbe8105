package flasklogin

import (
	"crypto/hmac"
	"crypto/sha512"
	"encoding/hex"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// EncodeCookie returns the value of Flask-Login's remember-me cookie for
// userID, as its encode_cookie: userID "|" the hex HMAC-SHA512 of userID
// keyed with the secret key.
func (m *Manager) EncodeCookie(userID string) string {
	return userID + "|" + m.digest(userID)
}

// DecodeCookie returns the user ID a remember-me cookie value carries, and
// whether its digest verifies, as Flask-Login's decode_cookie (the value
// splits at its last "|"; the digest is compared in constant time).
func (m *Manager) DecodeCookie(value string) (string, bool) {
	i := strings.LastIndexByte(value, '|')
	if i < 0 {
		return "", false
	}
	payload, digest := value[:i], value[i+1:]
	if !hmac.Equal([]byte(m.digest(payload)), []byte(digest)) {
		return "", false
	}
	return payload, true
}

func (m *Manager) digest(payload string) string {
	h := hmac.New(sha512.New, m.key)
	h.Write([]byte(payload))
	return hex.EncodeToString(h.Sum(nil))
}

// RememberCookie holds the settings of Flask-Login's remember-me cookie
// (REMEMBER_COOKIE_*). New fills in Flask-Login's defaults.
type RememberCookie struct {
	// Name is REMEMBER_COOKIE_NAME. Default DefaultCookieName.
	Name string
	// Duration is REMEMBER_COOKIE_DURATION, the cookie's lifetime unless
	// the login gave one (LoginOptions.Duration). Default
	// DefaultCookieDuration.
	Duration time.Duration
	// Domain is REMEMBER_COOKIE_DOMAIN. Default none.
	Domain string
	// Path is REMEMBER_COOKIE_PATH. Default "/".
	Path string
	// Secure is REMEMBER_COOKIE_SECURE. Default false, as in Flask-Login;
	// set it on HTTPS sites.
	Secure bool
	// HttpOnly is REMEMBER_COOKIE_HTTPONLY. Default true.
	HttpOnly bool
	// SameSite is REMEMBER_COOKIE_SAMESITE. Default none (the attribute is
	// left out).
	SameSite http.SameSite
}

// setCookie is Flask-Login's _set_cookie: the remember-me cookie for
// userID, expiring after d.
func (m *Manager) setCookie(w http.ResponseWriter, userID string, d time.Duration) {
	c := m.Cookie
	attrs := (&http.Cookie{
		Name:     c.Name,
		Path:     c.Path,
		Domain:   c.Domain,
		Expires:  m.now().Add(d),
		Secure:   c.Secure,
		HttpOnly: c.HttpOnly,
		SameSite: c.SameSite,
	}).String()
	// The value is quoted as werkzeug quotes it (Go's http.Cookie drops
	// the bytes it would need escapes for), so that user IDs with commas,
	// quotes or non-ASCII letters survive the round trip to Flask.
	w.Header().Add("Set-Cookie", c.Name+"="+quoteCookie(m.EncodeCookie(userID))+attrs[len(c.Name)+1:])
}

// clearCookie is Flask-Login's _clear_cookie: werkzeug's delete_cookie
// with only the name, domain and path.
func (m *Manager) clearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name:    m.Cookie.Name,
		Path:    m.Cookie.Path,
		Domain:  m.Cookie.Domain,
		Expires: time.Unix(0, 0),
		MaxAge:  -1,
	})
}

// legalCookieByte reports the bytes werkzeug writes in a cookie value
// without quoting.
func legalCookieByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		strings.IndexByte("/=!#$%&'*+-.^_`|~:", c) >= 0
}

// quoteCookie is werkzeug's _cookie_quote (2.x) of the UTF-8 bytes of v:
// v as is when every byte is legal, else in double quotes with "," ";"
// as \054 \073, `"` and `\` backslashed, and bytes below 0x20 or from
// 0x7f as three-digit octal escapes.
func quoteCookie(v string) string {
	legal := true
	for i := 0; i < len(v); i++ {
		legal = legal && legalCookieByte(v[i])
	}
	if legal {
		return v
	}
	b := make([]byte, 0, len(v)+8)
	b = append(b, '"')
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == ',':
			b = append(b, `\054`...)
		case c == ';':
			b = append(b, `\073`...)
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20 || c >= 0x7f:
			b = append(b, '\\', '0'+c>>6, '0'+c>>3&7, '0'+c&7)
		default:
			b = append(b, c)
		}
	}
	return string(append(b, '"'))
}

// requestCookie returns the first cookie named name in r as werkzeug 2.x
// parses and unquotes it (octal escapes, backslashed characters), then
// decodes it as UTF-8 replacing invalid bytes, and whether it is present.
// net/http's own parser drops values with backslashes, which werkzeug
// writes for many user IDs.
func requestCookie(r *http.Request, name string) (string, bool) {
	for _, line := range r.Header["Cookie"] {
		for line != "" {
			var key, val string
			key, val, line = nextCookie(line)
			if strings.TrimSpace(key) == name {
				return strings.ToValidUTF8(unquoteCookie(val), string(utf8.RuneError)), true
			}
		}
	}
	return "", false
}

// isSpace is the whitespace of Python's bytes regular expressions (\s).
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// nextCookie splits the first pair off a Cookie header the way werkzeug's
// _cookie_re matches it: a key up to "=" or ";", then either a quoted
// string followed by optional whitespace and ";", or anything up to the
// next ";" less trailing whitespace.
func nextCookie(s string) (key, val, rest string) {
	i := strings.IndexAny(s, "=;")
	if i < 0 {
		return s, "", ""
	}
	key = s[:i]
	if s[i] == ';' {
		return key, "", s[i+1:]
	}
	j := i + 1
	for j < len(s) && isSpace(s[j]) {
		j++
	}
	if j < len(s) && s[j] == '"' {
		// The quoted form, if it ends and only whitespace follows to ";"
		// or the end.
		k := j + 1
		for k < len(s) && s[k] != '"' {
			if s[k] == '\\' {
				k++
			}
			k++
		}
		if k < len(s) {
			e := k + 1
			for e < len(s) && isSpace(s[e]) {
				e++
			}
			if e == len(s) || s[e] == ';' {
				if e < len(s) {
					e++
				}
				return key, s[j : k+1], s[e:]
			}
		}
	}
	end := strings.IndexByte(s[j:], ';')
	if end < 0 {
		end, rest = len(s), ""
	} else {
		end, rest = j+end, s[j+end+1:]
	}
	val = s[j:end]
	for val != "" && isSpace(val[len(val)-1]) {
		val = val[:len(val)-1]
	}
	return key, val, rest
}

// unquoteCookie is werkzeug's _cookie_unquote (2.x): a value in double
// quotes loses them, \ooo (first digit 0-3) becomes that byte and \c
// becomes c.
func unquoteCookie(v string) string {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return v
	}
	v = v[1 : len(v)-1]
	isOctal := func(c byte, max byte) bool { return '0' <= c && c <= max }
	b := make([]byte, 0, len(v))
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c != '\\' || i+1 == len(v) {
			b = append(b, c)
			continue
		}
		if i+3 < len(v) && isOctal(v[i+1], '3') && isOctal(v[i+2], '7') && isOctal(v[i+3], '7') {
			b = append(b, (v[i+1]-'0')<<6|(v[i+2]-'0')<<3|(v[i+3]-'0'))
			i += 3
			continue
		}
		b = append(b, v[i+1])
		i++
	}
	return string(b)
}
