package session_test

import (
	"bufio"
	"bytes"
	"crypto/fips140"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	session "github.com/sessionkit/session"
	"github.com/sessionkit/session/memstore"
	"github.com/sessionkit/session/seal"
)

// The keys of the sealed tests: pass CheckKeys.
const (
	sealKey1 = "Kf7pQ2vR9sT4uW1xY6zA3bC8dE5gH0jL"
	sealKey2 = "Np3mB8vC1xZ6aS9dF4gH7jK2lQ5wE0rT"
)

var sessionScope = seal.Scope{Purpose: "session"}

// sealedFixture is a fixture whose Manager seals its cookies with keys
// (the first current).
func sealedFixture(t testing.TB, keys ...string) *fixture {
	t.Helper()
	var fallbacks [][]byte
	for _, k := range keys[1:] {
		fallbacks = append(fallbacks, []byte(k))
	}
	m, err := session.NewSealed(sessionScope, []byte(keys[0]), fallbacks...)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{m: m, clock: newClock(), logs: &logBuffer{}}
	m.Now = f.clock.Now
	m.Logger = newTextLogger(f.logs)
	return f
}

// open returns the plaintext and header of a sealed cookie value, opened
// with the fixture's sealer.
func (f *fixture) open(t testing.TB, value string) (map[string]any, seal.Info) {
	t.Helper()
	pt, info, err := f.m.Sealer().Open("session", value, f.clock.Now())
	if err != nil {
		t.Fatalf("open %q: %v", value, err)
	}
	var v map[string]any
	if err := json.Unmarshal(pt, &v); err != nil {
		t.Fatal(err)
	}
	return v, info
}

var setHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	s := session.FromContext(r.Context())
	for k, v := range r.URL.Query() {
		if k == "permanent" {
			s.SetPermanent(true)
			continue
		}
		s.Set(k, v[0])
	}
	v, _ := session.Get[string](s, "usuario")
	io.WriteString(w, v)
})

func TestSealedRoundTrip(t *testing.T) {
	f := sealedFixture(t, sealKey1)
	req := httptest.NewRequest("GET", "/?usuario=Maria&permanent=1", nil)
	rec := httptest.NewRecorder()
	f.m.Handler(setHandler).ServeHTTP(rec, req)
	value := cookieValue(rec.Header(), "session")
	if !strings.HasPrefix(value, "s") || strings.Contains(value, ".") {
		t.Fatalf("cookie %q is not an SK1 token", value)
	}
	if _, err := f.m.Codec().Decode(value, f.clock.Now()); err == nil {
		t.Fatal("Flask's codec read a sealed cookie")
	}
	got, _ := f.open(t, value)
	if fmt.Sprint(got) != "map[_permanent:true usuario:Maria]" {
		t.Errorf("sealed session %v", got)
	}
	if !strings.Contains(sessionCookie(rec.Header(), "session"), "Expires=") {
		t.Error("a permanent sealed session has no Expires")
	}
	if body := f.serve(t, setHandler, "session="+value).Body.String(); body != "Maria" {
		t.Errorf("read back: %q", body)
	}
	for i := range len(value) {
		tampered := []byte(value)
		tampered[i] ^= 1
		if body := f.serve(t, setHandler, "session="+string(tampered)).Body.String(); body != "" {
			t.Fatalf("tampered at %d: read as %q", i, body)
		}
	}
	// Another scope, another name: nothing opens.
	other, err := session.NewSealed(seal.Scope{Purpose: "session", App: "other"}, []byte(sealKey1))
	if err != nil {
		t.Fatal(err)
	}
	other.Now = f.clock.Now
	rec = httptest.NewRecorder()
	req = httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Cookie", "session="+value)
	other.Handler(setHandler).ServeHTTP(rec, req)
	if rec.Body.String() != "" {
		t.Errorf("a Manager of another scope read %q", rec.Body.String())
	}
}

// TestSealedRotation: a Manager whose current key is new reads a cookie
// sealed with the old key (now a fallback) and seals it again with the new
// one, keeping its issue time, even on a read-only request of a session
// that is not refreshed.
func TestSealedRotation(t *testing.T) {
	old := sealedFixture(t, sealKey1)
	issued := old.clock.Now()
	value := cookieValue(old.serve(t, func(w http.ResponseWriter, r *http.Request) {
		session.FromContext(r.Context()).Set("usuario", "Maria")
	}, "").Header(), "session")

	rotated := sealedFixture(t, sealKey2, sealKey1)
	rotated.clock.Set(issued.Add(time.Minute))
	rec := rotated.serve(t, setHandler, "session="+value)
	if rec.Body.String() != "Maria" {
		t.Fatalf("the rotated Manager read %q", rec.Body.String())
	}
	again := cookieValue(rec.Header(), "session")
	if again == "" {
		t.Fatal("a cookie sealed with a fallback key was not sealed again")
	}
	_, info := rotated.open(t, again)
	if info.Key != 0 || !info.IssuedAt.Equal(issued.UTC()) {
		t.Errorf("re-sealed with key %d issued %v; want the current key and the original %v", info.Key, info.IssuedAt, issued.UTC())
	}
	if line := sessionCookie(rec.Header(), "session"); strings.Contains(line, "Expires=") {
		t.Errorf("a browser-session cookie got %q", line)
	}
	// Once re-sealed, reading it writes nothing.
	if c := sessionCookie(rotated.serve(t, setHandler, "session="+again).Header(), "session"); c != "" {
		t.Errorf("reading a current cookie set %q", c)
	}
	// The old key removed: old tokens are refused.
	gone := sealedFixture(t, sealKey2)
	gone.clock.Set(issued.Add(time.Minute))
	if body := gone.serve(t, setHandler, "session="+value).Body.String(); body != "" {
		t.Errorf("a token of a removed key read as %q", body)
	}
}

// TestSealedMigration: during the window, a Flask signed cookie under the
// same key is read and written back sealed; after it, refused.
func TestSealedMigration(t *testing.T) {
	if fips140.Enforced() {
		t.Skip("Flask's signed cookies (HMAC-SHA1) cannot be read under fips140=only; TestSealedFIPS140Only checks the window is refused")
	}
	signed := newFixture(t)
	value := signed.mint(t, map[string]any{"usuario": "Maria"}, signed.clock.Now())
	f := sealedFixture(t, testKey)
	f.clock.Set(signed.clock.Now())
	f.m.AcceptSignedUntil = f.clock.Now().Add(time.Hour)
	rec := f.serve(t, setHandler, "session="+value)
	if rec.Body.String() != "Maria" {
		t.Fatalf("signed cookie in the window: %q", rec.Body.String())
	}
	sealed := cookieValue(rec.Header(), "session")
	if got, _ := f.open(t, sealed); fmt.Sprint(got) != "map[usuario:Maria]" {
		t.Errorf("written back as %v", got)
	}
	f.m.AcceptSignedUntil = f.clock.Now()
	if body := f.serve(t, setHandler, "session="+value).Body.String(); body != "" {
		t.Errorf("signed cookie after the window: %q", body)
	}
	if body := f.serve(t, setHandler, "session="+sealed).Body.String(); body != "Maria" {
		t.Errorf("its sealed successor after the window: %q", body)
	}
}

// TestSealedTooLarge: a sealed session over the cookie limit is an error
// at write time, and a hybrid Manager moves it to its store instead.
func TestSealedTooLarge(t *testing.T) {
	f := sealedFixture(t, sealKey1)
	var got error
	f.m.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		got = err
		w.WriteHeader(500)
	}
	big := func(w http.ResponseWriter, r *http.Request) {
		session.FromContext(r.Context()).Set("texto", strings.Repeat("a", 3100)) // no compression in SK1
	}
	rec := f.serve(t, big, "")
	var tooLarge *session.CookieTooLargeError
	if rec.Code != 500 || !errors.As(got, &tooLarge) || tooLarge.Size <= 4096 || sessionCookie(rec.Header(), "session") != "" {
		t.Fatalf("oversized sealed session: %d %v", rec.Code, got)
	}
	h := sealedFixture(t, sealKey1)
	h.m.Store, h.m.Hybrid = memstore.New(), true
	if v := cookieValue(h.serve(t, big, "").Header(), "session"); !strings.HasPrefix(v, "sk~") {
		t.Fatalf("hybrid sealed session over the limit: cookie %q; want an ID", v)
	}
}

// sealedFlask runs seal/testdata/flaskapp.py, a Flask application keeping
// its sessions in sealed cookies with python/sessionkit_seal, and returns
// its URL.
func sealedFlask(t *testing.T, python string, keys ...string) string {
	t.Helper()
	script, err := filepath.Abs(filepath.Join("seal", "testdata", "flaskapp.py"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := json.Marshal(map[string]any{"secret_key": keys[0], "fallbacks": keys[1:], "lifetime": 3600})
	cmd := exec.Command(python, script, string(cfg))
	cmd.Dir = t.TempDir() // not the repository root, whose flask/ would shadow Flask
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
		if t.Failed() {
			t.Logf("flaskapp.py's log:\n%s", stderr.String())
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	port, err2 := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || err2 != nil {
		t.Fatalf("flaskapp.py did not start: %q %v\n%s", line, err, stderr.String())
	}
	return fmt.Sprintf("http://127.0.0.1:%d", port)
}

// TestSealedFlaskInterop: a Go Manager made with NewSealed and a Flask
// application using python/sessionkit_seal share one session, each reading
// and changing what the other wrote, under both Flasks; and after a key
// rotation on the Flask side, Go reads its cookies.
func TestSealedFlaskInterop(t *testing.T) {
	for label, py := range pythons(t) {
		t.Run(label, func(t *testing.T) {
			flaskURL := sealedFlask(t, py, sealKey1)
			m, err := session.NewSealed(sessionScope, []byte(sealKey1))
			if err != nil {
				t.Fatal(err)
			}
			m.Logger = newTextLogger(io.Discard)
			goSrv := httptest.NewServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s := session.FromContext(r.Context())
				if _, err := session.Add(s, "n", 1); err != nil {
					t.Error(err)
				}
				if err := session.Append(s, "lados", "go"); err != nil {
					t.Error(err)
				}
				s.Flash("message", "Olá do Go")
			})))
			defer goSrv.Close()
			cookie := ""
			call := func(method, url, body string) string {
				t.Helper()
				req, _ := http.NewRequest(method, url, strings.NewReader(body))
				if cookie != "" {
					req.Header.Set("Cookie", "session="+cookie)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				if resp.StatusCode != 200 {
					t.Fatalf("%s %s: %d %s", method, url, resp.StatusCode, b)
				}
				for _, c := range resp.Cookies() {
					if c.Name == "session" {
						cookie = c.Value
					}
				}
				return string(b)
			}
			call("POST", flaskURL+"/set", `{"usuario":"Maria","lados":["flask"]}`)
			call("GET", goSrv.URL, "")
			call("GET", flaskURL+"/incr", "")
			call("GET", goSrv.URL, "")
			var dump struct{ Session string }
			if err := json.Unmarshal([]byte(call("GET", flaskURL+"/dump", "")), &dump); err != nil {
				t.Fatal(err)
			}
			want := `{"_flashes":[{" t":["message","Olá do Go"]},{" t":["message","Olá do Go"]}],"lados":["flask","go","go"],"n":3,"usuario":"Maria"}`
			var got, wantV any
			json.Unmarshal([]byte(dump.Session), &got)
			json.Unmarshal([]byte(want), &wantV)
			if fmt.Sprint(got) != fmt.Sprint(wantV) {
				t.Errorf("Flask sees %s\nwant %s", dump.Session, want)
			}
			// Flask rotates to a new key; Go, with the new key current and
			// the old one a fallback, reads what Flask re-sealed.
			rotatedFlask := sealedFlask(t, py, sealKey2, sealKey1)
			call("GET", rotatedFlask+"/touch", "")
			rotated, err := session.NewSealed(sessionScope, []byte(sealKey2))
			if err != nil {
				t.Fatal(err)
			}
			rotated.Logger = newTextLogger(io.Discard)
			var n int
			rec := httptest.NewRecorder()
			req := httptest.NewRequest("GET", "/", nil)
			req.Header.Set("Cookie", "session="+cookie)
			rotated.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n, _ = session.Get[int](session.FromContext(r.Context()), "n")
			})).ServeHTTP(rec, req)
			if n != 3 {
				t.Errorf("Go with only the new key reads n = %d; want 3 (Flask re-sealed the cookie)", n)
			}
		})
	}
}

// TestSealedRevocationAndTimeout: revocation by owner generations (Destroy,
// DestroyAll) and the absolute timeout hold for sealed cookies as for
// signed ones.
func TestSealedRevocationAndTimeout(t *testing.T) {
	f := sealedFixture(t, sealKey1)
	f.m.Generations = memstore.NewGenerations()
	f.m.Lifetime = 30 * time.Minute
	f.m.AbsoluteTimeout = time.Hour
	mux := lessonMux()
	mux.HandleFunc("/login-owned", func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		s.SetOwner("u1")
		s.SetPermanent(true)
		s.Set("usuario", "Maria")
	})
	mux.HandleFunc("/destroy", func(w http.ResponseWriter, r *http.Request) {
		session.FromContext(r.Context()).Destroy()
	})
	srv, c := f.server(t, mux)
	replay := func(v string) string {
		req := httptest.NewRequest("GET", "/perfil", nil)
		req.Header.Set("Cookie", "session="+v)
		rec := httptest.NewRecorder()
		f.m.Handler(mux).ServeHTTP(rec, req)
		return rec.Body.String()
	}
	const in, out = "Bem-vindo, Maria!", "Nenhum usuário logado."

	// Active every 10 minutes: the idle limit never ends the session, the
	// absolute timeout does.
	start := f.clock.Now()
	get(t, c, srv.URL+"/login-owned")
	for range 5 {
		f.clock.Add(10 * time.Minute)
		if _, body := get(t, c, srv.URL+"/perfil"); body != in {
			t.Fatalf("at %v: %q", f.clock.Now().Sub(start), body)
		}
	}
	f.clock.Set(start.Add(time.Hour + time.Second))
	if _, body := get(t, c, srv.URL+"/perfil"); body != out {
		t.Fatalf("a sealed session alive after the absolute timeout: %q", body)
	}

	// Destroy revokes copies of the cookie; so does DestroyAll.
	get(t, c, srv.URL+"/login-owned")
	v1 := jarValue(t, c, srv.URL, "session")
	if got := replay(v1); got != in {
		t.Fatalf("copy before logout: %q", got)
	}
	get(t, c, srv.URL+"/destroy")
	if got := replay(v1); got != out {
		t.Errorf("sealed copy after Destroy: %q", got)
	}
	get(t, c, srv.URL+"/login-owned")
	v2 := jarValue(t, c, srv.URL, "session")
	if got := replay(v2); got != in {
		t.Fatalf("new login: %q", got)
	}
	if err := f.m.DestroyAll(t.Context(), "u1"); err != nil {
		t.Fatal(err)
	}
	if got := replay(v2); got != out {
		t.Errorf("sealed cookie after DestroyAll: %q", got)
	}
}
