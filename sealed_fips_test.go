package session_test

import (
	"bytes"
	"crypto/fips140"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	session "github.com/sessionkit/session"
	"github.com/sessionkit/session/memstore"
)

// fipsMarker is what the re-executed tests print to prove the mode held.
const fipsMarker = "FIPS 140-only mode enforced"

// TestSealedFIPS140Only runs the sealed-session tests again in a test
// binary under GODEBUG=fips140=only. There, New refuses (Flask's signature
// is HMAC-SHA1) with ErrFIPSOnly, NewSealed works, with and without a
// Store (ID cookies are then signed with HMAC-SHA256), and the migration
// window from signed cookies is refused by Validate.
func TestSealedFIPS140Only(t *testing.T) {
	if fips140.Enforced() {
		if _, err := session.New([]byte(sealKey1)); !errors.Is(err, session.ErrFIPSOnly) {
			t.Fatalf("New under fips140=only: %v; want ErrFIPSOnly", err)
		}
		f := sealedFixture(t, sealKey1)
		f.m.AcceptSignedUntil = f.clock.Now().Add(time.Hour)
		if err := f.m.Validate(); err == nil || !strings.Contains(err.Error(), "AcceptSignedUntil") {
			t.Fatalf("AcceptSignedUntil under fips140=only: %v; want it refused", err)
		}
		f = sealedFixture(t, sealKey1)
		f.m.Store = memstore.New()
		srv, c := f.server(t, setHandler)
		if _, body := get(t, c, srv.URL+"/?usuario=Maria"); body != "Maria" {
			t.Fatalf("store-mode set: %q", body)
		}
		if _, body := get(t, c, srv.URL+"/"); body != "Maria" {
			t.Fatalf("store-mode read back: %q", body)
		}
		t.Log(fipsMarker)
		return
	}
	if testing.Short() {
		t.Skip("the FIPS 140-only run is skipped in -short mode")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		msg := "go command not found: cannot build the test binary for the fips140=only run"
		if requireAll() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	bin := filepath.Join(t.TempDir(), "session.test")
	if out, err := exec.Command(goTool, "test", "-c", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go test -c: %v\n%s", err, out)
	}
	run := exec.Command(bin, "-test.short", "-test.count=1", "-test.v", "-test.timeout=10m",
		"-test.run", "^(TestSealed|TestRolloutInstance)")
	run.Env = append(os.Environ(), "GODEBUG=fips140=only")
	var out bytes.Buffer
	run.Stdout, run.Stderr = &out, &out
	if err := run.Run(); err != nil || !strings.Contains(out.String(), fipsMarker) {
		t.Fatalf("sealed tests under GODEBUG=fips140=only: %v\n%s", err, out.String())
	}
	t.Logf("%d tests passed under GODEBUG=fips140=only", strings.Count(out.String(), "--- PASS"))
}
