package bench

import (
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/sessionkit/session/seal"
)

// Typed sinks: storing into an interface would allocate in the loop.
var (
	sinkString string
	sinkBytes  []byte
)

// BenchmarkSealed compares sessionkit's sealed cookies (package seal: SK1,
// AES-256-CTR + HMAC-SHA256) with gorilla/securecookie's encrypted cookies
// (AES-CTR with its block key + HMAC-SHA256), on the same plaintext bytes
// (securecookie's NopEncoder, so that neither side serializes), in the
// same run. The goal is seal/open at most half of securecookie's
// encode/decode.
func BenchmarkSealed(b *testing.B) {
	hashKey := sha256.Sum256([]byte(Key))
	blockKey := sha256.Sum256([]byte(Key + "block"))
	sc := securecookie.New(hashKey[:], blockKey[:]).SetSerializer(securecookie.NopEncoder{}).MaxLength(0)
	s, err := seal.New(seal.Keys{Current: []byte(Key)}, seal.Scope{Purpose: "session"})
	if err != nil {
		b.Fatal(err)
	}
	now := Frozen
	for _, n := range []int{300, 3000} {
		pt := make([]byte, n)
		for i := range pt {
			pt[i] = byte('a' + i%26)
		}
		b.Run(fmt.Sprintf("%dB", n), func(b *testing.B) {
			b.Run("seal/seal", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					tok, err := s.Seal("session", pt, now)
					if err != nil {
						b.Fatal(err)
					}
					sinkString = tok
				}
				b.ReportMetric(float64(len(sinkString)), "B/cookie")
			})
			tok, err := s.Seal("session", pt, now)
			if err != nil {
				b.Fatal(err)
			}
			b.Run("seal/open", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					v, _, err := s.Open("session", tok, now.Add(time.Minute))
					if err != nil {
						b.Fatal(err)
					}
					sinkBytes = v
				}
			})
			b.Run("securecookie-aes/encode", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					c, err := sc.Encode("session", pt)
					if err != nil {
						b.Fatal(err)
					}
					sinkString = c
				}
				b.ReportMetric(float64(len(sinkString)), "B/cookie")
			})
			c, err := sc.Encode("session", pt)
			if err != nil {
				b.Fatal(err)
			}
			b.Run("securecookie-aes/decode", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					var v []byte
					if err := sc.Decode("session", c, &v); err != nil {
						b.Fatal(err)
					}
					sinkBytes = v
				}
			})
		})
	}
}
