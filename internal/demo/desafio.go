package demo

import (
	"errors"
	"html/template"
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	session "github.com/sessionkit/session"
	"github.com/sessionkit/session/internal/desafio"
)

// The Desafio: a page stating the task, which is the grader's contract
// (desafio.Contract), and the demo's own solution as a working app under
// /desafio/solucao that meets it exactly, so that `sessionkit desafio
// URL/desafio/solucao` passes with its defaults:
//
//	GET  /desafio/solucao/login    the login form (fields usuario and senha)
//	POST /desafio/solucao/login    any user name, password demoPassword;
//	                               a welcome flash, then /perfil
//	GET  /desafio/solucao/perfil   the protected page; anonymous visitors
//	                               go to the login, with a flash
//	GET  /desafio/solucao/logout   clears the session, a goodbye flash, then
//	                               the login (POST works too: the form on
//	                               /perfil)
//
// On login the session is renewed and made permanent, so it ends after
// Config.Lifetime (2 minutes by default, the contract's) without activity.

const (
	solBase     = "/desafio/solucao"
	solLoginURL = solBase + "/login"
	solPerfil   = solBase + "/perfil"
	// maxUserRunes bounds the Desafio's user names.
	maxUserRunes = 100
)

func (s *site) desafio(w http.ResponseWriter, r *http.Request) {
	v := s.newView(r, "des.h1")
	v.Password = demoPassword
	v.Contract = contractOf(desafio.Contract(v.Lang))
	v.Solution = desafio.Solution
	v.GraderCmd = "go run ./cmd/sessionkit desafio "
	if s.cfg.Lifetime != desafio.DefaultLifetime {
		v.GraderCmd += "-lifetime " + s.cfg.Lifetime.String() + " "
	}
	v.GraderCmd += v.Origin + solBase
	s.render(w, http.StatusOK, "desafio", v)
}

// contract is the grader's contract laid out for the page: its text word
// for word, in paragraphs, numbered items and commands, with what is code
// marked as code.
type contract struct {
	Title string
	// Task is what the app must do: the blocks up to the numbered list;
	// Check, the rest: how the grader checks it.
	Task, Check []contractBlock
}

// contractBlock is a paragraph (Text), a numbered list (Items) or a
// command line (Cmd).
type contractBlock struct {
	Text  template.HTML
	Items []template.HTML
	Cmd   string
}

// contractOf lays out the text desafio.Contract returns: a title line,
// then groups of lines separated by blank lines. A group whose first line
// is indented by four spaces is a command; one whose first line starts
// with "1." is a list, each "N." line starting an item and indented lines
// continuing it; any other group is a paragraph. Wrapped lines are joined.
// Commands are written to run from a clone, as every command of the site.
func contractOf(text string) contract {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	c := contract{Title: lines[0]}
	var blocks []contractBlock
	var group []string
	flush := func() {
		if len(group) == 0 {
			return
		}
		switch {
		case strings.HasPrefix(group[0], "    "):
			for _, l := range group {
				blocks = append(blocks, contractBlock{Cmd: fromClone(strings.TrimSpace(l))})
			}
		case itemStart.MatchString(group[0]):
			var b contractBlock
			item := ""
			for _, l := range group {
				if m := itemStart.FindString(l); m != "" {
					if item != "" {
						b.Items = append(b.Items, codeSpans(item))
					}
					item = strings.TrimSpace(l[len(m):])
					continue
				}
				item += " " + strings.TrimSpace(l)
			}
			b.Items = append(b.Items, codeSpans(item))
			blocks = append(blocks, b)
		default:
			var words []string
			for _, l := range group {
				words = append(words, strings.TrimSpace(l))
			}
			blocks = append(blocks, contractBlock{Text: codeSpans(strings.Join(words, " "))})
		}
		group = nil
	}
	for _, l := range lines[1:] {
		if strings.TrimSpace(l) == "" {
			flush()
			continue
		}
		group = append(group, l)
	}
	flush()
	c.Task = blocks
	for i, b := range blocks {
		if b.Items != nil {
			c.Task, c.Check = blocks[:i+1], blocks[i+1:]
			break
		}
	}
	return c
}

// fromClone writes a sessionkit command line as it runs at the root of a
// clone, with no sessionkit installed.
func fromClone(cmd string) string {
	if rest, ok := strings.CutPrefix(cmd, "sessionkit "); ok {
		return "go run ./cmd/sessionkit " + rest
	}
	return cmd
}

// itemStart is the start of a numbered item of the contract.
var itemStart = regexp.MustCompile(`^[0-9]+\. `)

// codePhrases are the contract's pieces of code longer than one word: a
// Python command line, an HTML tag, an assignment.
var codePhrases = regexp.MustCompile(`python -c '[^']*'|<[^>]+>|[\w.\[\]"]+ = [\w.()=]+`)

// codeSpans escapes s and marks its code: codePhrases, and words that are
// code by their shape (a path, a flag, a call, a name with an underscore
// or a subscript) or are the contract's field name and password.
func codeSpans(s string) template.HTML {
	var b strings.Builder
	code := func(t string) {
		// Closing punctuation after the code stays text.
		core := strings.TrimRight(t, ".,;:")
		if strings.Count(core, ")") > strings.Count(core, "(") {
			core = strings.TrimSuffix(core, ")")
		}
		b.WriteString("<code>" + template.HTMLEscapeString(core) + "</code>" + template.HTMLEscapeString(t[len(core):]))
	}
	words := func(t string) {
		for i, w := range strings.Split(t, " ") {
			if i > 0 {
				b.WriteByte(' ')
			}
			lead := strings.TrimLeft(w, "(")
			b.WriteString(template.HTMLEscapeString(w[:len(w)-len(lead)]))
			bare := strings.TrimRight(lead, ".,;:)")
			switch {
			case bare == "":
				b.WriteString(template.HTMLEscapeString(lead))
			case strings.ContainsAny(bare, "_/([") || bare == "usuario" || bare == desafio.DefaultPassword ||
				len(bare) > 1 && bare[0] == '-' && bare[1] >= 'a' && bare[1] <= 'z':
				code(lead)
			default:
				b.WriteString(template.HTMLEscapeString(lead))
			}
		}
	}
	at := 0
	for _, m := range codePhrases.FindAllStringIndex(s, -1) {
		words(s[at:m[0]])
		code(s[m[0]:m[1]])
		at = m[1]
	}
	words(s[at:])
	return template.HTML(b.String())
}

// moved sends a visitor from an earlier address of the solution to where
// it is now.
func moved(to string) http.Handler { return http.RedirectHandler(to, http.StatusMovedPermanently) }

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
	seeOther(w, r, solPerfil)
}

// solPerfil is the protected page: without usuario in the session it sends
// the visitor to the login, with a flash saying why.
func (s *site) solPerfil(w http.ResponseWriter, r *http.Request) {
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
	s.render(w, http.StatusOK, "perfil", v)
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
