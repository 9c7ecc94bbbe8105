package demo

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// viewport sets the tab's width in CSS pixels, as a phone (touch, the
// page's viewport meta applied) below 600 px.
func (b *browser) viewport(width int64) {
	b.t.Helper()
	if width < 600 {
		b.do(chromedp.EmulateViewport(width, 800, chromedp.EmulateMobile))
	} else {
		b.do(chromedp.EmulateViewport(width, 900))
	}
}

// evalJSON evaluates js, which returns JSON.stringify(...), into v.
func (b *browser) evalJSON(js string, v any) {
	b.t.Helper()
	if err := json.Unmarshal([]byte(b.eval(js)), v); err != nil {
		b.t.Fatalf("evaluating %s: %v", js, err)
	}
}

// fillForLayout gives the browser's session what makes the pages long and
// wide: a login (Exemplo 01's, which the Desafio's solution honours too),
// names with accents and an emoji, and enough long ones for four-digit
// cookie sizes.
func (b *browser) fillForLayout() {
	b.t.Helper()
	b.do(chromedp.Navigate(b.url + "/login"))
	b.open("/exemplo02")
	for _, name := range []string{"Ana", "Maria Eduarda dos Santos", "João", "😀", "Pneumoultramicroscopicossilicovulcanoconiótico",
		"Cláudia Regina", strings.Repeat("Bartolomeu ", 12), "Zé"} {
		b.do(chromedp.SetValue(chromedp.CSS("#nome"), name))
		b.submit(`form.add button[type="submit"]`)
	}
	maxSize := func() int {
		n, _ := strconv.Atoi(b.eval(`String(Math.max(0, ...Array.from(document.querySelectorAll("#sizes [data-size]")).map(e => +e.dataset.size)))`))
		return n
	}
	for i := 0; maxSize() < 1000; i++ {
		if i == 20 {
			b.t.Fatal("no four-digit cookie size after 20 long names")
		}
		b.do(chromedp.SetValue(chromedp.CSS("#nome"), longName(b.t, i)[:120]))
		b.submit(`form.add button[type="submit"]`)
	}
}

// layoutPages are the pages checked for layout and photographed; the
// error pages a browser reaches by navigating also have their heading
// checked in each language (heading, a catalog key).
var layoutPages = []struct{ name, path, heading string }{
	{"inicio", "/", ""},
	{"exemplo01", "/exemplo01", ""},
	{"exemplo02", "/exemplo02", ""},
	{"inspetor", "/inspetor", ""},
	{"cifrado", "/inspetor/cifrado", ""},
	{"chave", "/chave", ""},
	{"desafio", "/desafio", ""},
	{"solucao", "/desafio/solucao/login", ""},
	{"perfil", "/desafio/solucao/perfil", ""},
	{"erro404", "/nada", "err.notfound.h"},
	{"erro405", "/recomecar", "err.method.h"},
}

// layoutJS measures the page: horizontal overflow, the inspector's box and
// the box of what it explains (in page coordinates), and the words broken
// across lines although they would fit one.
const layoutJS = `(() => {
  const se = document.scrollingElement;
  const box = el => { if (!el) return null; const r = el.getBoundingClientRect();
    return {top: r.top + scrollY, bottom: r.bottom + scrollY, left: r.left, right: r.right}; };
  const broken = [];
  const walker = document.createTreeWalker(document.querySelector("main"), NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const p = n.parentElement;
    if (!p || p.closest("pre, .cookie-raw, code, textarea, svg, .name") || !p.getClientRects().length) continue;
    // A token longer than a phone's line may wrap anywhere; a shorter one
    // only after its hyphens, where every browser may break a line.
    const re = /\S+/gu;
    let m;
    while ((m = re.exec(n.data))) {
      if (m[0].length > 20) continue;
      let at = m.index;
      for (const part of m[0].split(/(?<=-)/)) {
        const r = document.createRange();
        r.setStart(n, at); r.setEnd(n, at + part.length);
        at += part.length;
        const lines = new Set(Array.from(r.getClientRects()).filter(q => q.width > 0).map(q => Math.round(q.top)));
        if (lines.size > 1) broken.push(part);
      }
    }
  }
  return JSON.stringify({
    scrollWidth: se.scrollWidth, innerWidth: innerWidth, clientWidth: document.documentElement.clientWidth,
    innerHeight: innerHeight,
    inspector: box(document.getElementById("inspetor-lateral")),
    explained: box(document.querySelector("[data-explained]")),
    broken: broken,
  });
})()`

type layoutBox struct{ Top, Bottom, Left, Right float64 }

type layout struct {
	ScrollWidth, InnerWidth, ClientWidth, InnerHeight float64
	Inspector, Explained                              *layoutBox
	Broken                                            []string
}

// TestBrowserLayout opens every page, in both languages, from 320 to 430
// px wide and at 1280: no horizontal overflow, no word broken although it
// fits a line; on a phone the inspector comes right after what it
// explains, on a desktop beside it and in view; error pages speak the
// visitor's language. Screenshots of every page at 360, 390 and 1280 px go
// to $SESSIONKIT_ARTIFACTS/demo, and of the 413 page (a form over 16 KiB)
// at 390.
func TestBrowserLayout(t *testing.T) {
	b := newBrowser(t, nil)
	b.fillForLayout()
	for _, lang := range []string{"pt-BR", "en"} {
		b.do(chromedp.Navigate(b.url + "/idioma/" + lang))
		for _, width := range []int64{320, 360, 390, 430, 1280} {
			b.viewport(width)
			for _, p := range layoutPages {
				b.open(p.path)
				var l layout
				b.evalJSON(layoutJS, &l)
				where := fmt.Sprintf("%s (%s) at %d px", p.path, lang, width)
				if l.InnerWidth != float64(width) {
					t.Errorf("%s: innerWidth %v", where, l.InnerWidth)
				}
				if l.ScrollWidth > l.InnerWidth || l.ScrollWidth > l.ClientWidth {
					t.Errorf("%s: the page is %v px wide, %v px shown", where, l.ScrollWidth, l.InnerWidth)
				}
				if len(l.Broken) > 0 {
					t.Errorf("%s: words broken mid-word: %q", where, l.Broken)
				}
				if l.Inspector == nil {
					t.Errorf("%s: no inspector", where)
					continue
				}
				if e := l.Explained; e != nil {
					switch {
					case width < 600 && (l.Inspector.Top < e.Bottom-1 || l.Inspector.Top-e.Bottom > 600):
						t.Errorf("%s: the inspector starts %v px below what it explains, want 0..600", where, l.Inspector.Top-e.Bottom)
					case width >= 600 && (l.Inspector.Left < e.Right || l.Inspector.Top > l.InnerHeight):
						t.Errorf("%s: the inspector at %+v is not beside %+v and in view", where, *l.Inspector, *e)
					}
				}
				if p.heading != "" {
					if h, want := strings.TrimSpace(b.text("h1")), plainText(lang, p.heading); h != want {
						t.Errorf("%s: heading %q, want %q", where, h, want)
					}
					if got := b.eval(`document.documentElement.lang`); got != lang {
						t.Errorf("%s: <html lang=%q>", where, got)
					}
				}
				if width == 360 || width == 390 || width == 1280 {
					b.shot(fmt.Sprintf("%s-%s-%d", p.name, lang, width))
				}
				if *updateScreenshots && width == 390 && lang == "pt-BR" && p.name == "exemplo02" {
					writeDocShot(t, b, "screenshot-celular.png")
				}
			}
			if width == 390 {
				// A form over the 16 KiB limit, sent from the page as a
				// browser would: the 413 page, in the visitor's language.
				b.open("/exemplo02")
				b.eval(`document.querySelector("#nome").removeAttribute("maxlength"); document.querySelector("#nome").value = "x".repeat(17 << 10); ""`)
				b.submit(`form.add button[type="submit"]`)
				if h, want := strings.TrimSpace(b.text("h1")), plainText(lang, "err.form.h"); h != want {
					t.Errorf("a 17 KiB form (%s): heading %q, want %q", lang, h, want)
				}
				b.shot(fmt.Sprintf("erro413-%s-%d", lang, width))
			}
		}
	}
}

// The chart's labels, as the browser lays them out, cross no line.
func TestBrowserChartLabels(t *testing.T) {
	b := newBrowser(t, nil)
	b.open("/exemplo02")
	for i := range 12 {
		b.do(chromedp.SetValue(chromedp.CSS("#nome"), longName(t, i)[:30*(i%4+1)]))
		b.submit(`form.add button[type="submit"]`)
		got := b.eval(`(() => {
  const svg = document.querySelector(".chart svg");
  const pts = document.querySelector(".chart .growth").getAttribute("points").trim().split(/\s+/).map(p => p.split(",").map(Number));
  const lim = document.querySelector(".chart .limit");
  const segs = [[[+lim.getAttribute("x1"), +lim.getAttribute("y1")], [+lim.getAttribute("x2"), +lim.getAttribute("y2")]]];
  for (let i = 1; i < pts.length; i++) segs.push([pts[i-1], pts[i]]);
  const hits = (bb, a, b) => { // does segment a-b cross box bb? sample it
    for (let t = 0; t <= 1; t += 0.01) {
      const x = a[0] + (b[0]-a[0])*t, y = a[1] + (b[1]-a[1])*t;
      if (x >= bb.x && x <= bb.x + bb.width && y >= bb.y && y <= bb.y + bb.height) return true;
    }
    return false;
  };
  const bad = [];
  for (const sel of [".chart .last-label", ".chart .limit-label"]) {
    const bb = document.querySelector(sel).getBBox();
    if (bb.x + bb.width > svg.viewBox.baseVal.width) bad.push(sel + " leaves the chart");
    segs.forEach((s, i) => { if (hits(bb, s[0], s[1])) bad.push(sel + " crosses line " + i); });
  }
  return bad.join("; ");
})()`)
		if got != "" {
			t.Errorf("after %d names: %s", i+1, got)
		}
	}
}

// Chromium, the reference for what a browser makes of a Location header,
// reads every return path the language switch sends as a path of this
// site; and hostile links, followed for real, stay on it.
func TestBrowserVoltaStaysOnSite(t *testing.T) {
	b := newBrowser(t, nil)
	b.open("/")
	cands := voltaCandidates()
	locs := make([]string, len(cands))
	for i, c := range cands {
		locs[i] = localPath(c)
	}
	arg, _ := json.Marshal(map[string]any{"cands": cands, "locs": locs})
	got := b.eval(`(() => {
  const a = ` + string(arg) + `;
  const bad = [];
  a.locs.forEach((l, i) => {
    const u = new URL(l, location.href);
    if (u.origin !== location.origin || u.pathname !== l) bad.push(JSON.stringify(a.cands[i]) + " -> " + l + " -> " + u.href);
  });
  return bad.slice(0, 20).join("\n");
})()`)
	if got != "" {
		t.Errorf("Chromium reads these Locations off the path given:\n%s", got)
	}
	base, _ := url.Parse(b.url)
	for i, c := range cands {
		if i%50 != 0 { // a sample, followed for real
			continue
		}
		b.do(chromedp.Navigate(b.url + "/idioma/en?volta=" + url.QueryEscape(c)))
		if origin := b.eval(`location.origin`); origin != "http://"+base.Host {
			t.Errorf("volta=%q led the browser to %s", c, b.eval(`location.href`))
		}
	}
}

// A page on another site that submits a form to the Desafio's login (login
// CSRF) gets the 403 page, and the browser keeps no session cookie.
func TestBrowserCrossSiteLogin(t *testing.T) {
	b := newBrowser(t, nil)
	attacker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><form id="f" method="post" action="%s/desafio/solucao/login">
<input name="usuario" value="atacante"><input name="senha" value="%s"></form>
<script>document.getElementById("f").submit()</script>`, b.url, demoPassword)
	}))
	t.Cleanup(attacker.Close)
	// Another site: "localhost" is not 127.0.0.1's site.
	evil := strings.Replace(attacker.URL, "127.0.0.1", "localhost", 1)
	b.do(chromedp.Navigate(evil))
	if _, err := chromedp.Run(b.ctx, chromedp.PollFunction[bool](`(o) => location.origin === o && document.readyState === "complete"`,
		chromedp.WithPollingArgs(b.url), chromedp.WithPollingTimeout(15*time.Second))); err != nil {
		t.Fatalf("the forged form never reached the demo: %v (at %s)", err, b.eval(`location.href`))
	}
	if got := b.eval(`document.querySelector("h1").textContent`); got != "Pedido de outro site recusado (403)" {
		t.Errorf("the cross-site login shows %q", got)
	}
	if c := b.sessionCookie(); c != nil {
		t.Errorf("the cross-site login left a session cookie %q", c.Value)
	}
	b.shot("csrf-403")
	// The same form from the site itself logs in.
	b.open("/desafio/solucao/login")
	b.do(chromedp.SendKeys(chromedp.CSS("#d-nome"), "Ana"), chromedp.SendKeys(chromedp.CSS("#d-senha"), demoPassword))
	b.submit(`form.login button[type="submit"]`)
	if got := b.eval(`location.pathname`); got != "/desafio/solucao/perfil" {
		t.Errorf("the site's own login ended at %s", got)
	}
}

// Every command on /chave has a copy button that copies it (or, where the
// clipboard is refused, selects it for Ctrl+C).
func TestBrowserCopyButtons(t *testing.T) {
	b := newBrowser(t, nil)
	b.open("/chave")
	n := b.eval(`String(document.querySelectorAll("pre.copy").length + "/" + document.querySelectorAll("pre.copy + button.copy-btn").length)`)
	if parts := strings.Split(n, "/"); parts[0] != parts[1] || parts[0] == "0" {
		t.Fatalf("code blocks / copy buttons: %s", n)
	}
	b.do(chromedp.Click(chromedp.CSS(`#keep-file + button.copy-btn`)))
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](`(() => {
  const btn = document.querySelector("#keep-file + button.copy-btn");
  return btn.textContent === "Copiado!" ||
    (btn.textContent === "Selecione e copie com Ctrl+C" && getSelection().toString().trim() === document.getElementById("keep-file").textContent.trim());
})()`, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		t.Errorf("the copy button did neither copy nor select: %q", b.eval(`document.querySelector("#keep-file + button.copy-btn").textContent`))
	}
}
