package demo

import (
	"errors"
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"strings"
	"unicode/utf8"

	session "github.com/sessionkit/session"
	"github.com/sessionkit/session/flask"
	"github.com/sessionkit/session/seal"
)

// Exemplo 01: the lesson's three routes, with its plain-text answers.

// login stores usuario, as the lesson's /login does, under a new session
// identity: whatever identity the visitor had before logging in (one an
// attacker may have planted) is worth nothing after it.
func (s *site) login(w http.ResponseWriter, r *http.Request) {
	sn := sess(r)
	sn.Renew()
	sn.Set("usuario", "Maria")
	plain(w, "Usuário logado!")
}

// perfil reads usuario as the lesson's `usuario = session.get('usuario')`
// and `if usuario:` do: absent, or empty, is nobody.
func (s *site) perfil(w http.ResponseWriter, r *http.Request) {
	if usuario, _ := session.Get[string](sess(r), "usuario"); usuario != "" {
		plain(w, "Bem-vindo, "+usuario+"!")
		return
	}
	plain(w, "Nenhum usuário logado.")
}

// logout pops usuario, as the lesson's `session.pop('usuario', None)`, and
// gives what remains of the session a new identity.
func (s *site) logout(w http.ResponseWriter, r *http.Request) {
	sn := sess(r)
	if _, ok := sn.Pop("usuario"); ok {
		sn.Renew()
	}
	plain(w, "Usuário deslogado.")
}

func (s *site) exemplo01(w http.ResponseWriter, r *http.Request) {
	s.render(w, http.StatusOK, "exemplo01", s.newView(r, "ex01.h1"))
}

// Exemplo 02: a permanent session accumulating names.

const (
	// maxNameRunes bounds one name; the cookie limit bounds the list.
	maxNameRunes = 1000
	// maxNames bounds the list where no cookie limit does (server-side
	// sessions).
	maxNames = 500
)

type sizeRow struct {
	N          int
	Name       string
	JSON       string // the name as Flask's JSON writes it, cut for display
	JSONBytes  int    // bytes of the name in the JSON, quotes included
	Size       int    // bytes of the cookie with the list up to this name
	Delta      int    // what this name added to the cookie
	Compressed bool
}

type tooBig struct {
	Name string
	Size int // 0: more than the codec would encode (over 4096 bytes of value)
}

// shorten cuts s to n runes, with an ellipsis.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// jsonText returns s as Flask's JSON writes it: ASCII only, \uXXXX escapes
// (ensure_ascii), quotes included.
func jsonText(s string) string {
	b, err := flask.Marshal(map[string]any{"v": s})
	if err != nil {
		return ""
	}
	return string(b[len(`{"v":`) : len(b)-1])
}

// sessionData returns the values the Manager will encode for the request's
// session, with key set to val. Besides the values a handler sees, the
// cookie carries the Manager's own keys (_sk_*: creation time, owner, a
// nonce after Renew); they are taken from the cookie the request carried
// when it is genuine, so that the sizes shown are those of the real cookie.
func (s *site) sessionData(r *http.Request, sn *session.Session, key string, val any) map[string]any {
	data := map[string]any{}
	if c, err := r.Cookie(s.cookieName()); err == nil && s.cfg.Store == nil {
		if old, err := s.decodeCookie(c.Value); err == nil {
			for k, v := range old {
				if strings.HasPrefix(k, "_sk_") {
					data[k] = v
				}
			}
		}
	}
	for k, v := range sn.All() {
		data[k] = v
	}
	if sn.Permanent() {
		if _, ok := data["_permanent"]; !ok {
			data["_permanent"] = true
		}
	}
	data[key] = val
	return data
}

// decodeCookie returns the values of a session cookie the Manager would
// accept now: signed or sealed, as the demo writes them.
func (s *site) decodeCookie(value string) (map[string]any, error) {
	if !s.cfg.Sealed {
		return s.m.Codec().Decode(value, s.cfg.Now())
	}
	pt, _, err := s.sealer.Open(s.cookieName(), value, s.cfg.Now())
	if err != nil {
		return nil, err
	}
	return flask.Unmarshal(pt)
}

// cookieSize encodes data as the Manager would at the request's clock and
// returns the Set-Cookie name plus value length, as the browser counts
// it, and whether the value is compressed. A too-large session is reported
// by size with errTooLarge. A sealed cookie's size is known from its
// tagged JSON's, without sealing (seal.SealedLen).
func (s *site) cookieSize(data map[string]any) (int, bool, error) {
	if s.cfg.Sealed {
		js, err := flask.Marshal(data)
		if err != nil {
			return 0, false, err
		}
		n := len(s.cookieName()) + seal.SealedLen(len(js))
		if n > s.maxCookie() {
			return n, false, errTooLarge
		}
		return n, false, nil
	}
	value, err := s.m.Codec().Encode(data, s.cfg.Now())
	if errors.Is(err, flask.ErrTooLarge) {
		return 0, false, errTooLarge
	}
	if err != nil {
		return 0, false, err
	}
	n := len(s.cookieName()) + len(value)
	if n > s.maxCookie() {
		return n, strings.HasPrefix(value, "."), errTooLarge
	}
	return n, strings.HasPrefix(value, "."), nil
}

var errTooLarge = errors.New("demo: cookie too large")

func (s *site) maxCookie() int {
	if s.m.MaxCookieSize > 0 {
		return s.m.MaxCookieSize
	}
	return flask.MaxCookieSize
}

func (s *site) exemplo02(w http.ResponseWriter, r *http.Request) {
	s.renderExemplo02(w, r, http.StatusOK, s.newView(r, "ex02.h1"))
}

// renderExemplo02 fills v with the list, its sizes and the chart, and
// writes the page.
func (s *site) renderExemplo02(w http.ResponseWriter, r *http.Request, status int, v *view) {
	sn := sess(r)
	sn.SetPermanent(true)
	v.Nomes, _ = session.Get[[]string](sn, "nomes")
	if n := len(v.Nomes); n > 0 {
		v.LastNome = shorten(v.Nomes[n-1], 40)
	}
	base := s.sessionData(r, sn, "nomes", v.Nomes)
	if s.cfg.Store != nil {
		b, _ := flask.Marshal(base)
		v.StoreNote = v.T("ex02.store", s.cfg.StoreName, len(b))
	}
	prev := 0
	if s.cfg.Store == nil {
		empty := maps.Clone(base)
		empty["nomes"] = []string{}
		prev, _, _ = s.cookieSize(empty)
	}
	for i, name := range v.Nomes {
		js := jsonText(name)
		row := sizeRow{N: i + 1, Name: name, JSON: shorten(js, 28), JSONBytes: len(js)}
		if s.cfg.Store != nil {
			row.Size = v.Cookie.Size
		} else {
			data := maps.Clone(base)
			data["nomes"] = v.Nomes[:i+1]
			n, z, err := s.cookieSize(data)
			if err != nil && !errors.Is(err, errTooLarge) {
				s.log.Error("exemplo02: measuring", "err", err)
			}
			row.Size, row.Compressed = n, z
			row.Delta, prev = n-prev, n
		}
		v.Sizes = append(v.Sizes, row)
	}
	v.Chart = growthChart(v.Sizes, s.maxCookie())
	a, b, c := "Joao", "João", "😀"
	v.Costs = v.T("ex02.cost1", a, len(jsonText(a)), b, len(jsonText(b)), c, len(jsonText(c)))
	s.render(w, status, "exemplo02", v)
}

// exemplo02Add appends the form's name to the session's list. Every input
// it does not take is answered with the reason, next to the form, and the
// list stays as it was.
func (s *site) exemplo02Add(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			s.errorPage(w, r, errFormTooLarge)
			return
		}
	}
	sn := sess(r)
	sn.SetPermanent(true)
	raw := r.PostFormValue("nome")
	nome := strings.TrimSpace(raw)
	refuse := func(msg template.HTML) {
		v := s.newView(r, "ex02.h1")
		v.InputError = msg
		if utf8.ValidString(raw) {
			v.NomeValue = shorten(raw, maxNameRunes)
		}
		s.renderExemplo02(w, r, http.StatusUnprocessableEntity, v)
	}
	lang := pickLang(r, s.cfg.Lang)
	switch n := utf8.RuneCountInString(nome); {
	case !utf8.ValidString(raw):
		refuse(text(lang, "ex02.badutf8"))
		return
	case nome == "":
		refuse(text(lang, "ex02.blank"))
		return
	case n > maxNameRunes:
		refuse(text(lang, "ex02.long", n, maxNameRunes))
		return
	}
	// The limit is a soft one: Peek, not Get, so that appends of several
	// tabs at once are merged rather than refused; requests racing past the
	// check may each add their name (16 clients at once ended at 511 names).
	// MaxRecordSize stays the hard bound.
	nomes, _ := session.Peek[[]string](sn, "nomes")
	if len(nomes) >= maxNames {
		refuse(text(lang, "ex02.full", len(nomes)))
		return
	}
	if s.cfg.Store == nil {
		// In the cookie, the list is bounded by the 4 KB limit, and the
		// Manager refuses to write a cookie the browser would drop;
		// measure first so that the visitor gets an explanation, not an
		// error page, and keeps the list.
		next := append(nomes[:len(nomes):len(nomes)], nome)
		n, _, err := s.cookieSize(s.sessionData(r, sn, "nomes", next))
		if errors.Is(err, errTooLarge) {
			v := s.newView(r, "ex02.h1")
			v.TooBig = &tooBig{Name: shorten(nome, 40), Size: n}
			s.renderExemplo02(w, r, http.StatusUnprocessableEntity, v)
			return
		}
		if err != nil {
			s.sessionError(w, r, err)
			return
		}
	}
	// The lesson's session['nomes'].append(nome): replayed on the list
	// another request saved meanwhile, so no tab loses a name.
	if err := session.Append(sn, "nomes", nome); err != nil {
		s.sessionError(w, r, err)
		return
	}
	seeOther(w, r, "/exemplo02")
}

func (s *site) exemplo02Clear(w http.ResponseWriter, r *http.Request) {
	sn := sess(r)
	if _, ok := sn.Pop("nomes"); ok {
		sn.Flash("success", plainText(pickLang(r, s.cfg.Lang), "ex02.cleared"))
	}
	seeOther(w, r, "/exemplo02")
}

// chart is the inline SVG of the cookie's growth.
type chart struct {
	W, H                int
	PlotLeft, PlotRight int
	LimitY, LimitLabelY int
	Points              string
	Dots                []struct{ X, Y int }
	// Last labels the newest point with its size, in the margin right of
	// the plot, where no line runs.
	Last struct {
		X, Y int
		Text string
	}
}

// growthChart scales sizes into a small SVG with the limit as a line. The
// plot leaves a margin on the right for the last point's label, and room
// above the limit line for its own label, so that no label ever crosses a
// line.
func growthChart(rows []sizeRow, limit int) chart {
	c := chart{W: 320, H: 140, PlotLeft: 8}
	c.PlotRight = c.W - 56
	const pad = 8
	top := limit + limit/10
	for _, r := range rows {
		top = max(top, r.Size+r.Size/10)
	}
	y := func(size int) int { return c.H - pad - (c.H-2*pad)*size/top }
	c.LimitY = y(limit)
	c.LimitLabelY = c.LimitY - 4
	var pts strings.Builder
	for i, r := range rows {
		x := c.PlotLeft
		if len(rows) > 1 {
			x = c.PlotLeft + (c.PlotRight-c.PlotLeft)*i/(len(rows)-1)
		}
		fmt.Fprintf(&pts, "%d,%d ", x, y(r.Size))
		c.Dots = append(c.Dots, struct{ X, Y int }{x, y(r.Size)})
	}
	c.Points = strings.TrimSpace(pts.String())
	if n := len(c.Dots); n > 0 {
		d := c.Dots[n-1]
		c.Last.X = c.PlotRight + 6
		c.Last.Y = min(max(d.Y+4, 12), c.H-3)
		c.Last.Text = fmt.Sprintf("%d B", rows[n-1].Size)
	}
	return c
}
