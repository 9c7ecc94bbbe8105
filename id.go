package session

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
)

// Server-side session IDs are 256 bits from crypto/rand in unpadded
// base64url: 43 characters. An ID reaches a Store only after the cookie that
// carries it has passed the signature check and parseStoreID, so a forged or
// malformed ID never costs a store round trip.
const storeIDLen = 43

// idPrefix starts the signed payload of a cookie that carries a session ID
// rather than session data. Flask payloads are base64url (with a leading "."
// when compressed) and never contain "~", so in hybrid mode the two kinds of
// cookie cannot be mistaken for each other. ID cookies are signed by
// Manager.IDSigner, whose key Flask does not have: a Flask application
// reading one finds a bad signature and starts an empty session.
const idPrefix = "sk~"

var errBadID = errors.New("session: malformed session id")

// newStoreID returns a fresh session ID. Tests replace it to force
// collisions.
var newStoreID = func() string {
	var b [32]byte
	rand.Read(b[:]) // never fails (crypto/rand documents it)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// parseStoreID checks that id is exactly what newStoreID makes: 43
// characters of the base64url alphabet that decode, strictly (unused bits
// zero), to 32 bytes. It does no work proportional to a long input.
func parseStoreID(id string) (string, error) {
	if len(id) != storeIDLen {
		return "", errBadID
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return "", errBadID
		}
	}
	var b [33]byte
	n, err := base64.RawURLEncoding.Strict().Decode(b[:], []byte(id))
	if err != nil || n != 32 {
		return "", errBadID
	}
	return id, nil
}

// idFromPayload returns the session ID a verified cookie payload carries,
// or false when the payload is session data (hybrid mode) or malformed.
func idFromPayload(payload string) (string, bool) {
	rest, ok := strings.CutPrefix(payload, idPrefix)
	if !ok {
		return "", false
	}
	id, err := parseStoreID(rest)
	return id, err == nil
}

// logID returns a short digest of id for logs, which must never hold a
// live session ID.
func logID(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:6])
}
