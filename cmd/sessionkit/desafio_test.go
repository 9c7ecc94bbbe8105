package main

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	session "github.com/sessionkit/session"
	"github.com/sessionkit/session/internal/demo"
)

// testClock is a clock the grader's waits move forward.
type testClock struct {
	mu sync.Mutex // guards t
	t  time.Time
}

func newTestClock() *testClock { return &testClock{t: time.Now().Truncate(time.Second)} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Sleep moves the clock instead of waiting.
func (c *testClock) Sleep(_ context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return nil
}

// contractApp is the Desafio written in Go with this library, doing what
// the contract asks.
func contractApp(t *testing.T, clock *testClock) *httptest.Server {
	t.Helper()
	m, err := session.New([]byte(strongKey))
	if err != nil {
		t.Fatal(err)
	}
	m.Lifetime = 2 * time.Minute
	m.Now = clock.Now
	page := template.Must(template.New("page").Parse(`<!doctype html>
{{range .Flashes}}<p class="flash">{{.Message}}</p>
{{end}}{{if .User}}<h1>Perfil de {{.User}}</h1>
<p><a href="/logout">Sair</a></p>
{{else}}<form method="post" action="/login"><input name="usuario"><button>Entrar</button></form>
{{end}}`))
	render := func(w http.ResponseWriter, r *http.Request, user string) {
		sn := session.FromContext(r.Context())
		page.Execute(w, map[string]any{"Flashes": sn.Flashes(), "User": user})
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) { render(w, r, "") })
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		sn := session.FromContext(r.Context())
		name := strings.TrimSpace(r.PostFormValue("usuario"))
		if name == "" {
			sn.Flash("message", "Digite o seu nome.")
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		sn.Clear()
		sn.SetPermanent(true)
		sn.Set("usuario", name)
		sn.Flash("message", "Olá, "+name+"! Você entrou.")
		http.Redirect(w, r, "/perfil", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /perfil", func(w http.ResponseWriter, r *http.Request) {
		sn := session.FromContext(r.Context())
		user, ok := session.Get[string](sn, "usuario")
		if !ok {
			sn.Flash("message", "Entre para ver o seu perfil.")
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		render(w, r, user)
	})
	mux.HandleFunc("GET /logout", func(w http.ResponseWriter, r *http.Request) {
		sn := session.FromContext(r.Context())
		sn.Clear()
		sn.Flash("message", "Você saiu.")
		http.Redirect(w, r, "/login", http.StatusSeeOther)
	})
	srv := httptest.NewServer(m.Handler(mux))
	t.Cleanup(srv.Close)
	return srv
}

// checkText fails when out holds a control or format character or bad
// UTF-8: text for a terminal that keeps its letters.
func checkText(t *testing.T, out string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("output is not UTF-8: %q", out)
	}
	for _, r := range out {
		if r != '\n' && r != '\t' && !unicode.IsPrint(r) {
			t.Fatalf("output holds %U: %q", r, out)
		}
	}
}

// TestDesafioGolden grades contractApp in both languages, waiting (on a
// moved clock) to see an idle session refused, and compares the checklist
// with testdata/golden.
func TestDesafioGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"desafio-contract-app", []string{"desafio", "-wait"}},
		{"desafio-contract-app-en", []string{"desafio", "-lang", "en"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := newTestClock()
			srv := contractApp(t, clock)
			c := cli{args: append(tc.args, srv.URL), sleep: clock.Sleep}
			r := c.run(t)
			checkText(t, r.stdout+r.stderr)
			if r.code != exitOK {
				t.Errorf("exit %d", r.code)
			}
			var b strings.Builder
			b.WriteString("$ sessionkit " + strings.Join(c.args, " ") + "\n")
			fmt.Fprintf(&b, "exit %d\n--- stdout\n%s--- stderr\n%s", r.code, r.stdout, r.stderr)
			golden(t, tc.name, strings.ReplaceAll(b.String(), srv.URL, "$URL"))
		})
	}
}

// TestDesafioDemo grades the demo's Desafio solution with the grader's
// defaults, as the Desafio page says: every check passes, and with -wait
// (on a moved clock) the server refuses the idle session. The output is
// compared with testdata/golden.
func TestDesafioDemo(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"desafio-demo", []string{"desafio", "-wait"}},
		{"desafio-demo-en", []string{"desafio", "-lang", "en"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := newTestClock()
			h, err := demo.NewHandler(demo.Config{Key: []byte(strongKey), Now: clock.Now})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(h)
			defer srv.Close()
			c := cli{args: append(tc.args, srv.URL+"/desafio/solucao"), sleep: clock.Sleep}
			r := c.run(t)
			checkText(t, r.stdout+r.stderr)
			if r.code != exitOK {
				t.Errorf("the demo's Desafio solution: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			var b strings.Builder
			b.WriteString("$ sessionkit " + strings.Join(c.args, " ") + "\n")
			fmt.Fprintf(&b, "exit %d\n--- stdout\n%s--- stderr\n%s", r.code, r.stdout, r.stderr)
			golden(t, tc.name, strings.ReplaceAll(b.String(), srv.URL, "$URL"))
		})
	}
}
