package seal

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"strings"
	"sync"
)

// label is the format's name: HKDF salt, prefix of every HKDF info
// string, and the first piece of the MAC's input (ENCRYPTED.md §4, §5).
const label = "sessionkit-sk1"

// KeyID identifies a secret: the first 4 bytes of an HKDF output of it
// (ENCRYPTED.md §4). It is public (every token carries it in clear) and
// reveals nothing useful about the secret; it lets Open pick the one key
// that can verify a token, and lets an operator tell which secret sealed
// a cookie.
type KeyID [4]byte

// String returns the ID in lower-case hex, e.g. "1d3a3534".
func (id KeyID) String() string { return hex.EncodeToString(id[:]) }

// KeyIDOf returns the key ID of secret. It fails only when the
// cryptographic module refuses the secret (a secret shorter than 14 bytes
// under GODEBUG=fips140=only).
func KeyIDOf(secret []byte) (KeyID, error) {
	var id KeyID
	prk, err := hkdf.Extract(sha256.New, secret, []byte(label))
	if err != nil {
		return id, err
	}
	b, err := hkdf.Expand(sha256.New, prk, label+" kid", len(id))
	if err != nil {
		return id, err
	}
	copy(id[:], b)
	return id, nil
}

// derive returns the key ID of secret and its encryption and MAC keys for
// scope (ENCRYPTED.md §4):
//
//	PRK   = HKDF-Extract(SHA-256, salt = label, IKM = secret)
//	kid   = HKDF-Expand(PRK, label " kid", 4)
//	K_enc = HKDF-Expand(PRK, label " enc" 0x00 purpose 0x00 app, 32)
//	K_mac = HKDF-Expand(PRK, label " mac" 0x00 purpose 0x00 app, 32)
//
// Purpose and app never contain NUL (New checks), so the info strings are
// unambiguous.
func derive(secret []byte, sc Scope) (id KeyID, encKey, macKey []byte, err error) {
	prk, err := hkdf.Extract(sha256.New, secret, []byte(label))
	if err != nil {
		return id, nil, nil, err
	}
	kid, err := hkdf.Expand(sha256.New, prk, label+" kid", len(id))
	if err != nil {
		return id, nil, nil, err
	}
	copy(id[:], kid)
	ctx := "\x00" + sc.Purpose + "\x00" + sc.App
	if encKey, err = hkdf.Expand(sha256.New, prk, label+" enc"+ctx, 32); err != nil {
		return id, nil, nil, err
	}
	if macKey, err = hkdf.Expand(sha256.New, prk, label+" mac"+ctx, 32); err != nil {
		return id, nil, nil, err
	}
	return id, encKey, macKey, nil
}

// key is one secret of the ring, derived for the Sealer's scope.
type key struct {
	id    KeyID
	index int          // Info.Key: 0 for Keys.Current, i for Keys.Fallbacks[i-1]
	block cipher.Block // AES-256 under K_enc
	macs  sync.Pool    // of *macState keyed with K_mac
}

// macState is an HMAC-SHA256 keyed with one key's K_mac, with the scratch
// space computing a tag needs, so that a tag costs no allocation and no
// key schedule.
type macState struct {
	h       hash.Hash
	scratch []byte
	sum     [tagLen]byte
}

func newKey(secret []byte, sc Scope, index int) (*key, error) {
	id, encKey, macKey, err := derive(secret, sc)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(encKey)
	if err != nil {
		return nil, err
	}
	k := &key{id: id, index: index, block: block}
	k.macs.New = func() any {
		return &macState{h: hmac.New(sha256.New, macKey), scratch: make([]byte, 0, 64)}
	}
	return k, nil
}

// newRing checks keys and sc and derives every key (current first). The
// checks refuse what would make a ring unusable or ambiguous; how strong
// a secret is remains the caller's policy (the session package applies
// session.CheckKeys before it builds a Sealer).
func newRing(keys Keys, sc Scope) ([]*key, map[KeyID]*key, error) {
	if sc.Purpose == "" {
		return nil, nil, fmt.Errorf("seal: empty purpose: name what the values are, e.g. %q", "session")
	}
	if strings.IndexByte(sc.Purpose, 0) >= 0 {
		return nil, nil, fmt.Errorf("seal: the purpose contains a NUL byte, which would make the key derivation ambiguous: remove it")
	}
	if strings.IndexByte(sc.App, 0) >= 0 {
		return nil, nil, fmt.Errorf("seal: the application ID contains a NUL byte, which would make the key derivation ambiguous: remove it")
	}
	secrets := append([][]byte{keys.Current}, keys.Fallbacks...)
	if len(secrets) > MaxKeys {
		return nil, nil, fmt.Errorf("seal: %d secrets, more than %d: remove fallbacks older than the longest session lifetime", len(secrets), MaxKeys)
	}
	ring := make([]*key, 0, len(secrets))
	byID := make(map[KeyID]*key, len(secrets))
	for i, secret := range secrets {
		what := secretName(i)
		if len(bytes.TrimSpace(secret)) == 0 {
			return nil, nil, fmt.Errorf("seal: %s is empty or only whitespace: use 32 or more random bytes (`sessionkit secret` makes one)", what)
		}
		for j := range i {
			if bytes.Equal(secret, secrets[j]) {
				return nil, nil, fmt.Errorf("seal: %s repeats %s: remove the repetition from the fallbacks", what, secretName(j))
			}
		}
		k, err := newKey(secret, sc, i)
		if err != nil {
			return nil, nil, fmt.Errorf("seal: %s: %w", what, err)
		}
		if other, dup := byID[k.id]; dup {
			// Two secrets with one 32-bit ID: about 2^-25 for a full ring.
			// Opening must never have to try two keys.
			return nil, nil, fmt.Errorf("seal: %s has the same key ID (%v) as %s: replace one of them with a new random secret", what, k.id, secretName(other.index))
		}
		byID[k.id] = k
		ring = append(ring, k)
	}
	return ring, byID, nil
}

// secretName names secret i of a ring in error messages, never showing it.
func secretName(i int) string {
	if i == 0 {
		return "the current secret"
	}
	return fmt.Sprintf("fallback secret %d", i-1)
}
