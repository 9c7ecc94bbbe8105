package main

import (
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	session "github.com/sessionkit/session"
)

func TestPyLiteral(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{`'dev'`, "dev", true},
		{`"dev"`, "dev", true},
		{`dev`, "", false},
		{`bob`, "", false},
		{`'it's'`, "", false},
		{`'unterminated`, "", false},
		{`'\''`, "'", true},
		{`"say \"hi\""`, `say "hi"`, true},
		{`'\n\t\r\\'`, "\n\t\r\\", true},
		{`'\2\1thisismyscretkey\1\2\e\y\y\h'`, "\x02\x01thisismyscretkey\x01\x02\\e\\y\\y\\h", true},
		{`b'_5#y2L"F4Q8z\n\xec]/'`, "_5#y2L\"F4Q8z\n\xec]/", true},
		{`'_5#y2L"F4Q8z\n\xec]/'`, "_5#y2L\"F4Q8z\n\u00ec]/", true},
		{`'\u00e9\U0001F600'`, "é😀", true},
		{`b'\u00e9'`, `\u00e9`, true},
		{`'\101\0'`, "A\x00", true},
		{`b'\777'`, "", false},
		{`'\x4'`, "", false},
		{`r'\d\''`, `\d\'`, true},
		{`rb'\x00'`, `\x00`, true},
		{`bb'x'`, "", false},
		{`b'é'`, "", false},
		{`'é'`, "é", true},
		{`'`, "", false},
		{`''`, "", true},
	} {
		got, ok := pyLiteral(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("pyLiteral(%s) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// TestAuditKnownKeys signs a cookie with every built-in known key and checks
// that audit finds each, without printing it.
func TestAuditKnownKeys(t *testing.T) {
	for i, k := range session.KnownKeys() {
		if k == "" {
			continue
		}
		c := signed(t, k, "cookie-session", "eyJ1c2VyX2lkIjoxfQ", "ZVPxAA")
		r := cli{args: []string{"audit", "-cookie", c}}.run(t)
		if r.code != exitFail || !strings.Contains(r.stdout, "FOUND") {
			t.Errorf("known key %d: exit %d\n%s%s", i, r.code, r.stdout, r.stderr)
		}
		if strings.Contains(r.stdout+r.stderr, "\nkey: ") {
			t.Errorf("known key %d printed without -show-key", i)
		}
		r = cli{args: []string{"audit", "-cookie", c, "-show-key"}}.run(t)
		if !strings.Contains(r.stdout, "\nkey: "+printable(k)+"\n") {
			t.Errorf("known key %d: -show-key printed %s", i, r.stdout)
		}
	}
}

func TestAuditWordlist(t *testing.T) {
	dir := t.TempDir()
	superset := "\x02\x01thisismyscretkey\x01\x02\\e\\y\\y\\h"
	words := strings.Join([]string{
		`"              + "`,
		strings.Repeat("y", maxWordLine+10),
		`b'\x00\xffraw'`,
		`'\2\1thisismyscretkey\1\2\e\y\y\h'`,
		"a-plain-line-key",
		"crlf-key\r",
	}, "\n")
	path := filepath.Join(dir, "all.txt")
	if err := os.WriteFile(path, []byte(words), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		key  string
		line string
	}{
		{"\x00\xffraw", "line 3"},
		{superset, "built-in"}, // also a known key: the built-in list is tried first
		{"a-plain-line-key", "line 5"},
		{"crlf-key", "line 6"},
		{"              + ", "line 1"},
	} {
		c := signed(t, tc.key, "cookie-session", "eyJ1c2VyX2lkIjoxfQ", "ZVPxAA")
		r := cli{args: []string{"audit", "-cookie", c, "-wordlist", path}}.run(t)
		if r.code != exitFail || !strings.Contains(r.stdout, tc.line) {
			t.Errorf("key %q: exit %d, want %s\n%s%s", tc.key, r.code, tc.line, r.stdout, r.stderr)
		}
	}
	// The salt matters: a cookie of another signer is found with -salt.
	c := signed(t, "a-plain-line-key", "remember-me", "eyJ1c2VyX2lkIjoxfQ", "ZVPxAA")
	if r := (cli{args: []string{"audit", "-cookie", c, "-wordlist", path}}).run(t); r.code != exitOK {
		t.Errorf("other salt without -salt: exit %d", r.code)
	}
	if r := (cli{args: []string{"audit", "-cookie", c, "-wordlist", path, "-salt", "remember-me"}}).run(t); r.code != exitFail {
		t.Errorf("other salt with -salt: exit %d", r.code)
	}
	// -max-words bounds the work.
	r := cli{args: []string{"audit", "-cookie", katV1, "-wordlist", path, "-max-words", "2"}}.run(t)
	if r.code != exitUsage || !strings.Contains(r.stderr, "more than 2 entries") {
		t.Errorf("-max-words 2: %+v", r)
	}
	// A missing wordlist is a usage error.
	r = cli{args: []string{"audit", "-cookie", katV1, "-wordlist", filepath.Join(dir, "none")}}.run(t)
	if r.code != exitUsage {
		t.Errorf("missing wordlist: %+v", r)
	}
}

// TestSecretKeysPassPolicy is §4.1: keys from "sessionkit secret" pass the
// library's key policy, in both formats.
func TestSecretKeysPassPolicy(t *testing.T) {
	for _, format := range []string{"hex", "base64url"} {
		for range 500 {
			r := cli{args: []string{"secret", "-format", format}, random: rand.Reader}.run(t)
			key := strings.TrimSpace(r.stdout)
			if err := session.CheckKey([]byte(key)); err != nil {
				t.Fatalf("secret -format %s made %q, which the key policy refuses: %v", format, key, err)
			}
			if r := (cli{args: []string{"audit", "-key-env", "K"}, env: map[string]string{"K": key}}).run(t); r.code != exitOK {
				t.Fatalf("audit refuses a key from secret: %s", r.stdout)
			}
		}
	}
}
