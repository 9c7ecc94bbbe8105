package seal

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// The references are independent implementations of SK1 driven in batch
// (testdata/ref.py on the Python package, testdata/ref.mjs on Node's
// crypto): one JSON request per line, one answer per line.

// refRequest is one line for a reference.
type refRequest struct {
	Op        string   `json:"op"`
	Secret    string   `json:"secret,omitempty"`
	Secrets   []string `json:"secrets,omitempty"`
	Purpose   string   `json:"purpose"`
	App       string   `json:"app"`
	Name      string   `json:"name"`
	IAT       int64    `json:"iat"`
	IV        *string  `json:"iv,omitempty"`
	Plaintext string   `json:"plaintext"`
	Token     string   `json:"token"`
	Now       int64    `json:"now"`
	MaxAge    int64    `json:"max_age"`
	Skew      int64    `json:"skew"`
}

type refAnswer struct {
	Impl      string `json:"impl"`
	Kid       string `json:"kid"`
	KEnc      string `json:"k_enc"`
	KMac      string `json:"k_mac"`
	Token     string `json:"token"`
	OK        bool   `json:"ok"`
	Reason    string `json:"reason"`
	Plaintext string `json:"plaintext"`
	IAT       int64  `json:"iat"`
	Key       int    `json:"key"`
	Error     string `json:"error"`
}

// reference is one implementation that can run: its command line and what
// it says it is.
type reference struct {
	name string   // "python3", "/usr/bin/python3", "node"
	argv []string // the command, script included
	impl string
}

func requireAll() bool { return os.Getenv("SESSIONKIT_REQUIRE_ALL") == "1" }

// missing skips t, or fails it when SESSIONKIT_REQUIRE_ALL=1 (CI).
func missing(t testing.TB, msg string) {
	t.Helper()
	if requireAll() {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// pythons are the interpreters that may carry cryptography (and Flask):
// python3 (Flask 3.1) and Debian's /usr/bin/python3 (Flask 2.2).
var pythons = []string{"python3", "/usr/bin/python3"}

func canImport(python string, modules ...string) bool {
	cmd := exec.Command(python, "-c", "import "+strings.Join(modules, ", "))
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	return cmd.Run() == nil
}

// references returns the references present: every Python with
// cryptography, and node. which filters them ("python", "node" or "").
// With none, or under SESSIONKIT_REQUIRE_ALL=1 with one missing, it skips
// or fails t.
func references(t testing.TB, which string) []reference {
	t.Helper()
	var found []reference
	var absent []string
	if which != "node" {
		for _, py := range pythons {
			if canImport(py, "cryptography") {
				found = append(found, reference{name: py, argv: []string{py, "testdata/ref.py"}})
			} else {
				absent = append(absent, py+" with cryptography (Debian: python3-cryptography)")
			}
		}
	}
	if which != "python" {
		if _, err := exec.LookPath("node"); err == nil {
			found = append(found, reference{name: "node", argv: []string{"node", "testdata/ref.mjs"}})
		} else {
			absent = append(absent, "node")
		}
	}
	if len(absent) > 0 && (len(found) == 0 || requireAll()) {
		missing(t, "SK1 reference implementations missing: "+strings.Join(absent, ", "))
	}
	for i := range found {
		found[i].impl = found[i].run(t, []refRequest{{Op: "impl"}})[0].Impl
	}
	return found
}

// run sends reqs to the reference in one process and returns its answers
// in order. An answer carrying an error fails t.
func (r reference) run(t testing.TB, reqs []refRequest) []refAnswer {
	t.Helper()
	var in bytes.Buffer
	enc := json.NewEncoder(&in)
	for _, q := range reqs {
		if err := enc.Encode(q); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(r.argv[0], r.argv[1:]...)
	cmd.Stdin = &in
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", r.name, err, stderr.String())
	}
	var answers []refAnswer
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var a refAnswer
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatalf("%s answer %q: %v", r.name, sc.Text(), err)
		}
		if a.Error != "" {
			t.Fatalf("%s: request %d: %s", r.name, len(answers), a.Error)
		}
		answers = append(answers, a)
	}
	if len(answers) != len(reqs) {
		t.Fatalf("%s gave %d answers to %d requests", r.name, len(answers), len(reqs))
	}
	return answers
}
