package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	session "github.com/sessionkit/session"
	"github.com/sessionkit/session/flask"
	"github.com/sessionkit/session/internal/desafio"
	"github.com/sessionkit/session/memstore"
)

// failingStore is a memstore whose creations fail with createErr and
// whose updates fail with updateErr, to reach the error pages the
// Manager's ErrorHandler serves.
type failingStore struct {
	*memstore.Store
	createErr, updateErr error
}

func (f failingStore) Create(ctx context.Context, id string, rec session.Record) error {
	if f.createErr != nil {
		return f.createErr
	}
	return f.Store.Create(ctx, id, rec)
}

func (f failingStore) Update(ctx context.Context, id string, rec session.Record) (int64, error) {
	if f.updateErr != nil {
		return 0, f.updateErr
	}
	return f.Store.Update(ctx, id, rec)
}

// Every error answers with a page in the visitor's language, with the
// navigation, the way out (start over) and what to do next.
func TestErrorPages(t *testing.T) {
	full := func(h *harness) response {
		fillNames(t, h)
		return h.get("/login") // Renew and usuario: one key too many
	}
	withStore := func(createErr, updateErr error) func(*Config) {
		return func(c *Config) { c.Store, c.StoreName = failingStore{memstore.New(), createErr, updateErr}, "memory" }
	}
	conflict := func(h *harness) response {
		// A first write creates the session; the next one updates it, and
		// every update conflicts, however often the Manager merges.
		h.post("/exemplo02", url.Values{"nome": {"Ana"}})
		return h.post("/exemplo02", url.Values{"nome": {"Bia"}})
	}
	tests := []struct {
		name   string
		config func(*Config)
		do     func(h *harness) response
		status int
		lang   string
		want   []string
	}{
		{"404", nil, func(h *harness) response { return h.get("/nada/<b>") }, 404, "pt-BR",
			[]string{"Página não encontrada (404)", "<code>/nada/&lt;b&gt;</code>", "Escolha uma seção"}},
		{"404 en", nil, func(h *harness) response { return h.get("/nope", "Accept-Language", "en") }, 404, "en",
			[]string{"Page not found (404)", "Pick a section"}},
		{"404 static", nil, func(h *harness) response { return h.get("/static/nada.js") }, 404, "pt-BR", []string{"Página não encontrada"}},
		{"404 language", nil, func(h *harness) response { return h.get("/idioma/fr") }, 404, "pt-BR", []string{"Página não encontrada"}},
		{"405", nil, func(h *harness) response {
			req, _ := http.NewRequest("DELETE", h.srv.URL+"/exemplo02", nil)
			return h.do(req)
		}, 405, "pt-BR", []string{"Método não aceito (405)", "<code>DELETE</code>", "GET, HEAD, POST"}},
		{"409", withStore(nil, session.ErrConflict), conflict, 409, "pt-BR", []string{"A sessão mudou ao mesmo tempo", "Recarregue a página"}},
		{"503", withStore(fmt.Errorf("%w: connection refused", session.ErrStoreUnavailable), nil), func(h *harness) response {
			return h.post("/exemplo02", url.Values{"nome": {"Ana"}})
		}, 503, "pt-BR", []string{"Armazenamento indisponível (503)", "Tente de novo em instantes"}},
		{"full cookie", nil, full, 422, "pt-BR",
			[]string{"A sessão não cabe mais no cookie", "4096 bytes", `action="/exemplo02/limpar"`, "Libere espaço"}},
		{"full cookie at the Desafio's login", nil, func(h *harness) response {
			fillNames(t, h)
			return h.post("/desafio/solucao/login", url.Values{"usuario": {strings.Repeat("J", 100)}, "senha": {demoPassword}})
		}, 422, "pt-BR", []string{"A sessão não cabe mais no cookie", `action="/exemplo02/limpar"`}},
		{"form too large", nil, func(h *harness) response {
			return h.post("/exemplo02", url.Values{"nome": {strings.Repeat("a", 20<<10)}})
		}, 413, "pt-BR", []string{"Formulário grande demais (413)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.config)
			before := h.cookie()
			r := tt.do(h)
			if r.status != tt.status {
				t.Errorf("status %d, want %d", r.status, tt.status)
			}
			if ct := r.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			for _, want := range append(tt.want, `<html lang="`+tt.lang+`">`, `<nav aria-label=`, `href="/exemplo02"`, `action="/recomecar"`, `<h2>`+string(text(tt.lang, "err.next"))+`</h2>`) {
				if !strings.Contains(r.body, want) {
					t.Errorf("the page lacks %q:\n%s", want, r.body)
				}
			}
			if before == nil && tt.status >= 500 && h.cookie() != nil {
				t.Error("a failed save set a cookie")
			}
		})
	}
}

// A failure the Manager does not classify (no store, no size, no race) is
// a 500 page; nothing in the demo reaches it over HTTP on purpose.
func TestInternalErrorPage(t *testing.T) {
	for _, lang := range []string{"pt-BR", "en"} {
		s, err := newSite(Config{Key: testKey(t), Lifetime: time.Minute, Lang: lang, Now: time.Now, Logger: quiet, StoreName: "cookie"})
		if err != nil {
			t.Fatal(err)
		}
		w := httptest.NewRecorder()
		s.sessionError(w, httptest.NewRequest("GET", "/exemplo02", nil), errors.New("session: encode: something odd"))
		body := w.Body.String()
		for _, want := range []string{string(text(lang, "err.internal.h")), string(text(lang, "err.internal.do")), `<nav aria-label=`, `action="/recomecar"`} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: the 500 page lacks %q", lang, want)
			}
		}
		if w.Code != 500 || len(w.Result().Cookies()) != 0 {
			t.Errorf("%s: %d with cookies %v", lang, w.Code, w.Result().Cookies())
		}
	}
}

// "Recomeçar" clears the session from any page, whatever the cookie holds.
func TestRestart(t *testing.T) {
	cookies := map[string]func(h *harness) string{
		"genuine": func(h *harness) string { h.get("/login"); return h.cookie().Value },
		"forged":  func(h *harness) string { return forgedCookie(t, []byte(`{"usuario":"admin"}`), false) },
		"oversized": func(h *harness) string {
			return strings.Repeat("A", 4000) + ".aSxYzw.AAAAAAAAAAAAAAAAAAAAAAAAAAA"
		},
		"full": func(h *harness) string { fillNames(t, h); return h.cookie().Value },
	}
	for name, mk := range cookies {
		for _, back := range []string{"/exemplo02", "/inspetor", "/desafio/solucao/login", "//evil.example"} {
			t.Run(name+" "+back, func(t *testing.T) {
				h := newHarness(t, nil)
				value := mk(h)
				u, _ := url.Parse(h.srv.URL)
				h.client.Jar.SetCookies(u, []*http.Cookie{{Name: "session", Value: value, Path: "/"}})
				r := h.post("/recomecar", url.Values{"volta": {back}})
				if r.status != 200 || r.url != localPath(back) {
					t.Errorf("start over from %s: %d at %s", back, r.status, r.url)
				}
				if !strings.Contains(r.body, "Sessão apagada: você recomeçou do zero.") {
					t.Error("no message saying the session was erased")
				}
				// Exemplo 02's page makes the fresh session permanent; nothing
				// else may be left.
				if c := h.cookie(); c != nil {
					vals, err := h.codec().Decode(c.Value, h.clock.Now())
					for k := range vals {
						if k != "_permanent" && !strings.HasPrefix(k, "_sk_") {
							t.Errorf("after starting over the session holds %s (%v)", k, err)
						}
					}
				}
				if got := h.get("/perfil").body; got != "Nenhum usuário logado." {
					t.Errorf("/perfil after starting over = %q", got)
				}
			})
		}
	}
	// Every page offers it.
	h := newHarness(t, nil)
	for _, p := range []string{"/", "/exemplo01", "/exemplo02", "/inspetor", "/chave", "/desafio", "/desafio/solucao/login", "/nada"} {
		if r := h.get(p); !strings.Contains(r.body, `action="/recomecar"`) || !strings.Contains(r.body, `name="volta" value="`) {
			t.Errorf("%s has no way to start over", p)
		}
	}
}

func TestFavicon(t *testing.T) {
	h := newHarness(t, nil)
	r := h.get("/favicon.ico")
	if r.status != 200 || r.header.Get("Content-Type") != "image/x-icon" {
		t.Fatalf("/favicon.ico: %d %s", r.status, r.header.Get("Content-Type"))
	}
	b := []byte(r.body)
	if len(b) < 22 || !bytes.Equal(b[:6], []byte{0, 0, 1, 0, 1, 0}) {
		t.Fatalf("not an ICO with one image: % x", b[:min(len(b), 6)])
	}
	img, err := png.Decode(bytes.NewReader(b[22:]))
	if err != nil || img.Bounds().Dx() != 32 || int(b[6]) != 32 {
		t.Errorf("icon image: %v, %v", err, img)
	}
	if !strings.Contains(h.get("/").body, `<link rel="icon" href="/favicon.ico"`) {
		t.Error("pages do not name the icon")
	}
}

// Every input the demo does not take is answered with the reason, and
// changes nothing.
func TestIgnoredInputsAnswered(t *testing.T) {
	tests := []struct {
		name   string
		path   string
		form   url.Values
		status int
		at     string
		want   string
	}{
		{"blank name", "/exemplo02", url.Values{"nome": {"   "}}, 422, "/exemplo02", "um nome só de espaços não entra na lista"},
		{"tabs and newlines", "/exemplo02", url.Values{"nome": {"\t\r\n \u00a0"}}, 422, "/exemplo02", "um nome só de espaços"},
		{"no field", "/exemplo02", url.Values{}, 422, "/exemplo02", "um nome só de espaços"},
		{"invalid UTF-8", "/exemplo02", url.Values{"nome": {"Jo\xffão"}}, 422, "/exemplo02", "não é texto válido"},
		{"too long", "/exemplo02", url.Values{"nome": {strings.Repeat("é", maxNameRunes+1)}}, 422, "/exemplo02", "1001 caracteres; o máximo é 1000"},
		{"Desafio: blank user", "/desafio/solucao/login", url.Values{"usuario": {"  "}, "senha": {demoPassword}}, 200, "/desafio/solucao/login", "Informe um nome de usuário"},
		{"Desafio: long user", "/desafio/solucao/login", url.Values{"usuario": {strings.Repeat("x", 101)}, "senha": {demoPassword}}, 200, "/desafio/solucao/login", "no máximo 100 caracteres"},
		{"Desafio: wrong password", "/desafio/solucao/login", url.Values{"usuario": {"Ana"}, "senha": {"x"}}, 200, "/desafio/solucao/login", "Senha incorreta"},
		{"Desafio: no password", "/desafio/solucao/login", url.Values{"usuario": {"Ana"}}, 200, "/desafio/solucao/login", "Senha incorreta"},
		{"tamper without a cookie", "/inspetor/adulterar", url.Values{"dados": {"{}"}}, 200, "/inspetor", "Não havia cookie de sessão para adulterar"},
		{"emptying an empty list", "/exemplo02/limpar", nil, 200, "/exemplo02", "A lista está vazia."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			r := h.post(tt.path, tt.form)
			if r.status != tt.status || r.url != tt.at || !strings.Contains(r.body, tt.want) {
				t.Errorf("POST %s: %d at %s, want %d at %s saying %q", tt.path, r.status, r.url, tt.status, tt.at, tt.want)
			}
			if got := names(r.body); len(got) != 0 {
				t.Errorf("the list became %q", got)
			}
		})
	}
	// The refused name is given back to the form, to correct it.
	h := newHarness(t, nil)
	if r := h.post("/exemplo02", url.Values{"nome": {strings.Repeat("b", 1001)}}); !strings.Contains(r.body, `value="`+strings.Repeat("b", 1000)) || !strings.Contains(r.body, `aria-invalid="true"`) {
		t.Error("the refused name is not given back, marked invalid")
	}
	// A full list (server-side sessions have no cookie limit) says so. The
	// session lasts an hour: the harness's clock stands still, but the
	// cookie jar expires cookies by the wall clock, and 500 requests can
	// take minutes on a busy machine. The adds do not follow their
	// redirects, which would render the growing list 500 times.
	h = newHarness(t, func(c *Config) { c.Store, c.StoreName, c.Lifetime = memstore.New(), "memory", time.Hour })
	h.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	for i := range maxNames {
		if r := h.post("/exemplo02", url.Values{"nome": {fmt.Sprint("n", i)}}); r.status != http.StatusSeeOther {
			t.Fatalf("adding name %d: %d", i, r.status)
		}
	}
	h.client.CheckRedirect = nil
	if r := h.post("/exemplo02", url.Values{"nome": {"mais um"}}); r.status != 422 || !strings.Contains(r.body, "A lista já tem 500 nomes") {
		t.Errorf("a full list: %d", r.status)
	}
}

// The lesson's code stands beside each example, with its Go equivalent,
// and the pages say why sessionkit refuses the lesson's key.
func TestLessonCodeBesideExamples(t *testing.T) {
	h := newHarness(t, nil)
	tests := []struct {
		path string
		want []string
	}{
		{"/exemplo01", []string{
			"app.secret_key = 'sua_chave_secreta_segura'",
			"session['usuario'] = 'Maria'",
			"usuario = session.get('usuario')",
			"if usuario:",
			"session.pop('usuario', None)",
			`usuario, _ := session.Get[string](s, "usuario")`,
			`s.Set("usuario", "Maria")`,
			`s.Pop("usuario")`,
			"s.Renew()",
			"devolve <code>None</code>",
			"foi publicada",
			"ela tem 24 bytes, e o mínimo é 32",
		}},
		{"/exemplo02", []string{
			"app.secret_key = 'sua_chave_secreta_segura'",
			"app.permanent_session_lifetime = timedelta(minutes=2)",
			"session.permanent = True",
			"nomes = session.get('nomes', [])",
			"m.Lifetime = 2 * time.Minute",
			"s.SetPermanent(true)",
			`session.Get[[]string](s, "nomes")`,
			"foi publicada",
		}},
		{"/chave", []string{"app.secret_key = 'sua_chave_secreta_segura'", "foi publicada"}},
	}
	for _, tt := range tests {
		r := h.get(tt.path)
		for _, want := range tt.want {
			if !strings.Contains(r.body, want) {
				t.Errorf("%s lacks %q", tt.path, want)
			}
		}
	}
	// The reason shown is the one session.CheckKey gives.
	var wk *session.WeakKeyError
	if !errors.As(session.CheckKey([]byte(lessonKey)), &wk) || !strings.Contains(h.get("/chave").body, html.EscapeString(wk.Reason)) {
		t.Error("/chave does not show session.CheckKey's reason for the lesson's key")
	}
	// No page claims a word-for-word copy where the Go code differs.
	for k, e := range catalog {
		for _, s := range e {
			if strings.Contains(s, "exatamente como na aula") || strings.Contains(s, "exactly as in the lesson") {
				t.Errorf("catalog %s claims an exact copy of the lesson", k)
			}
		}
	}
	// A demo run with another lifetime says so beside the code.
	h30 := newHarness(t, func(c *Config) { c.Lifetime = 30 * time.Second })
	if r := h30.get("/exemplo02"); !strings.Contains(r.body, "<code>-lifetime 30 s</code>") {
		t.Error("Exemplo 02 does not say it runs with another lifetime than the lesson's")
	}
}

// The secret-key page gives commands that work from a clone, and makes no
// promise the demo does not keep.
func TestKeyPageInstructions(t *testing.T) {
	for _, tt := range []struct {
		name string
		cfg  func(*Config)
		now  string
	}{
		{"ephemeral", func(c *Config) { c.Ephemeral = true }, "chave efêmera"},
		{"file", func(c *Config) { c.KeyFile = "demo.key" }, "lê a chave do arquivo <code>demo.key</code>"},
		{"given", nil, "a chave que você forneceu"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.cfg)
			r := h.get("/chave")
			if !strings.Contains(r.body, tt.now) {
				t.Errorf("/chave does not say %q", tt.now)
			}
			cmds := regexp.MustCompile(`(?s)<pre class="copy cmd"[^>]*><code>(.*?)</code></pre>`).FindAllStringSubmatch(r.body, -1)
			if len(cmds) < 4 {
				t.Fatalf("%d commands on /chave", len(cmds))
			}
			for _, m := range cmds {
				for _, line := range strings.Split(m[1], "\n") {
					if strings.HasPrefix(line, "sessionkit ") || strings.Contains(line, "$(sessionkit") || strings.Contains(line, " sessionkit demo") && !strings.Contains(line, "./cmd/sessionkit demo") {
						t.Errorf("command %q needs sessionkit on PATH", line)
					}
				}
			}
			for _, want := range []string{"go run ./cmd/sessionkit demo -secret-key-file demo.key", "0600", "não mantém sessão nenhuma"} {
				if !strings.Contains(r.body, want) {
					t.Errorf("/chave lacks %q", want)
				}
			}
		})
	}
	// No page anywhere shows a bare `sessionkit` command.
	h := newHarness(t, func(c *Config) { c.Ephemeral = true })
	for _, p := range []string{"/", "/exemplo01", "/exemplo02", "/inspetor", "/chave", "/desafio", "/desafio/solucao/login"} {
		if m := regexp.MustCompile(`<code>sessionkit |"\$\(sessionkit`).FindString(h.get(p).body); m != "" {
			t.Errorf("%s shows %q", p, m)
		}
	}
}

// The inspector says what ends each kind of session, and it is true: a
// permanent one ends after the lifetime without requests; a non-permanent
// cookie session ends the lifetime after its last change, however active.
func TestExpiryKinds(t *testing.T) {
	tests := []struct {
		name  string
		store bool
		setup func(h *harness)
		kind  string
		text  string
	}{
		{"non-permanent cookie", false, func(h *harness) { h.get("/login") }, "browser", "depois da <strong>última mudança</strong>"},
		{"permanent cookie", false, func(h *harness) { h.post("/exemplo02", url.Values{"nome": {"Ana"}}) }, "permanent", "<strong>sem nenhuma requisição</strong>"},
		{"non-permanent, server-side", true, func(h *harness) { h.get("/login") }, "browser-store", "no máximo a cada 1 minuto"},
		{"permanent, server-side", true, func(h *harness) { h.post("/exemplo02", url.Values{"nome": {"Ana"}}) }, "permanent", "<strong>sem nenhuma requisição</strong>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, func(c *Config) {
				if tt.store {
					st := memstore.New()
					st.Now = c.Now
					c.Store, c.StoreName = st, "memory"
				}
			})
			tt.setup(h)
			p := h.get("/inspetor/painel")
			if !strings.Contains(p.body, `data-kind="`+tt.kind+`"`) || !strings.Contains(p.body, tt.text) {
				t.Errorf("panel does not say %s / %q:\n%s", tt.kind, tt.text, p.body)
			}
		})
	}
	// What the labels promise. Non-permanent cookie: reading does not
	// extend it.
	h := newHarness(t, nil)
	h.get("/login")
	for range 3 {
		h.clock.Advance(50 * time.Second)
		if r := h.get("/perfil"); len(r.header.Values("Set-Cookie")) != 0 {
			t.Error("a read re-signed a non-permanent session")
		}
	}
	if got := h.get("/perfil").body; got != "Nenhum usuário logado." {
		t.Errorf("150 s of reading a non-permanent session of 120 s: /perfil = %q, want it ended", got)
	}
	// Permanent: every request extends it.
	h = newHarness(t, nil)
	h.post("/exemplo02", url.Values{"nome": {"Ana"}})
	for range 3 {
		h.clock.Advance(100 * time.Second)
		if got := names(h.get("/exemplo02").body); len(got) != 1 {
			t.Fatalf("an active permanent session ended")
		}
	}
	h.clock.Advance(121 * time.Second)
	if got := names(h.get("/exemplo02").body); len(got) != 0 {
		t.Error("a permanent session outlived its idle limit")
	}
}

// Exemplo 02 shows what each name costs, with Flask's ASCII-only JSON.
func TestExemplo02Costs(t *testing.T) {
	h := newHarness(t, nil)
	for _, n := range []string{"Joao", "João", "😀"} {
		h.post("/exemplo02", url.Values{"nome": {n}})
	}
	r := h.get("/exemplo02")
	for _, want := range []string{
		`<code>&#34;Joao&#34;</code> <span class="muted">(6&nbsp;B)</span>`,
		`<code>&#34;Jo\u00e3o&#34;</code> <span class="muted">(11&nbsp;B)</span>`,
		`<code>&#34;\ud83d\ude00&#34;</code> <span class="muted">(14&nbsp;B)</span>`,
		"ensure_ascii", "6 bytes", "12 bytes", "base64", "zlib", "512 bytes",
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("/exemplo02 lacks %q", want)
		}
	}
	// The deltas add up to the last size, from the size of an empty list.
	deltas := regexp.MustCompile(`data-delta="(-?\d+)"`).FindAllStringSubmatch(r.body, -1)
	sz := sizes(r.body)
	if len(deltas) != 3 || len(sz) != 3 {
		t.Fatalf("%d deltas, %d sizes", len(deltas), len(sz))
	}
	var d [3]int
	for i, m := range deltas {
		fmt.Sscan(m[1], &d[i])
	}
	if sz[1]-sz[0] != d[1] || sz[2]-sz[1] != d[2] || d[1] <= d[0] {
		t.Errorf("sizes %v, deltas %v: João should cost more than Joao", sz, d)
	}
}

// The chart's labels never cross a line: the last size sits in the right
// margin, where no line runs, and the limit's label above its line, where
// no size reaches.
func TestGrowthChartLabels(t *testing.T) {
	seqs := [][]int{
		{80},
		{80, 200},
		{80, 200, 400, 900, 1500, 2500, 3500, 4090},
		{4000, 4050, 4090, 4096},
		{300, 300, 300},
		{100, 4096},
	}
	for i := 0; i < 40; i++ {
		var s []int
		for j := 0; j <= i; j++ {
			s = append(s, 90+(j*4006/40))
		}
		seqs = append(seqs, s)
	}
	for _, seq := range seqs {
		var rows []sizeRow
		for i, n := range seq {
			rows = append(rows, sizeRow{N: i + 1, Size: n})
		}
		c := growthChart(rows, 4096)
		if c.Last.X <= c.PlotRight || c.Last.X+len(c.Last.Text)*7 > c.W {
			t.Errorf("%v: last label at x=%d (text %q) is not in the right margin %d..%d", seq, c.Last.X, c.Last.Text, c.PlotRight, c.W)
		}
		if c.Last.Y < 11 || c.Last.Y > c.H-2 {
			t.Errorf("%v: last label at y=%d, outside the chart", seq, c.Last.Y)
		}
		for _, d := range c.Dots {
			if d.X > c.PlotRight || d.Y < c.LimitY {
				t.Errorf("%v: point %v outside the plot or above the limit", seq, d)
			}
		}
		if c.LimitLabelY >= c.LimitY-2 || c.LimitLabelY < 9 {
			t.Errorf("%v: limit label at y=%d, limit at %d", seq, c.LimitLabelY, c.LimitY)
		}
	}
}

// English without the old slips; every time names its zone.
func TestWording(t *testing.T) {
	for k, e := range catalog {
		for _, bad := range []string{"a ephemeral", "Log in in", "  ", " ,", " . "} {
			if strings.Contains(e[1], bad) {
				t.Errorf("catalog %s (en) has %q: %q", k, bad, e[1])
			}
		}
		if m := regexp.MustCompile(`\ba [aeio]\w`).FindString(e[1]); m != "" && !strings.Contains(e[1], "a one") {
			t.Errorf("catalog %s (en): %q", k, m)
		}
	}
	// The pages as rendered, in English, whatever the sentences are built of.
	for _, cfg := range []func(*Config){func(c *Config) { c.Ephemeral = true }, func(c *Config) { c.KeyFile = "k" }, nil} {
		h := newHarness(t, cfg)
		h.get("/idioma/en")
		for _, p := range []string{"/", "/exemplo01", "/exemplo02", "/inspetor", "/chave", "/desafio", "/desafio/solucao/login", "/nada"} {
			body := regexp.MustCompile(`<[^>]*>`).ReplaceAllString(h.get(p).body, "")
			for _, bad := range []*regexp.Regexp{regexp.MustCompile(`\ba [aeio]\w+`), regexp.MustCompile(`(?i)\blog in in\b`)} {
				if m := bad.FindString(body); m != "" {
					t.Errorf("%s (en) reads %q", p, m)
				}
			}
			words := strings.Fields(body)
			for i := 1; i < len(words); i++ {
				if strings.EqualFold(words[i], words[i-1]) && regexp.MustCompile(`^\pL+$`).MatchString(words[i]) {
					t.Errorf("%s (en) reads %q twice", p, words[i])
				}
			}
		}
	}
	h := newHarness(t, nil)
	h.post("/desafio/solucao/login", url.Values{"usuario": {"Ana"}, "senha": {demoPassword}})
	timeEl := regexp.MustCompile(`<time datetime="([^"]+)"[^>]*>([^<]+)</time>`)
	for _, p := range []string{"/desafio/solucao/painel", "/inspetor/painel", "/inspetor"} {
		ms := timeEl.FindAllStringSubmatch(h.get(p).body, -1)
		if len(ms) == 0 {
			t.Errorf("%s shows no time", p)
		}
		for _, m := range ms {
			if !strings.HasSuffix(m[1], "Z") || !strings.HasSuffix(m[2], " UTC") {
				t.Errorf("%s: time %q (%s) does not name its zone", p, m[2], m[1])
			}
		}
	}
}

// The Desafio's solution meets the task it states: login by form POST, a
// protected page refusing anonymous users, flashes, a logout that clears
// the session, a permanent 2-minute session and a strong key.
func TestDesafioSolutionMeetsTheTask(t *testing.T) {
	h := newHarness(t, nil)
	h.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if r := h.get("/desafio/solucao/login"); r.status != 200 || !strings.Contains(r.body, `method="post" action="/desafio/solucao/login"`) || !strings.Contains(r.body, `name="usuario"`) || !strings.Contains(r.body, `name="senha"`) {
		t.Error("no login form")
	}
	if r := h.get("/desafio/solucao/perfil"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/desafio/solucao/login" {
		t.Errorf("anonymous /perfil: %d to %q, want 303 to the login", r.status, r.header.Get("Location"))
	}
	for _, p := range []string{"/desafio/solucao/", "/desafio/solucao/painel", "/desafio/painel"} {
		if r := h.get(p); r.status != http.StatusMovedPermanently || r.header.Get("Location") != "/desafio/solucao/perfil" {
			t.Errorf("earlier address %s: %d to %q, want 301 to /perfil", p, r.status, r.header.Get("Location"))
		}
	}
	h.get("/desafio/solucao/login") // read the flash
	r := h.post("/desafio/solucao/login", url.Values{"usuario": {"Ana"}, "senha": {demoPassword}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/desafio/solucao/perfil" {
		t.Fatalf("login: %d to %q", r.status, r.header.Get("Location"))
	}
	var sc *http.Cookie
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == "session" {
			sc = c
		}
	}
	if sc == nil || !sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode {
		t.Fatalf("login cookie %v: want HttpOnly, SameSite=Lax", sc)
	}
	if want := h.clock.Now().Add(2 * time.Minute); sc.Expires.Sub(want).Abs() > time.Second {
		t.Errorf("login cookie expires %v, want now + 2 minutes (%v): a permanent session", sc.Expires, want)
	}
	vals, err := h.codec().Decode(sc.Value, h.clock.Now())
	if err != nil || vals["usuario"] != "Ana" || vals["_permanent"] != true || vals["_flashes"] == nil {
		t.Errorf("login cookie holds %v (%v)", vals, err)
	}
	if err := session.CheckKey(h.cfg.Key); err != nil {
		t.Errorf("the demo's key: %v", err)
	}
	for _, weak := range append(session.KnownKeys(), lessonKey) {
		if s, err := flask.NewSigner([]byte(weak)); err == nil {
			if _, _, _, err := s.Unsign(sc.Value); err == nil {
				t.Errorf("the cookie verifies with the published key %q", weak)
			}
		}
	}
	if r := h.get("/desafio/solucao/perfil"); r.status != 200 || !strings.Contains(r.body, "Bem-vindo, Ana!") {
		t.Errorf("protected page after login: %d", r.status)
	}
	// The field names learners' forms commonly use are read too.
	for _, form := range []url.Values{{"nome": {"Bia"}, "senha": {demoPassword}}, {"username": {"Bia"}, "password": {demoPassword}}} {
		h2 := newHarness(t, nil)
		if r := h2.post("/desafio/solucao/login", form); r.url != "/desafio/solucao/perfil" {
			t.Errorf("login with %v ended at %s", form, r.url)
		}
	}
	r = h.get("/desafio/solucao/logout")
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/desafio/solucao/login" {
		t.Errorf("logout: %d to %q", r.status, r.header.Get("Location"))
	}
	vals, _ = h.codec().Decode(h.cookie().Value, h.clock.Now())
	if _, ok := vals["usuario"]; ok || vals["_flashes"] == nil {
		t.Errorf("after logout the session holds %v, want only the goodbye flash", vals)
	}
	if r := h.get("/desafio/solucao/perfil"); r.status != http.StatusSeeOther {
		t.Errorf("protected page after logout: %d", r.status)
	}
}

// codec returns a codec reading the demo's cookies.
func (h *harness) codec() *flask.Codec {
	s, err := flask.NewSigner(h.cfg.Key)
	if err != nil {
		h.t.Fatal(err)
	}
	c := flask.NewCodec(s)
	c.MaxAge = h.cfg.Lifetime
	return c
}

// TestDesafioGrader runs the Desafio's grader, in process, against the
// demo's own solution, with the grader's waits moving the demo's clock:
// every check passes with the grader's defaults, the 2-minute idle
// expiry included, in both languages; and with another lifetime, when the
// grader is told it.
func TestDesafioGrader(t *testing.T) {
	for _, tc := range []struct {
		name     string
		lifetime time.Duration
		lang     string
	}{
		{"contract", 0, "pt-BR"},
		{"contract-en", 0, "en"},
		{"lifetime-90s", 90 * time.Second, "en"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, func(c *Config) {
				if tc.lifetime != 0 {
					c.Lifetime = tc.lifetime
				}
			})
			g := &desafio.Grader{
				Wait:     true,
				Lifetime: tc.lifetime,
				Lang:     tc.lang,
				Now:      h.clock.Now,
				Sleep: func(_ context.Context, d time.Duration) error {
					h.clock.Advance(d)
					return nil
				},
			}
			r, err := g.Run(context.Background(), h.srv.URL+"/desafio/solucao")
			if err != nil {
				t.Fatal(err)
			}
			var report strings.Builder
			r.WriteTo(&report)
			for _, c := range r.Checks {
				if c.Status != desafio.Passed {
					t.Errorf("check %s: %v, %s", c.ID, c.Status, c.Detail)
				}
			}
			if !strings.Contains(r.Check(desafio.CheckLifetime).Detail, "idle") && !strings.Contains(r.Check(desafio.CheckLifetime).Detail, "sem uso o servidor recusou") {
				t.Errorf("the lifetime check did not wait for the idle expiry: %s", r.Check(desafio.CheckLifetime).Detail)
			}
			if t.Failed() {
				t.Logf("report:\n%s", report.String())
			}
		})
	}
}
