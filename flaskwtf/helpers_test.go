package flaskwtf

import (
	"testing"

	"github.com/sessionkit/session/internal/flasktest"
)

// needFlaskWTF returns Debian's Python with Flask-WTF, or skips t.
func needFlaskWTF(t *testing.T) string {
	t.Helper()
	return flasktest.Need(t, flasktest.DebianPython, "Flask-WTF (Debian's python3-flaskext.wtf)", "flask", "flask_wtf")
}

// needFlask3 returns the image's python3 with Flask 3, or skips t.
func needFlask3(t *testing.T) string { return flasktest.NeedFlask3(t) }

// runOracle runs testdata/oracle.py under python on cases and decodes its
// answer into out.
func runOracle(t *testing.T, python string, cases, out any) {
	flasktest.RunOracle(t, python, cases, out)
}

// startApp runs a testdata app under python with SECRET_KEY set and
// returns its base URL.
func startApp(t *testing.T, python, name string, env ...string) string {
	return flasktest.StartApp(t, python, name, append([]string{"SECRET_KEY=" + testKey}, env...)...)
}
