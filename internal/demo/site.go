package demo

import (
	"bytes"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	session "github.com/sessionkit/session"
	"github.com/sessionkit/session/flask"
	"github.com/sessionkit/session/seal"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// demoPassword is the Desafio solution's fixed password, shown on its page.
const demoPassword = "sessao123"

// lessonKey is the secret key the lesson writes in its code, which
// session.CheckKey refuses; the pages say why.
const lessonKey = "sua_chave_secreta_segura"

// site is the demo's state: configuration, the session Manager and the
// templates, parsed once.
type site struct {
	cfg   Config
	m     *session.Manager
	pages map[string]*template.Template
	log   *slog.Logger
	// sealer opens the demo's sealed cookies, and seals every session for
	// the comparison, with the demo's key, as session.NewSealed does.
	sealer *seal.Sealer
}

func newSite(cfg Config) (*site, error) {
	var (
		m   *session.Manager
		err error
	)
	if cfg.Sealed {
		m, err = session.NewSealed(sealScope, cfg.Key)
	} else {
		m, err = session.New(cfg.Key)
	}
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	sl, err := newSealer(cfg)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	m.Lifetime = cfg.Lifetime
	m.Now = cfg.Now
	m.Store = cfg.Store
	m.Logger = cfg.Logger
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	s := &site{cfg: cfg, m: m, log: cfg.Logger, pages: map[string]*template.Template{}, sealer: sl}
	m.ErrorHandler = s.sessionError
	base, err := template.ParseFS(templateFS, "templates/layout.html", "templates/inspector.html")
	if err != nil {
		return nil, fmt.Errorf("demo: templates: %w", err)
	}
	base.Funcs(template.FuncMap{"neg": func(n int) int { return -n }})
	for _, name := range []string{"home", "exemplo01", "exemplo02", "inspetor", "chave", "desafio", "solucao", "perfil", "cifrado", "erro"} {
		t, err := template.Must(base.Clone()).ParseFS(templateFS, "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("demo: template %s: %w", name, err)
		}
		s.pages[name] = t
	}
	s.pages["panel"] = base
	return s, nil
}

// routes lists every route of the site. Routes that use the session go
// through the session middleware; a few stay outside it: the inspector's
// panel shows the cookie as the browser holds it, without refreshing it;
// the tamper experiment and its reset set the session cookie themselves,
// and a refreshed permanent session must not overwrite what they set; the
// language switch, static files and error pages need no session.
//
// Unsafe methods coming from another site are refused before any of this
// (http.CrossOriginProtection), so that a refusal never loads nor writes a
// session: it carries no Set-Cookie.
func (s *site) routes() http.Handler {
	// Each route goes into mux, and into probe with a placeholder handler:
	// mux's catch-all "/" asks probe whether a request no route takes is a
	// 404 or a 405, so that a request is routed once.
	mux, probe := http.NewServeMux(), http.NewServeMux()
	handle := func(pattern string, h http.Handler) {
		mux.Handle(pattern, h)
		probe.Handle(pattern, http.NotFoundHandler())
	}
	handle("GET /static/{file}", http.HandlerFunc(s.static))
	handle("GET /favicon.ico", http.HandlerFunc(favicon))
	handle("GET /inspetor/painel", http.HandlerFunc(s.panel))
	handle("GET /idioma/{lang}", http.HandlerFunc(s.setLang))
	handle("POST /inspetor/adulterar", http.HandlerFunc(s.tamper))
	handle("POST /inspetor/apagar", http.HandlerFunc(s.forget))

	app := func(pattern string, h http.HandlerFunc) { handle(pattern, s.m.Handler(h)) }
	app("GET /{$}", s.home)
	app("POST /recomecar", s.restart)
	// Exemplo 01: the lesson's three routes, with plain-text answers.
	app("GET /login", s.login)
	app("GET /perfil", s.perfil)
	app("GET /logout", s.logout)
	app("GET /exemplo01", s.exemplo01)
	// Exemplo 02.
	app("GET /exemplo02", s.exemplo02)
	app("POST /exemplo02", s.exemplo02Add)
	app("POST /exemplo02/limpar", s.exemplo02Clear)
	// Inspector and secret key.
	app("GET /inspetor", s.inspetor)
	app("GET /inspetor/cifrado", s.cifrado)
	app("GET /chave", s.chave)
	// Desafio: the task (the grader's contract), and its solution as a
	// working app meeting it (desafio.go).
	app("GET /desafio", s.desafio)
	app("GET /desafio/solucao/login", s.solLoginPage)
	app("POST /desafio/solucao/login", s.solLogin)
	app("GET /desafio/solucao/perfil", s.solPerfil)
	app("GET /desafio/solucao/logout", s.solLogout)
	app("POST /desafio/solucao/logout", s.solLogout)
	// The addresses the solution had before it met the contract.
	handle("GET /desafio/solucao/{$}", moved(solPerfil))
	handle("GET /desafio/solucao/painel", moved(solPerfil))
	handle("GET /desafio/painel", moved(solPerfil))
	app("POST /desafio/entrar", s.solLogin)
	app("POST /desafio/sair", s.solLogout)

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.errorPage(w, r, errCrossOrigin)
	}))
	mux.Handle("/", s.noRoute(probe))
	return securityHeaders(cop.Handler(mux))
}

// staticFiles are the stylesheet and the script, served from the binary.
var staticFiles, _ = fs.Sub(staticFS, "static")

// static serves one of staticFiles, and the site's 404 page for anything
// else (no directory listings).
func (s *site) static(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	if fi, err := fs.Stat(staticFiles, name); err != nil || fi.IsDir() {
		s.errorPage(w, r, errNotFound)
		return
	}
	http.ServeFileFS(w, r, staticFiles, name)
}

// Header values every response shares. A slice here is never changed in
// place: Header.Set replaces it, and Header.Add, appending to a full
// slice, copies it first.
var (
	cspValue       = []string{"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"}
	nosniffValue   = []string{"nosniff"}
	referrerValue  = []string{"same-origin"}
	htmlValue      = []string{"text/html; charset=utf-8"}
	plainTextValue = []string{"text/plain; charset=utf-8"}
	noStoreValue   = []string{"no-store"}
)

// securityHeaders forbids every origin but this site: the demo works
// offline and a learner's browser never fetches anything elsewhere.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["Content-Security-Policy"] = cspValue
		h["X-Content-Type-Options"] = nosniffValue
		h["Referrer-Policy"] = referrerValue
		next.ServeHTTP(w, r)
	})
}

// view is what every page template receives.
type view struct {
	Lang         string
	Path         string
	Title        template.HTML
	Nav          []navItem
	Flashes      []session.Flash
	Notice       template.HTML // a message about the last action, beside the flashes
	Cookie       cookieView
	Session      []kv
	Lifetime     time.Duration
	LifetimeText string
	TouchText    string
	StoreName    string
	Ephemeral    bool
	Sealed       bool // the demo writes sealed cookies (Config.Sealed)
	Origin       string
	LessonKey    template.HTML // why session.CheckKey refuses the lesson's key
	// Caps are the bounds the inspector stops at, for its messages.
	Caps struct{ Shown, Inflate, Depth int }

	// Page-specific fields.
	Nomes      []string
	LastNome   string // the newest name, cut for the summary under the form
	NomeValue  string // the refused input, given back to the form
	InputError template.HTML
	Sizes      []sizeRow
	Chart      chart
	TooBig     *tooBig
	StoreNote  template.HTML
	Costs      template.HTML
	Tamper     *tamperResult
	Compare    *comparison // the session signed and sealed
	TamperJSON string
	FreshKey   string
	KeyNow     template.HTML
	KeyCheck   string
	KeyRule    template.HTML // the rule of the key policy KeyCheck names
	Password   string
	Contract   contract // the Desafio's task: the grader's contract
	GraderCmd  string   // the command that grades the solution
	Solution   string   // the reference solution in Flask
	User       string
	LoginISO   string // RFC 3339, UTC
	LoginText  string // 15:04:05 UTC
	Error      *pageError
	ErrorMsg   template.HTML
}

// T returns the catalog sentence key in the page's language.
func (v *view) T(key string, args ...any) template.HTML { return text(v.Lang, key, args...) }

// LoginTime is the Desafio's login time as a <time> element: UTC on the
// server, the visitor's own zone once the page's script has run.
func (v *view) LoginTime() template.HTML {
	if v.LoginISO == "" {
		return template.HTML(template.HTMLEscapeString(v.LoginText))
	}
	return template.HTML(`<time datetime="` + template.HTMLEscapeString(v.LoginISO) + `" data-local="time">` +
		template.HTMLEscapeString(v.LoginText) + `</time>`)
}

// LongLifetime reports whether the demo runs with another lifetime than the
// lesson's 2 minutes.
func (v *view) LongLifetime() bool { return v.Lifetime != DefaultLifetime }

type navItem struct {
	Href, Label string
	Current     bool
}

type kv struct{ Key, Value string }

// baseView returns the parts of a page that need no session: language,
// navigation, inspector. Error pages and pages outside the session
// middleware use it alone.
func (s *site) baseView(r *http.Request, titleKey string) *view {
	lang := pickLang(r, s.cfg.Lang)
	v := &view{
		Lang:         lang,
		Path:         r.URL.Path,
		Title:        text(lang, titleKey),
		Lifetime:     s.cfg.Lifetime,
		LifetimeText: humanDuration(s.cfg.Lifetime, lang),
		TouchText:    humanDuration(min(session.DefaultTouchInterval, s.cfg.Lifetime/2), lang),
		StoreName:    s.cfg.StoreName,
		Ephemeral:    s.cfg.Ephemeral,
		Sealed:       s.cfg.Sealed,
		Origin:       "http://" + r.Host,
		LessonKey:    lessonKeyReason(lang),
	}
	for _, n := range []struct{ href, key string }{
		{"/", "nav.home"}, {"/exemplo01", "nav.ex01"}, {"/exemplo02", "nav.ex02"},
		{"/inspetor", "nav.insp"}, {"/chave", "nav.key"}, {"/desafio", "nav.desafio"},
	} {
		cur := r.URL.Path == n.href || (n.href != "/" && strings.HasPrefix(r.URL.Path, n.href+"/"))
		v.Nav = append(v.Nav, navItem{Href: n.href, Label: string(text(lang, n.key)), Current: cur})
	}
	v.Caps.Shown, v.Caps.Inflate, v.Caps.Depth = maxShownJSON, s.maxInflate(), flask.DefaultMaxDepth
	v.Cookie = s.inspect(r)
	return v
}

// maxInflate is the codec's cap on a payload's inflated JSON.
func (s *site) maxInflate() int {
	if n := s.m.Codec().MaxDecompressed; n > 0 {
		return n
	}
	return flask.DefaultMaxDecompressed
}

// newView is baseView plus what the request's session holds; reading the
// flashes takes them out of the session, as Flask's get_flashed_messages.
func (s *site) newView(r *http.Request, titleKey string) *view {
	v := s.baseView(r, titleKey)
	if sess := session.FromContext(r.Context()); sess != nil {
		v.Flashes = sess.Flashes()
		for k, val := range sess.All() {
			v.Session = append(v.Session, kv{k, showValue(val)})
		}
	}
	return v
}

// render writes page name with v; templates are executed into a buffer
// first so that a template error becomes a 500 page, not half a page.
func (s *site) render(w http.ResponseWriter, status int, name string, v *view) {
	var buf bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&buf, "layout", v); err != nil {
		s.log.Error("template", "page", name, "err", err)
		if name == "erro" {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		v.Error, v.ErrorMsg = errInternal, v.T("err.internal")
		s.render(w, http.StatusInternalServerError, "erro", v)
		return
	}
	h := w.Header()
	h["Content-Type"], h["Cache-Control"] = htmlValue, noStoreValue
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// showValue renders a session value as Flask's tagged JSON shows it.
func showValue(v any) string {
	b, err := flask.Marshal(map[string]any{"v": v})
	if err != nil {
		return fmt.Sprint(v)
	}
	// {"v":…}
	return string(b[len(`{"v":`) : len(b)-1])
}

// sess returns the request's session; the middleware always sets one.
func sess(r *http.Request) *session.Session { return session.FromContext(r.Context()) }

func plain(w http.ResponseWriter, msg string) {
	h := w.Header()
	h["Content-Type"], h["Cache-Control"] = plainTextValue, noStoreValue
	io.WriteString(w, msg)
}

// seeOther redirects after a POST (Post/Redirect/Get).
func seeOther(w http.ResponseWriter, r *http.Request, path string) {
	http.Redirect(w, r, path, http.StatusSeeOther)
}

func (s *site) home(w http.ResponseWriter, r *http.Request) {
	s.render(w, http.StatusOK, "home", s.newView(r, "site.title"))
}

// setLang stores the visitor's language and goes back to the page they
// were on: a path of this site only (see localPath), never an open
// redirect.
func (s *site) setLang(w http.ResponseWriter, r *http.Request) {
	lang := r.PathValue("lang")
	if !languages[lang] {
		s.errorPage(w, r, errNotFound)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, localPath(r.URL.Query().Get("volta")), http.StatusSeeOther)
}

// restart erases the session, whatever the cookie held (a forged, expired
// or oversized one gives an empty session already), gives it a new
// identity, and goes back to the page the visitor was on.
func (s *site) restart(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	sn := sess(r)
	sn.Clear()
	sn.Renew()
	sn.Flash("success", plainText(pickLang(r, s.cfg.Lang), "restart.done"))
	seeOther(w, r, localPath(r.PostFormValue("volta")))
}

func (s *site) chave(w http.ResponseWriter, r *http.Request) {
	v := s.newView(r, "key.h1")
	k := make([]byte, 32)
	rand.Read(k)
	v.FreshKey = hex.EncodeToString(k)
	switch {
	case s.cfg.Ephemeral:
		v.KeyNow = v.T("key.now.eph")
	case s.cfg.KeyFile != "":
		v.KeyNow = v.T("key.now.file", s.cfg.KeyFile)
	default:
		v.KeyNow = v.T("key.now.given")
	}
	err := session.CheckKey([]byte(lessonKey))
	v.KeyCheck = fmt.Sprint(err)
	if wk, ok := errors.AsType[*session.WeakKeyError](err); ok {
		v.KeyRule = v.T("key.rule", wk.Rule)
	}
	s.render(w, http.StatusOK, "chave", v)
}

// lessonKeyReason says, in lang, why session.CheckKey refuses the lesson's
// key: the rule it names, and its length when that is short too.
func lessonKeyReason(lang string) template.HTML {
	var why template.HTML
	var wk *session.WeakKeyError
	if err := session.CheckKey([]byte(lessonKey)); errors.As(err, &wk) {
		if _, ok := catalog["rule."+wk.Rule]; ok {
			why = text(lang, "rule."+wk.Rule)
		} else {
			why = template.HTML(template.HTMLEscapeString(wk.Reason))
		}
	}
	if len(lessonKey) < session.MinKeyLength {
		why += " " + text(lang, "lesson.short", len(lessonKey), session.MinKeyLength)
	}
	return text(lang, "lesson.key", why)
}

// fmtDuration shows d rounded to seconds as m:ss.
func fmtDuration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	sec := int64(d.Round(time.Second) / time.Second)
	return fmt.Sprintf("%d:%02d", sec/60, sec%60)
}

// humanDuration says d in words: "2 minutos", "3 s", "1 h 30 min".
func humanDuration(d time.Duration, lang string) string {
	d = d.Round(time.Second)
	h, m, sec := int64(d/time.Hour), int64(d%time.Hour/time.Minute), int64(d%time.Minute/time.Second)
	switch {
	case h == 0 && sec == 0 && m == 1:
		return map[bool]string{true: "1 minute", false: "1 minuto"}[lang == "en"]
	case h == 0 && sec == 0 && m > 0:
		return fmt.Sprintf("%d %s", m, map[bool]string{true: "minutes", false: "minutos"}[lang == "en"])
	}
	var parts []string
	if h > 0 {
		parts = append(parts, fmt.Sprintf("%d h", h))
	}
	if m > 0 {
		parts = append(parts, fmt.Sprintf("%d min", m))
	}
	if sec > 0 || len(parts) == 0 {
		parts = append(parts, fmt.Sprintf("%d s", sec))
	}
	return strings.Join(parts, " ")
}
