package session_test

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	session "github.com/sessionkit/session"
)

// whoHandler answers the session's "usuario", or "anon".
func whoHandler(w http.ResponseWriter, r *http.Request) {
	if u, ok := session.Get[string](session.FromContext(r.Context()), "usuario"); ok {
		io.WriteString(w, u)
		return
	}
	io.WriteString(w, "anon")
}

// TestDuplicateCookies is SECURITY.md H-71 and H-73: several cookies named
// like the session.
func TestDuplicateCookies(t *testing.T) {
	f := newFixture(t)
	now := f.clock.Now()
	maria := f.mint(t, map[string]any{"usuario": "Maria"}, now)
	mariaLater := f.mint(t, map[string]any{"usuario": "Maria"}, now.Add(-time.Second))
	attacker := f.mint(t, map[string]any{"usuario": "Mallory"}, now)
	garbage := func(n int) []string {
		g := make([]string, n)
		for i := range g {
			g[i] = "session=garbage" + fmt.Sprint(i)
		}
		return g
	}
	join := func(parts ...[]string) string {
		var all []string
		for _, p := range parts {
			all = append(all, p...)
		}
		return strings.Join(all, "; ")
	}
	tests := []struct {
		name   string
		cookie string
		want   string
	}{
		{"valid first", join([]string{"session=" + maria}, garbage(3)), "Maria"},
		{"valid middle", join(garbage(2), []string{"session=" + maria}, garbage(2)), "Maria"},
		{"valid last of five", join(garbage(4), []string{"session=" + maria}), "Maria"},
		{"empty values skipped", join([]string{"session=", "session=" + maria}), "Maria"},
		{"same data twice", join([]string{"session=" + maria, "session=" + mariaLater}), "Maria"},
		{"tossed cookie first", join([]string{"session=" + attacker, "session=" + maria}), "anon"},
		{"tossed cookie last", join([]string{"session=" + maria, "session=" + attacker}), "anon"},
		{"valid after 999 garbage", join(garbage(999), []string{"session=" + maria}), "anon"},
		{"valid before 999 garbage", join([]string{"session=" + maria}, garbage(999)), "anon"},
		{"tossed cookie before padding", join([]string{"session=" + attacker}, garbage(5), []string{"session=" + maria}), "anon"},
		{"tossed cookie after padding", join([]string{"session=" + maria}, garbage(5), []string{"session=" + attacker}), "anon"},
		{"identical copies", join([]string{"session=" + maria, "session=" + maria, "session=" + maria, "session=" + maria, "session=" + maria, "session=" + maria}), "Maria"},
	}
	var verified atomic.Int64
	defer session.CountVerifications(func() { verified.Add(1) })()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			verified.Store(0)
			rec := f.serve(t, whoHandler, tt.cookie)
			if rec.Body.String() != tt.want || rec.Code != 200 {
				t.Errorf("got %d %q, want %q", rec.Code, rec.Body.String(), tt.want)
			}
			// The work is bounded: at most five signature checks,
			// however many cookies.
			if n := verified.Load(); n > 5 {
				t.Errorf("%d cookies verified; want at most 5", n)
			}
		})
	}
	if !strings.Contains(f.logs.String(), "cookie tossing") {
		t.Error("refusing different valid cookies logged no security event")
	}
}

// TestHostileRequests covers SECURITY.md H-69, H-70, H-72, H-75, H-76,
// H-77 and 3.1.1 with a real server.
func TestHostileRequests(t *testing.T) {
	f := newFixture(t)
	srv, _ := f.server(t, http.HandlerFunc(whoHandler))
	valid := f.mint(t, map[string]any{"usuario": "Maria"}, f.clock.Now())

	raw := func(t *testing.T, headers string) (int, string) {
		t.Helper()
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		go func() {
			io.WriteString(conn, "GET /?session="+valid+" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"+headers+"\r\n")
		}()
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	tests := []struct {
		name    string
		headers string
		status  int
		body    string
	}{
		{"H-69 10 MB Cookie header", "Cookie: session=" + strings.Repeat("A", 10<<20) + "\r\n", 431, ""},
		{"H-70 1 MiB session cookie", "Cookie: session=" + strings.Repeat("A", 1<<20-100) + "\r\n", 200, "anon"},
		{"H-72 3001 cookies", "Cookie: " + strings.Repeat("a=; ", 3001) + "session=" + valid + "\r\n", 200, "anon"},
		{"H-75 nameless", "Cookie: =abc; session; ;;;\r\n", 200, "anon"},
		{"H-76 split Cookie lines", "Cookie: a=1\r\nCookie: session=" + valid + "\r\n", 200, "Maria"},
		{"H-77 header and query", "X-Session-Id: " + valid + "\r\nAuthorization: Bearer " + valid + "\r\n", 200, "anon"},
		{"A-01 bare name", "Cookie: session\r\n", 200, "anon"},
		{"tampered", "Cookie: session=" + valid + "x\r\n", 200, "anon"},
		{"control bytes (refused by net/http)", "Cookie: session=\x01\x02" + valid + "\r\n", 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := raw(t, tt.headers)
			if status != tt.status || (tt.body != "" && body != tt.body) {
				t.Errorf("got %d %q, want %d %q", status, body, tt.status, tt.body)
			}
		})
	}
	if strings.Contains(f.logs.String(), valid) || strings.Contains(f.logs.String(), "AAAAAAAA") {
		t.Error("a cookie value appears in the log")
	}
}

// TestAnonymousRequestsWriteNothing is SECURITY.md ADV-13: requests that
// never write to the session set no cookie.
func TestAnonymousRequestsWriteNothing(t *testing.T) {
	f := newFixture(t)
	h := f.m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		s.Has("usuario")
		s.Pop("usuario")
	}))
	for i := range 1000 {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/logout", nil)
		if i%2 == 1 {
			req.Header.Set("Cookie", "session=forged.AAAA.BBBB")
		}
		h.ServeHTTP(rec, req)
		if len(rec.Header().Values("Set-Cookie")) != 0 {
			t.Fatalf("request %d set a cookie", i)
		}
	}
}

// TestKeyConfiguration is SECURITY.md section I through New and
// NewDevelopment.
func TestKeyConfiguration(t *testing.T) {
	good := []byte(testKey)
	tests := []struct {
		name      string
		key       []byte
		fallbacks [][]byte
		newOK     bool // New accepts
		devOK     bool // NewDevelopment accepts
	}{
		{"I-81 empty", []byte(""), nil, false, false},
		{"I-81 whitespace", []byte(" \n\t"), nil, false, false},
		{"I-82 empty fallback", good, [][]byte{[]byte("")}, false, false},
		{"I-82 fallback repeats key", good, [][]byte{good}, false, false},
		{"I-82 weak fallback", good, [][]byte{[]byte("dev")}, false, true},
		{"I-83 short", []byte("Zq8vT3nW6yB1cR5m"), nil, false, true},
		{"I-84 Secret newline", []byte("Secret\n"), nil, false, true},
		{"I-84 spaced changeme", []byte("  changeme "), nil, false, true},
		{"I-84 quoted dev", []byte(`"dev"`), nil, false, true},
		{"I-84 CHANGEME", []byte("CHANGEME"), nil, false, true},
		{"lesson key", []byte("sua_chave_secreta_segura"), nil, false, true},
		{"good with good fallback", good, [][]byte{[]byte("Old-key-rotated-out-7Qm2Vx9Lp4Rk8Tz")}, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := session.New(tt.key, tt.fallbacks...)
			if (err == nil) != tt.newOK {
				t.Errorf("New: err = %v, want ok %v", err, tt.newOK)
			}
			if err != nil && len(strings.TrimSpace(string(tt.key))) > 2 && strings.Contains(err.Error(), strings.TrimSpace(string(tt.key))) {
				t.Errorf("error shows the key: %v", err)
			}
			if m != nil && m.AllowWeakKey {
				t.Error("New set AllowWeakKey")
			}
			d, err := session.NewDevelopment(tt.key, tt.fallbacks...)
			if (err == nil) != tt.devOK {
				t.Errorf("NewDevelopment: err = %v, want ok %v", err, tt.devOK)
			}
			if d == nil {
				return
			}
			// A weak development key warns once, however many Handler
			// calls, and Validate refuses it once AllowWeakKey is cleared.
			logs := &logBuffer{}
			d.Logger = newTextLogger(logs)
			d.Handler(http.NotFoundHandler())
			d.Handler(http.NotFoundHandler())
			weak := !tt.newOK
			if n := strings.Count(logs.String(), "level=WARN msg=\"session: using a weak secret key"); (n == 1) != weak {
				t.Errorf("%d warnings for a weak=%v key:\n%s", n, weak, logs)
			}
			d.AllowWeakKey = false
			if err := d.Validate(); (err == nil) == weak {
				t.Errorf("Validate without AllowWeakKey: %v", err)
			}
		})
	}
}

// TestCookieConfiguration: configurations browsers reject fail Validate,
// and Handler panics with the same message.
func TestCookieConfiguration(t *testing.T) {
	tests := []struct {
		name string
		edit func(m *session.Manager)
		want string // substring of the error; "" for valid
	}{
		{"defaults", func(m *session.Manager) {}, ""},
		{"__Host- ok", func(m *session.Manager) { m.Cookie.Name = "__Host-session"; m.Cookie.Secure = true }, ""},
		{"__Host- without Secure", func(m *session.Manager) { m.Cookie.Name = "__Host-session" }, "__Host-"},
		{"__Host- with Domain", func(m *session.Manager) {
			m.Cookie.Name, m.Cookie.Secure, m.Cookie.Domain = "__Host-session", true, "example.com"
		}, "__Host-"},
		{"__Host- with Path", func(m *session.Manager) {
			m.Cookie.Name, m.Cookie.Secure, m.Cookie.Path = "__Host-session", true, "/app"
		}, "__Host-"},
		{"__host- lower case", func(m *session.Manager) { m.Cookie.Name = "__host-session" }, "__Host-"},
		{"__Secure- without Secure", func(m *session.Manager) { m.Cookie.Name = "__Secure-session" }, "__Secure-"},
		{"Partitioned without Secure", func(m *session.Manager) { m.Cookie.Partitioned = true }, "Partitioned"},
		{"SameSite=None without Secure", func(m *session.Manager) { m.Cookie.SameSite = http.SameSiteNoneMode }, "SameSite=None"},
		{"SameSite default mode", func(m *session.Manager) { m.Cookie.SameSite = http.SameSiteDefaultMode }, "SameSite"},
		{"SameSite unset", func(m *session.Manager) { m.Cookie.SameSite = 0 }, "SameSite"},
		{"name with space", func(m *session.Manager) { m.Cookie.Name = "my session" }, "invalid"},
		{"name with semicolon", func(m *session.Manager) { m.Cookie.Name = "a;b" }, "invalid"},
		{"empty name", func(m *session.Manager) { m.Cookie.Name = "" }, "Name"},
		{"path with semicolon", func(m *session.Manager) { m.Cookie.Path = "/a;Domain=evil" }, "Path"},
		{"path with CRLF", func(m *session.Manager) { m.Cookie.Path = "/a\r\nX: y" }, "Path"},
		{"relative path", func(m *session.Manager) { m.Cookie.Path = "app" }, "Path"},
		{"long path", func(m *session.Manager) { m.Cookie.Path = "/" + strings.Repeat("a", 1024) }, "1024"},
		{"bad domain", func(m *session.Manager) { m.Cookie.Domain = "exa mple.com" }, "invalid"},
		{"lifetime zero", func(m *session.Manager) { m.Lifetime = 0 }, "Lifetime"},
		{"negative absolute timeout", func(m *session.Manager) { m.AbsoluteTimeout = -1 }, "AbsoluteTimeout"},
		{"cookie size over 4096", func(m *session.Manager) { m.MaxCookieSize = 5000 }, "MaxCookieSize"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := session.New([]byte(testKey))
			if err != nil {
				t.Fatal(err)
			}
			tt.edit(m)
			err = m.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate = %v, want an error about %q", err, tt.want)
			}
			defer func() {
				if p := recover(); p == nil || fmt.Sprint(p) != err.Error() {
					t.Errorf("Handler panic = %v, want %v", p, err)
				}
			}()
			m.Handler(http.NotFoundHandler())
		})
	}
}

// TestAmplificationBounded: with the key, a small cookie can inflate to
// the codec's cap (64 KiB of JSON) of the values that cost the most to
// hold (empty lists and dicts, zeros, empty strings, tuples). What one
// request allocates stays bounded by that cap, whatever the cookie:
// about 55 bytes per byte of JSON, under 4 MiB, and five copies of the
// cookie are decoded once.
func TestAmplificationBounded(t *testing.T) {
	f := newFixture(t)
	h := f.m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		session.FromContext(r.Context()).Len()
	}))
	many := func(item string, n int) string {
		return `{"a":[` + strings.TrimSuffix(strings.Repeat(item+",", n), ",") + `]}`
	}
	for name, js := range map[string]string{
		"empty lists":   many("[]", 21000),
		"empty dicts":   many("{}", 21000),
		"zeros":         many("0", 32000),
		"empty strings": many(`""`, 21000),
		"tuples":        many(`{" t":[]}`, 6500),
		"nested":        `{"a":` + strings.Repeat("[", 900) + strings.Repeat("]", 900) + `}`,
	} {
		t.Run(name, func(t *testing.T) {
			var z bytes.Buffer
			w, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
			w.Write([]byte(js))
			w.Close()
			cookie := f.m.Codec().Signer().Sign("."+base64.RawURLEncoding.EncodeToString(z.Bytes()), f.clock.Now())
			req := httptest.NewRequest("GET", "/", nil)
			req.Header.Set("Cookie", strings.Repeat("session="+cookie+"; ", 5))
			var ms runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&ms)
			before := ms.TotalAlloc
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			runtime.ReadMemStats(&ms)
			alloc := ms.TotalAlloc - before
			if rec.Code != 200 {
				t.Fatalf("status %d", rec.Code)
			}
			if alloc > 4<<20 || alloc > 60*uint64(len(js))+64<<10 {
				t.Errorf("a %d-byte cookie inflating to %d bytes of JSON allocated %d bytes", len(cookie), len(js), alloc)
			}
			t.Logf("%d-byte cookie, %d bytes of JSON: %d bytes allocated", len(cookie), len(js), alloc)
		})
	}
}
