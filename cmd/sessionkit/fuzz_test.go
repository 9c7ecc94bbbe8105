package main

import (
	"testing"
)

// FuzzCLIDecode feeds arbitrary input, Flask cookies and SK1 tokens, to
// decode (text and -json) and to verify: they never panic, every output byte is printable ASCII or a
// newline (no terminal control sequence can get through), and the output
// stays bounded by the input and decompression caps.
func FuzzCLIDecode(f *testing.F) {
	for _, tc := range hostileCases(f) {
		if len(tc.cookie) <= defaultMaxInput {
			f.Add([]byte(tc.cookie))
		}
	}
	for _, tc := range sk1Hostile(f) {
		f.Add([]byte(tc.cookie))
	}
	for _, c := range []string{katV1, katV2, katV3, katV4, mariaCookie, "session=" + mariaCookie, `"` + katV1 + `"`, sk1Maria, sk1Tagged, sk1Old, "__Host-session=" + sk1App} {
		f.Add([]byte(c))
	}
	env := map[string]string{"K": katKey}
	f.Fuzz(func(t *testing.T, input []byte) {
		for _, args := range [][]string{
			{"decode"},
			{"decode", "-json"},
			{"verify", "-key-env", "K"},
		} {
			r := cli{args: args, stdin: string(input), env: env}.run(t)
			checkPrintable(t, r.stdout+r.stderr, false)
			// Escaping at most multiplies the decompressed payload by 10
			// (\U0010ffff for a 4-byte character).
			if n := len(r.stdout) + len(r.stderr); n > 16*defaultMaxInput {
				t.Fatalf("%v printed %d bytes for %d bytes of input", args, n, len(input))
			}
			if r.code < 0 || r.code > exitExpired {
				t.Fatalf("%v: exit %d", args, r.code)
			}
		}
	})
}
