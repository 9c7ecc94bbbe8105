package demo

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	session "github.com/sessionkit/session"
	"github.com/sessionkit/session/internal/testenv"
	"github.com/sessionkit/session/memstore"
	"github.com/sessionkit/session/sqlitestore"
)

// redisSpec is the -store flag for the tests' Redis (SESSIONKIT_REDIS_ADDR,
// default 127.0.0.1:6379).
func redisSpec() string { return "redis://" + testenv.RedisAddr() + "/0" }

// postgresSpec is the -store flag for the tests' PostgreSQL database
// (SESSIONKIT_POSTGRES_DSN, default postgres://postgres@127.0.0.1:5432/test).
func postgresSpec() string { return testenv.PostgresDSN() }

// With a server-side store the cookie carries only a signed ID: its size
// stays the same however long the list grows, and the cookie limit no
// longer applies.
func TestServerSideStores(t *testing.T) {
	for _, spec := range []string{
		"memory",
		"sqlite:" + filepath.Join(t.TempDir(), "sessions.db"),
		redisSpec(),
		postgresSpec(),
	} {
		t.Run(strings.Split(spec, ":")[0], func(t *testing.T) {
			st, name, closeStore, err := openStore(context.Background(), spec)
			if err != nil && (strings.HasPrefix(spec, "redis") || strings.HasPrefix(spec, "postgres")) {
				if os.Getenv("SESSIONKIT_REQUIRE_ALL") == "1" {
					t.Fatalf("%v (SESSIONKIT_REQUIRE_ALL=1)", err)
				}
				t.Skipf("server not reachable: %v", err)
			}
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { closeStore() })
			if _, err := NewHandler(Config{Key: testKey(t), Store: st, Logger: quiet}); err != nil && strings.Contains(err.Error(), "not available") {
				t.Skipf("package session has no server-side sessions yet: %v", err)
			}
			h := newHarness(t, func(c *Config) { c.Store, c.StoreName = st, name })
			var sizesSeen []int
			for i := range 20 {
				n := longName(t, i)
				r := h.post("/exemplo02", url.Values{"nome": {n}})
				if r.status != http.StatusOK {
					t.Fatalf("name %d: status %d", i, r.status)
				}
				c := h.cookie()
				sizesSeen = append(sizesSeen, len(c.Name)+len(c.Value))
			}
			r := h.get("/exemplo02")
			if got := names(r.body); len(got) != 20 {
				t.Errorf("the list has %d names, want 20", len(got))
			}
			for _, s := range sizesSeen[1:] {
				if s != sizesSeen[0] {
					t.Errorf("the cookie size changed with a server-side store: %v", sizesSeen)
					break
				}
			}
			if !strings.Contains(r.body, "Sessões no servidor ("+name+")") {
				t.Error("Exemplo 02 does not say where the data is")
			}
			if !strings.Contains(h.get("/inspetor").body, "Sessão no servidor") {
				t.Error("the inspector does not say that the cookie holds an ID")
			}
			h.post("/desafio/sair", nil)
			if got := names(h.get("/exemplo02").body); len(got) != 0 {
				t.Errorf("after Destroy the list has %d names", len(got))
			}
		})
	}
}

func TestOpenStoreRejects(t *testing.T) {
	for _, spec := range []string{"sqlite:", "mysql://x", "memcache", "redis://127.0.0.1:1/0", "postgres://postgres@127.0.0.1:1/test?connect_timeout=2"} {
		if _, _, _, err := openStore(context.Background(), spec); err == nil {
			t.Errorf("openStore(%q) = nil error", spec)
		}
	}
}

// When the store goes down the visitor gets a 503 page saying so, never a
// fresh empty session (which would look like a logout).
func TestStoreDownIs503(t *testing.T) {
	exe, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("SESSIONKIT_REQUIRE_ALL") == "1" {
			t.Fatal("redis-server not found (SESSIONKIT_REQUIRE_ALL=1)")
		}
		t.Skip("redis-server not found")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	srv := exec.Command(exe, "--bind", "127.0.0.1", "--port", strconv.Itoa(port), "--save", "", "--appendonly", "no", "--dir", t.TempDir())
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			srv.Process.Kill()
			srv.Wait()
		}
	})
	spec := "redis://127.0.0.1:" + strconv.Itoa(port) + "/0"
	var st session.Store
	var closeStore func() error
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if st, _, closeStore, err = openStore(context.Background(), spec); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server did not start: %v", err)
		}
	}
	t.Cleanup(func() { closeStore() })
	h := newHarness(t, func(c *Config) { c.Store, c.StoreName = st, "Redis" })
	h.post("/exemplo02", url.Values{"nome": {"Ana"}})
	if got := names(h.get("/exemplo02").body); len(got) != 1 {
		t.Fatalf("list = %q, want [Ana]", got)
	}
	srv.Process.Kill()
	srv.Wait()
	stopped = true
	r := h.get("/exemplo02")
	if r.status != http.StatusServiceUnavailable || !strings.Contains(r.body, "não foi perdida nem trocada por uma vazia") {
		t.Errorf("with the store down: %d, want 503 with the explanation\n%s", r.status, r.body)
	}
	if got := names(r.body); len(got) != 0 {
		t.Errorf("the 503 page lists names %q", got)
	}
}

// quietRedis drops go-redis's own log lines, which the tests that point it
// at closed ports provoke on purpose.
type quietRedis struct{}

func (quietRedis) Printf(context.Context, string, ...any) {}

func init() { redis.SetLogger(quietRedis{}) }

// TestStoreTimeout: -store-timeout reaches the stores that have a bound.
func TestStoreTimeout(t *testing.T) {
	st, _, closeStore, err := openStore(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer closeStore()
	setStoreTimeout(st, time.Minute)
	if got := st.(*sqlitestore.Store).Timeout; got != time.Minute {
		t.Errorf("sqlitestore Timeout = %v, want 1m", got)
	}
	setStoreTimeout(memstore.New(), time.Minute) // no bound to set: no panic
}
