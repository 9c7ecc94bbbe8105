package flaskwtf

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// requireAll reports whether missing external tools must fail the tests
// (CI sets SESSIONKIT_REQUIRE_ALL=1).
func requireAll() bool { return os.Getenv("SESSIONKIT_REQUIRE_ALL") == "1" }

// missing skips t, or fails it under SESSIONKIT_REQUIRE_ALL=1.
func missing(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if requireAll() {
		t.Fatal(msg + " (SESSIONKIT_REQUIRE_ALL=1)")
	}
	t.Skip(msg)
}

// debianFlaskWTF is Debian's Python, which has Flask 2.2 and Flask-WTF.
const debianFlaskWTF = "/usr/bin/python3"

// pythonWith returns python's Flask version if it imports every module of
// imports, or "" and the reason.
func pythonWith(python string, imports ...string) (version string, why string) {
	if _, err := exec.LookPath(python); err != nil {
		return "", python + " not found"
	}
	cmd := exec.Command(python, "-c", "import importlib.metadata as m, "+strings.Join(imports, ", ")+"; print(m.version('flask'))")
	cmd.Dir = os.TempDir() // a directory without a flask/ package shadowing Flask
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Sprintf("%s cannot import %s: %s", python, strings.Join(imports, ", "), lastLine(out))
	}
	return strings.TrimSpace(string(out)), ""
}

func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return lines[len(lines)-1]
}

// needFlaskWTF returns Debian's Python with Flask-WTF, or skips t.
func needFlaskWTF(t *testing.T) string {
	t.Helper()
	v, why := pythonWith(debianFlaskWTF, "flask", "flask_wtf")
	if v == "" {
		missing(t, "Flask-WTF (Debian's python3-flaskext.wtf) is needed: %s", why)
	}
	t.Logf("Flask %s with Flask-WTF under %s", v, debianFlaskWTF)
	return debianFlaskWTF
}

// needFlask3 returns the image's python3 with Flask 3, or skips t.
func needFlask3(t *testing.T) string {
	t.Helper()
	v, why := pythonWith("python3", "flask")
	if v == "" {
		missing(t, "Flask 3 is needed: %s", why)
	}
	if !strings.HasPrefix(v, "3.") {
		missing(t, "python3 has Flask %s, not Flask 3", v)
	}
	t.Logf("Flask %s under python3 (no Flask-WTF)", v)
	return "python3"
}

// script returns the absolute path of a file in testdata.
func script(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// runOracle runs testdata/oracle.py under python on cases and decodes its
// answer into out.
func runOracle(t *testing.T, python string, cases, out any) {
	t.Helper()
	in, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, script(t, "oracle.py"))
	cmd.Dir = t.TempDir()
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	res, err := cmd.Output()
	if err != nil {
		t.Fatalf("oracle.py: %v\n%s", err, stderr.Bytes())
	}
	if err := json.Unmarshal(res, out); err != nil {
		t.Fatalf("oracle.py answered %q: %v", res, err)
	}
}

// logBuffer collects a process's output for failure messages.
type logBuffer struct {
	mu sync.Mutex // guards b
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startApp runs a testdata app under python with SECRET_KEY set and
// returns its base URL. The app binds a port the system picks and prints
// it, so no port is guessed; it is stopped when the test ends.
func startApp(t *testing.T, python, name string, env ...string) string {
	t.Helper()
	cmd := exec.Command(python, script(t, name))
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), append([]string{"SECRET_KEY=" + testKey, "PYTHONDONTWRITEBYTECODE=1"}, env...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	logs := &logBuffer{}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("%s output:\n%s", name, logs)
		}
	})
	port := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if p, ok := strings.CutPrefix(sc.Text(), "PORT "); ok {
				port <- p
				break
			}
		}
		// Keep draining so the app never blocks on a full pipe.
		for sc.Scan() {
		}
		close(port)
	}()
	select {
	case p, ok := <-port:
		if !ok {
			t.Fatalf("%s exited before listening:\n%s", name, logs)
		}
		return "http://127.0.0.1:" + p
	case <-time.After(60 * time.Second):
		t.Fatalf("%s did not start within 60 s:\n%s", name, logs)
	}
	return ""
}
