package main

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/session/flask"
	"github.com/sessionkit/session/seal"
)

// sk1Hostile are SK1 tokens broken in every way ENCRYPTED.md §6 checks
// for, run through decode and verify (katKey, at katTime+100), in the
// style of hostileCases: the exit statuses say which check refused them.
func sk1Hostile(t testing.TB) []hostileCase {
	raw, err := base64.RawURLEncoding.DecodeString(sk1Maria)
	if err != nil {
		t.Fatal(err)
	}
	flipped := func(i int) string {
		b := append([]byte(nil), raw...)
		b[i] ^= 0x01
		return b64(b)
	}
	sealAt := func(iat uint32, js string) string { return sk1(t, katKey, "session", "", "session", iat, 0x70, js) }
	sealJS := func(js string) string { return sealAt(katTime, js) }
	last := sk1Maria[len(sk1Maria)-1]
	nonCanonical := sk1Maria[:len(sk1Maria)-1] + string(last+1) // 102 characters: the last one carries 2 unused bits
	big := func(n int) string {
		return sealJS(`{"a":"` + strings.Repeat("x", n-8) + `"}`)
	}
	maria := `{"usuario":"Maria"}`
	return []hostileCase{
		{"S-01 genuine", sk1Maria, 0, 0, maria},
		{"S-01 quoted", `"` + sk1Maria + `"`, 0, 0, maria},
		{"S-01 wrapped", sk1Maria[:40] + "\n" + sk1Maria[40:], 0, 0, maria},

		// Every field of the header and the body, one bit flipped.
		{"S-02 version flipped", flipped(0), 3, 3, ""},
		{"S-02 key ID flipped", flipped(2), 0, 1, ""},
		{"S-02 issued-at flipped", flipped(8), 0, 1, ""},
		{"S-02 IV flipped", flipped(12), 0, 1, ""},
		{"S-02 ciphertext flipped", flipped(30), 0, 1, ""},
		{"S-02 tag flipped", flipped(len(raw) - 1), 0, 1, ""},

		// Truncated and extended.
		{"S-03 one byte short", b64(raw[:len(raw)-1]), 0, 1, ""},
		{"S-03 one character short", sk1Maria[:len(sk1Maria)-1], 3, 3, ""},
		{"S-03 one byte more", b64(append(append([]byte(nil), raw...), 0)), 0, 1, ""},
		{"S-03 header only", b64(raw[:25]), 3, 3, ""},

		// Spellings other than canonical unpadded base64url.
		{"S-04 non-canonical last character", nonCanonical, 3, 3, ""},
		{"S-04 padded", sk1Maria + "==", 3, 3, ""},
		{"S-04 standard alphabet", strings.NewReplacer("-", "+", "_", "/").Replace(sk1Maria), 3, 3, ""},
		{"S-04 percent-encoded", strings.ReplaceAll(sk1Maria, "_", "%5F"), 3, 3, ""},
		{"S-04 NUL inside", sk1Maria[:20] + "\x00" + sk1Maria[20:], 3, 3, ""},
		{"S-04 full-width s", "\uff53" + sk1Maria[1:], 3, 3, ""},

		// Sealed for something else.
		{"S-05 another key", sk1Old, 0, 1, ""},
		{"S-05 another name and app", sk1App, 0, 1, ""},
		{"S-05 another purpose", sk1(t, katKey, "flash", "", "session", katTime, 0x70, maria), 0, 1, ""},
		{"S-05 a published key", sk1Dev, 0, 1, ""},

		// Time.
		{"S-06 at max age", sealAt(katTime+100-31*86400, maria), 0, 0, maria},
		{"S-06 max age + 1", sealAt(katTime+100-31*86400-1, maria), 0, 4, ""},
		{"S-06 within skew", sealAt(katTime+160, maria), 0, 0, maria},
		{"S-06 past skew", sealAt(katTime+161, maria), 0, 4, ""},
		{"S-06 issued 1970", sealAt(0, maria), 0, 4, ""},
		{"S-06 issued 2106", sealAt(math.MaxUint32, maria), 0, 4, ""},

		// Sizes.
		{"S-07 exactly 4096", big(seal.MaxPlaintextLen(4096 - len("session"))), 0, 0, ""},
		{"S-07 4097", big(seal.MaxPlaintextLen(4096-len("session")) + 1), 0, 3, ""},
		{"S-07 empty plaintext", sealJS(""), 0, 3, ""},

		// What the token holds, once opened, is not a session.
		{"S-08 array", sealJS(`[]`), 0, 3, ""},
		{"S-08 not JSON", sealJS(`Maria`), 0, 3, ""},
		{"S-08 invalid UTF-8", sealJS("{\"a\":\"\xff\"}"), 0, 3, ""},
		{"S-08 raw escape", sealJS("{\"a\":\"\x1b[2J\"}"), 0, 3, ""},
		{"S-08 duplicate keys", sealJS(`{"a":1,"a":2}`), 0, 3, ""},
		{"S-08 nested 1000 deep", sealJS(`{"a":` + strings.Repeat("[", 1000) + strings.Repeat("]", 1000) + `}`), 0, 3, ""},
		{"S-08 bad bytes tag", sealJS(`{"a":{" b":"!!"}}`), 0, 3, ""},
		{"S-08 escaped control characters", sealJS(`{"a":"\u001b]0;pwned\u0007"}`), 0, 0, `{"a":"\u001b]0;pwned\u0007"}`},
	}
}

// TestSealedHostileInput runs sk1Hostile through decode (text and -json)
// and verify: the exit status says which check refused the token, the
// output is printable ASCII, decode always says UNVERIFIED, verify prints
// nothing it refused, and the key never appears.
func TestSealedHostileInput(t *testing.T) {
	t.Parallel()
	env := map[string]string{"K": katKey}
	for _, tc := range sk1Hostile(t) {
		t.Run(tc.id, func(t *testing.T) {
			for _, args := range [][]string{{"decode"}, {"decode", "-json"}} {
				r := cli{args: args, stdin: tc.cookie}.run(t)
				checkPrintable(t, r.stdout+r.stderr, false)
				if r.code != tc.decode {
					t.Errorf("%v: exit %d, want %d\nstdout: %s\nstderr: %s", args, r.code, tc.decode, r.stdout, r.stderr)
				}
				switch {
				case r.code != 0:
				case len(args) == 1 && !strings.HasPrefix(r.stdout, "UNVERIFIED: an SK1 sealed token"):
					t.Errorf("decode does not say UNVERIFIED SK1: %s", r.stdout)
				case len(args) == 2 && !strings.HasPrefix(r.stdout, `{"verified":false,"format":"sk1","encrypted":true,`):
					t.Errorf("decode -json: %s", r.stdout)
				}
			}
			r := cli{args: []string{"verify", "-key-env", "K"}, stdin: tc.cookie, env: env}.run(t)
			checkPrintable(t, r.stdout+r.stderr, false)
			if r.code != tc.verify {
				t.Errorf("verify: exit %d, want %d\nstdout: %s\nstderr: %s", r.code, tc.verify, r.stdout, r.stderr)
			}
			if tc.verify != 0 && r.stdout != "" {
				t.Errorf("verify refused the token but printed %q", r.stdout)
			}
			if tc.want != "" && r.stdout != tc.want+"\n" {
				t.Errorf("verify printed %q, want %q", r.stdout, tc.want)
			}
			if strings.Contains(r.stdout+r.stderr, katKey) {
				t.Error("the key appears in the output")
			}
		})
	}
}

// TestSignSealed: sign -sealed makes a token that package seal opens to the
// session given (tagged values, the permanent flag), bound to the name,
// purpose and app asked for; verify reads it back; two runs differ (a
// random IV) and are both valid.
func TestSignSealed(t *testing.T) {
	env := map[string]string{"K": strongKey}
	for _, tc := range []struct {
		name  string
		args  []string
		input string
		scope seal.Scope
		want  string
	}{
		{"plain", nil, `{"usuario": "Maria"}`, seal.Scope{Purpose: "session"}, `{"usuario":"Maria"}`},
		{"tagged permanent", []string{"-tagged", "-permanent"}, `{"t":{" t":[1,"a"]},"b":{" b":"AP8="}}`, seal.Scope{Purpose: "session"}, `{"_permanent":true,"b":{" b":"AP8="},"t":{" t":[1,"a"]}}`},
		{"app and name", []string{"-name", "__Host-session", "-app", "loja"}, `{"n":1}`, seal.Scope{Purpose: "session", App: "loja"}, `{"n":1}`},
		{"purpose", []string{"-purpose", "lembrar"}, `{"n":1}`, seal.Scope{Purpose: "lembrar"}, `{"n":1}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := "session"
			for i, a := range tc.args {
				if a == "-name" {
					name = tc.args[i+1]
				}
			}
			args := append(append([]string{"sign", "-key-env", "K", "-sealed"}, tc.args...), "-json", tc.input)
			var tokens []string
			for range 2 {
				r := cli{args: args, env: env, now: katTime}.run(t)
				if r.code != 0 || r.stderr != "" {
					t.Fatalf("%v: exit %d, stderr %s", args, r.code, r.stderr)
				}
				tokens = append(tokens, strings.TrimSuffix(r.stdout, "\n"))
			}
			if tokens[0] == tokens[1] {
				t.Error("two seals of one session gave one token: the IV is not random")
			}
			sl, err := seal.New(seal.Keys{Current: []byte(strongKey)}, tc.scope)
			if err != nil {
				t.Fatal(err)
			}
			for _, tok := range tokens {
				if len(tok) != seal.SealedLen(len(tc.want)) {
					t.Errorf("token of %d characters for %d bytes of JSON, want %d", len(tok), len(tc.want), seal.SealedLen(len(tc.want)))
				}
				pt, info, err := sl.Open(name, tok, time.Unix(katTime, 0))
				if err != nil || string(pt) != tc.want || info.IssuedAt.Unix() != katTime {
					t.Errorf("seal.Open = %q, %+v, %v; want %s issued at %d", pt, info, err, tc.want, katTime)
				}
				vargs := []string{"verify", "-key-env", "K", "-now", "1700000000", "-name", name, "-purpose", tc.scope.Purpose, "-app", tc.scope.App, tok}
				if r := (cli{args: vargs, env: env}).run(t); r.code != 0 || r.stdout != tc.want+"\n" {
					t.Errorf("verify: exit %d, %q %q", r.code, r.stdout, r.stderr)
				}
			}
		})
	}
	// A weak key seals with a warning, as it signs.
	r := cli{args: []string{"sign", "-key", "dev", "-sealed", "-json", "{}"}}.run(t)
	if r.code != 0 || !strings.Contains(r.stderr, "warning: the key is weak") {
		t.Errorf("sealing with dev: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestSealedKeyIDs: the key IDs that secret -sealed, decode and audit show
// are seal.KeyIDOf's, and verify names the ring's IDs when none fits.
func TestSealedKeyIDs(t *testing.T) {
	r := cli{args: []string{"secret", "-sealed"}}.run(t)
	key := strings.TrimSuffix(r.stdout, "\n")
	id, err := seal.KeyIDOf([]byte(key))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.stderr, "SK1 key ID "+id.String()+":") {
		t.Errorf("secret -sealed: stderr %q, want key ID %v", r.stderr, id)
	}
	r = cli{args: []string{"audit", "-key-env", "K"}, env: map[string]string{"K": key}}.run(t)
	if r.code != 0 || !strings.Contains(r.stdout, "SK1 key ID "+id.String()+"): ok") {
		t.Errorf("audit: %q", r.stdout)
	}
	tok := sk1(t, key, "session", "", "session", katTime, 1, "{}")
	r = cli{args: []string{"decode", "-json", tok}}.run(t)
	var rep struct {
		KeyID string `json:"key_id"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || rep.KeyID != id.String() {
		t.Errorf("decode -json: %s", r.stdout)
	}
	r = cli{args: []string{"verify", "-key-env", "K", "-fallback-env", "OLD", tok}, env: map[string]string{"K": katKey, "OLD": katOldKey}}.run(t)
	kat, _ := seal.KeyIDOf([]byte(katKey))
	old, _ := seal.KeyIDOf([]byte(katOldKey))
	if want := "sealed with key ID " + id.String() + ", which none of the keys given has (key " + kat.String() + ", fallback key 0 " + old.String() + ")"; r.code != exitFail || !strings.Contains(r.stderr, want) {
		t.Errorf("verify with other keys: exit %d, %q, want %q", r.code, r.stderr, want)
	}
}

// TestSealedRoundTrip: what verify prints for a token is the
// tagged JSON package flask writes for the session it holds, for every
// kind of value.
func TestSealedRoundTrip(t *testing.T) {
	for _, js := range []string{
		`{}`,
		`{"nomes":["Ana","Jo\u00e3o","\ud83d\ude00"]}`,
		`{"_flashes":[{" t":["message","Bem-vindo"]}],"_permanent":true,"usuario":"Maria"}`,
		`{"n":123456789012345678901234567890,"f":1.5,"z":null,"b":true}`,
	} {
		m, err := flask.Unmarshal([]byte(js))
		if err != nil {
			t.Fatal(err)
		}
		canon, err := flask.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		r := cli{args: []string{"verify", "-key-env", "K", sk1Session(js)}, env: map[string]string{"K": katKey}}.run(t)
		if r.code != 0 || r.stdout != string(canon)+"\n" {
			t.Errorf("verify %s: exit %d, %q %q", js, r.code, r.stdout, r.stderr)
		}
	}
}
