package demo

import (
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	session "github.com/sessionkit/session"
)

// The Desafio: a page stating the task, and the demo's own solution as a
// working app under /desafio/solucao/, which `sessionkit desafio URL`
// checks like any learner's app:
//
//	GET  /desafio/solucao/login    the login form (fields usuario and senha)
//	POST /desafio/solucao/login    any user name, password demoPassword
//	GET  /desafio/solucao/         the protected page (also …/painel);
//	                               anonymous visitors go to the login
//	GET  /desafio/solucao/logout   clears the session (POST works too)
//
// On login the session is renewed and made permanent, so it ends after
// Config.Lifetime (2 minutes by default, the task's) without activity.

const (
	solBase     = "/desafio/solucao"
	solLoginURL = solBase + "/login"
	solPainel   = solBase + "/painel"
	// maxUserRunes bounds the Desafio's user names.
	maxUserRunes = 100
)

func (s *site) desafio(w http.ResponseWriter, r *http.Request) {
	v := s.newView(r, "des.h1")
	v.Password = demoPassword
	s.render(w, http.StatusOK, "desafio", v)
}

// formValue returns the first non-empty value among the form fields names:
// the solution takes the names learners' forms commonly use.
func formValue(r *http.Request, names ...string) string {
	for _, n := range names {
		if v := r.PostForm.Get(n); v != "" {
			return v
		}
	}
	return ""
}

func (s *site) solLoginPage(w http.ResponseWriter, r *http.Request) {
	v := s.newView(r, "sol.h1")
	v.Password = demoPassword
	v.User, _ = session.Get[string](sess(r), "usuario")
	s.render(w, http.StatusOK, "solucao", v)
}

// solLogin checks the form and logs the user in: a new session identity
// (session fixation), usuario stored, the session made permanent, and a
// flash for the next page. A refused login says why, in a flash on the
// login page.
func (s *site) solLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			s.errorPage(w, r, errFormTooLarge)
			return
		}
	}
	sn := sess(r)
	lang := pickLang(r, s.cfg.Lang)
	nome := strings.TrimSpace(formValue(r, "usuario", "nome", "username"))
	senha := formValue(r, "senha", "password")
	refuse := func(key string) {
		sn.Flash("error", plainText(lang, key))
		seeOther(w, r, solLoginURL)
	}
	switch {
	case nome == "" || !utf8.ValidString(nome):
		refuse("sol.noname")
		return
	case utf8.RuneCountInString(nome) > maxUserRunes:
		refuse("sol.longname")
		return
	case senha != demoPassword:
		refuse("sol.wrong")
		return
	}
	sn.Renew()
	sn.Set("usuario", nome)
	sn.Set("login_em", s.cfg.Now().Unix())
	sn.SetPermanent(true)
	sn.Flash("success", plainText(lang, "sol.welcome", nome))
	seeOther(w, r, solPainel)
}

// solPainel is the protected page: without usuario in the session it sends
// the visitor to the login, with a flash saying why.
func (s *site) solPainel(w http.ResponseWriter, r *http.Request) {
	sn := sess(r)
	user, _ := session.Get[string](sn, "usuario")
	if user == "" {
		sn.Flash("error", plainText(pickLang(r, s.cfg.Lang), "sol.needlogin"))
		seeOther(w, r, solLoginURL)
		return
	}
	v := s.newView(r, "sol.ph1")
	v.User = user
	v.LoginISO, v.LoginText = "", "?"
	if at, ok := session.Get[int64](sn, "login_em"); ok {
		t := time.Unix(at, 0).UTC()
		v.LoginISO, v.LoginText = t.Format(time.RFC3339), t.Format("15:04:05")+" UTC"
	}
	s.render(w, http.StatusOK, "painel", v)
}

// solLogout clears the session and gives it a new identity, keeping only
// the goodbye flash; once that is read the session is empty and its cookie
// deleted.
func (s *site) solLogout(w http.ResponseWriter, r *http.Request) {
	sn := sess(r)
	sn.Clear()
	sn.Renew()
	sn.Flash("success", plainText(pickLang(r, s.cfg.Lang), "sol.out"))
	seeOther(w, r, solLoginURL)
}
