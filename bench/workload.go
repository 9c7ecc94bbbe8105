// Package bench compares sessionkit with its peers: gorilla/securecookie,
// gorilla/sessions and alexedwards/scs. It lives in its own module so that
// the peers never enter the library's dependency graph.
//
// The benchmarks are in bench_test.go; cmd/report turns their output (and
// the load and soak results of load.sh) into docs/BENCHMARKS.md.
package bench

import "time"

// Key is the secret key every benchmark signs with. It is 32 random-looking
// bytes so that sessionkit's key policy accepts it; it protects nothing.
const Key = "bench-key-7f3a9c1e5b2d8f4a6c0e9b1d"

// Frozen is the signing time of the cookies in testdata/, minted by real
// Flask (see testdata/README.md). Benchmarks that decode them use it as
// "now" so the cookies never expire.
var Frozen = time.Unix(1764500000, 0)

// Workload is one session content, shared by every comparison.
type Workload struct {
	Name   string
	Values map[string]any
}

// firstNames are 30 distinct names as the lesson's form would collect them
// (two carry accents, which Flask's JSON writes as \u escapes).
var firstNames = []string{
	"Maria", "João", "Ana", "Pedro", "Beatriz", "Lucas", "Carla", "Rafael", "Juliana", "Thiago",
	"Fernanda", "Bruno", "Camila", "Diego", "Larissa", "Gabriel", "Mariana", "Felipe", "Patrícia", "Rodrigo",
	"Aline", "Gustavo", "Renata", "Marcelo", "Vanessa", "Eduardo", "Sofia", "Leonardo", "Helena", "Ricardo",
}

var surnames = []string{"Silveira", "Nascimento", "Oliveira", "Figueiredo", "Cavalcanti"}

// Names returns n names: first names up to 30, then "first surname" pairs
// (up to 150).
func Names(n int) []string {
	out := make([]string, n)
	for i := range out {
		if n <= len(firstNames) {
			out[i] = firstNames[i]
		} else {
			out[i] = firstNames[i%len(firstNames)] + " " + surnames[i/len(firstNames)%len(surnames)]
		}
	}
	return out
}

func names(n int) []any {
	out := make([]any, n)
	for i, s := range Names(n) {
		out[i] = s
	}
	return out
}

// Workloads are small {"usuario":"Maria"}; medium, the lesson's second
// example after 30 names (~300 B of JSON, which Flask compresses); and large,
// 150 names (~3 KB of JSON).
func Workloads() []Workload {
	return []Workload{
		{"small", map[string]any{"usuario": "Maria"}},
		{"medium", map[string]any{"usuario": "Maria", "nomes": names(30), "_permanent": true}},
		{"large", map[string]any{"usuario": "Maria", "nomes": names(150), "_permanent": true}},
	}
}
