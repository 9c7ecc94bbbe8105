// Package flasktest runs real Flask for sessionkit's tests: it finds the
// Python interpreters that carry Flask (and the extensions a test needs),
// runs oracle scripts, and starts small Flask applications on a port the
// system picks. Python always runs in a directory of its own, since the
// repository's Go package flask/ would shadow Flask from the repository's
// root.
//
// A missing interpreter or module skips the test with a message, or fails
// it under SESSIONKIT_REQUIRE_ALL=1 (see internal/testenv).
package flasktest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/session/internal/testenv"
)

// DebianPython is Debian's Python: Flask 2.2, and the extensions Debian
// packages (python3-flask-login, python3-flaskext.wtf, python3-cryptography).
const DebianPython = "/usr/bin/python3"

// Version returns python's Flask version if it imports every module of
// imports, or "" and the reason.
func Version(python string, imports ...string) (version, why string) {
	if _, err := exec.LookPath(python); err != nil {
		return "", python + " not found"
	}
	cmd := exec.Command(python, "-c", "import importlib.metadata as m, "+strings.Join(imports, ", ")+"; print(m.version('flask'))")
	cmd.Dir = os.TempDir() // a directory without a flask/ package shadowing Flask
	out, err := cmd.CombinedOutput()
	if err != nil {
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		return "", fmt.Sprintf("%s cannot import %s: %s", python, strings.Join(imports, ", "), lines[len(lines)-1])
	}
	return strings.TrimSpace(string(out)), ""
}

// Need returns python if it imports every module of imports, logging its
// Flask version; otherwise it skips t (or fails it under
// SESSIONKIT_REQUIRE_ALL=1) saying that what is needed.
func Need(t testing.TB, python, what string, imports ...string) string {
	t.Helper()
	v, why := Version(python, imports...)
	if v == "" {
		testenv.Missing(t, "%s is needed: %s", what, why)
	}
	t.Logf("Flask %s under %s", v, python)
	return python
}

// NeedFlask3 returns the image's python3 if it carries Flask 3, or skips t.
func NeedFlask3(t testing.TB) string {
	t.Helper()
	v, why := Version("python3", "flask")
	if v == "" {
		testenv.Missing(t, "Flask 3 under python3 is needed: %s", why)
	}
	if !strings.HasPrefix(v, "3.") {
		testenv.Missing(t, "python3 has Flask %s, not Flask 3", v)
	}
	t.Logf("Flask %s under python3", v)
	return "python3"
}

// Script returns the absolute path of name in the test's testdata.
func Script(t testing.TB, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// RunOracle runs testdata/oracle.py under python with cases as JSON on its
// standard input and decodes its JSON answer into out.
func RunOracle(t testing.TB, python string, cases, out any) {
	t.Helper()
	in, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, Script(t, "oracle.py"))
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

// StartApp runs testdata/name under python with env added to the
// environment, and returns its base URL. The app binds a port the system
// picks and prints "PORT n"; it is stopped when the test ends, and its
// output is shown when the test failed.
func StartApp(t testing.TB, python, name string, env ...string) string {
	t.Helper()
	cmd := exec.Command(python, Script(t, name))
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), append([]string{"PYTHONDONTWRITEBYTECODE=1"}, env...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	logs := &testenv.Logs{}
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
	case <-time.After(testenv.Patience):
		t.Fatalf("%s did not start within %v:\n%s", name, testenv.Patience, logs)
	}
	return ""
}
