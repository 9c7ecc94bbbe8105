package flask

import (
	"bytes"
	"compress/zlib"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"errors"
	"hash"
	"html/template"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"
)

// The cases of SECURITY.md §2 A–F (the catalogue of hostile cookies), each
// with the safe outcome expected from Codec.Decode.

const katKey = "kat-secret-key-do-not-use-in-production-0001"

var katNow = time.Unix(1700000000, 0)

// SECURITY.md Appendix C.
const (
	katV1 = "eyJ1c2VyX2lkIjoxfQ.ZVPxAA.fakW8xRs_-Z2qVeZ_q5lQCYaa08"
	katV2 = ".eJyrVkpJLElUslJKHCZAqRYAjQNPHQ.ZVPxAA.ChQownprMTkBlDnLwUSEqSHnB-Y"
	katV3 = ".eJyrVipRsqpWUgCS0YY6RrG1OkpJYAEgqeQYYGGrBBQpBYsASSVDI2MTUzNzC1w0SHUKWDWQVPLNz9NRMDBU8ErMUzAyMDJRMDCwAiMFd98QkNJcsFIgqWSTZFdho59kp1RbCwAjBCNF.ZVPxAA.4yNc_hK074vFp_0P4zCM1ZY-KyQ"
	katV4 = "eyJ1c2VyX2lkIjoxfQ.ZVPxAA.cVcLTGaBLYQP_g-SNRv-XFRLIkY"
)

func TestAppendixCVectors(t *testing.T) {
	c := NewCodec(mustSigner(t, katKey, "kat-OLD-key-do-not-use-in-production-0000"))
	want := map[string]string{
		katV1: `{"user_id":1}`,
		katV2: `{"data":"` + strings.Repeat("a", 200) + `"}`,
		katV3: `{"b":{" b":"AP8="},"d":{" d":"Mon, 01 Jan 2024 00:00:00 GMT"},"m":{" m":"<b>x</b>"},"t":{" t":[1,2]},"u":{" u":"12345678123456781234567812345678"}}`,
		katV4: `{"user_id":1}`,
	}
	for cookie, js := range want {
		v, err := c.Decode(cookie, katNow)
		if err != nil {
			t.Fatalf("Decode(%.20s…): %v", cookie, err)
		}
		got, err := Marshal(v)
		if err != nil || string(got) != js {
			t.Fatalf("Decode(%.20s…) = %s (%v), want %s", cookie, got, err, js)
		}
	}
	// V1 re-encoded is byte-identical; V4 (old key) is re-signed with the
	// current key, which gives V1.
	c.Compression = CompressFlask
	if got, _ := c.Encode(map[string]any{"user_id": 1}, katNow); got != katV1 {
		t.Fatalf("Encode = %s, want %s", got, katV1)
	}
	if got, err := c.Refresh(katV4, katNow); err != nil || got != katV1 {
		t.Fatalf("Refresh(V4) = %s, %v; want %s", got, err, katV1)
	}
	if _, _, k, err := c.Signer().Unsign(katV4); err != nil || k != 1 {
		t.Fatalf("Unsign(V4) key = %d, %v; want 1", k, err)
	}
}

// signRaw signs payload text (already base64, with its "." when
// compressed) at ts with key: the "signFlask" helper of SECURITY.md §0.
func signRaw(t testing.TB, key string, payload string, ts int64) string {
	t.Helper()
	return mustSigner(t, key).Sign(payload, time.Unix(ts, 0))
}

// signJSON signs raw JSON bytes, compressed or not, as Flask would.
func signJSON(t testing.TB, key string, raw []byte, compressed bool, ts int64) string {
	t.Helper()
	if !compressed {
		return signRaw(t, key, b64.EncodeToString(raw), ts)
	}
	var zb bytes.Buffer
	compressInto(&zb, raw)
	return signRaw(t, key, "."+b64.EncodeToString(zb.Bytes()), ts)
}

// signCustom signs with a hand-built derivation: msg → MAC with derived.
func signCustom(h func() []byte, payloadTS string) string {
	return payloadTS + "." + b64.EncodeToString(h())
}

type hostileCase struct {
	id     string
	cookie string
	want   error // nil: accepted
}

func hostileCases(t testing.TB) []hostileCase {
	v := katV1
	p, ts, sig, _ := split(v)
	pt := p + "." + ts
	upper := strings.ToUpper(v)
	lastFlip := func(s string, c byte) string { return s[:len(s)-1] + string(c) }
	// Non-canonical spellings of the signature's last character: the
	// 27th character carries 2 unused bits.
	var nonCanonical []string
	last := sig[len(sig)-1]
	idx := strings.IndexByte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", last)
	for d := 1; d < 4; d++ {
		nonCanonical = append(nonCanonical, lastFlip(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[idx^d]))
	}
	derived := func(key, msg []byte, h func() hashFunc) []byte {
		m := hmac.New(h(), key)
		m.Write(msg)
		return m.Sum(nil)
	}
	sha1d := func(b ...[]byte) []byte {
		h := sha1.New()
		for _, x := range b {
			h.Write(x)
		}
		return h.Sum(nil)
	}
	sha1f := func() hashFunc { return sha1.New }
	sha256f := func() hashFunc { return sha256.New }
	key := []byte(katKey)
	salt := []byte(DefaultSalt)
	withDerived := func(dk []byte, h func() hashFunc) string {
		return signCustom(func() []byte { return derived(dk, []byte(pt), h) }, pt)
	}
	hmacDerived := derived(key, salt, sha1f)

	cases := []hostileCase{
		{"KAT-V1", v, nil},
		// A. Framing.
		{"A-01 empty", "", ErrMalformed},
		{"A-02 .", ".", ErrMalformed},
		{"A-02 ..", "..", ErrSignature},
		{"A-02 ...", "...", ErrSignature},
		{"A-02 ....", "....", ErrSignature},
		{"A-03 P.T", pt, ErrMalformed},
		{"A-04 P.S untimed", signCustom(func() []byte { return derived(hmacDerived, []byte(p), sha1f) }, p), ErrMalformed},
		{"A-05 P.T.S.X", v + ".X", ErrSignature},
		{"A-05 a.b.c.d.e", "a.b.c.d.e", ErrSignature},
		{"A-05 P..T.S", p + ".." + ts + "." + sig, ErrSignature},
		{"A-06 V+x", v + "x", ErrSignature},
		{"A-06 V+AAAA", v + "AAAA", ErrSignature},
		{"A-06 V+.", v + ".", ErrSignature},
		{"A-07 V[:-1]", v[:len(v)-1], ErrSignature},
		{"A-07 V[:-4]", v[:len(v)-4], ErrSignature},
		{"A-08 empty signature", pt + ".", ErrSignature},
		{"A-09 .V", "." + v, ErrSignature},
		{"A-10 upper", upper, ErrSignature},
		// The middleware receives the value unquoted from net/http; a
		// quoted value reaching the codec is not a cookie.
		{"A-11 quoted", `"` + v + `"`, ErrSignature},
		{"A-13 4097 bytes", strings.Repeat("A", 4097), ErrTooLarge},
		// B. Base64.
		{"B-15 + in signature", lastFlip(v, '+'), ErrSignature},
		{"B-15 / in payload", "/" + v[1:], ErrSignature},
		{"B-16 V+=", v + "=", ErrSignature},
		{"B-16 V+==", v + "==", ErrSignature},
		{"B-16 padded payload", signRaw(t, katKey, p+"=", 1700000000), ErrPayload},
		{"B-17 non-canonical 1", nonCanonical[0], ErrSignature},
		{"B-17 non-canonical 2", nonCanonical[1], ErrSignature},
		{"B-17 non-canonical 3", nonCanonical[2], ErrSignature},
		{"B-19 payload len%4==1", signRaw(t, katKey, "eyJhI", 1700000000), ErrPayload},
		{"B-19 timestamp len%4==1", signRaw(t, katKey, p, 1700000000)[:len(p)] + ".ZVPxAAA." + sig, ErrSignature},
		{"B-20 é", "é" + v, ErrSignature},
		{"B-20 xff", "\xff" + v, ErrSignature},
		{"B-20 BOM", "\ufeff" + v, ErrSignature},
		{"B-20 full-width dot", p + "．" + ts + "." + sig, ErrMalformed},
		{"B-21 %2E", p + "%2E" + ts + "." + sig, ErrMalformed},
		{"B-21 NUL", v[:5] + "\x00" + v[5:], ErrSignature},
		{"B-21 DEL", v + "\x7f", ErrSignature},
		{"B-22 ..S", ".." + sig, ErrSignature},
		{"B-22 P..S", p + ".." + sig, ErrSignature},
		{"B-22 signed P..S (timestamp 0)", signRaw(t, katKey, p, 0), ErrExpired},
		{"B-22 signed empty compressed payload", signRaw(t, katKey, ".", 1700000000), ErrPayload},
		{"B-22 signed empty payload", signRaw(t, katKey, "", 1700000000), ErrPayload},
		// C. Signature, keys and context.
		{"C-23 other key", signRaw(t, "another-key-0123456789abcdef012345", p, 1700000000), ErrSignature},
		{"C-24 other salt", withDerived(derived(key, []byte("remember-me"), sha1f), sha1f), ErrSignature},
		{"C-24 itsdangerous default salt", withDerived(derived(key, []byte("itsdangerous.Signer"), sha1f), sha1f), ErrSignature},
		{"C-25 django-concat", withDerived(sha1d(salt, []byte("signer"), key), sha1f), ErrSignature},
		{"C-25 concat", withDerived(sha1d(salt, key), sha1f), ErrSignature},
		{"C-25 none", withDerived(key, sha1f), ErrSignature},
		{"C-26 HMAC-SHA256", withDerived(derived(key, salt, sha256f), sha256f), ErrSignature},
		{"C-29 fallback removed (V4)", katV4, ErrSignature},
		{"C-30 empty key", withDerived(derived(nil, salt, sha1f), sha1f), ErrSignature},
		{"C-31 well-known key", signRaw(t, "dev", p, 1700000000), ErrSignature},
		// D. Timestamp.
		{"D-33 one hour ahead", signRaw(t, katKey, p, 1700000000+3600), ErrExpired},
		{"D-34 empty timestamp", signRaw(t, katKey, p, 0), ErrExpired},
		{"D-34 explicit zero", signCustom(func() []byte { return derived(hmacDerived, []byte(p+".AA"), sha1f) }, p+".AA"), ErrExpired},
		{"D-35 nine-byte timestamp", signCustom(func() []byte { return derived(hmacDerived, []byte(p+".AQAAAAAAAAAA"), sha1f) }, p+".AQAAAAAAAAAA"), ErrMalformed},
		{"D-39 age == max", signRaw(t, katKey, p, 1700000000-int64(DefaultMaxAge/time.Second)), nil},
		{"D-39 age == max+1", signRaw(t, katKey, p, 1700000000-int64(DefaultMaxAge/time.Second)-1), ErrExpired},
		{"D-40 bad timestamp characters", signCustom(func() []byte { return derived(hmacDerived, []byte(p+".ZV!xAA"), sha1f) }, p+".ZV!xAA"), ErrMalformed},
		{"D-40 unsigned bad timestamp", p + ".ZV!xAA." + sig, ErrSignature},
		// E. Payload and compression.
		{"E-42 bomb", signJSON(t, katKey, append(append([]byte(`{"a":"`), bytes.Repeat([]byte("A"), 2<<20)...), `"}`...), true, 1700000000), ErrTooLarge},
		{"E-43 1 MiB", strings.Repeat("eJ", 1<<19), ErrTooLarge},
		{"E-45 not zlib", signRaw(t, katKey, "."+p, 1700000000), ErrPayload},
		{"E-45 truncated", truncatedZlib(t), ErrPayload},
		{"E-45 wrong Adler-32", badAdler(t), ErrPayload},
		// CPython's zlib.decompress ignores bytes after the checksum, so
		// Flask reads this cookie; so does Decode.
		{"E-45 trailing data after the stream", trailingZlib(t), nil},
		{"E-45 preset dictionary (FDICT)", fdictZlib(t), ErrPayload},
		{"E-46 double compression", doubleCompressed(t), ErrPayload},
		{"ADV-12 dot on an unsigned bomb", "." + b64.EncodeToString(bytes.Repeat([]byte{0}, 100)) + "." + ts + "." + sig, ErrSignature},
		// F. JSON and tags.
		// 100 000 levels are 200 000 bytes of JSON: the decompression cap
		// stops them before the parser sees them.
		{"F-49 100000 nested arrays", signJSON(t, katKey, []byte(`{"a":`+strings.Repeat("[", 100000)+strings.Repeat("]", 100000)+`}`), true, 1700000000), ErrTooLarge},
		{"F-49 30000 nested arrays", signJSON(t, katKey, []byte(`{"a":`+strings.Repeat("[", 30000)+strings.Repeat("]", 30000)+`}`), true, 1700000000), ErrTooDeep},
		{"F-49 depth 1001", signJSON(t, katKey, []byte(`{"a":`+strings.Repeat("[", 1000)+strings.Repeat("]", 1000)+`}`), true, 1700000000), ErrTooDeep},
		{"F-49 depth 1000", signJSON(t, katKey, []byte(`{"a":`+strings.Repeat("[", 999)+strings.Repeat("]", 999)+`}`), true, 1700000000), nil},
		{"F-50 nested tuples", signJSON(t, katKey, []byte(`{"a":`+strings.Repeat(`{" t":[`, 4000)+strings.Repeat("]}", 4000)+`}`), true, 1700000000), ErrTooDeep},
		{"F-50 nested di", signJSON(t, katKey, []byte(`{"a":`+strings.Repeat(`{" di":`, 8000)+"1"+strings.Repeat("}", 8000)+`}`), true, 1700000000), ErrTooDeep},
		{"F-51 duplicate keys", signJSON(t, katKey, []byte(`{"user_id":1,"user_id":2}`), false, 1700000000), ErrPayload},
		{"F-52 invalid UTF-8", signJSON(t, katKey, []byte("{\"a\":\"a\xffb\"}"), false, 1700000000), ErrPayload},
		// Flask reads lone surrogates (a JSON request body can carry
		// them into a session); Decode keeps them in WTF-8.
		{"F-52 lone surrogate", signJSON(t, katKey, []byte(`{"a":"\ud800"}`), false, 1700000000), nil},
		{"F-54 []", signJSON(t, katKey, []byte(`[]`), false, 1700000000), ErrPayload},
		{"F-54 list of pairs", signJSON(t, katKey, []byte(`[["a",1]]`), false, 1700000000), ErrPayload},
		{`F-54 "x"`, signJSON(t, katKey, []byte(`"x"`), false, 1700000000), ErrPayload},
		{"F-54 1", signJSON(t, katKey, []byte(`1`), false, 1700000000), ErrPayload},
		{"F-54 null", signJSON(t, katKey, []byte(`null`), false, 1700000000), ErrPayload},
		{"F-54 true", signJSON(t, katKey, []byte(`true`), false, 1700000000), ErrPayload},
		{"F-54 top-level tag", signJSON(t, katKey, []byte(`{" t":[1]}`), false, 1700000000), ErrPayload},
		{"F-55 {}garbage", signJSON(t, katKey, []byte(`{}garbage`), false, 1700000000), ErrPayload},
		{"F-55 {}{}", signJSON(t, katKey, []byte(`{}{}`), false, 1700000000), ErrPayload},
		{"F-55 {} NUL", signJSON(t, katKey, []byte("{} \x00"), false, 1700000000), ErrPayload},
		{`F-57 {" b":123}`, signJSON(t, katKey, []byte(`{"a":{" b":123}}`), false, 1700000000), ErrPayload},
		{`F-57 {" b":"!!"}`, signJSON(t, katKey, []byte(`{"a":{" b":"!!"}}`), false, 1700000000), ErrPayload},
		{`F-57 {" b":"AP8"} bad padding`, signJSON(t, katKey, []byte(`{"a":{" b":"AP8"}}`), false, 1700000000), ErrPayload},
		{`F-57 {" u":"xyz"}`, signJSON(t, katKey, []byte(`{"a":{" u":"xyz"}}`), false, 1700000000), ErrPayload},
		{`F-57 {" t":"notalist"}`, signJSON(t, katKey, []byte(`{"a":{" t":"notalist"}}`), false, 1700000000), ErrPayload},
		{`F-57 {" t":5}`, signJSON(t, katKey, []byte(`{"a":{" t":5}}`), false, 1700000000), ErrPayload},
		{`F-57 {" m":5}`, signJSON(t, katKey, []byte(`{"a":{" m":5}}`), false, 1700000000), ErrPayload},
		{`F-57 {" di":[]}`, signJSON(t, katKey, []byte(`{"a":{" di":[]}}`), false, 1700000000), ErrPayload},
		{`F-57 {" di":"s"}`, signJSON(t, katKey, []byte(`{"a":{" di":"s"}}`), false, 1700000000), ErrPayload},
		{`F-57 {" di":{}}`, signJSON(t, katKey, []byte(`{"a":{" di":{}}}`), false, 1700000000), ErrPayload},
		{`F-57 {" d":5}`, signJSON(t, katKey, []byte(`{"a":{" d":5}}`), false, 1700000000), ErrPayload},
		// Flask reads an unparseable date as None (spec §5.2); so does
		// Decode, following Flask rather than the catalogue's REJECT.
		{`F-57 {" d":"garbage"} is nil`, signJSON(t, katKey, []byte(`{"a":{" d":"garbage"}}`), false, 1700000000), nil},
		{`F-58 {" x":1}`, signJSON(t, katKey, []byte(`{"a":{" x":1}}`), false, 1700000000), nil},
		{`F-58 {" t":[1],"a":2}`, signJSON(t, katKey, []byte(`{"a":{" t":[1],"a":2}}`), false, 1700000000), nil},
		{"F-60 NUL and ESC", signJSON(t, katKey, []byte(`{"a\u0000":"\u0000\u001b[2J"}`), false, 1700000000), nil},
		{"F-61 50000 tiny keys", fiftyThousandKeys(t), ErrTooLarge},
		{"big int beyond 4300 digits", signJSON(t, katKey, []byte(`{"a":1`+strings.Repeat("0", 4300)+`}`), true, 1700000000), ErrPayload},
	}
	return cases
}

type hashFunc = func() hash.Hash

func truncatedZlib(t testing.TB) string {
	var zb bytes.Buffer
	compressInto(&zb, []byte(`{"a":"`+strings.Repeat("xy", 100)+`"}`))
	z := zb.Bytes()
	return signRaw(t, katKey, "."+b64.EncodeToString(z[:len(z)-6]), 1700000000)
}

func badAdler(t testing.TB) string {
	var zb bytes.Buffer
	compressInto(&zb, []byte(`{"a":"`+strings.Repeat("xy", 100)+`"}`))
	z := zb.Bytes()
	z[len(z)-1] ^= 1
	return signRaw(t, katKey, "."+b64.EncodeToString(z), 1700000000)
}

func trailingZlib(t testing.TB) string {
	var zb bytes.Buffer
	compressInto(&zb, []byte(`{"a":"`+strings.Repeat("xy", 100)+`"}`))
	return signRaw(t, katKey, "."+b64.EncodeToString(append(zb.Bytes(), "junk"...)), 1700000000)
}

// fdictZlib is a stream whose header asks for a preset dictionary whose
// Adler-32 is 1, the checksum of no dictionary: compress/zlib reads it
// with a nil dictionary, CPython's zlib refuses it (Z_NEED_DICT).
func fdictZlib(t testing.TB) string {
	var zb bytes.Buffer
	compressInto(&zb, []byte(`{"a":"`+strings.Repeat("xy", 100)+`"}`))
	z := zb.Bytes()
	fdict := append(append(zhead(7, 8, 0x20), 0, 0, 0, 1), z[2:]...)
	return signRaw(t, katKey, "."+b64.EncodeToString(fdict), 1700000000)
}

func doubleCompressed(t testing.TB) string {
	var zb bytes.Buffer
	compressInto(&zb, []byte(`{"a":"`+strings.Repeat("xy", 100)+`"}`))
	inner := "." + b64.EncodeToString(zb.Bytes())
	return signJSON(t, katKey, []byte(inner), true, 1700000000)
}

func fiftyThousandKeys(t testing.TB) string {
	var b bytes.Buffer
	b.WriteByte('{')
	for i := range 50000 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"k`)
		b.WriteString(strings.Repeat("0", 5))
		b.WriteString(`":0`)
	}
	b.WriteByte('}')
	return signJSON(t, katKey, b.Bytes(), true, 1700000000)
}

func TestHostileCookies(t *testing.T) {
	c := NewCodec(mustSigner(t, katKey))
	for _, tc := range hostileCases(t) {
		t.Run(tc.id, func(t *testing.T) {
			v, err := c.Decode(tc.cookie, katNow)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Decode: %v; want accepted", err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("Decode err = %v, want %v", err, tc.want)
			}
			if v != nil {
				t.Fatalf("Decode returned values with an error")
			}
			// ASVS 16.2.5: no cookie value and no key in the error.
			msg := err.Error()
			if len(tc.cookie) >= 8 && strings.Contains(msg, tc.cookie) || strings.Contains(msg, katKey) {
				t.Fatalf("error leaks the cookie or key: %q", msg)
			}
			// Refresh never re-signs what Decode refuses before the payload.
			if !errors.Is(err, ErrPayload) && !errors.Is(err, ErrTooDeep) && !(errors.Is(err, ErrTooLarge) && len(tc.cookie) <= MaxCookieSize) {
				if out, err := c.Refresh(tc.cookie, katNow); err == nil {
					t.Fatalf("Refresh accepted it: %s", out)
				}
			}
		})
	}
}

func TestHostileSpecifics(t *testing.T) {
	c := NewCodec(mustSigner(t, katKey))

	t.Run("A-13 rejected before decoding", func(t *testing.T) {
		if raceEnabled {
			t.Skip("allocation figures are meaningless under the race detector")
		}
		big := strings.Repeat("A", 4097)
		allocs := testing.AllocsPerRun(100, func() { c.Decode(big, katNow) })
		if allocs > 3 {
			t.Fatalf("%v allocations for an oversized cookie", allocs)
		}
	})

	t.Run("ADV-12 nothing decoded before the signature", func(t *testing.T) {
		if raceEnabled {
			t.Skip("allocation figures are meaningless under the race detector")
		}
		// A compressed payload whose signature is wrong costs an HMAC and
		// an error, no base64, zlib or JSON work (their buffers would
		// show as allocations).
		forged := signJSON(t, "not-the-kat-key", bytes.Repeat([]byte("["), 3000), true, 1700000000)
		if _, err := c.Decode(forged, katNow); !errors.Is(err, ErrSignature) {
			t.Fatal(err)
		}
		allocs := testing.AllocsPerRun(100, func() { c.Decode(forged, katNow) })
		if allocs > 0 {
			t.Fatalf("%v allocations for a forged cookie", allocs)
		}
	})

	t.Run("A-14 exactly 4096 bytes", func(t *testing.T) {
		// A 5-byte timestamp (after 2106) gives a payload length that
		// base64 can reach: 4096 = 4060 + 1 + 7 + 1 + 27.
		now := time.Unix(1<<32+100, 0)
		s := strings.Repeat("x", 3045-len(`{"k":""}`))
		cn := NewCodec(mustSigner(t, katKey))
		cn.Compression = CompressNever
		cookie, err := cn.Encode(map[string]any{"k": s}, now)
		if err != nil || len(cookie) != MaxCookieSize {
			t.Fatalf("Encode: %d bytes, %v", len(cookie), err)
		}
		if _, err := c.Decode(cookie, now); err != nil {
			t.Fatalf("Decode at the limit: %v", err)
		}
		_, err = cn.Encode(map[string]any{"k": s + "xxx"}, now)
		var se *SizeError
		if !errors.Is(err, ErrTooLarge) || !errors.As(err, &se) || se.Size != 4100 || se.Limit != MaxCookieSize {
			t.Fatalf("Encode past the limit: %v, want a SizeError of 4100 bytes", err)
		}
		if want := "flask: too large: cookie would be 4100 bytes, more than 4096"; err.Error() != want {
			t.Fatalf("message %q, want %q", err, want)
		}
	})

	t.Run("C-27 random signatures", func(t *testing.T) {
		r := rand.New(rand.NewPCG(27, 27))
		p, ts, _, _ := split(katV1)
		for range 1000 {
			var mac [20]byte
			for i := range mac {
				mac[i] = byte(r.IntN(256))
			}
			if _, err := c.Decode(p+"."+ts+"."+b64.EncodeToString(mac[:]), katNow); !errors.Is(err, ErrSignature) {
				t.Fatalf("random signature: %v", err)
			}
		}
	})

	t.Run("C-28 fallback accepted and re-signed with the current key", func(t *testing.T) {
		c := NewCodec(mustSigner(t, katKey, "kat-OLD-key-do-not-use-in-production-0000"))
		if _, err := c.Decode(katV4, katNow); err != nil {
			t.Fatal(err)
		}
		fresh, err := c.Encode(map[string]any{"user_id": 1}, katNow)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, k, err := c.Signer().Unsign(fresh); err != nil || k != 0 {
			t.Fatalf("fresh cookie key = %d, %v; want the current key", k, err)
		}
		old := NewCodec(mustSigner(t, "kat-OLD-key-do-not-use-in-production-0000"))
		if _, err := old.Decode(fresh, katNow); !errors.Is(err, ErrSignature) {
			t.Fatalf("fresh cookie verifies with the old key alone: %v", err)
		}
	})

	t.Run("C-30 empty keys refused", func(t *testing.T) {
		for _, tc := range []struct {
			key       []byte
			fallbacks [][]byte
		}{{nil, nil}, {[]byte{}, nil}, {[]byte("k"), [][]byte{[]byte("old"), {}}}, {[]byte("k"), [][]byte{nil}}} {
			if _, err := NewSigner(tc.key, tc.fallbacks...); err == nil {
				t.Fatalf("NewSigner(%q, %q) accepted", tc.key, tc.fallbacks)
			}
		}
	})

	t.Run("D-33 skew", func(t *testing.T) {
		c := NewCodec(mustSigner(t, katKey))
		c.Skew = 5 * time.Second
		p, _, _, _ := split(katV1)
		if _, err := c.Decode(signRaw(t, katKey, p, 1700000005), katNow); err != nil {
			t.Fatalf("5 s ahead with 5 s skew: %v", err)
		}
		_, err := c.Decode(signRaw(t, katKey, p, 1700000006), katNow)
		if !errors.Is(err, ErrExpired) || !strings.Contains(err.Error(), "future") {
			t.Fatalf("6 s ahead with 5 s skew: %v", err)
		}
	})

	t.Run("E-42 memory stays bounded", func(t *testing.T) {
		if raceEnabled {
			t.Skip("allocation figures are meaningless under the race detector")
		}
		bomb := signJSON(t, katKey, append(append([]byte(`{"a":"`), bytes.Repeat([]byte("A"), 2<<20)...), `"}`...), true, 1700000000)
		if len(bomb) > MaxCookieSize {
			t.Fatalf("bomb is %d bytes", len(bomb))
		}
		c.Decode(bomb, katNow) // warm the pools
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range 10 {
			if _, err := c.Decode(bomb, katNow); !errors.Is(err, ErrTooLarge) {
				t.Fatal(err)
			}
		}
		runtime.ReadMemStats(&after)
		if per := (after.TotalAlloc - before.TotalAlloc) / 10; per > 2*DefaultMaxDecompressed {
			t.Fatalf("%d bytes allocated per bomb", per)
		}
	})

	t.Run("E-44 PayloadJSON caps an unverified bomb", func(t *testing.T) {
		var zb bytes.Buffer
		w, _ := zlib.NewWriterLevel(&zb, zlib.BestSpeed)
		zero := make([]byte, 1<<20)
		for range 8 {
			w.Write(zero)
		}
		w.Close()
		_, err := PayloadJSON("."+b64.EncodeToString(zb.Bytes()), 64<<10)
		if !errors.Is(err, ErrTooLarge) {
			t.Fatalf("PayloadJSON: %v, want ErrTooLarge", err)
		}
	})

	t.Run("F-59 Markup is not template.HTML", func(t *testing.T) {
		v, err := c.Decode(signJSON(t, katKey, []byte(`{"m":{" m":"<script>alert(1)</script>"}}`), false, 1700000000), katNow)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := v["m"].(template.HTML); ok {
			t.Fatal("Markup decoded as template.HTML")
		}
		if v["m"] != Markup("<script>alert(1)</script>") {
			t.Fatalf("got %#v", v["m"])
		}
	})

	t.Run("F-60 control characters preserved", func(t *testing.T) {
		v, err := c.Decode(signJSON(t, katKey, []byte(`{"a\u0000":"\u0000\u001b[2J"}`), false, 1700000000), katNow)
		if err != nil {
			t.Fatal(err)
		}
		if v["a\x00"] != "\x00\x1b[2J" {
			t.Fatalf("got %#v", v)
		}
	})

	t.Run("F-62 60 KiB value accepted, not re-encodable", func(t *testing.T) {
		big := strings.Repeat("a", 60<<10)
		v, err := c.Decode(signJSON(t, katKey, []byte(`{"a":"`+big+`"}`), true, 1700000000), katNow)
		if err != nil {
			t.Fatal(err)
		}
		v["b"] = randomString(4000)
		if _, err := c.Encode(v, katNow); !errors.Is(err, ErrTooLarge) {
			t.Fatalf("Encode: %v, want ErrTooLarge", err)
		}
	})
}

func randomString(n int) string {
	r := rand.New(rand.NewPCG(62, 62))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('!' + r.IntN(90))
		if b[i] == '\\' || b[i] == '"' {
			b[i] = 'z'
		}
	}
	return string(b)
}
