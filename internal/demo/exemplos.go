package demo

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"unicode/utf8"

	session "github.com/sessionkit/session"
	"github.com/sessionkit/session/flask"
)

// Exemplo 01, exactly as the lesson's Flask code.

func (s *site) login(w http.ResponseWriter, r *http.Request) {
	sess(r).Set("usuario", "Maria")
	plain(w, "Usuário logado!")
}

func (s *site) perfil(w http.ResponseWriter, r *http.Request) {
	if u, ok := session.Get[string](sess(r), "usuario"); ok {
		plain(w, "Bem-vindo, "+u+"!")
		return
	}
	plain(w, "Nenhum usuário logado.")
}

func (s *site) logout(w http.ResponseWriter, r *http.Request) {
	sess(r).Pop("usuario")
	plain(w, "Usuário deslogado.")
}

func (s *site) exemplo01(w http.ResponseWriter, r *http.Request) {
	s.render(w, http.StatusOK, "exemplo01", s.newView(r, "ex01.h1"))
}

// Exemplo 02: a permanent session accumulating names.

// maxNameRunes bounds one name; the cookie limit bounds the list.
const maxNameRunes = 1000

type sizeRow struct {
	N          int
	Name       string
	Size       int
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

// chart is the inline SVG of the cookie's growth.
type chart struct {
	W, H, LimitY, LimitLabelY int
	Points                    string
	Dots                      []struct{ X, Y int }
	// Last labels the newest point with its size.
	Last struct {
		X, Y   int
		Anchor string
		Text   string
	}
}

// sessionData returns the values the Manager will encode for the request's
// session, with key set to val. Besides the values a handler sees, the
// cookie carries the Manager's own keys (_sk_*: creation time, owner, a
// nonce after Renew); they are taken from the cookie the request carried
// when it is genuine, so that the sizes shown are those of the real cookie.
func (s *site) sessionData(r *http.Request, sn *session.Session, key string, val any) map[string]any {
	data := map[string]any{}
	if c, err := r.Cookie(s.cookieName()); err == nil && s.cfg.Store == nil {
		if payload, ts, _, err := s.m.Codec().Signer().Unsign(c.Value); err == nil && flask.CheckAge(ts, s.cfg.Now(), s.cfg.Lifetime, 0) == nil {
			if js, err := flask.PayloadJSON(payload, flask.DefaultMaxDecompressed); err == nil {
				if old, err := flask.Unmarshal(js); err == nil {
					for k, v := range old {
						if strings.HasPrefix(k, "_sk_") {
							data[k] = v
						}
					}
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

// cookieSize encodes data with the Manager's codec at the request's clock
// and returns the Set-Cookie name plus value length, as the browser counts
// it. A too-large session is reported by size with errTooLarge.
func (s *site) cookieSize(data map[string]any) (int, bool, error) {
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
	s.renderExemplo02(w, r, http.StatusOK, nil)
}

func (s *site) renderExemplo02(w http.ResponseWriter, r *http.Request, status int, big *tooBig) {
	sn := sess(r)
	sn.SetPermanent(true)
	v := s.newView(r, "ex02.h1")
	v.TooBig = big
	v.Nomes, _ = session.Get[[]string](sn, "nomes")
	base := s.sessionData(r, sn, "nomes", v.Nomes)
	if s.cfg.Store != nil {
		data := base
		b, _ := flask.Marshal(data)
		v.StoreNote = v.T("ex02.store", s.cfg.StoreName, len(b))
	}
	for i, name := range v.Nomes {
		row := sizeRow{N: i + 1, Name: name}
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
		}
		v.Sizes = append(v.Sizes, row)
	}
	v.Chart = growthChart(v.Sizes, s.maxCookie())
	s.render(w, status, "exemplo02", v)
}

func (s *site) exemplo02Add(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	sn := sess(r)
	sn.SetPermanent(true)
	nome := strings.TrimSpace(r.PostFormValue("nome"))
	if nome == "" || !utf8.ValidString(nome) {
		seeOther(w, r, "/exemplo02")
		return
	}
	if utf8.RuneCountInString(nome) > maxNameRunes {
		nome = string([]rune(nome)[:maxNameRunes])
	}
	nomes, _ := session.Get[[]string](sn, "nomes")
	next := append(nomes[:len(nomes):len(nomes)], nome)
	if s.cfg.Store == nil {
		// The Manager refuses to write a cookie the browser would drop;
		// measure first so that the visitor gets an explanation, not an
		// error page, and keeps the list.
		n, _, err := s.cookieSize(s.sessionData(r, sn, "nomes", next))
		if errors.Is(err, errTooLarge) {
			s.renderExemplo02(w, r, http.StatusUnprocessableEntity, &tooBig{Name: shorten(nome, 40), Size: n})
			return
		}
		if err != nil {
			http.Error(w, fmt.Sprint(err), http.StatusBadRequest)
			return
		}
	}
	sn.Set("nomes", next)
	seeOther(w, r, "/exemplo02")
}

func (s *site) exemplo02Clear(w http.ResponseWriter, r *http.Request) {
	sess(r).Delete("nomes")
	seeOther(w, r, "/exemplo02")
}

// growthChart scales sizes into a small SVG with the limit as a line.
func growthChart(rows []sizeRow, limit int) chart {
	c := chart{W: 320, H: 140}
	const pad = 8
	top := limit
	for _, r := range rows {
		top = max(top, r.Size)
	}
	y := func(size int) int { return c.H - pad - (c.H-2*pad)*size/top }
	c.LimitY = y(limit)
	c.LimitLabelY = c.LimitY + 12
	var pts strings.Builder
	for i, r := range rows {
		x := pad
		if len(rows) > 1 {
			x = pad + (c.W-2*pad)*i/(len(rows)-1)
		}
		fmt.Fprintf(&pts, "%d,%d ", x, y(r.Size))
		c.Dots = append(c.Dots, struct{ X, Y int }{x, y(r.Size)})
	}
	c.Points = strings.TrimSpace(pts.String())
	if n := len(c.Dots); n > 0 {
		d := c.Dots[n-1]
		c.Last.X, c.Last.Y, c.Last.Anchor = d.X, d.Y-6, "end"
		if c.Last.Y < c.LimitLabelY+12 {
			c.Last.Y = d.Y + 14
		}
		if n == 1 {
			c.Last.Anchor = "start"
		}
		c.Last.Text = fmt.Sprintf("%d B", rows[n-1].Size)
	}
	return c
}

// Desafio: login with a password, a protected page, flashes, logout.

func (s *site) desafio(w http.ResponseWriter, r *http.Request) {
	v := s.newView(r, "des.h1")
	v.Password = demoPassword
	v.User, _ = session.Get[string](sess(r), "usuario")
	if r.URL.Query().Has("saiu") && v.User == "" {
		v.Flashes = append(v.Flashes, session.Flash{Category: "success", Message: string(v.T("des.out"))})
	}
	s.render(w, http.StatusOK, "desafio", v)
}

func (s *site) desafioLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	sn := sess(r)
	lang := pickLang(r, s.cfg.Lang)
	nome := strings.TrimSpace(r.PostFormValue("nome"))
	if nome == "" || utf8.RuneCountInString(nome) > 100 || r.PostFormValue("senha") != demoPassword {
		sn.Flash("error", string(text(lang, "des.wrong")))
		seeOther(w, r, "/desafio")
		return
	}
	// A new identity at login: a session ID (or cookie) planted before
	// login is worthless after it.
	sn.Renew()
	sn.Set("usuario", nome)
	sn.Set("login_em", s.cfg.Now().Unix())
	sn.Flash("success", string(text(lang, "des.welcome", nome)))
	seeOther(w, r, "/desafio/painel")
}

func (s *site) desafioPainel(w http.ResponseWriter, r *http.Request) {
	sn := sess(r)
	user, ok := session.Get[string](sn, "usuario")
	if !ok {
		sn.Flash("error", string(text(pickLang(r, s.cfg.Lang), "des.needlogin")))
		seeOther(w, r, "/desafio")
		return
	}
	v := s.newView(r, "des.ph1")
	v.User = user
	if at, ok := session.Get[int64](sn, "login_em"); ok {
		v.LoginAt = timeText(at)
	} else {
		v.LoginAt = "?"
	}
	s.render(w, http.StatusOK, "painel", v)
}

func (s *site) desafioLogout(w http.ResponseWriter, r *http.Request) {
	sess(r).Destroy()
	seeOther(w, r, "/desafio?saiu=1")
}
