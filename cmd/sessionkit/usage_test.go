package main

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestUsageExitCodes: every command answers an unknown flag, and every
// command that takes no argument a stray one, with status 2 and one line
// saying what is wrong, then where the usage is; nothing on stdout.
func TestUsageExitCodes(t *testing.T) {
	e := &env{}
	for _, c := range e.commands() {
		for _, args := range [][]string{
			{c.name, "-no-such-flag"},
			{c.name, "-no-such-flag", "x"},
		} {
			r := cli{args: args}.run(t)
			lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
			if r.code != exitUsage || r.stdout != "" || len(lines) != 2 ||
				lines[0] != "sessionkit "+c.name+": flag provided but not defined: -no-such-flag" ||
				lines[1] != "Run 'sessionkit help "+c.name+"' for usage." {
				t.Errorf("%v: exit %d\nstdout: %q\nstderr:\n%s", args, r.code, r.stdout, r.stderr)
			}
		}
	}
	for _, args := range [][]string{
		{"secret", "extra"},
		{"version", "extra"},
		{"help", "a", "b"},
		{"help", "nope"},
		{"audit", "extra"},
		{"sign", "-key", strongKey, "extra"},
		{"decode", "a", "b"},
		{"verify", "-key", strongKey, "a", "b"},
		{"decode", ""},
		{"desafio"},
		{"desafio", "not a url"},
		{"demo", "extra"},
		{"demo", "-store", "nope"},
		{"decode", "-max-input", "0"},
		{"verify", "-max-age", "soon", katV1},
		{"verify", "-key-format", "rot13", katV1},
	} {
		r := cli{args: args, env: map[string]string{"SECRET_KEY": strongKey}}.run(t)
		lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
		last := lines[len(lines)-1]
		if r.code != exitUsage || r.stdout != "" || !strings.HasPrefix(lines[0], "sessionkit "+args[0]+": ") || !strings.HasPrefix(last, "Run 'sessionkit help "+args[0]+"' for usage.") {
			t.Errorf("%q: exit %d\nstdout: %q\nstderr:\n%s", args, r.code, r.stdout, r.stderr)
		}
	}
}

// TestCookieForms: a cookie pasted in any common form gives the same
// value; the name picks the cookie.
func TestCookieForms(t *testing.T) {
	const v = mariaCookie
	for _, tt := range []struct {
		name, in, cookie, want string
	}{
		{"bare", v, "", v},
		{"bare with spaces", "  \t" + v + "\r\n", "", v},
		{"double quoted", `"` + v + `"`, "", v},
		{"single quoted", `'` + v + `'`, "", v},
		{"wrapped", v[:20] + "\n" + v[20:40] + "\r\n  " + v[40:], "", v},
		{"name=value", "session=" + v, "", v},
		{"name=quoted", `session="` + v + `"`, "", v},
		{"document.cookie", "lang=en; session=" + v + "; theme=dark", "", v},
		{"Cookie header", "Cookie: lang=en; session=" + v, "", v},
		{"lower-case header", "cookie: session=" + v, "", v},
		{"Set-Cookie line", "Set-Cookie: session=" + v + "; Expires=Wed, 21 Oct 2026 07:28:00 GMT; HttpOnly; Path=/; SameSite=Lax", "", v},
		{"Set-Cookie without the header name", "session=" + v + "; HttpOnly; Path=/", "", v},
		{"response headers", "HTTP/1.1 302 FOUND\nLocation: /perfil\nSet-Cookie: lang=en; Path=/\nSet-Cookie: session=" + v + "; HttpOnly; Path=/\n", "", v},
		{"request headers", "GET /perfil HTTP/1.1\r\nHost: 127.0.0.1:5000\r\nCookie: session=" + v + "\r\nAccept: */*\r\n", "", v},
		{"curl -H", "curl 'http://127.0.0.1:5000/perfil' \\\n  -H 'Cookie: session=" + v + "; lang=en' \\\n  --compressed", "", v},
		{"curl -b", `curl http://127.0.0.1:5000/ -b "session=` + v + `"`, "", v},
		{"curl --cookie", `curl --cookie 'lang=en; session=` + v + `' http://127.0.0.1:5000/`, "", v},
		{"devtools row", "session\t" + v + "\t127.0.0.1\t/\tSession\t68\t\u2713\t\t\tMedium", "", v},
		{"devtools rows", "lang\ten\t127.0.0.1\t/\t2027-01-01\t6\nsession\t" + v + "\t127.0.0.1\t/\tSession\t68", "", v},
		{"other name", "Cookie: session=nope; meu_app=" + v, "meu_app", v},
		{"other name bare", v, "meu_app", v},
		{"padded value stays bare", v + "=", "", v + "="},
	} {
		name := tt.cookie
		if name == "" {
			name = "session"
		}
		got, err := cookieValue(tt.in, name)
		if err != nil || got != tt.want {
			t.Errorf("%s: cookieValue = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
	for _, tt := range []struct {
		name, in string
		code     int
		says     string
	}{
		{"empty", " \n ", exitUsage, "no cookie given"},
		{"absent", "Cookie: lang=en; csrftoken=x", exitMalformed, `no cookie named "session" in the input (it has lang, csrftoken): name the session cookie with -name`},
		{"deleted", "Set-Cookie: session=; Max-Age=0; Path=/", exitMalformed, `the cookie "session" is empty`},
	} {
		_, err := cookieValue(tt.in, "session")
		r := cli{args: []string{"decode", tt.in}}.run(t)
		if err == nil || r.code != tt.code || !strings.Contains(r.stderr, tt.says) {
			t.Errorf("%s: %v; decode exit %d, stderr %q", tt.name, err, r.code, r.stderr)
		}
	}
}

// TestExitTableDocumented: the exit status table "sessionkit help" shows
// is the one in doc.go, and README.md has a row for every status.
func TestExitTableDocumented(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(exitTable), "\n")[1:] {
		if line != "" && !strings.Contains(string(doc), "//"+line+"\n") {
			t.Errorf("doc.go lacks the exit table line %q", line)
		}
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for code := range exitExpired + 1 {
		if !strings.Contains(string(readme), fmt.Sprintf("\n| %d | ", code)) {
			t.Errorf("README.md has no row for exit status %d", code)
		}
	}
}
