package flask

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// interpreters are the Pythons that may carry Flask on this machine:
// python3 (Flask 3.x) and Debian's /usr/bin/python3 (Flask 2.2).
var interpreters = []string{"python3", "/usr/bin/python3"}

// oracleRequest is one line for testdata/oracle_batch.py.
type oracleRequest struct {
	Op         string   `json:"op"`
	Key        string   `json:"key,omitempty"`
	Fallbacks  []string `json:"fallbacks,omitempty"`
	Now        int64    `json:"now,omitempty"`
	MaxAge     int64    `json:"max_age,omitempty"`
	TaggedJSON string   `json:"tagged_json,omitempty"`
	Cookie     string   `json:"cookie,omitempty"`
	Seed       int      `json:"seed,omitempty"`
	Open       string   `json:"open,omitempty"`
	Close      string   `json:"close,omitempty"`
}

type oracleAnswer struct {
	Flask       string `json:"flask"`
	Cookie      string `json:"cookie"`
	PayloadJSON string `json:"payload_json"`
	OK          bool   `json:"ok"`
	Error       string `json:"error"`
	Exception   string `json:"exception"`
	Message     string `json:"message"`
	Read        int    `json:"read"`
	Rewrite     int    `json:"rewrite"`
}

// runOracle sends reqs to a Flask in one process and returns its answers
// in order.
func runOracle(t *testing.T, python string, reqs []oracleRequest) []oracleAnswer {
	t.Helper()
	var in bytes.Buffer
	enc := json.NewEncoder(&in)
	for _, r := range reqs {
		if err := enc.Encode(r); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(python, "testdata/oracle_batch.py")
	cmd.Stdin = &in
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s oracle_batch.py: %v\n%s", python, err, stderr.String())
	}
	var answers []oracleAnswer
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var a oracleAnswer
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatalf("oracle answer %q: %v", sc.Text(), err)
		}
		answers = append(answers, a)
	}
	if len(answers) != len(reqs) {
		t.Fatalf("oracle gave %d answers to %d requests", len(answers), len(reqs))
	}
	return answers
}

// flaskVersion reports the Flask importable by python, or "".
func flaskVersion(python string) string {
	cmd := exec.Command(python, "-c", "from importlib.metadata import version; import flask; print(version('flask'))")
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

func requireAll() bool { return os.Getenv("SESSIONKIT_REQUIRE_ALL") == "1" }

// flaskPython is an interpreter that imports Flask, and that Flask's version.
type flaskPython struct{ python, version string }

// flasks returns the interpreters that carry Flask. With none it skips the
// test, or fails it when SESSIONKIT_REQUIRE_ALL=1; what names the test in
// the message.
func flasks(t *testing.T, what string) []flaskPython {
	t.Helper()
	var found []flaskPython
	for _, py := range interpreters {
		if ver := flaskVersion(py); ver != "" {
			found = append(found, flaskPython{py, ver})
		}
	}
	if len(found) == 0 {
		msg := "no Flask found (python3 or /usr/bin/python3); install Flask to run " + what
		if requireAll() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return found
}

// gen makes random session values covering every type Flask writes.
type gen struct{ r *rand.Rand }

var stringPieces = []string{
	"", "a", "Maria", "João", "Olá", "☃", "😀", "𝄞", "\x00", "\x1f", "\x7f", "\u0080",
	"\u2028", "\uffff", "\ufeff", "\"", "\\", "/", "<", ">", "&", "'", "\t", "\n", "\r",
	"\b", "\f", " t", " di", " ", "__", "é", "ü", "中文", "\U0010ffff", "\u00e9\u0301",
	"\x1b[2J", "%2E", "=", "+", ".",
}

func (g gen) str() string {
	var b strings.Builder
	for range g.r.IntN(5) {
		switch g.r.IntN(4) {
		case 0:
			b.WriteRune(rune(0x20 + g.r.IntN(0x5f)))
		case 1:
			r := rune(g.r.IntN(0x110000))
			if r >= 0xd800 && r <= 0xdfff {
				r = 0xfffd
			}
			b.WriteRune(r)
		default:
			b.WriteString(stringPieces[g.r.IntN(len(stringPieces))])
		}
	}
	return b.String()
}

var floatEdges = []float64{
	0, math.Copysign(0, -1), 1, -1, 0.5, 0.1, 1e16, 1e15, 9999999999999998, 1e-4, 1e-5,
	0.0001, 0.00009999999999999999, 123.456, 1.5e300, math.MaxFloat64, math.SmallestNonzeroFloat64,
	2.2250738585072014e-308, 1e22, 1e21, 1e-7, math.NaN(), math.Inf(1), math.Inf(-1), 1 / 3.0,
}

func (g gen) float() float64 {
	switch g.r.IntN(3) {
	case 0:
		return floatEdges[g.r.IntN(len(floatEdges))]
	case 1:
		f := math.Float64frombits(g.r.Uint64())
		if math.IsNaN(f) {
			return 0.25
		}
		return f
	default:
		return (g.r.Float64() - 0.5) * math.Pow(10, float64(g.r.IntN(40)-20))
	}
}

func (g gen) int() any {
	switch g.r.IntN(5) {
	case 0:
		return int64(g.r.IntN(100) - 50)
	case 1:
		return []int64{math.MaxInt64, math.MinInt64, 0, 1 << 53, 1<<53 + 1}[g.r.IntN(5)]
	case 2:
		b := new(big.Int).Lsh(big.NewInt(1), uint(64+g.r.IntN(200)))
		b.Add(b, big.NewInt(g.r.Int64()))
		if g.r.IntN(2) == 0 {
			b.Neg(b)
		}
		return b
	default:
		return g.r.Int64() - math.MaxInt64/2
	}
}

func (g gen) value(depth int) any {
	n := 14
	if depth > 4 {
		n = 9 // scalars only
	}
	switch g.r.IntN(n) {
	case 0:
		return nil
	case 1:
		return g.r.IntN(2) == 0
	case 2, 3:
		return g.str()
	case 4:
		return g.int()
	case 5:
		return g.float()
	case 6:
		b := make([]byte, g.r.IntN(10))
		for i := range b {
			b[i] = byte(g.r.IntN(256))
		}
		return b
	case 7:
		var u UUID
		for i := range u {
			u[i] = byte(g.r.IntN(256))
		}
		return u
	case 8:
		// Years 100-9999: Flask reads years below 100 back as 19xx/20xx
		// (TestHTTPDateTwoDigitYears).
		return time.Unix(g.r.Int64N(253402300799-(-59011459200))-59011459200, 0).UTC()
	case 9:
		return Markup(g.str())
	case 10, 11:
		l := make([]any, g.r.IntN(4))
		for i := range l {
			l[i] = g.value(depth + 1)
		}
		if g.r.IntN(3) == 0 {
			return Tuple(l)
		}
		return l
	default:
		return g.object(depth + 1)
	}
}

func (g gen) object(depth int) map[string]any {
	m := map[string]any{}
	n := g.r.IntN(4)
	if g.r.IntN(5) == 0 {
		// A one-key dict whose key is a tag: needs the " di" escape.
		tags := []string{" t", " b", " m", " u", " d", " di"}
		m[tags[g.r.IntN(len(tags))]] = g.value(depth + 1)
		return m
	}
	for range n {
		m[g.str()] = g.value(depth)
	}
	return m
}

// boundaryValues makes sessions whose zlib form (Go's) is len(json)-2+delta
// bytes for delta in -2..2: the edge of Flask's compression rule.
func boundaryValues(t *testing.T, g gen, perDelta int) map[int][]map[string]any {
	t.Helper()
	found := map[int][]map[string]any{}
	for range 3000 {
		s := strings.Repeat("ab", g.r.IntN(12)) + g.str() + fmt.Sprint(g.r.Int64())
		v := map[string]any{"k": s}
		js, err := Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var zb bytes.Buffer
		compressInto(&zb, js)
		delta := zb.Len() - (len(js) - 2)
		if delta >= -2 && delta <= 2 && len(found[delta]) < perDelta {
			found[delta] = append(found[delta], v)
		}
	}
	return found
}

func TestDifferentialFlask(t *testing.T) {
	if testing.Short() {
		t.Skip("differential test against Flask skipped in -short mode")
	}
	found := flasks(t, "the differential test")
	for _, f := range found {
		t.Run("flask-"+f.version, func(t *testing.T) { differential(t, f.python, f.version) })
	}
	if len(found) < len(interpreters) && requireAll() {
		t.Fatalf("SESSIONKIT_REQUIRE_ALL=1 but only %d of %d Flask interpreters found", len(found), len(interpreters))
	}
}

// readCases are tagged JSON texts whose reading both sides must agree on,
// or where Go refuses on purpose (readDeviations).
var readCases = []string{
	`{"d":{" d":"Tue, 14 Nov 2023 22:13:20 GMT"}}`,
	`{"d":{" d":"Tue, 14 Nov 2023 22:13:20 +0200"}}`,
	`{"d":{" d":"Tue, 14 Nov 2023 22:13:20 -0130"}}`,
	`{"d":{" d":"Tue, 14 Nov 2023 22:13:20 UTC"}}`,
	`{"d":{" d":"Tue, 14 Nov 2023 22:13:20 UT"}}`,
	`{"d":{" d":"Tue, 14 Nov 2023 22:13:20 Z"}}`,
	`{"d":{" d":"Tue, 14 Nov 2023 22:13:20 EST"}}`,
	`{"d":{" d":"Tue, 14 Nov 2023 22:13:20 PDT"}}`,
	`{"d":{" d":"Tue, 14 Nov 2023 22:13:20 XYZ"}}`,
	`{"d":{" d":"Tuesday, 14-Nov-23 22:13:20 CST"}}`,
	`{"d":{" d":"Tue, 14 Nov 2023 22:13 GMT"}}`,
	`{"d":{" d":"Tue, 14 Nov 23 22:13:20 GMT"}}`,
	`{"d":{" d":"Thu, 01 Jan 1970 00:00:00 GMT"}}`,
	`{"d":{" d":"Tue, 14 Nov 2023 22.13.20 GMT"}}`,
	`{"d":{" d":"Tue, 14 Nov 2023 22.13 GMT"}}`,
	`{"d":{" d":"Tue,14 Nov 2023 22:13:20 GMT"}}`,
	`{"d":{" d":"Nov 14 2023 22:13:20 GMT"}}`,
	`{"d":{" d":"14 November 2023 22:13:20 -0000"}}`,
	`{"d":{" d":"14 Nov 2023 22:13:20+0100"}}`,
	`{"d":{" d":"14 Nov 2023 22:13:20-0100"}}`,
	`{"d":{" d":"14 Nov 2023, 22:13:20 GMT"}}`,
	`{"d":{" d":"14 Nov 22:13:20 2023 GMT"}}`,
	`{"d":{" d":"29 Feb 2023 00:00:00 GMT"}}`,
	`{"d":{" d":"29 Feb 2024 00:00:00 GMT"}}`,
	`{"d":{" d":"14 Nov 2_023 22:13:20 GMT"}}`,
	`{"d":{" d":"14 Nov +2023 22:13:20 GMT"}}`,
	`{"d":{" d":"14 Nov 2023 22:13:60 GMT"}}`,
	`{"d":{" d":"14 Nov 2023 22:13:20 +2400"}}`,
	`{"d":{" d":"14 Nov 2023 22:13:20 +2359"}}`,
	`{"d":{" d":"14 Nov 2023 22:13:20 +0099"}}`,
	`{"d":{" d":"14 Nov 2023 22:13:20 -0000"}}`,
	`{"d":{" d":"Mon 14 Nov 2023 22:13:20"}}`,
	`{"d":{" d":"14 Nov 2023"}}`,
	`{"d":{" d":"01 Jan 0001 00:00:00 GMT"}}`,
	`{"d":{" d":"Tue, 14 Nov 2023 22:13:20 gmt"}}`,
	`{"d":{" d":"Tue, 4 Nov 2023 22:13:20 GMT"}}`,
	`{"d":{" d":"14 Nov 2023 22:13:20 GMT"}}`,
	`{"d":{" d":"Tuesday, 14-Nov-23 22:13:20 GMT"}}`,
	`{"d":{" d":"Tuesday, 14-Nov-99 22:13:20 GMT"}}`,
	`{"d":{" d":"Tue Nov 14 22:13:20 2023"}}`,
	`{"d":{" d":"Tue Nov  4 22:13:20 2023"}}`,
	`{"d":{" d":"  Tue, 14 Nov 2023 22:13:20 GMT  "}}`,
	`{"d":{" d":"Mon, 06 Aug 0085 11:27:41 GMT"}}`,
	`{"d":{" d":"Sun, 02 Jan 0005 03:04:05 GMT"}}`,
	`{"d":{" d":"Fri, 31 Dec 9999 23:59:59 GMT"}}`,
	`{"d":{" d":"nope"}}`,
	`{"d":{" d":""}}`,
	`{"d":{" d":"Tue, 14 Nov 2023 25:13:20 GMT"}}`,
	`{"u":{" u":"12345678-1234-5678-1234-567812345678"}}`,
	`{"u":{" u":"{12345678-1234-5678-1234-567812345678}"}}`,
	`{"u":{" u":"urn:uuid:12345678-1234-5678-1234-567812345678"}}`,
	`{"u":{" u":"ABCDEFABCDEFABCDEFABCDEFABCDEFAB"}}`,
	`{"u":{" u":"xyz"}}`,
	// What Python's int(text, 16) reads besides hex digits.
	`{"u":{" u":"0x345678123456781234567812345678"}}`,
	`{"u":{" u":"0x_45678123456781234567812345678"}}`,
	`{"u":{" u":" 2345678123456781234567812345678"}}`,
	`{"u":{" u":"\u001c2345678123456781234567812345678"}}`,
	`{"u":{" u":"1234_678123456781234567812345678"}}`,
	`{"u":{" u":"1234__78123456781234567812345678"}}`,
	`{"u":{" u":"+2345678123456781234567812345678"}}`,
	`{"u":{" u":"\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668"}}`,
	`{"u":{" u":"\ud835\udfcf2345678123456781234567812345678"}}`,
	`{"u":{" u":"urn:urn:12345678123456781234567812345678"}}`,
	`{"u":{" u":"12345678123456781234567812345678\u00e9"}}`,
	`{"u":{" u":"\u00bd2345678123456781234567812345678"}}`,
	`{"d":{" d":"Tue, 14 Nov \uff12\uff10\uff12\uff13 22:13:20 GMT"}}`,
	`{"d":{" d":"Tue, 14 Nov 0000000000000000002023 22:13:20 GMT"}}`,
	`{"d":{" d":"14 Nov 2023 22:13:20 +\u0660\u0661\u0660\u0660"}}`,
	`{"d":{" d":"\u0661\u0664 Nov 2023 \u0662\u0662:13:20 GMT"}}`,
	// Python's unbounded ints: datetime() and timedelta() overflow
	// (OverflowError, which parse_date lets through), or refuse (None).
	`{"d":{" d":"0 Nov 2200000000 0.00"}}`,
	`{"d":{" d":"14 Nov 99999999999 22:13:20 GMT"}}`,
	`{"d":{" d":"14 Nov -2147485000 22:13:20 GMT"}}`,
	`{"d":{" d":"14 Nov 2023 22:13:99999999999"}}`,
	`{"d":{" d":"14 Nov 2023 22:13:20 +99999999999999999999"}}`,
	`{"d":{" d":"14 Nov 2023 22:13:20 -2400000000000"}}`,
	`{"d":{" d":"14 Nov 2023 22:13:20 +2500"}}`,
	`{"d":{" d":"14 Nov 2023 22:13:20 +2500000000"}}`,
	`{"d":{" d":"14 Nov 2023 22:13:20 GMT` + strings.Repeat(" ", 200) + `"}}`,
	`{"d":{" d":"14 Nov 1` + strings.Repeat("0", 4300) + ` 22:13:20 GMT"}}`,
	`{"b":{" b":"AP8="}}`,
	`{"b":{" b":""}}`,
	`{"b":{" b":"AP8"}}`,
	`{"b":{" b":123}}`,
	`{"t":{" t":[]}}`,
	`{"t":{" t":[{" t":[1]},{" b":"AA=="}]}}`,
	`{"t":{" t":5}}`,
	`{"t":{" t":"abc"}}`,
	`{"m":{" m":"<b>"}}`,
	`{"m":{" m":5}}`,
	`{"di":{" di":{" t__":[1,2]}}}`,
	`{"di":{" di":{"xy":1}}}`,
	`{"di":{" di":{"x":1}}}`,
	`{"di":{" di":{"a\u00e9\ud83d\ude00":1}}}`,
	`{"di":{" di":"s"}}`,
	`{"di":{" di":{}}}`,
	`{"di":{" di":{"a__":1,"b__":2}}}`,
	`{"x":{" x":1}}`,
	`{"x":{" t":[1],"a":2}}`,
	`{"d":{" d":null}}`,
	`{"t":{" t":{"a":1}}}`,
	`{"m":{" m":null}}`,
	`{"b":{" b":"A P8="}}`,
	`{"b":{" b":"AP8Q"}}`,
	`{"b":{" b":"AP9="}}`,
	`{"u":{" u":null}}`,
	`{"di":{" di":null}}`,
	`{"n":[1.0,-0.0,1E5,1e400,-1e400,NaN,12345678901234567890123,-0,1.5e-7]}`,
	`{"s":"\u0000\u001f\u007f\u2028\ud83d\ude00\/"}`,
	` { "w" : [ 1 , 2 ] } `,
}

// randomDates makes " d" values from the pieces email.utils's parser
// looks at, in random orders and spellings.
func randomDates(g gen, n int) []string {
	pieces := [][]string{
		{"Tue,", "tue", "Monday,", "Sun", "x,", ""},
		{"14", "1", "31", "29", "0", "32", "14-Nov-23", "Nov", "14,"},
		{"Nov", "nov", "NOVEMBER", "Feb", "Foo", "14"},
		{"2023", "23", "99", "0005", "69", "68", "10000", "2_023", "+2023", "2023,"},
		{"22:13:20", "22:13", "22.13.20", "23:59:59", "24:00:00", "22:60:00", "22:13:20+0100", "1:2:3"},
		{"GMT", "gmt", "EST", "PDT", "+0200", "-0130", "-0000", "+2400", "XYZ", "", "z"},
	}
	var out []string
	for range n {
		var parts []string
		for _, p := range pieces {
			if g.r.IntN(8) != 0 {
				parts = append(parts, p[g.r.IntN(len(p))])
			}
		}
		if g.r.IntN(4) == 0 {
			g.r.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
		}
		js, _ := Marshal(map[string]any{"d": map[string]any{" d": strings.Join(parts, " ")}})
		// Marshal escapes the " d" key with " di"; undo that to make a tag.
		out = append(out, strings.Replace(strings.Replace(string(js), `{" di":{" d__":`, `{" d":`, 1), "}}}", "}}", 1))
	}
	return out
}

// readDeviations are readCases Flask reads and Go refuses, on purpose (see
// the package documentation).
var readDeviations = map[string]bool{
	`{"t":{" t":"abc"}}`:               true, // Flask: ('a', 'b', 'c')
	`{"m":{" m":5}}`:                   true, // Flask: Markup('5')
	`{"di":{" di":{"a__":1,"b__":2}}}`: true, // Flask keeps the first key only
	`{"t":{" t":{"a":1}}}`:             true, // Flask: ('a',), the dict's keys
	`{"m":{" m":null}}`:                true, // Flask: Markup('None')
	`{"b":{" b":"A P8="}}`:             true, // Flask's base64 skips non-alphabet bytes
}

// diffCase is one generated session and how the Go side wrote it.
type diffCase struct {
	name      string
	value     map[string]any
	json      string
	cookie    string // signed in Go with signKey
	signKey   string
	flaskKey  string // Flask's SECRET_KEY
	fallbacks []string
	goFalls   []string // the Go verifier's fallbacks
	goKey     string   // the Go verifier's key
	flaskSign string   // the key Flask signs with
}

func differential(t *testing.T, python, version string) {
	const now = 1700000000
	g := gen{rand.New(rand.NewPCG(1, uint64(len(version))))}
	var cases []diffCase
	add := func(name string, v map[string]any, signKey, flaskKey string, flaskFalls []string, goKey string, goFalls []string, comp Compression, flaskSign string) {
		js, err := Marshal(v)
		if err != nil {
			t.Fatalf("%s: Marshal: %v", name, err)
		}
		c := NewCodec(mustSigner(t, signKey))
		c.Compression = comp
		cookie, err := c.Encode(v, time.Unix(now, 0))
		if err != nil {
			t.Fatalf("%s: Encode: %v", name, err)
		}
		cases = append(cases, diffCase{name, v, string(js), cookie, signKey, flaskKey, flaskFalls, goFalls, goKey, flaskSign})
	}
	const key = "diff-key-0123456789abcdef0123456789"
	for i := range 400 {
		comp := []Compression{CompressFlask, CompressAuto, CompressNever}[i%3]
		add(fmt.Sprintf("random-%d", i), g.object(0), key, key, nil, key, nil, comp, key)
	}
	// Large sessions, which CompressAuto compresses.
	for i := range 12 {
		v := map[string]any{}
		for j := range 20 + 6*i {
			v[fmt.Sprintf("k%03d", j)] = []any{g.str(), g.r.IntN(1000), "Maria"}
		}
		add(fmt.Sprintf("large-%d", i), v, key, key, nil, key, nil, CompressAuto, key)
	}
	// Raw-byte keys, as from os.urandom.
	for i := range 20 {
		add(fmt.Sprintf("rawkey-%d", i), g.object(0), "\xff\x00key\x80", "hex:ff006b657980", nil, "\xff\x00key\x80", nil, CompressFlask, "hex:ff006b657980")
	}
	// Key rotation: Go signs with an old key that Flask keeps as a
	// fallback, and Flask signs with its current key for a Go verifier
	// that has fallbacks.
	for i := range 30 {
		flaskSign := []string{"new-key", "old-key-0", "old-key-1"}[i%3]
		add(fmt.Sprintf("fallback-%d", i), g.object(0), "old-key-1", "new-key", []string{"old-key-0", "old-key-1"}, "new-key", []string{"old-key-0", "old-key-1"}, CompressFlask, flaskSign)
	}
	boundary := boundaryValues(t, g, 4)
	for delta := -2; delta <= 2; delta++ {
		if len(boundary[delta]) == 0 {
			t.Errorf("no session found at compression boundary %+d", delta)
		}
		for j, v := range boundary[delta] {
			add(fmt.Sprintf("boundary%+d-%d", delta, j), v, key, key, nil, key, nil, CompressFlask, key)
		}
	}

	var reqs []oracleRequest
	for _, c := range cases {
		reqs = append(reqs,
			oracleRequest{Op: "verify", Key: c.flaskKey, Fallbacks: c.fallbacks, Now: now, MaxAge: 3600, Cookie: c.cookie},
			oracleRequest{Op: "sign", Key: c.flaskSign, Now: now, TaggedJSON: c.json})
	}
	// Age boundaries: Go signs at now-3600 (age == max age), now-3601
	// and now+1; both sides must agree on each outcome.
	type ageCase struct {
		cookie string
		ok     bool
	}
	var ages []ageCase
	sg := NewCodec(mustSigner(t, key))
	for i, off := range []int64{-3600, -3601, 1, 0, -1} {
		ck, err := sg.Encode(map[string]any{"n": int64(i)}, time.Unix(now+off, 0))
		if err != nil {
			t.Fatal(err)
		}
		ages = append(ages, ageCase{ck, off <= 0 && off >= -3600})
		reqs = append(reqs, oracleRequest{Op: "verify", Key: key, Now: now, MaxAge: 3600, Cookie: ck})
	}
	// Tagged JSON read by both sides: how each reads tags, dates and
	// UUID spellings shows in what it writes back.
	base := len(reqs)
	reads := append(append([]string(nil), readCases...), randomDates(g, 300)...)
	for _, in := range reads {
		reqs = append(reqs, oracleRequest{Op: "sign", Key: key, Now: now, TaggedJSON: in})
	}
	start := time.Now()
	answers := runOracle(t, python, reqs)
	datesRead := 0
	for i, in := range reads {
		ans := answers[base+i]
		v, err := Unmarshal([]byte(in))
		var got []byte
		if err == nil {
			got, err = Marshal(v)
		}
		if err == nil && strings.Contains(string(got), `" d":"`) {
			datesRead++
		}
		deviation := readDeviations[in]
		switch {
		case ans.Exception != "" && err == nil:
			t.Errorf("read %s: Flask fails (%s), Go reads %s", in, ans.Exception, got)
		case ans.Exception == "" && err != nil && !deviation:
			t.Errorf("read %s: Flask reads %s, Go fails: %v", in, ans.PayloadJSON, err)
		case ans.Exception == "" && err == nil && deviation:
			t.Errorf("read %s: listed as a deviation but Go reads it", in)
		case ans.Exception == "" && err == nil && string(got) != ans.PayloadJSON:
			t.Errorf("read %s:\n Flask %s\n Go    %s", in, ans.PayloadJSON, got)
		}
	}
	answers = answers[:base]
	if datesRead < 50 {
		t.Errorf("only %d of the readings gave a date: the date cases test little", datesRead)
	}
	for i, a := range ages {
		ans := answers[2*len(cases)+i]
		goCodec := NewCodec(mustSigner(t, key))
		goCodec.MaxAge = time.Hour
		_, err := goCodec.Decode(a.cookie, time.Unix(now, 0))
		if ans.OK != a.ok || (err == nil) != a.ok {
			t.Errorf("age case %d: Flask ok=%v (%s), Go err=%v, want ok=%v", i, ans.OK, ans.Error, err, a.ok)
		}
		if !a.ok && ans.Error != "SignatureExpired" {
			t.Errorf("age case %d: Flask error %s, want SignatureExpired", i, ans.Error)
		}
	}
	elapsed := time.Since(start)

	identical, compressedDiffer := 0, 0
	for i, c := range cases {
		ver, sig := answers[2*i], answers[2*i+1]
		// Go → Flask: Flask verifies the Go cookie and reads the same value.
		if !ver.OK || ver.PayloadJSON != c.json {
			t.Errorf("%s: Flask read the Go cookie as ok=%v err=%s%s json=%s\n want %s\ncookie %s", c.name, ver.OK, ver.Error, ver.Exception, ver.PayloadJSON, c.json, c.cookie)
			continue
		}
		// Flask writes the same JSON for the value it read from Go's JSON.
		if sig.Exception != "" || sig.PayloadJSON != c.json {
			t.Errorf("%s: Flask re-wrote the JSON as %s (%s %s)\n                      want %s", c.name, sig.PayloadJSON, sig.Exception, sig.Message, c.json)
			continue
		}
		// Flask → Go: Go verifies Flask's cookie and reads the same value.
		codec := NewCodec(mustSigner(t, c.goKey, c.goFalls...))
		got, err := codec.Decode(sig.Cookie, time.Unix(now, 0))
		if err != nil {
			t.Errorf("%s: Go cannot read Flask's cookie: %v", c.name, err)
			continue
		}
		back, err := Marshal(got)
		if err != nil || string(back) != c.json {
			t.Errorf("%s: Go read Flask's cookie as %s (%v), want %s", c.name, back, err, c.json)
			continue
		}
		// Uncompressed cookies are byte-identical at a frozen clock (when
		// both sides sign with the same key).
		if c.signKey == c.flaskSign {
			flaskCompressed := strings.HasPrefix(sig.Cookie, ".")
			goCompressed := strings.HasPrefix(c.cookie, ".")
			if !flaskCompressed && !goCompressed {
				if sig.Cookie != c.cookie {
					t.Errorf("%s: uncompressed cookies differ:\n go    %s\n flask %s", c.name, c.cookie, sig.Cookie)
				}
				identical++
			} else {
				compressedDiffer++
			}
		}
	}
	t.Logf("Flask %s (%s): %d generated sessions, %d tagged-JSON readings, %d age checks, %d oracle requests in %v; %d uncompressed cookies byte-identical, %d compressed on one side at least",
		version, python, len(cases), len(reads), len(ages), len(reqs), elapsed.Round(time.Millisecond), identical, compressedDiffer)
}
