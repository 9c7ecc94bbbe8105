package seal

import (
	"bytes"
	"crypto/fips140"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/session/flask"
)

// The pitfalls of the design study (ENCRYPTED_COOKIES.md §2), each
// attacked from outside the package's API; the T numbers are the study's.

func sampleToken(t testing.TB) (*Sealer, string, []byte) {
	t.Helper()
	s := mustNew(t, Keys{Current: key1}, Scope{Purpose: "session", App: "shop"})
	pt := []byte(`{"user_id":42,"role":"user"}`)
	return s, mustSeal(t, s, "__Host-session", pt, t0), pt
}

// TestTamper is T06: every bit of the decoded token flipped, and every
// character of the text replaced by every other, is refused.
func TestTamper(t *testing.T) {
	s, tok, _ := sampleToken(t)
	raw, _ := b64.DecodeString(tok)
	for i := range raw {
		for bit := range 8 {
			r := bytes.Clone(raw)
			r[i] ^= 1 << bit
			if _, _, err := s.Open("__Host-session", b64.EncodeToString(r), t0); err == nil {
				t.Fatalf("byte %d bit %d flipped: accepted", i, bit)
			}
		}
	}
	alphabet := b64alphabet + "+/=. \n\x00é%"
	for i := range len(tok) {
		for _, c := range alphabet {
			if string(c) == tok[i:i+1] {
				continue
			}
			v := tok[:i] + string(c) + tok[i+1:]
			if _, _, err := s.Open("__Host-session", v, t0); err == nil {
				t.Fatalf("character %d replaced by %q: accepted", i, c)
			}
		}
	}
}

// TestTruncationAndExtension is T07: every prefix, appended bytes, and
// values over the limit; the latter refused before anything is decoded,
// allocated or MAC'd.
func TestTruncationAndExtension(t *testing.T) {
	s, tok, _ := sampleToken(t)
	raw, _ := b64.DecodeString(tok)
	for i := range len(tok) {
		if _, _, err := s.Open("__Host-session", tok[:i], t0); err == nil {
			t.Fatalf("text prefix of %d characters accepted", i)
		}
	}
	for i := range len(raw) {
		if _, _, err := s.Open("__Host-session", b64.EncodeToString(raw[:i]), t0); err == nil {
			t.Fatalf("raw prefix of %d bytes accepted", i)
		}
	}
	for n := 1; n <= 64; n++ {
		if _, _, err := s.Open("__Host-session", b64.EncodeToString(append(bytes.Clone(raw), pattern(n)...)), t0); err == nil {
			t.Fatalf("%d bytes appended: accepted", n)
		}
		if _, _, err := s.Open("__Host-session", tok+strings.Repeat("A", n), t0); err == nil {
			t.Fatalf("%d characters appended: accepted", n)
		}
	}
	for _, v := range []string{
		strings.Repeat("A", DefaultLimit-len("__Host-session")+1),
		tok + strings.Repeat("A", DefaultLimit),
		strings.Repeat("s", 1<<20),
	} {
		macs := countMACs(t)
		_, _, err := s.Open("__Host-session", v, t0)
		if reasonOf(t, err) != ReasonLength || *macs != 0 {
			t.Errorf("%d characters: %v after %d MACs", len(v), err, *macs)
		}
		if allocs := testing.AllocsPerRun(100, func() { s.Open("__Host-session", v, t0) }); allocs != 0 {
			t.Errorf("%d characters: %v allocations to refuse", len(v), allocs)
		}
	}
}

// TestOversizedRequest sends a 1 MiB session cookie through a real
// http.Server: it is refused (by the server's header limit or by the
// length check) without the handler seeing a session.
func TestOversizedRequest(t *testing.T) {
	s, _, _ := sampleToken(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie("__Host-session")
		if err != nil {
			io.WriteString(w, "none")
			return
		}
		if _, _, err := s.Open(c.Name, c.Value, t0); err != nil {
			var ie InvalidError
			errors.As(err, &ie)
			io.WriteString(w, ie.Reason.String())
			return
		}
		io.WriteString(w, "session")
	}))
	defer srv.Close()
	for _, n := range []int{4096, 64 << 10, 1<<20 - 100} {
		req, _ := http.NewRequest("GET", srv.URL, nil)
		req.Header.Set("Cookie", "__Host-session="+strings.Repeat("s", n))
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK && string(body) != "length" {
			t.Errorf("%d bytes: %d %q", n, resp.StatusCode, body)
		}
	}
}

// TestBinding is T08: a token opens only under the name, purpose and
// application it was sealed for.
func TestBinding(t *testing.T) {
	keys := Keys{Current: key1}
	s := mustNew(t, keys, Scope{Purpose: "session", App: "demo"})
	tok := mustSeal(t, s, "__Host-session", []byte(`{}`), t0)
	for _, name := range []string{"session", "__host-session", "__Host-session ", " __Host-session", "__Host-Session", "__Secure-session", "__Host-session.1", ""} {
		if _, _, err := s.Open(name, tok, t0); reasonOf(t, err) != ReasonTag {
			t.Errorf("name %q: %v", name, err)
		}
	}
	for _, sc := range []Scope{{"flash", "demo"}, {"remember", "demo"}, {"session", "demo2"}, {"session", ""}, {"session", "Demo"}} {
		other := mustNew(t, keys, sc)
		if _, _, err := other.Open("__Host-session", tok, t0); reasonOf(t, err) != ReasonTag {
			t.Errorf("scope %+v: %v", sc, err)
		}
	}
	// Pieces are length-prefixed: moving bytes between name, purpose and
	// application changes the MAC's input.
	ab := mustNew(t, keys, Scope{"ab", "c"})
	tok2 := mustSeal(t, ab, "n", nil, t0)
	for _, c := range []struct{ name, purpose, app string }{{"n", "a", "bc"}, {"na", "b", "c"}, {"", "nab", "c"}} {
		other := mustNew(t, keys, Scope{c.purpose, c.app})
		if _, _, err := other.Open(c.name, tok2, t0); reasonOf(t, err) != ReasonTag {
			t.Errorf("%+v: %v", c, err)
		}
	}
	if _, _, err := s.Open("__Host-session", tok, t0); err != nil {
		t.Fatalf("the right name and scope: %v", err)
	}
}

// TestIVs is T09. Seals draw distinct IVs; and should two tokens ever share
// one (a broken RNG, a cloned VM), splicing them still fails: a repeated
// IV can leak the XOR of two plaintexts, never a forgery. Detecting a
// repeated IV is not possible in a stateless format (ENCRYPTED.md §8).
func TestIVs(t *testing.T) {
	s, _, _ := sampleToken(t)
	n := 100_000
	if testing.Short() {
		n = 10_000
	}
	seen := make(map[[ivLen]byte]bool, n)
	for range n {
		tok := mustSeal(t, s, "session", []byte("same plaintext"), t0)
		raw, _ := b64.DecodeString(tok)
		iv := [ivLen]byte(raw[9:headerLen])
		if seen[iv] {
			t.Fatalf("IV %x drawn twice in %d seals", iv, len(seen))
		}
		seen[iv] = true
	}
	var iv [ivLen]byte
	a, _ := s.sealWithIV("session", []byte(`{"role":"user"}`), t0, iv)
	b, _ := s.sealWithIV("session", []byte(`{"role":"root"}`), t0, iv)
	ra, _ := b64.DecodeString(a)
	rb, _ := b64.DecodeString(b)
	spliced := [][]byte{
		append(bytes.Clone(ra[:len(ra)-tagLen]), rb[len(rb)-tagLen:]...),                                     // a's ciphertext, b's tag
		append(append(bytes.Clone(ra[:headerLen]), rb[headerLen:len(rb)-tagLen]...), ra[len(ra)-tagLen:]...), // b's ciphertext, a's tag
	}
	for i, r := range spliced {
		if _, _, err := s.Open("session", b64.EncodeToString(r), t0); reasonOf(t, err) != ReasonTag {
			t.Errorf("splice %d: %v", i, err)
		}
	}
}

// TestDowngrade is T10: the mode is configuration, never read from the
// cookie. A Flask-signed cookie is refused here, an SK1 token is refused by
// the Flask codec, and no version byte but 0xB1 is read.
func TestDowngrade(t *testing.T) {
	s, tok, _ := sampleToken(t)
	raw, _ := b64.DecodeString(tok)
	for v := range 256 {
		if v == Version {
			continue
		}
		r := bytes.Clone(raw)
		r[0] = byte(v)
		if _, _, err := s.Open("__Host-session", b64.EncodeToString(r), t0); reasonOf(t, err) != ReasonVersion {
			t.Fatalf("version %#x: %v", v, err)
		}
	}
	if fips140.Enforced() {
		t.Skip("package flask signs with HMAC-SHA1, which FIPS 140-only mode forbids")
	}
	// The same secret in both modes: Flask's key is HMAC-SHA1(secret,
	// "cookie-session"), SK1's come from HKDF; neither opens the other.
	signer, err := flask.NewSigner(key1)
	if err != nil {
		t.Fatal(err)
	}
	codec := flask.NewCodec(signer)
	values := map[string]any{"user_id": int64(42), "_flashes": []any{flask.Tuple{"message", "Olá"}}, "pad": strings.Repeat("x", 40)}
	for _, c := range []flask.Compression{flask.CompressNever, flask.CompressFlask} {
		codec.Compression = c
		cookie, err := codec.Encode(values, t0)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Open("__Host-session", cookie, t0); err == nil {
			t.Errorf("a Flask-signed cookie opened as SK1: %s", cookie)
		}
	}
	if _, err := codec.Decode(tok, t0); err == nil {
		t.Error("the Flask codec accepted an SK1 token")
	}
}

// TestRotation is T11: Current seals; a fallback's token opens and says
// so; sealing it again keeps its issued-at; removing a secret revokes its
// tokens.
func TestRotation(t *testing.T) {
	sc := Scope{Purpose: "session"}
	old := mustNew(t, Keys{Current: key1}, sc)
	rotated := mustNew(t, Keys{Current: key2, Fallbacks: [][]byte{key1}}, sc)
	tok := mustSeal(t, old, "session", []byte(`{"u":1}`), t0)

	later := t0.Add(time.Hour)
	pt, info, err := rotated.Open("session", tok, later)
	if err != nil || info.Key != 1 || info.KeyID != old.KeyIDs()[0] || !info.IssuedAt.Equal(t0) {
		t.Fatalf("fallback token: %s, %+v, %v", pt, info, err)
	}
	resealed := mustSeal(t, rotated, "session", pt, info.IssuedAt)
	pt2, info2, err := rotated.Open("session", resealed, later)
	if err != nil || info2.Key != 0 || info2.KeyID != rotated.KeyIDs()[0] || !info2.IssuedAt.Equal(t0) || !bytes.Equal(pt, pt2) {
		t.Fatalf("re-sealed token: %s, %+v, %v", pt2, info2, err)
	}
	// Re-sealing did not extend the life: it expires when the original did.
	if _, _, err := rotated.Open("session", resealed, t0.Add(rotated.MaxAge+time.Second)); reasonOf(t, err) != ReasonExpired {
		t.Errorf("re-sealed token after the original's MaxAge: %v", err)
	}
	// New values always go to the current secret.
	for range 20 {
		h, _ := Parse(mustSeal(t, rotated, "session", nil, later))
		if h.KeyID != rotated.KeyIDs()[0] {
			t.Fatalf("sealed with %v, not the current secret", h.KeyID)
		}
	}
	// Retired: the old secret removed.
	retired := mustNew(t, Keys{Current: key2}, sc)
	if _, _, err := retired.Open("session", tok, later); reasonOf(t, err) != ReasonKey {
		t.Errorf("token of a removed secret: %v", err)
	}
	if _, _, err := retired.Open("session", resealed, later); err != nil {
		t.Errorf("re-sealed token after the removal: %v", err)
	}
	// A wrong key altogether.
	stranger := mustNew(t, Keys{Current: key3}, sc)
	if _, _, err := stranger.Open("session", tok, later); reasonOf(t, err) != ReasonKey {
		t.Errorf("another deployment's token: %v", err)
	}
}

// TestNoTrialDecryption is T12: the key ID picks the one key to try. An
// unknown key ID costs no MAC, a known one exactly one, whatever the ring.
func TestNoTrialDecryption(t *testing.T) {
	var keys Keys
	for i := range 8 {
		k := []byte("ring-secret-" + strconv.Itoa(i) + "-0123456789abcdefghijklmn")
		if i == 0 {
			keys.Current = k
		} else {
			keys.Fallbacks = append(keys.Fallbacks, k)
		}
	}
	sc := Scope{Purpose: "session"}
	ring := mustNew(t, keys, sc)
	last := mustNew(t, Keys{Current: keys.Fallbacks[6]}, sc)
	tok := mustSeal(t, last, "session", []byte("x"), t0)

	macs := countMACs(t)
	if _, info, err := ring.Open("session", tok, t0); err != nil || info.Key != 7 || *macs != 1 {
		t.Errorf("token of the 8th secret: key %d, %v, %d MACs; want 1 MAC", info.Key, err, *macs)
	}
	*macs = 0
	raw, _ := b64.DecodeString(tok)
	raw[len(raw)-1] ^= 1
	if _, _, err := ring.Open("session", b64.EncodeToString(raw), t0); reasonOf(t, err) != ReasonTag || *macs != 1 {
		t.Errorf("forged token of the 8th secret: %v, %d MACs; want 1", err, *macs)
	}
	foreign := mustSeal(t, mustNew(t, Keys{Current: key3}, sc), "session", []byte("x"), t0)
	*macs = 0
	if _, _, err := ring.Open("session", foreign, t0); reasonOf(t, err) != ReasonKey || *macs != 0 {
		t.Errorf("unknown key ID: %v, %d MACs; want 0", err, *macs)
	}
}

// TestStagedRollout is T13, through HTTP: two servers behind one client
// (one cookie jar), A {Current K1, Fallbacks K2} and B {Current K2,
// Fallbacks K1}, as during step 2 of a rotation; 200 alternating requests
// never lose the session. Then C {Current K2} alone: K1 tokens are refused,
// K2 tokens work.
func TestStagedRollout(t *testing.T) {
	sc := Scope{Purpose: "session"}
	counter := func(s *Sealer) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n := 0
			if c, err := r.Cookie("session"); err == nil {
				pt, _, err := s.Open("session", c.Value, t0)
				if err != nil {
					http.Error(w, "session lost: "+err.Error(), http.StatusConflict)
					return
				}
				n, _ = strconv.Atoi(string(pt))
			}
			tok, err := s.Seal("session", []byte(strconv.Itoa(n+1)), t0)
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			http.SetCookie(w, &http.Cookie{Name: "session", Value: tok, Path: "/"})
			io.WriteString(w, strconv.Itoa(n+1))
		})
	}
	a := httptest.NewServer(counter(mustNew(t, Keys{Current: key1, Fallbacks: [][]byte{key2}}, sc)))
	defer a.Close()
	b := httptest.NewServer(counter(mustNew(t, Keys{Current: key2, Fallbacks: [][]byte{key1}}, sc)))
	defer b.Close()
	jar, _ := cookiejar.New(nil) // both servers are 127.0.0.1: one jar entry
	client := &http.Client{Jar: jar}
	get := func(url string) (int, string) {
		t.Helper()
		resp, err := client.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	for i := 1; i <= 200; i++ {
		url := a.URL
		if i%2 == 0 {
			url = b.URL
		}
		if code, body := get(url); code != http.StatusOK || body != strconv.Itoa(i) {
			t.Fatalf("request %d: %d %q", i, code, body)
		}
	}
	// The jar holds B's last token (K2). C knows only K2.
	c := httptest.NewServer(counter(mustNew(t, Keys{Current: key2}, sc)))
	defer c.Close()
	if code, body := get(c.URL); code != http.StatusOK || body != "201" {
		t.Fatalf("K2 token on C: %d %q", code, body)
	}
	get(a.URL) // A seals with K1
	if code, body := get(c.URL); code != http.StatusConflict || !strings.Contains(body, "(key)") {
		t.Fatalf("K1 token on C: %d %q", code, body)
	}
}

// TestUniformFailure is T17 at the format's level: every refusal of the
// vectors is the same kind of error (the session package turns all of them
// into one anonymous session), and tags are compared in exactly one place,
// in constant time.
func TestUniformFailure(t *testing.T) {
	vf := loadVectors(t)
	for _, v := range vf.Open {
		if v.OK || (fips140.Enforced() && needsShortSecret(unhex(t, v.Secrets[0]))) {
			continue
		}
		s, err := newSealer(t, v.Secrets, v.Purpose, v.App)
		if err != nil {
			t.Fatal(err)
		}
		s.MaxAge, s.Skew = time.Duration(v.MaxAge)*time.Second, time.Duration(v.Skew)*time.Second
		_, _, err = s.Open(v.Cookie, v.Token, time.Unix(v.Now, 0))
		if !errors.Is(err, ErrInvalid) || !strings.HasPrefix(err.Error(), ErrInvalid.Error()+" (") {
			t.Errorf("%s: %v", v.Name, err)
		}
	}

	// Structural check (SECURITY Appendix A.2): in the package's code, the
	// tag is compared only by verifyTag, whose body is hmac.Equal, called
	// once (by Open); no bytes.Equal, bytes.Compare or string comparison
	// touches token bytes.
	fset := token.NewFileSet()
	files, _ := filepath.Glob("*.go")
	hmacEqual, verifyCalls := 0, 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok {
				continue
			}
			ast.Inspect(fn, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				switch callee := call.Fun.(type) {
				case *ast.SelectorExpr:
					pkg, _ := callee.X.(*ast.Ident)
					if pkg == nil {
						return true
					}
					name := pkg.Name + "." + callee.Sel.Name
					switch {
					case name == "hmac.Equal" || name == "subtle.ConstantTimeCompare":
						hmacEqual++
						if fn.Name.Name != "verifyTag" {
							t.Errorf("%s: %s outside verifyTag", fset.Position(call.Pos()), name)
						}
					case (name == "bytes.Equal" || name == "bytes.Compare") && fn.Name.Name != "newRing":
						t.Errorf("%s: %s in %s: compare tags with verifyTag only", fset.Position(call.Pos()), name, fn.Name.Name)
					}
				case *ast.Ident:
					if callee.Name == "verifyTag" {
						verifyCalls++
						if fn.Name.Name != "Open" {
							t.Errorf("%s: verifyTag called by %s", fset.Position(call.Pos()), fn.Name.Name)
						}
					}
				}
				return true
			})
		}
	}
	if hmacEqual != 1 || verifyCalls != 1 {
		t.Errorf("hmac.Equal used %d times, verifyTag called %d times; want 1 and 1", hmacEqual, verifyCalls)
	}
}
