// Package redistest connects sessionkit's tests to Redis: the shared server
// named by SESSIONKIT_REDIS_ADDR (see internal/testenv), key prefixes of
// their own that are deleted when the test ends, and private servers for
// tests that must reconfigure or break one.
package redistest

import (
	"context"
	"net"
	"os/exec"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sessionkit/session/internal/testenv"
)

// NewClient returns a client for addr, built as redisstore's documentation
// asks (ContextTimeoutEnabled), then changed by configure if not nil. It is
// closed when the test ends; it does not check that a server answers.
func NewClient(t testing.TB, addr string, configure func(*redis.Options)) *redis.Client {
	t.Helper()
	opts := &redis.Options{Addr: addr, ContextTimeoutEnabled: true}
	if configure != nil {
		configure(opts)
	}
	c := redis.NewClient(opts)
	t.Cleanup(func() { c.Close() })
	return c
}

// Client returns a client for the shared server, changed by configure if
// not nil. If the server does not answer, the test ends through
// testenv.Missing.
func Client(t testing.TB, configure func(*redis.Options)) *redis.Client {
	t.Helper()
	c := NewClient(t, testenv.RedisAddr(), configure)
	ctx, cancel := context.WithTimeout(context.Background(), testenv.Patience)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		testenv.Missing(t, "Redis at %s (SESSIONKIT_REDIS_ADDR) is not reachable: %v", testenv.RedisAddr(), err)
	}
	return c
}

// Prefix returns a key prefix no other test uses, "sessionkit-test:" and a
// random part, and deletes every key under it from the shared server when
// the test ends.
func Prefix(t testing.TB) string {
	t.Helper()
	p := testenv.Name("sessionkit-test:") + ":"
	t.Cleanup(func() {
		c := redis.NewClient(&redis.Options{Addr: testenv.RedisAddr()})
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), testenv.Patience)
		defer cancel()
		iter := c.Scan(ctx, 0, p+"*", 1000).Iterator()
		for iter.Next(ctx) {
			c.Del(ctx, iter.Val())
		}
		if err := iter.Err(); err != nil {
			t.Errorf("deleting the keys under %s: %v", p, err)
		}
	})
	return p
}

// StartServer starts a private redis-server with extra arguments args on a
// free loopback port, nothing saved on disk, and returns a client for it.
// The server is stopped when the test ends. Without redis-server the test
// ends through testenv.Missing.
func StartServer(t testing.TB, args ...string) *redis.Client {
	t.Helper()
	bin := testenv.LookPath(t, "redis-server")
	addr := testenv.ClosedAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command(bin, append([]string{"--bind", "127.0.0.1", "--port", port,
		"--save", "", "--appendonly", "no", "--dir", t.TempDir()}, args...)...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() { cmd.Process.Kill(); <-exited })
	c := NewClient(t, addr, nil)
	deadline := time.Now().Add(testenv.Patience)
	for c.Ping(context.Background()).Err() != nil {
		select {
		case err := <-exited:
			t.Fatalf("redis-server %v on %s exited: %v", args, addr, err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server on %s did not answer within %v", addr, testenv.Patience)
		}
		time.Sleep(10 * time.Millisecond) // polling for the server to listen, not waiting for time
	}
	return c
}
