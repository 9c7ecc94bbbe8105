package seal

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/session/flask"
)

// Live interoperability with real Flask (2.2 under /usr/bin/python3, 3.1
// under python3) through HTTP: testdata/flaskapp.py keeps its session with
// python/sessionkit_seal's SealedSessionInterface, and the Go side seals and
// opens the same cookies with this package and Flask's tagged JSON
// (package flask).

// flaskPython is an interpreter with Flask and cryptography.
type flaskPython struct{ python, version string }

func flaskPythons(t *testing.T) []flaskPython {
	t.Helper()
	if testing.Short() {
		t.Skip("live Flask tests skipped in -short mode")
	}
	var found []flaskPython
	var absent []string
	for _, py := range pythons {
		cmd := exec.Command(py, "-c", "from importlib.metadata import version; import flask, cryptography; print(version('flask'))")
		out, err := cmd.Output()
		if err != nil {
			absent = append(absent, py+" with Flask and cryptography")
			continue
		}
		found = append(found, flaskPython{py, strings.TrimSpace(string(out))})
	}
	if len(absent) > 0 && (len(found) == 0 || requireAll()) {
		missing(t, "missing for the live Flask tests: "+strings.Join(absent, ", "))
	}
	return found
}

type flaskConfig struct {
	SecretKey  string   `json:"secret_key"`
	Fallbacks  []string `json:"fallbacks"`
	CookieName string   `json:"cookie_name"`
	Lifetime   int64    `json:"lifetime"`
	Refresh    bool     `json:"refresh"`
	AppID      string   `json:"app_id"`
}

// startFlask runs testdata/flaskapp.py with cfg and returns its URL. The
// app exits when its standard input closes, at the end of the test.
func startFlask(t *testing.T, python string, cfg flaskConfig) string {
	t.Helper()
	js, _ := json.Marshal(cfg)
	cmd := exec.Command(python, "testdata/flaskapp.py", string(js))
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer // Flask's log, shown when the test fails
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("flaskapp.py's log:\n%s", stderr.String())
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("flaskapp.py did not start: %v", err)
	}
	port, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatalf("flaskapp.py printed %q", line)
	}
	return fmt.Sprintf("http://127.0.0.1:%d", port)
}

type reply struct {
	status int
	body   string
	header http.Header
	cookie *http.Cookie // the session's Set-Cookie, if any
}

// call makes one request to a Flask app, carrying the session cookie
// value (if any) and the clock now (if not zero).
func call(t *testing.T, method, url, name, value, body string, now int64) reply {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if value != "" {
		req.AddCookie(&http.Cookie{Name: name, Value: value})
	}
	if now != 0 {
		req.Header.Set("X-Now", strconv.FormatInt(now, 10))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, body: string(b), header: resp.Header}
	for _, c := range resp.Cookies() {
		if c.Name == name {
			r.cookie = c
		}
	}
	return r
}

// dump returns the session Flask sees, as tagged JSON.
func dump(t *testing.T, url, name, value string, now int64) (string, bool) {
	t.Helper()
	r := call(t, "GET", url+"/dump", name, value, "", now)
	var d struct {
		Session   string `json:"session"`
		Permanent bool   `json:"permanent"`
	}
	if r.status != 200 || json.Unmarshal([]byte(r.body), &d) != nil {
		t.Fatalf("/dump: %d %s", r.status, r.body)
	}
	return d.Session, d.Permanent
}

// richSession holds every type Flask's tagged JSON carries.
func richSession(t *testing.T) (map[string]any, string) {
	t.Helper()
	uuid, _ := flask.ParseUUID("12345678-1234-5678-1234-567812345678")
	v := map[string]any{
		"usuario":  "João ☃ 😀",
		"_flashes": []any{flask.Tuple{"message", "Olá"}, flask.Tuple{"error", "<b>x</b>"}},
		"n":        []any{int64(1), 1.5, int64(-7), nil, true, false, 1e16},
		"bytes":    []byte{0, 1, 2, 255},
		"markup":   flask.Markup("<b>hi</b>"),
		"uuid":     uuid,
		"when":     time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
		"nested":   map[string]any{"a": map[string]any{"b": []any{"c"}}, " t": "escaped"},
	}
	js, err := flask.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return v, string(js)
}

func TestFlaskLive(t *testing.T) {
	for _, fp := range flaskPythons(t) {
		t.Run("flask-"+fp.version, func(t *testing.T) { testFlaskLive(t, fp.python) })
	}
}

func testFlaskLive(t *testing.T, python string) {
	const (
		name     = "sk_session"
		app      = "interop"
		lifetime = 3600
		T        = int64(1_750_000_000)
	)
	secret := "interop-secret-key-0123456789abcdef"
	old := "interop-old-secret-key-0123456789ab"
	cfg := flaskConfig{SecretKey: secret, Fallbacks: []string{old}, CookieName: name, Lifetime: lifetime, Refresh: true, AppID: app}
	url := startFlask(t, python, cfg)
	scope := Scope{Purpose: "session", App: app}
	g := mustNew(t, Keys{Current: []byte(secret), Fallbacks: [][]byte{[]byte(old)}}, scope)
	g.MaxAge = lifetime * time.Second
	goSeal := func(s *Sealer, js string, iat int64) string {
		t.Helper()
		return mustSeal(t, s, name, []byte(js), time.Unix(iat, 0))
	}
	goOpen := func(value string, now int64) (string, Info) {
		t.Helper()
		pt, info, err := g.Open(name, value, time.Unix(now, 0))
		if err != nil {
			t.Fatalf("Go cannot open Flask's cookie: %v", err)
		}
		v, err := flask.Unmarshal(pt)
		if err != nil {
			t.Fatalf("Flask's plaintext is not tagged JSON: %v", err)
		}
		js, _ := flask.Marshal(v)
		if string(js) != string(pt) {
			t.Errorf("Flask wrote %s, which Go re-encodes as %s", pt, js)
		}
		return string(pt), info
	}
	_, richJS := richSession(t)

	t.Run("flask seals, Go opens", func(t *testing.T) {
		r := call(t, "POST", url+"/set", name, "", richJS, T)
		if r.status != 200 || r.cookie == nil {
			t.Fatalf("/set: %d %s, cookie %v", r.status, r.body, r.cookie)
		}
		if !r.cookie.HttpOnly || r.cookie.Path != "/" || !r.cookie.Expires.IsZero() || r.cookie.MaxAge != 0 {
			t.Errorf("cookie attributes %+v: want HttpOnly, Path=/, a browser-session cookie", r.cookie)
		}
		if !strings.Contains(r.header.Get("Vary"), "Cookie") {
			t.Errorf("Vary %q", r.header.Get("Vary"))
		}
		js, info := goOpen(r.cookie.Value, T)
		if js != richJS || info.IssuedAt.Unix() != T || info.Key != 0 {
			t.Errorf("Go opened %s (iat %v, key %d)\nwant %s", js, info.IssuedAt.Unix(), info.Key, richJS)
		}
	})
	t.Run("Go seals, flask opens", func(t *testing.T) {
		got, perm := dump(t, url, name, goSeal(g, richJS, T), T+10)
		if got != richJS || perm {
			t.Errorf("Flask sees %s (permanent %v)\nwant %s", got, perm, richJS)
		}
	})
	t.Run("Go seals, flask changes, Go opens", func(t *testing.T) {
		r := call(t, "POST", url+"/set", name, goSeal(g, `{"a":1}`, T), `{"b":[2]}`, T+20)
		if r.cookie == nil {
			t.Fatalf("/set: %d %s", r.status, r.body)
		}
		js, info := goOpen(r.cookie.Value, T+20)
		if js != `{"a":1,"b":[2]}` || info.IssuedAt.Unix() != T+20 {
			t.Errorf("Go opened %s, iat %d", js, info.IssuedAt.Unix())
		}
	})
	t.Run("permanent session and refresh", func(t *testing.T) {
		r := call(t, "POST", url+"/set?permanent=1", name, "", `{"u":"maria"}`, T)
		if r.cookie == nil || r.cookie.Expires.Unix() != T+lifetime {
			t.Fatalf("permanent cookie %+v: want Expires = issued-at + lifetime", r.cookie)
		}
		js, _ := goOpen(r.cookie.Value, T)
		if js != `{"_permanent":true,"u":"maria"}` {
			t.Errorf("Go opened %s", js)
		}
		// A read-only request re-seals a permanent session (Flask's
		// SESSION_REFRESH_EACH_REQUEST), with a new issued-at.
		r2 := call(t, "GET", url+"/touch", name, r.cookie.Value, "", T+100)
		if r2.cookie == nil || r2.cookie.Expires.Unix() != T+100+lifetime {
			t.Fatalf("refresh: cookie %+v", r2.cookie)
		}
		if _, info := goOpen(r2.cookie.Value, T+100); info.IssuedAt.Unix() != T+100 {
			t.Errorf("refreshed issued-at %d", info.IssuedAt.Unix())
		}
		// Go's permanent session, refreshed by Flask.
		r3 := call(t, "GET", url+"/touch", name, goSeal(g, `{"_permanent":true,"x":1}`, T), "", T+5)
		if r3.cookie == nil || r3.cookie.Expires.Unix() != T+5+lifetime {
			t.Fatalf("refresh of Go's cookie: %+v", r3.cookie)
		}
	})
	t.Run("no refresh", func(t *testing.T) {
		// Not permanent: a read-only request writes nothing.
		if r := call(t, "GET", url+"/touch", name, goSeal(g, `{"x":1}`, T), "", T+5); r.cookie != nil {
			t.Errorf("read-only request on a non-permanent session set %+v", r.cookie)
		}
		noRefresh := cfg
		noRefresh.Refresh = false
		url2 := startFlask(t, python, noRefresh)
		if r := call(t, "GET", url2+"/touch", name, goSeal(g, `{"_permanent":true,"x":1}`, T), "", T+5); r.cookie != nil {
			t.Errorf("SESSION_REFRESH_EACH_REQUEST off, read-only request set %+v", r.cookie)
		}
	})
	t.Run("deletion", func(t *testing.T) {
		r := call(t, "GET", url+"/clear", name, goSeal(g, `{"x":1}`, T), "", T+5)
		if r.cookie == nil || r.cookie.Value != "" || r.cookie.MaxAge >= 0 {
			t.Fatalf("clear: cookie %+v; want a deletion", r.cookie)
		}
		if !strings.Contains(r.header.Get("Vary"), "Cookie") {
			t.Errorf("deletion without Vary: Cookie")
		}
	})
	t.Run("rotation keeps the issued-at", func(t *testing.T) {
		before := mustNew(t, Keys{Current: []byte(old)}, scope)
		r := call(t, "GET", url+"/touch", name, goSeal(before, `{"x":1}`, T), "", T+50)
		if r.cookie == nil {
			t.Fatal("a cookie sealed with a fallback secret was not sealed again")
		}
		js, info := goOpen(r.cookie.Value, T+50)
		if js != `{"x":1}` || info.Key != 0 || info.IssuedAt.Unix() != T {
			t.Errorf("re-sealed %s, key %d, iat %d; want the current key and iat %d", js, info.Key, info.IssuedAt.Unix(), T)
		}
		// And the other way: Flask's fallback-sealed cookie, re-sealed by Go.
		flaskOld := startFlask(t, python, flaskConfig{SecretKey: old, CookieName: name, Lifetime: lifetime, Refresh: true, AppID: app})
		r2 := call(t, "POST", flaskOld+"/set", name, "", `{"y":2}`, T)
		pt, info2, err := g.Open(name, r2.cookie.Value, time.Unix(T+60, 0))
		if err != nil || info2.Key != 1 {
			t.Fatalf("Go opening Flask's old-key cookie: key %d, %v", info2.Key, err)
		}
		again := goSeal(g, string(pt), info2.IssuedAt.Unix())
		if got, _ := dump(t, url, name, again, T+60); got != `{"y":2}` {
			t.Errorf("Flask sees %s", got)
		}
	})
	t.Run("refused cookies are empty sessions", func(t *testing.T) {
		other := mustNew(t, Keys{Current: []byte("some-other-secret-0123456789abcdef")}, scope)
		otherApp := mustNew(t, Keys{Current: []byte(secret)}, Scope{Purpose: "session", App: "other-app"})
		flashPurpose := mustNew(t, Keys{Current: []byte(secret)}, Scope{Purpose: "flash", App: app})
		valid := goSeal(g, `{"x":1}`, T)
		raw, _ := b64.DecodeString(valid)
		raw[30] ^= 4
		signer, _ := flask.NewSigner([]byte(secret))
		flaskCookie, _ := flask.NewCodec(signer).Encode(map[string]any{"x": int64(1)}, time.Unix(T, 0))
		for _, c := range []struct{ what, value string }{
			{"tampered", b64.EncodeToString(raw)},
			{"another secret", goSeal(other, `{"x":1}`, T)},
			{"another application", goSeal(otherApp, `{"x":1}`, T)},
			{"another purpose", goSeal(flashPurpose, `{"x":1}`, T)},
			{"another cookie name", mustSeal(t, g, "session", []byte(`{"x":1}`), time.Unix(T, 0))},
			{"expired", goSeal(g, `{"x":1}`, T-lifetime-1)},
			{"from the future", goSeal(g, `{"x":1}`, T+61)},
			{"Flask-signed with the same secret", flaskCookie},
			{"padded", valid + "="},
		} {
			if got, _ := dump(t, url, name, c.value, T); got != "{}" {
				t.Errorf("%s: Flask sees %s", c.what, got)
			}
		}
		if got, _ := dump(t, url, name, goSeal(g, `{"x":1}`, T-lifetime), T); got != `{"x":1}` {
			t.Errorf("age = lifetime: Flask sees %s", got)
		}
		if got, _ := dump(t, url, name, goSeal(g, `{"x":1}`, T+60), T); got != `{"x":1}` {
			t.Errorf("60 s ahead: Flask sees %s", got)
		}
	})
	t.Run("too large is an error, not a dropped cookie", func(t *testing.T) {
		big := fmt.Sprintf(`{"big":%q}`, strings.Repeat("x", 3100))
		r := call(t, "POST", url+"/set", name, "", big, T)
		if r.status != http.StatusInternalServerError || r.cookie != nil {
			t.Errorf("oversized session: %d, cookie %v", r.status, r.cookie)
		}
	})
	t.Run("one session across a Go and a Flask service", func(t *testing.T) {
		// One browser (a cookie jar) alternating between a Go service and
		// the Flask app; both on 127.0.0.1, so both see the same cookie.
		goSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			values := map[string]any{}
			if c, err := r.Cookie(name); err == nil {
				pt, _, err := g.Open(name, c.Value, time.Now())
				if err != nil {
					http.Error(w, err.Error(), http.StatusConflict)
					return
				}
				if values, err = flask.Unmarshal(pt); err != nil {
					http.Error(w, err.Error(), http.StatusInternalServerError)
					return
				}
			}
			n, _ := values["n"].(int64)
			values["n"] = n + 1
			values["go"] = true
			js, err := flask.Marshal(values)
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			tok, err := g.Seal(name, js, time.Now())
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			http.SetCookie(w, &http.Cookie{Name: name, Value: tok, Path: "/", HttpOnly: true})
			fmt.Fprint(w, n+1)
		}))
		defer goSrv.Close()
		jar, _ := cookiejar.New(nil)
		client := &http.Client{Jar: jar}
		for i := 1; i <= 10; i++ {
			target := url + "/incr"
			if i%2 == 0 {
				target = goSrv.URL + "/incr"
			}
			resp, err := client.Get(target)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || string(body) != strconv.Itoa(i) {
				t.Fatalf("request %d to %s: %d %q", i, target, resp.StatusCode, body)
			}
		}
	})
}
