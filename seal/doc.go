// Package seal reads and writes SK1 tokens: cookie values that are
// encrypted and authenticated, so that the client can neither read nor
// change what the server keeps in them. docs/ENCRYPTED.md specifies the
// format byte for byte; a Flask application reads and writes the same
// tokens with the Python package in python/sessionkit_seal.
//
// A token is base64url(0xB1 ‖ key ID ‖ issued-at ‖ IV ‖ ciphertext ‖ tag):
// AES-256-CTR with a random 128-bit IV, then HMAC-SHA256 over the header,
// the ciphertext, the cookie's name and the Scope (purpose and
// application), with keys derived from the secret by HKDF-SHA256. It is
// built from the standard library's FIPS 140 approved parts only, and works
// under GODEBUG=fips140=only.
//
//	s, err := seal.New(seal.Keys{Current: secret, Fallbacks: old}, seal.Scope{Purpose: "session"})
//	token, err := s.Seal("session", plaintext, time.Now())
//	plaintext, info, err := s.Open("session", token, time.Now())
//	if info.Key != 0 { … seal it again with info.IssuedAt: its secret is retiring … }
//
// The package is pure functions over bytes, like package flask: no
// net/http, no clock it does not take as an argument, no goroutines. A
// session's content is encoded by the caller (Flask's tagged JSON, with
// package flask, when a Flask application shares the sessions); nothing
// is compressed, ever, since compressing secrets with attacker-chosen data
// leaks them through the length (ENCRYPTED.md §9).
//
// # Keys
//
// Keys follow Flask's SECRET_KEY and SECRET_KEY_FALLBACKS: the current
// secret seals, every secret opens. Each token names its secret by a
// 4-byte key ID, so Open verifies with exactly one key and never tries
// several; a token whose secret has left the ring is refused without any
// MAC computed. To rotate: add the new secret as a fallback everywhere,
// then make it current (the old one becoming a fallback), then remove the
// old one once MaxAge has passed. Open reports a token opened with a
// fallback (Info.Key != 0), and sealing it again with its own issued-at
// moves it to the current secret without extending its life.
//
// # Sizes
//
// A token is SealedLen(n) = ⌈4(n+57)/3⌉ characters for n bytes of
// plaintext, known before sealing: Seal refuses a name and token longer
// than Limit (4096 by default, what browsers keep) with a *SizeError
// before any cryptographic work, and MaxPlaintextLen gives the budget.
//
// # Hostile values
//
// Open checks, in order: length, canonical base64url, version, key ID,
// MAC (constant time), issued-at window; only then does it decrypt. Every
// refusal is an InvalidError wrapping ErrInvalid, whose Reason is for logs
// and metrics: a client must get the same answer whatever the reason (the
// session package starts an empty session). Open never panics, refuses
// a value longer than Limit before decoding or allocating anything, and
// its errors never contain the value or a key.
package seal
