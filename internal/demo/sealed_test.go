package demo

import (
	"context"
	"encoding/base64"
	"errors"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sessionkit/session/flask"
	"github.com/sessionkit/session/internal/desafio"
	"github.com/sessionkit/session/memstore"
	"github.com/sessionkit/session/seal"
)

// openSealed opens a sealed cookie of the demo h runs, with the demo's key
// and scope, as a Flask app with sessionkit_seal and the same key would.
func (h *harness) openSealed(value string) (map[string]any, error) {
	h.t.Helper()
	sl, err := seal.New(seal.Keys{Current: h.cfg.Key}, seal.Scope{Purpose: "session"})
	if err != nil {
		h.t.Fatal(err)
	}
	sl.MaxAge = h.cfg.Lifetime
	pt, _, err := sl.Open("session", value, h.clock.Now())
	if err != nil {
		return nil, err
	}
	return flask.Unmarshal(pt)
}

// attr returns the value of attribute name on the element with id in body.
func attr(t *testing.T, body, id, name string) string {
	t.Helper()
	m := regexp.MustCompile(`id="` + id + `"[^>]*\s` + name + `="([^"]*)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s on #%s", name, id)
	}
	return m[1]
}

// fillSession logs in (Exemplo 01) and adds names (Exemplo 02).
func fillSession(h *harness, names ...string) {
	h.t.Helper()
	h.get("/login")
	for _, n := range names {
		if r := h.post("/exemplo02", url.Values{"nome": {n}}); r.status != http.StatusOK {
			h.t.Fatalf("adding %q: %d", n, r.status)
		}
	}
}

// sealedParts finds the sealed column's token: header, ciphertext, tag.
var sealedParts = regexp.MustCompile(`id="cmp-sealed"(?s:.*?)data-format="sk1"[^>]*><span class="p-ts">([^<]*)</span><span class="p-payload">([^<]*)</span><span class="p-sig">([^<]*)</span>`)

// TestCompareSignedAndSealed: /inspetor/cifrado shows the browser's signed
// cookie as it is, and beside it the SK1 token of the same session: a
// token that opens, with the demo's key and sessionkit_seal's scope, to
// the very session the signed cookie holds, and whose size is what the
// page and the inspector say. Each reload seals anew (another IV), with
// the same length; the growth table ends at the cookie's size.
func TestCompareSignedAndSealed(t *testing.T) {
	h := newHarness(t, nil)
	if r := h.get("/inspetor/cifrado"); !strings.Contains(r.body, "Nenhuma sessão válida para comparar") {
		t.Error("without a session the page does not say there is nothing to compare")
	}
	fillSession(h, "Ana", "João", "😀")
	cookie := h.cookie()
	r := h.get("/inspetor/cifrado")
	if r.status != http.StatusOK {
		t.Fatalf("status %d", r.status)
	}
	parts := sealedParts.FindStringSubmatch(r.body)
	if parts == nil {
		t.Fatal("no sealed token on the page")
	}
	token := parts[1] + parts[2] + parts[3]
	if !strings.HasPrefix(token, "s") {
		t.Fatalf("the sealed column shows %q", token)
	}
	got, err := h.openSealed(token)
	if err != nil {
		t.Fatalf("the shown token does not open with the demo's key: %v", err)
	}
	want, err := h.codec().Decode(cookie.Value, h.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	gj, _ := flask.Marshal(got)
	wj, _ := flask.Marshal(want)
	if string(gj) != string(wj) {
		t.Errorf("the token holds %s, the signed cookie %s", gj, wj)
	}
	signedSize, _ := strconv.Atoi(attr(t, r.body, "cmp-signed", "data-size"))
	sealedSize, _ := strconv.Atoi(attr(t, r.body, "cmp-sealed", "data-size"))
	if signedSize != len("session")+len(cookie.Value) || attr(t, r.body, "cmp-signed", "data-actual") != "true" {
		t.Errorf("signed column: %d bytes, the browser holds %d", signedSize, len("session")+len(cookie.Value))
	}
	if sealedSize != len("session")+len(token) || sealedSize != len("session")+seal.SealedLen(len(wj)) {
		t.Errorf("sealed column says %d bytes; the token is %d, SealedLen %d", sealedSize, len("session")+len(token), len("session")+seal.SealedLen(len(wj)))
	}
	if !strings.Contains(r.body, `data-signed="`+strconv.Itoa(signedSize)+`"`) || !strings.Contains(r.body, `data-sealed="`+strconv.Itoa(sealedSize)+`"`) {
		t.Error("the growth table does not end at the two sizes")
	}
	if n := strings.Count(r.body, `<td class="name">`); n != 3 {
		t.Errorf("the growth table has %d rows, want one per name", n)
	}
	panel := h.get("/inspetor/painel").body
	if !strings.Contains(panel, `data-alt-size="`+strconv.Itoa(sealedSize)+`"`) || !strings.Contains(panel, `href="/inspetor/cifrado"`) {
		t.Error("the inspector does not show the sealed size with a link to the comparison")
	}
	again := h.get("/inspetor/cifrado")
	if strings.Contains(again.body, parts[2]) {
		t.Error("reloading showed the same ciphertext: the IV is not fresh")
	}
	if attr(t, again.body, "cmp-sealed", "data-size") != strconv.Itoa(sealedSize) {
		t.Error("reloading changed the sealed size")
	}
	for _, want := range []string{"CRIME", "57 bytes", "go run ./cmd/sessionkit demo -sealed", `data-countdown="`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the comparison lacks %q", want)
		}
	}
	if r := h.get("/inspetor/cifrado", "Accept-Language", "en"); !strings.Contains(r.body, "Signed × encrypted: one session in both formats") {
		t.Error("the comparison is not in English")
	}
}

// TestCompareServerSide: with a store, the comparison shows what the
// session in the store would cost in either cookie.
func TestCompareServerSide(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Store, c.StoreName = memstore.New(), "memory" })
	fillSession(h, "Ana")
	r := h.get("/inspetor/cifrado")
	if !strings.Contains(r.body, "Se a sessão, que está no servidor, fosse no cookie.") {
		t.Errorf("server-side comparison:\n%s", pageText(r.body))
	}
	if attr(t, r.body, "cmp-signed", "data-actual") != "false" || attr(t, r.body, "cmp-sealed", "data-actual") != "false" {
		t.Error("a format is shown as the browser's cookie, which holds an ID")
	}
}

// TestSealedDemo: with Config.Sealed the demo writes SK1 tokens that
// package seal opens with the demo's key (as sessionkit_seal does), the
// sizes Exemplo 02 and the inspector show are the cookie's as the browser
// holds it, and every page says the cookies are sealed.
func TestSealedDemo(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Sealed = true })
	fillSession(h, "Ana", "João", "Pneumoultramicroscopicossilicovulcanoconiótico")
	c := h.cookie()
	vals, err := h.openSealed(c.Value)
	if err != nil {
		t.Fatalf("the cookie %q does not open: %v", c.Value, err)
	}
	if vals["usuario"] != "Maria" || len(vals["nomes"].([]any)) != 3 || vals["_permanent"] != true {
		t.Errorf("the sealed session holds %v", vals)
	}
	if _, err := flask.Parse(c.Value); err == nil {
		t.Error("a sealed cookie parses as a Flask cookie")
	}
	size := strconv.Itoa(len(c.Name) + len(c.Value))
	r := h.get("/exemplo02")
	rows := regexp.MustCompile(`data-size="([0-9]+)"`).FindAllStringSubmatch(r.body, -1)
	// The GET re-seals the permanent session: the same size.
	if len(rows) == 0 || rows[len(rows)-1][1] != size {
		t.Errorf("Exemplo 02's last size %v, the cookie is %s bytes", rows, size)
	}
	if c2 := h.cookie(); strconv.Itoa(len(c2.Name)+len(c2.Value)) != size {
		t.Errorf("re-sealing changed the size: %d", len(c2.Name)+len(c2.Value))
	}
	p := h.get("/inspetor/painel").body
	if !strings.Contains(p, `data-cookie-size="`+size+`"`) || !strings.Contains(p, `data-format="sk1"`) || !strings.Contains(p, `data-valid="true"`) {
		t.Errorf("the inspector of a sealed cookie:\n%s", pageText(p))
	}
	if !strings.Contains(p, "Pneumoultramicroscopicossilicovulcanoconi") {
		t.Error("the inspector does not show the content the server decrypted")
	}
	for _, path := range []string{"/", "/exemplo02", "/inspetor", "/desafio"} {
		if body := h.get(path).body; !strings.Contains(body, `id="sealed-notice"`) || !strings.Contains(body, "Sessões seladas (SK1") {
			t.Errorf("%s does not say the cookies are sealed", path)
		}
	}
	cmp := h.get("/inspetor/cifrado").body
	if attr(t, cmp, "cmp-sealed", "data-actual") != "true" || attr(t, cmp, "cmp-sealed", "data-size") != size {
		t.Error("the comparison does not show the browser's sealed cookie")
	}
	if !strings.Contains(h.get("/desafio").body, `id="des-sealed"`) {
		t.Error("/desafio does not warn that the grader cannot read a sealed cookie")
	}
}

// TestSealedSizesPredicted: the sealed size a signed demo predicts for a
// session is the size of the cookie a sealed demo writes for it, and the
// reverse; the two demos share one key and take the same steps.
func TestSealedSizesPredicted(t *testing.T) {
	key := testKey(t)
	signed := newHarness(t, func(c *Config) { c.Key = key })
	sealed := newHarness(t, func(c *Config) { c.Key = key; c.Sealed = true })
	names := []string{"Ana", "Cláudia", strings.Repeat("Bartolomeu ", 12), "😀"}
	fillSession(signed, names...)
	fillSession(sealed, names...)
	sp := signed.get("/inspetor/painel").body
	qp := sealed.get("/inspetor/painel").body
	sc, qc := signed.cookie(), sealed.cookie()
	if got, want := attr(t, sp, "inspector-alt", "data-alt-size"), strconv.Itoa(len(qc.Name)+len(qc.Value)); got != want {
		t.Errorf("the signed demo predicts %s bytes sealed; the sealed demo's cookie is %s", got, want)
	}
	if got, want := attr(t, qp, "inspector-alt", "data-alt-size"), strconv.Itoa(len(sc.Name)+len(sc.Value)); got != want {
		t.Errorf("the sealed demo predicts %s bytes signed; the signed demo's cookie is %s", got, want)
	}
}

// TestSealedLimit: a sealed demo refuses the name that would pass 4096
// bytes with the explanation, measured as seal measures (no compression),
// and keeps the list and the cookie.
func TestSealedLimit(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Sealed = true })
	for i := 0; ; i++ {
		if i == 40 {
			t.Fatal("40 long names and no refusal")
		}
		before := h.cookie()
		r := h.post("/exemplo02", url.Values{"nome": {longName(t, i)[:300]}})
		if r.status == http.StatusUnprocessableEntity {
			if !strings.Contains(r.body, "4096 bytes") {
				t.Error("the refusal does not explain the limit")
			}
			after := h.cookie()
			if before == nil || after == nil {
				t.Fatal("no cookie around the refusal")
			}
			a, _ := h.openSealed(after.Value)
			b, _ := h.openSealed(before.Value)
			if len(a["nomes"].([]any)) != len(b["nomes"].([]any)) {
				t.Error("the refused name changed the list")
			}
			return
		}
		if c := h.cookie(); len(c.Name)+len(c.Value) > 4096 {
			t.Fatalf("a %d-byte cookie", len(c.Name)+len(c.Value))
		}
	}
}

// TestSealedTamper: the tamper experiment on a sealed cookie flips the
// ciphertext's bits where the edited text differs (AES-CTR lets anyone do
// that without the key), keeps the header and the tag, and the server
// refuses the token: the session of that request is empty.
func TestSealedTamper(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Sealed = true })
	h.get("/login")
	orig := h.cookie().Value
	m := regexp.MustCompile(`(?s)<textarea id="dados" name="dados"[^>]*>(.*?)</textarea>`).FindStringSubmatch(h.get("/inspetor").body)
	if m == nil {
		t.Fatal("no tamper form for a sealed cookie")
	}
	edited := strings.Replace(html.UnescapeString(m[1]), "Maria", "admin", 1)
	h.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	r := h.post("/inspetor/adulterar", url.Values{"dados": {edited}})
	h.client.CheckRedirect = nil
	var forged string
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == "session" {
			forged = c.Value
		}
	}
	a, _ := base64.RawURLEncoding.DecodeString(orig)
	b, _ := base64.RawURLEncoding.DecodeString(forged)
	if len(a) != len(b) || string(a[:25]) != string(b[:25]) || string(a[len(a)-32:]) != string(b[len(b)-32:]) || string(a) == string(b) {
		t.Fatalf("the forged token does not keep header and tag with a changed ciphertext:\n%x\n%x", a, b)
	}
	diff := 0
	for i := range a {
		if a[i] != b[i] {
			diff++
		}
	}
	// "Maria" and "admin" differ in 4 of their 5 letters (i stays).
	if diff != 4 {
		t.Errorf("%d bytes differ, want the 4 letters that changed", diff)
	}
	res := h.get("/inspetor?adulterado=1")
	if !strings.Contains(res.body, `data-rejected="true"`) || !strings.Contains(res.body, `data-session-len="0"`) || !strings.Contains(res.body, "a etiqueta não") {
		t.Errorf("the forged token was not refused:\n%s", pageText(res.body))
	}
	if got := h.get("/perfil").body; got != "Nenhum usuário logado." {
		t.Errorf("/perfil with the forged token = %q", got)
	}
}

// TestSealedDesafio: the grader cannot read a sealed demo's cookie: the
// Desafio's cookie check fails, saying why, as the /desafio page warns.
func TestSealedDesafio(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Sealed = true })
	r, err := (&desafio.Grader{Lang: "en", Now: h.clock.Now}).Run(context.Background(), h.srv.URL+"/desafio/solucao")
	if err != nil {
		t.Fatal(err)
	}
	if c := r.Check(desafio.CheckCookie); c.Status != desafio.Failed || !strings.Contains(c.Detail, "SK1 sealed token") {
		t.Errorf("cookie check on a sealed demo: %+v", c)
	}
	for _, id := range []string{desafio.CheckApp, desafio.CheckAnonymous, desafio.CheckLogin, desafio.CheckLogout} {
		if c := r.Check(id); c.Status != desafio.Passed {
			t.Errorf("check %s: %+v", id, c)
		}
	}
}

// TestSealedWithStoreRefused: a store keeps a signed ID in the cookie, so
// -sealed with -store is a usage error, and Config.Sealed with a Store an
// error.
func TestSealedWithStoreRefused(t *testing.T) {
	if _, err := NewHandler(Config{Key: testKey(t), Sealed: true, Store: memstore.New()}); err == nil {
		t.Error("NewHandler accepted Sealed with a Store")
	}
	err := run(context.Background(), []string{"-sealed", "-store", "memory"}, func(string) string { return "" }, io.Discard, io.Discard)
	if !errors.Is(err, ErrUsage) || !strings.Contains(err.Error(), "-sealed goes with cookie sessions") {
		t.Errorf("-sealed -store memory: %v", err)
	}
	url, stop, printed := startMain(t, []string{"-sealed"}, nil)
	if !strings.Contains(printed.String(), "sealed (SK1: encrypted)") {
		t.Errorf("-sealed does not say so at start:\n%s", printed)
	}
	resp, err := http.Get(url + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == "session" {
			if _, err := seal.Parse(c.Value); err != nil {
				t.Errorf("-sealed wrote %q, not an SK1 token", c.Value)
			}
		}
	}
	if err := stop(); err != nil {
		t.Error(err)
	}
}
