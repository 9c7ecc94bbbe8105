//go:build beforeafter

// Package beforeafter measures one request path at two commits of
// sessionkit in one run: run.sh builds this file against each tree and runs
// the two test binaries in alternation. It uses only API that both sides
// have, plus newRedis, which run.sh writes for each tree.
package beforeafter

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/sessionkit/session"
	"github.com/sessionkit/session/memstore"
)

// BenchmarkConflictFree: one client and one session at a time, so that no
// save ever meets another: a request that reads two keys and sets one (the
// conflict-free read+write path of a server-side session), and one that only
// reads them, with 3, 30 and 150 names in the session, on memstore and Redis
// (SESSIONKIT_REDIS_ADDR, default 127.0.0.1:6379).
func BenchmarkConflictFree(b *testing.B) {
	addr := os.Getenv("SESSIONKIT_REDIS_ADDR")
	if addr == "" {
		addr = "127.0.0.1:6379"
	}
	for _, size := range []int{3, 30, 150} {
		for _, st := range []string{"memstore", "redis"} {
			for _, op := range []string{"readwrite", "readonly"} {
				b.Run(fmt.Sprintf("%s/names=%d/%s", st, size, op), func(b *testing.B) {
					m, err := session.New([]byte("beforeafter: vQ7nR2xW9tY4uI6oP1aS3dF5gH8jK0zz"))
					if err != nil {
						b.Fatal(err)
					}
					switch st {
					case "memstore":
						m.Store = memstore.New()
					case "redis":
						c := redis.NewClient(&redis.Options{Addr: addr, ContextTimeoutEnabled: true})
						defer c.Close()
						m.Store = newRedis(b, c)
					}
					h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						s := session.FromContext(r.Context())
						if r.URL.Path == "/seed" {
							names := make([]any, size)
							for i := range names {
								names[i] = fmt.Sprintf("Nome número %d", i)
							}
							s.Set("usuario", "Maria")
							s.Set("nomes", names)
							s.Set("n", int64(0))
							return
						}
						n, _ := session.Get[int64](s, "n")
						u, _ := session.Get[string](s, "usuario")
						if op == "readwrite" {
							s.Set("n", n+1)
						}
						w.Write([]byte(u))
					}))
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, httptest.NewRequest("GET", "/seed", nil))
					req := httptest.NewRequest("GET", "/", nil)
					for _, c := range rec.Result().Cookies() {
						req.AddCookie(c)
					}
					b.ReportAllocs()
					for b.Loop() {
						rec := httptest.NewRecorder()
						h.ServeHTTP(rec, req)
						if rec.Code != http.StatusOK {
							b.Fatalf("status %d: %s", rec.Code, rec.Body)
						}
					}
				})
			}
		}
	}
}
