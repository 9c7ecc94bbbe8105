package main

import (
	"bytes"
	"compress/zlib"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"testing"
)

// signed returns payload "." ts "." signature, signed as Flask signs with
// key and salt (spec §3: derived = HMAC-SHA1(key, salt), signature =
// HMAC-SHA1(derived, payload "." ts)). It is computed here, independently of
// package flask, so that tests reach the code after the signature check
// with any payload and timestamp text.
func signed(t testing.TB, key, salt, payload, ts string) string {
	t.Helper()
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
