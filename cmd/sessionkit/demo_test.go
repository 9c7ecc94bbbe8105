package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
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

func TestDemoBadUsage(t *testing.T) {
	for _, tt := range []struct {
		args []string
		says string
	}{
		{[]string{"demo", "-no-such-flag"}, "flag provided but not defined: -no-such-flag"},
		{[]string{"demo", "-lifetime", "0s"}, "-lifetime must be positive"},
		{[]string{"demo", "-lang", "fr"}, "-lang must be pt-BR or en"},
		{[]string{"demo", "extra"}, `unexpected argument "extra"`},
	} {
		r := cli{args: tt.args}.run(t)
		if r.code != exitUsage {
			t.Errorf("%v: exit %d, want %d", tt.args, r.code, exitUsage)
		}
		if strings.Count(r.stderr, tt.says) != 1 || !strings.Contains(r.stderr, "usage: sessionkit demo") {
			t.Errorf("%v: stderr does not say %q once with the usage:\n%s", tt.args, tt.says, r.stderr)
		}
	}
}
