package session

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// ErrWeakKey is the error (wrapped) that CheckKey, CheckKeys and New return
// for a secret key that an attacker could guess: empty, short, patterned, a
// placeholder or a published example. The wrapping error names the rule
// broken (K1–K8, see CheckKey); it never contains the key.
var ErrWeakKey = errors.New("session: weak secret key")

// MinKeyLength is the shortest secret key New accepts, in bytes.
const MinKeyLength = 32

// knownKeys are secret keys published in documentation, tutorials and
// product defaults, which offline crackers such as flask-unsign try first.
// They are compared after normalisation (see normaliseKey).
var knownKeys = []string{
	// Flask's own documentation.
	"dev",
	"_5#y2L\"F4Q8z\n\xec]/",
	`_5#y2L"F4Q8z\n\xec]/`,
	"192b9bdd22ab9ed4d12e236c78afcb9a393ec15f71bbf5dc987d54727823bcbf",
	"5f352379324c22463451387a0aec5d2f",
	"A0Zr98j/3yX R~XHH!jmN]LWX/,?RT",
	// Placeholders and idioms copied from tutorials and config templates.
	"CHANGEME", "change_me", "change-me", "changethis",
	"you-will-never-guess",
	"hard to guess string",
	"super secret key",
	"keyboard cat",
	// Apache Superset and Airflow defaults (CVE-2023-27524, CVE-2020-17526).
	"\x02\x01thisismyscretkey\x01\x02\\e\\y\\y\\h",
	`\2\1thisismyscretkey\1\2\e\y\y\h`,
	"thisismyscretkey",
	"CHANGE_ME_TO_A_COMPLEX_RANDOM_SECRET",
	"YOUR_OWN_RANDOM_GENERATED_SECRET_KEY",
	"thisISaSECRET_1234", "TEST_NON_DEV_SECRET",
	"temporary_key",
	// Generic values.
	"secret", "secret key", "secret_key", "secret-key", "secretkey",
	"mysecret", "mysecretkey", "my_secret_key", "my-secret-key",
	"supersecret", "super_secret_key", "supersecretkey", "topsecret",
	"s3cr3t", "secret123", "thisisasecret", "this-is-a-secret",
	"this is a secret key",
	"your-secret-key", "your_secret_key", "your secret key", "your-secret",
	"replace-me", "not-so-secret", "insecure", "default", "default-secret",
	"development", "development key", "development_key", "dev key", "devkey",
	"dev-secret-key", "test", "key", "password", "admin", "123456", "qwerty",
	"abc123", "letmein", "hello", "flask", "asdf", "foobar", "xxx", "shh",
	"shhh", "random",
	// Portuguese tutorials, including the lesson this project accompanies.
	"sua_chave_secreta_segura",
	"sua_chave_secreta", "chave_secreta", "chavesecreta",
	"minha_chave_secreta", "minha chave secreta", "MINHA-CHAVE-SECRETA",
	"superchavesecreta", "segredo",
}

// knownKeySet holds knownKeys normalised.
var knownKeySet = func() map[string]bool {
	m := make(map[string]bool, len(knownKeys))
	for _, k := range knownKeys {
		m[normaliseKey(k)] = true
	}
	return m
}()

// placeholderWords betray a key typed by a person as a stand-in (rule K7).
// Words of five letters or fewer only count at a word boundary, so that
// random keys in base64 do not trip over them by chance (a six-letter word
// turns up in about one random 43-character key in ten million).
var placeholderWords = []string{
	"change", "replace", "example", "sample", "your", "secret", "default",
	"insecure", "placeholder", "todo", "chave", "segredo",
}

// KnownKeys returns a copy of the built-in denylist of published example
// keys that CheckKey refuses (SECURITY.md §4.2). Some entries contain
// non-printable bytes; print them quoted.
func KnownKeys() []string {
	return append([]string(nil), knownKeys...)
}

// KeyFingerprint returns the first 8 hex digits of SHA-256(key): enough to
// tell keys apart in logs and error messages, useless for guessing them.
func KeyFingerprint(key []byte) string {
	sum := sha256.Sum256(key)
	return hex.EncodeToString(sum[:4])
}

// CheckKey reports whether key is fit to sign sessions. It returns nil, or a
// *WeakKeyError (wrapping ErrWeakKey) that names the rule broken (SECURITY.md §4.1):
//
//	K1  empty or only whitespace
//	K2  shorter than MinKeyLength (32) bytes
//	K3  fewer than 5 distinct bytes, a repeated pattern or a run (abcabc…, 0123…)
//	K4  digits, hex or base64 only, carrying less than 128 bits
//	K5  a published example key (KnownKeys), compared after trimming spaces,
//	    surrounding quotes and a Python b'…' wrapper, ignoring case
//	K6  starts with "django-insecure-"
//	K7  a placeholder word (change, secret, your, chave, …) in a key shorter
//	    than 64 bytes
//
// The comparison is on a normalised copy; signing always uses the exact
// bytes. The error never contains the key.
func CheckKey(key []byte) error {
	s := string(key)
	if strings.TrimSpace(s) == "" {
		return weak("K1", "the key is empty or only whitespace")
	}
	norm := normaliseKey(s)
	if knownKeySet[norm] {
		return weak("K5", "the key is a published example key (fingerprint "+KeyFingerprint(key)+")")
	}
	if strings.HasPrefix(norm, "django-insecure-") {
		return weak("K6", "the key is a Django development key (django-insecure-…)")
	}
	if len(key) < MinKeyLength {
		return weak("K2", fmt.Sprintf("the key has %d bytes; use at least %d random bytes", len(key), MinKeyLength))
	}
	if reason := patterned(key); reason != "" {
		return weak("K3", reason)
	}
	if bits, class := charsetBits(s); class != "" && bits < 128 {
		return weak("K4", fmt.Sprintf("the key is %s only and carries about %d bits; at least 128 are needed", class, bits))
	}
	if len(key) < 64 {
		if w := placeholderWord(norm); w != "" {
			return weak("K7", fmt.Sprintf("the key contains the placeholder word %q", w))
		}
	}
	return nil
}

// CheckKeys checks a signing key and its fallback keys as New does: every
// key must pass CheckKey (a weak fallback key forges cookies as well as a
// weak current key), and no fallback may be empty or repeat the current key
// (rule K8).
func CheckKeys(key []byte, fallbacks ...[]byte) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	for i, fb := range fallbacks {
		if string(fb) == string(key) {
			return weak("K8", fmt.Sprintf("fallback key %d is the current key", i))
		}
		if err := CheckKey(fb); err != nil {
			return fmt.Errorf("fallback key %d: %w", i, err)
		}
	}
	return nil
}

// WeakKeyError is the error CheckKey returns: the rule a key breaks and
// why, never the key. It wraps ErrWeakKey.
type WeakKeyError struct {
	Rule   string // "K1" … "K8", as listed on CheckKey and CheckKeys
	Reason string // why the key breaks Rule, in words
}

func (e *WeakKeyError) Error() string {
	return ErrWeakKey.Error() + ": " + e.Rule + ": " + e.Reason
}

// Unwrap returns ErrWeakKey.
func (e *WeakKeyError) Unwrap() error { return ErrWeakKey }

func weak(rule, reason string) error {
	return &WeakKeyError{Rule: rule, Reason: reason}
}

// normaliseKey undoes the usual ways a key gets wrapped when copied from
// source code or a config file: surrounding whitespace, quotes, a Python
// bytes literal b'…', and letter case.
func normaliseKey(s string) string {
	for {
		t := strings.TrimSpace(s)
		if len(t) >= 3 && (t[0] == 'b' || t[0] == 'B') && (t[1] == '\'' || t[1] == '"') && t[len(t)-1] == t[1] {
			t = t[2 : len(t)-1]
		} else if len(t) >= 2 && (t[0] == '\'' || t[0] == '"' || t[0] == '`') && t[len(t)-1] == t[0] {
			t = t[1 : len(t)-1]
		}
		if t == s {
			return strings.ToLower(s)
		}
		s = t
	}
}

// patterned reports why key is a pattern rather than random bytes, or "".
func patterned(key []byte) string {
	var seen [256]bool
	distinct := 0
	for _, b := range key {
		if !seen[b] {
			seen[b] = true
			distinct++
		}
	}
	if distinct < 5 {
		return fmt.Sprintf("the key has only %d distinct bytes", distinct)
	}
	// Smallest period: "abcabcabc" has period 3.
	for p := 1; p <= len(key)/2; p++ {
		periodic := true
		for i := p; i < len(key); i++ {
			if key[i] != key[i-p] {
				periodic = false
				break
			}
		}
		if periodic {
			return fmt.Sprintf("the key repeats a %d-byte pattern", p)
		}
	}
	// Runs such as "abcdefgh…" or "98765…": most neighbours differ by ±1.
	up, down := 0, 0
	for i := 1; i < len(key); i++ {
		switch int(key[i]) - int(key[i-1]) {
		case 1:
			up++
		case -1:
			down++
		}
	}
	if n := len(key) - 1; up*4 >= n*3 || down*4 >= n*3 {
		return "the key is mostly a run of consecutive characters"
	}
	return ""
}

// charsetBits estimates the entropy of s when it is written in a small
// alphabet (digits, hex, base64), or returns class "" for any other text.
func charsetBits(s string) (bits int, class string) {
	digits, hexa, b64 := true, true, true
	for _, r := range s {
		isDigit := r >= '0' && r <= '9'
		isHex := isDigit || (r >= 'a' && r <= 'f') || (r >= 'A' && r <= 'F')
		isB64 := isDigit || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || strings.ContainsRune("+/-_=", r)
		digits = digits && isDigit
		hexa = hexa && isHex
		b64 = b64 && isB64
	}
	n := len(strings.TrimRight(s, "="))
	switch {
	case digits:
		return n * 332 / 100, "decimal digits"
	case hexa:
		return n * 4, "hex digits"
	case b64:
		return n * 6, "base64 characters"
	}
	return 0, ""
}

// placeholderWord returns the first placeholder word found in norm (already
// lower-cased), or "".
func placeholderWord(norm string) string {
	for _, w := range placeholderWords {
		for i := 0; ; {
			j := strings.Index(norm[i:], w)
			if j < 0 {
				break
			}
			j += i
			if len(w) > 5 || (boundary(norm, j-1) && boundary(norm, j+len(w))) {
				return w
			}
			i = j + 1
		}
	}
	return ""
}

// boundary reports whether position i of s is outside s or not a letter or
// digit.
func boundary(s string, i int) bool {
	if i < 0 || i >= len(s) {
		return true
	}
	r := rune(s[i])
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}
