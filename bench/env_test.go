package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"testing"
	"time"
)

// Services the store-backed benchmarks use. They skip with a message when a
// service is missing, and fail instead when SESSIONKIT_REQUIRE_ALL=1 (CI).
func redisAddr() string { return envOr("BENCH_REDIS_ADDR", "127.0.0.1:6379") }
func postgresURL() string {
	return envOr("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable")
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// need skips tb (or fails it under SESSIONKIT_REQUIRE_ALL=1) when addr does
// not accept TCP connections.
func need(tb testing.TB, what, addr string) {
	tb.Helper()
	d := net.Dialer{Timeout: time.Second}
	c, err := d.DialContext(context.Background(), "tcp", addr)
	if err == nil {
		c.Close()
		return
	}
	missing(tb, what+" at "+addr+" is not reachable ("+err.Error()+")")
}

// missing skips, or fails in CI.
func missing(tb testing.TB, why string) {
	tb.Helper()
	if os.Getenv("SESSIONKIT_REQUIRE_ALL") == "1" {
		tb.Fatal(why + " (SESSIONKIT_REQUIRE_ALL=1)")
	}
	tb.Skip(why + ": skipping")
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
