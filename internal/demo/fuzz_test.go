package demo

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// FuzzHostileCookie sends arbitrary session cookies and tamper data to the
// pages that take cookies apart: never a panic, never a 5xx.
func FuzzHostileCookie(f *testing.F) {
	for _, seed := range []string{
		"", ".", "..", "a.b.c", ".eJw.aSxYzw.AAAA", "eyJ1c3VhcmlvIjoiTWFyaWEifQ.aSxYzw.oCzj_vWnch3ocQQLhbfj9X9z1rY",
		strings.Repeat("A", 4100), "ção.ção.ção", ".%%%.%%%.%%%",
	} {
		f.Add(seed, `{"usuario": "admin"}`)
	}
	now := time.Unix(1796053353, 0)
	h, err := NewHandler(Config{Key: []byte("5f0d3c1e9a8b7d6c4e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b"), Now: func() time.Time { return now }, Logger: quiet})
	if err != nil {
		f.Fatal(err)
	}
	for _, js := range hostilePayloads() {
		if c := forgedCookie(f, js, true); len(c) <= 4096 {
			f.Add(c, string(js[:min(len(js), 100)]))
		}
	}
	f.Fuzz(func(t *testing.T, cookie, dados string) {
		reqs := []*http.Request{
			httptest.NewRequest("GET", "/inspetor", nil),
			httptest.NewRequest("GET", "/inspetor/painel", nil),
			httptest.NewRequest("GET", "/exemplo02", nil),
			httptest.NewRequest("GET", "/perfil", nil),
			httptest.NewRequest("GET", "/desafio/solucao/perfil", nil),
			httptest.NewRequest("POST", "/inspetor/adulterar", strings.NewReader(url.Values{"dados": {dados}}.Encode())),
			httptest.NewRequest("POST", "/exemplo02", strings.NewReader(url.Values{"nome": {dados}}.Encode())),
			httptest.NewRequest("POST", "/desafio/solucao/login", strings.NewReader(url.Values{"usuario": {dados}, "senha": {demoPassword}}.Encode())),
			httptest.NewRequest("POST", "/recomecar", strings.NewReader(url.Values{"volta": {dados}}.Encode())),
		}
		for _, r := range reqs {
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
	})
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
