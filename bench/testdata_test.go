package bench

import (
	"encoding/json"
	"os"
	"testing"
)

// flaskCookies returns the cookies real Flask minted for each workload
// (testdata/README.md).
func flaskCookies(tb testing.TB) map[string]string {
	tb.Helper()
	b, err := os.ReadFile("testdata/flask_cookies.json")
	if err != nil {
		tb.Fatal(err)
	}
	var doc struct {
		Cookies map[string]struct {
			Cookie string `json:"cookie"`
		} `json:"cookies"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		tb.Fatal(err)
	}
	out := map[string]string{}
	for name, c := range doc.Cookies {
		out[name] = c.Cookie
	}
	for _, w := range Workloads() {
		if out[w.Name] == "" {
			tb.Fatalf("testdata has no cookie for workload %q: run go run ./cmd/mint", w.Name)
		}
	}
	return out
}

// sameJSON reports whether a and b marshal to the same JSON.
func sameJSON(tb testing.TB, a, b any) bool {
	tb.Helper()
	ja, err := json.Marshal(a)
	if err != nil {
		tb.Fatal(err)
	}
	jb, err := json.Marshal(b)
	if err != nil {
		tb.Fatal(err)
	}
	return string(ja) == string(jb)
}
