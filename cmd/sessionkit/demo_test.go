package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDemo runs "sessionkit demo" in-process on a free port, fetches the
// home page and stops it by cancelling the context, as Ctrl+C does.
func TestDemo(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		e := &env{
			stdin:  strings.NewReader(""),
			stdout: pw,
			stderr: io.Discard,
			getenv: func(string) string { return "" },
			now:    time.Now,
		}
		done <- e.run(ctx, []string{"demo", "-addr", "127.0.0.1:0"})
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	url := ""
	for url == "" && sc.Scan() {
		if i := strings.Index(sc.Text(), "http://"); i >= 0 {
			url = sc.Text()[i:]
		}
	}
	go io.Copy(io.Discard, pr) // keep the demo's later output flowing
	if url == "" {
		t.Fatalf("the demo printed no URL (exit %d)", <-done)
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET %s: %s", url, resp.Status)
	}
	cancel()
	if code := <-done; code != exitOK {
		t.Errorf("demo exited %d after cancel", code)
	}
}

// TestDemoBadUsage: every mistake in demo's command line is one line that
// says what is wrong, then where the usage is, with status 2.
func TestDemoBadUsage(t *testing.T) {
	for _, tt := range []struct {
		args []string
		says string
	}{
		{[]string{"demo", "-no-such-flag"}, "sessionkit demo: flag provided but not defined: -no-such-flag"},
		{[]string{"demo", "-lifetime", "0s"}, "sessionkit demo: -lifetime must be positive, got 0s"},
		{[]string{"demo", "-lang", "fr"}, `sessionkit demo: -lang must be pt-BR or en, got "fr"`},
		{[]string{"demo", "-store-timeout", "-1s"}, "sessionkit demo: -store-timeout must not be negative, got -1s"},
		{[]string{"demo", "extra"}, `sessionkit demo: unexpected argument "extra"`},
		{[]string{"demo", "-store", "foo:bar"}, `sessionkit demo: unknown -store "foo:bar": use cookie, memory, sqlite:PATH, redis://HOST:PORT/DB or postgres://URL`},
		{[]string{"demo", "-store=sqlite:"}, `sessionkit demo: -store sqlite:PATH needs a file path, as in sqlite:demo.db`},
		{[]string{"demo", "-store", "redis://"}, `sessionkit demo: unknown -store "redis://": use cookie, memory, sqlite:PATH, redis://HOST:PORT/DB or postgres://URL`},
		{[]string{"demo", "-sealed", "-store", "memory"}, "sessionkit demo: -sealed goes with cookie sessions: with -store memory the cookie holds only a signed ID, and the data stays on the server"},
		{[]string{"demo", "-secret-key-file", "/nonexistent/key"}, "sessionkit demo: creating secret key file: open /nonexistent/key: no such file or directory"},
	} {
		r := cli{args: tt.args}.run(t)
		want := tt.says + "\nRun 'sessionkit help demo' for usage.\n"
		if r.code != exitUsage || r.stderr != want || r.stdout != "" {
			t.Errorf("%v: exit %d, stderr:\n%s\nwant exit %d and:\n%s", tt.args, r.code, r.stderr, exitUsage, want)
		}
	}
}

// TestDemoCannotStart: a weak key and a busy port are failures (status 1)
// explained in one line, without the layers of package names.
func TestDemoCannotStart(t *testing.T) {
	dir := t.TempDir()
	weak := filepath.Join(dir, "weak.txt")
	if err := os.WriteFile(weak, []byte("sua_chave_secreta_segura\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := cli{args: []string{"demo", "-secret-key-file", weak}}.run(t)
	want := "sessionkit demo: the secret key is weak: it is a published example key (fingerprint 362a833b) that attackers try first; make a random key with `sessionkit secret` (or Python's secrets.token_hex())\n"
	if r.code != exitFail || r.stderr != want {
		t.Errorf("weak key: exit %d, stderr:\n%s\nwant:\n%s", r.code, r.stderr, want)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	addr := ln.Addr().(*net.TCPAddr)
	r = cli{args: []string{"demo", "-addr", addr.String()}}.run(t)
	want = fmt.Sprintf("sessionkit demo: %s is already in use (another demo or server is running there): stop it, or choose another port with -addr 127.0.0.1:%d\n", addr, addr.Port+1)
	if r.code != exitFail || r.stderr != want {
		t.Errorf("busy port: exit %d, stderr:\n%s\nwant:\n%s", r.code, r.stderr, want)
	}
}

// TestDemoHelpFlag: demo -h prints the demo's flags on standard output.
func TestDemoHelpFlag(t *testing.T) {
	r := cli{args: []string{"demo", "-h"}}.run(t)
	if r.code != exitOK || !strings.Contains(r.stdout, "-addr host:port") || r.stderr != "" {
		t.Errorf("demo -h: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
}
