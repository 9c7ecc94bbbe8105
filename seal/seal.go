package seal

import (
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math"
	"sync"
	"time"
)

// The format (ENCRYPTED.md §3).
const (
	// Version is the first byte of every SK1 token. It makes every token's
	// text start with "s", which no Flask cookie does.
	Version = 0xB1
	// Overhead is what a token adds to its plaintext before base64: the
	// version (1 byte), key ID (4), issued-at (4), IV (16) and tag (32).
	Overhead = headerLen + tagLen
	// MaxKeys is the most secrets a ring holds, Current included.
	MaxKeys = 16
)

const (
	headerLen = 1 + 4 + 4 + ivLen
	ivLen     = 16
	tagLen    = 32
	// minLen is the length of the shortest token (empty plaintext).
	minLen = (4*Overhead + 2) / 3
)

// Defaults New sets.
const (
	// DefaultMaxAge is Flask's PERMANENT_SESSION_LIFETIME default, which
	// Flask applies to every session cookie.
	DefaultMaxAge = 31 * 24 * time.Hour
	// DefaultSkew is how far ahead of the reader's clock a token may be
	// issued: room for the clocks of a cluster's machines to disagree.
	DefaultSkew = time.Minute
	// DefaultLimit is the most bytes of cookie name and value a browser
	// keeps (RFC 6265bis §5.6; SECURITY PL-01).
	DefaultLimit = 4096
)

// b64 is the one encoding of a token: URL-safe, unpadded, and strict, so
// that every token has exactly one spelling (padding, "+/" and non-zero
// trailing bits are refused).
var b64 = base64.RawURLEncoding.Strict()

// Keys are the secrets of a Sealer, as Flask configures them: Current is
// SECRET_KEY, Fallbacks is SECRET_KEY_FALLBACKS. Secrets are used as
// given (a Python str secret is its UTF-8 bytes).
type Keys struct {
	// Current seals every value, and opens values it sealed.
	Current []byte
	// Fallbacks only open: secrets being retired, kept until the values
	// they sealed have expired, or a new secret not yet made current on
	// every machine (ENCRYPTED.md §7). Their order does not matter to
	// Open, which finds a token's secret by its key ID; Info.Key reports
	// positions in this slice.
	Fallbacks [][]byte
}

// Scope says what a Sealer's values are for. Both fields enter the key
// derivation and the MAC, and cost no byte in the token: a value sealed in
// one scope opens in no other.
type Scope struct {
	// Purpose names the kind of value: "session", "flash", "remember"...
	// Required; no NUL byte.
	Purpose string
	// App identifies the application, for deployments where several
	// applications share a secret (SECURITY C-32). Optional: "" is a
	// scope of its own. No NUL byte.
	App string
}

// Sealer seals and opens SK1 tokens: values encrypted and authenticated
// with AES-256-CTR and HMAC-SHA256, bound to a cookie name and a Scope.
// Fields may be changed after New and before first use; a Sealer is then
// safe for concurrent use.
type Sealer struct {
	// MaxAge is the oldest token Open accepts, counted in whole seconds
	// from its issued-at, as Flask counts: an age equal to MaxAge is
	// valid. New sets DefaultMaxAge; a token's own content cannot extend
	// it. It never means "no limit": zero accepts only tokens of the
	// current second, and a negative MaxAge only tokens issued ahead of now
	// (within Skew).
	MaxAge time.Duration
	// Skew is how far ahead of now a token's issued-at may be, in whole
	// seconds. New sets DefaultSkew; zero or less refuses every token
	// issued after now.
	Skew time.Duration
	// Limit is the most bytes of cookie name and value Seal writes and
	// Open reads (browsers drop longer cookies silently). New sets
	// DefaultLimit.
	Limit int

	scope  Scope
	ring   []*key // Current first, then Fallbacks in order
	byID   map[KeyID]*key
	suffix []byte // PAE pieces for purpose and app, the tag input's end
}

// New returns a Sealer that seals with keys.Current and opens with any
// secret of the ring, for values of scope. It refuses an empty or
// whitespace-only secret, a secret repeated in the ring, more than
// MaxKeys secrets, two secrets with one key ID, an empty purpose, and a
// purpose or application ID holding NUL. It does not judge how strong a
// secret is: that is the caller's policy (session.CheckKeys), except that
// under GODEBUG=fips140=only the cryptographic module refuses secrets
// shorter than 14 bytes (112 bits).
func New(keys Keys, scope Scope) (*Sealer, error) {
	ring, byID, err := newRing(keys, scope)
	if err != nil {
		return nil, err
	}
	s := &Sealer{
		MaxAge: DefaultMaxAge,
		Skew:   DefaultSkew,
		Limit:  DefaultLimit,
		scope:  scope,
		ring:   ring,
		byID:   byID,
	}
	s.suffix = appendPiece(s.suffix, scope.Purpose)
	s.suffix = appendPiece(s.suffix, scope.App)
	return s, nil
}

// Scope returns the scope s seals for.
func (s *Sealer) Scope() Scope { return s.scope }

// KeyIDs returns the key IDs of the ring: Current's first, then the
// fallbacks' in order.
func (s *Sealer) KeyIDs() []KeyID {
	ids := make([]KeyID, len(s.ring))
	for i, k := range s.ring {
		ids[i] = k.id
	}
	return ids
}

// SealedLen returns the length of the token Seal makes of n bytes of
// plaintext: ⌈4(n + Overhead)/3⌉ (no compression, no padding). The cookie
// costs that plus the name's length. It panics for a negative n.
func SealedLen(n int) int {
	if n < 0 {
		panic("seal: SealedLen of a negative length")
	}
	if n > math.MaxInt/4-Overhead {
		return math.MaxInt
	}
	return (4*(n+Overhead) + 2) / 3
}

// MaxPlaintextLen returns the most bytes of plaintext a token of at most
// tokenLen characters can hold, or -1 when tokenLen is shorter than the
// smallest token. Under a cookie name, pass Limit minus the name's
// length: a session named "__Host-session" holds at most
// MaxPlaintextLen(4096-14) = 3004 bytes.
func MaxPlaintextLen(tokenLen int) int {
	if tokenLen < minLen {
		return -1
	}
	return tokenLen/4*3 + (tokenLen%4)*3/4 - Overhead
}

// Seal encrypts plaintext into a token for the cookie called name, issued
// at iat, under the current secret, with a fresh random IV.
//
// New values take iat = now. When Open reports a value opened with a
// fallback secret (Info.Key != 0), seal it again with iat = Info.IssuedAt:
// rotating keys must not extend a value's life.
//
// The size is checked first, before any cryptographic work: a name and
// token longer than Limit is a *SizeError (ErrTooLarge), and SealedLen
// tells in advance what a plaintext will cost. iat must lie between 1970
// and 2106 (the format's unsigned 32-bit seconds).
func (s *Sealer) Seal(name string, plaintext []byte, iat time.Time) (string, error) {
	if err := s.checkSize(name, len(plaintext)); err != nil {
		return "", err
	}
	t, err := issuedAt(iat)
	if err != nil {
		return "", err
	}
	return s.seal(name, plaintext, t, nil), nil
}

// checkSize is Seal's first check: name and token must fit Limit.
func (s *Sealer) checkSize(name string, n int) error {
	size := SealedLen(n)
	if size > s.Limit || len(name) > s.Limit-size {
		if size < math.MaxInt-len(name) {
			size += len(name)
		}
		return &SizeError{Size: size, Limit: s.Limit}
	}
	return nil
}

func issuedAt(t time.Time) (uint32, error) {
	u := t.Unix()
	if u < 0 || u > math.MaxUint32 {
		return 0, fmt.Errorf("seal: issued-at %v is outside the format's range (1970-01-01 to 2106-02-07 UTC)", t.UTC())
	}
	return uint32(u), nil
}

// seal makes the token (ENCRYPTED.md §3): base64url(header ‖ ct ‖ tag),
// with a random IV unless the tests give one.
func (s *Sealer) seal(name string, plaintext []byte, iat uint32, testIV *[ivLen]byte) string {
	k := s.ring[0]
	n := len(plaintext)
	bp := getBytes()
	defer putBytes(bp)
	raw := grow((*bp)[:0], headerLen+n+tagLen)
	raw = append(raw, Version)
	raw = append(raw, k.id[:]...)
	raw = binary.BigEndian.AppendUint32(raw, iat)
	raw = raw[:headerLen+n]
	iv := raw[9:headerLen]
	if testIV != nil {
		copy(iv, testIV[:])
	} else {
		rand.Read(iv) // never fails: it crashes the program rather than return weak bytes
	}
	cipher.NewCTR(k.block, iv).XORKeyStream(raw[headerLen:], plaintext)
	var tag [tagLen]byte
	s.tag(k, &tag, raw[:headerLen], raw[headerLen:], name)
	raw = append(raw, tag[:]...)
	*bp = raw

	op := getBytes()
	defer putBytes(op)
	out := b64.AppendEncode(grow((*op)[:0], b64.EncodedLen(len(raw))), raw)
	*op = out
	return string(out)
}

// Info describes a token Open accepted.
type Info struct {
	// KeyID is the ID of the secret that sealed it.
	KeyID KeyID
	// Key is the position of that secret: 0 for Keys.Current, i for
	// Keys.Fallbacks[i-1]. When it is not 0, seal the value again (with
	// IssuedAt kept) so that the old secret can retire.
	Key int
	// IssuedAt is the token's issued-at, in UTC.
	IssuedAt time.Time
}

// Open verifies and decrypts value, the content of the cookie called name,
// at time now, and returns its plaintext (a new slice) and what it learnt.
//
// Every refusal is an InvalidError wrapping ErrInvalid. The checks run in
// an order that bounds what an attacker can make the server do, and never
// act on unauthenticated data beyond picking the key (ENCRYPTED.md §6):
//
//  1. length: name and value at most Limit, value at least the smallest
//     token, before any decoding (ReasonLength);
//  2. canonical unpadded base64url (ReasonEncoding);
//  3. the version byte (ReasonVersion);
//  4. the key ID picks the one secret to try: never a trial of several
//     (ReasonKey);
//  5. the MAC, compared in constant time (ReasonTag);
//  6. the issued-at window, now−MaxAge ≤ iat ≤ now+Skew (ReasonExpired,
//     ReasonFuture);
//  7. decryption, which cannot fail.
func (s *Sealer) Open(name, value string, now time.Time) ([]byte, Info, error) {
	if len(value) > s.Limit-len(name) || len(value) < minLen {
		return nil, Info{}, InvalidError{ReasonLength}
	}
	// One pooled buffer holds the text (the decoder reads bytes, and a
	// conversion would allocate) and, after it, the decoded token.
	bp := getBytes()
	defer putBytes(bp)
	src := append(grow((*bp)[:0], len(value)+b64.DecodedLen(len(value))), value...)
	*bp = src
	raw, err := decode(src[len(src):], src)
	if err != nil {
		return nil, Info{}, err
	}
	if raw[0] != Version {
		return nil, Info{}, InvalidError{ReasonVersion}
	}
	k := s.byID[KeyID(raw[1:5])]
	if k == nil {
		return nil, Info{}, InvalidError{ReasonKey}
	}
	header, ct, got := raw[:headerLen], raw[headerLen:len(raw)-tagLen], raw[len(raw)-tagLen:]
	var want [tagLen]byte
	s.tag(k, &want, header, ct, name)
	if !verifyTag(want[:], got) {
		return nil, Info{}, InvalidError{ReasonTag}
	}
	iat := binary.BigEndian.Uint32(header[5:9])
	if r := checkAge(iat, now.Unix(), s.MaxAge, s.Skew); r != 0 {
		return nil, Info{}, InvalidError{r}
	}
	// Copied out, then decrypted in place: append does not zero the bytes
	// it copies over, where make would clear them first.
	plaintext := append([]byte{}, ct...)
	cipher.NewCTR(k.block, header[9:headerLen]).XORKeyStream(plaintext, plaintext)
	return plaintext, Info{KeyID: k.id, Key: k.index, IssuedAt: time.Unix(int64(iat), 0).UTC()}, nil
}

// decode appends the bytes of token text src to dst and returns them,
// refusing anything but canonical unpadded base64url, so that a token has
// exactly one spelling. Strict mode refuses non-zero trailing bits, but Go's
// decoder skips "\r" and "\n" even then: the text must also be exactly as
// long as the canonical encoding of what it decodes to.
func decode(dst, src []byte) ([]byte, error) {
	raw, err := b64.AppendDecode(grow(dst, b64.DecodedLen(len(src))), src)
	if err != nil || b64.EncodedLen(len(raw)-len(dst)) != len(src) {
		return nil, InvalidError{ReasonEncoding}
	}
	return raw[len(dst):], nil
}

// checkAge applies the issued-at window, in whole seconds. now is clamped
// far outside the range of iat first, so that no arithmetic overflows
// whatever the clock says.
func checkAge(iat uint32, now int64, maxAge, skew time.Duration) Reason {
	const far = 1 << 40
	now = min(max(now, -far), far)
	t := int64(iat)
	if t > now {
		if t-now > int64(skew/time.Second) {
			return ReasonFuture
		}
		return 0
	}
	if now-t > int64(maxAge/time.Second) {
		return ReasonExpired
	}
	return 0
}

// paePrefix is the start of the tag input for every token: PAE's piece
// count (6), the label as the first piece, and the length of the header,
// the second piece. PAE (PASETO's pre-authentication encoding) writes a
// little-endian uint64 count, then each piece as a little-endian uint64
// length and the bytes.
var paePrefix = func() []byte {
	b := binary.LittleEndian.AppendUint64(nil, 6)
	b = appendPiece(b, label)
	return binary.LittleEndian.AppendUint64(b, headerLen)
}()

func appendPiece(b []byte, piece string) []byte {
	b = binary.LittleEndian.AppendUint64(b, uint64(len(piece)))
	return append(b, piece...)
}

// testHookMAC, when set by a test, is called for every tag computed.
var testHookMAC func()

// tag computes the token's MAC into out: HMAC-SHA256 under k's MAC key of
// PAE(label, header, ct, name, purpose, app).
func (s *Sealer) tag(k *key, out *[tagLen]byte, header, ct []byte, name string) {
	if testHookMAC != nil {
		testHookMAC()
	}
	st := k.macs.Get().(*macState)
	h := st.h
	h.Reset()
	h.Write(paePrefix)
	h.Write(header)
	st.scratch = binary.LittleEndian.AppendUint64(st.scratch[:0], uint64(len(ct)))
	h.Write(st.scratch)
	h.Write(ct)
	st.scratch = appendPiece(st.scratch[:0], name)
	h.Write(st.scratch)
	h.Write(s.suffix)
	copy(out[:], h.Sum(st.sum[:0]))
	if cap(st.scratch) > 1<<10 {
		st.scratch = make([]byte, 0, 64) // a long cookie name must not pin memory
	}
	k.macs.Put(st)
}

// verifyTag is the only place a tag is compared: in constant time.
func verifyTag(want, got []byte) bool {
	return hmac.Equal(want, got)
}

// Header is what a token says about itself, unverified.
type Header struct {
	// KeyID is the ID of the secret the token claims to be sealed with.
	KeyID KeyID
	// IssuedAt is its claimed issued-at, in UTC.
	IssuedAt time.Time
	// PlaintextLen is the length of its plaintext.
	PlaintextLen int
}

// maxParse bounds what Parse decodes: tools hand it pasted text.
const maxParse = 64 << 10

// Parse reads a token's header without any key, for tools that show which
// secret sealed a cookie and when (the result must be labelled
// unverified: anyone can write any header). It checks the length (at most
// 64 KiB), the encoding and the version, and fails with an InvalidError.
func Parse(value string) (Header, error) {
	if len(value) < minLen || len(value) > maxParse {
		return Header{}, InvalidError{ReasonLength}
	}
	raw, err := decode(nil, []byte(value))
	if err != nil {
		return Header{}, err
	}
	if raw[0] != Version {
		return Header{}, InvalidError{ReasonVersion}
	}
	return Header{
		KeyID:        KeyID(raw[1:5]),
		IssuedAt:     time.Unix(int64(binary.BigEndian.Uint32(raw[5:9])), 0).UTC(),
		PlaintextLen: len(raw) - Overhead,
	}, nil
}

// bytePool holds scratch buffers for tokens.
var bytePool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

func getBytes() *[]byte { return bytePool.Get().(*[]byte) }

// putBytes returns b to the pool, unless it grew past what cookies need.
func putBytes(b *[]byte) {
	if cap(*b) <= 64<<10 {
		*b = (*b)[:0]
		bytePool.Put(b)
	}
}

// grow returns b with room for n more bytes.
func grow(b []byte, n int) []byte {
	if cap(b)-len(b) < n {
		nb := make([]byte, len(b), len(b)+n)
		copy(nb, b)
		return nb
	}
	return b
}
