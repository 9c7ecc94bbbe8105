package flask

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// sharedOracle is the project's Flask oracle (shared/flask-oracle), which
// drives Flask through a real request context. TestSharedOracle checks a
// few cases with it, so that the batch driver used by the differential
// test cannot drift from it.
func sharedOracle() string {
	if p := os.Getenv("SESSIONKIT_FLASK_ORACLE"); p != "" {
		return p
	}
	return "../../shared/flask-oracle/oracle.py"
}

func TestSharedOracle(t *testing.T) {
	if testing.Short() {
		t.Skip("Flask oracle skipped in -short mode")
	}
	oracle := sharedOracle()
	if _, err := os.Stat(oracle); err != nil {
		msg := "shared Flask oracle not found at " + oracle + " (set SESSIONKIT_FLASK_ORACLE)"
		if requireAll() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	const now = 1700000000
	value := map[string]any{
		"usuario":  "João ☃ 😀",
		"_flashes": []any{Tuple{"message", "Olá"}},
		"n":        []any{1.0, 1e16, int64(-1), nil, true},
		"x":        map[string]any{" t": []any{int64(1)}},
	}
	js, err := Marshal(value)
	if err != nil {
		t.Fatal(err)
	}
	c := NewCodec(mustSigner(t, "test-secret-key"))
	c.Compression = CompressNever
	cookie, err := c.Encode(value, time.Unix(now, 0))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range flasks(t, "the shared oracle test") {
		py := f.python
		t.Run("flask-"+f.version, func(t *testing.T) {
			// Flask signs Go's tagged JSON: same payload, same cookie when
			// neither side compresses.
			out, err := exec.Command(py, oracle, "sign", "--key", "test-secret-key", "--now", "1700000000",
				"--full", "--tagged-json", string(js)).Output()
			if err != nil {
				t.Fatalf("oracle sign: %v", err)
			}
			var signed struct {
				PayloadJSON string `json:"payload_json"`
				Cookie      string `json:"cookie"`
			}
			if err := json.Unmarshal(out, &signed); err != nil {
				t.Fatal(err)
			}
			if signed.PayloadJSON != string(js) {
				t.Errorf("Flask payload %s, Go %s", signed.PayloadJSON, js)
			}
			if !strings.HasPrefix(signed.Cookie, ".") && signed.Cookie != cookie {
				t.Errorf("Flask cookie %s, Go %s", signed.Cookie, cookie)
			}
			if got, err := c.Decode(signed.Cookie, time.Unix(now, 0)); err != nil {
				t.Errorf("Go cannot read Flask's cookie: %v", err)
			} else if back, _ := Marshal(got); string(back) != string(js) {
				t.Errorf("Go read %s, want %s", back, js)
			}
			// Flask verifies Go's cookie through open_session.
			out, err = exec.Command(py, oracle, "verify", "--key", "test-secret-key", "--now", "1700000000", cookie).Output()
			if err != nil {
				t.Fatalf("oracle verify: %v\n%s", err, out)
			}
			var verified struct {
				OK        bool            `json:"ok"`
				FlaskSees json.RawMessage `json:"flask_sees"`
			}
			if err := json.Unmarshal(out, &verified); err != nil {
				t.Fatal(err)
			}
			sees, err := Unmarshal(verified.FlaskSees)
			if err != nil {
				t.Fatal(err)
			}
			if back, _ := Marshal(sees); !verified.OK || string(back) != string(js) {
				t.Errorf("Flask's view sees %s (ok=%v), want %s", back, verified.OK, js)
			}
		})
	}
}
