package flaskwtf

import (
	"os/exec"
	"strings"
	"testing"
)

// TestStandardLibraryOnly asserts that the package and its tests import
// nothing but the standard library and the module's own
// standard-library-only packages.
func TestStandardLibraryOnly(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		missing(t, "go command not found")
	}
	const mod = "github.com/sessionkit/session"
	allowed := map[string]bool{mod: true, mod + "/flask": true, mod + "/seal": true, mod + "/sessiontest": true, mod + "/flaskwtf": true, mod + "/flaskwtf_test": true}
	out, err := exec.Command("go", "list", "-e", "-deps", "-test", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		dep, _, _ := strings.Cut(line, " ") // "pkg [pkg.test]" for test variants
		if !allowed[strings.TrimSuffix(dep, ".test")] {
			t.Errorf("imports %s, which is not in the standard library", dep)
		}
	}
}
