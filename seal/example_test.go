package seal_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/sessionkit/session/seal"
)

// Keys are 32 random bytes in production (`sessionkit secret`); these are
// examples.
var (
	secret    = []byte("example-secret-0123456789abcdefghij")
	oldSecret = []byte("example-old-secret-0123456789abcdef")
)

// A session cookie sealed and opened. The token is random (a fresh IV),
// but its length is known in advance.
func Example() {
	s, err := seal.New(seal.Keys{Current: secret}, seal.Scope{Purpose: "session"})
	if err != nil {
		panic(err)
	}
	now := time.Unix(1700000000, 0)
	plaintext := []byte(`{"usuario":"Maria"}`)

	token, err := s.Seal("__Host-session", plaintext, now)
	if err != nil {
		panic(err)
	}
	fmt.Println(len(token) == seal.SealedLen(len(plaintext)), token[:1])

	got, info, err := s.Open("__Host-session", token, now.Add(time.Hour))
	if err != nil {
		panic(err)
	}
	fmt.Println(string(got), info.IssuedAt)

	// Under another cookie name, or 31 days and a second later, it is
	// refused; the reason is for the logs only.
	_, _, err = s.Open("session", token, now)
	fmt.Println(err)
	_, _, err = s.Open("__Host-session", token, now.Add(seal.DefaultMaxAge+time.Second))
	fmt.Println(errors.Is(err, seal.ErrInvalid), err)
	// Output:
	// true s
	// {"usuario":"Maria"} 2023-11-14 22:13:20 +0000 UTC
	// seal: invalid sealed value (tag)
	// true seal: invalid sealed value (expired)
}

// Rotating secrets: the new secret seals, the old one still opens, and a
// value it opened is sealed again with its issued-at kept, so rotation
// never extends a session.
func Example_rotation() {
	scope := seal.Scope{Purpose: "session"}
	before, _ := seal.New(seal.Keys{Current: oldSecret}, scope)
	after, _ := seal.New(seal.Keys{Current: secret, Fallbacks: [][]byte{oldSecret}}, scope)

	issued := time.Unix(1700000000, 0)
	token, _ := before.Seal("session", []byte(`{"u":1}`), issued)

	plaintext, info, err := after.Open("session", token, issued.Add(time.Hour))
	if err != nil {
		panic(err)
	}
	fmt.Println("opened with key", info.Key, info.KeyID == before.KeyIDs()[0])
	if info.Key != 0 {
		token, _ = after.Seal("session", plaintext, info.IssuedAt)
	}
	h, _ := seal.Parse(token)
	fmt.Println(h.KeyID == after.KeyIDs()[0], h.IssuedAt.Equal(issued))
	// Output:
	// opened with key 1 true
	// true true
}

// The cookie's size is known before sealing: a name and value over the
// limit is an error, never a cookie the browser drops.
func ExampleSealedLen() {
	fmt.Println(seal.SealedLen(0), seal.SealedLen(300), seal.SealedLen(3000))
	fmt.Println(seal.MaxPlaintextLen(seal.DefaultLimit - len("__Host-session")))

	s, _ := seal.New(seal.Keys{Current: secret}, seal.Scope{Purpose: "session"})
	_, err := s.Seal("__Host-session", make([]byte, 3005), time.Now())
	fmt.Println(err)
	// Output:
	// 76 476 4076
	// 3004
	// seal: too large: name and sealed value would be 4097 bytes, more than 4096; keep less in the cookie (or move the session to a server-side store)
}
