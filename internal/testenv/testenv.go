// Package testenv holds what sessionkit's tests share and the standard
// library does not give: where the Redis and PostgreSQL servers are, the rule
// for a missing one, unique names for what a test creates in a shared
// server, a settable clock, a TCP proxy that plays network faults, and
// checks on store errors.
//
// It imports only the standard library and the core session package, so
// the tests of the core packages (memstore, storetest) may use it. The
// driver-specific helpers live in internal/redistest and internal/pgtest.
//
// # Environment
//
//	SESSIONKIT_REDIS_ADDR     Redis address; default 127.0.0.1:6379
//	SESSIONKIT_POSTGRES_DSN   PostgreSQL URL; default postgres://postgres@127.0.0.1:5432/test
//	SESSIONKIT_REQUIRE_ALL=1  a missing server or tool fails the test instead of skipping it
package testenv

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// Defaults of the environment variables.
const (
	DefaultRedisAddr   = "127.0.0.1:6379"
	DefaultPostgresDSN = "postgres://postgres@127.0.0.1:5432/test"
)

// Patience bounds a wait that only a broken program reaches: an operation
// expected to succeed, a server expected to start, goroutines expected to
// end. It is far longer than anything takes on a busy two-core machine, so
// that reaching it means a hang, never slowness. Tests must not use it, or
// any duration, as a budget for how fast something happens.
const Patience = 2 * time.Minute

// RedisAddr returns the address of the Redis server tests use:
// SESSIONKIT_REDIS_ADDR, or DefaultRedisAddr.
func RedisAddr() string { return env("SESSIONKIT_REDIS_ADDR", DefaultRedisAddr) }

// PostgresDSN returns the URL of the PostgreSQL database tests use:
// SESSIONKIT_POSTGRES_DSN, or DefaultPostgresDSN.
func PostgresDSN() string { return env("SESSIONKIT_POSTGRES_DSN", DefaultPostgresDSN) }

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// RequireAll reports whether SESSIONKIT_REQUIRE_ALL=1, under which a test
// needing a missing service or tool fails instead of skipping.
func RequireAll() bool { return os.Getenv("SESSIONKIT_REQUIRE_ALL") == "1" }

// Missing ends the test because something it needs is not there: it skips
// with the message, or fails with it under SESSIONKIT_REQUIRE_ALL=1.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if RequireAll() {
		t.Fatalf("%s (SESSIONKIT_REQUIRE_ALL=1)", msg)
	}
	t.Skip(msg)
}

// LookPath returns the path of the program name, or ends the test with
// Missing.
func LookPath(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(t, "%s not found: %v", name, err)
	}
	return p
}

// Name returns prefix followed by 16 random lowercase hex digits: a name
// for a key prefix, database schema or file that no other test, process or
// run uses.
func Name(prefix string) string {
	var b [8]byte
	rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// ClosedAddr returns a loopback address on which nothing listens: a port
// the system handed out and that was closed again.
func ClosedAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// WaitGoroutines waits until no more goroutines run than base, a count
// taken before the code under test started, and fails the test with every
// goroutine's stack if they are still there after Patience.
func WaitGoroutines(t testing.TB, base int) {
	t.Helper()
	deadline := time.Now().Add(Patience)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines, %d before:\n%s", runtime.NumGoroutine(), base, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond) // polling for goroutines to end, not waiting for time
	}
}

// Logs is a log destination safe for concurrent writes.
type Logs struct {
	mu sync.Mutex // guards b
	b  strings.Builder
}

func (l *Logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns what was logged.
func (l *Logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
