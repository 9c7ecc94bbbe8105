package session_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	session "github.com/sessionkit/session"
	"github.com/sessionkit/session/internal/testenv"
)

// testKey passes the key policy; it is used by every test Manager.
const testKey = "Zq8vT3nW6yB1cR5mX0kP7sD2fG9hJ4lAe"

// clock is the tests' settable clock for Manager.Now.
type clock = testenv.Clock

// newClock returns a clock at the wall clock's current whole second, so
// that cookiejar (which uses the real time for Expires) keeps the cookies
// the tests expire on the server side.
func newClock() *clock { return testenv.NewClock(time.Now().Truncate(time.Second)) }

// logBuffer collects log output safely across goroutines.
type logBuffer struct {
	mu  sync.Mutex // guards buf
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// fixture is a Manager with a fake clock and captured logs.
type fixture struct {
	m     *session.Manager
	clock *clock
	logs  *logBuffer
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	m, err := session.New([]byte(testKey))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{m: m, clock: newClock(), logs: &logBuffer{}}
	m.Now = f.clock.Now
	m.Logger = newTextLogger(f.logs)
	t.Cleanup(func() {
		if strings.Contains(f.logs.String(), testKey) {
			t.Errorf("the secret key appears in the log:\n%s", f.logs)
		}
	})
	return f
}

// server starts an httptest server running h behind f's middleware and
// returns a client with a cookie jar.
func (f *fixture) server(t testing.TB, h http.Handler) (*httptest.Server, *http.Client) {
	t.Helper()
	srv := httptest.NewServer(f.m.Handler(h))
	t.Cleanup(srv.Close)
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return srv, &http.Client{Jar: jar}
}

// get fetches url and returns the response with its body read.
func get(t testing.TB, c *http.Client, url string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

// serve runs one request through h behind f's middleware with the given
// Cookie header (may be empty) and returns the recorded response.
func (f *fixture) serve(t testing.TB, h http.HandlerFunc, cookie string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("GET", "/", nil)
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	rec := httptest.NewRecorder()
	f.m.Handler(h).ServeHTTP(rec, req)
	return rec
}

// sessionCookie returns the Set-Cookie line for the session cookie in h,
// or "".
func sessionCookie(h http.Header, name string) string {
	for _, line := range h.Values("Set-Cookie") {
		if strings.HasPrefix(line, name+"=") {
			return line
		}
	}
	return ""
}

// cookieValue returns the value of the session cookie set in h, or "".
func cookieValue(h http.Header, name string) string {
	line := sessionCookie(h, name)
	v, _, _ := strings.Cut(strings.TrimPrefix(line, name+"="), ";")
	return v
}

// jarValue returns the session cookie's value in c's jar for u.
func jarValue(t testing.TB, c *http.Client, u, name string) string {
	t.Helper()
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	for _, ck := range c.Jar.Cookies(pu) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

// mint returns a cookie value holding values, signed by f's codec at at.
func (f *fixture) mint(t testing.TB, values map[string]any, at time.Time) string {
	t.Helper()
	v, err := f.m.Codec().Encode(values, at)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// decode returns the values in a cookie value written by f's Manager,
// reserved keys included.
func (f *fixture) decode(t testing.TB, value string) map[string]any {
	t.Helper()
	v, err := f.m.Codec().Decode(value, f.clock.Now())
	if err != nil {
		t.Fatalf("decode cookie: %v", err)
	}
	return v
}

// randomText returns n bytes of incompressible printable text.
func randomText(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)[:n]
}

// newTextLogger logs everything, debug included, to w as text.
func newTextLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
