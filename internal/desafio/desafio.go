// Package desafio grades the lesson's Desafio: a learner's small Flask app
// with login, a protected page, flash messages and logout in a permanent
// session. It checks the running app from outside, as a browser would:
// it fills the login form, keeps the cookies, follows redirects, reads the
// session cookie with package flask, tries published keys against its
// signature and sends a tampered copy. Contract returns what the app must
// do, the text the Desafio page states.
package desafio

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	session "github.com/sessionkit/session"
	"github.com/sessionkit/session/flask"
	"github.com/sessionkit/session/seal"
)

// Defaults of the contract (see Contract).
const (
	DefaultLoginPath     = "/login"
	DefaultProtectedPath = "/perfil"
	DefaultLogoutPath    = "/logout"
	DefaultPassword      = "sessao123"
	DefaultLifetime      = 2 * time.Minute
	DefaultCookieName    = "session"
	DefaultUser          = "Ana Desafio"
)

// Check IDs, in the order of the report.
const (
	CheckApp       = "app"        // the app answers and the login page has a form
	CheckAnonymous = "anonimo"    // the protected page refuses anonymous visitors
	CheckLogin     = "login"      // logging in works and the protected page shows the name
	CheckCookie    = "cookie"     // the session cookie is a Flask cookie holding the name
	CheckKey       = "chave"      // no published key signs the cookie
	CheckLifetime  = "validade"   // the session is permanent with the asked lifetime
	CheckFlash     = "flash"      // flash messages after login and logout
	CheckLogout    = "logout"     // logout clears the session
	CheckTamper    = "adulterado" // a tampered cookie is refused
)

var checkOrder = []string{CheckApp, CheckAnonymous, CheckLogin, CheckCookie, CheckKey, CheckLifetime, CheckFlash, CheckLogout, CheckTamper}

// Status is the outcome of one check.
type Status int

// Outcomes.
const (
	Skipped Status = iota // not checked: an earlier check failed, or not asked for
	Passed
	Failed
)

// Check is one line of the report.
type Check struct {
	ID     string
	Title  string // what is checked, in the report's language
	Status Status
	Detail string // what was seen, and how to fix a failure
}

// Report is the outcome of Grader.Run.
type Report struct {
	URL    string
	Lang   string
	Checks []Check
}

// OK reports whether no check failed.
func (r *Report) OK() bool {
	for _, c := range r.Checks {
		if c.Status == Failed {
			return false
		}
	}
	return true
}

// Check returns the check with the given ID.
func (r *Report) Check(id string) Check {
	for _, c := range r.Checks {
		if c.ID == id {
			return c
		}
	}
	return Check{ID: id}
}

// WriteTo writes the checklist for a person.
func (r *Report) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n", msg(r.Lang, "header", r.URL))
	passed, failed, skipped := 0, 0, 0
	for i, c := range r.Checks {
		label := "ok"
		switch c.Status {
		case Passed:
			passed++
		case Failed:
			failed++
			label = "fail"
		case Skipped:
			skipped++
			label = "skip"
		}
		fmt.Fprintf(&b, "%-7s %d. %s\n", msg(r.Lang, label), i+1, c.Title)
		for _, line := range wrap(c.Detail, 68) {
			fmt.Fprintf(&b, "           %s\n", line)
		}
	}
	fmt.Fprintf(&b, "\n%s", count(r.Lang, "summary", passed, len(r.Checks)))
	if failed > 0 {
		fmt.Fprintf(&b, "; %s", count(r.Lang, "failed", failed))
	}
	if skipped > 0 {
		fmt.Fprintf(&b, "; %s", count(r.Lang, "skipped", skipped))
	}
	b.WriteString(".\n")
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

// wrap splits s into lines of at most width characters, at spaces.
func wrap(s string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		if line != "" && len([]rune(line))+1+len([]rune(w)) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

// Grader checks one app against the contract. Its zero value grades the
// default contract in pt-BR.
type Grader struct {
	// LoginPath is the page with the login form. Default "/login".
	LoginPath string
	// ProtectedPath is the page only logged-in users see. Default
	// "/perfil".
	ProtectedPath string
	// LogoutPath logs out: the grader submits a form on the protected page
	// whose action is this path, or else opens it with GET. Default
	// "/logout".
	LogoutPath string
	// UserField is the login form's field for the name. Default: the
	// first of usuario, nome, username, user, name, login, email the form
	// has, else its first text field.
	UserField string
	// User is the name the grader logs in as. Default "Ana Desafio".
	User string
	// Password is typed into the form's password fields, if it has any.
	// Default "sessao123".
	Password string
	// Lifetime is PERMANENT_SESSION_LIFETIME as the task asks it. Default
	// 2 minutes; negative: the session need not be permanent.
	Lifetime time.Duration
	// CookieName is Flask's SESSION_COOKIE_NAME. Default "session".
	CookieName string
	// LoginMessage and LogoutMessage, when set, are texts the page after
	// logging in (out) must show, for apps whose message is not a flash
	// kept in the session cookie. Default "": a flash in the cookie, shown
	// on the next page.
	LoginMessage, LogoutMessage string
	// Wait makes the lifetime check wait Lifetime plus 5 seconds without
	// using the session, then see the server refuse the cookie. Default
	// false: the check reads Expires and says the refusal was not checked.
	Wait bool
	// Wordlist holds more keys to try against the cookie's signature.
	Wordlist []WordlistKey
	// Lang is the report's language, "pt-BR" or "en". Default "pt-BR".
	Lang string
	// Client sends the requests; it must not follow redirects (the
	// grader follows them itself, to see every cookie). Default: a client
	// with a 10-second timeout that does not follow redirects.
	Client *http.Client
	// Now is the clock, used when a response has no Date header. Default
	// time.Now.
	Now func() time.Time
	// Sleep waits for d or until ctx is done, for Wait. Default a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Progress receives a line when the grader starts a long wait.
	// Default nil.
	Progress io.Writer
}

// ErrURL is returned by Run for a URL it cannot grade.
var ErrURL = errors.New("desafio: the app's URL must be http:// or https:// with a host, as http://127.0.0.1:5000")

// tamperedName replaces the user's name in the forged cookie.
const tamperedName = "Intrusa Adulterada"

// Run grades the app at baseURL. It returns an error only for a URL it
// cannot use (ErrURL) or when ctx ends; everything the app does wrong is in
// the report.
func (g *Grader) Run(ctx context.Context, baseURL string) (*Report, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, ErrURL
	}
	r := g.newRun(u)
	r.grade(ctx)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return r.report, nil
}

// run is one grading: the settings with their defaults, the browser, and
// what the steps saw.
type run struct {
	g      Grader
	lang   string
	b      *browser
	report *Report
	done   map[string]bool // checks decided

	loginForm  *form
	userField  string
	cookie     string // the session cookie after logging in
	cookiePage *page  // the response that set it
	loginSet   *pageCookie
	session    map[string]any
	userKey    string // the session key holding the name
	flashLogin string // the flash message logging in left, or ""
	flashSeen  bool
}

func (g *Grader) newRun(u *url.URL) *run {
	c := *g
	def := func(s *string, d string) {
		if *s == "" {
			*s = d
		}
	}
	def(&c.LoginPath, DefaultLoginPath)
	def(&c.ProtectedPath, DefaultProtectedPath)
	def(&c.LogoutPath, DefaultLogoutPath)
	def(&c.User, DefaultUser)
	def(&c.Password, DefaultPassword)
	def(&c.CookieName, DefaultCookieName)
	def(&c.Lang, "pt-BR")
	if c.Lifetime == 0 {
		c.Lifetime = DefaultLifetime
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Sleep == nil {
		c.Sleep = sleep
	}
	if c.Client == nil {
		c.Client = &http.Client{
			Timeout:       10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	r := &run{g: c, lang: c.Lang, done: map[string]bool{}}
	r.b = &browser{client: c.Client, base: u, lang: c.Lang, jar: map[string]string{}, now: c.Now}
	r.report = &Report{URL: u.String(), Lang: c.Lang}
	for _, id := range checkOrder {
		r.report.Checks = append(r.report.Checks, Check{ID: id, Title: r.title(id)})
	}
	return r
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (r *run) title(id string) string {
	switch id {
	case CheckApp:
		return msg(r.lang, "title.app", r.g.LoginPath)
	case CheckAnonymous:
		return msg(r.lang, "title.anonimo", r.g.ProtectedPath)
	case CheckLogin:
		return msg(r.lang, "title.login", r.g.ProtectedPath)
	case CheckCookie:
		return msg(r.lang, "title.cookie", r.g.CookieName)
	case CheckLifetime:
		if r.g.Lifetime < 0 {
			return msg(r.lang, "title.validade0")
		}
		return msg(r.lang, "title.validade", humanDuration(r.g.Lifetime, r.lang))
	}
	return msg(r.lang, "title."+id)
}

// set decides check id, once.
func (r *run) set(id string, s Status, detail string) {
	if r.done[id] {
		return
	}
	r.done[id] = true
	for i := range r.report.Checks {
		if r.report.Checks[i].ID == id {
			r.report.Checks[i].Status, r.report.Checks[i].Detail = s, detail
		}
	}
}

func (r *run) pass(id, key string, args ...any) { r.set(id, Passed, msg(r.lang, key, args...)) }
func (r *run) fail(id, key string, args ...any) { r.set(id, Failed, msg(r.lang, key, args...)) }

// skipRest marks every undecided check as not checked because check
// failed.
func (r *run) skipRest(failed string) {
	n := 0
	for i, id := range checkOrder {
		if id == failed {
			n = i + 1
		}
	}
	for _, id := range checkOrder {
		r.set(id, Skipped, msg(r.lang, "needs", n))
	}
}

func (r *run) grade(ctx context.Context) {
	if !r.app(ctx) {
		r.skipRest(CheckApp)
		return
	}
	r.anonymous(ctx)
	if !r.login(ctx) {
		r.skipRest(CheckLogin)
		return
	}
	r.checkCookie()
	r.key()
	r.lifetimeSeen()
	r.tamper(ctx)
	saved := r.b.jar[r.g.CookieName]
	r.logout(ctx)
	r.lifetimeIdle(ctx, saved)
}

// app opens the login page and finds its form.
func (r *run) app(ctx context.Context) bool {
	p, err := r.b.get(ctx, r.g.LoginPath)
	if err != nil {
		r.fail(CheckApp, "app.unreachable", r.g.LoginPath, shortError(err))
		return false
	}
	if p.status != http.StatusOK {
		r.fail(CheckApp, "app.status", r.g.LoginPath, p.status)
		return false
	}
	for _, f := range forms(p) {
		if f.method != http.MethodPost {
			continue
		}
		if field := f.userField(r.g.UserField); field != "" {
			r.loginForm, r.userField = f, field
			r.pass(CheckApp, "app.ok", f.action.Path, field)
			return true
		}
	}
	field := ""
	if r.g.UserField != "" {
		field = msg(r.lang, "app.field", r.g.UserField)
	}
	r.fail(CheckApp, "app.noform", r.g.LoginPath, field)
	return false
}

// refused reports whether a response to the protected page turns the
// visitor away: a redirect elsewhere, 401 or 403.
func (r *run) refused(p *page) bool {
	switch {
	case p.status == http.StatusUnauthorized || p.status == http.StatusForbidden:
		return true
	case p.status >= 300 && p.status < 400 && p.location != "":
		to, err := p.url.Parse(p.location)
		return err == nil && to.Path != p.url.Path
	}
	return false
}

// anonymous opens the protected page with no cookie.
func (r *run) anonymous(ctx context.Context) {
	anon := &browser{client: r.b.client, base: r.b.base, lang: r.lang, jar: map[string]string{}, now: r.b.now}
	p, err := anon.get(ctx, r.g.ProtectedPath)
	switch {
	case err != nil:
		r.fail(CheckAnonymous, "anon.error", r.g.ProtectedPath, shortError(err))
	case r.refused(p) && p.location != "":
		to, _ := p.url.Parse(p.location)
		r.pass(CheckAnonymous, "anon.redirect", p.status, to.Path)
	case r.refused(p):
		r.pass(CheckAnonymous, "anon.status", p.status)
	case p.status == http.StatusOK:
		r.fail(CheckAnonymous, "anon.open", r.g.ProtectedPath, p.status)
	case p.status == http.StatusNotFound || p.status == http.StatusMethodNotAllowed:
		r.fail(CheckAnonymous, "anon.missing", r.g.ProtectedPath, p.status)
	default:
		r.fail(CheckAnonymous, "anon.other", r.g.ProtectedPath, p.status)
	}
}

// login submits the form, follows the redirects, then opens the protected
// page.
func (r *run) login(ctx context.Context) bool {
	v, err := r.b.submit(ctx, r.loginForm, r.loginForm.fill(r.userField, r.g.User, r.g.Password))
	if err != nil {
		r.fail(CheckLogin, "login.error", shortError(err))
		return false
	}
	if st := v.first().status; st >= 400 {
		r.fail(CheckLogin, "login.status", st, r.loginForm.action.Path)
		return false
	}
	sets := v.setCookies(r.g.CookieName)
	if len(sets) == 0 || r.b.jar[r.g.CookieName] == "" {
		r.fail(CheckLogin, "login.nocookie", r.g.CookieName)
		return false
	}
	// The flash logging in left, and whether the page after showed it.
	r.loginSet = sets[0]
	if fl := flashes(sets[0].Value); len(fl) > 0 {
		r.flashLogin = fl[0]
		r.flashSeen = strings.Contains(v.last().body, fl[0])
	} else if r.g.LoginMessage != "" {
		r.flashLogin = r.g.LoginMessage
		r.flashSeen = strings.Contains(v.last().body, r.g.LoginMessage)
	}
	r.flashAfterLogin(v)

	p, err := r.b.get(ctx, r.g.ProtectedPath)
	if err != nil {
		r.fail(CheckLogin, "anon.error", r.g.ProtectedPath, shortError(err))
		return false
	}
	if p.status != http.StatusOK || !strings.Contains(p.body, r.g.User) {
		r.fail(CheckLogin, "login.noname", r.g.ProtectedPath, p.status, r.g.User)
		return false
	}
	r.cookie = r.b.jar[r.g.CookieName]
	r.cookiePage = p
	for _, c := range append(sets, (&visit{pages: []*page{p}}).setCookies(r.g.CookieName)...) {
		if !c.deletes() {
			r.loginSet = c
		}
	}
	r.pass(CheckLogin, "login.ok", r.g.User, r.g.ProtectedPath)
	return true
}

// flashAfterLogin records a failed login flash now; a passing one waits
// for logout's.
func (r *run) flashAfterLogin(v *visit) {
	what := msg(r.lang, "flash.login")
	switch {
	case r.flashLogin == "":
		r.fail(CheckFlash, "flash.none", what)
	case !r.flashSeen && r.g.LoginMessage != "":
		r.fail(CheckFlash, "flash.notfound", what, v.last().url.Path, r.flashLogin)
	case !r.flashSeen:
		r.fail(CheckFlash, "flash.hidden", what, r.flashLogin, v.last().url.Path)
	}
}

// checkCookie reads the session cookie with package flask.
func (r *run) checkCookie() {
	if sealed(r.cookie) {
		r.fail(CheckCookie, "cookie.sealed", r.g.CookieName)
		return
	}
	data, err := decodeCookie(r.cookie)
	if err != nil {
		r.fail(CheckCookie, "cookie.bad", r.g.CookieName, err)
		return
	}
	r.session = data
	var keys []string
	for k, v := range data {
		keys = append(keys, k)
		if s, ok := v.(string); ok && s == r.g.User && r.userKey == "" {
			r.userKey = k
		}
	}
	sort.Strings(keys)
	if r.userKey == "" {
		r.fail(CheckCookie, "cookie.noname", r.g.User, strings.Join(keys, ", "))
		return
	}
	r.pass(CheckCookie, "cookie.ok", r.userKey, r.g.User)
}

// sealed reports whether cookie is an SK1 token (package seal): encrypted,
// so that the grader can read neither the session nor its flashes.
func sealed(cookie string) bool {
	if strings.IndexByte(cookie, '.') >= 0 {
		return false
	}
	_, err := seal.Parse(cookie)
	return err == nil
}

// decodeCookie returns what a Flask cookie holds, without its key.
func decodeCookie(cookie string) (map[string]any, error) {
	parts, err := flask.Parse(cookie)
	if err != nil {
		return nil, err
	}
	js, err := flask.PayloadJSON(parts.Payload, flask.DefaultMaxDecompressed)
	if err != nil {
		return nil, err
	}
	return flask.Unmarshal(js)
}

// flashes returns the messages of a cookie's _flashes, or nil.
func flashes(cookie string) []string {
	data, err := decodeCookie(cookie)
	if err != nil {
		return nil
	}
	list, _ := data["_flashes"].([]any)
	var out []string
	for _, f := range list {
		switch f := f.(type) {
		case flask.Tuple:
			if len(f) == 2 {
				if m, ok := f[1].(string); ok {
					out = append(out, m)
				}
			}
		case []any:
			if len(f) == 2 {
				if m, ok := f[1].(string); ok {
					out = append(out, m)
				}
			}
		}
	}
	return out
}

// key tries the published keys against the cookie's signature.
func (r *run) key() {
	if sealed(r.cookie) {
		r.set(CheckKey, Skipped, msg(r.lang, "needs", 4))
		return
	}
	m, tried, err := findKey(r.cookie, r.g.Wordlist)
	switch {
	case err != nil:
		r.fail(CheckKey, "cookie.bad", r.g.CookieName, err)
	case m == nil:
		r.pass(CheckKey, "key.ok", tried)
	case m.lesson:
		r.fail(CheckKey, "key.lesson")
	case m.line > 0:
		r.fail(CheckKey, "key.wordlist", m.line, session.KeyFingerprint(m.key))
	default:
		r.fail(CheckKey, "key.known", session.KeyFingerprint(m.key))
	}
}

// lifetimeSeen checks that the session is permanent and that the cookie's
// Expires (or Max-Age) is the lifetime asked.
func (r *run) lifetimeSeen() {
	if r.g.Lifetime < 0 {
		r.set(CheckLifetime, Skipped, msg(r.lang, "life.off"))
		return
	}
	if r.session == nil {
		return // checkCookie failed; lifetimeIdle says so
	}
	if p, _ := r.session["_permanent"].(bool); !p {
		r.fail(CheckLifetime, "life.notperm")
		return
	}
	c := r.loginSet
	var seen time.Duration
	switch {
	case c.MaxAge > 0:
		seen = time.Duration(c.MaxAge) * time.Second
	case !c.Expires.IsZero():
		seen = c.Expires.Sub(c.page.date)
	default:
		r.fail(CheckLifetime, "life.noexpires")
		return
	}
	if d := seen - r.g.Lifetime; d < -lifetimeSlack(r.g.Lifetime) || d > lifetimeSlack(r.g.Lifetime) {
		r.fail(CheckLifetime, "life.wrong", humanDuration(seen, r.lang), humanDuration(r.g.Lifetime, r.lang), pythonDuration(r.g.Lifetime))
	}
}

// lifetimeSlack is how far Expires may be from the lifetime: clocks tick
// in whole seconds and the two stamps come from two calls.
func lifetimeSlack(d time.Duration) time.Duration {
	return max(5*time.Second, d/20)
}

// idleMargin is how much longer than the lifetime the grader waits.
const idleMargin = 5 * time.Second

// lifetimeIdle waits the lifetime without using the session, when asked,
// and checks that the server refuses the cookie saved before logout.
func (r *run) lifetimeIdle(ctx context.Context, saved string) {
	if r.done[CheckLifetime] {
		return
	}
	if r.session == nil {
		r.set(CheckLifetime, Skipped, msg(r.lang, "needs", 4))
		return
	}
	life := humanDuration(r.g.Lifetime, r.lang)
	wait := r.g.Lifetime + idleMargin
	if !r.g.Wait {
		r.pass(CheckLifetime, "life.nowait", life, life, humanDuration(wait, r.lang))
		return
	}
	if r.g.Progress != nil {
		fmt.Fprintln(r.g.Progress, msg(r.lang, "life.waiting", humanDuration(wait, r.lang)))
	}
	if err := r.g.Sleep(ctx, wait); err != nil {
		return
	}
	old := &browser{client: r.b.client, base: r.b.base, lang: r.lang, jar: map[string]string{r.g.CookieName: saved}, now: r.b.now}
	p, err := old.get(ctx, r.g.ProtectedPath)
	switch {
	case err != nil:
		r.fail(CheckLifetime, "life.error", r.g.ProtectedPath, shortError(err))
	case r.refused(p) || !strings.Contains(p.body, r.g.User):
		r.pass(CheckLifetime, "life.waited", life, humanDuration(wait, r.lang))
	default:
		r.fail(CheckLifetime, "life.idle", humanDuration(wait, r.lang), r.g.ProtectedPath, life)
	}
}

// tamper sends the session with the name changed and the old signature.
func (r *run) tamper(ctx context.Context) {
	forged, err := forge(r.cookie, r.userKey, tamperedName)
	if err != nil {
		r.set(CheckTamper, Skipped, msg(r.lang, "tamper.cant", err))
		return
	}
	evil := &browser{client: r.b.client, base: r.b.base, lang: r.lang, jar: map[string]string{r.g.CookieName: forged}, now: r.b.now}
	p, err := evil.get(ctx, r.g.ProtectedPath)
	switch {
	case err != nil:
		r.fail(CheckTamper, "tamper.error", r.g.ProtectedPath, shortError(err))
	case strings.Contains(p.body, tamperedName):
		r.fail(CheckTamper, "tamper.fail", tamperedName, r.g.ProtectedPath, tamperedName)
	default:
		r.pass(CheckTamper, "tamper.ok", tamperedName, p.status)
	}
}

// forge returns cookie with session[key] = name, written uncompressed,
// with the original timestamp and signature.
func forge(cookie, key, name string) (string, error) {
	data, err := decodeCookie(cookie)
	if err != nil {
		return "", err
	}
	if key == "" {
		return "", errors.New("no name in the session")
	}
	data[key] = name
	js, err := flask.Marshal(data)
	if err != nil {
		return "", err
	}
	// decodeCookie parsed it: payload "." timestamp "." signature.
	i := strings.LastIndexByte(cookie, '.')
	j := strings.LastIndexByte(cookie[:i], '.')
	return base64.RawURLEncoding.EncodeToString(js) + cookie[j:], nil
}

// logout logs out and checks that the session lost the name and the
// protected page refuses again; it also finishes the flash check.
func (r *run) logout(ctx context.Context) {
	var (
		v   *visit
		err error
	)
	how := "GET"
	if f := r.logoutForm(); f != nil {
		how = f.method
		v, err = r.b.submit(ctx, f, f.fill("", "", ""))
	} else {
		v, err = r.b.open(ctx, r.g.LogoutPath)
	}
	if err != nil {
		r.fail(CheckLogout, "logout.error", r.g.LogoutPath, shortError(err))
		r.skipFlash()
		return
	}
	if st := v.first().status; st >= 400 {
		r.fail(CheckLogout, "logout.status", r.g.LogoutPath, st)
		r.skipFlash()
		return
	}
	r.flashAfterLogout(v)
	if c := r.b.jar[r.g.CookieName]; c != "" {
		if data, err := decodeCookie(c); err == nil {
			for _, val := range data {
				if s, ok := val.(string); ok && s == r.g.User {
					r.fail(CheckLogout, "logout.kept", r.g.User)
					return
				}
			}
		}
	}
	p, err := r.b.get(ctx, r.g.ProtectedPath)
	switch {
	case err != nil:
		r.fail(CheckLogout, "anon.error", r.g.ProtectedPath, shortError(err))
	case !r.refused(p) && strings.Contains(p.body, r.g.User):
		r.fail(CheckLogout, "logout.protected", r.g.ProtectedPath, p.status)
	default:
		r.pass(CheckLogout, "logout.ok", how, r.g.LogoutPath, r.g.ProtectedPath)
	}
}

// logoutForm returns a form on the protected page that posts to the
// logout path, or nil.
func (r *run) logoutForm() *form {
	want, err := r.b.resolve(nil, r.g.LogoutPath)
	if err != nil {
		return nil
	}
	for _, f := range forms(r.cookiePage) {
		if f.action.Path == want.Path {
			return f
		}
	}
	return nil
}

func (r *run) skipFlash() {
	if !r.done[CheckFlash] {
		r.set(CheckFlash, Skipped, msg(r.lang, "needs", 8))
	}
}

func (r *run) flashAfterLogout(v *visit) {
	if r.done[CheckFlash] {
		return
	}
	what := msg(r.lang, "flash.logout")
	var message string
	for _, c := range v.setCookies(r.g.CookieName) {
		if fl := flashes(c.Value); len(fl) > 0 {
			message = fl[0]
			break
		}
	}
	switch {
	case message != "" && strings.Contains(v.last().body, message):
		r.pass(CheckFlash, "flash.ok", r.flashLogin, message)
	case message != "":
		r.fail(CheckFlash, "flash.hidden", what, message, v.last().url.Path)
	case r.g.LogoutMessage != "" && strings.Contains(v.last().body, r.g.LogoutMessage):
		r.pass(CheckFlash, "flash.ok", r.flashLogin, r.g.LogoutMessage)
	case r.g.LogoutMessage != "":
		r.fail(CheckFlash, "flash.notfound", what, v.last().url.Path, r.g.LogoutMessage)
	default:
		r.fail(CheckFlash, "flash.none", what)
	}
}

// shortError drops the request's URL from a client error, which the
// checklist already names.
func shortError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}

// humanDuration says d in words: "2 minutos", "2 minutes", "31 dias",
// else Go's form ("1m30s").
func humanDuration(d time.Duration, lang string) string {
	d = d.Round(time.Second)
	units := [2][4]string{{"minuto", "minutos", "dia", "dias"}, {"minute", "minutes", "day", "days"}}[langIndex(lang)]
	count := func(n int64, one, many string) string {
		if n == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %s", n, many)
	}
	switch {
	case d <= 0:
		return d.String()
	case d%(24*time.Hour) == 0:
		return count(int64(d/(24*time.Hour)), units[2], units[3])
	case d%time.Minute == 0 && d < 24*time.Hour:
		return count(int64(d/time.Minute), units[0], units[1])
	}
	return d.String()
}

// pythonDuration writes d as Python's timedelta, as a Flask app sets
// PERMANENT_SESSION_LIFETIME.
func pythonDuration(d time.Duration) string {
	switch {
	case d%time.Minute == 0:
		return fmt.Sprintf("timedelta(minutes=%d)", d/time.Minute)
	default:
		return fmt.Sprintf("timedelta(seconds=%d)", d/time.Second)
	}
}
