package demo

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// startMain runs Main's body in-process on a free port and returns the
// site's URL, a function that stops it and waits for its error, and the
// lines printed on stdout so far.
func startMain(t *testing.T, args []string, env map[string]string) (url string, stop func() error, printed *strings.Builder) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), func(k string) string { return env[k] }, pw, io.Discard)
		pw.CloseWithError(io.EOF)
		done <- err
	}()
	printed = new(strings.Builder)
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	deadline := time.After(10 * time.Second)
	for url == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				cancel()
				t.Fatalf("demo exited before printing its URL: %v\n%s", <-done, printed)
			}
			printed.WriteString(l + "\n")
			if i := strings.Index(l, "http://"); i >= 0 {
				url = strings.TrimSuffix(l[i:], "/")
			}
		case <-deadline:
			cancel()
			t.Fatalf("no URL printed within 10s:\n%s", printed)
		}
	}
	go func() {
		for range lines {
		}
	}()
	stop = func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(10 * time.Second):
			t.Fatal("demo did not stop within 10s of cancel")
			return nil
		}
	}
	t.Cleanup(func() { cancel() })
	return url, stop, printed
}

func TestMainServesAndStops(t *testing.T) {
	tests := []struct {
		name      string
		env       map[string]string
		ephemeral bool
	}{
		{"ephemeral key", nil, true},
		{"SECRET_KEY", map[string]string{"SECRET_KEY": "b6c2d8f0a4e1937c5d2f8a6b0e4c19d7f3a5b8c2e6d1f0a9"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url, stop, printed := startMain(t, nil, tt.env)
			resp, err := http.Get(url + "/")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("GET / = %d, want 200", resp.StatusCode)
			}
			if got := strings.Contains(printed.String(), "sessions end when this process stops"); got != tt.ephemeral {
				t.Errorf("ephemeral notice printed = %v, want %v; output:\n%s", got, tt.ephemeral, printed)
			}
			if err := stop(); err != nil {
				t.Errorf("Main returned %v after cancel, want nil", err)
			}
		})
	}
}

func TestMainRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-lifetime", "0s"},
		{"-lang", "fr"},
		{"-nope"},
		{"extra"},
		{"-secret-key-file", "/nonexistent/key"},
	} {
		err := run(context.Background(), args, func(string) string { return "" }, io.Discard, io.Discard)
		if err == nil {
			t.Errorf("run(%q) = nil, want an error", args)
		}
	}
}
