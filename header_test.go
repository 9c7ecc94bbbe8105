package session

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/session/seal"
)

// httpCookie is the http.Cookie whose String the Set-Cookie header of ck
// must equal.
func (c *config) httpCookie(ck sessionCookie) *http.Cookie {
	o := &c.cookie
	hc := &http.Cookie{
		Name:        o.Name,
		Value:       ck.value,
		Path:        o.Path,
		Domain:      o.Domain,
		Expires:     ck.expires,
		Secure:      o.Secure,
		HttpOnly:    o.HttpOnly,
		SameSite:    o.SameSite,
		Partitioned: o.Partitioned,
	}
	if ck.erase {
		hc.MaxAge = -1
	}
	return hc
}

// TestSetCookieHeader compares the Set-Cookie header the middleware
// builds with what net/http writes for the same cookie, over every
// combination of the attributes, and the values and expiries the Manager
// writes.
func TestSetCookieHeader(t *testing.T) {
	m, err := New([]byte(cacheKeyA))
	if err != nil {
		t.Fatal(err)
	}
	flaskValue, err := m.Codec().Encode(map[string]any{"usuario": "Maria", "nomes": []any{"Ana", "João"}}, cacheNow)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := NewSealed(seal.Scope{Purpose: "session"}, []byte(cacheKeyA))
	if err != nil {
		t.Fatal(err)
	}
	sealedValue, err := sealed.Sealer().Seal("session", []byte(`{"a":"b"}`), cacheNow)
	if err != nil {
		t.Fatal(err)
	}
	idValue := m.IDSigner().Sign(idPrefix+newStoreID(), cacheNow)
	values := []string{flaskValue, "." + flaskValue, sealedValue, idValue, "a", strings.Repeat("x", 4000)}
	expiries := []time.Time{
		{}, time.Unix(0, 0), cacheNow, cacheNow.Add(31 * 24 * time.Hour),
		time.Date(1600, 12, 31, 23, 59, 59, 0, time.UTC), time.Date(1601, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999, time.FixedZone("x", -3600)),
		time.Date(2030, 6, 1, 12, 0, 0, 5, time.FixedZone("y", 5*3600+1800)),
	}
	n := 0
	for _, name := range []string{"session", "__Host-s", "__Secure-s", "a_b-c.d"} {
		for _, path := range []string{"/", "/app", "/a b/c", "/%7e~!$&'()*+,=:@"} {
			for _, domain := range []string{"", "example.com", ".example.com", "sub.example.co.uk", "127.0.0.1"} {
				for _, secure := range []bool{false, true} {
					for _, httpOnly := range []bool{false, true} {
						for _, sameSite := range []http.SameSite{http.SameSiteLaxMode, http.SameSiteStrictMode, http.SameSiteNoneMode} {
							for _, partitioned := range []bool{false, true} {
								o := CookieOptions{Name: name, Path: path, Domain: domain, Secure: secure,
									HttpOnly: httpOnly, SameSite: sameSite, Partitioned: partitioned}
								if o.validate() != nil {
									continue
								}
								c := &config{cookie: o}
								c.setCookie = newCookieHeader(&c.cookie)
								for _, v := range values {
									for _, exp := range expiries {
										ck := sessionCookie{value: v, expires: exp}
										if got, want := c.header(ck), c.httpCookie(ck).String(); got != want {
											t.Fatalf("options %+v, cookie %+v:\n got %s\nwant %s", o, ck, got, want)
										}
										n++
									}
								}
								if got, want := c.header(eraseCookie), c.httpCookie(eraseCookie).String(); got != want {
									t.Fatalf("options %+v, deletion:\n got %s\nwant %s", o, got, want)
								}
							}
						}
					}
				}
			}
		}
	}
	if n < 10000 {
		t.Fatalf("only %d combinations compared", n)
	}
}

// TestCookieValueAlphabet checks what TestSetCookieHeader assumes of the
// values: every value the Manager writes is base64url, dots and the ID
// cookies' "~" only, which http.Cookie.String writes as they are.
func TestCookieValueAlphabet(t *testing.T) {
	ok := func(v string) bool {
		for i := 0; i < len(v); i++ {
			c := v[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~') {
				return false
			}
		}
		return true
	}
	for _, sealed := range []bool{false, true} {
		m, _ := cacheManager(t, cacheKeyA, sealed)
		for name, values := range testSessions() {
			rec := serveCookie(m.Handler(writer(t, values)), "")
			v := setCookieValue(t, rec)
			if !ok(v) {
				t.Errorf("sealed=%v %s: value %q", sealed, name, v)
			}
			if got, want := rec.Header().Get("Set-Cookie"), (&http.Cookie{Name: "session", Value: v}).String(); !strings.HasPrefix(got, want+";") {
				t.Errorf("sealed=%v %s: header %q does not start as net/http writes the value: %q", sealed, name, got, want)
			}
		}
	}
	m, _ := cacheManager(t, cacheKeyA, false)
	if v := m.IDSigner().Sign(idPrefix+newStoreID(), cacheNow); !ok(v) {
		t.Errorf("ID cookie value %q", v)
	}
}

// cookieHeaders are Cookie header lines for TestReadCookies and the seeds
// of FuzzReadCookies.
var cookieHeaders = [][]string{
	nil,
	{""},
	{"session=abc"},
	{"session=abc; session=def"},
	{" session = abc ;session=\"quoted\"; other=x"},
	{"session=\"unbalanced; session=a\"b; session=a;b"},
	{"session=\"\"", "session=\"", "session=\"x\""},
	{"session=sp ace; session=com,ma; session=tab\tx; session=\x7f; session=é"},
	{"\tsession=a\r\n", "session=b;;;session=c", "Session=d; session_=e; session"},
	{"session=a=b=c; =session; session=; session= ;"},
	{strings.Repeat("x=1; ", 70) + "session=many"},
	{"session=" + strings.Repeat("a", 4000)},
}

// TestReadCookies compares readCookies with Request.CookiesNamed.
func TestReadCookies(t *testing.T) {
	for _, lines := range cookieHeaders {
		checkReadCookies(t, lines)
	}
}

func checkReadCookies(t *testing.T, lines []string) {
	t.Helper()
	for _, name := range []string{"session", "x", "Session"} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header["Cookie"] = lines
		var want, got []string
		for _, c := range r.CookiesNamed(name) {
			want = append(want, c.Value)
		}
		readCookies(r, name, func(v string) bool { got = append(got, v); return true })
		if !slices.Equal(got, want) {
			t.Fatalf("Cookie %q, name %q: readCookies %q, CookiesNamed %q", lines, name, got, want)
		}
		// Stopping early.
		var first []string
		readCookies(r, name, func(v string) bool { first = append(first, v); return false })
		if len(want) > 0 && !slices.Equal(first, want[:1]) || len(want) == 0 && first != nil {
			t.Fatalf("Cookie %q, name %q: stopped after %q, want the first of %q", lines, name, first, want)
		}
	}
}

// FuzzReadCookies compares readCookies with Request.CookiesNamed on any
// Cookie header.
func FuzzReadCookies(f *testing.F) {
	for _, lines := range cookieHeaders {
		f.Add(strings.Join(lines, "\n"))
	}
	f.Fuzz(func(t *testing.T, text string) {
		checkReadCookies(t, strings.Split(text, "\n"))
	})
}

// TestValidCookieValue compares the word-at-a-time check with the byte
// check net/http makes, for every byte at every position of a word.
func TestValidCookieValue(t *testing.T) {
	ref := func(v string) bool {
		for i := 0; i < len(v); i++ {
			if b := v[i]; b < 0x20 || b >= 0x7f || b == '"' || b == ';' || b == '\\' {
				return false
			}
		}
		return true
	}
	base := []byte("abcdefghijklmnopqrstuvwx")
	for pos := range base {
		for c := range 256 {
			for _, other := range []int{-1, (pos + 3) % len(base)} {
				b := slices.Clone(base)
				b[pos] = byte(c)
				if other >= 0 {
					b[other] = byte(255 - c)
				}
				for _, v := range []string{string(b), string(b[1:]), string(b[:len(b)-3])} {
					if got, want := validCookieValue(v), ref(v); got != want {
						t.Fatalf("validCookieValue(%q) = %v, want %v", v, got, want)
					}
				}
			}
		}
	}
}

// TestSessionContext checks the request's context: it carries the session
// for FromContext, answers other keys from its parent, and keeps the
// parent's cancellation (context.Cause, AfterFunc).
func TestSessionContext(t *testing.T) {
	m, _ := cacheManager(t, cacheKeyA, false)
	type key struct{}
	cause := errors.New("gone")
	parent, cancel := context.WithCancelCause(context.WithValue(context.Background(), key{}, "parent value"))
	var report string
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		fired := make(chan struct{})
		context.AfterFunc(ctx, func() { close(fired) })
		child, stop := context.WithCancel(ctx)
		defer stop()
		cancel(cause)
		<-fired
		<-child.Done()
		report = fmt.Sprintf("%v %v %v %v %v", FromContext(ctx) != nil, FromContext(child) != nil,
			ctx.Value(key{}), context.Cause(ctx) == cause, strings.HasSuffix(fmt.Sprint(ctx), ".WithValue(session)"))
	}))
	req := httptest.NewRequest("GET", "/", nil).WithContext(parent)
	h.ServeHTTP(httptest.NewRecorder(), req)
	if want := "true true parent value true true"; report != want {
		t.Errorf("context: %s, want %s", report, want)
	}
}

// TestHeaderBuffers checks the headers commit adds: the handler's own
// values are kept, and a handler appending to them after the commit does
// not write into another request's headers.
func TestHeaderBuffers(t *testing.T) {
	m, _ := cacheManager(t, cacheKeyA, false)
	var headers []http.Header
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		FromContext(r.Context()).Set("a", "b")
		if r.URL.Query().Has("own") {
			w.Header().Set("Vary", "Accept")
			w.Header().Set("Cache-Control", "max-age=60")
			w.Header().Add("Set-Cookie", "other=1")
		}
		w.WriteHeader(http.StatusOK)
		w.Header()["Vary"] = append(w.Header()["Vary"], "late")
		w.Header()["Set-Cookie"][0] = "overwritten after the commit"
	}))
	for _, target := range []string{"/", "/?own", "/"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
		headers = append(headers, rec.Result().Header)
	}
	if got := headers[0]["Vary"]; !slices.Equal(got, []string{"Cookie"}) {
		t.Errorf("Vary %q", got)
	}
	if got := headers[1]["Vary"]; !slices.Equal(got, []string{"Accept", "Cookie"}) {
		t.Errorf("Vary with the handler's %q", got)
	}
	if got := headers[1]["Cache-Control"]; !slices.Equal(got, []string{`max-age=60, private, no-cache="Set-Cookie"`}) {
		t.Errorf("Cache-Control with the handler's %q", got)
	}
	if got := headers[1]["Set-Cookie"]; len(got) != 2 || got[0] != "other=1" || !strings.HasPrefix(got[1], "session=") {
		t.Errorf("Set-Cookie with the handler's %q", got)
	}
	if got := headers[2]["Set-Cookie"]; len(got) != 1 || !strings.HasPrefix(got[0], "session=") {
		t.Errorf("Set-Cookie %q", got)
	}
}
