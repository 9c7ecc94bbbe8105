package flasklogin

import (
	"testing"

	"github.com/sessionkit/session/internal/flasktest"
)

// needFlaskLogin returns Debian's Python with Flask-Login, or skips t.
func needFlaskLogin(t *testing.T) string {
	t.Helper()
	return flasktest.Need(t, flasktest.DebianPython, "Flask-Login (Debian's python3-flask-login)", "flask", "flask_login")
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
