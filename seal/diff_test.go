package seal

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// diffCase is one random case of the differential tests.
type diffCase struct {
	ring    [][]byte // secrets, current first, as the opener holds them
	sealer  int      // the index in ring of the secret that seals
	scope   Scope
	name    string
	pt      []byte
	iat     uint32
	now     int64
	maxAge  int64
	skew    int64
	tamper  bool // flip one bit of the token before opening
	wantKey int
}

var diffNames = []string{"session", "__Host-session", "__Secure-sid", "flask_session", "s", "sessão☃", "a.b-c_d"}

func randString(r *rand.Rand, max int) string {
	var b strings.Builder
	for range r.IntN(max + 1) {
		c := rune(0x20 + r.IntN(0x5f))
		if r.IntN(6) == 0 {
			c = rune(0x80 + r.IntN(0x2000))
		}
		b.WriteRune(c)
	}
	return b.String()
}

func randSecret(r *rand.Rand) []byte {
	if r.IntN(3) == 0 {
		s := randString(r, 40)
		for len(s) < 14 || strings.TrimSpace(s) == "" {
			s += "secret-" + randString(r, 10)
		}
		return []byte(s)
	}
	b := make([]byte, 14+r.IntN(60))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func randCase(r *rand.Rand) diffCase {
	var c diffCase
	c.ring = make([][]byte, 1+r.IntN(4))
	for i := range c.ring {
		c.ring[i] = randSecret(r)
	}
	c.sealer = r.IntN(len(c.ring))
	c.wantKey = c.sealer
	c.scope.Purpose = []string{"session", "flash", "remember", "csrf"}[r.IntN(4)]
	if r.IntN(4) == 0 {
		c.scope.Purpose = "p" + randString(r, 8)
	}
	if r.IntN(2) == 0 {
		c.scope.App = randString(r, 12)
	}
	c.name = diffNames[r.IntN(len(diffNames))]
	if r.IntN(5) == 0 {
		c.name = randString(r, 30)
	}
	max := MaxPlaintextLen(DefaultLimit - len(c.name))
	n := r.IntN(max + 1)
	if r.IntN(3) > 0 {
		n = r.IntN(min(max, 400) + 1)
	}
	c.pt = make([]byte, n)
	for i := range c.pt {
		c.pt[i] = byte(r.Uint32())
	}
	c.iat = r.Uint32()
	c.maxAge = int64(1 + r.IntN(400*86400))
	c.skew = int64(r.IntN(300))
	c.now = int64(c.iat) - c.skew + r.Int64N(c.maxAge+c.skew+1)
	if r.IntN(8) == 0 { // outside the window, on either side
		if r.IntN(2) == 0 {
			c.now = int64(c.iat) + c.maxAge + 1 + r.Int64N(1000)
		} else {
			c.now = int64(c.iat) - c.skew - 1 - r.Int64N(1000)
		}
	}
	c.tamper = r.IntN(6) == 0
	return c
}

func hexAll(bs [][]byte) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = hex.EncodeToString(b)
	}
	return out
}

// goOpen opens token as c's opener does, returning the plaintext or the
// reason.
func goOpen(t *testing.T, c diffCase, token string) ([]byte, Info, string) {
	t.Helper()
	s, err := New(Keys{Current: c.ring[0], Fallbacks: c.ring[1:]}, c.scope)
	if err != nil {
		t.Fatal(err)
	}
	s.MaxAge = time.Duration(c.maxAge) * time.Second
	s.Skew = time.Duration(c.skew) * time.Second
	pt, info, err := s.Open(c.name, token, time.Unix(c.now, 0))
	if err != nil {
		var ie InvalidError
		if !errors.As(err, &ie) {
			t.Fatalf("Open: %v", err)
		}
		return nil, info, ie.Reason.String()
	}
	return pt, info, ""
}

const diffCases = 320

// TestDifferentialGoToReferences: Go seals random cases (every size up to
// the limit, random names, scopes, rings, clocks, a sixth of them
// tampered); each reference opens them and must agree with Go's own Open,
// plaintext, issued-at and key, or reason.
func TestDifferentialGoToReferences(t *testing.T) {
	if testing.Short() {
		t.Skip("references not run in -short mode")
	}
	refs := references(t, "")
	r := rand.New(rand.NewPCG(1, 2))
	var cases []diffCase
	var reqs []refRequest
	var tokens []string
	for range diffCases {
		c := randCase(r)
		s, err := New(Keys{Current: c.ring[c.sealer]}, c.scope)
		if err != nil {
			t.Fatal(err)
		}
		tok := mustSeal(t, s, c.name, c.pt, time.Unix(int64(c.iat), 0))
		if c.tamper {
			raw, _ := base64.RawURLEncoding.DecodeString(tok)
			raw[r.IntN(len(raw))] ^= 1 << r.IntN(8)
			tok = base64.RawURLEncoding.EncodeToString(raw)
		}
		cases = append(cases, c)
		tokens = append(tokens, tok)
		reqs = append(reqs, refRequest{Op: "open", Secrets: hexAll(c.ring), Purpose: c.scope.Purpose, App: c.scope.App,
			Name: c.name, Token: tok, Now: c.now, MaxAge: c.maxAge, Skew: c.skew})
	}
	for _, ref := range refs {
		t.Run(ref.name, func(t *testing.T) {
			answers := ref.run(t, reqs)
			accepted := 0
			for i, a := range answers {
				c := cases[i]
				pt, info, reason := goOpen(t, c, tokens[i])
				if a.OK != (reason == "") || a.Reason != reason {
					t.Errorf("case %d: %s says ok=%v %q, Go says %q", i, ref.impl, a.OK, a.Reason, reason)
					continue
				}
				if !a.OK {
					continue
				}
				accepted++
				if a.Plaintext != hex.EncodeToString(pt) || a.IAT != info.IssuedAt.Unix() || a.Key != info.Key || a.Key != c.wantKey {
					t.Errorf("case %d: %s opened %.40s… iat %d key %d; Go %.40x… %+v", i, ref.impl, a.Plaintext, a.IAT, a.Key, pt, info)
				}
			}
			if accepted < diffCases/2 {
				t.Errorf("only %d of %d tokens accepted: the cases are too hostile to compare plaintexts", accepted, diffCases)
			}
			t.Logf("%s: %d tokens from Go, %d accepted, the rest refused for the same reason as Go", ref.impl, len(answers), accepted)
		})
	}
}

// TestDifferentialReferencesToGo: each reference seals random cases with
// its own random IVs; Go opens them all.
func TestDifferentialReferencesToGo(t *testing.T) {
	if testing.Short() {
		t.Skip("references not run in -short mode")
	}
	refs := references(t, "")
	for _, ref := range refs {
		t.Run(ref.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(3, uint64(len(ref.name))))
			var cases []diffCase
			var reqs []refRequest
			for range diffCases {
				c := randCase(r)
				c.tamper = false
				c.now = int64(c.iat) - c.skew + r.Int64N(c.maxAge+c.skew+1)
				cases = append(cases, c)
				reqs = append(reqs, refRequest{Op: "seal", Secret: hex.EncodeToString(c.ring[c.sealer]), Purpose: c.scope.Purpose,
					App: c.scope.App, Name: c.name, IAT: int64(c.iat), Plaintext: hex.EncodeToString(c.pt)})
			}
			ivs := map[string]bool{}
			for i, a := range ref.run(t, reqs) {
				c := cases[i]
				pt, info, reason := goOpen(t, c, a.Token)
				if reason != "" || hex.EncodeToString(pt) != hex.EncodeToString(c.pt) || info.Key != c.wantKey || info.IssuedAt.Unix() != int64(c.iat) {
					t.Errorf("case %d (name %q, %d bytes): Go opened %.40x… %+v %q", i, c.name, len(c.pt), pt, info, reason)
				}
				if len(a.Token) != SealedLen(len(c.pt)) {
					t.Errorf("case %d: %s token of %d characters, SealedLen %d", i, ref.impl, len(a.Token), SealedLen(len(c.pt)))
				}
				raw, _ := base64.RawURLEncoding.DecodeString(a.Token)
				if len(raw) >= headerLen {
					iv := string(raw[9:headerLen])
					if ivs[iv] {
						t.Errorf("%s drew one IV twice", ref.impl)
					}
					ivs[iv] = true
				}
			}
			t.Logf("%s sealed %d tokens; Go opened them all", ref.impl, len(reqs))
		})
	}
}
