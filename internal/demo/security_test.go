package demo

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	session "github.com/sessionkit/session"
	"github.com/sessionkit/session/flask"
	"github.com/sessionkit/session/memstore"
)

// forgedCookie returns a cookie carrying js as its payload (zlib-compressed
// when compress is set), well formed but signed with another key.
func forgedCookie(t testing.TB, js []byte, compress bool) string {
	t.Helper()
	payload := base64.RawURLEncoding.EncodeToString(js)
	if compress {
		var z bytes.Buffer
		w, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
		w.Write(js)
		w.Close()
		payload = "." + base64.RawURLEncoding.EncodeToString(z.Bytes())
	}
	signer, err := flask.NewSigner(testKey(t))
	if err != nil {
		t.Fatal(err)
	}
	return signer.Sign(payload, time.Now())
}

// hostilePayloads are JSON texts built to make a careless decoder or
// pretty-printer do unbounded work: each is small once compressed.
func hostilePayloads() map[string][]byte {
	rep := func(s string, n int) string { return strings.Repeat(s, n) }
	manyKeys := new(bytes.Buffer)
	manyKeys.WriteString("{")
	for i := range 20000 {
		if i > 0 {
			manyKeys.WriteString(",")
		}
		fmt.Fprintf(manyKeys, `"k%d":[]`, i)
	}
	manyKeys.WriteString("}")
	nested63 := `{"a":` + rep("[", 62) + rep("]", 62) + `}`
	return map[string][]byte{
		// 1 MB of spaces inside a string: inflating must stop at the cap.
		"zlib bomb": []byte(`{"a":"` + rep(" ", 1<<20) + `"}`),
		// 8 MB of JSON whitespace between tokens.
		"zlib bomb of whitespace": []byte(`{` + rep(" ", 8<<20) + `}`),
		// Nesting far past the codec's depth cap.
		"deep nesting": []byte(`{"a":` + rep("[", 30000) + rep("]", 30000) + `}`),
		// Nesting just under the cap, repeated: each level adds indentation.
		"wide nesting under the cap": []byte(`{"a":[` + strings.TrimSuffix(rep(nested63[5:len(nested63)-1]+",", 900), ",") + `]}`),
		"long integer":               []byte(`{"n":` + rep("7", 60000) + `}`),
		"long integers under cap":    []byte(`{"n":[` + strings.TrimSuffix(rep(rep("9", 4300)+",", 14), ",") + `]}`),
		"long float":                 []byte(`{"f":0.` + rep("1", 60000) + `e99999999}`),
		"many keys":                  manyKeys.Bytes(),
		"huge escapes":               []byte(`{"s":"` + rep(`\u00e3`, 10000) + `"}`),
		"surrogate escapes":          []byte(`{"s":"` + rep(`\ud83d\ude00`, 5000) + `"}`),
		"tags":                       []byte(`{"t":` + rep(`{" t":[`, 40) + rep("]}", 40) + `}`),
		"duplicate keys":             []byte(`{` + strings.TrimSuffix(rep(`"a":1,`, 20000), ",") + `}`),
	}
}

// Nothing of an unverified payload costs more than the codec's caps: every
// page that shows the inspector, and the panel, answer with a bounded body
// and bounded allocations, and label what they print as unverified.
func TestInspectorBoundsHostileCookies(t *testing.T) {
	h := newHarness(t, nil)
	handler, err := NewHandler(Config{Key: testKey(t), Lifetime: 2 * time.Minute, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	const maxBody = 96 << 10  // the biggest page, with 16 KiB of JSON
	const maxAlloc = 24 << 20 // per request, all included
	for name, js := range hostilePayloads() {
		for _, compress := range []bool{true, false} {
			cookie := forgedCookie(t, js, compress)
			t.Run(fmt.Sprintf("%s/compressed=%v", name, compress), func(t *testing.T) {
				for _, path := range []string{"/inspetor/painel", "/inspetor", "/", "/exemplo02", "/nada"} {
					// In process, to count what one request allocates.
					req := httptest.NewRequest("GET", path, nil)
					req.Header.Set("Cookie", "session="+cookie)
					w := httptest.NewRecorder()
					var before, after runtime.MemStats
					runtime.ReadMemStats(&before)
					handler.ServeHTTP(w, req)
					runtime.ReadMemStats(&after)
					if alloc := after.TotalAlloc - before.TotalAlloc; alloc > maxAlloc {
						t.Errorf("GET %s with a %d-byte cookie allocated %d bytes", path, len(cookie), alloc)
					}
					if w.Code >= 500 {
						t.Errorf("GET %s = %d", path, w.Code)
					}
					// Against the running demo.
					r := h.get(path, "Cookie", "session="+cookie)
					if len(r.body) > maxBody {
						t.Errorf("GET %s with a %d-byte cookie: %d-byte answer", path, len(cookie), len(r.body))
					}
					if strings.Contains(r.body, `data-valid="true"`) {
						t.Errorf("GET %s: a forged cookie is shown as valid", path)
					}
					if strings.Contains(r.body, `<pre class="json`) && !strings.Contains(r.body, `data-verified="false"`) {
						t.Errorf("GET %s prints the payload without labelling it unverified", path)
					}
				}
			})
		}
	}
}

// The labels and bounds, case by case.
func TestInspectorUnverifiedContent(t *testing.T) {
	h := newHarness(t, nil)
	rep := strings.Repeat
	tests := []struct {
		name    string
		cookie  string
		want    []string
		notWant []string
	}{
		{"readable forgery", forgedCookie(t, []byte(`{"usuario":"admin"}`), false),
			[]string{`data-verified="false"`, "NÃO verificado", "&#34;usuario&#34;: &#34;admin&#34;", `data-valid="false"`}, nil},
		{"bomb past the cap", forgedCookie(t, []byte(`{"a":"`+rep(" ", 1<<20)+`"}`), true),
			[]string{"passariam de 65536 bytes", `data-verified="false"`}, []string{`<pre class="json`}},
		{"too deep", forgedCookie(t, []byte(`{"a":`+rep("[", flask.DefaultMaxDepth+10)+rep("]", flask.DefaultMaxDepth+10)+`}`), true),
			[]string{fmt.Sprintf("mais de %d níveis", flask.DefaultMaxDepth)}, []string{`<pre class="json`}},
		{"cut at 16 KiB", forgedCookie(t, []byte(`{"a":[`+strings.TrimSuffix(rep(rep("[", 20)+"1"+rep("]", 20)+",", 1000), ",")+`]}`), true),
			[]string{"Mostrando só os primeiros 16384 bytes", `data-verified="false"`}, nil},
		{"not JSON", forgedCookie(t, []byte(`not json`), false),
			[]string{"não são o JSON que o Flask escreve"}, []string{`<pre class="json`}},
		{"longer than browsers keep", rep("A", 5000) + ".aSxYzw.AAAAAAAAAAAAAAAAAAAAAAAAAAA",
			[]string{"mais de 4096 bytes ✘", "Início do valor recebido"}, []string{rep("A", 300)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.get("/inspetor/painel", "Cookie", "session="+tt.cookie)
			for _, w := range tt.want {
				if !strings.Contains(r.body, w) {
					t.Errorf("panel lacks %q:\n%s", w, r.body)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(r.body, w) {
					t.Errorf("panel has %q", w)
				}
			}
		})
	}
	// A genuine cookie's content is labelled as checked.
	h.get("/login")
	if r := h.get("/inspetor/painel"); !strings.Contains(r.body, `data-verified="true"`) || !strings.Contains(r.body, "assinatura conferida") {
		t.Errorf("a genuine cookie's content is not labelled checked:\n%s", r.body)
	}
}

func TestIndentJSON(t *testing.T) {
	tests := []struct {
		in, want string
		limit    int
		cut      bool
	}{
		{`{}`, `{}`, 100, false},
		{`{"a":[]}`, "{\n  \"a\": []\n}", 100, false},
		{`{"a":[1,{"b":"x,y:{"}]}`, "{\n  \"a\": [\n    1,\n    {\n      \"b\": \"x,y:{\"\n    }\n  ]\n}", 100, false},
		{`{"a":"\"}"}`, "{\n  \"a\": \"\\\"}\"\n}", 100, false},
		{`{"a":[[[[[[1]]]]]]}`, "{\n  \"a\": [\n    ", 14, true},
	}
	for _, tt := range tests {
		got, cut := indentJSON([]byte(tt.in), tt.limit)
		if got != tt.want || cut != tt.cut {
			t.Errorf("indentJSON(%s, %d) = %q, %v; want %q, %v", tt.in, tt.limit, got, cut, tt.want, tt.cut)
		}
	}
	// The output never runs far past the limit, whatever the input.
	deep := []byte(strings.Repeat("[", 64) + strings.Repeat("]", 64))
	if got, _ := indentJSON(bytes.Repeat(deep, 1000), 1000); len(got) > 1000+200 {
		t.Errorf("indentJSON wrote %d bytes for a limit of 1000", len(got))
	}
}

// The language switch's return path: a browser reads what localPath
// accepts as a path of this site, and nothing it rejects gets through.
func TestLocalPath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/", "/"},
		{"/exemplo02", "/exemplo02"},
		{"/desafio/solucao/", "/desafio/solucao/"},
		{"/inspetor/painel", "/inspetor/painel"},
		{"/a-b_c.d~e", "/a-b_c.d~e"},
		{"", "/"},
		{"exemplo02", "/"},
		{"//evil.example", "/"},
		{"//evil.example/", "/"},
		{"https://evil.example/", "/"},
		{"/\\evil.example", "/"},
		{"\\\\evil.example", "/"},
		{"/\t/evil.example", "/"},
		{"/\n/evil.example", "/"},
		{"/\r/evil.example", "/"},
		{"\t//evil.example", "/"},
		{" //evil.example", "/"},
		{"\x00//evil.example", "/"},
		{"\x1f/evil.example", "/"},
		{"/evil.example\x7f", "/"},
		{"/%2F/evil.example", "/"},
		{"/%2f%2fevil.example", "/"},
		{"/%5Cevil.example", "/"},
		{"/%09/evil.example", "/"},
		{"/./", "/"},
		{"/../evil", "/"},
		{"/a//b", "/"},
		{"/a/../../evil", "/"},
		{"/@evil.example", "/"},
		{"/:evil", "/"},
		{"/?x=//evil.example", "/"},
		{"/#//evil.example", "/"},
		{"/ção", "/"},
		{"/\u3000/evil.example", "/"},
		{"/\uff0fevil.example", "/"},
		{"/" + strings.Repeat("a", 600), "/"},
	}
	for _, tt := range tests {
		if got := localPath(tt.in); got != tt.want {
			t.Errorf("localPath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// voltaCandidates combines what browsers strip, fold or decode around a
// slash, before and after it, with a host: every string a hostile link
// could put in volta to reach another origin.
func voltaCandidates() []string {
	parts := []string{"", "/", "\\", "\t", "\n", "\r", " ", "\x00", "\x01", "\x1f", "\x7f", "%2f", "%2F", "%5c", "%09", "%0a", ".", "..", "@", ":", "?", "#", "\u3000", "\uff0f"}
	var out []string
	for _, a := range parts {
		for _, b := range parts {
			for _, c := range []string{"/", "\\", ""} {
				out = append(out, a+c+b+"evil.example/", c+a+b+"evil.example", a+b+c+"/evil.example")
			}
		}
	}
	return out
}

func TestLanguageSwitchStaysOnSite(t *testing.T) {
	h := newHarness(t, nil)
	base, _ := url.Parse(h.srv.URL + "/")
	for _, back := range append(voltaCandidates(), "/exemplo02", "/desafio/solucao/") {
		req, _ := http.NewRequest("GET", h.srv.URL+"/idioma/en?volta="+url.QueryEscape(back), nil)
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || loc != localPath(back) {
			t.Errorf("volta=%q: %d to %q, want 303 to %q", back, resp.StatusCode, loc, localPath(back))
		}
		// Go's own parser, as a first check; TestBrowserVoltaStaysOnSite
		// asks Chromium's.
		if u, err := base.Parse(loc); err != nil || u.Host != base.Host {
			t.Errorf("volta=%q leads to %q", back, loc)
		}
	}
}

// Unsafe requests from another site are refused before the session is
// loaded: 403, the site's page, no Set-Cookie, the session untouched.
func TestCrossOriginRequestsRefused(t *testing.T) {
	h := newHarness(t, nil)
	h.get("/login") // Maria
	h.post("/exemplo02", url.Values{"nome": {"Ana"}})
	before := h.cookie().Value
	unsafe := []struct {
		path string
		form url.Values
	}{
		{"/desafio/solucao/login", url.Values{"usuario": {"atacante"}, "senha": {demoPassword}}},
		{"/desafio/entrar", url.Values{"usuario": {"atacante"}, "senha": {demoPassword}}},
		{"/desafio/solucao/logout", nil},
		{"/desafio/sair", nil},
		{"/exemplo02", url.Values{"nome": {"Intrusa"}}},
		{"/exemplo02/limpar", nil},
		{"/recomecar", url.Values{"volta": {"/"}}},
		{"/inspetor/adulterar", url.Values{"dados": {`{"usuario":"admin"}`}}},
		{"/inspetor/apagar", nil},
	}
	origins := []struct {
		name   string
		header []string
		lang   string
		want   string
	}{
		{"Sec-Fetch-Site cross-site", []string{"Sec-Fetch-Site", "cross-site"}, "pt-BR", "Pedido de outro site recusado"},
		{"Sec-Fetch-Site same-site", []string{"Sec-Fetch-Site", "same-site", "Origin", "http://sub.127.0.0.1.example"}, "en", "Request from another site refused"},
		{"Origin only", []string{"Origin", "http://evil.example"}, "pt-BR", "Pedido de outro site recusado"},
	}
	for _, o := range origins {
		for _, u := range unsafe {
			t.Run(o.name+" "+u.path, func(t *testing.T) {
				req, _ := http.NewRequest("POST", h.srv.URL+u.path, strings.NewReader(u.form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Accept-Language", o.lang)
				req.Header.Set("Cookie", "session="+before)
				for i := 0; i+1 < len(o.header); i += 2 {
					req.Header.Set(o.header[i], o.header[i+1])
				}
				resp, err := http.DefaultTransport.RoundTrip(req)
				if err != nil {
					t.Fatal(err)
				}
				var body bytes.Buffer
				body.ReadFrom(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusForbidden {
					t.Errorf("POST %s = %d, want 403", u.path, resp.StatusCode)
				}
				if sc := resp.Header.Values("Set-Cookie"); len(sc) != 0 {
					t.Errorf("POST %s refused with Set-Cookie %q", u.path, sc)
				}
				for _, want := range []string{o.want, `<nav aria-label=`, `action="/recomecar"`} {
					if !strings.Contains(body.String(), want) {
						t.Errorf("the 403 page lacks %q", want)
					}
				}
			})
		}
	}
	if got := h.get("/perfil").body; got != "Bem-vindo, Maria!" {
		t.Errorf("after the refused requests /perfil = %q", got)
	}
	if got := names(h.get("/exemplo02").body); fmt.Sprint(got) != "[Ana]" {
		t.Errorf("after the refused requests the list is %q", got)
	}
	// The same forms from the site itself, and from a client that names no
	// origin (curl), go through.
	for _, hdr := range [][]string{{"Sec-Fetch-Site", "same-origin"}, {"Origin", h.srv.URL}, nil} {
		req, _ := http.NewRequest("POST", h.srv.URL+"/exemplo02", strings.NewReader("nome=Bia"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		if r := h.do(req); r.status != http.StatusOK || r.url != "/exemplo02" {
			t.Errorf("POST /exemplo02 with %q: %d at %s", hdr, r.status, r.url)
		}
	}
}

// identity returns what identifies the session behind cookie: with a store,
// the signed session ID; with cookie sessions, the _sk_id nonce that Renew
// replaces.
func identity(t *testing.T, h *harness, cookie string) string {
	t.Helper()
	signer, _ := flask.NewSigner(h.cfg.Key)
	if h.cfg.Store != nil {
		m, err := session.New(h.cfg.Key)
		if err != nil {
			t.Fatal(err)
		}
		payload, _, _, err := m.IDSigner().Unsign(cookie)
		if err != nil {
			t.Fatalf("the demo's own ID cookie does not verify: %v", err)
		}
		return payload
	}
	vals, err := flask.NewCodec(signer).Decode(cookie, h.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	id, _ := vals["_sk_id"].(string)
	return id
}

// Every change of privilege gives the session a new identity: what
// identified it before (a cookie an attacker planted, say) is worth nothing
// after it. With a store the old ID is gone.
func TestSessionRenewedOnPrivilegeChange(t *testing.T) {
	steps := []struct {
		name string
		do   func(h *harness) response
	}{
		{"Exemplo 01 login", func(h *harness) response { return h.get("/login") }},
		{"Exemplo 01 logout", func(h *harness) response { h.get("/login"); return h.get("/logout") }},
		{"Desafio login", func(h *harness) response {
			return h.post("/desafio/solucao/login", url.Values{"usuario": {"Joana"}, "senha": {demoPassword}})
		}},
		{"Desafio logout", func(h *harness) response {
			h.post("/desafio/solucao/login", url.Values{"usuario": {"Joana"}, "senha": {demoPassword}})
			return h.post("/desafio/solucao/logout", nil)
		}},
		{"start over", func(h *harness) response { return h.post("/recomecar", url.Values{"volta": {"/exemplo02"}}) }},
	}
	for _, mode := range []string{"cookie", "memory"} {
		for _, st := range steps {
			t.Run(mode+"/"+st.name, func(t *testing.T) {
				h := newHarness(t, func(c *Config) {
					if mode == "memory" {
						c.Store, c.StoreName = memstore.New(), "memory"
					}
				})
				// A session before the change: one name in the list.
				h.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
				h.post("/exemplo02", url.Values{"nome": {"Ana"}})
				planted := h.cookie().Value
				before := identity(t, h, planted)
				st.do(h)
				c := h.cookie()
				if c == nil {
					t.Fatal("no session cookie after the change")
				}
				after := identity(t, h, c.Value)
				if after == "" || after == before {
					t.Errorf("identity before %q, after %q: not renewed", before, after)
				}
				if mode == "memory" {
					// The planted ID no longer reaches any session.
					r := h.get("/perfil", "Cookie", "session="+planted)
					got := names(h.get("/exemplo02", "Cookie", "session="+planted).body)
					if r.body != "Nenhum usuário logado." || len(got) != 0 {
						t.Errorf("the old ID still reaches the session: /perfil %q, list %q", r.body, got)
					}
				}
			})
		}
	}
}

// Flash messages are text, escaped once by the page that shows them.
func TestFlashEscapedOnce(t *testing.T) {
	for _, name := range []string{"O'Brien", `Zé "Zeca" <b>&amp;</b>`, "Ana & Bia", "<script>alert(1)</script>"} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, nil)
			r := h.post("/desafio/solucao/login", url.Values{"usuario": {name}, "senha": {demoPassword}})
			m := regexp.MustCompile(`<p class="flash flash-success">([^<]*)</p>`).FindStringSubmatch(r.body)
			if m == nil {
				t.Fatalf("no welcome flash:\n%s", r.body)
			}
			if got, want := html.UnescapeString(m[1]), "Bem-vindo, "+name+"! Login feito."; got != want {
				t.Errorf("the flash reads %q, want %q", got, want)
			}
			if strings.Contains(r.body, "&amp;#") || strings.Contains(r.body, "&amp;lt;") {
				t.Error("the page escapes something twice")
			}
			if strings.Contains(r.body, "<script>alert") || strings.Contains(r.body, "<b>&amp;") {
				t.Error("the name reaches the page unescaped")
			}
			if !strings.Contains(r.body, "<strong>"+html.EscapeString(name)+"</strong>") && !strings.Contains(r.body, "<strong>"+strings.NewReplacer("'", "&#39;", `"`, "&#34;", "<", "&lt;", ">", "&gt;", "&", "&amp;").Replace(name)+"</strong>") {
				t.Error("the protected page does not show the name escaped once")
			}
		})
	}
}

// Catalog entries written as flashes hold no markup: the template escapes
// them.
func TestFlashEntriesArePlainText(t *testing.T) {
	for _, k := range flashKeys {
		for _, s := range catalog[k] {
			if strings.ContainsAny(s, "<>&") {
				t.Errorf("flash entry %s holds markup: %q", k, s)
			}
		}
	}
}

func TestCompactJSON(t *testing.T) {
	tests := []struct{ in, want string }{
		{"{\n  \"usuario\": \"Maria\"\n}", `{"usuario":"Maria"}`},
		{`{ "a" : "x y\" z" , "b":[ 1, 2 ] }`, `{"a":"x y\" z","b":[1,2]}`},
		{`{"a":"\\"}  `, `{"a":"\\"}`},
		{"not json at all", "notjsonatall"},
		{`"unterminated   `, `"unterminated   `},
	}
	for _, tt := range tests {
		if got := string(compactJSON(tt.in)); got != tt.want {
			t.Errorf("compactJSON(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
