package demo

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// BenchmarkDemoPerfil measures the demo's whole handler chain (security
// headers, cross-origin protection, routing, the session middleware, the
// page) on the requests bench/load.sh drives with wrk: GET /perfil with a
// session (read-only), GET /login (renews and rewrites the cookie), and
// GET /perfil without a cookie.
func BenchmarkDemoPerfil(b *testing.B) {
	key := []byte("bench-demo-key: vQ7nR2xW9tY4uI6oP1aS3dF5gH8jK0zz")
	h, err := NewHandler(Config{Key: key, Lifetime: 24 * time.Hour, Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/login", nil))
	cookie := rec.Result().Cookies()[0]
	for _, tc := range []struct {
		name, path string
		cookie     bool
	}{{"readonly", "/perfil", true}, {"counter", "/login", true}, {"anonymous", "/perfil", false}} {
		b.Run(tc.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", tc.path, nil)
			if tc.cookie {
				req.AddCookie(cookie)
			}
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatal(rec.Code)
				}
			}
		})
	}
}
