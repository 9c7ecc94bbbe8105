package flasklogin

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	session "github.com/sessionkit/session"
)

// The live tests run testdata/loginapp.py (the real Flask-Login) or
// testdata/plainapp.py (no extension) next to Go servers using the
// session middleware and this package, with one key; a browser carries
// the cookies between them as a real one would.

// goLogin is the Go side: the same routes as loginapp.py. With handler
// false it runs without Manager.Handler, so that what Login and Logout
// leave in the session for Flask ("_remember") reaches Flask untouched.
func goLogin(t *testing.T, mode Protection, handler bool) (*httptest.Server, *Manager) {
	t.Helper()
	m, err := session.New([]byte(testKey))
	if err != nil {
		t.Fatal(err)
	}
	lm, err := New([]byte(testKey))
	if err != nil {
		t.Fatal(err)
	}
	lm.Protection = mode
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		opts := LoginOptions{Remember: q.Get("remember") == "1", NotFresh: q.Get("fresh") == "0"}
		if d := q.Get("duration"); d != "" {
			secs, _ := strconv.ParseFloat(d, 64)
			opts.Duration = time.Duration(secs * float64(time.Second))
		}
		lm.Login(session.FromContext(r.Context()), r, q.Get("id"), opts)
		fmt.Fprint(w, "ok")
	})
	mux.HandleFunc("GET /logout", func(w http.ResponseWriter, r *http.Request) {
		lm.Logout(session.FromContext(r.Context()), r)
		fmt.Fprint(w, "ok")
	})
	mux.HandleFunc("GET /confirm", func(w http.ResponseWriter, r *http.Request) {
		lm.ConfirmLogin(session.FromContext(r.Context()), r)
		fmt.Fprint(w, "ok")
	})
	mux.HandleFunc("GET /whoami", func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		var who whoami
		if id, ok := lm.User(s, r); ok {
			who.User = &id
		}
		who.Fresh = Fresh(s)
		values := map[string]any{}
		for k, v := range s.All() {
			values[k] = v
		}
		who.Session = typed(values)
		json.NewEncoder(w).Encode(who)
	})
	mux.HandleFunc("GET /permanent", func(w http.ResponseWriter, r *http.Request) {
		session.FromContext(r.Context()).SetPermanent(true)
		fmt.Fprint(w, "ok")
	})
	mux.HandleFunc("GET /identifier", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, Identifier(r))
	})
	var h http.Handler = mux
	if handler {
		h = lm.Handler(mux)
	}
	srv := httptest.NewServer(m.Handler(h))
	t.Cleanup(srv.Close)
	return srv, lm
}

// whoami is the answer of both sides' /whoami.
type whoami struct {
	User    *string           `json:"user"`
	Fresh   bool              `json:"fresh"`
	Session map[string][2]any `json:"session"`
}

func (w whoami) String() string {
	return fmt.Sprintf("user=%v fresh=%v session=%s", deref(w.User), w.Fresh, sorted(w.Session))
}

// browser keeps cookies as a browser does, verbatim (net/http/cookiejar
// drops the backslash-escaped values werkzeug writes), for the one host
// both servers share; it sends its User-Agent as raw bytes.
type browser struct {
	t  *testing.T
	ua string
	mu sync.Mutex // guards jar
	// jar maps cookie names to values as Set-Cookie wrote them.
	jar map[string]string
	// cleared records the cookies the last response deleted.
	cleared []string
	xff     []string // X-Forwarded-For headers to send
}

func newBrowser(t *testing.T, ua string) *browser {
	return &browser{t: t, ua: ua, jar: map[string]string{}}
}

var client = &http.Client{
	Timeout:       60 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func (b *browser) get(u string) string {
	b.t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("User-Agent", b.ua)
	req.Header["X-Forwarded-For"] = b.xff
	b.mu.Lock()
	var pairs []string
	for name, v := range b.jar {
		pairs = append(pairs, name+"="+v)
	}
	b.mu.Unlock()
	slices.Sort(pairs)
	if len(pairs) > 0 {
		req.Header.Set("Cookie", strings.Join(pairs, "; "))
	}
	resp, err := client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		b.t.Fatalf("GET %s: %d %s", u, resp.StatusCode, body)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.cleared = nil
	for _, line := range resp.Header.Values("Set-Cookie") {
		attrs := parseSetCookie(line)
		name, value, _ := strings.Cut(attrs[""], "=")
		if attrs["max-age"] == "0" || strings.Contains(attrs["expires"], "1970") {
			delete(b.jar, name)
			b.cleared = append(b.cleared, name)
			continue
		}
		b.jar[name] = value
	}
	return string(body)
}

func (b *browser) whoami(base string) whoami {
	b.t.Helper()
	var w whoami
	if err := json.Unmarshal([]byte(b.get(base+"/whoami")), &w); err != nil {
		b.t.Fatal(err)
	}
	return w
}

func (b *browser) has(name string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	_, ok := b.jar[name]
	return ok
}

func (b *browser) drop(name string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.jar, name)
}

func (b *browser) justCleared(name string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Contains(b.cleared, name)
}

// User-Agents: a browser's, one with UTF-8 bytes and quotes, another.
const (
	uaFirefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
	uaOdd     = "Navegador caf\xc3\xa9 \xe2\x98\x83 'it's' \"q\" \\ \xff"
	uaOther   = "Mozilla/5.0 (Macintosh) Safari/605.1.15"
)

// oddID needs werkzeug's cookie quoting: comma, space, quotes, non-ASCII.
const oddID = `maria@example.com, José "M"`

func loginURL(base, id string, extra string) string {
	return base + "/login?id=" + url.QueryEscape(id) + extra
}

func wantWho(t *testing.T, side string, got whoami, user string, fresh bool) {
	t.Helper()
	if user == "" {
		if got.User != nil {
			t.Errorf("%s: %v, want anonymous", side, got)
		}
		return
	}
	if got.User == nil || *got.User != user || got.Fresh != fresh {
		t.Errorf("%s: %v, want user %q fresh %v", side, got, user, fresh)
	}
}

func TestLiveFlaskLogin(t *testing.T) {
	python := needFlaskLogin(t)
	for _, mode := range []Protection{Basic, Strong} {
		t.Run(mode.String(), func(t *testing.T) {
			flaskURL := startApp(t, python, "loginapp.py", "SESSION_PROTECTION="+mode.String())
			goSrv, _ := goLogin(t, mode, true)
			goURL := goSrv.URL
			bareSrv, _ := goLogin(t, mode, false)
			bareURL := bareSrv.URL

			t.Run("same identifier", func(t *testing.T) {
				for _, ua := range []string{uaFirefox, uaOdd} {
					b := newBrowser(t, ua)
					b.xff = []string{" 198.51.100.7 , 10.0.0.1", "10.0.0.2"}
					if g, f := b.get(goURL+"/identifier"), b.get(flaskURL+"/identifier"); g != f {
						t.Errorf("UA %q: Go %s…, Flask-Login %s…", ua, g[:16], f[:16])
					}
					b.xff = nil
					if g, f := b.get(goURL+"/identifier"), b.get(flaskURL+"/identifier"); g != f {
						t.Errorf("UA %q: Go %s…, Flask-Login %s…", ua, g[:16], f[:16])
					}
				}
			})
			t.Run("Flask login, Go reads it", func(t *testing.T) {
				b := newBrowser(t, uaOdd)
				b.get(loginURL(flaskURL, "7", ""))
				wantWho(t, "Go", b.whoami(goURL), "7", true)
				b.get(loginURL(flaskURL, "8", "&fresh=0"))
				wantWho(t, "Go", b.whoami(goURL), "8", false)
				b.get(flaskURL + "/confirm")
				wantWho(t, "Go", b.whoami(goURL), "8", true)
			})
			t.Run("Go login, Flask-Login's current_user", func(t *testing.T) {
				for _, ua := range []string{uaFirefox, uaOdd} {
					b := newBrowser(t, ua)
					b.get(loginURL(goURL, "42", ""))
					wantWho(t, "Flask", b.whoami(flaskURL), "42", true)
					b.get(loginURL(goURL, "43", "&fresh=0"))
					wantWho(t, "Flask", b.whoami(flaskURL), "43", false)
					b.get(goURL + "/confirm")
					wantWho(t, "Flask", b.whoami(flaskURL), "43", true)
				}
			})
			t.Run("other User-Agent", func(t *testing.T) {
				for _, sides := range [][2]string{{goURL, flaskURL}, {flaskURL, goURL}} {
					b := newBrowser(t, uaFirefox)
					b.get(loginURL(sides[0], "42", ""))
					b.ua = uaOther
					w := b.whoami(sides[1])
					if mode == Basic {
						wantWho(t, sides[1], w, "42", false)
						continue
					}
					wantWho(t, sides[1], w, "", false)
					if _, ok := w.Session[KeyUserID]; ok || w.Session[KeyRemember] != [2]any{"str", "clear"} {
						t.Errorf("%s: session after strong protection: %s", sides[1], sorted(w.Session))
					}
					if !b.justCleared(DefaultCookieName) {
						t.Errorf("%s did not clear the remember-me cookie", sides[1])
					}
					b.ua = uaFirefox
					wantWho(t, sides[0], b.whoami(sides[0]), "", false)
				}
			})
			t.Run("other User-Agent, permanent session", func(t *testing.T) {
				// Protection of a permanent session is basic, even in
				// strong mode.
				for _, sides := range [][2]string{{goURL, flaskURL}, {flaskURL, goURL}} {
					b := newBrowser(t, uaFirefox)
					b.get(loginURL(sides[0], "42", ""))
					b.get(goURL + "/permanent")
					b.ua = uaOther
					wantWho(t, sides[1], b.whoami(sides[1]), "42", false)
				}
			})
			t.Run("Go logout leaves _remember=clear for Flask", func(t *testing.T) {
				b := newBrowser(t, uaFirefox)
				b.get(loginURL(flaskURL, "7", "&remember=1"))
				if !b.has(DefaultCookieName) {
					t.Fatal("Flask-Login set no remember-me cookie")
				}
				b.get(bareURL + "/logout")
				w := b.whoami(flaskURL)
				wantWho(t, "Flask", w, "", false)
				if w.Session[KeyRemember] != [2]any{"str", "clear"} {
					t.Errorf("Flask sees %s, want _remember = clear", sorted(w.Session))
				}
				if !b.justCleared(DefaultCookieName) {
					t.Error("Flask did not clear the remember-me cookie")
				}
			})
			t.Run("Go logout clears the remember-me cookie", func(t *testing.T) {
				b := newBrowser(t, uaFirefox)
				b.get(loginURL(flaskURL, "7", "&remember=1"))
				b.get(goURL + "/logout")
				if !b.justCleared(DefaultCookieName) {
					t.Error("Go did not clear the remember-me cookie")
				}
				w := b.whoami(flaskURL)
				wantWho(t, "Flask", w, "", false)
				if _, ok := w.Session[KeyUserID]; ok {
					t.Errorf("Flask sees %s", sorted(w.Session))
				}
			})
			t.Run("Flask logout after Go login", func(t *testing.T) {
				b := newBrowser(t, uaFirefox)
				b.get(loginURL(goURL, "5", "&remember=1"))
				if !b.has(DefaultCookieName) {
					t.Fatal("Go set no remember-me cookie")
				}
				b.get(flaskURL + "/logout")
				if !b.justCleared(DefaultCookieName) {
					t.Error("Flask did not clear Go's remember-me cookie")
				}
				wantWho(t, "Go", b.whoami(goURL), "", false)
			})
			t.Run("remember-me cookie", func(t *testing.T) {
				for _, sides := range [][2]string{{flaskURL, goURL}, {goURL, flaskURL}} {
					b := newBrowser(t, uaOdd)
					b.get(loginURL(sides[0], oddID, "&remember=1&duration=86400.5"))
					if !b.has(DefaultCookieName) {
						t.Fatalf("%s set no remember-me cookie", sides[0])
					}
					b.drop("session") // the browser was closed
					wantWho(t, sides[1], b.whoami(sides[1]), oddID, false)
					// The restored login has no "_id": strong protection
					// ends it at the next request, on either side.
					w := b.whoami(sides[0])
					if mode == Basic {
						wantWho(t, sides[0], w, oddID, false)
						continue
					}
					wantWho(t, sides[0], w, "", false)
					if !b.justCleared(DefaultCookieName) {
						t.Errorf("%s did not clear the remember-me cookie", sides[0])
					}
				}
			})
		})
	}
}

// TestLiveFlask3 runs what can run without Flask-Login against Flask 3:
// Flask-Login's keys, written by Flask 3.1, read by Go with its
// protection; written by Go, read by Flask 3.1 with Flask-Login's Python
// types; and the header values werkzeug 3.1's server hands over, which
// Identifier's rule assumes.
func TestLiveFlask3(t *testing.T) {
	python := needFlask3(t)
	flaskURL := startApp(t, python, "plainapp.py")
	basicSrv, _ := goLogin(t, Basic, true)
	strongSrv, _ := goLogin(t, Strong, true)
	bareSrv, lm := goLogin(t, Basic, false)

	put := func(b *browser, values map[string]any) {
		t.Helper()
		js, _ := json.Marshal(values)
		req, _ := http.NewRequest("POST", flaskURL+"/put", strings.NewReader(string(js)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", b.ua)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		b.mu.Lock()
		defer b.mu.Unlock()
		for _, c := range resp.Cookies() {
			b.jar[c.Name] = c.Value
		}
	}
	dump := func(b *browser) map[string][2]any {
		t.Helper()
		var s map[string][2]any
		if err := json.Unmarshal([]byte(b.get(flaskURL+"/session")), &s); err != nil {
			t.Fatal(err)
		}
		return s
	}

	t.Run("Flask 3.1 writes, Go reads", func(t *testing.T) {
		b := newBrowser(t, uaOdd)
		id := b.get(basicSrv.URL + "/identifier")
		put(b, map[string]any{KeyUserID: "7", KeyFresh: true, KeyID: id})
		wantWho(t, "Go", b.whoami(basicSrv.URL), "7", true)
		wantWho(t, "Go", b.whoami(strongSrv.URL), "7", true)
		put(b, map[string]any{KeyUserID: "7", KeyFresh: true, KeyID: "another client"})
		wantWho(t, "Go basic", b.whoami(basicSrv.URL), "7", false)
		put(b, map[string]any{KeyUserID: "7", KeyFresh: true, KeyID: "another client"})
		w := b.whoami(strongSrv.URL)
		wantWho(t, "Go strong", w, "", false)
		if s := dump(b); len(s) != 0 {
			// Handler popped "_remember" = "clear" and cleared the cookie;
			// nothing of the login is left for Flask.
			t.Errorf("Flask 3.1 sees %s after strong protection", sorted(s))
		}
	})
	t.Run("Go writes, Flask 3.1 reads", func(t *testing.T) {
		b := newBrowser(t, uaOdd)
		b.get(loginURL(bareSrv.URL, "42", "&remember=1&duration=30.5"))
		id := b.get(bareSrv.URL + "/identifier")
		want := map[string][2]any{
			KeyUserID: {"str", "42"}, KeyFresh: {"bool", true}, KeyID: {"str", id},
			KeyRemember: {"str", "set"}, KeyRememberSeconds: {"float", 30.5},
		}
		if got := dump(b); sorted(got) != sorted(want) {
			t.Errorf("after Go's login Flask 3.1 sees %s, want %s", sorted(got), sorted(want))
		}
		b.mu.Lock()
		b.jar[DefaultCookieName] = quoteCookie(lm.EncodeCookie("42"))
		b.mu.Unlock()
		b.get(bareSrv.URL + "/logout")
		want = map[string][2]any{KeyRemember: {"str", "clear"}}
		if got := dump(b); sorted(got) != sorted(want) {
			t.Errorf("after Go's logout Flask 3.1 sees %s, want %s", sorted(got), sorted(want))
		}
	})
	t.Run("headers as werkzeug 3.1 hands them over", func(t *testing.T) {
		b := newBrowser(t, uaOdd)
		b.xff = []string{" 198.51.100.7 , 10.0.0.1", "10.0.0.2"}
		var h struct {
			UserAgent    string `json:"user_agent"`
			ForwardedFor string `json:"forwarded_for"`
			RemoteAddr   string `json:"remote_addr"`
		}
		if err := json.Unmarshal([]byte(b.get(flaskURL+"/headers")), &h); err != nil {
			t.Fatal(err)
		}
		latin1 := func(s string) string {
			r := make([]rune, len(s))
			for i := range len(s) {
				r[i] = rune(s[i])
			}
			return string(r)
		}
		// Go's client trims the values it sends; werkzeug joins repeated
		// headers with ",".
		xff := strings.TrimSpace(b.xff[0]) + "," + strings.TrimSpace(b.xff[1])
		if h.UserAgent != latin1(uaOdd) || h.ForwardedFor != latin1(xff) || h.RemoteAddr != "127.0.0.1" {
			t.Errorf("werkzeug 3.1 hands over %+v", h)
		}
	})
}
