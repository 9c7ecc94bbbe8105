package flask

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// seedCookies are the catalogue's hostile cookies, the KATs and Flask's
// vectors.
func seedCookies(f *testing.F) []string {
	var seeds []string
	for _, c := range hostileCases(f) {
		if len(c.cookie) <= 2*MaxCookieSize {
			seeds = append(seeds, c.cookie)
		}
	}
	vf := loadVectors(f)
	for _, v := range vf.Sign {
		seeds = append(seeds, v.Cookie)
	}
	for _, v := range vf.Verify {
		seeds = append(seeds, v.Cookie)
	}
	return append(seeds, katV1, katV2, katV3, katV4)
}

// FuzzDecodeCookie feeds arbitrary cookies to Decode: it must never panic,
// and must accept only values signed by the configured key.
func FuzzDecodeCookie(f *testing.F) {
	for _, s := range seedCookies(f) {
		f.Add(s)
	}
	c := NewCodec(mustSigner(f, katKey))
	c.MaxAge = -1
	f.Fuzz(func(t *testing.T, cookie string) {
		v, err := c.Decode(cookie, katNow)
		if err != nil {
			if v != nil {
				t.Fatal("values returned with an error")
			}
			return
		}
		// Accepted: its signature must be exactly the key's MAC of the
		// signed text (signatures are canonical, so one spelling only).
		if _, err := Parse(cookie); err != nil {
			t.Fatalf("accepted but Parse fails: %v", err)
		}
		i := strings.LastIndexByte(cookie, '.')
		mac := c.Signer().keys[0].sum(nil, []byte(cookie[:i]))
		if again := cookie[:i] + "." + b64.EncodeToString(mac); again != cookie {
			t.Fatalf("accepted a cookie the key did not sign:\n%q\n%q", cookie, again)
		}
		roundTrip(t, c, v)
	})
}

// roundTrip checks that an accepted value encodes and decodes to itself.
func roundTrip(t *testing.T, c *Codec, v map[string]any) {
	t.Helper()
	js, err := Marshal(v)
	if err != nil {
		t.Fatalf("decoded value does not marshal: %v", err)
	}
	v2, err := Unmarshal(js)
	if err != nil {
		t.Fatalf("Marshal output does not unmarshal: %v\n%s", err, js)
	}
	js2, err := Marshal(v2)
	if err != nil || !bytes.Equal(js, js2) {
		t.Fatalf("not a fixed point:\n%s\n%s (%v)", js, js2, err)
	}
}

// FuzzDecodeSignedPayload signs arbitrary bytes, so that the fuzzer
// reaches the zlib, JSON and tag code behind the signature.
func FuzzDecodeSignedPayload(f *testing.F) {
	vf := loadVectors(f)
	for _, v := range vf.Sign {
		f.Add([]byte(v.PayloadJSON), false)
		f.Add([]byte(v.PayloadJSON), true)
	}
	for _, s := range []string{
		`{"a":[[[[[[[[[[]]]]]]]]]]}`, `{"a":{" t":[{" t":[]}]}}`, `{"a":{" di":{" di__":1}}}`,
		`{"user_id":1,"user_id":2}`, "{\"a\":\"a\xffb\"}", `[]`, `[["a",1]]`, `"x"`, `null`,
		`{}garbage`, `{}{}`, "{} \x00", `{"a":{" b":123}}`, `{"a":{" b":"!!"}}`, `{"a":{" u":"xyz"}}`,
		`{"a":{" d":"garbage"}}`, `{"a":{" t":"notalist"}}`, `{"a":{" di":[]}}`, `{"a":{" x":1}}`,
		`{"a":{" t":[1],"a":2}}`, `{"a":[NaN,Infinity,-Infinity,1e400,-0.0,1E5,12345678901234567890123]}`,
		`{"a":"\ud83d\ude00\u0000\ud800"}`, `{ "a" : [ 1 , 2 ] }`, `{"a":{" d":"Sun, 06 Nov 1994 08:49:37 GMT"}}`,
		`{"a":{" u":"urn:uuid:12345678-1234-5678-1234-567812345678"}}`, `{"a":{" u":"{12345678123456781234567812345678}"}}`,
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	c := NewCodec(mustSigner(f, katKey))
	f.Fuzz(func(t *testing.T, raw []byte, compressed bool) {
		cookie := signJSON(t, katKey, raw, compressed, katNow.Unix())
		v, err := c.Decode(cookie, katNow)
		if err != nil {
			if len(cookie) <= MaxCookieSize && (errors.Is(err, ErrSignature) || errors.Is(err, ErrExpired) || errors.Is(err, ErrMalformed)) {
				t.Fatalf("signed cookie refused before its payload: %v", err)
			}
			return
		}
		if !compressed && len(raw) > DefaultMaxDecompressed {
			t.Fatal("payload larger than the cap accepted")
		}
		roundTrip(t, c, v)
	})
}

// FuzzTaggedJSON checks that whatever Unmarshal accepts, Marshal writes
// back as a fixed point, and that the depth cap holds.
func FuzzTaggedJSON(f *testing.F) {
	vf := loadVectors(f)
	for _, v := range vf.Sign {
		f.Add([]byte(v.PayloadJSON))
	}
	f.Add([]byte(`{"a":{" di":{" t__":[1,2]}},"y":{" di":{" di__":1}}}`))
	f.Add([]byte(`{"a":` + string(bytes.Repeat([]byte("["), 70)) + `}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Unmarshal(data)
		if err != nil {
			return
		}
		if depthOf(v) > DefaultMaxDepth {
			t.Fatalf("depth %d accepted", depthOf(v))
		}
		js, err := Marshal(v)
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		v2, err := Unmarshal(js)
		if err != nil {
			t.Fatalf("Unmarshal(Marshal): %v\n%s", err, js)
		}
		js2, _ := Marshal(v2)
		if !bytes.Equal(js, js2) {
			t.Fatalf("not a fixed point:\n%s\n%s", js, js2)
		}
	})
}

// depthOf is the nesting depth of a decoded value (the top object is 1).
func depthOf(v any) int {
	switch x := v.(type) {
	case map[string]any:
		d := 0
		for _, e := range x {
			d = max(d, depthOf(e))
		}
		return d + 1
	case []any:
		d := 0
		for _, e := range x {
			d = max(d, depthOf(e))
		}
		return d + 1
	case Tuple:
		d := 0
		for _, e := range x {
			d = max(d, depthOf(e))
		}
		return d + 2 // {" t":[…]}
	}
	return 0
}
