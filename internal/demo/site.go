package demo

import (
	"bytes"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	session "github.com/sessionkit/session"
	"github.com/sessionkit/session/flask"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// demoPassword is the Desafio's fixed password, shown on its page.
const demoPassword = "sessao123"

// site is the demo's state: configuration, the session Manager and the
// templates, parsed once.
type site struct {
	cfg   Config
	m     *session.Manager
	pages map[string]*template.Template
	log   *slog.Logger
}

func newSite(cfg Config) (*site, error) {
	m, err := session.New(cfg.Key)
	if errors.Is(err, session.ErrWeakKey) {
		return nil, fmt.Errorf("demo: %w; make a strong key with `sessionkit secret`", err)
	}
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
	s := &site{cfg: cfg, m: m, log: cfg.Logger, pages: map[string]*template.Template{}}
	m.ErrorHandler = s.sessionError
	base, err := template.ParseFS(templateFS, "templates/layout.html", "templates/inspector.html")
	if err != nil {
		return nil, fmt.Errorf("demo: templates: %w", err)
	}
	for _, name := range []string{"home", "exemplo01", "exemplo02", "inspetor", "chave", "desafio", "painel", "erro"} {
		t, err := template.Must(base.Clone()).ParseFS(templateFS, "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("demo: template %s: %w", name, err)
		}
		s.pages[name] = t
	}
	s.pages["panel"] = base
	return s, nil
}

// routes lists every route of the site. A few sit outside the session
// middleware: the inspector's panel shows the cookie as the browser holds
// it, without refreshing it; the tamper experiment and its reset set the
// session cookie themselves, and a refreshed permanent session must not
// overwrite what they set; the language switch needs no session.
func (s *site) routes() http.Handler {
	static, _ := fs.Sub(staticFS, "static")
	outer := http.NewServeMux()
	outer.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	outer.HandleFunc("GET /inspetor/painel", s.panel)
	outer.HandleFunc("GET /idioma/{lang}", s.setLang)
	outer.HandleFunc("POST /inspetor/adulterar", s.tamper)
	outer.HandleFunc("POST /inspetor/apagar", s.forget)

	app := http.NewServeMux()
	app.HandleFunc("GET /{$}", s.home)
	// Exemplo 01, word for word as in the lesson.
	app.HandleFunc("GET /login", s.login)
	app.HandleFunc("GET /perfil", s.perfil)
	app.HandleFunc("GET /logout", s.logout)
	app.HandleFunc("GET /exemplo01", s.exemplo01)
	// Exemplo 02.
	app.HandleFunc("GET /exemplo02", s.exemplo02)
	app.HandleFunc("POST /exemplo02", s.exemplo02Add)
	app.HandleFunc("POST /exemplo02/limpar", s.exemplo02Clear)
	// Inspector, tamper experiment, secret key.
	app.HandleFunc("GET /inspetor", s.inspetor)
	app.HandleFunc("GET /chave", s.chave)
	// Desafio.
	app.HandleFunc("GET /desafio", s.desafio)
	app.HandleFunc("POST /desafio/entrar", s.desafioLogin)
	app.HandleFunc("GET /desafio/painel", s.desafioPainel)
	app.HandleFunc("POST /desafio/sair", s.desafioLogout)
	outer.Handle("/", s.m.Handler(app))
	return securityHeaders(outer)
}

// securityHeaders forbids every origin but this site: the demo works
// offline and a learner's browser never fetches anything elsewhere.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// sessionError answers when the Manager cannot load or save a session.
// A session too big for a cookie gets the explanation Exemplo 02 gives
// (the pages measure before saving, so this is the safety net); the
// visitor's browser keeps its previous cookie.
func (s *site) sessionError(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	msg := "err.msg"
	switch {
	case errors.Is(err, session.ErrCookieTooLarge):
		status, msg = http.StatusUnprocessableEntity, "err.toobig"
	case errors.Is(err, session.ErrStoreUnavailable):
		status, msg = http.StatusServiceUnavailable, "err.store"
	}
	s.log.Error("session", "method", r.Method, "path", r.URL.Path, "err", err)
	lang := pickLang(r, s.cfg.Lang)
	v := &view{Lang: lang, Path: r.URL.Path, Title: text(lang, "err.h1"), Cookie: s.inspect(r),
		LifetimeText: humanDuration(s.cfg.Lifetime, lang), StoreName: s.cfg.StoreName, Ephemeral: s.cfg.Ephemeral,
		ErrorMsg: text(lang, msg)}
	s.render(w, status, "erro", v)
}

// view is what every page template receives.
type view struct {
	Lang         string
	Path         string
	Title        template.HTML
	Nav          []navItem
	Flashes      []session.Flash
	Cookie       cookieView
	Session      []kv
	LifetimeText string
	StoreName    string
	Ephemeral    bool
	Origin       string

	// Page-specific fields.
	Nomes      []string
	Sizes      []sizeRow
	Chart      chart
	TooBig     *tooBig
	StoreNote  template.HTML
	Tamper     *tamperResult
	TamperJSON string
	FreshKey   string
	KeyKind    template.HTML
	Password   string
	User       string
	LoginAt    string
	ErrorMsg   template.HTML
}

// T returns the catalog sentence key in the page's language.
func (v *view) T(key string, args ...any) template.HTML { return text(v.Lang, key, args...) }

type navItem struct {
	Href, Label string
	Current     bool
}

type kv struct{ Key, Value string }

func (s *site) newView(r *http.Request, titleKey string) *view {
	lang := pickLang(r, s.cfg.Lang)
	v := &view{
		Lang:         lang,
		Path:         r.URL.Path,
		Title:        text(lang, titleKey),
		LifetimeText: humanDuration(s.cfg.Lifetime, lang),
		StoreName:    s.cfg.StoreName,
		Ephemeral:    s.cfg.Ephemeral,
		Origin:       "http://" + r.Host,
	}
	for _, n := range []struct{ href, key string }{
		{"/", "nav.home"}, {"/exemplo01", "nav.ex01"}, {"/exemplo02", "nav.ex02"},
		{"/inspetor", "nav.insp"}, {"/chave", "nav.key"}, {"/desafio", "nav.desafio"},
	} {
		cur := r.URL.Path == n.href || (n.href != "/" && strings.HasPrefix(r.URL.Path, n.href+"/"))
		v.Nav = append(v.Nav, navItem{Href: n.href, Label: string(text(lang, n.key)), Current: cur})
	}
	v.Cookie = s.inspect(r)
	if sess := session.FromContext(r.Context()); sess != nil {
		v.Flashes = sess.Flashes()
		for k, val := range sess.All() {
			v.Session = append(v.Session, kv{k, showValue(val)})
		}
	}
	return v
}

// render writes page name with v; templates are executed into a buffer
// first so that a template error becomes a 500, not half a page.
func (s *site) render(w http.ResponseWriter, status int, name string, v *view) {
	var buf bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&buf, "layout", v); err != nil {
		s.log.Error("template", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// showValue renders a session value as Flask's tagged JSON would show it.
func showValue(v any) string {
	b, err := flask.Marshal(map[string]any{"v": v})
	if err != nil {
		return fmt.Sprint(v)
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		return string(b)
	}
	return string(m["v"])
}

// sess returns the request's session; the middleware always sets one.
func sess(r *http.Request) *session.Session { return session.FromContext(r.Context()) }

func plain(w http.ResponseWriter, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprint(w, msg)
}

// seeOther redirects after a POST (Post/Redirect/Get).
func seeOther(w http.ResponseWriter, r *http.Request, path string) {
	http.Redirect(w, r, path, http.StatusSeeOther)
}

func (s *site) home(w http.ResponseWriter, r *http.Request) {
	s.render(w, http.StatusOK, "home", s.newView(r, "site.title"))
}

// setLang stores the visitor's language and goes back to the page they
// were on (a local path only: never an open redirect).
func (s *site) setLang(w http.ResponseWriter, r *http.Request) {
	lang := r.PathValue("lang")
	if !languages[lang] {
		http.NotFound(w, r)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	back := r.URL.Query().Get("volta")
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") || strings.ContainsAny(back, "\\\r\n") {
		back = "/"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

func (s *site) chave(w http.ResponseWriter, r *http.Request) {
	v := s.newView(r, "key.h1")
	k := make([]byte, 32)
	rand.Read(k)
	v.FreshKey = hex.EncodeToString(k)
	v.KeyKind = v.T("key.given")
	if s.cfg.Ephemeral {
		v.KeyKind = v.T("key.eph")
	}
	s.render(w, http.StatusOK, "chave", v)
}

// fmtDuration shows d rounded to seconds as m:ss.
func fmtDuration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	sec := int64(d.Round(time.Second) / time.Second)
	return fmt.Sprintf("%d:%02d", sec/60, sec%60)
}

func timeText(unix int64) string {
	return time.Unix(unix, 0).Local().Format("15:04:05")
}

// humanDuration says d in words: "2 minutos", "3 s", "1 h 30 min".
func humanDuration(d time.Duration, lang string) string {
	d = d.Round(time.Second)
	h, m, sec := int64(d/time.Hour), int64(d%time.Hour/time.Minute), int64(d%time.Minute/time.Second)
	switch {
	case h == 0 && sec == 0 && m == 1:
		return map[bool]string{true: "1 minute", false: "1 minuto"}[lang == "en"]
	case h == 0 && sec == 0:
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
