package demo

import (
	"context"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

var updateScreenshots = flag.Bool("update-screenshots", false, "write docs/screenshot*.png from the browser tests")

// browser is a headless Chromium tab on a demo server.
type browser struct {
	t   *testing.T
	ctx context.Context
	url string // the demo's base URL
}

// chromium returns the browser's path, skipping the test when there is none
// (failing instead under SESSIONKIT_REQUIRE_ALL=1, as in CI).
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("SESSIONKIT_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("SESSIONKIT_REQUIRE_ALL") == "1" {
		t.Fatal("chromium not found (apt-get install chromium) and SESSIONKIT_REQUIRE_ALL=1")
	}
	t.Skip("chromium not found: browser tests skipped (apt-get install chromium to run them)")
	return ""
}

// newBrowser serves the demo configured by edit and opens a fresh browser
// with its own profile.
func newBrowser(t *testing.T, edit func(*Config)) *browser {
	t.Helper()
	exe := chromium(t)
	cfg := Config{Key: testKey(t), Lifetime: 2 * time.Minute, Logger: quiet}
	if edit != nil {
		edit(&cfg)
	}
	h, err := NewHandler(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("lang", "pt-BR"),
		chromedp.Flag("accept-lang", "pt-BR,pt"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 5*time.Minute)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
	})
	return &browser{t: t, ctx: ctx, url: srv.URL}
}

func (b *browser) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatal(err)
	}
}

// open navigates to path and waits for the inspector panel to show the
// cookie the browser holds after the page's response.
func (b *browser) open(path string) {
	b.t.Helper()
	b.do(chromedp.Navigate(b.url + path))
	b.waitPanel()
}

func (b *browser) waitPanel() {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](`!document.getElementById("inspector") || document.getElementById("inspector").dataset.fresh === "1"`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		b.t.Fatalf("inspector panel not refreshed: %v", err)
	}
}

// submit clicks sel, which submits a form or follows a link, and waits for
// the next page: a new document (the old one is marked, and a redirect can
// end the wait for a response before the final page loads), fully loaded,
// with its inspector panel refreshed.
func (b *browser) submit(sel string) {
	b.t.Helper()
	b.eval(`document.documentElement.dataset.old = "1"; ""`)
	if _, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		b.t.Fatalf("submitting with %s: %v", sel, err)
	}
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](`!document.documentElement.dataset.old && document.readyState === "complete"`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		b.t.Fatalf("after %s: no new page: %v", sel, err)
	}
	b.waitPanel()
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func (b *browser) eval(js string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		b.t.Fatalf("evaluating %s: %v", js, err)
	}
	return s
}

// sessionCookie returns the session cookie the browser holds, read through
// the DevTools protocol (which sees HttpOnly cookies), or nil.
func (b *browser) sessionCookie() *network.Cookie {
	b.t.Helper()
	res, err := chromedp.Run(b.ctx, func(ctx context.Context, t *chromedp.Target) (*network.GetCookiesResult, error) {
		r, err := cdp.Call(ctx, t, network.GetCookies, network.GetCookiesParams{URLs: []string{b.url + "/"}})
		return &r, err
	})
	if err != nil {
		b.t.Fatalf("Network.getCookies: %v", err)
	}
	for _, c := range res.Cookies {
		if c.Name == "session" {
			return c
		}
	}
	return nil
}

// artifacts returns the folder for screenshots: $SESSIONKIT_ARTIFACTS/demo,
// by default .artifacts/demo at the repository's root.
func artifacts(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("SESSIONKIT_ARTIFACTS")
	if dir == "" {
		root, err := filepath.Abs(filepath.Join("..", ".."))
		if err != nil {
			t.Fatal(err)
		}
		dir = filepath.Join(root, ".artifacts")
	}
	dir = filepath.Join(dir, "demo")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// shot saves a full-page screenshot of the current page as name.png.
func (b *browser) shot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(artifacts(b.t), name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot: %s", path)
}

// TestBrowserExemplo02 adds names through the real form, with signed and
// with sealed cookies: the list, and the size Exemplo 02's table, the
// inspector and the comparison page report equal to the cookie the browser
// holds (read through the DevTools protocol).
func TestBrowserExemplo02(t *testing.T) {
	for _, sealed := range []bool{false, true} {
		name := map[bool]string{false: "signed", true: "sealed"}[sealed]
		t.Run(name, func(t *testing.T) { browserExemplo02(t, sealed) })
	}
}

func browserExemplo02(t *testing.T, sealed bool) {
	b := newBrowser(t, func(c *Config) { c.Sealed = sealed })
	b.open("/exemplo02")
	if got := b.text("#nomes-empty"); got != "A lista está vazia." {
		t.Fatalf("fresh list: %q", got)
	}
	added := []string{"Ana", "Bruno", "Cláudia", "Davi", "Eduarda"}
	for i, name := range added {
		b.do(chromedp.SendKeys(chromedp.CSS("#nome"), name))
		b.submit(`form.add button[type="submit"]`)
		got := b.eval(`Array.from(document.querySelectorAll("#nomes li")).map(li => li.textContent).join(",")`)
		if want := strings.Join(added[:i+1], ","); got != want {
			t.Fatalf("after adding %q the page lists %q, want %q", name, got, want)
		}
		c := b.sessionCookie()
		if c == nil {
			t.Fatal("the browser holds no session cookie")
		}
		if !c.HTTPOnly {
			t.Error("the session cookie is not HttpOnly")
		}
		if c.Expires <= 0 {
			t.Error("the session cookie is not permanent (no expiry)")
		}
		table, _ := strconv.Atoi(b.eval(`Array.from(document.querySelectorAll("#sizes [data-size]")).pop().dataset.size`))
		panel, _ := strconv.Atoi(b.eval(`document.querySelector("#inspector [data-cookie-size]").dataset.cookieSize`))
		if int64(table) != c.Size || int64(panel) != c.Size || c.Size != int64(len(c.Name)+len(c.Value)) {
			t.Errorf("after %d names: table says %d bytes, inspector %d, the browser holds %d", i+1, table, panel, c.Size)
		}
		if got := strings.HasPrefix(c.Value, "s") && !strings.Contains(c.Value, "."); got != sealed {
			t.Errorf("the browser holds %q, sealed %v", c.Value, sealed)
		}
	}
	// The comparison page: the browser's cookie in its own format's column,
	// at the size the browser holds. (The page re-signs the permanent
	// session, which keeps its size.)
	b.open("/inspetor/cifrado")
	col := map[bool]string{false: "#cmp-signed", true: "#cmp-sealed"}[sealed]
	got := b.eval(`document.querySelector("` + col + `").dataset.actual + " " + document.querySelector("` + col + `").dataset.size`)
	if c := b.sessionCookie(); got != fmt.Sprintf("true %d", c.Size) {
		t.Errorf("the comparison's %s column says %q, the browser holds %d bytes", col, got, c.Size)
	}
	b.shot("cifrado-" + map[bool]string{false: "assinado", true: "selado"}[sealed])
	if *updateScreenshots && !sealed {
		b.do(chromedp.EmulateViewport(1100, 760))
		b.open("/inspetor/cifrado")
		writeDocShot(t, b, "screenshot-cifrado.png")
		b.do(chromedp.EmulateViewport(1280, 900))
	}
	if sealed {
		b.open("/inspetor")
		b.shot("inspetor-selado")
		return
	}
	b.open("/exemplo02")
	b.shot("exemplo02")
	if *updateScreenshots {
		b.do(chromedp.EmulateViewport(1100, 760))
		b.do(chromedp.Navigate(b.url + "/exemplo02"))
		b.waitPanel()
		writeDocShot(t, b, "screenshot-exemplo02.png")
	}
}

func TestBrowserIdleSessionEnds(t *testing.T) {
	b := newBrowser(t, func(c *Config) { c.Lifetime = 3 * time.Second })
	b.open("/exemplo02")
	b.do(chromedp.SendKeys(chromedp.CSS("#nome"), "Ana"))
	b.submit(`form.add button[type="submit"]`)
	if got := b.text("#nomes"); got != "Ana" {
		t.Fatalf("list = %q, want Ana", got)
	}
	// The page's own countdown reaches zero: the tab has been idle for
	// the whole lifetime.
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](`document.querySelector("#inspector .countdown").textContent === "expirado"`, chromedp.WithPollingTimeout(10*time.Second), chromedp.WithPollingInterval(100*time.Millisecond))); err != nil {
		t.Fatalf("the countdown did not reach zero: %v", err)
	}
	// Leave a margin of a second: the signature's age is counted in whole seconds.
	time.Sleep(1100 * time.Millisecond)
	b.open("/exemplo02")
	if got := b.text("#nomes-empty"); got != "A lista está vazia." {
		t.Errorf("after the lifetime idle: %q, want the empty list", got)
	}
	b.shot("exemplo02-expirado")
}

func TestBrowserExemplo01AndTamper(t *testing.T) {
	b := newBrowser(t, nil)
	b.open("/")
	b.shot("home")
	b.open("/exemplo01")
	for _, step := range []struct{ path, want string }{
		{"/perfil", "Nenhum usuário logado."},
		{"/login", "Usuário logado!"},
		{"/perfil", "Bem-vindo, Maria!"},
	} {
		b.do(chromedp.Click(chromedp.CSS(`a[href="` + step.path + `"][data-step]`)))
		want := "GET " + step.path + " → " + step.want
		if _, err := chromedp.Run(b.ctx, chromedp.PollFunction[bool](`(w) => document.getElementById("answer").textContent === w`, chromedp.WithPollingArgs(want), chromedp.WithPollingTimeout(10*time.Second))); err != nil {
			t.Fatalf("button %s: answer %q never shown (now %q)", step.path, want, b.text("#answer"))
		}
	}
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](`document.querySelector("#inspector pre.json") !== null && document.querySelector("#inspector pre.json").textContent.includes("Maria")`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatal("the inspector did not show usuario = Maria after /login")
	}
	b.shot("exemplo01")
	orig := b.sessionCookie()

	b.open("/inspetor")
	if got := b.eval(`document.querySelector("#inspector [data-valid]").dataset.valid`); got != "true" {
		t.Errorf("signature of the genuine cookie: data-valid=%s", got)
	}
	b.shot("inspetor")
	b.do(chromedp.SetValue(chromedp.CSS("#dados"), `{"usuario": "admin"}`))
	b.submit(`form.tamper button[type="submit"]`)
	if got := b.eval(`document.getElementById("tamper-result").dataset.rejected + "/" + document.getElementById("tamper-result").dataset.sessionLen`); got != "true/0" {
		t.Errorf("tamper result rejected/len = %s, want true/0", got)
	}
	if c := b.sessionCookie(); c != nil && c.Value == orig.Value {
		t.Error("the browser still holds the genuine cookie")
	}
	b.shot("inspetor-adulterado")
	b.do(chromedp.Navigate(b.url + "/perfil"))
	if got := b.text("body"); got != "Nenhum usuário logado." {
		t.Errorf("/perfil after tampering = %q", got)
	}
	b.open("/chave")
	b.shot("chave")
}

func TestBrowserDesafio(t *testing.T) {
	b := newBrowser(t, nil)
	b.open("/desafio")
	b.shot("desafio")
	b.submit("#sol-link")
	b.do(chromedp.SendKeys(chromedp.CSS("#d-nome"), "Joana"), chromedp.SendKeys(chromedp.CSS("#d-senha"), "errada"))
	b.submit(`form.login button[type="submit"]`)
	if got := b.text(".flash"); !strings.HasPrefix(got, "Senha incorreta.") {
		t.Errorf("wrong password flash = %q", got)
	}
	b.shot("desafio-solucao")
	b.do(chromedp.SendKeys(chromedp.CSS("#d-nome"), "O'Brien"), chromedp.SendKeys(chromedp.CSS("#d-senha"), demoPassword))
	b.submit(`form.login button[type="submit"]`)
	if got := b.text("#secret"); !strings.Contains(got, "O'Brien") {
		t.Errorf("protected page = %q", got)
	}
	if got := b.text(".flash"); got != "Bem-vindo, O'Brien! Login feito." {
		t.Errorf("welcome flash = %q", got)
	}
	c := b.sessionCookie()
	if c == nil {
		t.Fatal("no session cookie after login")
	}
	if c.Expires <= 0 {
		t.Error("the Desafio's session is not permanent")
	}
	// The login time in the visitor's zone, named.
	if got := b.eval(`document.querySelector("#secret time").textContent`); strings.Contains(got, "?") || !regexp.MustCompile(`[A-Z]{2,}|GMT|UTC`).MatchString(got) {
		t.Errorf("login time %q does not name its zone", got)
	}
	b.shot("desafio-perfil")
	b.submit(`main form button[type="submit"]`)
	if c := b.sessionCookie(); c != nil {
		t.Errorf("after logout the browser still holds session=%q", c.Value)
	}
	if got := b.text(".flash"); got != "Você saiu. A sessão foi limpa." {
		t.Errorf("logout message = %q", got)
	}
	b.do(chromedp.Navigate(b.url + "/desafio/solucao/perfil"))
	if got := b.eval(`location.pathname`); got != "/desafio/solucao/login" {
		t.Errorf("protected page after logout reached at %s", got)
	}
}

// TestBrowserKeyboardAndLanguage walks the home page with Tab (the skip
// link comes first, the next link shows a focus ring), then switches the
// language and sees the choice kept on the next page.
func TestBrowserKeyboardAndLanguage(t *testing.T) {
	b := newBrowser(t, nil)
	b.open("/")
	b.do(chromedp.KeyEvent("\t"))
	if got := b.eval(`document.activeElement.className + ":" + getComputedStyle(document.activeElement).left`); !strings.HasPrefix(got, "skip:0px") {
		t.Errorf("first Tab focuses %q, want the visible skip link", got)
	}
	b.do(chromedp.KeyEvent("\t"))
	if got := b.eval(`getComputedStyle(document.activeElement).outlineStyle`); got != "solid" {
		t.Errorf("focused link outline = %q, want a visible outline", got)
	}
	if got := b.eval(`document.documentElement.lang`); got != "pt-BR" {
		t.Errorf("lang = %q", got)
	}
	// The language switch, then back.
	b.submit(`.lang a`)
	if got := b.eval(`document.documentElement.lang + " " + document.querySelector("h1").textContent`); got != "en Sessions: the server remembers you" {
		t.Errorf("after the switch: %q", got)
	}
	b.shot("home-en")
	b.open("/exemplo02")
	if got := b.text("label[for=nome]"); got != "Name" {
		t.Errorf("English choice not kept on the next page: label %q", got)
	}
	b.submit(`.lang a`)
	if got := b.eval(`location.pathname + " " + document.documentElement.lang`); got != "/exemplo02 pt-BR" {
		t.Errorf("switching back: %q", got)
	}
	if *updateScreenshots {
		b.do(chromedp.EmulateViewport(1100, 760))
		b.do(chromedp.Navigate(b.url + "/"))
		b.waitPanel()
		writeDocShot(t, b, "screenshot.png")
	}
}

// writeDocShot saves the viewport as docs/name (go test -run Browser
// ./internal/demo -update-screenshots).
func writeDocShot(t *testing.T, b *browser, name string) {
	t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "..", "docs", name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%d bytes)", path, len(png))
	if len(png) > 300<<10 {
		t.Errorf("%s is %d bytes, more than 300 KiB", name, len(png))
	}
}

// TestBrowserCookieLimit adds long names through the form until the page
// refuses one: the explanation shows, the list is kept, and the cookie the
// browser holds is the last one that fitted.
func TestBrowserCookieLimit(t *testing.T) {
	b := newBrowser(t, nil)
	b.open("/exemplo02")
	kept := 0
	for i := 0; ; i++ {
		if i == 50 {
			t.Fatal("50 long names and no refusal")
		}
		name := longName(t, i)[:300]
		before := b.sessionCookie()
		b.do(chromedp.SetValue(chromedp.CSS("#nome"), name))
		b.submit(`form.add button[type="submit"]`)
		if b.eval(`document.querySelector(".toobig") ? "yes" : "no"`) == "yes" {
			if got := b.text(".toobig"); !strings.Contains(got, "4096 bytes") || !strings.Contains(got, "descartado em silêncio") {
				t.Errorf("the refusal does not explain the limit: %q", got)
			}
			if n := b.eval(`String(document.querySelectorAll("#nomes li").length)`); n != strconv.Itoa(kept) {
				t.Errorf("the refusal lists %s names, want the %d kept", n, kept)
			}
			// The response may re-sign the permanent session (a new
			// timestamp), but its data must be what it was.
			payload := func(v string) string { return v[:strings.LastIndexByte(v[:strings.LastIndexByte(v, '.')], '.')] }
			if c := b.sessionCookie(); c == nil || payload(c.Value) != payload(before.Value) {
				t.Error("the refused name changed the data in the browser's cookie")
			}
			break
		}
		kept++
		if n := b.eval(`String(document.querySelectorAll("#nomes li").length)`); n != strconv.Itoa(kept) {
			t.Fatalf("after adding name %d the page lists %s", kept, n)
		}
		if c := b.sessionCookie(); c == nil || c.Size > 4096 {
			t.Fatalf("after %d names the browser holds %v", kept, c)
		}
	}
	b.shot("exemplo02-limite")
	if *updateScreenshots {
		b.do(chromedp.EmulateViewport(1100, 760))
		writeDocShot(t, b, "screenshot-limite.png")
	}
}
