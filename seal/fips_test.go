package seal

import (
	"bytes"
	"crypto/fips140"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fipsMarker is what the re-executed tests print to prove the mode held.
const fipsMarker = "FIPS 140-only mode enforced"

// TestFIPS140Only runs this package's tests again in a test binary under
// GODEBUG=fips140=only, where Go's cryptography refuses what FIPS 140-3
// does not approve (a GCM design with caller-chosen nonces, or ChaCha20,
// would fail here). The tests that need package flask (HMAC-SHA1) or the
// 1-byte vector secret adapt to the mode; -short leaves out the reference
// processes.
func TestFIPS140Only(t *testing.T) {
	if fips140.Enforced() {
		// The re-executed run: the mode holds, and a short secret is
		// refused by the module itself.
		if _, err := New(Keys{Current: []byte("13-byte-secre")}, Scope{Purpose: "session"}); err == nil {
			t.Fatal("a 104-bit secret was accepted under fips140=only")
		}
		s := mustNew(t, Keys{Current: key1}, Scope{Purpose: "session"})
		tok := mustSeal(t, s, "session", []byte("x"), t0)
		if pt, _, err := s.Open("session", tok, t0); err != nil || string(pt) != "x" {
			t.Fatalf("round trip: %q, %v", pt, err)
		}
		t.Log(fipsMarker)
		return
	}
	if testing.Short() {
		t.Skip("the FIPS 140-only run is skipped in -short mode")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		missing(t, "go command not found: cannot build the test binary for the fips140=only run")
	}
	bin := filepath.Join(t.TempDir(), "seal.test")
	build := exec.Command(goTool, "test", "-c", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go test -c: %v\n%s", err, out)
	}
	run := exec.Command(bin, "-test.short", "-test.count=1", "-test.v", "-test.timeout=10m")
	run.Env = append(os.Environ(), "GODEBUG=fips140=only")
	var out bytes.Buffer
	run.Stdout, run.Stderr = &out, &out
	start := time.Now()
	err = run.Run()
	if err != nil || !strings.Contains(out.String(), fipsMarker) {
		t.Fatalf("tests under GODEBUG=fips140=only: %v\n%s", err, out.String())
	}
	passed := strings.Count(out.String(), "--- PASS")
	t.Logf("%d tests passed under GODEBUG=fips140=only in %v", passed, time.Since(start).Round(time.Millisecond))
}
