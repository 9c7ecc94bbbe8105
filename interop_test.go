package session_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	session "github.com/sessionkit/session"
	"github.com/sessionkit/session/flask"
	"github.com/sessionkit/session/internal/testenv"
	"github.com/sessionkit/session/memstore"
)

// The live interop tests run the lesson's Flask app (shared/flask-oracle/
// app.py) and testdata/flashapp.py under each Flask found, next to a Go
// server using the middleware, with one key and one cookie jar: a browser
// going back and forth between a Flask and a Go service.

const flaskLifetime = 3 // seconds, PERMANENT_SESSION_LIFETIME of the Flask apps

// oracleDir locates shared/flask-oracle.
func oracleDir() string {
	if d := os.Getenv("SESSIONKIT_ORACLE"); d != "" {
		return d
	}
	return "/work/shared/flask-oracle"
}

// requireAll reports whether missing external tools must fail the tests.
func requireAll() bool { return os.Getenv("SESSIONKIT_REQUIRE_ALL") == "1" }

// pythons returns the Python interpreters that have Flask, by label.
func pythons(t *testing.T) map[string]string {
	t.Helper()
	found := map[string]string{}
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		path, err := exec.LookPath(py)
		if err != nil {
			continue
		}
		out, err := exec.Command(path, "-c", "import flask, importlib.metadata as m; print(m.version('flask'))").Output()
		if err != nil {
			continue
		}
		found["flask-"+strings.TrimSpace(string(out))] = path
	}
	if len(found) < 2 {
		msg := fmt.Sprintf("want Flask 3.x under python3 and Flask 2.2 under /usr/bin/python3; found %v", found)
		if requireAll() {
			t.Fatal(msg)
		}
		if len(found) == 0 {
			t.Skip(msg)
		}
		t.Log(msg)
	}
	return found
}

// startFlask runs script under python and returns its base URL; the
// process is stopped when the test ends.
func startFlask(t *testing.T, python, script string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(python, script)
	cmd.Env = append(os.Environ(), "SECRET_KEY="+testKey, "PORT="+strconv.Itoa(port),
		"SESSION_LIFETIME_SECONDS="+strconv.Itoa(flaskLifetime), "PYTHONDONTWRITEBYTECODE=1")
	logs := &logBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("%s output:\n%s", filepath.Base(script), logs)
		}
	})
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	deadline := time.Now().Add(testenv.Patience) // a busy machine starts Python slowly
	for {
		resp, err := http.Get(base + "/nowhere")
		if err == nil {
			resp.Body.Close()
			return base
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not start: %v\n%s", script, err, logs)
		}
		time.Sleep(50 * time.Millisecond) // polling a process we started, not waiting for time to pass
	}
}

// goApp is the Go side: the lesson's routes on the middleware.
func goApp(m *session.Manager) http.Handler {
	mux := lessonMux()
	mux.HandleFunc("/add", func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		s.SetPermanent(true)
		nomes, _ := session.Get[[]any](s, "nomes")
		s.Set("nomes", append(nomes, r.FormValue("nome")))
		fmt.Fprint(w, len(nomes)+1)
	})
	mux.HandleFunc("/nomes", func(w http.ResponseWriter, r *http.Request) {
		nomes, _ := session.Get[[]string](session.FromContext(r.Context()), "nomes")
		fmt.Fprint(w, strings.Join(nomes, ","))
	})
	mux.HandleFunc("/flash", func(w http.ResponseWriter, r *http.Request) {
		session.FromContext(r.Context()).Flash(r.FormValue("cat"), r.FormValue("msg"))
	})
	mux.HandleFunc("/show", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(session.FromContext(r.Context()).Flashes())
	})
	mux.HandleFunc("/permanent-p", func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		s.SetPermanent(true)
		s.Set("p", "go")
	})
	mux.HandleFunc("/index", func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context()) // Flask's "/": session.permanent = True, then read
		s.SetPermanent(true)
		nomes, _ := session.Get[[]string](s, "nomes")
		fmt.Fprint(w, strings.Join(nomes, ","))
	})
	mux.HandleFunc("/get", func(w http.ResponseWriter, r *http.Request) {
		p, _ := session.Get[string](session.FromContext(r.Context()), "p")
		fmt.Fprint(w, p)
	})
	return mux
}

func TestFlaskInterop(t *testing.T) {
	app := filepath.Join(oracleDir(), "app.py")
	if _, err := os.Stat(app); err != nil {
		msg := fmt.Sprintf("the lesson's Flask app is missing (%v); set SESSIONKIT_ORACLE to the flask-oracle directory", err)
		if requireAll() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	for label, py := range pythons(t) {
		t.Run(label, func(t *testing.T) {
			lesson := startFlask(t, py, app)
			flashApp := startFlask(t, py, filepath.Join("testdata", "flashapp.py"))

			m, err := session.New([]byte(testKey))
			if err != nil {
				t.Fatal(err)
			}
			m.Lifetime = flaskLifetime * time.Second
			m.Logger = newTextLogger(io.Discard)
			// skew moves the Go side's clock, for the expiry checks.
			var skew atomic.Int64
			m.Now = func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
			goSrv := httptest.NewServer(m.Handler(goApp(m)))
			defer goSrv.Close()
			// noRefresh is the same Go app leaving permanent cookies alone
			// on read.
			m.RefreshEachRequest = false
			noRefresh := httptest.NewServer(m.Handler(goApp(m)))
			defer noRefresh.Close()

			// One jar for all servers: cookies are scoped by host, not port.
			jar, _ := cookiejar.New(nil)
			c := &http.Client{Jar: jar}
			body := func(u string) string {
				t.Helper()
				_, b := get(t, c, u)
				return b
			}

			t.Run("login on Flask, profile in Go", func(t *testing.T) {
				if b := body(lesson + "/login"); b != "Usuário logado!" {
					t.Fatalf("Flask /login: %q", b)
				}
				flaskCookie := jarValue(t, c, lesson, "session")
				if b := body(goSrv.URL + "/perfil"); b != "Bem-vindo, Maria!" {
					t.Fatalf("Go /perfil: %q", b)
				}
				// Go writes the same payload bytes as Flask for the same data.
				goCookie, _ := m.Codec().Encode(map[string]any{"usuario": "Maria"}, time.Now())
				pf, _ := flask.Parse(flaskCookie)
				pg, _ := flask.Parse(goCookie)
				if pf.Payload != pg.Payload {
					t.Errorf("payloads differ: Flask %s, Go %s", pf.Payload, pg.Payload)
				}
				// Logout in Go, seen by Flask.
				body(goSrv.URL + "/logout")
				if b := body(lesson + "/perfil"); b != "Nenhum usuário logado." {
					t.Errorf("Flask after Go logout: %q", b)
				}
			})

			t.Run("same Set-Cookie decisions as Flask", func(t *testing.T) {
				// The lesson's requests, in order, against Flask and against
				// the Go routes that do the same; each response is summed up
				// as what its session Set-Cookie does.
				steps := []struct{ flask, goPath string }{
					{"/perfil", "/perfil"}, {"/login", "/login"}, {"/perfil", "/perfil"},
					{"/logout", "/logout"}, {"/logout", "/logout"}, {"/", "/index"}, {"/", "/index"},
				}
				kind := func(h http.Header) string {
					line := sessionCookie(h, "session")
					switch {
					case line == "":
						return "none"
					case strings.HasPrefix(line, "session=;"):
						return "delete"
					case strings.Contains(line, "Expires="):
						return "set, expires"
					}
					return "set"
				}
				flaskJar, _ := cookiejar.New(nil)
				goJar, _ := cookiejar.New(nil)
				fc, gc := &http.Client{Jar: flaskJar}, &http.Client{Jar: goJar}
				for _, st := range steps {
					fr, _ := get(t, fc, lesson+st.flask)
					gr, _ := get(t, gc, goSrv.URL+st.goPath)
					if f, g := kind(fr.Header), kind(gr.Header); f != g {
						t.Errorf("%s: Flask %s, Go %s", st.flask, f, g)
					}
					if kind(fr.Header) != "none" && (fr.Header.Get("Vary") != "Cookie" || gr.Header.Get("Vary") != "Cookie") {
						t.Errorf("%s: Vary Flask %q, Go %q", st.flask, fr.Header.Get("Vary"), gr.Header.Get("Vary"))
					}
				}
			})

			t.Run("names added in Go listed by Flask", func(t *testing.T) {
				body(goSrv.URL + "/add?nome=Ana")
				body(goSrv.URL + "/add?nome=Jos%C3%A9+%3Cb%3E")
				page := body(lesson + "/")
				if !strings.Contains(page, "<li>Ana</li>") || !strings.Contains(page, "<li>José &lt;b&gt;</li>") {
					t.Fatalf("Flask / does not list the names:\n%s", page)
				}
				// And back: a name added on Flask's form is seen in Go.
				resp, err := c.PostForm(lesson+"/", url.Values{"nome": {"Rui"}})
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if b := body(goSrv.URL + "/nomes"); b != "Ana,José <b>,Rui" {
					t.Errorf("Go sees %q", b)
				}
			})

			t.Run("flash from Go shown by Flask", func(t *testing.T) {
				body(goSrv.URL + "/flash?cat=message&msg=Ol%C3%A1+do+Go")
				body(goSrv.URL + "/flash?cat=error&msg=Falhou")
				want := `[["message","Olá do Go"],["error","Falhou"]]`
				if b := compactJSON(t, body(flashApp+"/show")); b != want {
					t.Errorf("Flask shows %s, want %s", b, want)
				}
				if b := compactJSON(t, body(flashApp+"/show")); b != "[]" {
					t.Errorf("Flask shows the flashes twice: %s", b)
				}
			})

			t.Run("flash from Flask shown by Go", func(t *testing.T) {
				body(flashApp + "/flash?msg=Ol%C3%A1+do+Flask")
				body(flashApp + "/flash?msg=Cuidado&cat=warning")
				want := `[{"Category":"message","Message":"Olá do Flask"},{"Category":"warning","Message":"Cuidado"}]`
				if b := compactJSON(t, body(goSrv.URL+"/show")); b != want {
					t.Errorf("Go shows %s, want %s", b, want)
				}
				if b := compactJSON(t, body(goSrv.URL+"/show")); b != "[]" && b != "null" {
					t.Errorf("Go shows the flashes twice: %s", b)
				}
			})

			t.Run("non-string flash kept by Go for Flask", func(t *testing.T) {
				// Go's Flashes hands out the string messages; the others
				// stay in the session, and Flask shows them.
				body(flashApp + "/flash?msg=Ol%C3%A1")
				body(flashApp + "/flash-json?cat=info&msg=42")
				body(flashApp + "/flash-json?cat=data&msg=" + url.QueryEscape(`{"a":[1,2.5,null]}`))
				body(flashApp + "/flash?msg=Tchau&cat=warning")
				want := `[{"Category":"message","Message":"Olá"},{"Category":"warning","Message":"Tchau"}]`
				if b := compactJSON(t, body(goSrv.URL+"/show")); b != want {
					t.Errorf("Go shows %s, want %s", b, want)
				}
				if b := compactJSON(t, body(flashApp+"/show")); b != `[["info",42],["data",{"a":[1,2.5,null]}]]` {
					t.Errorf("Flask shows %s after Go's read; want the two non-string flashes", b)
				}
				if b := compactJSON(t, body(flashApp+"/show")); b != "[]" {
					t.Errorf("Flask shows the flashes twice: %s", b)
				}
			})

			t.Run("permanent session expires in the other", func(t *testing.T) {
				// Go's cookie, signed Lifetime-1 s ago, is still valid in
				// Flask; signed Lifetime+2 s ago, Flask has expired it.
				for _, tt := range []struct {
					age  time.Duration
					want string
				}{{(flaskLifetime - 1) * time.Second, "go"}, {(flaskLifetime + 2) * time.Second, "null"}} {
					// Outside the jar, which would drop a cookie whose Expires
					// has passed: the server's own age check is what counts.
					skew.Store(int64(-tt.age))
					resp, _ := get(t, http.DefaultClient, goSrv.URL+"/permanent-p")
					value := cookieValue(resp.Header, "session")
					if value == "" {
						t.Fatal("no cookie")
					}
					req, _ := http.NewRequest("GET", flashApp+"/get", nil)
					req.Header.Set("Cookie", "session="+value)
					_, flaskSays := do(t, req)
					var got struct{ P any }
					json.Unmarshal([]byte(flaskSays), &got)
					if fmt.Sprint(got.P) != tt.want && !(tt.want == "null" && got.P == nil) {
						t.Errorf("Flask reads a Go cookie of age %v as %v, want %s", tt.age, got.P, tt.want)
					}
				}
				// Flask's permanent cookie, read by Go at Lifetime-1 s and
				// at Lifetime+2 s.
				skew.Store(0)
				body(flashApp + "/permanent?v=flask")
				for _, tt := range []struct {
					ahead time.Duration
					want  string
				}{{(flaskLifetime - 1) * time.Second, "flask"}, {(flaskLifetime + 2) * time.Second, ""}} {
					skew.Store(int64(tt.ahead))
					if b := body(noRefresh.URL + "/get"); b != tt.want {
						t.Errorf("Go reads Flask's cookie %v later as %q, want %q", tt.ahead, b, tt.want)
					}
				}
				skew.Store(0)
			})

			t.Run("ID cookie is an empty session in Flask", func(t *testing.T) {
				// A hybrid Manager sharing the key and cookie name keeps a
				// big session in its store; the ID cookie it sends must be a
				// bad signature to Flask (an empty session, never a 500).
				hm, err := session.New([]byte(testKey))
				if err != nil {
					t.Fatal(err)
				}
				hm.Store, hm.Hybrid = memstore.New(), true
				hm.Logger = newTextLogger(io.Discard)
				rec := httptest.NewRecorder()
				hm.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					session.FromContext(r.Context()).Set("big", randomText(6000))
				})).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
				id := cookieValue(rec.Header(), "session")
				if !strings.HasPrefix(id, "sk~") {
					t.Fatalf("hybrid Manager wrote %q; want an ID cookie", id)
				}
				for _, page := range []struct{ url, want string }{
					{flashApp + "/get", `{"keys":[],"p":null,"permanent":false}`},
					{lesson + "/perfil", ""},
				} {
					req, _ := http.NewRequest("GET", page.url, nil)
					req.Header.Set("Cookie", "session="+id)
					resp, got := do(t, req)
					if resp.StatusCode != 200 || (page.want != "" && compactJSON(t, got) != page.want) {
						t.Errorf("Flask's %s with an ID cookie: %d %q; want 200 and an empty session", page.url, resp.StatusCode, got)
					}
				}
			})
		})
	}
}

func do(t *testing.T, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func compactJSON(t *testing.T, s string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("bad JSON %q: %v", s, err)
	}
	b, _ := json.Marshal(v)
	return string(b)
}
