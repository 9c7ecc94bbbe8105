package flask

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash"
	"math"
	"strings"
	"sync"
	"time"
	"unsafe"
)

// b64 is the unpadded URL-safe alphabet itsdangerous writes. Strict mode
// rejects non-zero unused trailing bits, so every value has exactly one
// spelling (SECURITY B-17); padding and "+/" are rejected too (B-15, B-16).
var b64 = base64.RawURLEncoding.Strict()

// Signer signs and verifies itsdangerous timestamped values as Flask does.
// It is safe for concurrent use.
type Signer struct {
	// keys holds the current key first, then the fallbacks newest first:
	// the order in which Unsign tries them (spec §4 step 3).
	keys    []*macKey
	sumSize int
}

// macKey is one derived key (spec §3: derived = HMAC(secret, salt)) with a
// pool of HMAC states keyed with it, so that signing costs one HMAC and no
// key schedule.
type macKey struct {
	pool    sync.Pool // of hash.Hash, each hmac.New(h, derived)
	index   int       // Unsign's key result: 0 current, i for fallbacks[i-1]
	h       func() hash.Hash
	derived []byte
}

// sum appends the MAC of msg to dst.
func (k *macKey) sum(dst []byte, msg []byte) []byte {
	m := k.pool.Get().(hash.Hash)
	m.Reset()
	m.Write(msg)
	dst = m.Sum(dst)
	k.pool.Put(m)
	return dst
}

// NewSigner returns a Signer with Flask's settings (salt "cookie-session",
// HMAC key derivation, SHA-1). key signs; fallbacks only verify and are given
// in SECRET_KEY_FALLBACKS order (oldest first); they are tried newest first
// after key.
//
// An empty key or an empty fallback is an error: itsdangerous signs happily
// with b"", but such a cookie is forgeable by anyone (SECURITY ADV-04, C-30).
// Key strength beyond that is the caller's policy.
func NewSigner(key []byte, fallbacks ...[]byte) (*Signer, error) {
	return NewCustomSigner(DefaultSalt, sha1.New, key, fallbacks...)
}

// NewCustomSigner is NewSigner with another salt and hash, for applications
// that override salt or digest_method on Flask's session interface.
func NewCustomSigner(salt string, h func() hash.Hash, key []byte, fallbacks ...[]byte) (*Signer, error) {
	if h == nil {
		return nil, fmt.Errorf("flask: NewCustomSigner: nil hash constructor")
	}
	if len(key) == 0 {
		return nil, fmt.Errorf("flask: empty secret key: set a random key of at least 32 bytes")
	}
	s := &Signer{sumSize: h().Size()}
	s.keys = append(s.keys, deriveKey(h, salt, key, 0))
	for i := len(fallbacks) - 1; i >= 0; i-- {
		if len(fallbacks[i]) == 0 {
			return nil, fmt.Errorf("flask: fallback key %d is empty: remove it from the list", i)
		}
		s.keys = append(s.keys, deriveKey(h, salt, fallbacks[i], i+1))
	}
	return s, nil
}

// deriveKey implements itsdangerous's "hmac" key derivation (spec §3).
func deriveKey(h func() hash.Hash, salt string, secret []byte, index int) *macKey {
	d := hmac.New(h, secret)
	d.Write([]byte(salt))
	return newMACKey(h, d.Sum(nil), index)
}

func newMACKey(h func() hash.Hash, derived []byte, index int) *macKey {
	k := &macKey{index: index, h: h, derived: derived}
	k.pool.New = func() any { return hmac.New(h, derived) }
	return k
}

// Derive returns a Signer for another purpose than s's: each of its keys is
// HMAC(k, label) for the corresponding key k of s, in the same order, so
// that it rotates with s. A value it signs does not verify under s, nor
// under Flask's signer for the same secret key: Flask treats it as a bad
// signature (an empty session). Different labels give unrelated signers.
func (s *Signer) Derive(label string) *Signer {
	d := &Signer{sumSize: s.sumSize, keys: make([]*macKey, len(s.keys))}
	for i, k := range s.keys {
		m := hmac.New(k.h, k.derived)
		m.Write([]byte(label))
		d.keys[i] = newMACKey(k.h, m.Sum(nil), k.index)
	}
	return d
}

// Sign returns payload "." timestamp "." signature, with the timestamp
// taken from now in whole seconds (spec §2). Times before 1970 are written
// as 0, which every verifier treats as expired.
func (s *Signer) Sign(payload string, now time.Time) string {
	// The MAC is computed at the end of the buffer, then encoded in its
	// place (appendSignedInPlace): room for both.
	buf := make([]byte, 0, len(payload)+1+11+1+max(s.sumSize, b64.EncodedLen(s.sumSize)))
	buf = s.appendSigned(buf, payload, now.Unix())
	// buf is never written again: the string can be its memory, one
	// allocation instead of two.
	return unsafe.String(unsafe.SliceData(buf), len(buf))
}

// appendSigned appends payload "." ts "." sig to dst.
func (s *Signer) appendSigned(dst []byte, payload string, unix int64) []byte {
	dst = append(dst, payload...)
	return s.appendSignedInPlace(dst, len(dst), unix)
}

// appendSignedInPlace truncates dst to end, which must hold the payload
// and nothing before it, and appends "." ts "." sig.
func (s *Signer) appendSignedInPlace(dst []byte, end int, unix int64) []byte {
	dst = append(dst[:end], '.')
	dst = appendTimestamp(dst, unix)
	// The MAC is computed onto the end of dst (a stack array would escape
	// through hash.Hash), then moved out and encoded in its place.
	n := len(dst)
	dst = s.keys[0].sum(dst, dst)
	var mac [64]byte
	m := copy(mac[:], dst[n:])
	dst = append(dst[:n], '.')
	return b64.AppendEncode(dst, mac[:m])
}

// appendTimestamp writes t as itsdangerous does: big-endian, leading zero
// bytes stripped, base64 (so 0 is the empty string).
func appendTimestamp(dst []byte, t int64) []byte {
	if t < 0 {
		t = 0
	}
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(t))
	i := 0
	for i < 8 && b[i] == 0 {
		i++
	}
	return b64.AppendEncode(dst, b[i:])
}

// decodeTimestamp is itsdangerous's bytes_to_int with strict base64; more
// than 8 bytes is malformed, as in itsdangerous. Values beyond int64 (year
// 292277026596) are malformed too: itsdangerous would call them future.
func decodeTimestamp(s string) (int64, error) {
	if len(s) > 11 {
		return 0, fmt.Errorf("%w: timestamp longer than 8 bytes", ErrMalformed)
	}
	var b [9]byte
	n, err := b64.Decode(b[:], []byte(s))
	if err != nil {
		return 0, fmt.Errorf("%w: timestamp is not base64url", ErrMalformed)
	}
	if n > 8 {
		return 0, fmt.Errorf("%w: timestamp longer than 8 bytes", ErrMalformed)
	}
	var v uint64
	for _, c := range b[:n] {
		v = v<<8 | uint64(c)
	}
	if v > math.MaxInt64 {
		return 0, fmt.Errorf("%w: timestamp out of range", ErrMalformed)
	}
	return int64(v), nil
}

// split cuts value into payload, timestamp and signature from the right,
// as itsdangerous's rsplit does (spec §1).
func split(value string) (payload, ts, sig string, err error) {
	i := strings.LastIndexByte(value, '.')
	if i < 0 {
		return "", "", "", fmt.Errorf("%w: no separator", ErrMalformed)
	}
	j := strings.LastIndexByte(value[:i], '.')
	if j < 0 {
		return "", "", "", fmt.Errorf("%w: timestamp missing", ErrMalformed)
	}
	return value[:j], value[j+1 : i], value[i+1:], nil
}

// Unsign verifies value's signature and returns its payload and timestamp
// (Unix seconds). key is 0 when the current key matched and i when
// fallbacks[i-1] did (fallbacks as given to NewSigner). It does not check
// the age: see CheckAge.
//
// Unsign is stricter than itsdangerous in one way, on purpose: the
// signature and timestamp must be canonical unpadded base64url (Flask only
// emits that form; SECURITY B-16, B-17).
func (s *Signer) Unsign(value string) (payload string, ts int64, key int, err error) {
	payload, tsText, sigText, err := split(value)
	if err != nil {
		return "", 0, 0, err
	}
	if len(sigText) != b64.EncodedLen(s.sumSize) {
		return "", 0, 0, fmt.Errorf("%w: signature has the wrong length", ErrSignature)
	}
	var sigBuf [64]byte
	n, derr := b64.Decode(sigBuf[:], []byte(sigText))
	if derr != nil || n != s.sumSize {
		return "", 0, 0, fmt.Errorf("%w: signature is not canonical base64url", ErrSignature)
	}
	signed := value[:len(value)-len(sigText)-1]
	idx, ok := s.verifyMAC(signed, sigBuf[:n])
	if !ok {
		return "", 0, 0, ErrSignature
	}
	ts, err = decodeTimestamp(tsText)
	if err != nil {
		return "", 0, 0, err
	}
	return payload, ts, idx, nil
}

// verifyMAC is the one place a MAC is compared, in constant time, against
// every key (current, then fallbacks newest first). It reports which key
// matched first, as Unsign's key result.
func (s *Signer) verifyMAC(signed string, sig []byte) (int, bool) {
	// One pooled buffer holds the message (hash.Hash reads bytes; a
	// conversion would allocate) followed by each computed MAC.
	bp := getBytes()
	defer putBytes(bp)
	msg := append((*bp)[:0], signed...)
	*bp = msg
	for _, k := range s.keys {
		mac := k.sum(msg[len(msg):], msg)
		if hmac.Equal(mac, sig) {
			return k.index, true
		}
	}
	return 0, false
}

// CheckAge reports ErrExpired when now-ts > maxAge or ts-now > skew, in
// whole seconds as Flask computes them (spec §4 step 5: an age equal to
// maxAge is valid). A negative maxAge disables the upper bound.
func CheckAge(ts int64, now time.Time, maxAge, skew time.Duration) error {
	n := now.Unix()
	if ts > n {
		ahead := ts - n
		if ahead < 0 || ahead > int64(skew/time.Second) {
			return fmt.Errorf("%w: signed %d s in the future", ErrExpired, uint64(ts)-uint64(n))
		}
		return nil
	}
	if maxAge < 0 {
		return nil
	}
	age := n - ts
	if age < 0 || age > int64(maxAge/time.Second) {
		return fmt.Errorf("%w: age %d s exceeds max age %d s", ErrExpired, uint64(n)-uint64(ts), int64(maxAge/time.Second))
	}
	return nil
}
