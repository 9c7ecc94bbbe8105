package demo

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
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
)

// quiet drops the log lines of refused cookies that hostile-input tests
// provoke on purpose.
var quiet = slog.New(slog.DiscardHandler)

// clock is a settable clock shared by the test and the server.
type clock struct {
	mu sync.Mutex // guards t
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func testKey(t testing.TB) []byte {
	t.Helper()
	b := make([]byte, 32)
	rand.Read(b)
	return []byte(hex.EncodeToString(b))
}

// harness is the demo behind an httptest server, with a browser-like client
// (cookie jar, redirects followed) and a clock the test moves.
type harness struct {
	t      *testing.T
	srv    *httptest.Server
	client *http.Client
	clock  *clock
	cfg    Config
}

func newHarness(t *testing.T, edit func(*Config)) *harness {
	t.Helper()
	clk := &clock{t: time.Now()}
	cfg := Config{Key: testKey(t), Lifetime: 2 * time.Minute, Now: clk.Now, Logger: quiet}
	if edit != nil {
		edit(&cfg)
	}
	h, err := NewHandler(cfg)
	if err != nil {
		t.Fatalf("NewHandler: %v", err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	return &harness{t: t, srv: srv, client: &http.Client{Jar: jar, Timeout: 10 * time.Second}, clock: clk, cfg: cfg}
}

type response struct {
	status int
	body   string
	header http.Header
	url    string
}

func (h *harness) do(req *http.Request) response {
	h.t.Helper()
	resp, err := h.client.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatalf("%s %s: reading body: %v", req.Method, req.URL, err)
	}
	return response{resp.StatusCode, string(b), resp.Header, resp.Request.URL.Path}
}

func (h *harness) get(path string, header ...string) response {
	h.t.Helper()
	req, _ := http.NewRequest("GET", h.srv.URL+path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return h.do(req)
}

func (h *harness) post(path string, form url.Values) response {
	h.t.Helper()
	req, _ := http.NewRequest("POST", h.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return h.do(req)
}

// cookie returns the session cookie the client holds, or nil.
func (h *harness) cookie() *http.Cookie {
	u, _ := url.Parse(h.srv.URL)
	for _, c := range h.client.Jar.Cookies(u) {
		if c.Name == "session" {
			return c
		}
	}
	return nil
}

// longName returns a 600-character random name: it does not compress, so a
// few of them fill the cookie.
func longName(t testing.TB, i int) string {
	t.Helper()
	b := make([]byte, 450)
	rand.Read(b)
	return fmt.Sprintf("%d-%s", i, base64.RawURLEncoding.EncodeToString(b))
}
