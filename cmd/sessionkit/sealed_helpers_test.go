package main

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"testing"
)

// sk1 seals plaintext for the cookie called name as ENCRYPTED.md §3–§5
// write it, with a fixed IV (16 bytes counting up from iv), computed here
// from the text of the specification and independently of package seal,
// so that tests reach every check with any header, and golden files stay
// stable. t may be nil.
func sk1(t testing.TB, secret, purpose, app, name string, iat uint32, iv byte, plaintext string) string {
	if t != nil {
		t.Helper()
	}
	const label = "sessionkit-sk1"
	expand := func(info string, n int) []byte {
		b, err := hkdf.Key(sha256.New, []byte(secret), []byte(label), info, n)
		if err != nil {
			panic(err)
		}
		return b
	}
	ctx := "\x00" + purpose + "\x00" + app
	kid, kEnc, kMac := expand(label+" kid", 4), expand(label+" enc"+ctx, 32), expand(label+" mac"+ctx, 32)
	header := append([]byte{0xB1}, kid...)
	header = binary.BigEndian.AppendUint32(header, iat)
	for i := range 16 {
		header = append(header, iv+byte(i))
	}
	block, err := aes.NewCipher(kEnc)
	if err != nil {
		panic(err)
	}
	ct := make([]byte, len(plaintext))
	cipher.NewCTR(block, header[9:]).XORKeyStream(ct, []byte(plaintext))
	piece := func(b []byte, p []byte) []byte {
		return append(binary.LittleEndian.AppendUint64(b, uint64(len(p))), p...)
	}
	pae := binary.LittleEndian.AppendUint64(nil, 6)
	for _, p := range [][]byte{[]byte(label), header, ct, []byte(name), []byte(purpose), []byte(app)} {
		pae = piece(pae, p)
	}
	m := hmac.New(sha256.New, kMac)
	m.Write(pae)
	raw := append(append(header, ct...), m.Sum(nil)...)
	return b64(raw)
}

// sk1Session seals a session's tagged JSON with katKey for the cookie
// "session" and the default scope.
func sk1Session(js string) string {
	return sk1(nil, katKey, "session", "", "session", katTime, 0x10, js)
}

// SK1 tokens for the golden and hostile-input tests.
var (
	// sk1Maria is the lesson's session, sealed with katKey at katTime.
	sk1Maria = sk1Session(`{"usuario":"Maria"}`)
	// sk1Tagged holds the tagged values Flask stores, in a permanent session.
	sk1Tagged = sk1Session(`{"_flashes":[{" t":["message","Ol\u00e1"]}],"_permanent":true,"b":{" b":"AP8="},"d":{" d":"Mon, 01 Jan 2024 00:00:00 GMT"},"u":{" u":"12345678123456781234567812345678"}}`)
	// sk1Old is sealed with the retired key.
	sk1Old = sk1(nil, katOldKey, "session", "", "session", katTime, 0x20, `{"user_id":1}`)
	// sk1App is bound to the application "demo" and the name __Host-session.
	sk1App = sk1(nil, katKey, "session", "demo", "__Host-session", katTime, 0x30, `{"user_id":1}`)
	// sk1Dev and sk1Lesson are sealed with published keys.
	sk1Dev    = sk1(nil, "dev", "session", "", "session", katTime, 0x40, `{"user_id":1}`)
	sk1Lesson = sk1(nil, "Sua-Chave-Secreta-Segura-2024", "session", "", "session", katTime, 0x50, `{"usuario":"Maria"}`)
	// sk1DevFlash is sealed with "dev" for another purpose.
	sk1DevFlash = sk1(nil, "dev", "flash", "", "session", katTime, 0x60, `{"user_id":1}`)
)

// TestSK1Helper: the tests' own sealing gives ENCRYPTED.md §13's
// confirmed vector, so that what they test is the format as specified.
func TestSK1Helper(t *testing.T) {
	secret := make([]byte, 32)
	for i := range secret {
		secret[i] = byte(i)
	}
	got := sk1(t, string(secret), "session", "demo", "__Host-session", 1700000000, 0x10, `{"user":"maria"}`)
	const want = "sR06NTRlU_EAEBESExQVFhcYGRobHB0eH_h3kUYQE-8Yepq6d1USvcxSe5AoRtrucSXg6Gm1D447cS1ywW-A2-jimFTg7z2UyA"
	if got != want {
		t.Fatalf("sk1 = %s, want the specification's vector %s", got, want)
	}
}
