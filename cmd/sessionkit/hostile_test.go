package main

import (
	"bytes"
	"compress/zlib"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"
)

// hostileCase is one entry of the bad-input catalogue (SECURITY.md §2 A–F)
// run through decode and verify. verify uses katKey at katTime+100.
type hostileCase struct {
	id     string
	cookie string
	decode int    // decode's exit status
	verify int    // verify's exit status
	want   string // verify's stdout when it accepts
}

// kat signs an arbitrary payload field with the KAT key at katTime.
func kat(t testing.TB, payload string) string {
	return signed(t, katKey, "cookie-session", payload, "ZVPxAA")
}

// katJSON signs raw JSON text, uncompressed.
func katJSON(t testing.TB, js string) string { return kat(t, b64([]byte(js))) }

// katZ signs raw JSON text, compressed.
func katZ(t testing.TB, js string) string { return kat(t, zpayload(t, []byte(js))) }

func hostileCases(t testing.TB) []hostileCase {
	p, ts, sig := "eyJ1c2VyX2lkIjoxfQ", "ZVPxAA", "fakW8xRs_-Z2qVeZ_q5lQCYaa08"
	v := katV1
	flip := func(s string, i int, c byte) string { b := []byte(s); b[i] = c; return string(b) }
	sha256Sig := func() string {
		m := hmac.New(sha256.New, []byte(katKey))
		m.Write([]byte(p + "." + ts))
		return p + "." + ts + "." + b64(m.Sum(nil))
	}
	djangoConcat := func() string {
		// itsdangerous's default derivation: sha1(salt + "signer" + key).
		return signedDerived(t, sha1Sum("cookie-session"+"signer"+katKey), p, ts)
	}
	nested := func(n int, open, close string) string {
		return "{\"a\":" + strings.Repeat(open, n) + "1" + strings.Repeat(close, n) + "}"
	}
	manyKeys := func(n int) string {
		var b strings.Builder
		b.WriteString("{")
		for i := range n {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "\"k%d\":0", i)
		}
		b.WriteString("}")
		return b.String()
	}
	return []hostileCase{
		// A. Framing and structure.
		{"A-01 empty", "", 2, 2, ""}, // no cookie given: a usage error
		{"A-02 dot", ".", 3, 3, ""},
		{"A-02 two dots", "..", 3, 1, ""},
		{"A-02 three dots", "...", 3, 1, ""},
		{"A-02 four dots", "....", 3, 1, ""},
		{"A-03 signature missing", p + "." + ts, 3, 3, ""},
		{"A-04 timestamp missing", plainSigned(t, katKey, p), 3, 3, ""},
		{"A-05 extra field", v + ".X", 3, 1, ""},
		{"A-05 five fields", "a.b.c.d.e", 3, 1, ""},
		{"A-05 double dot", p + ".." + ts + "." + sig, 3, 1, ""},
		{"A-06 trailing x", v + "x", 0, 1, ""},
		{"A-06 trailing AAAA", v + "AAAA", 0, 1, ""},
		{"A-06 trailing dot", v + ".", 3, 1, ""},
		{"A-07 truncated 1", v[:len(v)-1], 3, 1, ""},
		{"A-07 truncated 4", v[:len(v)-4], 0, 1, ""},
		{"A-08 empty signature", p + "." + ts + ".", 3, 1, ""},
		{"A-09 leading dot", "." + v, 3, 1, ""},
		{"A-10 upper-cased", strings.ToUpper(v), 3, 1, ""},
		{"A-11 quoted", `"` + v + `"`, 0, 0, `{"user_id":1}`},
		{"A-13 4097 bytes", strings.Repeat("A", 4097), 3, 3, ""},
		{"A-13 4097 bytes with dots", strings.Repeat("A", 4000) + "." + ts + "." + strings.Repeat("A", 90), 3, 3, ""},
		{"A-14 exactly 4096", cookieOfLen(t, 4096), 0, 0, ""},
		{"A-14 4097 signed", cookieOfLen(t, 4097), 0, 3, ""},

		// B. Base64 encoding.
		{"B-15 plus in payload", flip(v, 3, '+'), 3, 1, ""},
		{"B-15 slash in signature", flip(v, len(v)-3, '/'), 3, 1, ""},
		{"B-16 padded signature", v + "=", 3, 1, ""},
		{"B-16 padded twice", v + "==", 3, 1, ""},
		{"B-16 padded payload", p + "==." + ts + "." + sig, 3, 1, ""},
		{"B-17 non-canonical bits", v[:len(v)-1] + "9", 3, 1, ""},
		{"B-19 impossible length", p + "." + ts + "." + sig + "AA", 3, 1, ""},
		{"B-19 impossible payload length", kat(t, p+"A"), 3, 3, ""},
		{"B-20 e-acute", flip(v, 2, 0xe9), 3, 1, ""},
		{"B-20 xff", v[:5] + "\xff" + v[5:], 3, 1, ""},
		{"B-20 BOM", "\ufeff" + v, 3, 1, ""},
		{"B-20 full-width dot", strings.ReplaceAll(v, ".", "\uff0e"), 3, 3, ""},
		{"B-21 percent dot", strings.Replace(v, ".", "%2E", 1), 3, 3, ""},
		{"B-21 percent NUL", v + "%00", 3, 1, ""},
		{"B-21 raw NUL", v[:5] + "\x00" + v[5:], 3, 1, ""},
		{"B-21 raw DEL", v[:5] + "\x7f" + v[5:], 3, 1, ""},
		{"B-22 empty payload and ts", ".." + sig, 3, 1, ""},
		{"B-22 empty ts", p + ".." + sig, 0, 1, ""},
		{"B-22 dot then nothing", "." + "." + ts + "." + sig, 3, 1, ""},

		// C. Signature, keys and context.
		{"C-23 other key", signed(t, "some-other-key-of-plenty-length-0001", "cookie-session", p, ts), 0, 1, ""},
		{"C-24 other salt", signed(t, katKey, "itsdangerous.Signer", p, ts), 0, 1, ""},
		{"C-24 remember-me salt", signed(t, katKey, "remember-me", p, ts), 0, 1, ""},
		{"C-25 django-concat derivation", djangoConcat(), 0, 1, ""},
		{"C-26 HMAC-SHA256", sha256Sig(), 0, 1, ""},
		{"C-29 old key without fallback", katV4, 0, 1, ""},
		{"C-30 empty key", signed(t, "", "cookie-session", p, ts), 0, 1, ""},
		{"C-31 well-known key", signed(t, "dev", "cookie-session", p, ts), 0, 1, ""},

		// D. Timestamp.
		{"D-33 one hour ahead", signed(t, katKey, "cookie-session", p, tsField(katTime+100+3600)), 0, 4, ""},
		{"D-34 empty timestamp", signed(t, katKey, "cookie-session", p, ""), 0, 4, ""},
		{"D-34 zero timestamp", signed(t, katKey, "cookie-session", p, "AA"), 0, 4, ""},
		{"D-35 nine bytes", signed(t, katKey, "cookie-session", p, "AQAAAAAAAAAA"), 3, 3, ""},
		{"D-35 beyond int64", signed(t, katKey, "cookie-session", p, "gAAAAAAAAAA"), 3, 3, ""},
		{"D-39 max age", signed(t, katKey, "cookie-session", p, tsField(katTime+100-31*86400)), 0, 0, `{"user_id":1}`},
		{"D-39 max age + 1", signed(t, katKey, "cookie-session", p, tsField(katTime+100-31*86400-1)), 0, 4, ""},
		{"D-40 bad timestamp chars", signed(t, katKey, "cookie-session", p, "ZV!xAA"), 3, 3, ""},

		// E. Payload and compression.
		{"E-42 3 MiB bomb", katZ(t, `{"a":"`+strings.Repeat("A", 3<<20)+`"}`), 3, 3, ""},
		{"E-45 not zlib", kat(t, "."+b64([]byte("this is not zlib at all"))), 3, 3, ""},
		{"E-45 truncated stream", kat(t, "."+b64(zlibBytes(t, []byte(`{"user_id":1}`))[:8])), 3, 3, ""},
		{"E-45 wrong adler", kat(t, "."+b64(badAdler(t, []byte(`{"user_id":1}`)))), 3, 3, ""},
		{"E-46 double compression", katZ(t, zpayload(t, []byte(`{"user_id":1}`))), 3, 3, ""},

		// F. JSON and Flask tagged JSON.
		{"F-49 100000 nested arrays", katZ(t, nested(100000, "[", "]")), 3, 3, ""},
		{"F-49 1000 nested arrays", katZ(t, nested(1000, "[", "]")), 3, 3, ""},
		{"F-50 nested tuples", katZ(t, nested(10000, `{" t":[`, `]}`)), 3, 3, ""},
		{"F-50 nested di", katZ(t, nested(10000, `{" di":{"x__":`, `}}`)), 3, 3, ""},
		{"F-51 duplicate keys", katJSON(t, `{"user_id":1,"user_id":2}`), 3, 3, ""},
		{"F-52 invalid UTF-8", katJSON(t, "{\"a\":\"a\xffb\"}"), 3, 3, ""},
		{"F-54 array", katJSON(t, `[]`), 3, 3, ""},
		{"F-54 string", katJSON(t, `"x"`), 3, 3, ""},
		{"F-54 number", katJSON(t, `1`), 3, 3, ""},
		{"F-54 null", katJSON(t, `null`), 3, 3, ""},
		{"F-54 true", katJSON(t, `true`), 3, 3, ""},
		{"F-55 garbage", katJSON(t, `{}garbage`), 3, 3, ""},
		{"F-55 two objects", katJSON(t, `{}{}`), 3, 3, ""},
		{"F-55 NUL", katJSON(t, "{} \x00"), 3, 3, ""},
		{"F-57 bytes number", katJSON(t, `{"a":{" b":123}}`), 3, 3, ""},
		{"F-57 bytes bad base64", katJSON(t, `{"a":{" b":"!!"}}`), 3, 3, ""},
		{"F-57 uuid", katJSON(t, `{"a":{" u":"xyz"}}`), 3, 3, ""},
		{"F-57 di list", katJSON(t, `{"a":{" di":[]}}`), 3, 3, ""},
		{"F-58 unknown tag", katJSON(t, `{"a":{" x":1}}`), 0, 0, `{"a":{" x":1}}`},
		{"F-58 two-key tag dict", katJSON(t, `{"a":{" t":[1],"b":2}}`), 0, 0, `{"a":{" t":[1],"b":2}}`},
		{"F-59 markup", katJSON(t, `{"m":{" m":"<script>alert(1)</script>"}}`), 0, 0, `{"m":{" m":"<script>alert(1)</script>"}}`},
		{"F-60 control characters", katJSON(t, `{"a":"\u0000\u001b[2J\u0007","\u001b]0;x":1}`), 0, 0, `{"\u001b]0;x":1,"a":"\u0000\u001b[2J\u0007"}`},
		{"F-60 raw escape in JSON", katJSON(t, "{\"a\":\"\x1b[2J\"}"), 3, 3, ""},
		{"F-61 50000 keys", katZ(t, manyKeys(50000)), 3, 3, ""},
		{"F-62 60 KiB string", katZ(t, `{"a":"`+strings.Repeat("x", 60<<10)+`"}`), 0, 0, `{"a":"` + strings.Repeat("x", 60<<10) + `"}`},
	}
}

func TestHostileInput(t *testing.T) {
	t.Parallel()
	env := map[string]string{"K": katKey}
	for _, tc := range hostileCases(t) {
		t.Run(tc.id, func(t *testing.T) {
			for _, args := range [][]string{{"decode"}, {"decode", "-json"}} {
				r := cli{args: args, stdin: tc.cookie}.run(t)
				checkPrintable(t, r.stdout+r.stderr, false)
				if r.code != tc.decode {
					t.Errorf("%v: exit %d, want %d\nstdout: %s\nstderr: %s", args, r.code, tc.decode, r.stdout, r.stderr)
				}
				if args[len(args)-1] != "-json" && r.stdout != "" && !strings.HasPrefix(r.stdout, "UNVERIFIED") {
					t.Errorf("decode output is not labelled UNVERIFIED: %s", r.stdout)
				}
			}
			r := cli{args: []string{"verify", "-key-env", "K"}, stdin: tc.cookie, env: env}.run(t)
			checkPrintable(t, r.stdout+r.stderr, false)
			if r.code != tc.verify {
				t.Errorf("verify: exit %d, want %d\nstdout: %s\nstderr: %s", r.code, tc.verify, r.stdout, r.stderr)
			}
			if tc.verify != 0 && r.stdout != "" {
				t.Errorf("verify rejected the cookie but printed %q", r.stdout)
			}
			if tc.want != "" && r.stdout != tc.want+"\n" {
				t.Errorf("verify printed %q, want %q", r.stdout, tc.want)
			}
			if strings.Contains(r.stdout+r.stderr, katKey) {
				t.Errorf("the key appears in the output")
			}
		})
	}
}

// TestRandomSignatures is C-27: signatures of the right length that are not
// the right one are all refused as bad signatures.
func TestRandomSignatures(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	env := map[string]string{"K": katKey}
	prefix := katV1[:strings.LastIndexByte(katV1, '.')+1]
	n := 1000
	if testing.Short() {
		n = 100
	}
	for range n {
		var sig [20]byte
		for i := range sig {
			sig[i] = byte(rng.Uint32())
		}
		r := cli{args: []string{"verify", "-key-env", "K", prefix + b64(sig[:])}, env: env}.run(t)
		if r.code != exitFail {
			t.Fatalf("random signature: exit %d, %s", r.code, r.stderr)
		}
	}
}

// TestFallbackKeys is C-28/C-29: a cookie signed with an old key verifies
// while the key is a fallback, and not once it is removed.
func TestFallbackKeys(t *testing.T) {
	env := map[string]string{"K": katKey, "OLD": katOldKey, "OTHER": strongKey}
	for _, tc := range []struct {
		args []string
		code int
		note string
	}{
		{[]string{"-fallback-env", "OLD"}, 0, "fallback key 0"},
		{[]string{"-fallback-env", "OTHER", "-fallback-env", "OLD"}, 0, "fallback key 1"},
		{[]string{"-fallback-env", "OLD", "-fallback-env", "OTHER"}, 0, "fallback key 0"},
		{[]string{"-fallback-env", "OTHER"}, 1, ""},
		{nil, 1, ""},
	} {
		args := append(append([]string{"verify", "-key-env", "K"}, tc.args...), katV4)
		r := cli{args: args, env: env}.run(t)
		if r.code != tc.code {
			t.Errorf("%v: exit %d, want %d: %s", args, r.code, tc.code, r.stderr)
		}
		if tc.note != "" && !strings.Contains(r.stderr, "note: signed with "+tc.note+" ") {
			t.Errorf("%v: stderr %q does not name %s", args, r.stderr, tc.note)
		}
	}
	// The current key is not reported as a fallback.
	r := cli{args: []string{"verify", "-key-env", "K", "-fallback-env", "OLD", katV1}, env: env}.run(t)
	if r.code != 0 || r.stderr != "" {
		t.Errorf("current key with a fallback: %+v", r)
	}
}

// TestHeaderSizeCookie is E-43: a cookie of about 1 MiB (Go's default
// header limit), carrying a zlib bomb of 768 MiB, is refused by the input
// cap, and with the cap raised by the decompression cap (decode) or the
// cookie size limit (verify).
func TestHeaderSizeCookie(t *testing.T) {
	big, err := io.ReadAll(bombCookie(t, 768<<20))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("E-43 cookie: %d bytes", len(big))
	env := map[string]string{"K": katKey}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"decode"}, "more than 65536 bytes"},
		{[]string{"verify", "-key-env", "K"}, "more than 65536 bytes"},
		{[]string{"decode", "-max-input", "2097152"}, "too large"},
		{[]string{"verify", "-key-env", "K", "-max-input", "2097152"}, "more than 4096"},
	} {
		r := cli{args: tc.args, stdin: string(big), env: env}.run(t)
		if r.code != exitMalformed || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 3 and %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
}

// TestKeysNeverEchoed is J-87: whatever goes wrong, the key is not printed.
func TestKeysNeverEchoed(t *testing.T) {
	const secret = "zz-THIS-KEY-MUST-NOT-APPEAR-zz"
	env := map[string]string{"K": secret}
	for _, args := range [][]string{
		{"verify", "-key-env", "K", katV1},
		{"verify", "-key", secret, katV1},
		{"verify", "-key", secret, "garbage"},
		{"verify", "-key", secret, "-key-format", "hex", katV1},
		{"verify", "-key", secret, "-key-format", "base64", katV1},
		{"verify", "-key", secret, "-fallback", secret + "x", katV1},
		{"sign", "-key", secret, "-json", "{"},
		{"sign", "-key", secret, "-json", `{"a":1}`},
		{"audit", "-key", secret},
		{"audit", "-key-env", "K", "-fallback-env", "K"},
	} {
		r := cli{args: args, env: env}.run(t)
		if strings.Contains(r.stdout+r.stderr, "MUST-NOT-APPEAR") {
			t.Errorf("%v printed the key:\n%s%s", args, r.stdout, r.stderr)
		}
		if args[1] == "-key" && !strings.Contains(r.stderr, "warning: keys given on the command line") {
			t.Errorf("%v: no warning about argv", args)
		}
	}
}

// TestDecodeBombOnStdin is E-44: a 1 GiB zlib bomb streamed on standard
// input is refused after the input cap, having read no more than the cap, in
// bounded memory; with the input cap raised, the decompression cap holds.
func TestDecodeBombOnStdin(t *testing.T) {
	in := &countingReader{r: bombCookie(t, 1<<30)}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	r := cli{args: []string{"decode", "-"}}.runWith(t, in)
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	if r.code != exitMalformed || r.stdout != "" || !strings.Contains(r.stderr, "more than 65536 bytes") {
		t.Fatalf("1 GiB bomb: %+v", r)
	}
	if in.n > 2*defaultMaxInput {
		t.Errorf("decode read %d bytes of the bomb; the cap is %d", in.n, defaultMaxInput)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
		t.Errorf("decode allocated %d bytes for a bomb it refused", alloc)
	}
	t.Logf("1 GiB bomb on stdin: refused after reading %d bytes, in %v", in.n, elapsed)

	// Raise the input cap: a 64 MiB bomb (about 87 KB of base64) reaches the
	// decompressor, which stops at its cap.
	bomb, err := io.ReadAll(bombCookie(t, 64<<20))
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&before)
	r = cli{args: []string{"decode", "-max-input", "1048576"}, stdin: string(bomb)}.run(t)
	runtime.ReadMemStats(&after)
	if r.code != exitMalformed || !strings.Contains(r.stderr, "too large") {
		t.Fatalf("64 MiB bomb with -max-input 1 MiB: %+v", r)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
		t.Errorf("decode allocated %d bytes for a 64 MiB bomb", alloc)
	}
}

// TestBombCookie checks the test's bomb generator against the real zlib
// reader: the stream is valid and holds exactly size zero bytes.
func TestBombCookie(t *testing.T) {
	const size = 3<<20 + 12345
	text, err := io.ReadAll(bombCookie(t, size))
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(string(text), ".")
	z, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zlib.NewReader(bytes.NewReader(z))
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) != size || bytes.Count(data, []byte{0}) != size {
		t.Fatalf("bomb holds %d bytes, want %d zeros", len(data), size)
	}
}

// bombCookie returns a reader of "." + b64url(zlib(size zero bytes)) +
// ".ZVPxAA.sig", made without compressing size bytes: once the window is
// full of zeros, deflate codes every further MiB of zeros the same way, so
// that block is repeated, then a final empty block and the Adler-32 of the
// zeros end the stream.
func bombCookie(t testing.TB, size int) io.Reader {
	t.Helper()
	const mib = 1 << 20
	var buf bytes.Buffer
	z, err := zlib.NewWriterLevel(&buf, zlib.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	zero := make([]byte, mib)
	chunk := func(n int) []byte {
		z.Write(zero[:n])
		z.Flush()
		b := bytes.Clone(buf.Bytes())
		buf.Reset()
		return b
	}
	prefix := append(chunk(mib), chunk(mib)...)
	block := chunk(mib)
	if again := chunk(mib); !bytes.Equal(block, again) {
		t.Fatal("deflate does not repeat itself on zeros")
	}
	rest := size - 2*mib
	if rest < 0 {
		t.Fatal("bombCookie needs at least 2 MiB")
	}
	var pieces []io.Reader
	pieces = append(pieces, bytes.NewReader(prefix), &repeatReader{block: block, n: rest / mib})
	tail := chunk(rest % mib)
	// A final empty fixed-Huffman block, then Adler-32 (RFC 1950): for zeros
	// a stays 1 and b is the length.
	tail = append(tail, 0x03, 0x00)
	adler := uint32(size%65521)<<16 | 1
	tail = append(tail, byte(adler>>24), byte(adler>>16), byte(adler>>8), byte(adler))
	pieces = append(pieces, bytes.NewReader(tail))
	return io.MultiReader(
		strings.NewReader("."),
		&b64Reader{src: io.MultiReader(pieces...)},
		strings.NewReader(".ZVPxAA.fakW8xRs_-Z2qVeZ_q5lQCYaa08"),
	)
}

// repeatReader yields block n times.
type repeatReader struct {
	block []byte
	n     int
	off   int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	k := copy(p, r.block[r.off:])
	r.off += k
	if r.off == len(r.block) {
		r.off = 0
		r.n--
	}
	return k, nil
}

// b64Reader base64url-encodes src (unpadded) as it is read.
type b64Reader struct {
	src     io.Reader
	pending []byte
	done    bool
}

func (r *b64Reader) Read(p []byte) (int, error) {
	for len(r.pending) == 0 {
		if r.done {
			return 0, io.EOF
		}
		var in [3 * 1024]byte
		n, err := io.ReadFull(r.src, in[:])
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			r.done = true
		} else if err != nil {
			return 0, err
		}
		r.pending = base64.RawURLEncoding.AppendEncode(nil, in[:n])
	}
	n := copy(p, r.pending)
	r.pending = r.pending[n:]
	return n, nil
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}
