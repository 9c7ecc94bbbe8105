package redisstore_test

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sessionkit/session"
	"github.com/sessionkit/session/redisstore"
	"github.com/sessionkit/session/storetest"
)

const redisAddr = "127.0.0.1:6379"

// newClient returns a client for addr with the options the package
// documentation asks for.
func newClient(t testing.TB, addr string) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{
		Addr:                  addr,
		ContextTimeoutEnabled: true,
		DialTimeout:           time.Second,
	})
	t.Cleanup(func() { c.Close() })
	return c
}

// needRedis skips the test when no Redis answers at redisAddr, and fails it
// when SESSIONKIT_REQUIRE_ALL=1.
func needRedis(t testing.TB) *redis.Client {
	t.Helper()
	c := newClient(t, redisAddr)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		if os.Getenv("SESSIONKIT_REQUIRE_ALL") == "1" {
			t.Fatalf("Redis at %s: %v (SESSIONKIT_REQUIRE_ALL=1)", redisAddr, err)
		}
		t.Skipf("Redis at %s is not reachable (%v); start one to run this test", redisAddr, err)
	}
	return c
}

// newStore returns a store over c under a prefix of its own, whose keys are
// deleted when the test ends.
func newStore(t testing.TB, c *redis.Client) *redisstore.Store {
	t.Helper()
	s, err := redisstore.New(c)
	if err != nil {
		t.Fatal(err)
	}
	s.Prefix = "sessionkit-test:" + storetest.NewID()[:12] + ":"
	clean := newClient(t, redisAddr)
	t.Cleanup(func() {
		ctx := context.Background()
		iter := clean.Scan(ctx, 0, s.Prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			clean.Del(ctx, iter.Val())
		}
		if err := iter.Err(); err != nil {
			t.Errorf("cleaning up %s*: %v", s.Prefix, err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	c := needRedis(t)
	storetest.Run(t, func(t *testing.T) session.Store { return newStore(t, c) })
}

func TestGenerations(t *testing.T) {
	c := needRedis(t)
	storetest.RunGenerations(t, func(t *testing.T) session.Generations { return newStore(t, c) })
}

func TestNewRefusesClientIgnoringContext(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: redisAddr})
	defer c.Close()
	_, err := redisstore.New(c)
	if err == nil || !strings.Contains(err.Error(), "ContextTimeoutEnabled") {
		t.Fatalf("New(client without ContextTimeoutEnabled) = %v; want an error naming the option", err)
	}
	cc := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{redisAddr}})
	defer cc.Close()
	if _, err := redisstore.New(cc); err == nil {
		t.Fatal("New(cluster client without ContextTimeoutEnabled) succeeded")
	}
}

// TestExpiryWithValue checks that every write sets the key's expiry with its
// value (SECURITY.md F-07): the PTTL always matches the record's expiry.
func TestExpiryWithValue(t *testing.T) {
	c := needRedis(t)
	s := newStore(t, c)
	ctx := context.Background()
	id := storetest.NewID()
	key := s.Prefix + "s:" + id
	check := func(what string, exp time.Time) {
		t.Helper()
		at, err := c.PExpireTime(ctx, key).Result()
		if err != nil {
			t.Fatal(err)
		}
		if at.Milliseconds() != exp.UnixMilli() {
			t.Fatalf("after %s, PEXPIRETIME = %d; want %d", what, at.Milliseconds(), exp.UnixMilli())
		}
	}
	exp := time.Now().Add(time.Hour)
	if err := s.Create(ctx, id, session.Record{Data: []byte("x"), Expiry: exp, Owner: "o"}); err != nil {
		t.Fatal(err)
	}
	check("Create", exp)
	exp = exp.Add(time.Minute)
	if _, err := s.Update(ctx, id, session.Record{Data: []byte("y"), Expiry: exp, Version: 1, Owner: "o"}); err != nil {
		t.Fatal(err)
	}
	check("Update", exp)
	exp = exp.Add(24 * time.Hour)
	if err := s.Touch(ctx, id, exp); err != nil {
		t.Fatal(err)
	}
	check("Touch", exp)
	// The owner's set lives at least as long as the session.
	ttl, err := c.PTTL(ctx, s.Prefix+"o:o").Result()
	if err != nil {
		t.Fatal(err)
	}
	if ttl < time.Until(exp)-time.Second {
		t.Fatalf("owner set PTTL = %v; want at least %v", ttl, time.Until(exp))
	}
}

// TestScriptsNotLoaded runs against a fresh server, which has none of the
// store's scripts: the pipelined writes load them and go on.
func TestScriptsNotLoaded(t *testing.T) {
	c := startRedis(t)
	s, err := redisstore.New(c)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	id := storetest.NewID()
	for round := range 2 {
		if err := s.Create(ctx, id, session.Record{Data: []byte("x"), Expiry: exp, Owner: "o"}); err != nil {
			t.Fatalf("Create on a server without the scripts: %v", err)
		}
		if _, err := s.Update(ctx, id, session.Record{Data: []byte("y"), Expiry: exp, Version: 1, Owner: "o"}); err != nil {
			t.Fatalf("Update: %v", err)
		}
		if n, err := s.DestroyAll(ctx, "o"); err != nil || n != 1 {
			t.Fatalf("DestroyAll = %d, %v", n, err)
		}
		if round == 0 {
			if err := c.ScriptFlush(ctx).Err(); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestExpiryInValue checks that the expiry kept inside the record decides,
// even when Redis would keep the key longer.
func TestExpiryInValue(t *testing.T) {
	c := needRedis(t)
	s := newStore(t, c)
	ctx := context.Background()
	id := storetest.NewID()
	key := s.Prefix + "s:" + id
	past := time.Now().Add(-time.Second).UnixMilli()
	if err := c.HSet(ctx, key, "d", "x", "e", past, "v", 1, "o", "").Err(); err != nil {
		t.Fatal(err)
	}
	c.PExpire(ctx, key, time.Hour)
	if _, err := s.Load(ctx, id); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("Load = %v; want ErrNotFound", err)
	}
	if _, err := s.Update(ctx, id, session.Record{Data: []byte("y"), Expiry: time.Now().Add(time.Hour), Version: 1}); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("Update = %v; want ErrNotFound", err)
	}
	if err := s.Touch(ctx, id, time.Now().Add(time.Hour)); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("Touch = %v; want ErrNotFound", err)
	}
}

// TestMalformedRecord: a record the store did not write is an outage
// (ErrStoreUnavailable), not a missing session.
func TestMalformedRecord(t *testing.T) {
	c := needRedis(t)
	s := newStore(t, c)
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		write func(key string) error
	}{
		{"malformed record", func(key string) error { return c.HSet(ctx, key, "d", "x", "e", "soon", "v", "1").Err() }},
		{"key of the wrong type", func(key string) error { return c.Set(ctx, key, "a string, not a hash", time.Hour).Err() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := storetest.NewID()
			if err := tc.write(s.Prefix + "s:" + id); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Load(ctx, id); !errors.Is(err, session.ErrStoreUnavailable) {
				t.Fatalf("Load of a %s = %v; want ErrStoreUnavailable", tc.name, err)
			}
		})
	}
}

// TestDestroyAllStaleIndex checks that a set member whose session has moved
// to another owner is not deleted.
func TestDestroyAllStaleIndex(t *testing.T) {
	c := needRedis(t)
	s := newStore(t, c)
	ctx := context.Background()
	id := storetest.NewID()
	exp := time.Now().Add(time.Hour)
	if err := s.Create(ctx, id, session.Record{Data: []byte("x"), Expiry: exp, Owner: "maria"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, id, session.Record{Data: []byte("x"), Expiry: exp, Version: 1, Owner: "joao"}); err != nil {
		t.Fatal(err)
	}
	if n, err := s.DestroyAll(ctx, "maria"); err != nil || n != 0 {
		t.Fatalf("DestroyAll(maria) = %d, %v; want 0, nil", n, err)
	}
	if n, _ := c.SCard(ctx, s.Prefix+"o:maria").Result(); n != 0 {
		t.Fatalf("maria's set still lists %d sessions", n)
	}
	if _, err := s.Load(ctx, id); err != nil {
		t.Fatalf("joao's session: %v", err)
	}
}

// freePort returns an address on which nothing listens.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// ops runs every store operation once and returns their errors by name.
func ops(s *redisstore.Store, id string) map[string]error {
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	rec := session.Record{Data: []byte("new"), Expiry: exp, Version: 1, Owner: "o"}
	errs := map[string]error{}
	errs["Create"] = s.Create(ctx, storetest.NewID(), rec)
	_, errs["Load"] = s.Load(ctx, id)
	_, errs["Update"] = s.Update(ctx, id, rec)
	errs["Touch"] = s.Touch(ctx, id, exp)
	_, errs["Renew"] = s.Renew(ctx, id, storetest.NewID(), rec)
	errs["Delete"] = s.Delete(ctx, id)
	_, errs["DestroyAll"] = s.DestroyAll(ctx, "o")
	_, errs["Generation"] = s.Generation(ctx, "o")
	_, errs["Bump"] = s.Bump(ctx, "o")
	return errs
}

func wantUnavailable(t *testing.T, errs map[string]error) {
	t.Helper()
	for op, err := range errs {
		if !errors.Is(err, session.ErrStoreUnavailable) || errors.Is(err, session.ErrNotFound) {
			t.Errorf("%s = %v; want ErrStoreUnavailable (and not ErrNotFound)", op, err)
		}
	}
}

// waitGoroutines waits until the goroutine count is back to base, and
// fails the test if it does not come back within a few seconds.
func waitGoroutines(t *testing.T, base int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines, %d before the test:\n%s", runtime.NumGoroutine(), base, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(20 * time.Millisecond) // polling for exits, not waiting for time
	}
}

// TestUnreachable points the store at a closed port (SECURITY.md F-01).
func TestUnreachable(t *testing.T) {
	base := runtime.NumGoroutine()
	func() {
		c := redis.NewClient(&redis.Options{Addr: freePort(t), ContextTimeoutEnabled: true, DialTimeout: 200 * time.Millisecond})
		defer c.Close()
		s, err := redisstore.New(c)
		if err != nil {
			t.Fatal(err)
		}
		s.Timeout = 300 * time.Millisecond
		start := time.Now()
		wantUnavailable(t, ops(s, storetest.NewID()))
		d := time.Since(start)
		t.Logf("9 operations failed in %v", d.Round(time.Millisecond))
		if d > 9*time.Second/2 {
			t.Errorf("9 operations took %v with a 300ms timeout", d)
		}
	}()
	waitGoroutines(t, base)
}

// TestCutMidRequest loads a session, then the server goes away before the
// save (SECURITY.md F-02, F-07): the save fails with ErrStoreUnavailable and
// the stored record is the one before, with its expiry.
func TestCutMidRequest(t *testing.T) {
	direct := newStore(t, needRedis(t))
	base := runtime.NumGoroutine()
	func() {
		p := newProxy(t, redisAddr)
		defer p.close()
		c := redis.NewClient(&redis.Options{Addr: p.addr(), ContextTimeoutEnabled: true, DialTimeout: 200 * time.Millisecond})
		defer c.Close()
		s, err := redisstore.New(c)
		if err != nil {
			t.Fatal(err)
		}
		s.Prefix = direct.Prefix
		s.Timeout = 300 * time.Millisecond
		ctx := context.Background()
		id := storetest.NewID()
		exp := time.Now().Add(time.Hour).Truncate(time.Millisecond)
		if err := s.Create(ctx, id, session.Record{Data: []byte("before"), Expiry: exp, Owner: "o"}); err != nil {
			t.Fatal(err)
		}
		rec, err := s.Load(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		p.cut()
		rec.Data = []byte("after")
		if _, err := s.Update(ctx, id, rec); !errors.Is(err, session.ErrStoreUnavailable) {
			t.Fatalf("Update after the cut = %v; want ErrStoreUnavailable", err)
		}
		wantUnavailable(t, ops(s, id))
		got, err := direct.Load(ctx, id)
		if err != nil || string(got.Data) != "before" || got.Version != 1 || !got.Expiry.Equal(exp) {
			t.Fatalf("record after the failed save = %+v, %v; want the one before", got, err)
		}
		c.Close()
		p.close()
	}()
	waitGoroutines(t, base)
}

// TestSlow puts a server slower than the store's timeout behind the proxy
// (SECURITY.md F-04): every operation fails with ErrStoreUnavailable in
// about the timeout, and no goroutine is left behind.
func TestSlow(t *testing.T) {
	direct := newStore(t, needRedis(t))
	for _, fault := range []string{"slow", "black hole"} {
		t.Run(fault, func(t *testing.T) {
			base := runtime.NumGoroutine()
			func() {
				p := newProxy(t, redisAddr)
				defer p.close()
				c := redis.NewClient(&redis.Options{Addr: p.addr(), ContextTimeoutEnabled: true})
				defer c.Close()
				s, err := redisstore.New(c)
				if err != nil {
					t.Fatal(err)
				}
				s.Prefix = direct.Prefix
				s.Timeout = 150 * time.Millisecond
				id := storetest.NewID()
				if err := s.Create(context.Background(), id, session.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour)}); err != nil {
					t.Fatal(err)
				}
				if fault == "slow" {
					p.setDelay(3 * time.Second)
				} else {
					p.blackHole()
				}
				start := time.Now()
				_, err = s.Load(context.Background(), id)
				if d := time.Since(start); d > time.Second {
					t.Errorf("Load took %v with a 150ms timeout", d)
				}
				if !errors.Is(err, session.ErrStoreUnavailable) {
					t.Fatalf("Load = %v; want ErrStoreUnavailable", err)
				}
				t.Logf("Load failed after %v: %v", time.Since(start).Round(time.Millisecond), err)
				start = time.Now()
				wantUnavailable(t, ops(s, id))
				if d := time.Since(start); d > 9*time.Second/2 {
					t.Errorf("9 operations took %v with a 150ms timeout", d)
				}
				// The caller's own deadline is honoured too.
				s.Timeout = time.Hour
				ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
				defer cancel()
				start = time.Now()
				if _, err := s.Load(ctx, id); !errors.Is(err, session.ErrStoreUnavailable) || time.Since(start) > time.Second {
					t.Fatalf("Load with a 100ms deadline = %v after %v", err, time.Since(start))
				}
			}()
			waitGoroutines(t, base)
		})
	}
}

func benchStore(b *testing.B) session.Store { return newStore(b, needRedis(b)) }

func BenchmarkLoad(b *testing.B)   { storetest.BenchmarkLoad(b, benchStore(b)) }
func BenchmarkUpdate(b *testing.B) { storetest.BenchmarkUpdate(b, benchStore(b)) }
func BenchmarkTouch(b *testing.B)  { storetest.BenchmarkTouch(b, benchStore(b)) }
func BenchmarkCreate(b *testing.B) { storetest.BenchmarkCreate(b, benchStore(b)) }

// startRedis starts a private redis-server with args on a free port and
// returns a client for it; the server is stopped when the test ends.
func startRedis(t *testing.T, args ...string) *redis.Client {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("SESSIONKIT_REQUIRE_ALL") == "1" {
			t.Fatal("redis-server not found (SESSIONKIT_REQUIRE_ALL=1)")
		}
		t.Skip("redis-server not found")
	}
	addr := freePort(t)
	_, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command(bin, append([]string{"--bind", "127.0.0.1", "--port", port, "--save", "", "--appendonly", "no", "--dir", t.TempDir()}, args...)...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	c := newClient(t, addr)
	deadline := time.Now().Add(5 * time.Second)
	for c.Ping(context.Background()).Err() != nil {
		if time.Now().After(deadline) {
			t.Fatalf("redis-server on %s did not start", addr)
		}
		time.Sleep(20 * time.Millisecond) // polling for the server to listen
	}
	return c
}

// TestErrorReplies makes a real server refuse writes (SECURITY.md F-03): a
// read-only replica (READONLY) and a server over maxmemory (OOM). Writes
// fail with ErrStoreUnavailable, never a false success or ErrNotFound.
func TestErrorReplies(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T) *redis.Client
		reply string
	}{
		{"READONLY replica", func(t *testing.T) *redis.Client {
			// A replica of a primary that is not there: it stays
			// read-only, and the shared server is left alone.
			_, port, _ := net.SplitHostPort(freePort(t))
			return startRedis(t, "--replicaof", "127.0.0.1", port)
		}, "READONLY"},
		{"OOM", func(t *testing.T) *redis.Client {
			c := startRedis(t, "--maxmemory-policy", "noeviction")
			if err := c.ConfigSet(context.Background(), "maxmemory", "1").Err(); err != nil {
				t.Fatal(err)
			}
			return c
		}, "OOM"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := redisstore.New(tc.setup(t))
			if err != nil {
				t.Fatal(err)
			}
			s.Prefix = "sessionkit-test:" + storetest.NewID()[:12] + ":"
			ctx := context.Background()
			exp := time.Now().Add(time.Hour)
			rec := session.Record{Data: []byte("x"), Expiry: exp, Version: 1, Owner: "o"}
			id := storetest.NewID()
			writes := map[string]error{
				"Create": s.Create(ctx, id, rec),
				"Bump":   func() error { _, err := s.Bump(ctx, "o"); return err }(),
			}
			for name, err := range writes {
				if !errors.Is(err, session.ErrStoreUnavailable) || !strings.Contains(err.Error(), tc.reply) {
					t.Errorf("%s = %v; want ErrStoreUnavailable with the server's %s reply", name, err, tc.reply)
				}
			}
			// The scripts of Update, Touch and Renew refuse before writing:
			// no record here, so they report ErrNotFound or the error reply,
			// never success.
			for name, err := range map[string]error{
				"Update": func() error { _, err := s.Update(ctx, id, rec); return err }(),
				"Touch":  s.Touch(ctx, id, exp),
				"Renew":  func() error { _, err := s.Renew(ctx, id, storetest.NewID(), rec); return err }(),
			} {
				if err == nil {
					t.Errorf("%s on a refusing server succeeded", name)
				}
			}
		})
	}
}

// TestPoolExhausted holds the client's only connection (SECURITY.md F-05):
// a request waiting for one gives up at the store's timeout.
func TestPoolExhausted(t *testing.T) {
	needRedis(t)
	c := redis.NewClient(&redis.Options{Addr: redisAddr, ContextTimeoutEnabled: true, PoolSize: 1})
	defer c.Close()
	s := newStore(t, c)
	s.Timeout = 200 * time.Millisecond
	conn := c.Conn()
	defer conn.Close()
	if err := conn.Ping(context.Background()).Err(); err != nil { // takes the connection
		t.Fatal(err)
	}
	start := time.Now()
	_, err := s.Load(context.Background(), storetest.NewID())
	if !errors.Is(err, session.ErrStoreUnavailable) {
		t.Fatalf("Load with no free connection = %v; want ErrStoreUnavailable", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Load with no free connection took %v with a 200ms timeout", d)
	}
}

// TestIndexScriptNotLoaded: the write's script is known to the server but
// the owner index's is not; the write must run once, not twice.
func TestIndexScriptNotLoaded(t *testing.T) {
	c := startRedis(t)
	s, err := redisstore.New(c)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	// An ownerless Create loads the create script only.
	if err := s.Create(ctx, storetest.NewID(), session.Record{Data: []byte("x"), Expiry: exp}); err != nil {
		t.Fatal(err)
	}
	id := storetest.NewID()
	if err := s.Create(ctx, id, session.Record{Data: []byte("x"), Expiry: exp, Owner: "o"}); err != nil {
		t.Fatalf("Create with an owner, index script not loaded: %v", err)
	}
	if rec, err := s.Load(ctx, id); err != nil || rec.Version != 1 {
		t.Fatalf("Load = %+v, %v; want version 1", rec, err)
	}
	if n, err := s.DestroyAll(ctx, "o"); err != nil || n != 1 {
		t.Fatalf("DestroyAll = %d, %v; want 1", n, err)
	}
}
