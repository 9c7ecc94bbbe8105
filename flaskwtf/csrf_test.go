package flaskwtf

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	session "github.com/sessionkit/session"
	"github.com/sessionkit/session/flask"
	"github.com/sessionkit/session/sessiontest"
)

// testKey passes the session package's key policy.
const testKey = "Zq8vT3nW6yB1cR5mX0kP7sD2fG9hJ4lAe"

var t0 = time.Unix(1700000000, 0)

func newManager(t *testing.T) *session.Manager {
	t.Helper()
	m, err := session.New([]byte(testKey))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func newCSRF(t *testing.T, now time.Time) *CSRF {
	t.Helper()
	c, err := New([]byte(testKey))
	if err != nil {
		t.Fatal(err)
	}
	c.Now = func() time.Time { return now }
	return c
}

// inSession runs fn inside m's middleware for r, whose session holds
// values, and returns the response.
func inSession(t *testing.T, m *session.Manager, r *http.Request, values map[string]any, fn func(w http.ResponseWriter, r *http.Request, s *session.Session)) *http.Response {
	t.Helper()
	if len(values) > 0 {
		sessiontest.AddSession(t, m, r, values)
	}
	rec := httptest.NewRecorder()
	m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fn(w, r, session.FromContext(r.Context()))
	})).ServeHTTP(rec, r)
	return rec.Result()
}

var hex40 = regexp.MustCompile(`^[0-9a-f]{40}$`)

func TestTokenStoresRawTokenOnce(t *testing.T) {
	m := newManager(t)
	c := newCSRF(t, t0)
	var tok string
	resp := inSession(t, m, httptest.NewRequest("GET", "/", nil), nil, func(w http.ResponseWriter, r *http.Request, s *session.Session) {
		tok = c.Token(s)
		if err := c.Validate(s, tok); err != nil {
			t.Errorf("Validate(Token()) = %v", err)
		}
	})
	values, ok := sessiontest.SessionFrom(t, m, resp)
	if !ok {
		t.Fatal("Token did not save the session")
	}
	raw, _ := values[DefaultFieldName].(string)
	if !hex40.MatchString(raw) {
		t.Fatalf("raw token %q is not 40 lowercase hex digits", raw)
	}
	// A later request reuses the raw token and accepts the first token.
	resp = inSession(t, m, httptest.NewRequest("GET", "/", nil), values, func(w http.ResponseWriter, r *http.Request, s *session.Session) {
		if err := c.Validate(s, tok); err != nil {
			t.Errorf("Validate in the next request = %v", err)
		}
		c.Token(s)
	})
	if _, changed := sessiontest.SessionFrom(t, m, resp); changed {
		t.Error("Token changed a session that already held a raw token")
	}
	// A non-string under the key is replaced.
	inSession(t, m, httptest.NewRequest("GET", "/", nil), map[string]any{DefaultFieldName: 5}, func(w http.ResponseWriter, r *http.Request, s *session.Session) {
		tok := c.Token(s)
		if raw, _ := session.Get[string](s, DefaultFieldName); !hex40.MatchString(raw) {
			t.Errorf("a non-string raw token was kept: %v", raw)
		}
		if err := c.Validate(s, tok); err != nil {
			t.Errorf("Validate = %v", err)
		}
	})
}

// mac signs value with the CSRF's key, for hand-made tokens.
func mac(c *CSRF, value string) string {
	h := hmac.New(sha1.New, c.key)
	h.Write([]byte(value))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}

func TestValidate(t *testing.T) {
	m := newManager(t)
	c := newCSRF(t, t0)
	const raw = "0123456789abcdef0123456789abcdef01234567"
	good := c.sign(raw, t0)
	payload, rest, _ := strings.Cut(good, ".")
	ts, _, _ := strings.Cut(rest, ".")
	other, err := New([]byte(testKey + "x"))
	if err != nil {
		t.Fatal(err)
	}
	other.Now = c.Now
	// The session cookie's signer ("hmac" key derivation, another salt)
	// over the same value must not pass.
	sessionSigner, _ := flask.NewCustomSigner(salt, sha1.New, []byte(testKey))
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	nonString := "NQ." + ts // JSON 5
	nonString += "." + mac(c, nonString)
	compressed := "." + base64.RawURLEncoding.EncodeToString([]byte{0x78, 0x9c, 0x01, 0x00, 0x00, 0xff, 0xff}) + "." + ts
	compressed += "." + mac(c, compressed)

	tests := []struct {
		name    string
		session map[string]any
		token   string
		now     time.Time
		limit   time.Duration
		want    error
	}{
		{"valid", map[string]any{"csrf_token": raw}, good, t0, DefaultTimeLimit, nil},
		{"age at the limit", map[string]any{"csrf_token": raw}, good, t0.Add(time.Hour), DefaultTimeLimit, nil},
		{"a second past the limit", map[string]any{"csrf_token": raw}, good, t0.Add(time.Hour + time.Second), DefaultTimeLimit, ErrTokenExpired},
		{"signed a second in the future", map[string]any{"csrf_token": raw}, good, t0.Add(-time.Second), DefaultTimeLimit, ErrTokenExpired},
		{"no limit, old", map[string]any{"csrf_token": raw}, good, t0.Add(1000 * time.Hour), -1, nil},
		{"no limit, future", map[string]any{"csrf_token": raw}, good, t0.Add(-time.Hour), -1, nil},
		{"limit 0, same second", map[string]any{"csrf_token": raw}, good, t0, 0, nil},
		{"limit 0, next second", map[string]any{"csrf_token": raw}, good, t0.Add(time.Second), 0, ErrTokenExpired},
		{"empty token", map[string]any{"csrf_token": raw}, "", t0, DefaultTimeLimit, ErrTokenMissing},
		{"no raw token in the session", map[string]any{"x": 1}, good, t0, DefaultTimeLimit, ErrSessionTokenMissing},
		{"empty session", nil, good, t0, DefaultTimeLimit, ErrSessionTokenMissing},
		{"other raw token", map[string]any{"csrf_token": "f" + raw[1:]}, good, t0, DefaultTimeLimit, ErrTokenMismatch},
		{"non-string raw token", map[string]any{"csrf_token": 5}, good, t0, DefaultTimeLimit, ErrTokenMismatch},
		{"tampered signature", map[string]any{"csrf_token": raw}, flip(good, len(good)-2), t0, DefaultTimeLimit, ErrTokenInvalid},
		{"tampered payload", map[string]any{"csrf_token": raw}, flip(good, 3), t0, DefaultTimeLimit, ErrTokenInvalid},
		{"tampered timestamp", map[string]any{"csrf_token": raw}, payload + "." + flip(ts, 1) + good[len(payload)+len(ts)+1:], t0, DefaultTimeLimit, ErrTokenInvalid},
		{"expired and tampered", map[string]any{"csrf_token": raw}, flip(good, len(good)-2), t0.Add(2 * time.Hour), DefaultTimeLimit, ErrTokenInvalid},
		{"other key", map[string]any{"csrf_token": raw}, other.sign(raw, t0), t0, DefaultTimeLimit, ErrTokenInvalid},
		{"session cookie signer", map[string]any{"csrf_token": raw}, sessionSigner.Sign(payload, t0), t0, DefaultTimeLimit, ErrTokenInvalid},
		{"padded signature", map[string]any{"csrf_token": raw}, good + "=", t0, DefaultTimeLimit, ErrTokenInvalid},
		{"two parts", map[string]any{"csrf_token": raw}, payload + "." + ts, t0, DefaultTimeLimit, ErrTokenInvalid},
		{"not a token", map[string]any{"csrf_token": raw}, "csrf", t0, DefaultTimeLimit, ErrTokenInvalid},
		{"signed non-string", map[string]any{"csrf_token": raw}, nonString, t0, DefaultTimeLimit, ErrTokenInvalid},
		{"signed bad zlib", map[string]any{"csrf_token": raw}, compressed, t0, DefaultTimeLimit, ErrTokenInvalid},
		{"too long", map[string]any{"csrf_token": raw}, good + strings.Repeat("A", maxTokenLen), t0, DefaultTimeLimit, ErrTokenInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cc := *c
			cc.TimeLimit = tt.limit
			cc.Now = func() time.Time { return tt.now }
			inSession(t, m, httptest.NewRequest("GET", "/", nil), tt.session, func(w http.ResponseWriter, r *http.Request, s *session.Session) {
				if err := cc.Validate(s, tt.token); err != tt.want {
					t.Errorf("Validate = %v, want %v", err, tt.want)
				}
			})
		})
	}
	if err := c.Validate(nil, good); err != ErrSessionTokenMissing {
		t.Errorf("Validate(nil session) = %v", err)
	}
}

func TestCheck(t *testing.T) {
	m := newManager(t)
	c := newCSRF(t, t0)
	const raw = "0123456789abcdef0123456789abcdef01234567"
	tok := c.sign(raw, t0)
	form := func(v url.Values) string { return v.Encode() }
	tests := []struct {
		name   string
		method string
		body   string
		ctype  string
		header map[string]string
		target string
		tls    bool
		host   string
		noSSL  bool
		want   error
	}{
		{name: "GET passes without a token", method: "GET", want: nil},
		{name: "HEAD passes", method: "HEAD", want: nil},
		{name: "OPTIONS passes", method: "OPTIONS", want: nil},
		{name: "POST without a token", method: "POST", want: ErrTokenMissing},
		{name: "lowercase post is POST", method: "post", want: ErrTokenMissing},
		{name: "PUT without a token", method: "PUT", want: ErrTokenMissing},
		{name: "PATCH without a token", method: "PATCH", want: ErrTokenMissing},
		{name: "DELETE without a token", method: "DELETE", want: ErrTokenMissing},
		{name: "form field", method: "POST", body: form(url.Values{"csrf_token": {tok}})},
		{name: "multipart field", method: "POST", body: "--b\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n" + tok + "\r\n--b--\r\n", ctype: "multipart/form-data; boundary=b"},
		{name: "prefixed form field", method: "POST", body: form(url.Values{"login-csrf_token": {tok}})},
		{name: "empty field, prefixed field", method: "POST", body: form(url.Values{"csrf_token": {""}, "a-csrf_token": {tok}})},
		{name: "field wins over header", method: "POST", body: form(url.Values{"csrf_token": {"bad"}}), header: map[string]string{"X-CSRFToken": tok}, want: ErrTokenInvalid},
		{name: "second value of the field is ignored", method: "POST", body: "csrf_token=&csrf_token=" + tok, want: ErrTokenMissing},
		{name: "X-CSRFToken header", method: "POST", header: map[string]string{"X-CSRFToken": tok}},
		{name: "X-CSRF-Token header", method: "DELETE", header: map[string]string{"X-CSRF-Token": tok}},
		{name: "other header", method: "POST", header: map[string]string{"X-XSRF-Token": tok}, want: ErrTokenMissing},
		{name: "query string is not the form", method: "POST", target: "/?csrf_token=" + url.QueryEscape(tok), want: ErrTokenMissing},
		{name: "bad token", method: "POST", body: form(url.Values{"csrf_token": {tok + "x"}}), want: ErrTokenInvalid},
		{name: "https without referer", method: "POST", body: form(url.Values{"csrf_token": {tok}}), tls: true, want: ErrRefererMissing},
		{name: "https, bad token before referer", method: "POST", body: form(url.Values{"csrf_token": {"x"}}), tls: true, want: ErrTokenInvalid},
		{name: "https, same origin", method: "POST", body: form(url.Values{"csrf_token": {tok}}), tls: true, header: map[string]string{"Referer": "https://example.com/form?a=1"}},
		{name: "https, same origin, case", method: "POST", body: form(url.Values{"csrf_token": {tok}}), tls: true, header: map[string]string{"Referer": "HTTPS://EXAMPLE.com/form"}},
		{name: "https, http referer", method: "POST", body: form(url.Values{"csrf_token": {tok}}), tls: true, header: map[string]string{"Referer": "http://example.com/form"}, want: ErrRefererMismatch},
		{name: "https, other host", method: "POST", body: form(url.Values{"csrf_token": {tok}}), tls: true, header: map[string]string{"Referer": "https://evil.example/"}, want: ErrRefererMismatch},
		{name: "https, other port", method: "POST", body: form(url.Values{"csrf_token": {tok}}), tls: true, header: map[string]string{"Referer": "https://example.com:8443/"}, want: ErrRefererMismatch},
		{name: "https, referer spells :443", method: "POST", body: form(url.Values{"csrf_token": {tok}}), tls: true, header: map[string]string{"Referer": "https://example.com:443/"}, want: ErrRefererMismatch},
		{name: "https, host spells :443", method: "POST", body: form(url.Values{"csrf_token": {tok}}), tls: true, host: "example.com:443", header: map[string]string{"Referer": "https://example.com/"}},
		{name: "https, host with port", method: "POST", body: form(url.Values{"csrf_token": {tok}}), tls: true, host: "example.com:8443", header: map[string]string{"Referer": "https://example.com:8443/x"}},
		{name: "https, bad referer port", method: "POST", body: form(url.Values{"csrf_token": {tok}}), tls: true, header: map[string]string{"Referer": "https://example.com:99999/"}, want: ErrRefererMismatch},
		{name: "https, SSL strict off", method: "POST", body: form(url.Values{"csrf_token": {tok}}), tls: true, noSSL: true},
		{name: "http needs no referer", method: "POST", body: form(url.Values{"csrf_token": {tok}})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := tt.target
			if target == "" {
				target = "/"
			}
			r := httptest.NewRequest(tt.method, "http://example.com"+target, strings.NewReader(tt.body))
			if tt.body != "" {
				ct := tt.ctype
				if ct == "" {
					ct = "application/x-www-form-urlencoded"
				}
				r.Header.Set("Content-Type", ct)
			}
			for k, v := range tt.header {
				r.Header.Set(k, v)
			}
			if tt.tls {
				r.TLS = &tls.ConnectionState{}
			}
			if tt.host != "" {
				r.Host = tt.host
			}
			cc := *c
			cc.SSLStrict = !tt.noSSL
			inSession(t, m, r, map[string]any{"csrf_token": raw}, func(w http.ResponseWriter, r *http.Request, s *session.Session) {
				if err := cc.Check(r); err != tt.want {
					t.Errorf("Check = %v, want %v", err, tt.want)
				}
			})
		})
	}
}

func TestHandler(t *testing.T) {
	m := newManager(t)
	c := newCSRF(t, t0)
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })

	rec := httptest.NewRecorder()
	m.Handler(c.Handler(ok)).ServeHTTP(rec, httptest.NewRequest("POST", "/", nil))
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "The CSRF token is missing.") {
		t.Errorf("refused POST: %d %q", rec.Code, rec.Body)
	}

	var got error
	c.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		got = err
		w.WriteHeader(http.StatusForbidden)
	}
	rec = httptest.NewRecorder()
	m.Handler(c.Handler(ok)).ServeHTTP(rec, httptest.NewRequest("POST", "/", nil))
	if rec.Code != http.StatusForbidden || !errors.Is(got, ErrTokenMissing) {
		t.Errorf("ErrorHandler: %d, %v", rec.Code, got)
	}

	rec = httptest.NewRecorder()
	m.Handler(c.Handler(ok)).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Body.String() != "ok" {
		t.Errorf("GET: %d %q", rec.Code, rec.Body)
	}

	rec = httptest.NewRecorder()
	c.Handler(ok).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != http.StatusInternalServerError {
		t.Errorf("outside the session middleware: %d %q", rec.Code, rec.Body)
	}
}

func TestReason(t *testing.T) {
	for err, want := range reasons {
		if Reason(err) != want {
			t.Errorf("Reason(%v) = %q", err, Reason(err))
		}
	}
	if Reason(errors.New("x")) != "x" {
		t.Error("Reason of another error")
	}
}

func TestNewRefusesEmptyKey(t *testing.T) {
	if _, err := New(nil); err == nil {
		t.Error("New(nil) succeeded")
	}
}
