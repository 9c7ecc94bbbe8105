package flask

import (
	"strings"
	"testing"
	"time"
)

// TestDepthFlask measures, with each Flask, the deepest session it reads
// in a request and the deepest it can write back, per shape of nesting,
// and checks that Go reads and rewrites the deepest one Flask reads
// (DefaultMaxDepth is above all of them), and that Flask reads what Go
// writes.
func TestDepthFlask(t *testing.T) {
	if testing.Short() {
		t.Skip("Flask skipped in -short mode")
	}
	shapes := []struct {
		name, open, close string
		perLevel          int // JSON levels per level of nesting
	}{
		{"list", "[", "]", 1},
		{"dict", `{"k":`, "}", 1},
		{"tuple", `{" t":[`, "]}", 2},
		{"escaped dict", `{" di":{" t__":`, "}}", 2},
	}
	const key, now = "depth-key-0123456789abcdef0123456789", 1700000000
	for _, f := range flasks(t, "the depth test") {
		t.Run("flask-"+f.version, func(t *testing.T) {
			var reqs []oracleRequest
			for _, s := range shapes {
				reqs = append(reqs, oracleRequest{Op: "max_depth", Key: key, Now: now, Open: s.open, Close: s.close})
			}
			limits := runOracle(t, f.python, reqs)
			c := NewCodec(mustSigner(t, key))
			reqs = reqs[:0]
			var names []string
			for i, s := range shapes {
				read, rewrite := limits[i].Read, limits[i].Rewrite
				depth := 1 + s.perLevel*read
				t.Logf("Flask %s, %s: reads %d levels (depth %d), writes back %d (depth %d)",
					f.version, s.name, read, depth, rewrite, 1+s.perLevel*rewrite)
				if read < 100 || depth > DefaultMaxDepth {
					t.Errorf("%s: Flask reads depth %d, DefaultMaxDepth is %d", s.name, depth, DefaultMaxDepth)
				}
				js := `{"a":` + strings.Repeat(s.open, read) + "1" + strings.Repeat(s.close, read) + "}"
				cookie := signJSON(t, key, []byte(js), true, now)
				v, err := c.Decode(cookie, time.Unix(now, 0))
				if err != nil {
					t.Errorf("%s: Go cannot read what Flask reads: %v", s.name, err)
					continue
				}
				if back, err := Marshal(v); err != nil || string(back) != js {
					t.Errorf("%s: Go rewrites it as %.80s… (%v)", s.name, back, err)
					continue
				}
				mine, err := c.Encode(v, time.Unix(now, 0))
				if err != nil {
					t.Errorf("%s: Encode: %v", s.name, err)
					continue
				}
				// Go's payload is the JSON Flask read (Marshal gave it back
				// byte for byte); Flask must read it in a request too. It
				// cannot write it back (its own limit, logged above), so
				// the test reads no JSON from it.
				reqs = append(reqs, oracleRequest{Op: "request_read", Key: key, Now: now, Cookie: mine})
				names = append(names, s.name)
			}
			for i, ans := range runOracle(t, f.python, reqs) {
				if !ans.OK {
					t.Errorf("%s: Flask cannot read Go's cookie: %s", names[i], ans.Exception)
				}
			}
		})
	}
}
