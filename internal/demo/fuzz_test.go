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
	f.Fuzz(func(t *testing.T, cookie, dados string) {
		reqs := []*http.Request{
			httptest.NewRequest("GET", "/inspetor", nil),
			httptest.NewRequest("GET", "/inspetor/painel", nil),
			httptest.NewRequest("GET", "/exemplo02", nil),
			httptest.NewRequest("GET", "/perfil", nil),
			httptest.NewRequest("POST", "/inspetor/adulterar", strings.NewReader(url.Values{"dados": {dados}}.Encode())),
			httptest.NewRequest("POST", "/exemplo02", strings.NewReader(url.Values{"nome": {dados}}.Encode())),
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
		}
	})
}
