package session_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestStandardLibraryOnly asserts that the packages a user imports for
// cookie sessions compile nothing but the standard library: wanting Flask
// cookies must not mean compiling a Redis driver.
func TestStandardLibraryOnly(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not found")
	}
	const mod = "github.com/sessionkit/session"
	pkgs := []string{mod, mod + "/flask", mod + "/memstore", mod + "/storetest", mod + "/sessiontest"}
	for _, pkg := range pkgs {
		out, err := exec.Command("go", "list", "-e", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if dep == pkg || (strings.HasPrefix(dep, mod) && !strings.HasPrefix(dep, mod+"/internal/")) {
				// Our own standard-library-only packages may import each other.
				ok := false
				for _, p := range pkgs {
					ok = ok || dep == p
				}
				if ok {
					continue
				}
			}
			t.Errorf("%s imports %s, which is not in the standard library", pkg, dep)
		}
	}
}
