package flask

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math"
	"math/big"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestFloatRepr(t *testing.T) {
	for _, tc := range []struct {
		f    float64
		want string
	}{
		{1, "1.0"}, {math.Copysign(0, -1), "-0.0"}, {0, "0.0"}, {0.5, "0.5"}, {-2.5, "-2.5"},
		{1e16, "1e+16"}, {1e15, "1000000000000000.0"}, {9999999999999998, "9999999999999998.0"},
		{0.0001, "0.0001"}, {0.00001, "1e-05"}, {123.456, "123.456"}, {1.5e300, "1.5e+300"},
		{5e-324, "5e-324"}, {math.MaxFloat64, "1.7976931348623157e+308"}, {0.1, "0.1"},
		{1e22, "1e+22"}, {1.0 / 3, "0.3333333333333333"}, {float64(float32(0.1)), "0.10000000149011612"},
		{math.NaN(), "NaN"}, {math.Inf(1), "Infinity"}, {math.Inf(-1), "-Infinity"}, {-1e-7, "-1e-07"},
		{123456789.125, "123456789.125"},
	} {
		if got := string(appendFloat(nil, tc.f)); got != tc.want {
			t.Errorf("appendFloat(%v) = %s, want %s", tc.f, got, tc.want)
		}
	}
}

func TestMarshalValues(t *testing.T) {
	type named string
	self := map[string]any{}
	self["a"] = self
	for _, tc := range []struct {
		name string
		v    any
		want string // JSON of {"v": v}, or "" with err
		err  error
	}{
		{"string escapes", "\"\\\n\r\t\b\f\x00\x1f\x7f/<>&'é😀\u2028", `"\"\\\n\r\t\b\f\u0000\u001f\u007f/<>&'\u00e9\ud83d\ude00\u2028"`, nil},
		{"ints", []any{int8(-8), int16(-16), int32(-32), int64(math.MinInt64), uint8(8), uint16(16), uint32(32), uint64(math.MaxUint64), uintptr(7), 42}, `[-8,-16,-32,-9223372036854775808,8,16,32,18446744073709551615,7,42]`, nil},
		{"float32", float32(1.5), "1.5", nil},
		{"big", new(big.Int).Lsh(big.NewInt(1), 100), "1267650600228229401496703205376", nil},
		{"nil big", (*big.Int)(nil), "null", nil},
		{"json.Number float", json.Number("1.50"), "1.5", nil},
		{"json.Number exp", json.Number("1e2"), "100.0", nil},
		{"json.Number big", json.Number("-123456789012345678901234567890"), "-123456789012345678901234567890", nil},
		{"json.Number bad", json.Number("007"), "", ErrUnsupported},
		{"json.Number word", json.Number("NaN"), "", ErrUnsupported},
		{"bytes", []byte{0, 0xff}, `{" b":"AP8="}`, nil},
		{"empty bytes", []byte{}, `{" b":""}`, nil},
		{"tuple", Tuple{1, "a", Tuple{}}, `{" t":[1,"a",{" t":[]}]}`, nil},
		{"markup", Markup("<b>oi</b>"), `{" m":"<b>oi</b>"}`, nil},
		{"uuid", UUID{0x12, 0x34, 0x56, 0x78, 0x12, 0x34, 0x56, 0x78, 0x12, 0x34, 0x56, 0x78, 0x12, 0x34, 0x56, 0x78}, `{" u":"12345678123456781234567812345678"}`, nil},
		{"time", time.Date(2023, 11, 14, 23, 13, 20, 999, time.FixedZone("x", 3600)), `{" d":"Tue, 14 Nov 2023 22:13:20 GMT"}`, nil},
		{"time year 5", time.Date(5, 1, 2, 3, 4, 5, 0, time.UTC), `{" d":"Sun, 02 Jan 0005 03:04:05 GMT"}`, nil},
		{"time year 0", time.Date(0, 1, 2, 3, 4, 5, 0, time.UTC), "", ErrUnsupported},
		{"time year 10000", time.Date(10000, 1, 2, 3, 4, 5, 0, time.UTC), "", ErrUnsupported},
		{"[]string", []string{"a", "é"}, `["a","\u00e9"]`, nil},
		{"map[string]string", map[string]string{"b": "2", "a": "1"}, `{"a":"1","b":"2"}`, nil},
		{"map[string]string tag", map[string]string{" m": "x"}, `{" di":{" m__":"x"}}`, nil},
		{"one-key tag dicts", map[string]any{" di": map[string]any{" t": 1}}, `{" di":{" di__":{" di":{" t__":1}}}}`, nil},
		{"two keys not escaped", map[string]any{" t": 1, "k": 2}, `{" t":1,"k":2}`, nil},
		{"sorted by bytes", map[string]any{"b": 1, "a": 2, "B": 3, "_x": 4, "é": 5, "Z": 6, "a1": 7, "😀": 8, "\uffff": 9}, `{"B":3,"Z":6,"_x":4,"a":2,"a1":7,"b":1,"\u00e9":5,"\uffff":9,"\ud83d\ude00":8}`, nil},
		{"reflect slice", []int{1, 2}, "[1,2]", nil},
		{"reflect array", [2]bool{true, false}, "[true,false]", nil},
		{"reflect map", map[string]int{"x": 1}, `{"x":1}`, nil},
		{"reflect tag map", map[string]int{" t": 1}, `{" di":{" t__":1}}`, nil},
		{"reflect nested", map[string][]named{"x": {"a"}}, `{"x":["a"]}`, nil},
		{"nil slice", []int(nil), "[]", nil},
		{"nil map", map[string]int(nil), "{}", nil},
		{"nil map[string]any", map[string]any(nil), "{}", nil},
		{"nil []any", []any(nil), "[]", nil},
		{"struct", struct{ A int }{1}, "", ErrUnsupported},
		{"int-keyed map", map[int]string{1: "a"}, "", ErrUnsupported},
		{"pointer", new(int), "0", nil},
		{"nil pointer", (*int)(nil), "null", nil},
		{"pointer to a slice", &[]string{"a"}, `["a"]`, nil},
		{"named byte slice", json.RawMessage("hi"), `{" b":"aGk="}`, nil},
		{"lone surrogates (WTF-8)", "\xed\xa0\x80a\xed\xb0\x80\xed\xa0\x80", `"\ud800a\udc00\ud800"`, nil},
		{"WTF-8 key", map[string]any{"\xed\xbf\xbf": 1}, `{"\udfff":1}`, nil},
		{"surrogate pair as two WTF-8 sequences", "\xed\xa0\xbd\xed\xb8\x80", "", ErrUnsupported},
		{"truncated WTF-8", "\xed\xa0", "", ErrUnsupported},
		{"map with a struct", map[string]any{"x": []any{1, struct{}{}}}, "", ErrUnsupported},
		{"func", func() {}, "", ErrUnsupported},
		{"invalid UTF-8", "a\xffb", "", ErrUnsupported},
		{"invalid UTF-8 key", map[string]any{"\xff": 1}, "", ErrUnsupported},
		{"cycle", self, "", ErrTooDeep},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Marshal(map[string]any{"v": tc.v})
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if want := `{"v":` + tc.want + `}`; string(got) != want {
				t.Fatalf("got  %s\nwant %s", got, want)
			}
		})
	}
}

func TestUnmarshalValues(t *testing.T) {
	d := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	for _, tc := range []struct {
		in   string
		want any
	}{
		{`{"v":1}`, int64(1)},
		{`{"v":-0}`, int64(0)},
		{`{"v":1.0}`, 1.0},
		{`{"v":1E5}`, 1e5},
		{`{"v":1e400}`, math.Inf(1)},
		{`{"v":-Infinity}`, math.Inf(-1)},
		{`{"v":9223372036854775808}`, new(big.Int).Lsh(big.NewInt(1), 63)},
		{` { "v" : [ 1 , "a" ] } `, []any{int64(1), "a"}},
		{`{"v":"\u00e9\ud83d\ude00\/\"\\\b\f\n\r\t"}`, "é😀/\"\\\b\f\n\r\t"},
		{`{"v":{" t":[1]}}`, Tuple{int64(1)}},
		{`{"v":{" b":"AP8="}}`, []byte{0, 0xff}},
		{`{"v":{" m":"<b>"}}`, Markup("<b>")},
		{`{"v":{" u":"12345678-1234-5678-1234-567812345678"}}`, UUID{0x12, 0x34, 0x56, 0x78, 0x12, 0x34, 0x56, 0x78, 0x12, 0x34, 0x56, 0x78, 0x12, 0x34, 0x56, 0x78}},
		{`{"v":{" d":"Tue, 14 Nov 2023 22:13:20 GMT"}}`, d("2023-11-14T22:13:20Z")},
		{`{"v":{" d":"Tue, 14 Nov 2023 22:13:20 +0200"}}`, d("2023-11-14T20:13:20Z")},
		{`{"v":{" d":"Tuesday, 14-Nov-23 22:13:20 GMT"}}`, d("2023-11-14T22:13:20Z")},
		{`{"v":{" d":"Tue Nov 14 22:13:20 2023"}}`, d("2023-11-14T22:13:20Z")},
		{`{"v":{" d":"Mon, 06 Aug 0085 11:27:41 GMT"}}`, d("1985-08-06T11:27:41Z")},
		{`{"v":{" d":"Sun, 02 Jan 0005 03:04:05 GMT"}}`, d("2005-01-02T03:04:05Z")},
		{`{"v":{" d":"nope"}}`, nil},
		{`{"v":{" di":{" t__":[1]}}}`, map[string]any{" t": []any{int64(1)}}},
		{`{"v":{" di":{"xy":1}}}`, map[string]any{"": int64(1)}},
		{`{"v":{" di":{"aé😀":1}}}`, map[string]any{"a": int64(1)}},
		{`{"v":{" x":1}}`, map[string]any{" x": int64(1)}},
		// Lone surrogates, as Python's json reads them, in WTF-8.
		{`{"v":"\ud800"}`, "\xed\xa0\x80"},
		{`{"v":"\udc00"}`, "\xed\xb0\x80"},
		{`{"v":"\ud800\u0041"}`, "\xed\xa0\x80A"},
		{`{"v":"\ud800\ud800"}`, "\xed\xa0\x80\xed\xa0\x80"},
		{`{"v":"\udc00\ud800x"}`, "\xed\xb0\x80\xed\xa0\x80x"},
		{`{"v":"\ud83d\ude00"}`, "😀"},
		{`{"v":"a\ud83d"}`, "a\xed\xa0\xbd"},
		{`{"v":{" di":{"a\ud800__":1}}}`, map[string]any{"a\xed\xa0\x80": int64(1)}},
		{`{"v":{" di":{"ab\ud800":1}}}`, map[string]any{"a": int64(1)}},
	} {
		m, err := Unmarshal([]byte(tc.in))
		if err != nil {
			t.Errorf("Unmarshal(%s): %v", tc.in, err)
			continue
		}
		if got := m["v"]; !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Unmarshal(%s) = %#v, want %#v", tc.in, got, tc.want)
		}
	}
	for _, bad := range []string{
		``, ` `, `{`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{,}`, `{"a":[1,]}`, `{"a":01}`, `{"a":1.}`, `{"a":.5}`,
		`{"a":1e}`, `{"a":-}`, `{"a":+1}`, `{"a":nan}`, `{"a":-NaN}`, `{"a":"\x"}`, `{"a":"\u12"}`, "{\"a\":\"\t\"}",
		`{"a":"\ud800\u00zz"}`, `{"a":"\ud800\u"}`, `{'a':1}`, `{"a":tru}`, "\ufeff{}", `{"a":1}}`,
	} {
		if _, err := Unmarshal([]byte(bad)); !errors.Is(err, ErrPayload) {
			t.Errorf("Unmarshal(%q) err = %v, want ErrPayload", bad, err)
		}
	}
}

func TestUUID(t *testing.T) {
	want := UUID{0x12, 0x34, 0x56, 0x78, 0x12, 0x34, 0x56, 0x78, 0x12, 0x34, 0x56, 0x78, 0x12, 0x34, 0x56, 0x78}
	if got := want.String(); got != "12345678-1234-5678-1234-567812345678" {
		t.Fatalf("String() = %s", got)
	}
	for _, s := range []string{
		"12345678123456781234567812345678", "12345678-1234-5678-1234-567812345678",
		"{12345678-1234-5678-1234-567812345678}", "urn:uuid:12345678-1234-5678-1234-567812345678",
		"12345678-1234-5678-1234-567812345678", "1234567812345678123456781234567F"[:31] + "8",
	} {
		if got, err := ParseUUID(s); err != nil || got != want {
			t.Errorf("ParseUUID(%q) = %v, %v", s, got, err)
		}
	}
	if got, err := ParseUUID("ABCDEFABCDEFABCDEFABCDEFABCDEFAB"); err != nil || got[0] != 0xab {
		t.Errorf("upper case: %v, %v", got, err)
	}
	for _, s := range []string{"", "xyz", "1234567812345678123456781234567", "123456781234567812345678123456789", "1234567812345678123456781234567g", strings.Repeat("1", 100)} {
		if _, err := ParseUUID(s); err == nil {
			t.Errorf("ParseUUID(%q) accepted", s)
		}
	}
}

func TestCheckAge(t *testing.T) {
	now := time.Unix(1000, 0)
	for _, tc := range []struct {
		ts     int64
		maxAge time.Duration
		skew   time.Duration
		ok     bool
	}{
		{1000, 0, 0, true}, {999, 0, 0, false}, {880, 120 * time.Second, 0, true}, {879, 120 * time.Second, 0, false},
		{1001, time.Hour, 0, false}, {1001, time.Hour, time.Second, true}, {1002, time.Hour, time.Second, false},
		{0, -1, 0, true}, {math.MaxInt64, -1, time.Hour, false}, {880, 120*time.Second + 999*time.Millisecond, 0, true},
	} {
		err := CheckAge(tc.ts, now, tc.maxAge, tc.skew)
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, ErrExpired)) {
			t.Errorf("CheckAge(%d, 1000, %v, %v) = %v, want ok=%v", tc.ts, tc.maxAge, tc.skew, err, tc.ok)
		}
	}
	if err := CheckAge(math.MaxInt64, time.Unix(-1<<40, 0), time.Hour, 0); err == nil {
		t.Error("far future accepted with a negative clock")
	}
}

func TestSignerKeys(t *testing.T) {
	now := time.Unix(1700000000, 0)
	s := mustSigner(t, "k2", "k0", "k1")
	for i, key := range []string{"k2", "k0", "k1"} {
		cookie := mustSigner(t, key).Sign("eyJ9", now)
		_, ts, idx, err := s.Unsign(cookie)
		want := []int{0, 1, 2}[i]
		if err != nil || idx != want || ts != now.Unix() {
			t.Errorf("cookie from %s: key %d ts %d err %v, want key %d", key, idx, ts, err, want)
		}
	}
	// Another hash and salt.
	cs, err := NewCustomSigner("other-salt", sha256.New, []byte("k"))
	if err != nil {
		t.Fatal(err)
	}
	cookie := cs.Sign("eyJ9", now)
	if _, _, _, err := cs.Unsign(cookie); err != nil {
		t.Fatal(err)
	}
	if len(cookie) != len("eyJ9.ZVPxAA.")+43 {
		t.Fatalf("SHA-256 cookie %s", cookie)
	}
	if _, _, _, err := mustSigner(t, "k").Unsign(cookie); !errors.Is(err, ErrSignature) {
		t.Fatalf("SHA-256 cookie under SHA-1: %v", err)
	}
	if _, err := NewCustomSigner("s", nil, []byte("k")); err == nil {
		t.Fatal("nil hash accepted")
	}
	// Timestamps per spec §2.
	for _, tc := range []struct {
		unix int64
		want string
	}{{0, ""}, {256, "AQA"}, {1 << 32, "AQAAAAA"}, {1700000000, "ZVPxAA"}, {-5, ""}} {
		if got := string(appendTimestamp(nil, tc.unix)); got != tc.want {
			t.Errorf("timestamp %d = %q, want %q", tc.unix, got, tc.want)
		}
	}
}

func TestParse(t *testing.T) {
	p, err := Parse(katV1)
	if err != nil || p.Payload != "eyJ1c2VyX2lkIjoxfQ" || p.Timestamp != 1700000000 || p.Signature != "fakW8xRs_-Z2qVeZ_q5lQCYaa08" || p.Compressed {
		t.Fatalf("Parse = %+v, %v", p, err)
	}
	for _, bad := range []string{"", "a", "a.b", "a.!!.c", "a.ZVPxAA.", "a.ZVPxAA.!", "a.AQAAAAAAAAAA.c"} {
		if _, err := Parse(bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("Parse(%q) = %v, want ErrMalformed", bad, err)
		}
	}
	for _, tc := range []struct {
		payload string
		max     int
		want    error
	}{{"", 10, ErrPayload}, {".", 10, ErrPayload}, {"e30", 1, ErrTooLarge}, {"e30=", 10, ErrPayload}, {"e3", 10, ErrPayload}, {".e30", 10, ErrPayload}} {
		if _, err := PayloadJSON(tc.payload, tc.max); !errors.Is(err, tc.want) {
			t.Errorf("PayloadJSON(%q, %d) = %v, want %v", tc.payload, tc.max, err, tc.want)
		}
	}
}

// TestConstantTimeCompare is SECURITY.md A.2's structural check: MACs are
// compared only with hmac.Equal, in verifyMAC, and nothing else in the
// package compares byte slices.
func TestConstantTimeCompare(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok {
				continue
			}
			ast.Inspect(fn, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				pkg, ok := sel.X.(*ast.Ident)
				if !ok {
					return true
				}
				switch call := pkg.Name + "." + sel.Sel.Name; call {
				case "hmac.Equal", "subtle.ConstantTimeCompare":
					if fn.Name.Name != "verifyMAC" {
						t.Errorf("%s: %s in %s, want only in verifyMAC", fset.Position(sel.Pos()), call, fn.Name.Name)
					}
				case "bytes.Equal", "bytes.Compare", "strings.EqualFold":
					t.Errorf("%s: %s in %s", fset.Position(sel.Pos()), call, fn.Name.Name)
				}
				return true
			})
		}
	}
}

func TestCodecWithoutSigner(t *testing.T) {
	for _, c := range []*Codec{{}, NewCodec(nil)} {
		if _, err := c.Encode(map[string]any{}, time.Now()); err == nil {
			t.Error("Encode without a signer")
		}
		if _, err := c.Decode(katV1, katNow); err == nil {
			t.Error("Decode without a signer")
		}
		if _, err := c.Refresh(katV1, katNow); err == nil {
			t.Error("Refresh without a signer")
		}
	}
}

// TestConcurrentUse shares one Codec between goroutines: the pooled HMAC
// states, buffers, zlib readers and writers and decoders must not leak
// data between calls (run with -race).
func TestConcurrentUse(t *testing.T) {
	c := NewCodec(mustSigner(t, katKey, "old"))
	c.Compression = CompressFlask
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g := gen{rand.New(rand.NewPCG(uint64(w), 8))}
			for range 100 {
				v := g.object(0)
				want, err := Marshal(v)
				if err != nil {
					errs <- err
					return
				}
				cookie, err := c.Encode(v, katNow)
				if err != nil {
					errs <- err
					return
				}
				got, err := c.Decode(cookie, katNow)
				if err != nil {
					errs <- err
					return
				}
				if js, _ := Marshal(got); string(js) != string(want) {
					errs <- fmt.Errorf("got %s, want %s", js, want)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestDepthAgreement: whatever Marshal writes within DefaultMaxDepth,
// Unmarshal reads (depth 65 failing is in TestHostileCookies).
func TestDepthAgreement(t *testing.T) {
	nest := func(levels int, wrap func(any) any) map[string]any {
		var v any = "x"
		for range levels {
			v = wrap(v)
		}
		return map[string]any{"v": v}
	}
	wraps := map[string]func(any) any{
		"list":  func(v any) any { return []any{v} },
		"tuple": func(v any) any { return Tuple{v} },
		"map":   func(v any) any { return map[string]any{"k": v} },
		"di":    func(v any) any { return map[string]any{" t": v} },
	}
	for name, wrap := range wraps {
		fits := 0
		for levels := 1; levels < DefaultMaxDepth+10; levels++ {
			js, err := Marshal(nest(levels, wrap))
			if err != nil {
				if !errors.Is(err, ErrTooDeep) {
					t.Fatalf("%s %d: %v", name, levels, err)
				}
				break
			}
			if _, err := Unmarshal(js); err != nil {
				t.Fatalf("%s %d: Marshal wrote what Unmarshal refuses: %v", name, levels, err)
			}
			fits = levels
		}
		if fits < DefaultMaxDepth/2-1 {
			t.Errorf("%s: only %d levels fit", name, fits)
		}
	}
}

// TestDecodedValuesStayPut: the values a Decode returns share no memory
// with what later decodes write (pooled buffers, decoder scratch space,
// slabs of boxed values).
func TestDecodedValuesStayPut(t *testing.T) {
	c := NewCodec(mustSigner(t, katKey))
	c.Compression = CompressFlask
	g := gen{rand.New(rand.NewPCG(3, 3))}
	type kept struct {
		v    map[string]any
		want string
	}
	var all []kept
	for i := range 300 {
		v := g.object(0)
		v["n"] = []any{int64(i * 1000), float64(i) + 0.5, fmt.Sprint("s", i), "a\\u00e9"}
		cookie, err := c.Encode(v, katNow)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Decode(cookie, katNow)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := Marshal(got)
		all = append(all, kept{got, string(want)})
	}
	for i, k := range all {
		if js, _ := Marshal(k.v); string(js) != k.want {
			t.Fatalf("value %d changed after later decodes:\n%s\n%s", i, js, k.want)
		}
	}
}
