package demo

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestCommand runs the demo the way the README says, `sessionkit demo`,
// as a built binary: it waits for the URL line, gets the home page, then
// sends SIGINT and expects a clean exit.
func TestCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the sessionkit binary; skipped with -short")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "cmd", "sessionkit", "demo.go")); err != nil {
		t.Skip("cmd/sessionkit has no demo command yet")
	}
	bin := filepath.Join(t.TempDir(), "sessionkit")
	build := exec.Command(goCmd, "build", "-o", bin, "./cmd/sessionkit")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/sessionkit: %v\n%s", err, out)
	}

	cmd := exec.Command(bin, "demo", "-addr", "127.0.0.1:0", "-lifetime", "3s")
	cmd.Env = append(os.Environ(), "SECRET_KEY=")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			cmd.Process.Kill()
			<-exited
		}
	})

	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		exited <- cmd.Wait()
	}()
	var url string
	var printed []string
	timeout := time.After(20 * time.Second)
	for url == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("sessionkit demo exited before printing its URL:\n%s\n%s", strings.Join(printed, "\n"), stderr.String())
			}
			printed = append(printed, l)
			if i := strings.Index(l, "http://"); i >= 0 {
				url = l[i:]
			}
		case <-timeout:
			t.Fatalf("no URL within 20s:\n%s", strings.Join(printed, "\n"))
		}
	}
	if !strings.Contains(strings.Join(printed, "\n"), "sessions end when this process stops") {
		t.Errorf("without a key the demo does not say that sessions are ephemeral:\n%s", strings.Join(printed, "\n"))
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "Sessões: o servidor lembra de você") {
		t.Errorf("GET %s = %d, home page not served", url, resp.StatusCode)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	go func() {
		for range lines {
		}
	}()
	select {
	case err := <-exited:
		stopped = true
		if err != nil {
			t.Errorf("after SIGINT: %v\nstderr: %s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("sessionkit demo did not exit within 10s of SIGINT")
	}
}
