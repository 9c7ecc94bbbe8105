package seal

import (
	"os/exec"
	"strings"
	"testing"
)

// TestStandardLibraryOnly asserts that package seal compiles nothing but
// the standard library, as the session package's core does: sealed cookies
// must not bring a dependency into an application.
func TestStandardLibraryOnly(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		missing(t, "go command not found")
	}
	const pkg = "github.com/sessionkit/session/seal"
	out, err := exec.Command("go", "list", "-e", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", pkg).CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep != pkg {
			t.Errorf("%s imports %s, which is not in the standard library", pkg, dep)
		}
	}
}
