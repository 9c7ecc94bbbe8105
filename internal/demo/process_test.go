package demo

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// buildSessionkit builds cmd/sessionkit into t's temporary directory and
// returns the binary's path. It skips t under -short, without the go
// command, or while cmd/sessionkit has no demo command. With the build
// cache warm a rebuild only relinks (about a second and a half).
func buildSessionkit(t *testing.T) string {
	t.Helper()
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
	return bin
}

// demoProcess is a running `sessionkit demo`.
type demoProcess struct {
	cmd *exec.Cmd
	// url is the address the process printed, such as
	// "http://127.0.0.1:41234/".
	url string
	// printed holds the lines printed on stdout up to and including the URL.
	printed []string
	stderr  lockedBuffer

	done    chan struct{} // closed once the process has exited
	waitErr error         // Wait's result, set before done is closed
}

// startDemo starts bin with args and env added to the test's environment,
// and waits up to 20 seconds for the URL it prints. The process is killed
// when t ends if it is still running.
func startDemo(t *testing.T, bin string, env []string, args ...string) *demoProcess {
	t.Helper()
	return startDemoIn(t, "", bin, env, args...)
}

// startDemoIn is startDemo with the process's working directory set to dir
// ("" for the test's).
func startDemoIn(t *testing.T, dir, bin string, env []string, args ...string) *demoProcess {
	t.Helper()
	p := &demoProcess{cmd: exec.Command(bin, args...), done: make(chan struct{})}
	p.cmd.Dir = dir
	p.cmd.Env = append(os.Environ(), env...)
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.cmd.Stderr = &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
	})

	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		p.waitErr = p.cmd.Wait()
		close(p.done)
	}()
	timeout := time.After(20 * time.Second)
	for p.url == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("sessionkit demo exited before printing its URL:\n%s\n%s", strings.Join(p.printed, "\n"), p.stderr.String())
			}
			p.printed = append(p.printed, l)
			if i := strings.Index(l, "http://"); i >= 0 {
				p.url = l[i:]
			}
		case <-timeout:
			t.Fatalf("no URL within 20s:\n%s", strings.Join(p.printed, "\n"))
		}
	}
	go func() {
		for range lines {
		}
	}()
	return p
}

// wait waits up to d for the process to exit and reports whether it did,
// with Wait's error.
func (p *demoProcess) wait(d time.Duration) (exited bool, err error) {
	select {
	case <-p.done:
		return true, p.waitErr
	case <-time.After(d):
		return false, nil
	}
}

// lockedBuffer is a strings.Builder that the process's stderr copier
// writes to while the test may read it.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
