package demo

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/session/seal"
)

// FuzzHostileCookie sends arbitrary session cookies and tamper data to the
// pages that take cookies apart, of a demo with signed cookies and of one
// with sealed cookies: never a panic, never a 5xx.
func FuzzHostileCookie(f *testing.F) {
	for _, seed := range []string{
		"", ".", "..", "a.b.c", ".eJw.aSxYzw.AAAA", "eyJ1c3VhcmlvIjoiTWFyaWEifQ.aSxYzw.oCzj_vWnch3ocQQLhbfj9X9z1rY",
		strings.Repeat("A", 4100), "ção.ção.ção", ".%%%.%%%.%%%",
	} {
		f.Add(seed, `{"usuario": "admin"}`)
	}
	now := time.Unix(1796053353, 0)
	key := []byte("5f0d3c1e9a8b7d6c4e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b")
	var handlers []http.Handler
	for _, sealed := range []bool{false, true} {
		h, err := NewHandler(Config{Key: key, Now: func() time.Time { return now }, Logger: quiet, Sealed: sealed})
		if err != nil {
			f.Fatal(err)
		}
		handlers = append(handlers, h)
	}
	sl, err := seal.New(seal.Keys{Current: key}, sealScope)
	if err != nil {
		f.Fatal(err)
	}
	for _, js := range hostilePayloads() {
		if c := forgedCookie(f, js, true); len(c) <= 4096 {
			f.Add(c, string(js[:min(len(js), 100)]))
		}
		// The same hostile JSON, sealed with the demo's own key: it passes
		// the tag, and only the parser's caps stand.
		if tok, err := sl.Seal("session", js, now); err == nil {
			f.Add(tok, `{"usuario": "admin"}`)
		}
	}
	for _, tok := range []string{"s", "sA", strings.Repeat("s", 76), strings.Repeat("s", 5000)} {
		f.Add(tok, "")
	}
	f.Fuzz(func(t *testing.T, cookie, dados string) {
		for _, h := range handlers {
			for _, r := range hostileRequests(dados) {
				r.Header.Set("Cookie", "session="+cookie)
				if r.Method == "POST" {
					r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code >= 500 {
					t.Errorf("%s %s with cookie %q: %d\n%s", r.Method, r.URL.Path, cookie, w.Code, w.Body)
				}
				if w.Body.Len() > 128<<10 {
					t.Errorf("%s %s with cookie %q: %d-byte answer", r.Method, r.URL.Path, cookie, w.Body.Len())
				}
				if loc := w.Header().Get("Location"); loc != "" && (!strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//")) {
					t.Errorf("%s %s redirects to %q", r.Method, r.URL.Path, loc)
				}
			}
		}
	})
}

// hostileRequests are the requests FuzzHostileCookie sends, with dados in
// every form.
func hostileRequests(dados string) []*http.Request {
	return []*http.Request{
		httptest.NewRequest("GET", "/inspetor", nil),
		httptest.NewRequest("GET", "/inspetor/painel", nil),
		httptest.NewRequest("GET", "/inspetor/cifrado", nil),
		httptest.NewRequest("GET", "/exemplo02", nil),
		httptest.NewRequest("GET", "/perfil", nil),
		httptest.NewRequest("GET", "/desafio/solucao/perfil", nil),
		httptest.NewRequest("POST", "/inspetor/adulterar", strings.NewReader(url.Values{"dados": {dados}}.Encode())),
		httptest.NewRequest("POST", "/exemplo02", strings.NewReader(url.Values{"nome": {dados}}.Encode())),
		httptest.NewRequest("POST", "/desafio/solucao/login", strings.NewReader(url.Values{"usuario": {dados}, "senha": {demoPassword}}.Encode())),
		httptest.NewRequest("POST", "/recomecar", strings.NewReader(url.Values{"volta": {dados}}.Encode())),
	}
}

// FuzzLocalPath: whatever the input, localPath returns "/" or the input
// itself, and then only a plain path of this site: "/" and unreserved
// characters, no empty, "." or ".." segment.
func FuzzLocalPath(f *testing.F) {
	for _, s := range voltaCandidates()[:200] {
		f.Add(s)
	}
	for _, s := range []string{"/", "/exemplo02", "/a/b/", "/./", "//x", "/\\x", "/%2f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := localPath(in)
		if out != "/" && out != in {
			t.Fatalf("localPath(%q) = %q: neither / nor the input", in, out)
		}
		u, err := url.Parse(out)
		if err != nil || u.Host != "" || u.Scheme != "" || u.Path != out || strings.Contains(out, "//") {
			t.Fatalf("localPath(%q) = %q, parsed as %#v (%v)", in, out, u, err)
		}
		for _, seg := range strings.Split(strings.Trim(out, "/"), "/") {
			if seg == "." || seg == ".." {
				t.Fatalf("localPath(%q) = %q has a dot segment", in, out)
			}
		}
		for i := 0; i < len(out); i++ {
			if c := out[i]; c != '/' && !unreserved(c) {
				t.Fatalf("localPath(%q) = %q holds %q", in, out, c)
			}
		}
	})
}
