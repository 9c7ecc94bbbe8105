package testenv_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/session/internal/testenv"
)

func TestEnvironment(t *testing.T) {
	for _, tc := range []struct {
		name, env, value string
		get              func() string
		def              string
	}{
		{"redis", "SESSIONKIT_REDIS_ADDR", "10.0.0.1:7000", testenv.RedisAddr, testenv.DefaultRedisAddr},
		{"postgres", "SESSIONKIT_POSTGRES_DSN", "postgres://u@h:1/db", testenv.PostgresDSN, testenv.DefaultPostgresDSN},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(tc.env, "")
			if got := tc.get(); got != tc.def {
				t.Errorf("with %s empty: %q; want %q", tc.env, got, tc.def)
			}
			t.Setenv(tc.env, tc.value)
			if got := tc.get(); got != tc.value {
				t.Errorf("with %s=%s: %q", tc.env, tc.value, got)
			}
		})
	}
}

// TestMissingHelper is run by TestMissing in a process of its own.
func TestMissingHelper(t *testing.T) {
	if os.Getenv("TESTENV_MISSING_HELPER") == "" {
		t.Skip("helper process for TestMissing")
	}
	testenv.Missing(t, "no %s here", "frobnicator")
}

func TestMissing(t *testing.T) {
	for _, tc := range []struct {
		requireAll string
		wantErr    bool
		want       string
	}{
		{"", false, "--- SKIP: TestMissingHelper"},
		{"0", false, "--- SKIP: TestMissingHelper"},
		{"1", true, "--- FAIL: TestMissingHelper"},
	} {
		t.Run("REQUIRE_ALL="+tc.requireAll, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestMissingHelper$", "-test.v")
			cmd.Env = append(os.Environ(), "TESTENV_MISSING_HELPER=1", "SESSIONKIT_REQUIRE_ALL="+tc.requireAll)
			out, err := cmd.CombinedOutput()
			if (err != nil) != tc.wantErr || !strings.Contains(string(out), tc.want) || !strings.Contains(string(out), "no frobnicator here") {
				t.Fatalf("exit %v; want failure %v and %q with the message:\n%s", err, tc.wantErr, tc.want, out)
			}
		})
	}
}

func TestName(t *testing.T) {
	a, b := testenv.Name("sk_"), testenv.Name("sk_")
	if a == b {
		t.Fatalf("two names alike: %s", a)
	}
	if !regexp.MustCompile(`^sk_[0-9a-f]{16}$`).MatchString(a) {
		t.Fatalf("Name = %q; want sk_ and 16 lowercase hex digits (valid as a schema name)", a)
	}
}

func TestClosedAddr(t *testing.T) {
	if c, err := net.Dial("tcp", testenv.ClosedAddr(t)); err == nil {
		c.Close()
		t.Fatal("something listens on the closed address")
	}
}

func TestClock(t *testing.T) {
	start := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	c := testenv.NewClock(start)
	c.Add(time.Minute)
	if got := c.Now(); !got.Equal(start.Add(time.Minute)) {
		t.Fatalf("after Add: %v", got)
	}
	c.Set(start)
	if got := c.Now(); !got.Equal(start) {
		t.Fatalf("after Set: %v", got)
	}
}

// echo starts a server that answers each line with the same line.
func echo(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				io.Copy(c, c)
			}()
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	return ln.Addr().String()
}

type client struct {
	c net.Conn
	r *bufio.Reader
}

func dial(t *testing.T, addr string) *client {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &client{c, bufio.NewReader(c)}
}

// roundTrip sends a line and reads the answer, giving up after wait.
func (c *client) roundTrip(line string, wait time.Duration) (string, error) {
	c.c.SetDeadline(time.Now().Add(wait))
	if _, err := io.WriteString(c.c, line+"\n"); err != nil {
		return "", err
	}
	s, err := c.r.ReadString('\n')
	return strings.TrimSuffix(s, "\n"), err
}

func TestProxy(t *testing.T) {
	base := runtime.NumGoroutine()
	target := echo(t)
	base++ // the echo server's accept loop
	func() {
		p := testenv.NewProxy(t, target)
		defer p.Close()
		c := dial(t, p.Addr())
		if got, err := c.roundTrip("a", testenv.Patience); got != "a" || err != nil {
			t.Fatalf("through the proxy: %q, %v", got, err)
		}

		// Black hole: no answer and no error. Whether a byte would come
		// later cannot be proven by waiting; the write after Heal shows
		// that the swallowed line never arrived.
		p.BlackHole()
		var ne net.Error
		if got, err := c.roundTrip("lost", 50*time.Millisecond); !errors.As(err, &ne) || !ne.Timeout() {
			t.Fatalf("black hole: %q, %v; want a timeout", got, err)
		}
		p.Heal()
		c = dial(t, p.Addr())
		if got, err := c.roundTrip("b", testenv.Patience); got != "b" || err != nil {
			t.Fatalf("after Heal: %q, %v", got, err)
		}

		// Slow: the answer comes, after the delay.
		p.Slow(20 * time.Millisecond)
		start := time.Now()
		if got, err := c.roundTrip("c", testenv.Patience); got != "c" || err != nil {
			t.Fatalf("slow: %q, %v", got, err)
		}
		if d := time.Since(start); d < 40*time.Millisecond {
			t.Fatalf("slow proxy answered in %v; want at least two delays of 20ms", d)
		}
		p.Heal()

		// Cut: the open connection ends, new ones are closed at once.
		p.Cut()
		if got, err := c.roundTrip("d", testenv.Patience); err == nil {
			t.Fatalf("cut connection answered %q", got)
		}
		if got, err := dial(t, p.Addr()).roundTrip("e", testenv.Patience); err == nil {
			t.Fatalf("new connection after Cut answered %q", got)
		}
		p.Heal()
		if got, err := dial(t, p.Addr()).roundTrip("f", testenv.Patience); got != "f" || err != nil {
			t.Fatalf("after Heal: %q, %v", got, err)
		}
		// A connection left open and a slow chunk in flight do not keep
		// Close waiting.
		p.Slow(time.Hour)
		go dial(t, p.Addr()).roundTrip("g", testenv.Patience)
	}()
	testenv.WaitGoroutines(t, base)
}
