package session_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestStandardLibraryOnly asserts that the packages a user imports for
// cookie sessions (and the Flask-extension and sealed-cookie packages that
// build on them) compile nothing but the standard library, and that their
// tests do not either: wanting Flask cookies must not mean compiling a
// Redis driver, nor finding one in go.sum after go mod tidy (which follows
// the imports of tests too).
func TestStandardLibraryOnly(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	const mod = "github.com/sessionkit/session"
	core := []string{mod, mod + "/flask", mod + "/seal", mod + "/memstore", mod + "/storetest", mod + "/sessiontest"}
	allowed := map[string]bool{}
	for _, p := range core {
		allowed[p] = true
	}
	check := func(args []string, pkg string, allowed map[string]bool) {
		t.Helper()
		out, err := exec.Command(goBin, append(append([]string{"list", "-e", "-deps"}, args...), "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", pkg)...).CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if strings.HasPrefix(dep, "[") {
				continue // "pkg_test [pkg.test]": the second half
			}
			dep = strings.TrimSuffix(strings.TrimSuffix(dep, ".test"), "_test")
			if !allowed[dep] {
				t.Errorf("%s %s imports %s, which is not in the standard library", pkg, strings.Join(args, " "), dep)
			}
		}
	}
	// Tests may use the module's standard-library-only test fixtures.
	forTests := map[string]bool{mod + "/internal/testenv": true, mod + "/internal/flasktest": true}
	for p := range allowed {
		forTests[p] = true
	}
	for _, pkg := range core {
		check(nil, pkg, allowed)
		check([]string{"-test"}, pkg, forTests)
	}
	// The extension packages build on the core and add nothing else.
	for _, pkg := range []string{mod + "/flasklogin", mod + "/flaskwtf"} {
		allowed[pkg] = true
		forTests[pkg] = true
		check(nil, pkg, allowed)
		check([]string{"-test"}, pkg, forTests)
	}
	check([]string{"-test"}, mod+"/internal/testenv", forTests)
	check([]string{"-test"}, mod+"/internal/flasktest", forTests)
}
