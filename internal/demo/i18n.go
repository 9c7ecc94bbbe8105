package demo

import (
	"fmt"
	"html/template"
	"net/http"
	"strings"
)

// langCookie remembers the visitor's language choice. It is a cookie of its
// own, not a session value, so that it never changes the session cookie's
// size that Exemplo 02 measures.
const langCookie = "lang"

// pickLang returns the language for r: the visitor's choice (cookie), else
// the first of Accept-Language that the site speaks, else def.
func pickLang(r *http.Request, def string) string {
	if c, err := r.Cookie(langCookie); err == nil && languages[c.Value] {
		return c.Value
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		tag = strings.ToLower(strings.TrimSpace(tag))
		switch {
		case tag == "pt" || strings.HasPrefix(tag, "pt-"):
			return "pt-BR"
		case tag == "en" || strings.HasPrefix(tag, "en-"):
			return "en"
		}
	}
	return def
}

// entry returns the catalog entry key in lang.
func entry(lang, key string) string {
	e, ok := catalog[key]
	if !ok {
		panic("demo: no catalog entry " + key)
	}
	if lang == "en" {
		return e[1]
	}
	return e[0]
}

// text returns the catalog entry key in lang. Catalog entries are
// constants of this package and may hold markup (<code>), hence
// template.HTML; arguments are escaped.
func text(lang, key string, args ...any) template.HTML {
	s := entry(lang, key)
	if len(args) == 0 {
		return template.HTML(s)
	}
	for i, a := range args {
		switch a := a.(type) {
		case template.HTML, int, int64:
		case string:
			args[i] = template.HTMLEscapeString(a)
		default:
			args[i] = template.HTMLEscapeString(fmt.Sprint(a))
		}
	}
	return template.HTML(fmt.Sprintf(s, args...))
}

// plainText returns the catalog entry key in lang as plain text, its
// arguments unescaped: for flash messages, which travel in the session as
// text and are escaped once, by the template that prints them. Entries used
// this way hold no markup (flashKeys lists them; a test checks them).
func plainText(lang, key string, args ...any) string {
	s := entry(lang, key)
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// flashKeys are the catalog entries written as flash messages.
var flashKeys = []string{
	"sol.welcome", "sol.wrong", "sol.noname", "sol.longname", "sol.needlogin", "sol.out",
	"restart.done", "ex02.cleared",
}
