package demo

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/session/seal"
)

// sealedFlask runs the oracle's app.py (the directory and module of argv[1])
// with python/sessionkit_seal's SealedSessionInterface (argv[2] holds the
// package): the lesson's examples with sealed cookies.
const sealedFlask = `
import os, sys
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv[2])
sys.path.insert(0, os.path.dirname(sys.argv[1]))
import app as lesson
from sessionkit_seal import SealedSessionInterface
lesson.app.session_interface = SealedSessionInterface()
lesson.app.run(host="127.0.0.1", port=int(os.environ["PORT"]))
`

// flaskApp starts the lesson's two examples on real Flask (the oracle's
// app.py) with key, and returns its base URL. With sealed, the app keeps
// its session in SK1 sealed cookies (python/sessionkit_seal).
func flaskApp(t *testing.T, python string, key []byte, sealed bool) string {
	t.Helper()
	// shared/ sits beside the repository (CI's clone, and /work here).
	app, _ := filepath.Abs(filepath.Join("..", "..", "..", "shared", "flask-oracle", "app.py"))
	if _, err := os.Stat(app); err != nil {
		app = "/work/shared/flask-oracle/app.py"
	}
	if p := os.Getenv("SESSIONKIT_FLASK_APP"); p != "" {
		app = p
	}
	skip := func(why string) {
		t.Helper()
		if os.Getenv("SESSIONKIT_REQUIRE_ALL") == "1" {
			t.Fatalf("%s (SESSIONKIT_REQUIRE_ALL=1)", why)
		}
		t.Skip(why)
	}
	if _, err := os.Stat(app); err != nil {
		skip("the Flask oracle app is missing: " + err.Error())
	}
	py, err := exec.LookPath(python)
	if err != nil {
		skip(python + " not found")
	}
	if err := exec.Command(py, "-c", "import flask").Run(); err != nil {
		skip(python + " has no Flask")
	}
	pkg, _ := filepath.Abs(filepath.Join("..", "..", "python"))
	if sealed {
		check := exec.Command(py, "-c", "import cryptography, sessionkit_seal")
		check.Env = append(os.Environ(), "PYTHONPATH="+pkg)
		if err := check.Run(); err != nil {
			skip(python + " cannot import sessionkit_seal (cryptography)")
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(py, app)
	if sealed {
		cmd = exec.Command(py, "-c", sealedFlask, app, pkg)
	}
	cmd.Env = append(os.Environ(), "SECRET_KEY="+string(key), fmt.Sprintf("PORT=%d", port), "SESSION_LIFETIME_SECONDS=120")
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
		}
	}()
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	for deadline := time.Now().Add(15 * time.Second); ; {
		if resp, err := http.Get(base + "/perfil"); err == nil {
			resp.Body.Close()
			return base
		}
		if time.Now().After(deadline) {
			t.Fatalf("Flask did not answer on %s within 15s", base)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// The demo and the lesson's Flask app, sharing one SECRET_KEY, share the
// learner's session both ways, on both Flasks installed here: with Flask's
// signed cookies, and with sealed cookies (the demo's -sealed, and
// python/sessionkit_seal's SealedSessionInterface on Flask's side).
func TestSharedSessionWithFlask(t *testing.T) {
	for _, tc := range []struct {
		name, python string
		sealed       bool
	}{
		{"python3", "python3", false},
		{"debian", "/usr/bin/python3", false},
		{"python3-sealed", "python3", true},
		{"debian-sealed", "/usr/bin/python3", true},
	} {
		python := tc.python
		t.Run(tc.name, func(t *testing.T) {
			key := testKey(t)
			flaskURL := flaskApp(t, python, key, tc.sealed)
			h := newHarness(t, func(c *Config) { c.Key = key; c.Now = time.Now; c.Sealed = tc.sealed })
			get := func(base, path string, cookie string) (string, string) {
				t.Helper()
				req, _ := http.NewRequest("GET", base+path, nil)
				if cookie != "" {
					req.Header.Set("Cookie", "session="+cookie)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				for _, c := range resp.Cookies() {
					if c.Name == "session" {
						cookie = c.Value
					}
				}
				return string(b), cookie
			}

			// Exemplo 01: log in on Go, Flask greets Maria; log out on
			// Flask, Go sees nobody.
			_, goCookie := get(h.srv.URL, "/login", "")
			if body, _ := get(flaskURL, "/perfil", goCookie); body != "Bem-vindo, Maria!" {
				t.Errorf("Flask /perfil with the demo's cookie = %q", body)
			}
			_, flaskCookie := get(flaskURL, "/logout", goCookie)
			if body, _ := get(h.srv.URL, "/perfil", flaskCookie); body != "Nenhum usuário logado." {
				t.Errorf("demo /perfil after Flask's logout = %q", body)
			}

			// Exemplo 02: names added on Flask show in the demo, and one
			// more added in the demo shows in Flask.
			jar, _ := cookiejar.New(nil)
			fc := &http.Client{Jar: jar}
			for _, n := range []string{"Ana", "Bruno"} {
				resp, err := fc.PostForm(flaskURL+"/", url.Values{"nome": {n}})
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
			}
			fu, _ := url.Parse(flaskURL)
			var fromFlask string
			for _, c := range jar.Cookies(fu) {
				if c.Name == "session" {
					fromFlask = c.Value
				}
			}
			if fromFlask == "" {
				t.Fatal("Flask set no session cookie")
			}
			if _, err := seal.Parse(fromFlask); (err == nil) != tc.sealed {
				t.Errorf("Flask's cookie %q: sealed %v", fromFlask, tc.sealed)
			}
			req, _ := http.NewRequest("POST", h.srv.URL+"/exemplo02", strings.NewReader("nome=Cl%C3%A1udia"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Cookie", "session="+fromFlask)
			resp, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			var fromGo string
			for _, c := range resp.Cookies() {
				if c.Name == "session" {
					fromGo = c.Value
				}
			}
			body, _ := get(flaskURL, "/_echo", fromGo)
			var echo struct {
				Python    string `json:"python"`
				Permanent bool   `json:"permanent"`
			}
			if err := json.Unmarshal([]byte(body), &echo); err != nil {
				t.Fatalf("Flask /_echo: %v\n%s", err, body)
			}
			if !strings.Contains(echo.Python, `'nomes': ['Ana', 'Bruno', 'Cláudia']`) || !echo.Permanent {
				t.Errorf("Flask reads the demo's Exemplo 02 cookie as %s (permanent %v)", echo.Python, echo.Permanent)
			}
		})
	}
}
