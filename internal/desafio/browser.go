package desafio

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// maxBody caps what the grader reads of a page.
const maxBody = 1 << 20

// maxRedirects bounds the redirects followed after one request.
const maxRedirects = 10

// browser is the grader's stand-in for a browser on one site: it keeps the
// site's cookies, sends them back, and follows redirects within the site,
// recording every response on the way.
type browser struct {
	client *http.Client
	base   *url.URL
	lang   string
	jar    map[string]string // cookie name → value, for the site
	now    func() time.Time
}

// page is one response the browser got.
type page struct {
	url      *url.URL
	status   int
	body     string // HTML-unescaped, at most maxBody bytes
	raw      string // as received
	cookies  []*http.Cookie
	location string    // the Location header
	date     time.Time // the server's Date header, or the local clock
}

// visit is one request and the redirects that followed it.
type visit struct {
	pages []*page
}

// first is the response to the request itself; last is where the
// redirects ended.
func (v *visit) first() *page { return v.pages[0] }
func (v *visit) last() *page  { return v.pages[len(v.pages)-1] }

// setCookies returns every Set-Cookie for name along the visit, in order.
func (v *visit) setCookies(name string) []*pageCookie {
	var out []*pageCookie
	for _, p := range v.pages {
		for _, c := range p.cookies {
			if c.Name == name {
				out = append(out, &pageCookie{c, p})
			}
		}
	}
	return out
}

// pageCookie is a Set-Cookie and the response that carried it.
type pageCookie struct {
	*http.Cookie
	page *page
}

// deletes reports whether the Set-Cookie removes the cookie.
func (c *pageCookie) deletes() bool {
	return c.Value == "" || c.MaxAge < 0 || (!c.Expires.IsZero() && !c.Expires.After(c.page.date))
}

// resolve turns a path or URL from the contract or a page into a URL of
// the site.
func (b *browser) resolve(from *url.URL, ref string) (*url.URL, error) {
	if from == nil {
		from = b.base
	}
	if strings.HasPrefix(ref, "/") && !strings.HasPrefix(ref, "//") && b.base.Path != "" && b.base.Path != "/" && from == b.base {
		ref = strings.TrimSuffix(b.base.Path, "/") + ref
	}
	u, err := from.Parse(ref)
	if err != nil {
		return nil, err
	}
	return u, nil
}

// sameSite reports whether u is on the graded site.
func (b *browser) sameSite(u *url.URL) bool {
	return u.Scheme == b.base.Scheme && u.Host == b.base.Host
}

// get fetches ref without following redirects.
func (b *browser) get(ctx context.Context, ref string) (*page, error) {
	u, err := b.resolve(nil, ref)
	if err != nil {
		return nil, err
	}
	return b.do(ctx, http.MethodGet, u, nil)
}

// open fetches ref and follows its redirects.
func (b *browser) open(ctx context.Context, ref string) (*visit, error) {
	u, err := b.resolve(nil, ref)
	if err != nil {
		return nil, err
	}
	return b.follow(ctx, http.MethodGet, u, nil)
}

// submit sends a form and follows the redirects.
func (b *browser) submit(ctx context.Context, f *form, values url.Values) (*visit, error) {
	if f.method == http.MethodGet {
		u := *f.action
		u.RawQuery = values.Encode()
		return b.follow(ctx, http.MethodGet, &u, nil)
	}
	return b.follow(ctx, http.MethodPost, f.action, values)
}

func (b *browser) follow(ctx context.Context, method string, u *url.URL, form url.Values) (*visit, error) {
	v := &visit{}
	for range maxRedirects + 1 {
		p, err := b.do(ctx, method, u, form)
		if err != nil {
			return nil, err
		}
		v.pages = append(v.pages, p)
		loc := ""
		if p.status >= 300 && p.status < 400 {
			loc = p.location
		}
		if loc == "" {
			return v, nil
		}
		next, err := p.url.Parse(loc)
		if err != nil || !b.sameSite(next) {
			return v, nil
		}
		u, method, form = next, http.MethodGet, nil
	}
	return v, fmt.Errorf("more than %d redirects from %s", maxRedirects, v.first().url.Path)
}

// do sends one request with the site's cookies and keeps the cookies of
// the response.
func (b *browser) do(ctx context.Context, method string, u *url.URL, form url.Values) (*page, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", b.base.Scheme+"://"+b.base.Host)
	}
	req.Header.Set("User-Agent", "sessionkit-desafio (a browser's stand-in)")
	req.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	if b.lang == "en" {
		req.Header.Set("Accept-Language", "en;q=1, pt-BR;q=0.5")
	} else {
		req.Header.Set("Accept-Language", "pt-BR,pt;q=0.9,en;q=0.5")
	}
	var pairs []string
	for name, value := range b.jar {
		pairs = append(pairs, name+"="+value)
	}
	if len(pairs) > 0 {
		req.Header.Set("Cookie", strings.Join(pairs, "; "))
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, err
	}
	p := &page{url: u, status: resp.StatusCode, raw: string(raw), body: html.UnescapeString(string(raw)),
		cookies: resp.Cookies(), location: resp.Header.Get("Location"), date: b.now()}
	if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		p.date = d
	}
	for _, c := range p.cookies {
		pc := &pageCookie{c, p}
		if pc.deletes() {
			delete(b.jar, c.Name)
		} else {
			b.jar[c.Name] = c.Value
		}
	}
	return p, nil
}

// Forms.

// form is an HTML form as the browser would submit it.
type form struct {
	action *url.URL
	method string // GET or POST
	inputs []formInput
}

type formInput struct {
	name, typ, value string
}

var (
	tagRE  = regexp.MustCompile(`(?is)<(/?)(form|input|textarea|button)\b([^>]*)>`)
	attrRE = regexp.MustCompile(`(?s)([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?`)
)

// forms finds the forms of an HTML page with their fields. It is a tag
// scanner, not an HTML parser: enough for the forms of a small app.
func forms(p *page) []*form {
	var out []*form
	var cur *form
	for _, m := range tagRE.FindAllStringSubmatch(p.raw, -1) {
		closing, tag, attrs := m[1] == "/", strings.ToLower(m[2]), attributes(m[3])
		switch {
		case tag == "form" && closing:
			cur = nil
		case tag == "form":
			action, err := p.url.Parse(attrs["action"])
			if err != nil {
				action = p.url
			}
			method := http.MethodGet
			if strings.EqualFold(attrs["method"], "post") {
				method = http.MethodPost
			}
			cur = &form{action: action, method: method}
			out = append(out, cur)
		case cur == nil || closing || attrs["name"] == "":
		case tag == "input":
			cur.inputs = append(cur.inputs, formInput{attrs["name"], strings.ToLower(attrs["type"]), attrs["value"]})
		case tag == "textarea":
			cur.inputs = append(cur.inputs, formInput{attrs["name"], "textarea", ""})
		case tag == "button":
			typ := strings.ToLower(attrs["type"])
			if typ == "" || typ == "submit" {
				cur.inputs = append(cur.inputs, formInput{attrs["name"], "submit", attrs["value"]})
			}
		}
	}
	return out
}

func attributes(s string) map[string]string {
	m := map[string]string{}
	for _, a := range attrRE.FindAllStringSubmatch(s, -1) {
		name := strings.ToLower(a[1])
		if _, dup := m[name]; !dup {
			m[name] = html.UnescapeString(a[2] + a[3] + a[4])
		}
	}
	return m
}

// textual reports whether an input takes typed text.
func (in formInput) textual() bool {
	switch in.typ {
	case "", "text", "email", "search", "textarea":
		return true
	}
	return false
}

// userFieldNames are the names a login form's user field goes by, in order
// of preference.
var userFieldNames = []string{"usuario", "nome", "username", "user", "name", "login", "email"}

// userField returns the name of f's user field: field when f has it, else
// the first of userFieldNames it has, else its first text field; "" when
// it has none.
func (f *form) userField(field string) string {
	if field != "" {
		for _, in := range f.inputs {
			if in.name == field {
				return field
			}
		}
		return ""
	}
	for _, want := range userFieldNames {
		for _, in := range f.inputs {
			if in.textual() && strings.EqualFold(in.name, want) {
				return in.name
			}
		}
	}
	for _, in := range f.inputs {
		if in.textual() {
			return in.name
		}
	}
	return ""
}

// fill returns f's values with user typed into the user field and
// password into password fields; hidden fields (a CSRF token) keep their
// values and the first submit button is pressed.
func (f *form) fill(userField, user, password string) url.Values {
	v := url.Values{}
	pressed := false
	for _, in := range f.inputs {
		switch {
		case in.name == userField:
			v.Set(in.name, user)
		case in.typ == "password":
			v.Set(in.name, password)
		case in.typ == "hidden":
			v.Add(in.name, in.value)
		case in.typ == "submit" && !pressed:
			pressed = true
			v.Set(in.name, in.value)
		case in.typ == "checkbox" || in.typ == "radio" || in.typ == "submit":
		case in.textual():
			v.Set(in.name, in.value)
		}
	}
	return v
}
