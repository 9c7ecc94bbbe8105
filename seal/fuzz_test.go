package seal

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
	"time"
)

// FuzzOpen feeds hostile values and names to Open: it must never panic,
// and must accept only what Seal makes: an accepted value, sealed again
// with its own IV and issued-at, gives back exactly the same text.
func FuzzOpen(f *testing.F) {
	vf := loadVectors(f)
	for _, v := range vf.Seal {
		f.Add(v.Token, v.Cookie)
	}
	for _, v := range vf.Open {
		f.Add(v.Token, v.Cookie)
	}
	f.Add("", "")
	f.Add(strings.Repeat("s", 5000), "session")
	s, err := New(Keys{Current: secretA, Fallbacks: [][]byte{secretB}}, Scope{Purpose: "session", App: "demo"})
	if err != nil {
		f.Fatal(err)
	}
	s.MaxAge = 1 << 62
	s.Skew = 1 << 62
	now := time.Unix(katIAT, 0)
	f.Fuzz(func(t *testing.T, value, name string) {
		pt, info, err := s.Open(name, value, now)
		if err != nil {
			if pt != nil || info != (Info{}) {
				t.Fatal("a refusal returned data")
			}
			if strings.Contains(err.Error(), value) && len(value) > 8 {
				t.Fatal("the error contains the value")
			}
			return
		}
		raw, derr := b64.DecodeString(value)
		if derr != nil {
			t.Fatalf("accepted a value that is not base64url: %q", value)
		}
		signer := s
		if info.Key == 1 {
			signer = mustNew(t, Keys{Current: secretB}, s.Scope())
		}
		again, err := signer.sealWithIV(name, pt, info.IssuedAt, [ivLen]byte(raw[9:headerLen]))
		if err != nil || again != value {
			t.Fatalf("accepted %q, which Seal would write as %q (%v)", value, again, err)
		}
		if binary.BigEndian.Uint32(raw[5:9]) != uint32(info.IssuedAt.Unix()) {
			t.Fatal("issued-at differs from the header")
		}
	})
}

// FuzzRoundTrip seals arbitrary plaintexts for arbitrary names and scopes:
// what fits opens to itself, at the predicted length, and nowhere else.
func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte(`{"user":"maria"}`), "__Host-session", "session", "demo", uint32(katIAT))
	f.Add([]byte{}, "", "flash", "", uint32(0))
	f.Add(pattern(3004), "__Host-session", "session", "", uint32(0xFFFFFFFF))
	f.Add([]byte("x"), "sessão☃", "remember", "a\x00b", uint32(1))
	f.Fuzz(func(t *testing.T, pt []byte, name, purpose, app string, iat uint32) {
		s, err := New(Keys{Current: key1, Fallbacks: [][]byte{key2}}, Scope{Purpose: purpose, App: app})
		if purpose == "" || strings.IndexByte(purpose, 0) >= 0 || strings.IndexByte(app, 0) >= 0 {
			if err == nil {
				t.Fatalf("New accepted purpose %q app %q", purpose, app)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		at := time.Unix(int64(iat), 0)
		tok, err := s.Seal(name, pt, at)
		if len(name)+SealedLen(len(pt)) > s.Limit {
			if err == nil {
				t.Fatal("Seal went over the limit")
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(tok) != SealedLen(len(pt)) {
			t.Fatalf("token of %d characters, SealedLen %d", len(tok), SealedLen(len(pt)))
		}
		got, info, err := s.Open(name, tok, at)
		if err != nil || !bytes.Equal(got, pt) || info.Key != 0 || info.IssuedAt.Unix() != int64(iat) {
			t.Fatalf("Open = %x, %+v, %v", got, info, err)
		}
		if _, _, err := s.Open(name+"x", tok, at); err == nil && len(name)+1+len(tok) <= s.Limit {
			t.Fatal("opened under another name")
		}
		other := mustNew(t, Keys{Current: key1}, Scope{Purpose: purpose + "x", App: app})
		if _, _, err := other.Open(name, tok, at); err == nil {
			t.Fatal("opened in another scope")
		}
	})
}
