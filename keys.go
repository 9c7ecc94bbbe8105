package session

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"unicode"
)

// ErrWeakKey is the error (wrapped) that CheckKey, CheckKeys and New return
// for a secret key that an attacker could guess: empty, short, built from
// guessable parts, a placeholder or a published example. The wrapping
// *WeakKeyError says in words what is wrong and how to fix it; it never
// contains the key.
var ErrWeakKey = errors.New("session: weak secret key")

// MinKeyLength is the shortest secret key New accepts, in bytes.
const MinKeyLength = 32

// MinKeyStrength is the least KeyStrength, in bits, that CheckKey accepts:
// an attacker holding one cookie tests key guesses offline, at the speed of
// HMAC-SHA1, so a key must cost at least 2^128 guesses (the security level
// of ASVS 5.0 §11.2.3, and what 32 random hex digits give; `sessionkit
// secret` gives 256 bits).
const MinKeyStrength = 128

// knownKeys are secret keys published in documentation, tutorials and
// product defaults, which offline crackers such as flask-unsign try first.
// They are compared after normalisation (see normaliseKey), and their
// variants (case, separators, leetspeak, digits added, doubled) are found
// by KeyStrength.
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
// *WeakKeyError (wrapping ErrWeakKey) that says what is wrong, how to fix
// it, and which rule of SECURITY.md §4.1 the key breaks:
//
//	K1  empty or only whitespace
//	K2  shorter than MinKeyLength (32) bytes
//	K3  built from guessable parts (words, runs, repeats, keyboard rows,
//	    dates: see KeyStrength) worth fewer than MinKeyStrength bits
//	K4  random-looking but too short for its alphabet: fewer than
//	    MinKeyStrength bits (e.g. 38 decimal digits)
//	K5  a published example key (KnownKeys), compared after trimming
//	    spaces, surrounding quotes and a Python b'…' wrapper, ignoring
//	    case; or a variant of one (case, separators, leetspeak, digits
//	    added, doubled) worth fewer than MinKeyStrength bits
//	K6  starts with "django-insecure-"
//	K7  a placeholder word (change, secret, your, chave, …) in a key
//	    shorter than 64 bytes
//
// The comparison is on a normalised copy; signing always uses the exact
// bytes. The error never contains the key.
func CheckKey(key []byte) error {
	s := string(key)
	if strings.TrimSpace(s) == "" {
		return weak("K1", "it is empty or only whitespace")
	}
	norm := normaliseKey(s)
	if knownKeySet[norm] {
		return weak("K5", "it is a published example key (fingerprint "+KeyFingerprint(key)+") that attackers try first")
	}
	if strings.HasPrefix(norm, "django-insecure-") {
		return weak("K6", "it is a Django development key (it starts with django-insecure-)")
	}
	est := estimateKey(key)
	if est.bits < MinKeyStrength && 2*est.known >= len(key) {
		return weak("K5", "it is a published example key with small changes (case, separators, look-alike characters or digits added), which attackers try first")
	}
	if len(key) < MinKeyLength {
		return weak("K2", fmt.Sprintf("it has %d bytes, and a key needs at least %d random bytes", len(key), MinKeyLength))
	}
	if est.bits < MinKeyStrength {
		// Random characters from too small an alphabet (K4), unless the
		// patterns found cost clearly less than brute force (K3).
		if bf := float64(len(key)) * math.Log2(float64(est.alphabet)); bf < MinKeyStrength && est.bits > bf-10 {
			return weak("K4", fmt.Sprintf("it has %d characters from an alphabet of %d: about 2^%d guesses, and a key needs at least 2^%d", len(key), est.alphabet, int(bf), MinKeyStrength))
		}
		return weak("K3", fmt.Sprintf("it is made of guessable parts (%s): an attacker would find it in about 2^%d guesses, and a key needs at least 2^%d", describeKinds(est.kinds&^kindBrute), int(est.bits), MinKeyStrength))
	}
	// A placeholder word in a key that passed is a sign it was typed as a
	// stand-in and padded, unless the key is clearly random: random keys
	// score above MinKeyStrength+64 (the weakest of 100 000 scored 223 bits)
	// and may hold a short word by chance ("+TOdo=" in base64).
	if len(key) < 64 && est.bits < MinKeyStrength+64 {
		if w := placeholderWord(norm); w != "" {
			return weak("K7", fmt.Sprintf("it contains the placeholder word %q, a sign it was never replaced", w))
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
			return &WeakKeyError{Rule: "K8",
				Reason: fmt.Sprintf("fallback key %d is the current key", i),
				Fix:    "remove it from the fallbacks: they hold only keys retired from signing"}
		}
		var we *WeakKeyError
		if err := CheckKey(fb); errors.As(err, &we) {
			return &WeakKeyError{Rule: we.Rule, Reason: fmt.Sprintf("fallback key %d: %s", i, we.Reason), Fix: we.Fix}
		}
	}
	return nil
}

// WeakKeyError is the error CheckKey and CheckKeys return: the rule a key
// breaks, what is wrong and how to fix it, in words, never the key. It
// wraps ErrWeakKey.
type WeakKeyError struct {
	Rule   string // "K1" … "K8", as listed on CheckKey and CheckKeys
	Reason string // what is wrong with the key, in words ("it has 5 bytes, …")
	Fix    string // what to do about it, in words
}

// Error returns "session: weak secret key: " followed by the reason and
// the fix.
func (e *WeakKeyError) Error() string {
	return ErrWeakKey.Error() + ": " + e.Reason + "; " + e.Fix
}

// Unwrap returns ErrWeakKey.
func (e *WeakKeyError) Unwrap() error { return ErrWeakKey }

// fixRandom is how every weak key is fixed, but a repeated fallback.
const fixRandom = "make a random key with `sessionkit secret` (or Python's secrets.token_hex())"

func weak(rule, reason string) error {
	return &WeakKeyError{Rule: rule, Reason: reason, Fix: fixRandom}
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

// KeyStrength estimates how many guesses an attacker needs to find key, as
// log2 of the number (bits). It looks at the key's structure the way
// password crackers build their guesses, in the spirit of zxcvbn (Wheeler,
// USENIX Security 2016) but smaller: the key is split into the cheapest
// sequence of parts, each part being one of
//
//   - a dictionary word (common English and Portuguese words, common
//     passwords, words of web configuration), in any case, reversed,
//     with look-alike characters (p4ssw0rd) and separators inside (pass_word);
//     a published example key (KnownKeys) counts as a word of the same kind;
//   - a sequence with a constant step (abcdef, 97531, ACEG);
//   - a repetition of a shorter part (abcabcabc, a doubled key);
//   - a keyboard run on QWERTY, AZERTY or a numeric keypad (qwerty,
//     1qaz2wsx, azerty, 7894561230);
//   - a date (1990-05-31, 31/05/1990, 310590) or a year (1900–2099);
//   - a run of decimal digits;
//   - any other character, guessed by brute force over the key's alphabet
//     (16 for hex, 64 for base64, 95 for printable ASCII, 256 for bytes).
//
// Each part costs the guesses of its kind (a word its rank in the list
// times its variations) plus 3 bits for choosing the kind. Random keys
// keep nearly their full entropy: 64 hex digits or 43 base64 characters
// from `sessionkit secret` or Python's secrets module score about 256
// bits, and chance words in them cost a few bits at most. Keys longer than
// 1024 bytes are scored in 1024-byte pieces whose scores add up, a piece
// equal to an earlier one costing only the choice of which.
func KeyStrength(key []byte) float64 {
	return estimateKey(key).bits
}

// Pattern kinds, as a bit set, found in a key's cheapest split.
const (
	kindBrute = 1 << iota
	kindWord
	kindKnown
	kindSequence
	kindRepeat
	kindKeyboard
	kindDate
	kindDigits
)

// describeKinds lists the pattern kinds in words, for an error message.
func describeKinds(k uint16) string {
	var parts []string
	for _, d := range []struct {
		kind uint16
		text string
	}{
		{kindWord, "dictionary words"},
		{kindKnown, "a published example key"},
		{kindSequence, "a sequence like abcd or 1234"},
		{kindRepeat, "repeated characters or parts"},
		{kindKeyboard, "a keyboard run like qwerty"},
		{kindDate, "a date or a year"},
		{kindDigits, "a number"},
	} {
		if k&d.kind != 0 {
			parts = append(parts, d.text)
		}
	}
	if len(parts) == 0 {
		return "short pieces joined by separators"
	}
	return strings.Join(parts, ", ")
}

// keyEstimate is the result of estimateKey.
type keyEstimate struct {
	bits     float64 // log2 of the guesses
	kinds    uint16  // pattern kinds in the cheapest split
	alphabet int     // the brute-force alphabet size of the whole key
	known    int     // bytes of the key that published example keys explain
}

// Estimator constants (see KeyStrength).
const (
	maxPiece    = 1024 // longer keys are scored in pieces of this size
	kindBits    = 3    // choosing a part's kind among about 8
	sepBits     = 3    // separators inside a word: one of about 8 styles
	maxWordSpan = 64   // longest dictionary match, separators included
	minWordLen  = 3    // shortest dictionary word matched
	refYear     = 2025
	minYearGap  = 20 // zxcvbn's MIN_YEAR_SPACE
)

// Floors on a part's guesses, as zxcvbn's MIN_SUBMATCH_GUESSES: a part
// never counts as cheaper than this, so that random text is not explained
// away as many tiny coincidences.
var (
	minPartBits1 = math.Log2(10) // one character
	minPartBitsN = math.Log2(50) // longer parts
)

func estimateKey(key []byte) keyEstimate {
	whole := key
	a := &analyser{memo: map[string]scored{}}
	var e keyEstimate
	e.alphabet, _ = alphabetOf(key)
	// Long keys are scored in pieces; a piece equal to an earlier one
	// costs only which one it repeats.
	var pieces []string
	for len(key) > 0 {
		n := min(len(key), maxPiece)
		piece := key[:n]
		key = key[n:]
		if i := slices.Index(pieces, string(piece)); i >= 0 {
			e.bits += kindBits + math.Log2(float64(len(pieces)))
			e.kinds |= kindRepeat
			continue
		}
		pieces = append(pieces, string(piece))
		bits, kinds, known := a.analyse(piece)
		e.bits += bits
		e.kinds |= kinds
		e.known += known
	}
	// A long key that repeats one part throughout, whatever its length,
	// costs that part and the count (pieces would each pay for it).
	if p := period(whole); p <= len(whole)/2 && len(whole) > maxPiece {
		base := a.score(whole[:p])
		if bits := kindBits + base.bits + math.Log2(float64(len(whole))/float64(p)); bits < e.bits {
			e.bits, e.kinds, e.known = bits, base.kinds|kindRepeat, len(whole)*base.known/p
		}
	}
	return e
}

// period returns the smallest p such that b[i] == b[i+p] for every i (p
// may not divide len(b)), by the Knuth-Morris-Pratt failure function.
func period(b []byte) int {
	if len(b) == 0 {
		return 0
	}
	fail := make([]int, len(b))
	for i, k := 1, 0; i < len(b); i++ {
		for k > 0 && b[i] != b[k] {
			k = fail[k-1]
		}
		if b[i] == b[k] {
			k++
		}
		fail[i] = k
	}
	return len(b) - fail[len(b)-1]
}

// analyser scores one key; memo holds the pieces (repeated parts, words of
// a phrase) already scored.
type analyser struct {
	memo map[string]scored
}

type scored struct {
	bits  float64
	kinds uint16
	known int
}

// part is one candidate piece of a key: bytes [i, j) explained by a
// pattern of the given kinds costing bits, of which known bytes are
// published example keys.
type part struct {
	i, j  int
	bits  float64
	kind  uint16
	known int
}

// analyse returns the bits of the cheapest split of b, the kinds of the
// parts it uses and how many bytes its published example keys cover.
func (a *analyser) analyse(b []byte) (bits float64, kinds uint16, known int) {
	n := len(b)
	if n == 0 {
		return 0, 0, 0
	}
	_, bf := alphabetOf(b)
	parts := a.parts(b)
	// Parts by start: byStart[first[k]:first[k+1]] start at k.
	first := make([]int, n+2)
	for _, p := range parts {
		first[p.i+2]++
	}
	for k := 2; k < len(first); k++ {
		first[k] += first[k-1]
	}
	byStart := make([]part, len(parts))
	for _, p := range parts {
		floor := minPartBitsN
		if p.j-p.i == 1 {
			floor = minPartBits1
		}
		p.bits = max(p.bits, floor)
		byStart[first[p.i+1]] = p
		first[p.i+1]++
	}
	// best[k][0]: cheapest split of b[:k] ending with a pattern part (or
	// empty); best[k][1]: ending with brute-forced characters, which form
	// one part however many there are.
	type cell struct {
		bits  float64
		kinds uint16
		known int // bytes covered by published example keys
	}
	inf := cell{bits: math.Inf(1)}
	best := make([][2]cell, n+1)
	for k := range best {
		best[k] = [2]cell{inf, inf}
	}
	best[0][0] = cell{}
	for k := 0; k < n; k++ {
		from := best[k][0]
		if best[k][1].bits < from.bits {
			from = best[k][1]
		}
		// One more brute-forced character.
		if c := best[k][0]; c.bits+kindBits+bf < best[k+1][1].bits {
			best[k+1][1] = cell{c.bits + kindBits + bf, c.kinds | kindBrute, c.known}
		}
		if c := best[k][1]; c.bits+bf < best[k+1][1].bits {
			best[k+1][1] = cell{c.bits + bf, c.kinds, c.known}
		}
		for _, p := range byStart[first[k]:first[k+1]] {
			if bits := from.bits + kindBits + p.bits; bits < best[p.j][0].bits {
				best[p.j][0] = cell{bits, from.kinds | p.kind, from.known + p.known}
			}
		}
	}
	end := best[n][0]
	if best[n][1].bits < end.bits {
		end = best[n][1]
	}
	return end.bits, end.kinds, end.known
}

// alphabetOf returns the brute-force alphabet of b: the sum of the classes
// it uses (digits 10, lower case 26, upper case 26, other printable ASCII
// 33, other bytes 161), narrowed to 16 for hex and 64 for base64 text, and
// its log2.
func alphabetOf(b []byte) (int, float64) {
	var digit, lower, upper, symbol, other, hexUpper, hexLower bool
	hexOnly, b64Only := true, true
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			digit = true
		case c >= 'a' && c <= 'z':
			lower = true
			if c > 'f' {
				hexOnly = false
			} else {
				hexLower = true
			}
		case c >= 'A' && c <= 'Z':
			upper = true
			if c > 'F' {
				hexOnly = false
			} else {
				hexUpper = true
			}
		case c >= 0x20 && c < 0x7f:
			symbol = true
			hexOnly = false
			if !strings.ContainsRune("+/-_=", rune(c)) {
				b64Only = false
			}
		default:
			other = true
			hexOnly, b64Only = false, false
		}
	}
	size := 0
	for _, c := range []struct {
		used bool
		n    int
	}{{digit, 10}, {lower, 26}, {upper, 26}, {symbol, 33}, {other, 161}} {
		if c.used {
			size += c.n
		}
	}
	switch {
	case hexOnly && (hexUpper || hexLower):
		size = 16
		if hexUpper && hexLower {
			size = 22
		}
	case hexOnly: // digits only
	case b64Only:
		size = min(size, 64)
	}
	return size, math.Log2(float64(size))
}

// parts returns every pattern part found in b.
func (a *analyser) parts(b []byte) []part {
	ps := make([]part, 0, 4*len(b))
	ps = dictionaryParts(ps, b)
	ps = a.phraseParts(ps, b)
	ps = sequenceParts(ps, b)
	ps = a.repeatParts(ps, b)
	for _, l := range keyboards() {
		ps = l.parts(ps, b)
	}
	ps = dateParts(ps, b)
	ps = digitParts(ps, b)
	return ps
}

// Sequences: abcdef, 97531, ACEG.

func sequenceParts(ps []part, b []byte) []part {
	class := func(c byte) int {
		switch {
		case c >= '0' && c <= '9':
			return 1
		case c >= 'a' && c <= 'z':
			return 2
		case c >= 'A' && c <= 'Z':
			return 3
		}
		return 0
	}
	for i := 0; i+2 < len(b); i++ {
		cl := class(b[i])
		d := int(b[i+1]) - int(b[i])
		if cl == 0 || d == 0 || d < -5 || d > 5 {
			continue
		}
		j := i + 1
		for j+1 < len(b) && class(b[j+1]) == cl && int(b[j+1])-int(b[j]) == d {
			j++
		}
		if class(b[j]) != cl {
			continue
		}
		n := j + 1 - i
		if n < 3 {
			continue
		}
		// zxcvbn's sequence guesses: an obvious start, a digit or a
		// letter; times the length; times 2 descending; times 5 for a
		// step other than one.
		start := 26.0
		switch {
		case strings.IndexByte("aAzZ019", b[i]) >= 0:
			start = 4
		case cl == 1:
			start = 10
		}
		g := start * float64(n)
		if d < 0 {
			g *= 2
		}
		if d != 1 && d != -1 {
			g *= 5
		}
		ps = append(ps, part{i, j + 1, math.Log2(g), kindSequence, 0})
	}
	return ps
}

// Repeats: a part written two or more times in a row.

func (a *analyser) repeatParts(ps []part, b []byte) []part {
	n := len(b)
	eq := make([]int, n+1) // eq[k]: bytes from k on equal to those p further on
	for p := 1; 2*p <= n; p++ {
		eq[n-p] = 0
		for k := n - p - 1; k >= 0; k-- {
			if b[k] == b[k+p] {
				eq[k] = eq[k+1] + 1
			} else {
				eq[k] = 0
			}
		}
		for i := 0; i+2*p <= n; i++ {
			// One part per run, from where it starts, with the shortest
			// period: "abab" is ab twice, not abab once.
			if eq[i] < p || (i > 0 && eq[i-1] > 0) || !primitive(b[i:i+p]) {
				continue
			}
			count := 1 + eq[i]/p
			var base scored
			if p == 1 {
				_, bf := alphabetOf(b[i : i+1])
				base.bits = kindBits + bf
			} else {
				base = a.score(b[i : i+p])
			}
			ps = append(ps, part{i, i + count*p, base.bits + math.Log2(float64(count)), kindRepeat, base.known * count})
		}
	}
	return ps
}

// primitive reports whether b is not itself a repetition of a shorter
// part.
func primitive(b []byte) bool {
	p := len(b)
	for q := 1; q <= p/2; q++ {
		if p%q == 0 && string(b[:p-q]) == string(b[q:]) {
			return false
		}
	}
	return true
}

// score scores a piece of the key, once.
func (a *analyser) score(b []byte) scored {
	if sc, ok := a.memo[string(b)]; ok {
		return sc
	}
	var sc scored
	sc.bits, sc.kinds, sc.known = a.analyse(b)
	a.memo[string(b)] = sc
	return sc
}

// Phrases: words joined by one separator (sua_chave_secreta,
// do-not-use-in-production), which cost the words and the choice of the
// separator, not a brute-forced character for each separator.

func (a *analyser) phraseParts(ps []part, b []byte) []part {
	for _, sep := range []byte(" _-.") {
		// Token boundaries: start of token k is starts[k].
		var starts []int
		flush := func(end int) {
			// Tokens starts[0..] end at the next separator, the last
			// at end.
			if len(starts) < 2 {
				return
			}
			tok := make([]scored, len(starts))
			for k, st := range starts {
				e := end
				if k+1 < len(starts) {
					e = starts[k+1] - 1
				}
				tok[k] = a.score(b[st:e])
			}
			for t0 := range starts {
				bits, kinds, known := math.Log2(8), uint16(0), 0
				bits += tok[t0].bits
				kinds |= tok[t0].kinds
				known += tok[t0].known
				for t1 := t0 + 1; t1 < len(starts); t1++ {
					bits += tok[t1].bits
					kinds |= tok[t1].kinds
					known += tok[t1].known
					e := end
					if t1+1 < len(starts) {
						e = starts[t1+1] - 1
					}
					ps = append(ps, part{starts[t0], e, bits, kinds &^ kindBrute, known})
				}
			}
		}
		tokenStart := 0
		for i := 0; i <= len(b); i++ {
			if i < len(b) && b[i] != sep {
				continue
			}
			if i == tokenStart { // empty token: the phrase ends
				flush(max(i-1, 0))
				starts = starts[:0]
				tokenStart = i + 1
				continue
			}
			starts = append(starts, tokenStart)
			tokenStart = i + 1
			if i == len(b) {
				flush(i)
			}
		}
	}
	return ps
}

// Digits: a run of decimal digits, as people add to words.

func digitParts(ps []part, b []byte) []part {
	for i := 0; i < len(b); i++ {
		if !isDigit(b[i]) {
			continue
		}
		j := i
		for j < len(b) && isDigit(b[j]) {
			j++
		}
		// Parts from the run's start to each end, and from each start to
		// the run's end: the cheapest split never needs a number that is
		// neither.
		start := i == 0 || !isDigit(b[i-1])
		for e := i + 2; e <= j; e++ {
			if start || e == j {
				ps = append(ps, part{i, e, float64(e-i) * math.Log2(10), kindDigits, 0})
			}
		}
	}
	return ps
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// Dates and years.

func dateParts(ps []part, b []byte) []part {
	yearBits := func(y int) float64 {
		return math.Log2(float64(max(abs(y-refYear), minYearGap)))
	}
	dateBits := func(y int, sep bool) float64 {
		bits := yearBits(y) + math.Log2(365)
		if sep {
			bits += 2
		}
		return bits
	}
	n := len(b)
	for i := 0; i < n; i++ {
		if !isDigit(b[i]) {
			continue
		}
		// A year on its own.
		if i+4 <= n && allDigits(b[i:i+4]) {
			if y := atoi(b[i : i+4]); y >= 1900 && y <= 2099 {
				ps = append(ps, part{i, i + 4, yearBits(y), kindDate, 0})
			}
		}
		// Dates without separators: 4 to 8 digits.
		for l := 4; l <= 8 && i+l <= n; l++ {
			if !allDigits(b[i : i+l]) {
				break
			}
			if y, ok := dateNoSep(b[i : i+l]); ok {
				ps = append(ps, part{i, i + l, dateBits(y, false), kindDate, 0})
			}
		}
		// Dates with separators: d{1,4} sep d{1,2} sep d{1,4}.
		ps = datesWithSeparators(ps, b, i, dateBits)
	}
	return ps
}

// datesWithSeparators adds the dates d{1,4} sep d{1,2} sep d{1,4} (one
// separator twice) that start at i.
func datesWithSeparators(ps []part, b []byte, i int, dateBits func(int, bool) float64) []part {
	isSep := func(c byte) bool { return strings.IndexByte(" /\\_.-", c) >= 0 }
	digitsFrom := func(k, most int) int {
		n := 0
		for k+n < len(b) && n < most && isDigit(b[k+n]) {
			n++
		}
		return n
	}
	n1 := digitsFrom(i, 5)
	if n1 < 1 || n1 > 4 || i+n1 >= len(b) || !isSep(b[i+n1]) {
		return ps
	}
	sep, k := b[i+n1], i+n1+1
	n2 := digitsFrom(k, 3)
	if n2 < 1 || n2 > 2 || k+n2 >= len(b) || b[k+n2] != sep {
		return ps
	}
	m := k + n2 + 1
	for n3 := 1; n3 <= digitsFrom(m, 4); n3++ {
		if y, ok := dmy(atoi(b[i:i+n1]), atoi(b[k:k+n2]), atoi(b[m:m+n3])); ok {
			ps = append(ps, part{i, m + n3, dateBits(y, true), kindDate, 0})
		}
	}
	return ps
}

// dateSplits are zxcvbn's DATE_SPLITS: where to cut 4 to 8 digits into
// three numbers.
var dateSplits = map[int][][2]int{
	4: {{1, 2}, {2, 3}},
	5: {{1, 3}, {2, 3}},
	6: {{1, 2}, {2, 4}, {4, 5}},
	7: {{1, 3}, {2, 3}, {4, 5}, {4, 6}},
	8: {{2, 4}, {4, 6}},
}

func dateNoSep(b []byte) (year int, ok bool) {
	for _, s := range dateSplits[len(b)] {
		if y, ok := dmy(atoi(b[:s[0]]), atoi(b[s[0]:s[1]]), atoi(b[s[1]:])); ok {
			return y, true
		}
	}
	return 0, false
}

// dmy reports whether three numbers read as a date with the year first or
// last (day and month in either order), and returns the year.
func dmy(a, b, c int) (int, bool) {
	fullYear := func(y int) (int, bool) {
		switch {
		case y >= 1000 && y <= 2099:
			return y, true
		case y >= 0 && y <= 99:
			if y > 50 {
				return 1900 + y, true
			}
			return 2000 + y, true
		}
		return 0, false
	}
	dayMonth := func(x, y int) bool {
		return (x >= 1 && x <= 31 && y >= 1 && y <= 12) || (y >= 1 && y <= 31 && x >= 1 && x <= 12)
	}
	if dayMonth(a, b) {
		if y, ok := fullYear(c); ok {
			return y, true
		}
	}
	if dayMonth(b, c) && a >= 1000 {
		if y, ok := fullYear(a); ok {
			return y, true
		}
	}
	return 0, false
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if !isDigit(c) {
			return false
		}
	}
	return len(b) > 0
}

func atoi(b []byte) int {
	n := 0
	for _, c := range b {
		n = n*10 + int(c-'0')
	}
	return n
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// Keyboard runs.

// keyboard is one layout's adjacency graph: for each key, its neighbours
// by direction, and for each byte, the key it is on and whether it needs
// Shift.
type keyboard struct {
	keyOf     [256]int16 // -1: not on this keyboard
	shifted   [256]bool
	neighbour [][]int16 // [key][direction] → key, -1 for none
	starts    float64   // number of keys
	degree    float64   // average number of neighbours
}

var (
	keyboardsOnce sync.Once
	keyboardList  []*keyboard
)

func keyboards() []*keyboard {
	keyboardsOnce.Do(func() {
		keyboardList = []*keyboard{
			// US QWERTY: unshifted and shifted rows, each row shifted
			// right by half a key more than the one above.
			staggered([]string{"`1234567890-=", "qwertyuiop[]\\", "asdfghjkl;'", "zxcvbnm,./"},
				[]string{"~!@#$%^&*()_+", "QWERTYUIOP{}|", "ASDFGHJKL:\"", "ZXCVBNM<>?"}, []int{0, 3, 4, 5}),
			// French AZERTY, ASCII keys only (0 marks a key whose
			// characters are not ASCII).
			staggered([]string{"\x00&\x00\"'(-\x00_\x00\x00)=", "azertyuiop^$", "qsdfghjkl\x00\x00*", "<wxcvbn,;:!"},
				[]string{"\x00" + "1234567890\x00+", "AZERTYUIOP\x00\x00", "QSDFGHJKLM%\x00", ">WXCVBN?./\x00"}, []int{0, 3, 4, 3}),
			// Numeric keypad.
			grid([]string{" /*-", "789+", "456 ", "123 ", "00. "}),
		}
		// AZERTY's m is on the home row, where QWERTY has ';'.
		az := keyboardList[1]
		az.keyOf['m'], az.shifted['m'] = az.keyOf['M'], false
	})
	return keyboardList
}

func newKeyboard() *keyboard {
	k := &keyboard{}
	for i := range k.keyOf {
		k.keyOf[i] = -1
	}
	return k
}

// staggered builds a typewriter keyboard: key c of row r sits at 2c+off[r]
// half-keys; its neighbours are left, right, and the keys half a key
// either side on the rows above and below.
func staggered(rows, shiftRows []string, off []int) *keyboard {
	k := newKeyboard()
	type pos struct{ r, x int }
	at := map[pos]int16{}
	var keys []pos
	for r, row := range rows {
		for c := 0; c < len(row); c++ {
			id := int16(len(keys))
			keys = append(keys, pos{r, 2*c + off[r]})
			at[pos{r, 2*c + off[r]}] = id
			if row[c] != 0 {
				k.keyOf[row[c]] = id
			}
			if c < len(shiftRows[r]) && shiftRows[r][c] != 0 {
				k.keyOf[shiftRows[r][c]] = id
				k.shifted[shiftRows[r][c]] = true
			}
		}
	}
	dirs := []pos{{0, -2}, {-1, -1}, {-1, 1}, {0, 2}, {1, 1}, {1, -1}}
	k.link(len(keys), func(id int, d int) int16 {
		p := keys[id]
		if n, ok := at[pos{p.r + dirs[d].r, p.x + dirs[d].x}]; ok {
			return n
		}
		return -1
	}, len(dirs))
	return k
}

// grid builds a keypad: keys in a square grid with eight neighbours. A
// character written twice on a row is one wide key.
func grid(rows []string) *keyboard {
	k := newKeyboard()
	cell := map[[2]int]int16{}
	var n int16
	for r, row := range rows {
		for c := 0; c < len(row); c++ {
			ch := row[c]
			if ch == ' ' {
				continue
			}
			if c > 0 && row[c-1] == ch {
				cell[[2]int{r, c}] = cell[[2]int{r, c - 1}]
				continue
			}
			cell[[2]int{r, c}] = n
			k.keyOf[ch] = n
			n++
		}
	}
	cells := map[int16][][2]int{}
	for p, id := range cell {
		cells[id] = append(cells[id], p)
	}
	dirs := [][2]int{{-1, -1}, {-1, 0}, {-1, 1}, {0, 1}, {1, 1}, {1, 0}, {1, -1}, {0, -1}}
	k.link(int(n), func(id, d int) int16 {
		for _, p := range cells[int16(id)] {
			if m, ok := cell[[2]int{p[0] + dirs[d][0], p[1] + dirs[d][1]}]; ok && m != int16(id) {
				return m
			}
		}
		return -1
	}, len(dirs))
	return k
}

func (k *keyboard) link(keys int, neighbour func(id, dir int) int16, dirs int) {
	k.neighbour = make([][]int16, keys)
	total := 0
	for id := range keys {
		k.neighbour[id] = make([]int16, dirs)
		for d := range dirs {
			k.neighbour[id][d] = neighbour(id, d)
			if k.neighbour[id][d] >= 0 {
				total++
			}
		}
	}
	k.starts = float64(keys)
	k.degree = float64(total) / float64(keys)
}

// parts finds runs of three or more keys, each next to the one before.
func (k *keyboard) parts(ps []part, b []byte) []part {
	for i := 0; i+2 < len(b); i++ {
		cur := k.keyOf[b[i]]
		if cur < 0 {
			continue
		}
		turns, lastDir, shifted := 0, -1, 0
		if k.shifted[b[i]] {
			shifted++
		}
		j := i + 1
		for ; j < len(b); j++ {
			next := k.keyOf[b[j]]
			dir := -1
			if next >= 0 {
				for d, n := range k.neighbour[cur] {
					if n == next {
						dir = d
						break
					}
				}
			}
			if dir < 0 {
				break
			}
			if dir != lastDir {
				turns++
				lastDir = dir
			}
			if k.shifted[b[j]] {
				shifted++
			}
			cur = next
			if j+1-i >= 3 {
				ps = append(ps, part{i, j + 1, k.bits(j+1-i, turns, shifted), kindKeyboard, 0})
			}
		}
	}
	return ps
}

// bits is zxcvbn's spatial guesses for a run of length l with the given
// turns and shifted keys.
func (k *keyboard) bits(l, turns, shifted int) float64 {
	g := 0.0
	for i := 2; i <= l; i++ {
		for j := 1; j <= min(turns, i-1); j++ {
			g += binomial(i-1, j-1) * k.starts * math.Pow(k.degree, float64(j))
		}
	}
	return math.Log2(g) + variationBits(shifted, l-shifted)
}

// variationBits is log2 of zxcvbn's variations when changed characters of
// a part (upper case, look-alikes, Shift) may be any of its characters:
// 2 when all or none changed, else the sum of C(changed+unchanged, i) for
// i up to min(changed, unchanged).
func variationBits(changed, unchanged int) float64 {
	switch {
	case changed == 0:
		return 0
	case unchanged == 0:
		return 1
	}
	v := 0.0
	for i := 1; i <= min(changed, unchanged); i++ {
		v += binomial(changed+unchanged, i)
	}
	return math.Log2(v)
}

func binomial(n, k int) float64 {
	if k < 0 || k > n {
		return 0
	}
	r := 1.0
	for i := 1; i <= k; i++ {
		r = r * float64(n-k+i) / float64(i)
	}
	return r
}

// Dictionary words.

// lookalikes maps a character to the letters it can stand for
// (leetspeak, after zxcvbn's table).
var lookalikes = [256]string{
	'4': "a", '@': "a", '8': "b", '(': "c", '{': "c", '[': "c", '<': "c",
	'3': "e", '6': "g", '9': "g", '1': "il", '!': "i", '|': "il", '7': "lt",
	'0': "o", '$': "s", '5': "s", '+': "t", '%': "x", '2': "z",
}

// wordSeparator reports whether c may sit inside a dictionary word without
// counting (pass_word, sua-chave).
func wordSeparator(c byte) bool { return c == ' ' || c == '_' || c == '-' || c == '.' }

// Dictionaries, each ranked by its order.
const (
	dictWords = iota
	dictKnown
)

// trie is every dictionary word, lower-cased, with its best rank.
type trie struct {
	nodes []trieNode
	edges []trieEdge
	root  [256]int32 // the root's children, by character; -1 for none
}

type trieNode struct {
	first int32 // first edge in trie.edges
	n     uint8 // number of edges
	dict  uint8 // dictionary of the word ending here, when rank > 0
	rank  int32 // rank of the word ending here; 0: none
}

type trieEdge struct {
	c  byte
	to int32
}

var (
	wordTrieOnce sync.Once
	wordTrie     *trie
)

func words() *trie {
	wordTrieOnce.Do(func() { wordTrie = buildTrie() })
	return wordTrie
}

// buildTrie inserts the word lists and the known keys (letters and digits
// only, so that their separators may vary) into a trie.
func buildTrie() *trie {
	type tmp struct {
		next       map[byte]*tmp
		dict, rank int
	}
	root := &tmp{}
	add := func(w string, dict, rank int) {
		if len(w) < minWordLen || len(w) > maxWordSpan {
			return
		}
		n := root
		for i := 0; i < len(w); i++ {
			if n.next == nil {
				n.next = map[byte]*tmp{}
			}
			m := n.next[w[i]]
			if m == nil {
				m = &tmp{}
				n.next[w[i]] = m
			}
			n = m
		}
		if n.rank == 0 || rank < n.rank {
			n.dict, n.rank = dict, rank
		}
	}
	for _, list := range []string{passwordWords, techWords, englishWords, portugueseWords} {
		for i, w := range strings.Fields(list) {
			add(w, dictWords, i+1)
		}
	}
	for i, k := range knownKeys {
		var b strings.Builder
		for _, c := range []byte(strings.ToLower(k)) {
			if (c >= 'a' && c <= 'z') || isDigit(c) {
				b.WriteByte(c)
			}
		}
		if b.Len() >= 6 {
			add(b.String(), dictKnown, i+1)
		}
	}
	t := &trie{}
	// Breadth first, so that a node's edges are contiguous.
	queue := []*tmp{root}
	t.nodes = append(t.nodes, trieNode{})
	for qi := 0; qi < len(queue); qi++ {
		n := queue[qi]
		node := &t.nodes[qi]
		node.dict, node.rank = uint8(n.dict), int32(n.rank)
		node.first = int32(len(t.edges))
		for c := 0; c < 256; c++ {
			if m := n.next[byte(c)]; m != nil {
				t.edges = append(t.edges, trieEdge{byte(c), int32(len(queue))})
				queue = append(queue, m)
				t.nodes = append(t.nodes, trieNode{})
				node = &t.nodes[qi]
				node.n++
			}
		}
	}
	for c := range t.root {
		t.root[c] = -1
	}
	for _, e := range t.edges[:t.nodes[0].n] {
		t.root[e.c] = e.to
	}
	return t
}

func (t *trie) child(node int32, c byte) int32 {
	if node == 0 {
		return t.root[c]
	}
	n := t.nodes[node]
	for _, e := range t.edges[n.first : n.first+int32(n.n)] {
		if e.c == c {
			return e.to
		}
	}
	return -1
}

// dictionaryParts finds dictionary words in b, forwards and reversed.
func dictionaryParts(ps []part, b []byte) []part {
	rev := make([]byte, len(b))
	for i, c := range b {
		rev[len(b)-1-i] = c
	}
	w := &wordWalker{t: words(), ps: ps}
	for _, dir := range []struct {
		b        []byte
		reversed bool
	}{{b, false}, {rev, true}} {
		w.b, w.reversed = dir.b, dir.reversed
		for s := range b {
			w.start = s
			w.walk(s, 0, 0)
		}
	}
	return w.ps
}

// wordWalker walks the trie from one start, trying each reading of every
// character: itself lower-cased, the letters it looks like, or a separator
// inside the word.
type wordWalker struct {
	t        *trie
	ps       []part
	b        []byte
	reversed bool
	start    int
	path     [maxWordSpan]byte // the letter read at each position; 0 for a separator
}

func (w *wordWalker) walk(pos int, node int32, seps int) {
	if n := w.t.nodes[node]; n.rank > 0 && pos > w.start && w.path[pos-1-w.start] != 0 {
		w.ps = append(w.ps, w.part(pos, n, seps))
	}
	if pos == len(w.b) || pos-w.start >= maxWordSpan {
		return
	}
	c := w.b[pos]
	lc := c
	if c >= 'A' && c <= 'Z' {
		lc = c + 'a' - 'A'
	}
	if next := w.t.child(node, lc); next >= 0 {
		w.path[pos-w.start] = lc
		w.walk(pos+1, next, seps)
	}
	for i := 0; i < len(lookalikes[c]); i++ {
		if x := lookalikes[c][i]; x != lc {
			if next := w.t.child(node, x); next >= 0 {
				w.path[pos-w.start] = x
				w.walk(pos+1, next, seps)
			}
		}
	}
	if wordSeparator(c) && pos > w.start && w.path[pos-1-w.start] != 0 {
		w.path[pos-w.start] = 0
		w.walk(pos+1, node, seps+1)
	}
}

// part scores the word read from w.start to end: its rank, times its case,
// look-alike, separator and direction variations.
func (w *wordWalker) part(end int, node trieNode, seps int) part {
	span := w.b[w.start:end]
	upper, lower := 0, 0
	firstUpper, lastUpper := false, false
	// Look-alike substitutions, by (character, letter) pair.
	type sub struct {
		c, x byte
		n    int
	}
	var subs [8]sub
	nsubs := 0
	var used [26]int // letters read as themselves
	for k, c := range span {
		switch {
		case c >= 'A' && c <= 'Z':
			if upper+lower == 0 {
				firstUpper = true
			}
			upper++
			lastUpper = true
		case c >= 'a' && c <= 'z':
			lower++
			lastUpper = false
		}
		x := w.path[k]
		if x == 0 {
			continue
		}
		lc := c
		if c >= 'A' && c <= 'Z' {
			lc = c + 'a' - 'A'
		}
		if lc == x {
			if x >= 'a' && x <= 'z' {
				used[x-'a']++
			}
			continue
		}
		i := 0
		for i < nsubs && (subs[i].c != c || subs[i].x != x) {
			i++
		}
		if i == nsubs {
			if nsubs == len(subs) {
				continue
			}
			subs[i] = sub{c: c, x: x}
			nsubs++
		}
		subs[i].n++
	}
	bits := math.Log2(float64(node.rank))
	switch {
	case upper == 0:
	case lower == 0 || (upper == 1 && (firstUpper || lastUpper)):
		bits++
	default:
		bits += variationBits(upper, lower)
	}
	for _, sb := range subs[:nsubs] {
		bits += variationBits(sb.n, used[sb.x-'a'])
	}
	if seps > 0 {
		bits += sepBits
	}
	if w.reversed {
		bits++
	}
	i, j := w.start, end
	if w.reversed {
		i, j = len(w.b)-end, len(w.b)-w.start
	}
	if node.dict == dictKnown {
		return part{i, j, bits, kindKnown, j - i}
	}
	return part{i, j, bits, kindWord, 0}
}

// The word lists, most common first in each: the rank of a word is its
// position. They are small on purpose (a few thousand words): a key made
// of words that are not here still scores low unless it is long, because
// letters alone are worth only 4.7 bits each.

// passwordWords: the most common passwords (English and Portuguese
// speaking countries) and their usual parts.
const passwordWords = `
password 123456 12345678 qwerty 123456789 12345 1234 111111 1234567 dragon
123123 baseball abc123 football monkey letmein shadow master 696969 mustang
666666 qwertyuiop 123321 1234567890 michael superman iloveyou trustno1 admin
welcome login princess sunshine starwars whatever passw0rd hello freedom
secret charlie batman zaq1zaq1 qazwsx access flower loveme ninja azerty
senha senha123 mudar123 mudar brasil flamengo corinthians palmeiras saopaulo
gremio cruzeiro vasco santos botafogo benfica porto sporting teamo amor
jesus familia futebol estrela default changeme temp guest root toor pass
pass123 test123 admin123 abcd abcdef abcdefg 654321 987654321 000000 121212
asdfgh asdfghjkl zxcvbn zxcvbnm 1qaz2wsx qwe123 hunter hunter2 killer
jordan michelle jennifer thomas robert daniel andrew joshua matthew pepper
ginger cheese summer winter autumn spring maggie buster soccer hockey
computer internet samsung apple google facebook linkedin
`

// techWords: words of web application configuration.
const techWords = `
secret key secretkey secret_key flask django session sessao cookie cookies
token app application dev development prod production staging local
localhost config settings private public security secure insecure random
string hash salt sign signing signature crypto encrypt encryption jwt auth
user username admin administrator api apikey server client web website site
database redis postgres mysql sqlite python java node express rails ruby
php golang rust docker kubernetes cloud aws heroku github gitlab example
sample test testing demo placeholder todo fixme change replace default
temporary temp generated generate complex strong long super ultra mega
hyper very really much more extra safe safety protected protect hidden
unknown nobody anyone someone thisis itis mykey yourkey ourkey newkey
oldkey appkey sessionkey cookiekey signkey masterkey supersecret topsecret
`

// englishWords: common English words.
const englishWords = `
the and for are but not you all any can had her was one our out day get
has him his how man new now old see two way who boy did its let put say
she too use that with have this will your from they know want been good
much some time very when come here just like long make many more only over
such take than them well were what year into back also after first work
life world because people think about would there their which could other
these thing where those never still every great little right place again
house water light night money story young point power change replace
example sample guess string keyboard cat dog hard easy quick brown fox
jumps lazy correct horse battery staple hello goodbye please thanks sorry
love hate happy sad good bad best worst big small large tiny high low open
close start stop begin end left right up down yes no maybe always sometimes
today tomorrow yesterday morning evening night week month year hour minute
second moment monday tuesday wednesday thursday friday saturday sunday
january february march april may june july august september october
november december one two three four five six seven eight nine ten eleven
twelve twenty hundred thousand million red blue green black white yellow
orange purple pink gray grey brown gold silver apple banana cherry grape
lemon lime mango melon peach pear plum berry tree flower grass river lake
sea ocean mountain hill sky sun moon star stars cloud rain snow wind fire
earth stone rock metal iron steel wood glass paper book letter word words
name names number numbers code codes door window wall floor roof room home
city town country state nation king queen prince lord lady god angel devil
heaven hell ghost magic dragon tiger lion bear wolf fox eagle hawk shark
snake spider mouse horse cow pig sheep goat chicken duck fish bird birds
baby child children girl woman women men friend friends family mother
father sister brother son daughter wife husband teacher student doctor
police soldier army war peace freedom truth lie lies dream dreams hope
fear death dead alive live lives life heart mind soul body head hand hands
eye eyes face hair blood bone skin voice music song songs dance game games
play player team ball sport car cars train plane ship boat road street
bridge park garden school college university class lesson course office
company business market bank shop store price cost free paid buy sell
trade job jobs boss chief captain leader member group party system network
computer machine robot phone mobile email mail message messages chat
picture photo image video movie film show news paper internet online
offline digital data file files folder document report list table chart
value values true false null none nothing something everything anything
everyone whoever secret secrets private hidden mystery puzzle riddle answer
question problem solution idea plan goal target mission project task test
check verify valid invalid error errors warning danger safe secure
security shield guard lock locked unlock keys door gate wall fence master
slave black white dark light shadow ghost night knight castle tower kingdom
empire rebel force jedi sith star wars trek matrix neo morpheus trinity
batman superman spiderman ironman hulk thor loki odin zeus apollo athena
hermes titan olympus
`

// portugueseWords: common Portuguese words, without accents.
const portugueseWords = `
sua seu minha meu nossa nosso chave chaves secreta secreto segredo segredos
segura seguro seguranca senha senhas super muito mais menos bem mal bom boa
melhor pior nova novo velha velho grande pequena pequeno que nao sim para
com uma uns umas por como mas foi ele ela eles elas tem ter ser sao esta
estao isso isto aquilo esse essa este aqui ali agora sempre nunca hoje
amanha ontem dia dias noite tarde manha semana mes meses ano anos hora
horas minuto minutos segundo segundos tempo vida mundo casa pessoa pessoas
homem mulher menino menina filho filha pai mae irmao irma amigo amiga
amigos familia trabalho coisa coisas parte lugar governo empresa sistema
cidade pais brasil portugal lisboa rio janeiro paulo sao salvador recife
fortaleza bahia minas gerais porto alegre curitiba brasilia amor paz luz
sol lua mar terra agua fogo ar ceu estrela estrelas gato gata cachorro
cao cavalo passaro peixe leao tigre macaco sapo pato galinha vaca porco
banana laranja limao uva maca pera morango abacaxi manga melancia pao
queijo cafe leite arroz feijao carne frango ovo ovos azul verde vermelho
vermelha amarelo amarela preto preta branco branca rosa roxo cinza
fevereiro marco abril maio junho julho agosto setembro outubro novembro
dezembro segunda terca quarta quinta sexta sabado domingo feira um dois
tres quatro cinco seis sete oito nove dez onze doze cem mil milhao usuario
usuaria usuarios sessao sessoes entrar sair login logout perfil pagina
paginas aplicacao aplicativo projeto aula aulas curso cursos aluno aluna
alunos professor professora escola faculdade universidade programa
programas programacao codigo codigos desafio tarefa exemplo exemplos teste
testes mudar trocar alterar mude troque altere gere gerar aleatoria
aleatorio forte fraca fraco privada privado publica publico protegida
protegido acesso administrador admin configuracao config desenvolvimento
producao servidor banco dados arquivo arquivos pasta nome nomes numero
numeros palavra palavras frase texto mensagem mensagens flash lista listas
valor valores verdade mentira sonho sonhos deus jesus maria jose joao ana
pedro lucas mateus gabriel rafael daniel marcos carlos paulo luiz antonio
francisco fernanda juliana patricia aline camila amanda bruna beatriz
larissa leticia mariana gabriela flamengo corinthians palmeiras santos
vasco gremio cruzeiro botafogo fluminense internacional atletico bahia
futebol bola time jogo jogos jogador campeao copa mundial selecao
escondida escondido misterio oculta oculto ninguem alguem todo todos tudo
nada algo quem onde quando porque entao tambem ainda ja so apenas mesmo
outra outro outras outros cada qual quais
`
