package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	session "github.com/sessionkit/session"
	"github.com/sessionkit/session/flask"
	"github.com/sessionkit/session/internal/desafio"
	"github.com/sessionkit/session/seal"
)

// Wordlist limits: lines longer than maxWordLine are skipped (no key is that
// long), and at most -max-words entries are read, which bounds the time an
// audit takes.
const (
	maxWordLine     = 4096
	defaultMaxWords = 10_000_000
)

func (e *env) auditCommand() *command {
	c := &command{
		name:  "audit",
		short: "look for weak keys, or for cookies signed with a published key",
		usage: "audit [-key-file file | -key-env name | -key key] [-fallback key]... [-wordlist file]\n       sessionkit audit -cookie cookie [-name name] [-wordlist file] [-show-key] [-salt salt | -purpose p -app id]",
		long: `
Audit has two forms.

With key options (or SECRET_KEY in the environment), it checks the key and
each fallback key against the library's key policy, the one session.New,
the demo and sign apply: a key must cost an attacker at least 2^128
guesses, estimated from its structure (words, published keys and their
variants, sequences, repeats, keyboard runs, dates), be at least 32 bytes,
hold no placeholder word, and no fallback may repeat the key. With
-wordlist it also looks the keys up in the list. Each good key is shown with
its fingerprint and its SK1 key ID, the ID sealed tokens carry.

With -cookie (a cookie in any form decode reads, or - for standard input),
it tells whether the cookie was signed with a published example key: the
list built into the library, variants of the lesson's key (case,
separators, digits and years added) or, with -wordlist, any key in the file
(one key a line, as plain text or as a Python string literal such as 'dev'
or b'\x01\x02', the format of flask-unsign's wordlists). The key found is
not printed unless -show-key is given; its SHA-256 fingerprint is.

An SK1 sealed token names the secret that sealed it by its key ID, which
audit shows. It then looks for that ID among the same keys (a known key's
ID is computed, no decryption is tried), and when one has it, checks the
token's tag with that key for the cookie's -name, -purpose and -app, so
that a match is proven rather than guessed.

Exit status: 0 nothing weak found, 1 a weak or published key found, 2 usage,
3 malformed cookie.`,
		example: `sessionkit audit -key-file secret_key.txt
sessionkit audit -cookie "$COOKIE" -wordlist all.txt`,
	}
	fs := e.newFlags(c)
	keys := addKeyFlags(fs, true, true)
	cookieArg := fs.String("cookie", "", "look for the key of this `cookie` (- reads standard input)")
	wordlist := fs.String("wordlist", "", "also try the keys in `file`, one a line")
	showKey := fs.Bool("show-key", false, "print the key found (it is a secret: anyone with it can forge sessions)")
	maxWords := fs.Int("max-words", defaultMaxWords, "read at most `n` wordlist entries")
	name := nameFlag(fs)
	scope := addScopeFlags(fs)
	c.run = func(ctx context.Context, args []string) error {
		if err := e.parse(c, args); err != nil {
			return err
		}
		if fs.NArg() > 0 {
			if _, err := flask.Parse(fs.Arg(0)); err == nil || strings.Contains(fs.Arg(0), "=") {
				return usagef("to audit a cookie, give it with -cookie: sessionkit audit -cookie COOKIE")
			}
			return usagef("unexpected argument %q: give a key with -key-file, -key-env or -key, or a cookie with -cookie", fs.Arg(0))
		}
		if *maxWords < 1 {
			return usagef("-max-words must be positive")
		}
		if isFlagSet(fs, "cookie") {
			if keys.given() {
				return usagef("give either -cookie or key options, not both")
			}
			cookie, err := e.readCookie([]string{*cookieArg}, *name, defaultMaxInput)
			if err != nil {
				return err
			}
			if h, ok := sealedHeader(cookie); ok {
				if isFlagSet(fs, "salt") {
					return usagef("-salt is for Flask's signed cookies; an SK1 token is bound to -name, -purpose and -app instead")
				}
				return e.auditSealed(ctx, scope, h, *name, cookie, *wordlist, *maxWords, *showKey)
			}
			if scopeGiven(fs) {
				return usagef("-purpose and -app are for SK1 sealed tokens, and this is not one")
			}
			return e.auditCookie(ctx, keys, cookie, *wordlist, *maxWords, *showKey)
		}
		if *showKey {
			return usagef("-show-key goes with -cookie")
		}
		if scopeGiven(fs) {
			return usagef("-purpose and -app go with -cookie and an SK1 token")
		}
		return e.auditKeys(ctx, keys, *wordlist, *maxWords)
	}
	return c
}

// auditKeys checks the key and fallbacks against the key policy and the
// wordlist.
func (e *env) auditKeys(ctx context.Context, keys *keyOptions, wordlist string, maxWords int) error {
	key, fallbacks, err := keys.load(e, "audit")
	if err != nil {
		return err
	}
	type named struct {
		name string
		key  []byte
	}
	all := []named{{"key", key}}
	for i, fb := range fallbacks {
		all = append(all, named{fmt.Sprintf("fallback key %d", i), fb})
	}
	weak := map[string]bool{}
	needNew := false // a weakness that only a new key fixes
	report := func(name string, key []byte, problem string, replace bool) {
		weak[name] = true
		needNew = needNew || replace
		fp := session.KeyFingerprint(key)
		problem = strings.Replace(problem, " (fingerprint "+fp+")", "", 1)
		fmt.Fprintf(e.stdout, "%s (fingerprint %s): weak: %s\n", name, fp, printable(problem))
	}
	for _, k := range all {
		var we *session.WeakKeyError
		if errors.As(session.CheckKey(k.key), &we) {
			report(k.name, k.key, we.Reason, true)
		}
		if k.name != "key" && string(k.key) == string(key) {
			report(k.name, k.key, "it is the current key: remove it from the fallbacks, which hold only keys retired from signing", false)
		}
	}
	if wordlist != "" {
		err := scanWordlist(ctx, wordlist, maxWords, func(line int, word string) bool {
			for _, k := range all {
				if string(k.key) == word {
					report(k.name, k.key, fmt.Sprintf("it is in the word list (line %d), which attackers try", line), true)
				}
			}
			return true
		})
		if err != nil {
			return err
		}
	}
	switch {
	case len(weak) == 0:
	case !needNew:
		return failf(exitFail, "a fallback repeats the key: remove it from the fallbacks")
	case len(weak) == 1:
		return failf(exitFail, "a weak key: make a new one with `sessionkit secret`")
	default:
		return failf(exitFail, "%d weak keys: make new ones with `sessionkit secret`", len(weak))
	}
	for _, k := range all {
		fmt.Fprintf(e.stdout, "%s (fingerprint %s, SK1 key ID %s): ok\n", k.name, session.KeyFingerprint(k.key), keyID(k.key))
	}
	return nil
}

// auditCookie looks for the cookie's key among the known keys and the
// wordlist.
func (e *env) auditCookie(ctx context.Context, keys *keyOptions, cookie, wordlist string, maxWords int, showKey bool) error {
	if _, err := flask.Parse(cookie); err != nil {
		return fail(exitMalformed, malformedCookie(cookie, err))
	}
	// signedWith reports whether key signed cookie, by the library's own
	// verification (flask.Signer.Unsign, constant-time comparison).
	signedWith := func(key []byte) (bool, error) {
		s, err := keys.signer(key, nil)
		if err != nil {
			return false, nil // a key the signer refuses (empty) cannot be tested
		}
		_, _, _, err = s.Unsign(cookie)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, flask.ErrSignature):
			return false, nil
		}
		return false, fail(exitMalformed, err)
	}
	found := func(where string, key []byte) error {
		fmt.Fprintf(e.stdout, "FOUND: the cookie was signed with a known key: %s (fingerprint %s).\n", where, session.KeyFingerprint(key))
		fmt.Fprintln(e.stdout, "Anyone can forge this app's sessions. Set a new random SECRET_KEY (sessionkit secret).")
		if showKey {
			fmt.Fprintf(e.stdout, "key: %s\n", printable(string(key)))
		}
		return failf(exitFail, "the cookie's key is known: make a new one with `sessionkit secret`")
	}
	known := session.KnownKeys()
	for i, k := range known {
		ok, err := signedWith([]byte(k))
		if err != nil {
			return err
		}
		if ok {
			return found(fmt.Sprintf("built-in list entry %d", i+1), []byte(k))
		}
	}
	tried := len(known)
	for k := range desafio.LessonKeyVariants() {
		tried++
		ok, err := signedWith([]byte(k))
		if err != nil {
			return err
		}
		if ok {
			return found("a variant of the lesson's key", []byte(k))
		}
	}
	if wordlist != "" {
		var (
			hit     bool
			hitLine int
			hitKey  string
			bad     error
		)
		err := scanWordlist(ctx, wordlist, maxWords, func(line int, word string) bool {
			tried++
			ok, err := signedWith([]byte(word))
			if err != nil {
				bad = err
				return false
			}
			if ok {
				hit, hitLine, hitKey = true, line, word
				return false
			}
			return true
		})
		if bad != nil {
			return bad
		}
		if err != nil {
			return err
		}
		if hit {
			return found(fmt.Sprintf("wordlist line %d", hitLine), []byte(hitKey))
		}
	}
	fmt.Fprintf(e.stdout, "not found: the cookie was signed with none of the %d keys tried\n", tried)
	return nil
}

// auditSealed looks for the secret that sealed an SK1 token among the
// known keys, the lesson's variants and the wordlist: by key ID first (one
// HKDF per candidate, no decryption), then, for a candidate with the
// token's ID, by the tag, so that a FOUND is proven.
func (e *env) auditSealed(ctx context.Context, scope *scopeOptions, h seal.Header, name, token, wordlist string, maxWords int, showKey bool) error {
	fmt.Fprintf(e.stdout, "SK1 sealed token, sealed with key ID %v at %s (unverified header).\n", h.KeyID, formatUnix(h.IssuedAt.Unix()))
	tried := 0
	// check returns a non-nil error (the verdict) when key has the token's
	// ID.
	check := func(where string, key []byte) error {
		tried++
		if id, err := seal.KeyIDOf(key); err != nil || id != h.KeyID {
			return nil
		}
		sl, err := seal.New(seal.Keys{Current: key}, scope.scope())
		if err != nil {
			return nil // a key the format refuses (empty) seals nothing
		}
		sl.Limit = max(sl.Limit, len(name)+len(token))
		fp := session.KeyFingerprint(key)
		if _, _, err := sl.Open(name, token, h.IssuedAt); err != nil {
			fmt.Fprintf(e.stdout, "KEY ID MATCH: %s (fingerprint %s) has the token's key ID, but the tag does not verify with it for %s.\n", where, fp, scope.describe(name))
			fmt.Fprintln(e.stdout, "Either the token was sealed for another name, purpose or app (see -name, -purpose, -app), or its header was forged. A genuine token with this ID was almost certainly sealed with this key.")
			if showKey {
				fmt.Fprintf(e.stdout, "key: %s\n", printable(string(key)))
			}
			return failf(exitFail, "the token's key ID is that of a known key: if the app uses it, make a new one with `sessionkit secret`")
		}
		fmt.Fprintf(e.stdout, "FOUND: the token was sealed with a known key: %s (fingerprint %s).\n", where, fp)
		fmt.Fprintln(e.stdout, "Anyone can open and forge this app's sessions. Set a new random SECRET_KEY (sessionkit secret).")
		if showKey {
			fmt.Fprintf(e.stdout, "key: %s\n", printable(string(key)))
		}
		return failf(exitFail, "the token's key is known: make a new one with `sessionkit secret`")
	}
	for i, k := range session.KnownKeys() {
		if err := check(fmt.Sprintf("built-in list entry %d", i+1), []byte(k)); err != nil {
			return err
		}
	}
	for k := range desafio.LessonKeyVariants() {
		if err := check("a variant of the lesson's key", []byte(k)); err != nil {
			return err
		}
	}
	if wordlist != "" {
		var verdict error
		err := scanWordlist(ctx, wordlist, maxWords, func(line int, word string) bool {
			verdict = check(fmt.Sprintf("wordlist line %d", line), []byte(word))
			return verdict == nil
		})
		if err != nil {
			return err
		}
		if verdict != nil {
			return verdict
		}
	}
	fmt.Fprintf(e.stdout, "not found: none of the %d keys tried has key ID %v\n", tried, h.KeyID)
	return nil
}

// scanWordlist calls fn for each entry of the wordlist at path, with its
// line number, until fn returns false. A line that is a Python string
// literal is read as its value, as flask-unsign does; lines longer than
// maxWordLine are skipped.
func scanWordlist(ctx context.Context, path string, maxWords int, fn func(line int, word string) bool) error {
	f, err := os.Open(path)
	if err != nil {
		return usagef("wordlist: %v", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, maxWordLine+2)
	words := 0
	for line := 1; ; line++ {
		b, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = r.ReadSlice('\n')
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				return fmt.Errorf("reading wordlist: %w", err)
			}
			continue
		}
		if err != nil && err != io.EOF {
			return fmt.Errorf("reading wordlist: %w", err)
		}
		word := strings.TrimRight(string(b), "\r\n")
		if word != "" {
			if v, ok := pyLiteral(word); ok {
				word = v
			}
			words++
			if words > maxWords {
				return usagef("the wordlist has more than %d entries (raise -max-words)", maxWords)
			}
			if words%4096 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			if !fn(line, word) {
				return nil
			}
		}
		if err == io.EOF {
			break
		}
	}
	return nil
}

// pyLiteral returns the value of a Python string or bytes literal ('…',
// "…", b'…', r'…'), encoded as Flask encodes a str key (UTF-8). ok is false
// when s is not such a literal.
func pyLiteral(s string) (value string, ok bool) {
	isBytes, isRaw := false, false
	for len(s) > 0 && strings.IndexByte("bBrR", s[0]) >= 0 {
		switch s[0] {
		case 'b', 'B':
			if isBytes {
				return "", false
			}
			isBytes = true
		default:
			if isRaw {
				return "", false
			}
			isRaw = true
		}
		s = s[1:]
	}
	if len(s) < 2 || (s[0] != '\'' && s[0] != '"') || s[len(s)-1] != s[0] {
		return "", false
	}
	q, body := s[0], s[1:len(s)-1]
	var b strings.Builder
	put := func(r rune) {
		if isBytes {
			b.WriteByte(byte(r))
		} else {
			b.WriteRune(r)
		}
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c == q {
			return "", false // an unescaped quote: not one literal
		}
		if isBytes && c >= utf8.RuneSelf {
			return "", false // bytes literals are ASCII
		}
		if c != '\\' || isRaw {
			b.WriteByte(c)
			if c == '\\' && i+1 < len(body) {
				i++
				b.WriteByte(body[i]) // a raw literal keeps the backslash and the escaped quote
			}
			continue
		}
		i++
		if i == len(body) {
			return "", false
		}
		switch c = body[i]; c {
		case '\\', '\'', '"':
			b.WriteByte(c)
		case '\n':
		case 'a':
			b.WriteByte(7)
		case 'b':
			b.WriteByte(8)
		case 'f':
			b.WriteByte(12)
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'v':
			b.WriteByte(11)
		case 'x':
			r, n := hexRune(body[i+1:], 2)
			if n < 0 {
				return "", false
			}
			put(r)
			i += n
		case 'u', 'U':
			if isBytes {
				b.WriteByte('\\')
				b.WriteByte(c)
				break
			}
			width := 4
			if c == 'U' {
				width = 8
			}
			r, n := hexRune(body[i+1:], width)
			if n < 0 || r > utf8.MaxRune {
				return "", false
			}
			b.WriteRune(r)
			i += n
		case '0', '1', '2', '3', '4', '5', '6', '7':
			r := rune(c - '0')
			for n := 1; n < 3 && i+1 < len(body) && body[i+1] >= '0' && body[i+1] <= '7'; n++ {
				i++
				r = r*8 + rune(body[i]-'0')
			}
			if isBytes && r > 0xff {
				return "", false
			}
			put(r)
		default:
			b.WriteByte('\\') // Python keeps unknown escapes as they are
			b.WriteByte(c)
		}
	}
	return b.String(), true
}

// hexRune reads exactly width hex digits from s; n is width, or -1 when s
// does not start with them.
func hexRune(s string, width int) (r rune, n int) {
	if len(s) < width {
		return 0, -1
	}
	for _, c := range []byte(s[:width]) {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, -1
		}
		r = r<<4 | rune(d)
	}
	return r, width
}
