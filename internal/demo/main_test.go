package demo

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/session/flask"
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
		{"-store-timeout", "-1s"},
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

func TestMainKeySources(t *testing.T) {
	dir := t.TempDir()
	strong := filepath.Join(dir, "strong")
	key := testKey(t)
	os.WriteFile(strong, append(key, '\n'), 0o600)
	weak := filepath.Join(dir, "weak")
	os.WriteFile(weak, []byte("change-me\n"), 0o600)

	if err := run(context.Background(), []string{"-secret-key-file", weak}, func(string) string { return "" }, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "sessionkit secret") {
		t.Errorf("weak key file: %v, want an error pointing to sessionkit secret", err)
	}
	if err := run(context.Background(), nil, func(k string) string { return map[string]string{"SECRET_KEY": "dev"}[k] }, io.Discard, io.Discard); err == nil {
		t.Error("SECRET_KEY=dev accepted")
	}
	// The file wins over SECRET_KEY, and its trailing newline is not part of the key.
	url, stop, printed := startMain(t, []string{"-secret-key-file", strong}, map[string]string{"SECRET_KEY": "dev"})
	if strings.Contains(printed.String(), "fresh random key") {
		t.Error("a key file was given, yet the demo says its key is ephemeral")
	}
	signer, err := flask.NewSigner(key)
	if err != nil {
		t.Fatal(err)
	}
	cookie, err := flask.NewCodec(signer).Encode(map[string]any{"usuario": "Zé"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", url+"/perfil", nil)
	req.Header.Set("Cookie", "session="+cookie)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "Bem-vindo, Zé!" {
		t.Errorf("/perfil with a cookie signed by the file's key = %q", body)
	}
	if err := stop(); err != nil {
		t.Error(err)
	}
}

// -secret-key-file creates the file with a fresh key (mode 0600) on first
// use and reuses it afterwards: a session outlives a restart, as /chave
// says. A fresh key at every start ends them all, as /chave says too.
func TestMainKeyFileKeepsSessions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "demo.key")
	get := func(url, path, cookie string) (string, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", url+path, nil)
		if cookie != "" {
			req.Header.Set("Cookie", "session="+cookie)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		for _, c := range resp.Cookies() {
			if c.Name == "session" {
				cookie = c.Value
			}
		}
		return string(b), cookie
	}
	url, stop, printed := startMain(t, []string{"-secret-key-file", path}, nil)
	if !strings.Contains(printed.String(), "Created "+path) {
		t.Errorf("first start does not say it created the key file:\n%s", printed)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, mode %v; want 0600", err, fi.Mode())
	}
	key, _ := os.ReadFile(path)
	if len(strings.TrimSpace(string(key))) != 64 {
		t.Errorf("key file holds %q, want 64 hex digits", key)
	}
	_, cookie := get(url, "/login", "")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	url, stop, printed = startMain(t, []string{"-secret-key-file", path}, nil)
	if strings.Contains(printed.String(), "Created") {
		t.Error("second start created the key file again")
	}
	if body, _ := get(url, "/perfil", cookie); body != "Bem-vindo, Maria!" {
		t.Errorf("after a restart with the same key file /perfil = %q", body)
	}
	if again, _ := os.ReadFile(path); string(again) != string(key) {
		t.Error("the key file changed")
	}
	stop()
	// A new key at each start, as SECRET_KEY="$(... secret)" would give.
	url, stop, _ = startMain(t, nil, map[string]string{"SECRET_KEY": string(testKey(t))})
	if body, _ := get(url, "/perfil", cookie); body != "Nenhum usuário logado." {
		t.Errorf("with another key /perfil = %q, want the session gone", body)
	}
	stop()
}

func TestKeyFromFile(t *testing.T) {
	dir := t.TempDir()
	strong := string(testKey(t))
	tests := []struct {
		name    string
		content *string // nil: no file
		mode    os.FileMode
		path    string
		created bool
		err     string
		warn    string
	}{
		{name: "missing: created", path: filepath.Join(dir, "new.key"), created: true},
		{name: "present", content: &strong, mode: 0o600, path: filepath.Join(dir, "ok.key")},
		{name: "readable by others", content: &strong, mode: 0o644, path: filepath.Join(dir, "open.key"), warn: "chmod 600"},
		{name: "empty", content: new(string), mode: 0o600, path: filepath.Join(dir, "empty.key"), err: "is empty"},
		{name: "folder missing", path: filepath.Join(dir, "no", "such", "dir", "k"), err: "creating secret key file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.content != nil {
				if err := os.WriteFile(tt.path, []byte(*tt.content+"\n"), tt.mode); err != nil {
					t.Fatal(err)
				}
				os.Chmod(tt.path, tt.mode)
			}
			var stderr strings.Builder
			key, created, err := keyFromFile(tt.path, &stderr)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || created != tt.created || len(key) != 64 {
				t.Errorf("key %q, created %v, err %v", key, created, err)
			}
			if tt.content != nil && string(key) != *tt.content {
				t.Errorf("key %q, want the file's", key)
			}
			if warned := stderr.Len() > 0; warned != (tt.warn != "") || !strings.Contains(stderr.String(), tt.warn) {
				t.Errorf("stderr %q, want a warning %q", stderr.String(), tt.warn)
			}
		})
	}
}
