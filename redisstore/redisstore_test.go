package redisstore_test

import (
	"context"
	"errors"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sessionkit/session"
	"github.com/sessionkit/session/internal/redistest"
	"github.com/sessionkit/session/internal/testenv"
	"github.com/sessionkit/session/redisstore"
	"github.com/sessionkit/session/storetest"
)

// newStore returns a store over c under a prefix of its own, whose keys are
// deleted when the test ends. Its Timeout is generous: a test that wants an
// operation to time out shortens it once its records are in place.
func newStore(t testing.TB, c redis.UniversalClient) *redisstore.Store {
	t.Helper()
	s := redisstore.New(c)
	s.Prefix = redistest.Prefix(t)
	s.Timeout = testenv.Patience
	return s
}

func TestConformance(t *testing.T) {
	c := redistest.Client(t, nil)
	storetest.Run(t, func(t *testing.T) session.Store { return newStore(t, c) })
}

func TestGenerations(t *testing.T) {
	c := redistest.Client(t, nil)
	storetest.RunGenerations(t, func(t *testing.T) session.Generations { return newStore(t, c) })
}

// TestConflictNamesVersions: the scripts report the stored version, so a
// conflict reads like every other store's.
func TestConflictNamesVersions(t *testing.T) {
	s := newStore(t, redistest.Client(t, nil))
	ctx := context.Background()
	id := storetest.NewID()
	exp := time.Now().Add(time.Hour)
	if err := s.Create(ctx, id, session.Record{Data: []byte("x"), Expiry: exp}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, id, session.Record{Data: []byte("y"), Expiry: exp, Version: 1}); err != nil {
		t.Fatal(err)
	}
	_, err := s.Update(ctx, id, session.Record{Data: []byte("z"), Expiry: exp, Version: 1})
	if want := "redisstore: update: stored version 2, request loaded 1: session: version conflict"; err == nil || err.Error() != want {
		t.Errorf("Update = %v; want %q", err, want)
	}
	_, err = s.Renew(ctx, id, storetest.NewID(), session.Record{Data: []byte("z"), Expiry: exp, Version: 7})
	if want := "redisstore: renew: stored version 2, request loaded 7: session: version conflict"; err == nil || err.Error() != want {
		t.Errorf("Renew = %v; want %q", err, want)
	}
}

// TestExpiryWithValue checks that every write sets the key's expiry with its
// value (SECURITY.md F-07): PEXPIRETIME always matches the record's expiry.
func TestExpiryWithValue(t *testing.T) {
	c := redistest.Client(t, nil)
	s := newStore(t, c)
	ctx := context.Background()
	id := storetest.NewID()
	key := s.Prefix + "s:" + id
	expireTime := func(key string) int64 {
		t.Helper()
		at, err := c.PExpireTime(ctx, key).Result()
		if err != nil {
			t.Fatal(err)
		}
		return at.Milliseconds()
	}
	check := func(what string, exp time.Time) {
		t.Helper()
		if at := expireTime(key); at != exp.UnixMilli() {
			t.Fatalf("after %s, PEXPIRETIME = %d; want %d", what, at, exp.UnixMilli())
		}
		// The owner's set lives at least as long as the session.
		if at := expireTime(s.Prefix + "o:o"); at < exp.UnixMilli() {
			t.Fatalf("after %s, the owner set expires at %d, before the session (%d)", what, at, exp.UnixMilli())
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
}

// TestScriptsNotLoaded runs against a fresh server, which has none of the
// store's scripts: the pipelined writes load them and go on.
func TestScriptsNotLoaded(t *testing.T) {
	c := redistest.StartServer(t)
	s := newStore(t, c)
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

// TestIndexScriptNotLoaded: the write's script is known to the server but
// the owner index's is not; the write must run once, not twice.
func TestIndexScriptNotLoaded(t *testing.T) {
	s := newStore(t, redistest.StartServer(t))
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

// TestExpiryInValue checks that the expiry kept inside the record decides,
// even when Redis would keep the key longer.
func TestExpiryInValue(t *testing.T) {
	c := redistest.Client(t, nil)
	s := newStore(t, c)
	ctx := context.Background()
	id := storetest.NewID()
	key := s.Prefix + "s:" + id
	past := time.Now().Add(-time.Hour).UnixMilli()
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
	c := redistest.Client(t, nil)
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
	c := redistest.Client(t, nil)
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

// TestUnreachable points the store at a closed port (SECURITY.md F-01):
// every operation fails with ErrStoreUnavailable, and no goroutine is left
// behind.
func TestUnreachable(t *testing.T) {
	base := runtime.NumGoroutine()
	func() {
		c := redis.NewClient(&redis.Options{Addr: testenv.ClosedAddr(t), ContextTimeoutEnabled: true,
			MaxRetries: -1, DialerRetries: 1}) // the outcome is the same after retries, only later
		defer c.Close()
		s := redisstore.New(c)
		s.Timeout = testenv.Patience
		testenv.WantUnavailable(t, testenv.StoreOps(context.Background(), s, storetest.NewID()))
	}()
	testenv.WaitGoroutines(t, base)
}

// TestCutMidRequest loads a session, then the server goes away before the
// save (SECURITY.md F-02, F-07): the save fails with ErrStoreUnavailable and
// the stored record is the one before, with its expiry.
func TestCutMidRequest(t *testing.T) {
	direct := newStore(t, redistest.Client(t, nil))
	base := runtime.NumGoroutine()
	func() {
		p := testenv.NewProxy(t, testenv.RedisAddr())
		defer p.Close()
		c := redis.NewClient(&redis.Options{Addr: p.Addr(), ContextTimeoutEnabled: true,
			MaxRetries: -1, DialerRetries: 1}) // the outcome is the same after retries, only later
		defer c.Close()
		s := redisstore.New(c)
		s.Prefix, s.Timeout = direct.Prefix, testenv.Patience
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
		p.Cut()
		rec.Data = []byte("after")
		if _, err := s.Update(ctx, id, rec); !errors.Is(err, session.ErrStoreUnavailable) {
			t.Fatalf("Update after the cut = %v; want ErrStoreUnavailable", err)
		}
		testenv.WantUnavailable(t, testenv.StoreOps(ctx, s, id))
		got, err := direct.Load(ctx, id)
		if err != nil || string(got.Data) != "before" || got.Version != 1 || !got.Expiry.Equal(exp) {
			t.Fatalf("record after the failed save = %+v, %v; want the one before", got, err)
		}
		// The server comes back: so does the store.
		p.Heal()
		if got, err := s.Load(ctx, id); err != nil || string(got.Data) != "before" {
			t.Fatalf("Load once the server is back = %+v, %v", got, err)
		}
	}()
	testenv.WaitGoroutines(t, base)
}

// TestSlow puts a server that answers late, or never, behind the proxy
// (SECURITY.md F-04): every operation fails with ErrStoreUnavailable once the
// store's timeout or the caller's deadline ends it, and no goroutine is
// left behind.
func TestSlow(t *testing.T) {
	direct := newStore(t, redistest.Client(t, nil))
	for _, tc := range []struct {
		name  string
		fault func(p *testenv.Proxy)
	}{
		{"slow", func(p *testenv.Proxy) { p.Slow(time.Hour) }},
		{"black hole", (*testenv.Proxy).BlackHole},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := runtime.NumGoroutine()
			func() {
				p := testenv.NewProxy(t, testenv.RedisAddr())
				defer p.Close()
				// The client's own timeouts never fire: only contexts
				// can end the wait.
				c := redis.NewClient(&redis.Options{Addr: p.Addr(), ContextTimeoutEnabled: true, ReadTimeout: -1, WriteTimeout: -1})
				defer c.Close()
				s := redisstore.New(c)
				s.Prefix, s.Timeout = direct.Prefix, testenv.Patience
				ctx := context.Background()
				id := storetest.NewID()
				if err := s.Create(ctx, id, session.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour)}); err != nil {
					t.Fatal(err)
				}
				tc.fault(p)
				s.Timeout = 100 * time.Millisecond
				_, err := s.Load(ctx, id)
				testenv.WantDeadline(t, "Load with the store's Timeout", err)
				if !strings.Contains(err.Error(), "Timeout (100ms) ran out") {
					t.Errorf("Load = %v; want it to name the store's Timeout", err)
				}
				testenv.WantUnavailable(t, testenv.StoreOps(ctx, s, id))
				// The caller's own deadline is honoured too.
				s.Timeout = testenv.Patience
				short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
				defer cancel()
				_, err = s.Load(short, id)
				testenv.WantDeadline(t, "Load with the caller's deadline", err)
			}()
			testenv.WaitGoroutines(t, base)
		})
	}
}

// TestClientIgnoringContext: a client built without ContextTimeoutEnabled
// is accepted, and the package documentation says what bounds its waits.
func TestClientIgnoringContext(t *testing.T) {
	direct := newStore(t, redistest.Client(t, nil))
	ctx := context.Background()
	id := storetest.NewID()
	if err := direct.Create(ctx, id, session.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	t.Run("works", func(t *testing.T) {
		c := redistest.Client(t, func(o *redis.Options) { o.ContextTimeoutEnabled = false })
		s := redisstore.New(c)
		s.Prefix = direct.Prefix
		if rec, err := s.Load(ctx, id); err != nil || string(rec.Data) != "x" {
			t.Fatalf("Load = %+v, %v", rec, err)
		}
	})
	t.Run("a silent server is bounded by ReadTimeout", func(t *testing.T) {
		p := testenv.NewProxy(t, testenv.RedisAddr())
		c := redistest.NewClient(t, p.Addr(), func(o *redis.Options) {
			o.ContextTimeoutEnabled = false
			o.ReadTimeout = 100 * time.Millisecond
		})
		s := redisstore.New(c)
		s.Prefix, s.Timeout = direct.Prefix, testenv.Patience
		if _, err := s.Load(ctx, id); err != nil {
			t.Fatal(err)
		}
		p.BlackHole()
		_, err := s.Load(ctx, id)
		var ne net.Error
		if !errors.Is(err, session.ErrStoreUnavailable) || errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &ne) || !ne.Timeout() {
			t.Fatalf("Load from a silent server = %v; want ErrStoreUnavailable from the client's network timeout", err)
		}
	})
	t.Run("the wait for a connection is bounded by Timeout", func(t *testing.T) {
		c := redistest.Client(t, func(o *redis.Options) {
			o.ContextTimeoutEnabled = false
			o.PoolSize = 1
			o.PoolTimeout = time.Hour
		})
		s := redisstore.New(c)
		s.Prefix = direct.Prefix
		conn := c.Conn()
		defer conn.Close()
		if err := conn.Ping(ctx).Err(); err != nil { // takes the only connection
			t.Fatal(err)
		}
		s.Timeout = 100 * time.Millisecond
		_, err := s.Load(ctx, id)
		testenv.WantDeadline(t, "Load with no free connection", err)
	})
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
			_, port, _ := net.SplitHostPort(testenv.ClosedAddr(t))
			return redistest.StartServer(t, "--replicaof", "127.0.0.1", port)
		}, "READONLY"},
		{"OOM", func(t *testing.T) *redis.Client {
			c := redistest.StartServer(t, "--maxmemory-policy", "noeviction")
			if err := c.ConfigSet(context.Background(), "maxmemory", "1").Err(); err != nil {
				t.Fatal(err)
			}
			return c
		}, "OOM"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t, tc.setup(t))
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
	c := redistest.Client(t, func(o *redis.Options) { o.PoolSize = 1; o.PoolTimeout = time.Hour })
	s := newStore(t, c)
	conn := c.Conn()
	defer conn.Close()
	if err := conn.Ping(context.Background()).Err(); err != nil { // takes the connection
		t.Fatal(err)
	}
	s.Timeout = 100 * time.Millisecond
	_, err := s.Load(context.Background(), storetest.NewID())
	testenv.WantDeadline(t, "Load with no free connection", err)
}

func benchStore(b *testing.B) session.Store { return newStore(b, redistest.Client(b, nil)) }

func BenchmarkLoad(b *testing.B)   { storetest.BenchmarkLoad(b, benchStore(b)) }
func BenchmarkUpdate(b *testing.B) { storetest.BenchmarkUpdate(b, benchStore(b)) }
func BenchmarkTouch(b *testing.B)  { storetest.BenchmarkTouch(b, benchStore(b)) }
func BenchmarkCreate(b *testing.B) { storetest.BenchmarkCreate(b, benchStore(b)) }
