package seal

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestPythonPackage runs the unit tests of python/sessionkit_seal (the
// format module against testdata/vectors.json, and the Flask session
// interface through Flask's test client) under every Python with Flask and
// cryptography.
func TestPythonPackage(t *testing.T) {
	for _, fp := range flaskPythons(t) {
		t.Run("flask-"+fp.version, func(t *testing.T) {
			cmd := exec.Command(fp.python, "-m", "unittest", "discover", "-s", "tests")
			cmd.Dir = "../python"
			cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), "\nOK") {
				t.Fatalf("%s -m unittest: %v\n%s", fp.python, err, out)
			}
			t.Logf("%s: %s", fp.python, strings.TrimSpace(string(out[strings.LastIndex(string(out), "Ran "):])))
		})
	}
}
