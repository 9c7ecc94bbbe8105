package flask

import (
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

type flaskReadAnswer struct {
	Read      bool    `json:"read"`
	JSON      *string `json:"json"`
	Error     string  `json:"error"`
	Deviation *string `json:"deviation"`
}

// compareFlaskRead checks what Go makes of a session's tagged JSON
// against what one Flask makes of it: every session Flask reads, Go reads
// too and writes back as Flask does, except for the classes the package
// documentation lists (which testdata/flask_read.py recognises); and Go
// reads nothing Flask fails on, except past CPython's recursion limit.
func compareFlaskRead(t *testing.T, f flaskPython, py *pyProc, data []byte) {
	t.Helper()
	var ans flaskReadAnswer
	py.ask(t, map[string]string{"hex": hex.EncodeToString(data)}, &ans)
	v, err := Unmarshal(data)
	switch {
	case ans.Read && err != nil:
		if ans.Deviation == nil {
			t.Fatalf("Flask %s reads %q, Go fails: %v", f.version, data, err)
		}
	case !ans.Read && err == nil:
		if ans.Error != "RecursionError" {
			t.Fatalf("Flask %s fails on %q (%s), Go reads it", f.version, data, ans.Error)
		}
	case ans.Read && ans.JSON != nil:
		if ans.Deviation != nil {
			t.Fatalf("Flask %s and Go read %q, which is listed as a deviation (%s)", f.version, data, *ans.Deviation)
		}
		js, err := Marshal(v)
		if err != nil || string(js) != *ans.JSON {
			t.Fatalf("%q:\n Flask %s writes back %s\n Go writes back    %s (%v)", data, f.version, *ans.JSON, js, err)
		}
	}
}

// flaskReaders starts testdata/flask_read.py with every Flask.
func flaskReaders(tb testing.TB) ([]flaskPython, []*pyProc) {
	tb.Helper()
	var found []flaskPython
	for _, py := range interpreters {
		if ver := flaskVersion(py); ver != "" {
			found = append(found, flaskPython{py, ver})
		}
	}
	if len(found) == 0 {
		msg := "no Flask found (python3 or /usr/bin/python3); install Flask to run FuzzFlaskReads"
		if requireAll() {
			tb.Fatal(msg)
		}
		tb.Skip(msg)
	}
	procs := make([]*pyProc, len(found))
	for i, f := range found {
		procs[i] = startPy(tb, f.python, "testdata/flask_read.py")
	}
	return found, procs
}

// flaskReadSeeds are tagged JSON texts covering every value class: the
// readings of the differential test, the vectors, and generated sessions
// with lone surrogates.
func flaskReadSeeds(tb testing.TB) [][]byte {
	var seeds [][]byte
	for _, s := range readCases {
		seeds = append(seeds, []byte(s))
	}
	for _, v := range loadVectors(tb).Sign {
		seeds = append(seeds, []byte(v.PayloadJSON))
	}
	for _, s := range []string{
		`{"a":"\ud800"}`, `{"\udfff":1}`, `{"a":"\ud83d\ude00\ud83d"}`, `{"a":"x\udc00\ud800y"}`,
		`{"a":{" di":{"\ud800\udc00__":1}}}`, `{"a":{" di":{"a\ud800":1}}}`, `{"a":{" m":"\ud800"}}`,
		`{"a":{" d":0}}`, `{"a":{" d":[]}}`, `{"a":{" d":false}}`, `{"a":{" d":{}}}`, `{"a":{" d":1}}`,
		`{"a":{" d":{" t":[]}}}`, `{"a":{" d":{" b":""}}}`, `{"a":{" d":-0.0}}`,
		`{"a":1,"a":2}`, `[["a",1]]`, `null`, `{" t":[["a",1]]}`, `{"a":{" b":"AP8=\n"}}`,
		`{"a":[[[[[[[[[[1]]]]]]]]]]}`, `{"a":1e400,"b":-0,"c":1E-400,"d":123456789012345678901234567890}`,
	} {
		seeds = append(seeds, []byte(s))
	}
	g := gen{rand.New(rand.NewPCG(5, 5))}
	for range 100 {
		js, err := Marshal(g.object(0))
		if err != nil {
			tb.Fatal(err)
		}
		seeds = append(seeds, js)
	}
	return seeds
}

// FuzzFlaskReads is the differential fuzz against real Flask (every one
// found): arbitrary payload JSON must be read by Go as Flask reads it.
func FuzzFlaskReads(f *testing.F) {
	for _, s := range flaskReadSeeds(f) {
		f.Add(s)
	}
	found, procs := flaskReaders(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 4096 {
			return
		}
		for i, fl := range found {
			compareFlaskRead(t, fl, procs[i], data)
		}
	})
}

// TestFlaskReadsDeviations pins the documented classes: Flask reads each
// of these, Go refuses it on purpose.
func TestFlaskReadsDeviations(t *testing.T) {
	for _, s := range []string{
		`{"a":1,"a":2}`, `[["a",1]]`, `[]`, `null`, `{" t":[["a",1]]}`,
		`{"a":{" t":"abc"}}`, `{"a":{" m":5}}`, `{"a":{" b":"A P8="}}`, `{"a":{" di":{"a__":1,"b__":2}}}`,
	} {
		if _, err := Unmarshal([]byte(s)); !errors.Is(err, ErrPayload) {
			t.Errorf("Unmarshal(%s) = %v, want ErrPayload", s, err)
		}
	}
	if testing.Short() {
		return
	}
	found, procs := flaskReaders(t)
	for i, f := range found {
		for _, s := range []string{`{"a":1,"a":2}`, `[["a",1]]`, `{"a":{" t":"abc"}}`, `{"a":{" m":5}}`, `{"a":{" b":"A P8="}}`, `{"a":{" di":{"a__":1,"b__":2}}}`} {
			var ans flaskReadAnswer
			procs[i].ask(t, map[string]string{"hex": hex.EncodeToString([]byte(s))}, &ans)
			if !ans.Read || ans.Deviation == nil {
				t.Errorf("Flask %s: %s read=%v deviation=%v: not a deviation", f.version, s, ans.Read, ans.Deviation)
			}
		}
	}
}

// TestFlaskRandomSessions has each Flask write random sessions of Python
// values (testdata/oracle_batch.py random_session: lone surrogates, big
// ints, tuples, bytes, Markup, UUIDs, aware datetimes, dates, Decimals,
// nesting, tag-like keys); Go reads every cookie, writes back the JSON
// Flask wrote byte for byte, and Flask reads Go's cookie as it reads its
// own.
func TestFlaskRandomSessions(t *testing.T) {
	if testing.Short() {
		t.Skip("Flask skipped in -short mode")
	}
	const key, now, n = "random-key-0123456789abcdef0123456789", 1700000000, 400
	for _, f := range flasks(t, "the random-session test") {
		t.Run("flask-"+f.version, func(t *testing.T) {
			var reqs []oracleRequest
			for i := range n {
				reqs = append(reqs, oracleRequest{Op: "random_session", Key: key, Now: now, Seed: i + 1})
			}
			written := runOracle(t, f.python, reqs)
			// What Flask reads from its own cookies: the text Flask itself
			// would write back. It differs from what Flask wrote when a
			// Python string held a high and a low surrogate as two code
			// points, which JSON cannot tell from one supplementary
			// character: Flask joins them on reading (and sorts keys
			// accordingly), and so does Go.
			reqs = reqs[:0]
			for _, w := range written {
				if w.Exception != "" {
					t.Fatalf("Flask: %s %s", w.Exception, w.Message)
				}
				reqs = append(reqs, oracleRequest{Op: "verify", Key: key, Now: now, MaxAge: 3600, Cookie: w.Cookie})
			}
			own := runOracle(t, f.python, reqs)
			c := NewCodec(mustSigner(t, key))
			reqs = reqs[:0]
			var wants []string
			surrogates, fixed := 0, 0
			for i, w := range written {
				if !own[i].OK {
					t.Fatalf("seed %d: Flask cannot read its own cookie: %s", i+1, own[i].Error)
				}
				want := own[i].PayloadJSON
				if want == w.PayloadJSON {
					fixed++
				}
				v, err := c.Decode(w.Cookie, time.Unix(now, 0))
				if err != nil {
					t.Errorf("seed %d: Go cannot read Flask's cookie for %s: %v", i+1, w.PayloadJSON, err)
					continue
				}
				js, err := Marshal(v)
				if err != nil || string(js) != want {
					t.Errorf("seed %d:\n Flask rewrites %s\n Go rewrites    %s (%v)", i+1, want, js, err)
					continue
				}
				if strings.Contains(want, `\ud8`) || strings.Contains(want, `\udf`) {
					surrogates++
				}
				mine, err := c.Encode(v, time.Unix(now, 0))
				if err != nil {
					t.Errorf("seed %d: Encode: %v", i+1, err)
					continue
				}
				reqs = append(reqs, oracleRequest{Op: "verify", Key: key, Now: now, MaxAge: 3600, Cookie: mine})
				wants = append(wants, want)
			}
			for i, ans := range runOracle(t, f.python, reqs) {
				if !ans.OK || ans.PayloadJSON != wants[i] {
					t.Errorf("Flask reads Go's cookie as %s (%s), its own as %s", ans.PayloadJSON, ans.Error, wants[i])
				}
			}
			if surrogates < n/10 {
				t.Errorf("only %d sessions with surrogates", surrogates)
			}
			t.Logf("Flask %s: %d random sessions written by Flask, read and rewritten by Go as Flask rewrites them (%d with surrogates; %d written back unchanged by Flask itself)", f.version, len(written), surrogates, fixed)
		})
	}
}

// TestLoneSurrogatesByteForByte: a session holding lone surrogates, as
// Flask writes it (uncompressed), comes back from a Go rewrite as the same
// cookie, byte for byte, with both Flasks.
func TestLoneSurrogatesByteForByte(t *testing.T) {
	if testing.Short() {
		t.Skip("Flask skipped in -short mode")
	}
	const key, now = "surrogate-key-0123456789abcdef0123", 1700000000
	// Short enough that Flask does not compress it, keys in Python's order.
	const js = `{"n":"Jo\ud800o","t":{" t":["\udbff"]},"\udc00":1}`
	c := NewCodec(mustSigner(t, key))
	c.Compression = CompressNever
	for _, f := range flasks(t, "the lone surrogate test") {
		ans := runOracle(t, f.python, []oracleRequest{{Op: "sign", Key: key, Now: now, TaggedJSON: js}})[0]
		if ans.PayloadJSON != js || strings.HasPrefix(ans.Cookie, ".") {
			t.Fatalf("Flask %s wrote %s (%s)", f.version, ans.PayloadJSON, ans.Cookie)
		}
		v, err := c.Decode(ans.Cookie, time.Unix(now, 0))
		if err != nil {
			t.Fatalf("Flask %s: Go cannot read the cookie: %v", f.version, err)
		}
		if n := v["n"].(string); n != "Jo\xed\xa0\x80o" {
			t.Errorf("n = %q, want WTF-8", n)
		}
		mine, err := c.Encode(v, time.Unix(now, 0))
		if err != nil || mine != ans.Cookie {
			t.Errorf("Flask %s: Go rewrote\n %s (%v)\nFlask wrote\n %s", f.version, mine, err, ans.Cookie)
		}
	}
}
