package flaskwtf

import (
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	session "github.com/sessionkit/session"
)

// The live tests run a Flask app (testdata/wtfapp.py with the real
// Flask-WTF, or testdata/plainapp.py without it) next to a Go server using
// the session middleware and CSRF.Handler, with one key and one cookie
// jar: a browser going back and forth between the two services.

// offsetClock is time.Now moved by a settable offset, for tokens that are
// expired or from the future without waiting.
type offsetClock struct {
	mu     sync.Mutex // guards offset
	offset time.Duration
}

func (c *offsetClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *offsetClock) Set(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = d
}

// goServer is the Go side: GET /form renders a form carrying a token;
// POST /submit answers "ok " and the field x; refusals are 400 with
// Flask-WTF's reason, as the Flask apps answer them.
func goServer(t *testing.T) (*httptest.Server, *offsetClock) {
	t.Helper()
	m := newManager(t)
	c, err := New([]byte(testKey))
	if err != nil {
		t.Fatal(err)
	}
	clock := &offsetClock{}
	c.Now = clock.Now
	c.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		http.Error(w, Reason(err), http.StatusBadRequest)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /form", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<form method="post" action="/submit"><input type="hidden" name="csrf_token" value="%s"><input name="x"></form>`,
			html.EscapeString(c.Token(session.FromContext(r.Context()))))
	})
	mux.HandleFunc("POST /submit", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "ok "+r.PostFormValue("x"))
	})
	srv := httptest.NewServer(m.Handler(c.Handler(mux)))
	t.Cleanup(srv.Close)
	return srv, clock
}

type browser struct {
	t *testing.T
	c *http.Client
}

func newBrowser(t *testing.T) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t, &http.Client{Jar: jar, Timeout: 60 * time.Second}}
}

var tokenField = regexp.MustCompile(`name="csrf_token" value="([^"]*)"`)

// form GETs base/form and returns the token of the form.
func (b *browser) form(base string) string {
	b.t.Helper()
	code, body := b.get(base + "/form")
	m := tokenField.FindStringSubmatch(body)
	if code != 200 || m == nil {
		b.t.Fatalf("GET %s/form: %d %q", base, code, body)
	}
	return html.UnescapeString(m[1])
}

func (b *browser) get(u string) (int, string) {
	b.t.Helper()
	resp, err := b.c.Get(u)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// submit posts the form (token in csrf_token, or in header h) to base/submit
// and returns the status and the trimmed body.
func (b *browser) submit(base, token, h string) (int, string) {
	b.t.Helper()
	form := url.Values{"x": {"olá"}}
	if h == "" {
		form.Set("csrf_token", token)
	}
	req, err := http.NewRequest("POST", base+"/submit", strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if h != "" {
		req.Header.Set(h, token)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(body))
}

// tamper changes a signature character that carries only MAC bits: the
// last one also carries 2 unused bits, which itsdangerous ignores (a
// token differing there is the same token to Flask; Go refuses the
// non-canonical spelling).
func tamper(tok string) string {
	i := len(tok) - 3
	c := byte('A')
	if tok[i] == 'A' {
		c = 'B'
	}
	return tok[:i] + string(c) + tok[i+1:]
}

// TestLiveFlaskWTF: forms rendered by Flask-WTF are accepted by Go, forms
// rendered by Go are accepted by Flask-WTF, and both refuse the same bad
// tokens with the same reason.
func TestLiveFlaskWTF(t *testing.T) {
	python := needFlaskWTF(t)
	flaskURL := startApp(t, python, "wtfapp.py")
	goSrv, clock := goServer(t)
	goURL := goSrv.URL
	const ok = "ok olá"
	want := func(t *testing.T, side string, code int, body string, wantCode int, wantBody string) {
		t.Helper()
		if code != wantCode || body != wantBody {
			t.Errorf("%s answered %d %q, want %d %q", side, code, body, wantCode, wantBody)
		}
	}

	t.Run("Flask form posted to Go", func(t *testing.T) {
		b := newBrowser(t)
		tok := b.form(flaskURL) // Flask-WTF creates the raw token
		code, body := b.submit(goURL, tok, "")
		want(t, "Go", code, body, 200, ok)
		code, body = b.submit(goURL, tok, "X-CSRFToken")
		want(t, "Go (header)", code, body, 200, ok)
	})
	t.Run("Go form posted to Flask", func(t *testing.T) {
		b := newBrowser(t)
		tok := b.form(goURL) // Go creates the raw token
		code, body := b.submit(flaskURL, tok, "")
		want(t, "Flask", code, body, 200, ok)
		code, body = b.submit(flaskURL, tok, "X-CSRF-Token")
		want(t, "Flask (header)", code, body, 200, ok)
		// Flask's form in the same session carries the same raw token.
		code, body = b.submit(goURL, b.form(flaskURL), "")
		want(t, "Go", code, body, 200, ok)
	})
	t.Run("expired", func(t *testing.T) {
		b := newBrowser(t)
		tok := b.form(flaskURL)
		clock.Set(time.Hour + 5*time.Second) // Go's clock an hour and 5 s ahead
		code, body := b.submit(goURL, tok, "")
		want(t, "Go", code, body, 400, "The CSRF token has expired.")
		clock.Set(-time.Hour - 5*time.Second) // Go signs an hour and 5 s ago
		code, body = b.submit(flaskURL, b.form(goURL), "")
		want(t, "Flask", code, body, 400, "The CSRF token has expired.")
		clock.Set(time.Minute) // Go signs a minute in the future
		code, body = b.submit(flaskURL, b.form(goURL), "")
		want(t, "Flask", code, body, 400, "The CSRF token has expired.")
		clock.Set(0)
		code, body = b.submit(flaskURL, b.form(goURL), "")
		want(t, "Flask", code, body, 200, ok)
	})
	t.Run("tampered", func(t *testing.T) {
		b := newBrowser(t)
		tok := tamper(b.form(flaskURL))
		code, body := b.submit(goURL, tok, "")
		want(t, "Go", code, body, 400, "The CSRF token is invalid.")
		code, body = b.submit(flaskURL, tok, "")
		want(t, "Flask", code, body, 400, "The CSRF token is invalid.")
		tok = tamper(b.form(goURL))
		code, body = b.submit(flaskURL, tok, "")
		want(t, "Flask", code, body, 400, "The CSRF token is invalid.")
		code, body = b.submit(goURL, tok, "")
		want(t, "Go", code, body, 400, "The CSRF token is invalid.")
	})
	t.Run("missing, no session, other session", func(t *testing.T) {
		b := newBrowser(t)
		mine := b.form(flaskURL)
		for _, base := range []string{flaskURL, goURL} {
			code, body := b.submit(base, "", "")
			want(t, base, code, body, 400, "The CSRF token is missing.")
			code, body = newBrowser(t).submit(base, mine, "")
			want(t, base, code, body, 400, "The CSRF session token is missing.")
			other := newBrowser(t)
			other.form(goURL)
			code, body = other.submit(base, mine, "")
			want(t, base, code, body, 400, "The CSRF tokens do not match.")
		}
	})
}

// TestLiveFlask3 runs what can run without Flask-WTF against Flask 3:
// the raw token travels in Flask 3.1 session cookies both ways, and
// itsdangerous (the version Flask 3.1 ships with) signs and checks tokens
// with Flask-WTF's salt.
func TestLiveFlask3(t *testing.T) {
	python := needFlask3(t)
	flaskURL := startApp(t, python, "plainapp.py")
	goSrv, clock := goServer(t)
	goURL := goSrv.URL

	// Flask 3 stores the raw token and signs it; Go accepts the token.
	b := newBrowser(t)
	raw := newRawToken()
	if code, body := b.get(flaskURL + "/put?raw=" + raw); code != 200 {
		t.Fatalf("put: %d %q", code, body)
	}
	_, tok := b.get(flaskURL + "/sign")
	if code, body := b.submit(goURL, tok, ""); code != 200 {
		t.Errorf("Go refused Flask 3's token: %d %q", code, body)
	}
	// Go's token from the same raw token passes itsdangerous in Flask 3.
	if code, body := b.verify(flaskURL, b.form(goURL)); code != 200 {
		t.Errorf("Flask 3 refused Go's token: %d %q", code, body)
	}

	// Go creates the raw token; Flask 3 reads it from the session.
	b = newBrowser(t)
	tok = b.form(goURL)
	_, sess := b.get(flaskURL + "/session")
	if !strings.Contains(sess, `"csrf_token":"`) {
		t.Fatalf("Flask 3 sees no raw token in %s", sess)
	}
	if code, body := b.verify(flaskURL, tok); code != 200 {
		t.Errorf("Flask 3 refused Go's token: %d %q", code, body)
	}
	if code, body := b.verify(flaskURL, tamper(tok)); code != 400 || body != "The CSRF token is invalid." {
		t.Errorf("Flask 3 on a tampered token: %d %q", code, body)
	}
	clock.Set(-time.Hour - 5*time.Second)
	if code, body := b.verify(flaskURL, b.form(goURL)); code != 400 || body != "The CSRF token has expired." {
		t.Errorf("Flask 3 on an expired token: %d %q", code, body)
	}
	clock.Set(time.Hour + 5*time.Second)
	_, tok = b.get(flaskURL + "/sign")
	if code, body := b.submit(goURL, tok, ""); code != 400 || body != "The CSRF token has expired." {
		t.Errorf("Go on Flask 3's token an hour later: %d %q", code, body)
	}
}

// verify posts token to plainapp.py's /verify.
func (b *browser) verify(base, token string) (int, string) {
	b.t.Helper()
	resp, err := b.c.PostForm(base+"/verify", url.Values{"csrf_token": {token}})
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(body))
}
