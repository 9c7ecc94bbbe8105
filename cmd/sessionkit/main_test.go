package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	session "github.com/sessionkit/session"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// Known-answer vectors of SECURITY.md Appendix C, minted by itsdangerous
// with Flask's settings at 1700000000.
const (
	katKey    = "kat-secret-key-do-not-use-in-production-0001"
	katOldKey = "kat-OLD-key-do-not-use-in-production-0000"
	katTime   = 1700000000
	katV1     = "eyJ1c2VyX2lkIjoxfQ.ZVPxAA.fakW8xRs_-Z2qVeZ_q5lQCYaa08"
	katV2     = ".eJyrVkpJLElUslJKHCZAqRYAjQNPHQ.ZVPxAA.ChQownprMTkBlDnLwUSEqSHnB-Y"
	katV3     = ".eJyrVipRsqpWUgCS0YY6RrG1OkpJYAEgqeQYYGGrBBQpBYsASSVDI2MTUzNzC1w0SHUKWDWQVPLNz9NRMDBU8ErMUzAyMDJRMDCwAiMFd98QkNJcsFIgqWSTZFdho59kp1RbCwAjBCNF.ZVPxAA.4yNc_hK074vFp_0P4zCM1ZY-KyQ"
	katV4     = "eyJ1c2VyX2lkIjoxfQ.ZVPxAA.cVcLTGaBLYQP_g-SNRv-XFRLIkY"
	// The lesson's cookie: key test-secret-key, {"usuario": "Maria"} (spec §1).
	mariaKey    = "test-secret-key"
	mariaCookie = "eyJ1c3VhcmlvIjoiTWFyaWEifQ.ZVPxAA.ZRHvFsc2S0rFxA4WVFbGNBikc2g"
	// A key that passes the key policy (64 hex digits from "sessionkit secret").
	strongKey = "9f2c1e7a4b8d3f60a5c7e9b1d2f4a6c8e0b3d5f7a9c1e3b5d7f9a2c4e6b8d0f1"
)

// cli is one in-process run of the command.
type cli struct {
	args   []string
	stdin  string
	env    map[string]string
	now    int64     // Unix seconds; default katTime + 100
	random io.Reader // default a deterministic counter
	// sleep replaces waiting; default: fail, since no test should wait.
	sleep func(context.Context, time.Duration) error
}

type result struct {
	stdout, stderr string
	code           int
}

// counter is a deterministic "random" source: bytes 0, 1, 2, ...
type counter struct{ n byte }

func (c *counter) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = c.n
		c.n++
	}
	return len(p), nil
}

func (c cli) run(t testing.TB) result {
	t.Helper()
	return c.runWith(t, strings.NewReader(c.stdin))
}

func (c cli) runWith(t testing.TB, stdin io.Reader) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	now := c.now
	if now == 0 {
		now = katTime + 100
	}
	random := c.random
	if random == nil {
		random = &counter{}
	}
	sleep := c.sleep
	if sleep == nil {
		sleep = func(context.Context, time.Duration) error {
			t.Error("the command waited")
			return errors.New("no waiting in tests")
		}
	}
	e := &env{
		stdin:  stdin,
		stdout: &stdout,
		stderr: &stderr,
		getenv: func(k string) string { return c.env[k] },
		now:    func() time.Time { return time.Unix(now, 0) },
		sleep:  sleep,
		random: random,
	}
	code := e.run(context.Background(), c.args)
	return result{stdout.String(), stderr.String(), code}
}

// goldenCases run through run and compare with testdata/golden/NAME.txt.
var goldenCases = []struct {
	name string
	cli  cli
}{
	{"no-args", cli{}},
	{"help", cli{args: []string{"help"}}},
	{"help-flag", cli{args: []string{"-h"}}},
	{"unknown-command", cli{args: []string{"frobnicate\x1b[2J"}}},
	{"help-secret", cli{args: []string{"help", "secret"}}},
	{"help-decode", cli{args: []string{"help", "decode"}}},
	{"help-verify", cli{args: []string{"help", "verify"}}},
	{"help-sign", cli{args: []string{"help", "sign"}}},
	{"help-audit", cli{args: []string{"help", "audit"}}},
	{"help-demo", cli{args: []string{"help", "demo"}}},
	{"help-version", cli{args: []string{"help", "version"}}},
	{"help-unknown", cli{args: []string{"help", "nope"}}},
	{"verify-h", cli{args: []string{"verify", "-h"}}},
	{"bad-flag", cli{args: []string{"decode", "-nope"}}},

	{"secret", cli{args: []string{"secret"}}},
	{"secret-base64url", cli{args: []string{"secret", "-format", "base64url", "-bytes", "48"}}},
	{"secret-short", cli{args: []string{"secret", "-bytes", "8"}}},
	{"secret-short-insecure", cli{args: []string{"secret", "-bytes", "8", "-insecure"}}},
	{"secret-bad-format", cli{args: []string{"secret", "-format", "base32"}}},
	{"secret-huge", cli{args: []string{"secret", "-bytes", "1000000000"}}},

	{"decode-v1", cli{args: []string{"decode", katV1}}},
	{"decode-v2-compressed", cli{args: []string{"decode", katV2}}},
	{"decode-v3-tagged", cli{args: []string{"decode", katV3}}},
	{"decode-v3-json", cli{args: []string{"decode", "-json", katV3}}},
	{"decode-stdin", cli{args: []string{"decode"}, stdin: "session=" + mariaCookie + "\n"}},
	{"decode-dash-quoted", cli{args: []string{"decode", "-"}, stdin: `"` + mariaCookie + `"`}},
	{"decode-expired", cli{args: []string{"decode", mariaCookie}, now: katTime + 40*86400}},
	{"decode-future", cli{args: []string{"decode", mariaCookie}, now: katTime - 3600}},
	{"decode-now-flag", cli{args: []string{"decode", "-now", "1700003600", mariaCookie}}},
	{"decode-malformed", cli{args: []string{"decode", "not-a-cookie"}}},
	{"decode-control-chars", cli{args: []string{"decode", "\x1b[2J\x1b]0;pwned\x07.ZVPxAA.sig"}}},
	{"decode-empty", cli{args: []string{"decode"}, stdin: "  \n"}},
	{"decode-too-many-args", cli{args: []string{"decode", "a", "b"}}},

	{"verify-ok", cli{args: []string{"verify", "-key-env", "K", katV1}, env: map[string]string{"K": katKey}}},
	{"verify-ok-default-env", cli{args: []string{"verify", katV3}, env: map[string]string{"SECRET_KEY": katKey}}},
	{"verify-key-argv-warns", cli{args: []string{"verify", "-key", katKey, katV2}}},
	{"verify-wrong-key", cli{args: []string{"verify", "-key-env", "K", katV1}, env: map[string]string{"K": "another-key-of-sufficient-length-000000"}}},
	{"verify-fallback", cli{args: []string{"verify", "-key-env", "K", "-fallback-env", "OLD", katV4}, env: map[string]string{"K": katKey, "OLD": katOldKey}}},
	{"verify-expired", cli{args: []string{"verify", "-key-env", "K", katV1}, env: map[string]string{"K": katKey}, now: katTime + 31*86400 + 1}},
	{"verify-max-age-edge", cli{args: []string{"verify", "-key-env", "K", "-max-age", "120", katV1}, env: map[string]string{"K": katKey}, now: katTime + 120}},
	{"verify-max-age-past", cli{args: []string{"verify", "-key-env", "K", "-max-age", "2m", katV1}, env: map[string]string{"K": katKey}, now: katTime + 121}},
	{"verify-future", cli{args: []string{"verify", "-key-env", "K", katV1}, env: map[string]string{"K": katKey}, now: katTime - 1}},
	{"verify-now-flag", cli{args: []string{"verify", "-key-env", "K", "-now", "1700000000", katV1}, env: map[string]string{"K": katKey}, now: 2000000000}},
	{"verify-malformed", cli{args: []string{"verify", "-key-env", "K", "abc"}, env: map[string]string{"K": katKey}}},
	{"verify-no-key", cli{args: []string{"verify", katV1}}},
	{"verify-two-keys", cli{args: []string{"verify", "-key-env", "K", "-key-env", "L", katV1}, env: map[string]string{"K": katKey, "L": katKey}}},
	{"verify-empty-env", cli{args: []string{"verify", "-key-env", "NOPE", katV1}}},
	{"verify-bad-hex", cli{args: []string{"verify", "-key-env", "K", "-key-format", "hex", katV1}, env: map[string]string{"K": "secret-not-hex-zz"}}},
	{"verify-salt", cli{args: []string{"verify", "-key-env", "K", "-salt", "remember-me", katV1}, env: map[string]string{"K": katKey}}},
	{"verify-max-age-bad", cli{args: []string{"verify", "-key-env", "K", "-max-age", "soon", katV1}, env: map[string]string{"K": katKey}}},

	{"sign", cli{args: []string{"sign", "-key-env", "K", "-now", "1700000000", "-json", `{"usuario": "Maria"}`}, env: map[string]string{"K": mariaKey}}},
	{"sign-stdin", cli{args: []string{"sign", "-key-env", "K"}, stdin: `{"user_id": 1}`, env: map[string]string{"K": strongKey}, now: katTime}},
	{"sign-tagged", cli{args: []string{"sign", "-key-env", "K", "-tagged", "-json", `{"_flashes":[{" t":["message","Ol\u00e1"]}],"b":{" b":"AP8="}}`}, env: map[string]string{"K": strongKey}, now: katTime}},
	{"sign-plain-tag-escape", cli{args: []string{"sign", "-key-env", "K", "-json", `{"x":{" t":[1,2]}}`}, env: map[string]string{"K": strongKey}, now: katTime}},
	{"sign-permanent", cli{args: []string{"sign", "-key-env", "K", "-permanent", "-json", `{"nomes":["Ana"]}`}, env: map[string]string{"K": strongKey}, now: katTime}},
	{"sign-stdin-too-large", cli{args: []string{"sign", "-key-env", "K"}, stdin: `{"a":"` + strings.Repeat("x", 70000) + `"}`, env: map[string]string{"K": strongKey}}},
	{"sign-empty-json", cli{args: []string{"sign", "-key-env", "K", "-json", ""}, env: map[string]string{"K": strongKey}}},
	{"sign-not-object", cli{args: []string{"sign", "-key-env", "K", "-json", `[1,2]`}, env: map[string]string{"K": strongKey}}},
	{"sign-bad-json", cli{args: []string{"sign", "-key-env", "K", "-json", `{"a":`}, env: map[string]string{"K": strongKey}}},
	{"sign-too-large", cli{args: []string{"sign", "-key-env", "K", "-compress", "never"}, stdin: `{"a":"` + strings.Repeat("x", 5000) + `"}`, env: map[string]string{"K": strongKey}}},
	{"sign-big-numbers", cli{args: []string{"sign", "-key-env", "K", "-compress", "never", "-json", `{"big":123456789012345678901234567890,"f":1.0,"e":1e16,"n":-0.0}`}, env: map[string]string{"K": strongKey}, now: katTime}},

	{"audit-key-weak", cli{args: []string{"audit", "-key-env", "K"}, env: map[string]string{"K": "dev"}}},
	{"audit-key-short", cli{args: []string{"audit", "-key-env", "K"}, env: map[string]string{"K": "short-but-random-Xq9"}}},
	{"audit-key-ok", cli{args: []string{"audit", "-key-env", "K"}, env: map[string]string{"K": strongKey}}},
	{"audit-fallback-same", cli{args: []string{"audit", "-key-env", "K", "-fallback-env", "K"}, env: map[string]string{"K": strongKey}}},
	{"audit-cookie-clean", cli{args: []string{"audit", "-cookie", katV1}}},
	{"audit-cookie-malformed", cli{args: []string{"audit", "-cookie", "zzz"}}},
	{"audit-both", cli{args: []string{"audit", "-cookie", katV1, "-key-env", "K"}, env: map[string]string{"K": strongKey}}},
	{"audit-positional-cookie", cli{args: []string{"audit", mariaCookie}}},
	{"audit-positional-other", cli{args: []string{"audit", "secret_key.txt"}}},
	{"audit-cookie-header", cli{args: []string{"audit", "-cookie", "-"}, stdin: "Cookie: lang=en; session=" + signedDev + "\n"}},
	{"audit-cookie-lesson-variant", cli{args: []string{"audit", "-cookie", signedLessonVariant}}},

	// Cookies pasted in the forms people copy them in.
	{"decode-cookie-header", cli{args: []string{"decode"}, stdin: "Cookie: lang=en; session=" + mariaCookie + "; csrftoken=abc\n"}},
	{"decode-set-cookie", cli{args: []string{"decode", "Set-Cookie: session=" + mariaCookie + "; Expires=Wed, 21 Oct 2026 07:28:00 GMT; HttpOnly; Path=/"}}},
	{"decode-devtools-row", cli{args: []string{"decode"}, stdin: "session\t" + mariaCookie + "\t127.0.0.1\t/\tSession\t68\t\u2713\t\t\tMedium\n"}},
	{"decode-curl", cli{args: []string{"decode"}, stdin: "curl 'http://127.0.0.1:8080/perfil' \\\n  -H 'Accept: text/html' \\\n  -b 'lang=en; session=" + mariaCookie + "' \\\n  -H 'User-Agent: x'\n"}},
	{"decode-wrapped", cli{args: []string{"decode"}, stdin: "  \"" + mariaCookie[:30] + "\n" + mariaCookie[30:] + "\"  \n"}},
	{"decode-name", cli{args: []string{"decode", "-name", "meu_app", "meu_app=" + mariaCookie}}},
	{"decode-name-missing", cli{args: []string{"decode", "Cookie: lang=en; csrftoken=abc"}}},
	{"decode-deleted-cookie", cli{args: []string{"decode", "Set-Cookie: session=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/"}}},
	{"verify-cookie-header", cli{args: []string{"verify", "-key-env", "K", "-now", "1700000000", "Cookie: session=\"" + mariaCookie + "\"; lang=en"}, env: map[string]string{"K": mariaKey}}},

	// Usage errors of every kind exit 2 with one line saying what to do.
	{"desafio-no-url", cli{args: []string{"desafio"}}},
	{"desafio-bad-lang", cli{args: []string{"desafio", "-lang", "fr", "http://127.0.0.1:5000"}}},
	{"desafio-not-url", cli{args: []string{"desafio", "127.0.0.1:5000"}}},
	{"desafio-bad-path", cli{args: []string{"desafio", "-login", "login", "http://127.0.0.1:5000"}}},
	{"desafio-two-urls", cli{args: []string{"desafio", "http://127.0.0.1:5000", "-wait"}}},
	{"help-desafio", cli{args: []string{"help", "desafio"}}},

	// SK1 sealed tokens: the same keys, the same exit statuses.
	{"secret-sealed", cli{args: []string{"secret", "-sealed"}}},
	{"decode-sk1", cli{args: []string{"decode", sk1Maria}}},
	{"decode-sk1-json", cli{args: []string{"decode", "-json", sk1Tagged}}},
	{"decode-sk1-header", cli{args: []string{"decode", "-name", "__Host-session"}, stdin: "Cookie: lang=en; __Host-session=" + sk1App + "\n"}},
	{"decode-sk1-expired", cli{args: []string{"decode", sk1Maria}, now: katTime + 40*86400}},
	{"decode-sk1-future", cli{args: []string{"decode", sk1Maria}, now: katTime - 3600}},
	{"decode-sk1-broken", cli{args: []string{"decode", sk1Maria[:len(sk1Maria)-1]}}},
	{"verify-sk1", cli{args: []string{"verify", "-key-env", "K", sk1Maria}, env: map[string]string{"K": katKey}}},
	{"verify-sk1-tagged", cli{args: []string{"verify", sk1Tagged}, env: map[string]string{"SECRET_KEY": katKey}}},
	{"verify-sk1-fallback", cli{args: []string{"verify", "-key-env", "K", "-fallback-env", "OLD", sk1Old}, env: map[string]string{"K": katKey, "OLD": katOldKey}}},
	{"verify-sk1-wrong-key", cli{args: []string{"verify", "-key-env", "K", sk1Old}, env: map[string]string{"K": katKey}}},
	{"verify-sk1-app", cli{args: []string{"verify", "-key-env", "K", "-app", "demo", "-name", "__Host-session", "__Host-session=" + sk1App}, env: map[string]string{"K": katKey}}},
	{"verify-sk1-app-missing", cli{args: []string{"verify", "-key-env", "K", "-name", "__Host-session", sk1App}, env: map[string]string{"K": katKey}}},
	{"verify-sk1-expired", cli{args: []string{"verify", "-key-env", "K", "-max-age", "2m", sk1Maria}, env: map[string]string{"K": katKey}, now: katTime + 121}},
	{"verify-sk1-max-age-edge", cli{args: []string{"verify", "-key-env", "K", "-max-age", "2m", sk1Maria}, env: map[string]string{"K": katKey}, now: katTime + 120}},
	{"verify-sk1-future", cli{args: []string{"verify", "-key-env", "K", sk1Maria}, env: map[string]string{"K": katKey}, now: katTime - 61}},
	{"verify-sk1-salt", cli{args: []string{"verify", "-key-env", "K", "-salt", "x", sk1Maria}, env: map[string]string{"K": katKey}}},
	{"verify-flask-purpose", cli{args: []string{"verify", "-key-env", "K", "-purpose", "flash", katV1}, env: map[string]string{"K": katKey}}},
	{"verify-sk1-broken", cli{args: []string{"verify", "-key-env", "K", sk1Maria + "A"}, env: map[string]string{"K": katKey}}},
	{"audit-sk1-clean", cli{args: []string{"audit", "-cookie", sk1Maria}}},
	{"audit-sk1-dev", cli{args: []string{"audit", "-cookie", sk1Dev}}},
	{"audit-sk1-lesson-variant", cli{args: []string{"audit", "-cookie", "session=" + sk1Lesson}}},
	{"audit-sk1-other-purpose", cli{args: []string{"audit", "-cookie", sk1DevFlash}}},
	{"audit-sk1-purpose", cli{args: []string{"audit", "-cookie", sk1DevFlash, "-purpose", "flash", "-show-key"}}},
	{"audit-flask-app", cli{args: []string{"audit", "-cookie", katV1, "-app", "demo"}}},
	{"sign-sealed-compress", cli{args: []string{"sign", "-key-env", "K", "-sealed", "-compress", "never", "-json", "{}"}, env: map[string]string{"K": strongKey}}},
	{"sign-name-unsealed", cli{args: []string{"sign", "-key-env", "K", "-name", "x", "-json", "{}"}, env: map[string]string{"K": strongKey}}},
	{"sign-sealed-too-large", cli{args: []string{"sign", "-key-env", "K", "-sealed"}, stdin: `{"a":"` + strings.Repeat("x", 3010) + `"}`, env: map[string]string{"K": strongKey}}},
	{"demo-lang-fr", cli{args: []string{"demo", "-lang", "fr"}}},
	{"demo-store-unknown", cli{args: []string{"demo", "-store", "foo:bar"}}},
	{"version-extra", cli{args: []string{"version", "now"}}},
	{"help-too-many", cli{args: []string{"help", "decode", "verify"}}},
	{"secret-extra", cli{args: []string{"secret", "64"}}},
}

// Cookies signed with published keys, for audit.
var (
	signedDev           = signed(nil, "dev", "cookie-session", "eyJ1c2VyX2lkIjoxfQ", "ZVPxAA")
	signedLessonVariant = signed(nil, "Sua-Chave-Secreta-Segura-2024", "cookie-session", "eyJ1c3VhcmlvIjoiTWFyaWEifQ", "ZVPxAA")
)

func TestGolden(t *testing.T) {
	tmp := t.TempDir()
	cases := append(goldenCases, extraGolden(t, tmp)...)
	seen := map[string]bool{}
	for _, tc := range cases {
		if seen[tc.name] {
			t.Fatalf("duplicate case %s", tc.name)
		}
		seen[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			r := tc.cli.run(t)
			checkPrintable(t, r.stdout+r.stderr, true)
			var b strings.Builder
			fmt.Fprintf(&b, "$ sessionkit %s\n", printable(strings.Join(tc.cli.args, " ")))
			fmt.Fprintf(&b, "exit %d\n--- stdout\n%s--- stderr\n%s", r.code, r.stdout, r.stderr)
			golden(t, tc.name, strings.ReplaceAll(b.String(), tmp, "$TMP"))
		})
	}
}

// extraGolden builds cases that need files or cookies made at run time.
func extraGolden(t *testing.T, dir string) []struct {
	name string
	cli  cli
} {
	keyFile := filepath.Join(dir, "key.txt")
	if err := os.WriteFile(keyFile, []byte(katKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	wordlist := filepath.Join(dir, "words.txt")
	words := "'not-it'\nplain-word\n" + strings.Repeat("x", 5000) + "\n" + `"` + mariaKey + `"` + "\n"
	if err := os.WriteFile(wordlist, []byte(words), 0o600); err != nil {
		t.Fatal(err)
	}
	devCookie := signed(t, "dev", "cookie-session", "eyJ1c2VyX2lkIjoxfQ", "ZVPxAA")
	type c = struct {
		name string
		cli  cli
	}
	return []c{
		{"verify-key-file", cli{args: []string{"verify", "-key-file", keyFile, katV1}}},
		{"decode-over-4096", cli{args: []string{"decode", cookieOfLen(t, 4098)}}},
		{"decode-nan-json", cli{args: []string{"decode", "-json", katJSON(t, `{"n":NaN,"i":-Infinity}`)}}},
		{"decode-nan", cli{args: []string{"decode", katJSON(t, `{"n":NaN,"i":-Infinity}`)}}},
		{"decode-raw-escape", cli{args: []string{"decode", katJSON(t, "{\"a\":\"\x1b[2J\u00e9\"}")}}},
		{"decode-raw-escape-json", cli{args: []string{"decode", "-json", katJSON(t, "{\"a\":\"\x1b[2J\u00e9\"}")}}},
		{"verify-nan", cli{args: []string{"verify", "-key-env", "K", katJSON(t, `{"n":NaN,"i":-Infinity}`)}, env: map[string]string{"K": katKey}}},
		{"verify-key-file-missing", cli{args: []string{"verify", "-key-file", filepath.Join(dir, "none"), katV1}}},
		{"audit-cookie-dev", cli{args: []string{"audit", "-cookie", devCookie}}},
		{"audit-cookie-dev-show", cli{args: []string{"audit", "-cookie", devCookie, "-show-key"}}},
		{"audit-cookie-wordlist", cli{args: []string{"audit", "-cookie", mariaCookie, "-wordlist", wordlist}}},
		{"audit-cookie-wordlist-miss", cli{args: []string{"audit", "-cookie", katV1, "-wordlist", wordlist}}},
		{"audit-key-wordlist", cli{args: []string{"audit", "-key-env", "K", "-wordlist", wordlist}, env: map[string]string{"K": mariaKey}}},
	}
}

// golden compares got with testdata/golden/name.txt, or writes it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name+".txt")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test -update rewrites it)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// checkPrintable fails when out holds a byte a terminal could interpret:
// anything but printable ASCII and newline (and tab, in help text).
func checkPrintable(t testing.TB, out string, tabs bool) {
	t.Helper()
	for i := 0; i < len(out); i++ {
		c := out[i]
		if c == '\n' || (c == '\t' && tabs) || (c >= 0x20 && c < 0x7f) {
			continue
		}
		t.Fatalf("output byte %d is %#02x, not printable ASCII: %q", i, c, out)
	}
}

func TestRunUsesOSDefaults(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"secret"}, strings.NewReader(""), &stdout, &stderr)
	if code != 0 || len(strings.TrimSpace(stdout.String())) != 64 || stderr.Len() != 0 {
		t.Fatalf("secret: exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
}

func TestVersion(t *testing.T) {
	r := cli{args: []string{"version"}}.run(t)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "sessionkit ") || !strings.Contains(r.stdout, "go1.") {
		t.Fatalf("version: %+v", r)
	}
	checkPrintable(t, r.stdout, false)
}

// failingReader is a random source that has broken.
type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("entropy source unavailable") }

func TestSecretFailingRandom(t *testing.T) {
	r := cli{args: []string{"secret"}, random: failingReader{}}.run(t)
	if r.code != exitFail || r.stdout != "" || !strings.Contains(r.stderr, "random source failed") {
		t.Fatalf("failing random source: %+v", r)
	}
	// A source that fails part way must not print a short key either.
	r = cli{args: []string{"secret"}, random: io.LimitReader(&counter{}, 16)}.run(t)
	if r.code != exitFail || r.stdout != "" {
		t.Fatalf("short random source: %+v", r)
	}
}

// TestSecretDistinct is J-89: 10 000 keys, all distinct, of the right
// length and alphabet, and every one passes the library's key policy.
func TestSecretDistinct(t *testing.T) {
	seen := map[string]bool{}
	for _, format := range []string{"hex", "base64url"} {
		for range 5000 {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), []string{"secret", "-format", format}, nil, &stdout, &stderr)
			key := strings.TrimSuffix(stdout.String(), "\n")
			want := 64
			if format == "base64url" {
				want = 43
			}
			if code != 0 || len(key) != want || strings.Trim(key, "0123456789abcdefABCDEFGHIJKLMNOPQRSTUVWXYZghijklmnopqrstuvwxyz-_") != "" {
				t.Fatalf("secret -format %s: exit %d, %q", format, code, key)
			}
			if format == "hex" && strings.Trim(key, "0123456789abcdef") != "" {
				t.Fatalf("not hex: %q", key)
			}
			if seen[key] {
				t.Fatalf("duplicate key %q", key)
			}
			seen[key] = true
			if err := session.CheckKey([]byte(key)); err != nil {
				t.Fatalf("secret -format %s made %q, which the key policy refuses: %v", format, key, err)
			}
		}
	}
}
