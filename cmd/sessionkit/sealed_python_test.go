package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sessionkit/session/flask"
)

// These tests cross-check the CLI's SK1 support with the Python reference,
// python/sessionkit_seal, under every Python that has it with Flask and
// cryptography: python3 (Flask 3.1, cryptography 48) and Debian's
// /usr/bin/python3 (Flask 2.2, cryptography 38). Python runs from a fresh
// directory, so that the repository's Go package flask/ cannot shadow
// Flask.

// sealScript serves one JSON request per line with sessionkit_seal:
// seal, open (and Flask's own reading of the plaintext), parse, key_id.
const sealScript = `
import json, sys
sys.dont_write_bytecode = True
from flask.sessions import session_json_serializer as sj
import sessionkit_seal as sk
for line in sys.stdin:
    q = json.loads(line)
    op, a = q["op"], {}
    if op == "seal":
        s = sk.Sealer(q["secret"], q.get("fallbacks", []), purpose=q["purpose"], app_id=q["app"])
        a["token"] = s.seal(q["name"], q["plaintext"].encode("utf-8"), q["iat"])
    elif op == "open":
        s = sk.Sealer(q["secret"], q.get("fallbacks", []), purpose=q["purpose"], app_id=q["app"], max_age=q["max_age"])
        try:
            o = s.open(q["name"], q["token"], q["now"])
            pt = o.plaintext.decode("utf-8")
            a.update(ok=True, plaintext=pt, key=o.key, iat=o.issued_at, flask=sj.dumps(sj.loads(pt)))
        except sk.InvalidToken as e:
            a.update(ok=False, reason=e.reason)
    elif op == "parse":
        kid, iat, n = sk.parse(q["token"])
        a.update(kid=kid.hex(), iat=iat, len=n)
    elif op == "key_id":
        a["kid"] = sk.key_id(q["secret"]).hex()
    print(json.dumps(a), flush=True)
`

// sealRequest is one line for sealScript.
type sealRequest struct {
	Op        string   `json:"op"`
	Secret    string   `json:"secret,omitempty"`
	Fallbacks []string `json:"fallbacks,omitempty"`
	Purpose   string   `json:"purpose,omitempty"`
	App       string   `json:"app"`
	Name      string   `json:"name,omitempty"`
	IAT       int64    `json:"iat,omitempty"`
	Plaintext string   `json:"plaintext,omitempty"`
	Token     string   `json:"token,omitempty"`
	Now       int64    `json:"now,omitempty"`
	MaxAge    int64    `json:"max_age,omitempty"`
}

type sealAnswer struct {
	Token     string `json:"token"`
	OK        bool   `json:"ok"`
	Reason    string `json:"reason"`
	Plaintext string `json:"plaintext"`
	Key       int    `json:"key"`
	IAT       int64  `json:"iat"`
	Flask     string `json:"flask"`
	Kid       string `json:"kid"`
	Len       int    `json:"len"`
}

// sealPython is one running sealScript.
type sealPython struct {
	t   *testing.T
	in  *json.Encoder
	out *bufio.Scanner
}

func (p *sealPython) ask(q sealRequest) sealAnswer {
	p.t.Helper()
	if err := p.in.Encode(q); err != nil {
		p.t.Fatal(err)
	}
	if !p.out.Scan() {
		p.t.Fatalf("sessionkit_seal gave no answer to %+v: %v", q, p.out.Err())
	}
	var a sealAnswer
	if err := json.Unmarshal(p.out.Bytes(), &a); err != nil {
		p.t.Fatalf("answer %s: %v", p.out.Bytes(), err)
	}
	return a
}

// sealPythons starts sealScript under every interpreter that can run it,
// or skips t (fails it under SESSIONKIT_REQUIRE_ALL=1, which wants both).
func sealPythons(t *testing.T) map[string]*sealPython {
	t.Helper()
	pkg, err := filepath.Abs(filepath.Join("..", "..", "python"))
	if err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "PYTHONPATH="+pkg, "PYTHONDONTWRITEBYTECODE=1")
	found := map[string]*sealPython{}
	for _, py := range interpreters {
		check := exec.Command(py, "-c", "import flask, cryptography, sessionkit_seal")
		check.Dir, check.Env = t.TempDir(), env
		if out, err := check.CombinedOutput(); err != nil {
			t.Logf("%s cannot run sessionkit_seal: %v %s", py, err, bytes.TrimSpace(out))
			continue
		}
		cmd := exec.Command(py, "-c", sealScript)
		cmd.Dir, cmd.Env = t.TempDir(), env
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		in, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			in.Close()
			if err := cmd.Wait(); err != nil {
				t.Errorf("%s: %v\n%s", py, err, stderr.String())
			}
		})
		sc := bufio.NewScanner(out)
		sc.Buffer(nil, 1<<20)
		found[py] = &sealPython{t: t, in: json.NewEncoder(in), out: sc}
	}
	switch {
	case len(found) == 0 && requireAll():
		t.Fatal("no Python can run python/sessionkit_seal (Flask and cryptography), and SESSIONKIT_REQUIRE_ALL=1")
	case len(found) == 0:
		t.Skip("no Python with Flask and cryptography: the sessionkit_seal cross-checks are skipped")
	case len(found) < len(interpreters) && requireAll():
		t.Fatalf("SESSIONKIT_REQUIRE_ALL=1 but only %d of %d Pythons run sessionkit_seal", len(found), len(interpreters))
	}
	return found
}

// sealedSessions are sessions of every kind Flask stores, as tagged JSON.
var sealedSessions = []string{
	`{}`,
	`{"usuario":"Maria"}`,
	`{"_permanent":true,"nomes":["Ana","Jo\u00e3o","\ud83d\ude00","Cl\u00e1udia"]}`,
	`{"_flashes":[{" t":["message","Bem-vindo, Ana!"]},{" t":["error","<b>x</b>"]}],"t":{" t":[1,2.5,null]}}`,
	`{"b":{" b":"AP8Q"},"d":{" d":"Mon, 01 Jan 2024 00:00:00 GMT"},"m":{" m":"<i>ok</i>"},"u":{" u":"12345678123456781234567812345678"}}`,
	`{"big":123456789012345678901234567890,"neg":-1,"f":1e+100,"s":"` + strings.Repeat("x", 2900) + `"}`,
}

// TestSealedPython: tokens sealed by sessionkit_seal are opened by verify
// (the session as Flask's tagged JSON, fallbacks noted, scope, name and age
// enforced with the same exit statuses), and decode shows the header
// sessionkit_seal.parse reads; tokens made by sign -sealed are opened by
// sessionkit_seal to the same bytes, which Flask's own serializer reads
// and writes back unchanged; the key IDs secret -sealed and audit print
// are sessionkit_seal.key_id's; and audit finds a published key in a
// token Python sealed with it.
func TestSealedPython(t *testing.T) {
	keys := map[string]string{"K": strongKey, "OLD": katKey}
	for py, p := range sealPythons(t) {
		label := map[string]string{"python3": "python3", "/usr/bin/python3": "debian"}[py]
		t.Run(label, func(t *testing.T) {
			for i, js := range sealedSessions {
				m, err := flask.Unmarshal([]byte(js))
				if err != nil {
					t.Fatal(err)
				}
				canon, err := flask.Marshal(m)
				if err != nil {
					t.Fatal(err)
				}
				name, app := "session", ""
				if i%2 == 1 {
					name, app = "__Host-session", "loja"
				}
				scope := []string{"-name", name, "-app", app}

				// Python seals, Go opens.
				tok := p.ask(sealRequest{Op: "seal", Secret: strongKey, Purpose: "session", App: app, Name: name, IAT: katTime, Plaintext: string(canon)}).Token
				r := cli{args: append(append([]string{"verify", "-key-env", "K"}, scope...), tok), env: keys}.run(t)
				if r.code != 0 || r.stdout != string(canon)+"\n" || r.stderr != "" {
					t.Errorf("verify of Python's token for %s: exit %d, %q %q", js, r.code, r.stdout, r.stderr)
				}
				h := p.ask(sealRequest{Op: "parse", Token: tok})
				r = cli{args: []string{"decode", "-json", tok}}.run(t)
				var d sealedReport
				if err := json.Unmarshal([]byte(r.stdout), &d); err != nil || d.KeyID != h.Kid || d.Timestamp != h.IAT || d.PlaintextBytes != h.Len || d.ValueBytes != len(tok) {
					t.Errorf("decode -json %s, Python's parse %+v (%v)", r.stdout, h, err)
				}
				// Sealed with a retiring key: opened with it as a fallback.
				old := p.ask(sealRequest{Op: "seal", Secret: katKey, Purpose: "session", App: app, Name: name, IAT: katTime, Plaintext: string(canon)}).Token
				r = cli{args: append(append([]string{"verify", "-key-env", "K", "-fallback-env", "OLD"}, scope...), old), env: keys}.run(t)
				if r.code != 0 || r.stdout != string(canon)+"\n" || !strings.Contains(r.stderr, "sealed with fallback key 0") {
					t.Errorf("verify of a token sealed with a fallback: exit %d, %q %q", r.code, r.stdout, r.stderr)
				}
				for _, bad := range []struct {
					what  string
					flags []string
					token string
					now   int64
					code  int
				}{
					{"the fallback removed", []string{"-key-env", "K", "-name", name, "-app", app}, old, katTime, exitFail},
					{"another app", []string{"-key-env", "K", "-name", name, "-app", app + "x"}, tok, katTime, exitFail},
					{"another name", []string{"-key-env", "K", "-name", "x" + name, "-app", app}, "x" + name + "=" + tok, katTime, exitFail},
					{"another purpose", []string{"-key-env", "K", "-name", name, "-app", app, "-purpose", "flash"}, tok, katTime, exitFail},
					{"expired", []string{"-key-env", "K", "-name", name, "-app", app, "-max-age", "2m"}, tok, katTime + 121, exitExpired},
					{"in the future", []string{"-key-env", "K", "-name", name, "-app", app}, tok, katTime - 61, exitExpired},
				} {
					args := append(append([]string{"verify"}, bad.flags...), bad.token)
					if r := (cli{args: args, env: keys, now: bad.now}).run(t); r.code != bad.code || r.stdout != "" {
						t.Errorf("%s: exit %d, want %d: %q %q", bad.what, r.code, bad.code, r.stdout, r.stderr)
					}
				}

				// Go seals, Python opens, Flask reads.
				r = cli{args: []string{"sign", "-key-env", "K", "-sealed", "-tagged", "-name", name, "-app", app, "-json", js}, env: keys, now: katTime}.run(t)
				if r.code != 0 {
					t.Fatalf("sign -sealed %s: exit %d %s", js, r.code, r.stderr)
				}
				goTok := strings.TrimSpace(r.stdout)
				a := p.ask(sealRequest{Op: "open", Secret: strongKey, Purpose: "session", App: app, Name: name, Token: goTok, Now: katTime + 10, MaxAge: 120})
				if !a.OK || a.Plaintext != string(canon) || a.IAT != katTime || a.Key != 0 {
					t.Errorf("sessionkit_seal opened sign -sealed's token for %s: %+v, want %s", js, a, canon)
				}
				if a.Flask != string(canon) {
					t.Errorf("Flask's serializer reads and writes %s as %s", canon, a.Flask)
				}
				if a := p.ask(sealRequest{Op: "open", Secret: strongKey, Purpose: "session", App: app + "x", Name: name, Token: goTok, Now: katTime, MaxAge: 120}); a.OK || a.Reason != "tag" {
					t.Errorf("sessionkit_seal opened the token in another app: %+v", a)
				}
			}

			// Key IDs.
			for _, k := range []string{strongKey, katKey, "dev", "chave-\u00e7\u00e3o-\U0001F600-" + strongKey[:20]} {
				want := p.ask(sealRequest{Op: "key_id", Secret: k}).Kid
				r := cli{args: []string{"audit", "-key-env", "K"}, env: map[string]string{"K": k}}.run(t)
				if !strings.Contains(r.stdout, "SK1 key ID "+want+")") && !strings.Contains(r.stdout, "weak") {
					t.Errorf("audit's key ID for %q: %q, Python says %s", k, r.stdout, want)
				}
				if got := keyID([]byte(k)); got != want {
					t.Errorf("key ID of %q: %s, Python says %s", k, got, want)
				}
			}
			r := cli{args: []string{"secret", "-sealed"}}.run(t)
			want := p.ask(sealRequest{Op: "key_id", Secret: strings.TrimSpace(r.stdout)}).Kid
			if !strings.HasPrefix(r.stderr, "SK1 key ID "+want+":") {
				t.Errorf("secret -sealed: %q, Python's key ID %s", r.stderr, want)
			}

			// A published key, found in a token Python sealed with it.
			devTok := p.ask(sealRequest{Op: "seal", Secret: "dev", Purpose: "session", Name: "session", IAT: katTime, Plaintext: `{"user_id":1}`}).Token
			r = cli{args: []string{"audit", "-cookie", devTok}}.run(t)
			if r.code != exitFail || !strings.Contains(r.stdout, "FOUND: the token was sealed with a known key: built-in list entry 1") {
				t.Errorf("audit of Python's token sealed with dev: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
		})
	}
}
