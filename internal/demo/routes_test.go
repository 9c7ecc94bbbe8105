package demo

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/session/internal/desafio"
)

// The lesson's Exemplo 01, word for word.
func TestExemplo01(t *testing.T) {
	h := newHarness(t, nil)
	steps := []struct{ path, want string }{
		{"/perfil", "Nenhum usuário logado."},
		{"/login", "Usuário logado!"},
		{"/perfil", "Bem-vindo, Maria!"},
		{"/logout", "Usuário deslogado."},
		{"/perfil", "Nenhum usuário logado."},
		{"/logout", "Usuário deslogado."},
	}
	for i, st := range steps {
		r := h.get(st.path)
		if r.status != http.StatusOK || r.body != st.want {
			t.Errorf("step %d: GET %s = %d %q, want 200 %q", i, st.path, r.status, r.body, st.want)
		}
		if ct := r.header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
			t.Errorf("step %d: GET %s Content-Type = %q, want text/plain", i, st.path, ct)
		}
	}
}

func TestExemplo01Page(t *testing.T) {
	h := newHarness(t, nil)
	r := h.get("/exemplo01")
	for _, want := range []string{`href="/login" data-step`, `href="/perfil" data-step`, `href="/logout" data-step`, `session['usuario'] = 'Maria'`, `curl -c jar -b jar ` + h.srv.URL + `/login`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("/exemplo01 lacks %q", want)
		}
	}
}

var (
	listItem  = regexp.MustCompile(`<li>([^<]*)</li>`)
	sizeCell  = regexp.MustCompile(`data-size="(\d+)"`)
	panelSize = regexp.MustCompile(`data-cookie-size="(\d+)"`)
)

func names(body string) []string {
	_, list, ok := strings.Cut(body, `<ul id="nomes"`)
	if !ok {
		return nil
	}
	list, _, _ = strings.Cut(list, "</ul>")
	var out []string
	for _, m := range listItem.FindAllStringSubmatch(list, -1) {
		out = append(out, m[1])
	}
	return out
}

func sizes(body string) []int {
	var out []int
	for _, m := range sizeCell.FindAllStringSubmatch(body, -1) {
		n, _ := strconv.Atoi(m[1])
		out = append(out, n)
	}
	return out
}

func TestExemplo02AddsNamesAndMeasuresTheCookie(t *testing.T) {
	h := newHarness(t, nil)
	r := h.get("/exemplo02")
	if !strings.Contains(r.body, `<label for="nome">`) || !strings.Contains(r.body, `name="nome"`) {
		t.Fatal("/exemplo02 has no labelled nome field")
	}
	if got := names(r.body); len(got) != 0 {
		t.Fatalf("fresh list = %q, want empty", got)
	}
	added := []string{"Ana", "Bruno", "Cláudia", "<b>Davi</b>"}
	for i, n := range added {
		r = h.post("/exemplo02", url.Values{"nome": {n}})
		if r.status != http.StatusOK || r.url != "/exemplo02" {
			t.Fatalf("POST %q ended at %s with %d, want 200 at /exemplo02 (PRG)", n, r.url, r.status)
		}
		want := make([]string, i+1)
		for j, a := range added[:i+1] {
			want[j] = strings.NewReplacer("<", "&lt;", ">", "&gt;").Replace(a)
		}
		if got := names(r.body); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("after %q the list is %q, want %q", n, got, want)
		}
		c := h.cookie()
		if c == nil {
			t.Fatal("no session cookie after POST")
		}
		sz := sizes(r.body)
		if len(sz) != i+1 {
			t.Fatalf("size table has %d rows, want %d", len(sz), i+1)
		}
		if held := len(c.Name) + len(c.Value); sz[i] != held {
			t.Errorf("after %q the table's last size is %d, the cookie held is %d bytes", n, sz[i], held)
		}
		for j := 1; j < len(sz); j++ {
			if sz[j] <= sz[j-1] {
				t.Errorf("sizes do not grow: %v", sz)
			}
		}
	}
	if !strings.Contains(r.body, `<polyline class="growth" points="`) {
		t.Error("no growth chart")
	}
	// Blank names are ignored, as in the lesson's app.
	r = h.post("/exemplo02", url.Values{"nome": {"   "}})
	if got := names(r.body); len(got) != len(added) {
		t.Errorf("a blank name changed the list to %q", got)
	}
}

func TestExemplo02IsPermanentAndForgetsWhenIdle(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Lifetime = 3 * time.Second })
	h.post("/exemplo02", url.Values{"nome": {"Ana"}})
	var setCookie string
	for _, sc := range h.get("/exemplo02").header.Values("Set-Cookie") {
		if strings.HasPrefix(sc, "session=") {
			setCookie = sc
		}
	}
	if !strings.Contains(setCookie, "Expires=") && !strings.Contains(setCookie, "Max-Age=") {
		t.Errorf("the session cookie is not permanent: %q", setCookie)
	}
	// Activity within the lifetime keeps the list (the cookie is re-signed
	// on every request).
	for range 3 {
		h.clock.Advance(2 * time.Second)
		if got := names(h.get("/exemplo02").body); len(got) != 1 {
			t.Fatalf("list after 2s of idleness = %q, want [Ana]", got)
		}
	}
	h.clock.Advance(3*time.Second + time.Second)
	if got := names(h.get("/exemplo02").body); len(got) != 0 {
		t.Errorf("list after the lifetime idle = %q, want empty", got)
	}
}

func TestExemplo02RefusesACookieTooLarge(t *testing.T) {
	h := newHarness(t, nil)
	var kept []string
	for i := 0; ; i++ {
		if i > 100 {
			t.Fatal("100 long names and the cookie never reached the limit")
		}
		// Random-looking names do not compress: the cookie grows fast.
		n := longName(t, i)
		r := h.post("/exemplo02", url.Values{"nome": {n}})
		if r.status == http.StatusUnprocessableEntity {
			for _, want := range []string{"4096", "RFC 6265", "role=\"alert\""} {
				if !strings.Contains(r.body, want) {
					t.Errorf("the too-large page lacks %q", want)
				}
			}
			if got := names(r.body); fmt.Sprint(got) != fmt.Sprint(kept) {
				t.Errorf("the too-large page lists %d names, want the %d kept", len(got), len(kept))
			}
			break
		}
		if r.status != http.StatusOK {
			t.Fatalf("POST name %d = %d, want 200 or 422", i, r.status)
		}
		kept = append(kept, n)
		if c := h.cookie(); len(c.Name)+len(c.Value) > 4096 {
			t.Fatalf("cookie of %d bytes accepted", len(c.Name)+len(c.Value))
		}
	}
	if got := names(h.get("/exemplo02").body); fmt.Sprint(got) != fmt.Sprint(kept) {
		t.Errorf("after the refusal the list has %d names, want the %d kept", len(got), len(kept))
	}
}

func TestInspector(t *testing.T) {
	h := newHarness(t, nil)
	r := h.get("/inspetor")
	if !strings.Contains(r.body, "Nenhum cookie de sessão") {
		t.Error("inspector without a cookie does not say so")
	}
	h.get("/login")
	c := h.cookie()
	r = h.get("/inspetor")
	payload := c.Value[:strings.IndexByte(c.Value, '.')]
	for _, want := range []string{
		`<span class="p-payload"`, payload, `data-valid="true"`, `&#34;usuario&#34;: &#34;Maria&#34;`,
		`data-countdown="1`, // 120 s or a little less
		fmt.Sprintf(`data-cookie-size="%d"`, len(c.Name)+len(c.Value)),
		`<textarea id="dados" name="dados"`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("/inspetor lacks %q", want)
		}
	}
	// The panel shows the cookie as held, and does not refresh it.
	before := h.cookie().Value
	h.clock.Advance(30 * time.Second)
	p := h.get("/inspetor/painel")
	if len(p.header.Values("Set-Cookie")) != 0 {
		t.Errorf("the panel set a cookie: %q", p.header.Values("Set-Cookie"))
	}
	if m := panelSize.FindStringSubmatch(p.body); m == nil || m[1] != strconv.Itoa(len("session")+len(before)) {
		t.Errorf("panel size = %v, want %d", m, len("session")+len(before))
	}
	if !strings.Contains(p.body, `data-countdown="90"`) {
		t.Errorf("panel after 30s does not count 90s left:\n%s", p.body)
	}
	h.clock.Advance(91 * time.Second)
	if p := h.get("/inspetor/painel"); !strings.Contains(p.body, `data-valid="false"`) || !strings.Contains(p.body, "expirou") {
		t.Errorf("panel after the lifetime does not say expired:\n%s", p.body)
	}
}

func TestTamperExperiment(t *testing.T) {
	h := newHarness(t, nil)
	h.get("/login")
	orig := h.cookie().Value

	// Sending the data back unchanged keeps the signature valid.
	m := regexp.MustCompile(`(?s)<textarea id="dados" name="dados"[^>]*>(.*?)</textarea>`).FindStringSubmatch(h.get("/inspetor").body)
	if m == nil {
		t.Fatal("no tamper form on /inspetor after login")
	}
	r := h.post("/inspetor/adulterar", url.Values{"dados": {html.UnescapeString(m[1])}})
	if !strings.Contains(r.body, `data-rejected="false"`) {
		t.Errorf("unchanged data: result not accepted")
	}
	if got := h.get("/perfil").body; got != "Bem-vindo, Maria!" {
		t.Errorf("after sending unchanged data /perfil = %q", got)
	}

	r = h.post("/inspetor/adulterar", url.Values{"dados": {`{"usuario": "admin"}`}})
	if r.url != "/inspetor" {
		t.Fatalf("tamper ended at %s, want /inspetor", r.url)
	}
	for _, want := range []string{`data-rejected="true"`, `data-session-len="0"`, "A assinatura não confere", `data-valid="false"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("tamper result lacks %q", want)
		}
	}
	if got := h.get("/perfil").body; got != "Nenhum usuário logado." {
		t.Errorf("after tampering /perfil = %q, want no user", got)
	}
	if c := h.cookie(); c != nil && c.Value == orig {
		t.Error("the original cookie came back")
	}
	if r := h.post("/inspetor/apagar", nil); r.url != "/inspetor" || h.cookie() != nil {
		t.Errorf("forgetting the forged cookie: at %s, cookie %v", r.url, h.cookie())
	}
	// A permanent session is refreshed on every request: the forged cookie
	// must still be the one the browser ends up with.
	hp := newHarness(t, nil)
	hp.post("/exemplo02", url.Values{"nome": {"Ana"}})
	if r := hp.post("/inspetor/adulterar", url.Values{"dados": {`{"_permanent": true, "nomes": ["Eva"]}`}}); !strings.Contains(r.body, `data-rejected="true"`) {
		t.Error("tampering with a permanent session: not rejected")
	}
	if got := names(hp.get("/exemplo02").body); len(got) != 0 {
		t.Errorf("after tampering the list is %q, want empty", got)
	}
	// Without a cookie the experiment just returns to the inspector.
	h2 := newHarness(t, nil)
	if r := h2.post("/inspetor/adulterar", url.Values{"dados": {"{}"}}); r.url != "/inspetor" || r.status != 200 {
		t.Errorf("tamper without cookie: %d at %s", r.status, r.url)
	}
}

func TestSecretKeyPage(t *testing.T) {
	h := newHarness(t, nil)
	fresh := regexp.MustCompile(`id="fresh" class="key copy" readonly value="([0-9a-f]{64})"`)
	a, b := h.get("/chave"), h.get("/chave")
	for _, want := range []string{"go run ./cmd/sessionkit secret", "python3 -c 'import secrets; print(secrets.token_hex())'", "SECRET_KEY", "-secret-key-file demo.key"} {
		if !strings.Contains(a.body, want) {
			t.Errorf("/chave lacks %q", want)
		}
	}
	ka, kb := fresh.FindStringSubmatch(a.body), fresh.FindStringSubmatch(b.body)
	if ka == nil || kb == nil || ka[1] == kb[1] {
		t.Errorf("fresh keys %v and %v: want two different 64-hex keys", ka, kb)
	}
}

// The Desafio page states the grader's contract, word for word, in both
// languages, and points to the checker and to the solution, with the
// command that grades it.
func TestDesafio(t *testing.T) {
	h := newHarness(t, nil)
	for _, lang := range []string{"pt-BR", "en"} {
		r := h.get("/desafio", "Accept-Language", lang)
		page := pageText(r.body)
		c := desafio.Contract(lang)
		for _, block := range strings.Split(c, "\n\n") {
			for _, piece := range regexp.MustCompile(`(?m)^ {0,3}[0-9]+\. `).Split(block, -1) {
				// Commands are written to run from a clone.
				piece = strings.Replace(piece, "    sessionkit ", "    go run ./cmd/sessionkit ", 1)
				if want := strings.Join(strings.Fields(piece), " "); !strings.Contains(page, want) {
					t.Errorf("/desafio (%s) does not state the contract's %q", lang, want)
				}
			}
		}
		for _, want := range []string{
			"<code>/login</code>", "<code>usuario</code>", "<code>sessao123</code>", "<code>/perfil</code>", "<code>/logout</code>",
			"<code>app.permanent_session_lifetime = timedelta(minutes=2)</code>", "<code>session.permanent = True</code>",
			"<code>get_flashed_messages()</code>", "<code>-wait</code>",
			"<code>go run ./cmd/sessionkit desafio ",
			"go run ./cmd/sessionkit desafio " + h.srv.URL + "/desafio/solucao</code>", `href="/desafio/solucao/login"`,
			"app.permanent_session_lifetime = timedelta(minutes=2)\n", "@app.route(&#34;/perfil&#34;)",
		} {
			if !strings.Contains(r.body, want) {
				t.Errorf("/desafio (%s) lacks %q", lang, want)
			}
		}
		if strings.Contains(r.body, `name="senha"`) {
			t.Error("/desafio is a login form again, not the task")
		}
	}
	// Another lifetime than the contract's: the command says so.
	h = newHarness(t, func(c *Config) { c.Lifetime = 90 * time.Second })
	if r := h.get("/desafio"); !strings.Contains(r.body, "go run ./cmd/sessionkit desafio -lifetime 1m30s "+h.srv.URL+"/desafio/solucao</code>") {
		t.Error("with -lifetime 90s the grading command does not pass -lifetime")
	}
}

// pageText is the text a page shows: tags dropped, entities decoded,
// whitespace collapsed.
func pageText(body string) string {
	return strings.Join(strings.Fields(html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(body, ""))), " ")
}

// TestContractLayout: the contract's blocks come out as the page shows
// them, and what is code is marked, closing punctuation left outside.
func TestContractLayout(t *testing.T) {
	c := contractOf(desafio.Contract("en"))
	if c.Title != "Desafio: a small Flask app with login" || len(c.Task) != 2 || len(c.Task[1].Items) != 7 {
		t.Fatalf("contract %+v", c)
	}
	if len(c.Check) != 3 || c.Check[1].Cmd != "go run ./cmd/sessionkit desafio -lang en http://127.0.0.1:5000" {
		t.Errorf("check blocks %+v", c.Check)
	}
	for in, want := range map[string]string{
		"Uses a random SECRET_KEY, made with": "Uses a random <code>SECRET_KEY</code>, made with",
		"(session.permanent = True) with":     "(<code>session.permanent = True</code>) with",
		"redirects to /perfil.":               "redirects to <code>/perfil</code>.",
		"(sua_chave_secreta_segura), a":       "(<code>sua_chave_secreta_segura</code>), a",
		"-login, -protected.":                 "<code>-login</code>, <code>-protected</code>.",
		"a <form method=\"post\"> with":       "a <code>&lt;form method=&#34;post&#34;&gt;</code> with",
		"a well-known e-mail":                 "a well-known e-mail",
	} {
		if got := string(codeSpans(in)); got != want {
			t.Errorf("codeSpans(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDesafioSolution(t *testing.T) {
	for _, paths := range []struct{ name, login, perfil, logout string }{
		{"solution", "/desafio/solucao/login", "/desafio/solucao/perfil", "/desafio/solucao/logout"},
		{"earlier addresses", "/desafio/entrar", "/desafio/painel", "/desafio/sair"},
	} {
		t.Run(paths.name, func(t *testing.T) {
			h := newHarness(t, nil)
			// The protected page sends a visitor without a session to the login.
			r := h.get(paths.perfil)
			if r.url != "/desafio/solucao/login" || !strings.Contains(r.body, "Faça login para ver a página protegida.") {
				t.Errorf("protected page without login: at %s, flash missing", r.url)
			}
			if !strings.Contains(r.body, "<code>"+demoPassword+"</code>") {
				t.Error("the demo password is not shown")
			}
			r = h.post(paths.login, url.Values{"usuario": {"Joana"}, "senha": {"errada"}})
			if r.url != "/desafio/solucao/login" || !strings.Contains(r.body, "Senha incorreta.") {
				t.Errorf("wrong password: at %s, flash missing", r.url)
			}
			// The flash is read once.
			if strings.Contains(h.get("/desafio/solucao/login").body, "Senha incorreta.") {
				t.Error("the flash message was shown twice")
			}
			h.post("/exemplo02", url.Values{"nome": {"Ana"}})
			before := h.cookie().Value
			r = h.post(paths.login, url.Values{"usuario": {"Joana"}, "senha": {demoPassword}})
			if r.url != "/desafio/solucao/perfil" || !strings.Contains(r.body, "Bem-vindo, Joana! Login feito.") || !strings.Contains(r.body, "<strong>Joana</strong>") {
				t.Fatalf("login: at %s, want the protected page with a welcome flash", r.url)
			}
			if h.cookie().Value == before {
				t.Error("login did not renew the session")
			}
			if got := h.get("/perfil").body; got != "Bem-vindo, Joana!" {
				t.Errorf("/perfil after the Desafio login = %q", got)
			}
			if r := h.get(paths.perfil); r.url != "/desafio/solucao/perfil" || !strings.Contains(r.body, "<strong>Joana</strong>") {
				t.Errorf("protected page when logged in: at %s", r.url)
			}
			r = h.post(paths.logout, nil)
			if r.url != "/desafio/solucao/login" || !strings.Contains(r.body, "Você saiu. A sessão foi limpa.") {
				t.Errorf("logout: at %s, message missing", r.url)
			}
			if c := h.cookie(); c != nil {
				t.Errorf("after logout (and its message read) the browser still holds a session cookie %q", c.Value)
			}
			if got := names(h.get("/exemplo02").body); len(got) != 0 {
				t.Errorf("logout kept the names %q", got)
			}
			if r := h.get(paths.perfil); r.url != "/desafio/solucao/login" {
				t.Errorf("protected page after logout reached at %s", r.url)
			}
		})
	}
}

func TestLanguage(t *testing.T) {
	h := newHarness(t, nil)
	tests := []struct {
		name, accept, wantLang, wantText string
	}{
		{"default", "", "pt-BR", "Sessões: o servidor lembra de você"},
		{"english browser", "en-US,en;q=0.9", "en", "Sessions: the server remembers you"},
		{"portuguese browser", "pt-PT,pt;q=0.9,en;q=0.5", "pt-BR", "Sessões"},
		{"unknown first", "fr-FR, en;q=0.8", "en", "Sessions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.get("/", "Accept-Language", tt.accept)
			if !strings.Contains(r.body, `<html lang="`+tt.wantLang+`">`) || !strings.Contains(r.body, tt.wantText) {
				t.Errorf("Accept-Language %q: want lang %s and %q", tt.accept, tt.wantLang, tt.wantText)
			}
		})
	}
	// The switch stores the choice, which wins over Accept-Language.
	r := h.get("/idioma/en?volta=/exemplo02", "Accept-Language", "pt-BR")
	if r.url != "/exemplo02" || !strings.Contains(r.body, `<html lang="en">`) {
		t.Errorf("switch to English: at %s", r.url)
	}
	if r := h.get("/", "Accept-Language", "pt-BR"); !strings.Contains(r.body, `<html lang="en">`) {
		t.Error("the language choice was not kept")
	}
	// The Desafio's page in English; Exemplo 01's answers stay the lesson's.
	if r := h.get("/desafio/solucao/login"); !strings.Contains(r.body, "The demo password is") {
		t.Error("the Desafio's solution not in English")
	}
	h.get("/login")
	if got := h.get("/perfil").body; got != "Bem-vindo, Maria!" {
		t.Errorf("/perfil in English mode = %q, want the lesson's words", got)
	}
	for _, back := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example"} {
		req, _ := http.NewRequest("GET", h.srv.URL+"/idioma/pt-BR?volta="+url.QueryEscape(back), nil)
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); loc != "/" {
			t.Errorf("volta=%q redirected to %q, want /", back, loc)
		}
	}
	if r := h.get("/idioma/fr"); r.status != http.StatusNotFound {
		t.Errorf("/idioma/fr = %d, want 404", r.status)
	}
}

// Every route answers, with the right type and headers; a hostile cookie
// never turns into a 500.
func TestEveryRoute(t *testing.T) {
	h := newHarness(t, nil)
	tests := []struct {
		method, path string
		status       int
		ctype        string
	}{
		{"GET", "/", 200, "text/html; charset=utf-8"},
		{"GET", "/login", 200, "text/plain; charset=utf-8"},
		{"GET", "/perfil", 200, "text/plain; charset=utf-8"},
		{"GET", "/logout", 200, "text/plain; charset=utf-8"},
		{"GET", "/exemplo01", 200, "text/html; charset=utf-8"},
		{"GET", "/exemplo02", 200, "text/html; charset=utf-8"},
		{"POST", "/exemplo02", 422, "text/html; charset=utf-8"}, // no name: said so, next to the form
		{"POST", "/exemplo02/limpar", 200, "text/html; charset=utf-8"},
		{"GET", "/inspetor", 200, "text/html; charset=utf-8"},
		{"GET", "/inspetor/painel", 200, "text/html; charset=utf-8"},
		{"POST", "/inspetor/adulterar", 200, "text/html; charset=utf-8"},
		{"POST", "/inspetor/apagar", 200, "text/html; charset=utf-8"},
		{"GET", "/chave", 200, "text/html; charset=utf-8"},
		{"GET", "/desafio", 200, "text/html; charset=utf-8"},
		{"POST", "/desafio/entrar", 200, "text/html; charset=utf-8"},
		{"GET", "/desafio/painel", 200, "text/html; charset=utf-8"},
		{"POST", "/desafio/sair", 200, "text/html; charset=utf-8"},
		{"GET", "/desafio/solucao/", 200, "text/html; charset=utf-8"},
		{"GET", "/desafio/solucao/painel", 200, "text/html; charset=utf-8"},
		{"GET", "/desafio/solucao/perfil", 200, "text/html; charset=utf-8"},
		{"GET", "/desafio/solucao/login", 200, "text/html; charset=utf-8"},
		{"POST", "/desafio/solucao/login", 200, "text/html; charset=utf-8"},
		{"GET", "/desafio/solucao/logout", 200, "text/html; charset=utf-8"},
		{"POST", "/desafio/solucao/logout", 200, "text/html; charset=utf-8"},
		{"POST", "/recomecar", 200, "text/html; charset=utf-8"},
		{"GET", "/idioma/en", 200, "text/html; charset=utf-8"},
		{"GET", "/idioma/fr", 404, "text/html; charset=utf-8"},
		{"GET", "/static/style.css", 200, "text/css; charset=utf-8"},
		{"GET", "/static/demo.js", 200, "text/javascript; charset=utf-8"},
		{"GET", "/favicon.ico", 200, "image/x-icon"},
		{"GET", "/nada", 404, "text/html; charset=utf-8"},
		{"GET", "/static/nada.css", 404, "text/html; charset=utf-8"},
		{"GET", "/static/", 404, "text/html; charset=utf-8"},
		{"DELETE", "/login", 405, "text/html; charset=utf-8"},
		{"POST", "/chave", 405, "text/html; charset=utf-8"},
	}
	cookies := map[string]string{
		"none":      "",
		"garbage":   "%%%not-a-cookie",
		"dots":      "...",
		"bad sig":   "eyJ1c3VhcmlvIjoiTWFyaWEifQ.aSxYzw.AAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"zip bomb":  ".eJzty0ENAAAIA7GvHjv-PQ.aSxYzw.AAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"long":      strings.Repeat("A", 5000),
		"non-ascii": "ção.ção.ção",
	}
	for cname, cval := range cookies {
		for _, tt := range tests {
			t.Run(cname+" "+tt.method+" "+tt.path, func(t *testing.T) {
				req, _ := http.NewRequest(tt.method, h.srv.URL+tt.path, nil)
				if cval != "" {
					req.Header.Set("Cookie", "session="+cval)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != tt.status {
					t.Errorf("%s %s = %d, want %d", tt.method, tt.path, resp.StatusCode, tt.status)
				}
				if got := resp.Header.Get("Content-Type"); got != tt.ctype {
					t.Errorf("%s %s Content-Type = %q, want %q", tt.method, tt.path, got, tt.ctype)
				}
				if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
					t.Errorf("%s %s: CSP = %q", tt.method, tt.path, csp)
				}
			})
		}
	}
}

// The pages load nothing from elsewhere.
func TestNoExternalResources(t *testing.T) {
	h := newHarness(t, nil)
	external := regexp.MustCompile(`(?i)(src|href|action)="(https?:)?//`)
	for _, p := range []string{"/", "/exemplo01", "/exemplo02", "/inspetor", "/chave", "/desafio", "/static/style.css", "/static/demo.js"} {
		if m := external.FindString(h.get(p).body); m != "" {
			t.Errorf("%s refers to another origin: %s", p, m)
		}
	}
}

func TestNewHandlerConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"no key", Config{}},
		{"weak key", Config{Key: []byte("dev")}},
		{"the lesson's key", Config{Key: []byte(lessonKey)}},
		{"bad language", Config{Key: testKey(t), Lang: "fr"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewHandler(tt.cfg); err == nil {
				t.Error("NewHandler accepted the config")
			}
		})
	}
}

// fillNames adds random names until Exemplo 02 refuses one, long ones
// first and then short ones to fill the cookie tightly, and returns the
// names kept.
func fillNames(t *testing.T, h *harness) []string {
	t.Helper()
	var kept []string
	for _, size := range []int{600, 20} {
		for i := 0; ; i++ {
			if i == 300 {
				t.Fatal("300 names and the cookie never reached the limit")
			}
			n := longName(t, len(kept))
			if len(n) > size {
				n = n[:size]
			}
			if r := h.post("/exemplo02", url.Values{"nome": {n}}); r.status == http.StatusUnprocessableEntity {
				break
			}
			kept = append(kept, n)
		}
	}
	return kept
}

// After a Desafio login the cookie also carries the Manager's own keys
// (Renew's nonce); Exemplo 02's table still reports the real cookie's size.
func TestExemplo02SizeCountsManagerKeys(t *testing.T) {
	h := newHarness(t, nil)
	h.post("/desafio/entrar", url.Values{"nome": {"Joana"}, "senha": {demoPassword}})
	r := h.post("/exemplo02", url.Values{"nome": {"Ana"}})
	c := h.cookie()
	sz := sizes(r.body)
	if len(sz) != 1 || sz[0] != len(c.Name)+len(c.Value) {
		t.Errorf("table says %v, the cookie held is %d bytes", sz, len(c.Name)+len(c.Value))
	}
	if kept := fillNames(t, h); len(kept) < 3 {
		t.Errorf("only %d names fitted", len(kept))
	}
}

// A session that outgrows the cookie elsewhere than in Exemplo 02 gets an
// explanation, not a bare 500, and the browser keeps its previous cookie.
func TestTooLargeSessionElsewhere(t *testing.T) {
	h := newHarness(t, nil)
	kept := fillNames(t, h)
	before := h.cookie().Value
	r := h.post("/desafio/entrar", url.Values{"nome": {strings.Repeat("J", 100)}, "senha": {demoPassword}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "4096 bytes") {
		t.Fatalf("login with a full session = %d, want 422 with the explanation:\n%s", r.status, r.body)
	}
	if h.cookie().Value != before {
		t.Error("the cookie changed although the session could not be saved")
	}
	if got := names(h.get("/exemplo02").body); len(got) != len(kept) {
		t.Errorf("the list has %d names, want the %d kept", len(got), len(kept))
	}
}

func TestDefaultLanguageConfig(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Lang = "en" })
	if r := h.get("/"); !strings.Contains(r.body, `<html lang="en">`) {
		t.Error("Config.Lang en is not the default")
	}
	if r := h.get("/", "Accept-Language", "pt-BR"); !strings.Contains(r.body, `<html lang="pt-BR">`) {
		t.Error("Accept-Language pt-BR does not win over the default")
	}
}
