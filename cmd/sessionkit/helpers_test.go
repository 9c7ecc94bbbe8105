package main

import (
	"bytes"
	"compress/zlib"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"math/rand/v2"
	"strings"
	"testing"
)

// signed returns payload "." ts "." signature, signed as Flask signs with
// key and salt (spec §3: derived = HMAC-SHA1(key, salt), signature =
// HMAC-SHA1(derived, payload "." ts)). It is computed here, independently of
// package flask, so that tests reach the code after the signature check
// with any payload and timestamp text. t may be nil.
func signed(t testing.TB, key, salt, payload, ts string) string {
	if t != nil {
		t.Helper()
	}
	m := hmac.New(sha1.New, []byte(key))
	m.Write([]byte(salt))
	derived := m.Sum(nil)
	m = hmac.New(sha1.New, derived)
	m.Write([]byte(payload + "." + ts))
	return payload + "." + ts + "." + b64(m.Sum(nil))
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// zpayload returns the compressed payload field for data: "." + b64(zlib).
func zpayload(t testing.TB, data []byte) string {
	t.Helper()
	return "." + b64(zlibBytes(t, data))
}

func zlibBytes(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := zlib.NewWriterLevel(&buf, zlib.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// tsField encodes Unix seconds as the timestamp field (spec §2).
func tsField(unix uint64) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], unix)
	i := 0
	for i < 8 && b[i] == 0 {
		i++
	}
	return b64(b[i:])
}

// signedDerived signs payload "." ts with an already derived key.
func signedDerived(t testing.TB, derived []byte, payload, ts string) string {
	t.Helper()
	m := hmac.New(sha1.New, derived)
	m.Write([]byte(payload + "." + ts))
	return payload + "." + ts + "." + b64(m.Sum(nil))
}

// plainSigned is payload "." sig with no timestamp: a non-timed
// itsdangerous Signer's output with Flask's key derivation.
func plainSigned(t testing.TB, key, payload string) string {
	t.Helper()
	m := hmac.New(sha1.New, []byte(key))
	m.Write([]byte("cookie-session"))
	m = hmac.New(sha1.New, m.Sum(nil))
	m.Write([]byte(payload))
	return payload + "." + b64(m.Sum(nil))
}

func sha1Sum(s string) []byte {
	h := sha1.Sum([]byte(s))
	return h[:]
}

// badAdler returns zlib(data) with a wrong Adler-32 checksum.
func badAdler(t testing.TB, data []byte) []byte {
	z := zlibBytes(t, data)
	z[len(z)-1] ^= 0xff
	return z
}

// cookieOfLen returns a cookie signed with katKey at katTime whose value is
// exactly n bytes long (n > 100).
func cookieOfLen(t testing.TB, n int) string {
	t.Helper()
	const overhead = len(".ZVPxAA.") + 27
	if l := n - overhead; l%4 != 1 {
		m := l / 4 * 3
		switch l % 4 {
		case 2:
			m++
		case 3:
			m += 2
		}
		c := kat(t, b64([]byte(`{"a":"`+strings.Repeat("x", m-8)+`"}`)))
		if len(c) != n {
			t.Fatalf("cookieOfLen(%d) made %d bytes", n, len(c))
		}
		return c
	}
	// An impossible base64 length: use a compressed payload, one dot longer.
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	// Random base64url text compresses to about 6 bits a character, so a
	// cookie is about as long as its text: the search starts a little below.
	rng := rand.New(rand.NewPCG(7, 7))
	text := make([]byte, 2*n)
	for i := range text {
		text[i] = alphabet[rng.IntN(len(alphabet))]
	}
	for size := n - 200; size < len(text); size++ {
		if c := kat(t, zpayload(t, []byte(`{"a":"`+string(text[:size])+`"}`))); len(c) == n {
			return c
		}
	}
	t.Fatalf("cookieOfLen(%d): no size fits", n)
	return ""
}
