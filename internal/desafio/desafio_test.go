package desafio

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	session "github.com/sessionkit/session"
	"github.com/sessionkit/session/seal"
)

// flaskApp is testdata/run.py serving the reference solution or one of its
// broken variants.
type flaskApp struct {
	url   string
	clock string // the file run.py adds to its clock

	mu     sync.Mutex // guards offset
	offset time.Duration
}

// advance moves the app's clock forward by d, as the grader's Sleep.
func (a *flaskApp) advance(ctx context.Context, d time.Duration) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.offset += d
	return os.WriteFile(a.clock, []byte(strconv.FormatFloat(a.offset.Seconds(), 'f', 3, 64)), 0o600)
}

// skipOrFail skips a test that needs something missing, or fails it when
// SESSIONKIT_REQUIRE_ALL=1.
func skipOrFail(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("SESSIONKIT_REQUIRE_ALL") == "1" {
		t.Fatalf("%s (SESSIONKIT_REQUIRE_ALL=1)", why)
	}
	t.Skip(why)
}

// startFlask runs testdata/run.py with python and returns the app once it
// listens (run.py prints its port when it does).
func startFlask(t *testing.T, python, variant string) *flaskApp {
	t.Helper()
	py, err := exec.LookPath(python)
	if err != nil {
		skipOrFail(t, python+" not found")
	}
	script, err := filepath.Abs(filepath.Join("testdata", "run.py"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	app := &flaskApp{clock: filepath.Join(dir, "clock")}
	key := make([]byte, 32)
	rand.Read(key)
	// From a directory without a flask/ folder, so that Python finds Flask.
	cmd := exec.Command(py, script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "SECRET_KEY="+hex.EncodeToString(key), "DESAFIO_VARIANT="+variant, "DESAFIO_CLOCK_FILE="+app.clock)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	port := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			port <- sc.Text()
		}
		close(port)
	}()
	select {
	case p, ok := <-port:
		if !ok {
			cmd.Wait()
			if strings.Contains(stderr.String(), "No module named 'flask'") {
				skipOrFail(t, python+" has no Flask")
			}
			t.Fatalf("run.py printed no port:\n%s", stderr.String())
		}
		port, version, _ := strings.Cut(p, " ")
		app.url = "http://127.0.0.1:" + port
		t.Logf("%s: Flask %s, variant %q", python, version, variant)
	case <-time.After(60 * time.Second):
		t.Fatalf("run.py printed no port within 60s:\n%s", stderr.String())
	}
	return app
}

// failing lists the IDs of the failed checks.
func failing(r *Report) []string {
	var ids []string
	for _, c := range r.Checks {
		if c.Status == Failed {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

func reportText(r *Report) string {
	var b strings.Builder
	r.WriteTo(&b)
	return b.String()
}

// TestFlaskVariants grades the reference solution and one broken variant
// per requirement, on both Flasks installed here, with the idle expiry
// checked by moving the app's clock: each variant fails exactly the check
// it breaks.
func TestFlaskVariants(t *testing.T) {
	variants := []struct {
		name string
		want []string // the checks that fail
	}{
		{"", nil},
		{"weak-key", []string{CheckKey}},
		{"weak-key-variant", []string{CheckKey}},
		{"published-key", []string{CheckKey}},
		{"not-permanent", []string{CheckLifetime}},
		{"wrong-lifetime", []string{CheckLifetime}},
		{"open-profile", []string{CheckAnonymous}},
		{"logout-keeps-user", []string{CheckLogout}},
		{"no-flash", []string{CheckFlash}},
		{"accepts-tampered", []string{CheckTamper}},
	}
	for _, python := range []struct{ label, path string }{
		{"python3", "python3"},         // Flask 3.1 here
		{"debian", "/usr/bin/python3"}, // Debian's Flask 2.2
	} {
		for _, v := range variants {
			name := v.name
			if name == "" {
				name = "reference"
			}
			t.Run(python.label+"/"+name, func(t *testing.T) {
				t.Parallel()
				app := startFlask(t, python.path, v.name)
				g := &Grader{Wait: true, Sleep: app.advance, Lang: "en"}
				r, err := g.Run(context.Background(), app.url)
				if err != nil {
					t.Fatal(err)
				}
				if got := failing(r); !slices.Equal(got, v.want) {
					t.Errorf("failed checks %v, want %v\n%s", got, v.want, reportText(r))
				}
				for _, c := range r.Checks {
					if c.Status == Skipped {
						t.Errorf("check %s not made: %s", c.ID, c.Detail)
					}
				}
				if v.name == "" && !strings.Contains(r.Check(CheckLifetime).Detail, "after 2m5s idle the server refused the cookie") {
					t.Errorf("the lifetime check did not wait:\n%s", reportText(r))
				}
			})
		}
	}
}

// TestFlaskWithoutWait: without Wait, the lifetime check reads Expires,
// passes, and says what it did not check.
func TestFlaskWithoutWait(t *testing.T) {
	app := startFlask(t, "python3", "")
	g := &Grader{Sleep: func(context.Context, time.Duration) error {
		t.Error("the grader waited without Wait")
		return nil
	}}
	r, err := g.Run(context.Background(), app.url)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() {
		t.Fatalf("the reference solution fails:\n%s", reportText(r))
	}
	c := r.Check(CheckLifetime)
	if c.Status != Passed || !strings.Contains(c.Detail, "não foi verificado: rode com -wait") {
		t.Errorf("lifetime check without waiting: %+v", c)
	}
	text := reportText(r)
	for _, want := range []string{"Desafio: verificando " + app.url, "9 de 9 verificações passaram.", "ok      1. O app responde e /login tem um formulário de login"} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
}

// TestUnreachable: nothing listening is the first check failing, the
// others not made.
func TestUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	r, err := (&Grader{Lang: "en"}).Run(context.Background(), "http://"+addr)
	if err != nil {
		t.Fatal(err)
	}
	if got := failing(r); !slices.Equal(got, []string{CheckApp}) || !strings.Contains(r.Check(CheckApp).Detail, "Is the app running?") {
		t.Errorf("failed %v:\n%s", got, reportText(r))
	}
	if c := r.Check(CheckTamper); c.Status != Skipped || c.Detail != "not checked: check 1 failed" {
		t.Errorf("later check: %+v", c)
	}
}

func TestBadURL(t *testing.T) {
	for _, u := range []string{"", "127.0.0.1:5000", "ftp://x", "http://", "::"} {
		if _, err := (&Grader{}).Run(context.Background(), u); err != ErrURL {
			t.Errorf("Run(%q) = %v, want ErrURL", u, err)
		}
	}
}

func TestForms(t *testing.T) {
	const doc = `<html><FORM Method="POST" action='/entrar?x=1'>
<input type=hidden name=csrf_token value="a&amp;b">
<label>Nome <input name="nome" required></label>
<input type="password" name="senha">
<input type="checkbox" name="lembrar" value="1">
<button type="submit" name="acao" value="entrar">Entrar</button>
</form>
<form method="get" action="/busca"><input name="q"></form>
<form method="post" action="/sair"><button>Sair</button></form>`
	u, _ := url.Parse("http://example.test/login")
	fs := forms(&page{url: u, raw: doc})
	if len(fs) != 3 {
		t.Fatalf("%d forms", len(fs))
	}
	f := fs[0]
	if f.method != http.MethodPost || f.action.String() != "http://example.test/entrar?x=1" {
		t.Errorf("form 0: %s %s", f.method, f.action)
	}
	if got := f.userField(""); got != "nome" {
		t.Errorf("user field %q", got)
	}
	if got := f.userField("usuario"); got != "" {
		t.Errorf("user field usuario found in a form without it: %q", got)
	}
	want := url.Values{"csrf_token": {"a&b"}, "nome": {"Ana"}, "senha": {"pw"}, "acao": {"entrar"}}
	if got := f.fill("nome", "Ana", "pw"); got.Encode() != want.Encode() {
		t.Errorf("fill = %v, want %v", got, want)
	}
	if fs[1].method != http.MethodGet || fs[2].action.Path != "/sair" || fs[2].userField("") != "" {
		t.Errorf("forms 1, 2: %+v %+v", fs[1], fs[2])
	}
}

func TestLessonKeyVariants(t *testing.T) {
	seen := map[string]bool{}
	for k := range LessonKeyVariants() {
		if seen[k] {
			t.Fatalf("%q twice", k)
		}
		seen[k] = true
	}
	for _, k := range []string{"sua_chave_secreta_segura", "Sua-Chave-Secreta-Segura-2024", "SUA_CHAVE_SECRETA_SEGURA123", "SuaChaveSecretaSegura", "5u4_ch4v3_53cr374_53gur4", "minha chave secreta 7", "chave.secreta.2030"} {
		if !seen[k] {
			t.Errorf("no variant %q", k)
		}
	}
	if len(seen) > 30000 {
		t.Errorf("%d variants: too many to try on every cookie", len(seen))
	}
}

func TestContract(t *testing.T) {
	for _, lang := range []string{"pt-BR", "en"} {
		c := Contract(lang)
		for _, want := range []string{DefaultLoginPath, DefaultProtectedPath, DefaultLogoutPath, "usuario", DefaultPassword, "timedelta(minutes=2)", "session.permanent = True", "flash()", "get_flashed_messages()", "session.clear()", "sessionkit desafio", "-wait"} {
			if !strings.Contains(c, want) {
				t.Errorf("%s contract lacks %q", lang, want)
			}
		}
		for i, line := range strings.Split(c, "\n") {
			if len([]rune(line)) > 76 {
				t.Errorf("%s contract line %d is longer than 76: %q", lang, i+1, line)
			}
		}
	}
}

// TestNoRedirectsOutside: a redirect to another site is not followed.
func TestNoRedirectsOutside(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the grader followed a redirect to another site: %s", r.URL)
	}))
	defer other.Close()
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/elsewhere", http.StatusFound)
	}))
	defer app.Close()
	r, err := (&Grader{Lang: "en"}).Run(context.Background(), app.URL)
	if err != nil {
		t.Fatal(err)
	}
	if c := r.Check(CheckApp); c.Status != Failed || !strings.Contains(c.Detail, "answered 302") {
		t.Errorf("%+v", c)
	}
}

func ExampleContract() {
	fmt.Println(strings.SplitN(Contract("en"), "\n", 2)[0])
	// Output: Desafio: a small Flask app with login
}

// FuzzForms: any page, however broken, is scanned without panicking, and
// every form found has an action on some URL.
func FuzzForms(f *testing.F) {
	f.Add(`<form method=post action="/login"><input name=usuario><input type=password name=senha></form>`)
	f.Add(`<FORM action='//evil.test/x' method="POST"><textarea name=a></textarea><button name=b value=c>`)
	f.Add(`<form action="%zz"><input name="x" value="&amp;&#0;&bogus;">`)
	f.Add(`<form<input name=>`)
	u, _ := url.Parse("http://127.0.0.1:5000/login")
	f.Fuzz(func(t *testing.T, doc string) {
		for _, fm := range forms(&page{url: u, raw: doc}) {
			if fm.action == nil {
				t.Fatal("a form without an action URL")
			}
			fm.fill(fm.userField(""), "Ana", "pw")
		}
	})
}

// TestSealedApp: an app whose session cookie is an SK1 sealed token
// (session.NewSealed) fails the cookie check with a message that says so,
// and the checks that need to read the cookie are not made.
func TestSealedApp(t *testing.T) {
	key := make([]byte, 32)
	rand.Read(key)
	m, err := session.NewSealed(seal.Scope{Purpose: "session"}, []byte(hex.EncodeToString(key)))
	if err != nil {
		t.Fatal(err)
	}
	m.Lifetime = DefaultLifetime
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<form method="post"><input name="usuario"></form>`)
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		sn := session.FromContext(r.Context())
		sn.Set("usuario", r.PostFormValue("usuario"))
		sn.SetPermanent(true)
		sn.Flash("message", "Olá!")
		http.Redirect(w, r, "/perfil", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /perfil", func(w http.ResponseWriter, r *http.Request) {
		sn := session.FromContext(r.Context())
		u, ok := session.Get[string](sn, "usuario")
		if !ok {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		for _, f := range sn.Flashes() {
			fmt.Fprintf(w, "<p>%s</p>", f.Message)
		}
		fmt.Fprintf(w, "<h1>%s</h1>", u)
	})
	srv := httptest.NewServer(m.Handler(mux))
	defer srv.Close()
	r, err := (&Grader{Lang: "en"}).Run(context.Background(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if c := r.Check(CheckCookie); c.Status != Failed || !strings.Contains(c.Detail, "is an SK1 sealed token") {
		t.Errorf("cookie check: %+v\n%s", c, reportText(r))
	}
	for _, id := range []string{CheckKey, CheckLifetime, CheckTamper} {
		if c := r.Check(id); c.Status != Skipped {
			t.Errorf("check %s made on a cookie the grader cannot read: %+v", id, c)
		}
	}
}
