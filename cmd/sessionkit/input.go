package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// defaultMaxInput caps what decode and verify read from an argument or
// standard input (SECURITY.md E-44): a cookie is at most 4 KiB, so 64 KiB
// leaves room for pasted headers while a 1 GiB bomb is refused after
// reading 64 KiB.
const defaultMaxInput = 64 << 10

// printable returns s with every byte that is not printable ASCII escaped
// (\xNN for control characters and invalid UTF-8, \uNNNN or \UNNNNNNNN
// for other characters), so that untrusted text never reaches a terminal as
// control sequences (CWE-150).
func printable(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < 0x7f:
			b.WriteRune(r)
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
		i += size
	}
	return b.String()
}

// printableUTF8 is printable for text meant to keep its letters (the
// Portuguese checklist): it escapes control and format characters (C0, DEL,
// C1, bidirectional overrides) and invalid UTF-8, and keeps every other
// printable character.
func printableUTF8(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\t' || unicode.IsPrint(r):
			b.WriteRune(r)
		case r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
		i += size
	}
	return b.String()
}

// readCookie returns the value of the cookie called name given by the
// positional arguments: the argument itself, or standard input when it is
// "-" or absent. At most max bytes are read. The input may be any of the
// forms cookieValue accepts.
func (e *env) readCookie(args []string, name string, max int) (string, error) {
	var s string
	switch {
	case len(args) > 1:
		return "", usagef("give one cookie, not %d arguments (quote a pasted header: 'Cookie: session=...')", len(args))
	case len(args) == 1 && args[0] != "-":
		s = args[0]
		if len(s) > max {
			return "", failf(exitMalformed, "input is %d bytes, more than the limit of %d (raise it with -max-input)", len(s), max)
		}
	default:
		if len(args) == 0 && isTerminal(e.stdin) {
			return "", usagef("no cookie given: pass it as an argument, or pipe it in")
		}
		b, err := readAtMost(e.stdin, max)
		if err != nil {
			return "", err
		}
		s = string(b)
	}
	return cookieValue(s, name)
}

// isTerminal reports whether r is a terminal, where waiting for input
// would look like a hang.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// cookieValue finds the value of the cookie called name in s, pasted in
// any of the forms people copy cookies in:
//
//   - the bare value, possibly quoted or wrapped over several lines;
//   - name=value, or a list such as document.cookie shows ("a=1; name=value");
//   - a "Cookie: ..." request header or a "Set-Cookie: ..." response line
//     with its attributes, alone or among other header lines, or inside a
//     curl command copied from the browser's network panel (-H 'Cookie: ...',
//     -b '...', --cookie '...');
//   - a row copied from the browser's cookie table (name, value, domain, ...
//     separated by tabs).
//
// A Flask cookie value holds no whitespace, '=' or ';', which is what
// tells the forms apart.
func cookieValue(s, name string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", usagef("no cookie given: pass it as an argument, or - to read standard input")
	}
	if values, ok := headerValues(s); ok {
		return pickCookie(values, name)
	}
	if strings.Contains(s, "\t") {
		for _, line := range strings.Split(s, "\n") {
			f := strings.Split(strings.TrimSpace(line), "\t")
			if len(f) >= 2 && f[0] == name {
				return cleanValue(f[1], name)
			}
		}
	}
	// Wrapped lines and stray spaces: no form keeps whitespace that matters.
	s = strings.Join(strings.Fields(s), "")
	s = unquote(s)
	if strings.Contains(s, ";") || strings.HasPrefix(s, name+"=") {
		return pickCookie([]string{s}, name)
	}
	return cleanValue(s, name)
}

// headerValues returns what follows "Cookie:" or "Set-Cookie:" on each
// line of s that carries one, and curl's -b and --cookie arguments.
func headerValues(s string) ([]string, bool) {
	var values []string
	for _, line := range strings.Split(s, "\n") {
		lower := strings.ToLower(line)
		for _, marker := range []string{"cookie:", "-b ", "--cookie "} {
			i := strings.Index(lower, marker)
			if i < 0 {
				continue
			}
			var before byte = ' '
			if i > 0 {
				before = lower[i-1]
			}
			if !strings.ContainsRune(" \t'\"-", rune(before)) || (marker != "cookie:" && before != ' ' && before != '\t') {
				continue
			}
			v := strings.TrimSpace(line[i+len(marker):])
			// A curl argument ends at its closing quote.
			var quote byte
			switch {
			case marker == "cookie:" && (before == '\'' || before == '"'):
				quote = before
			case marker != "cookie:" && v != "" && (v[0] == '\'' || v[0] == '"'):
				quote, v = v[0], v[1:]
			}
			if quote != 0 {
				if q := strings.IndexByte(v, quote); q >= 0 {
					v = v[:q]
				}
			}
			values = append(values, strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "\\")))
			break
		}
	}
	return values, len(values) > 0
}

// pickCookie returns the value of the cookie called name among the
// "a=1; b=2" lists in lists; attributes of a Set-Cookie line (Path=/,
// HttpOnly) are skipped the same way.
func pickCookie(lists []string, name string) (string, error) {
	var seen []string
	for _, list := range lists {
		for _, pair := range strings.Split(list, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
			if !ok {
				continue
			}
			if k == name {
				return cleanValue(v, name)
			}
			if len(seen) < 5 && k != "" && !isAttribute(k) {
				seen = append(seen, k)
			}
		}
	}
	if len(seen) == 0 {
		return "", failf(exitMalformed, "no cookie named %q in the input", name)
	}
	return "", failf(exitMalformed, "no cookie named %q in the input (it has %s): name the session cookie with -name", name, strings.Join(seen, ", "))
}

func isAttribute(k string) bool {
	switch strings.ToLower(k) {
	case "path", "domain", "expires", "max-age", "samesite", "priority", "partitioned":
		return true
	}
	return false
}

// cleanValue removes what surrounds a value when copied: whitespace from
// wrapped lines and RFC 6265's optional double quotes.
func cleanValue(v, name string) (string, error) {
	v = unquote(strings.Join(strings.Fields(v), ""))
	if v == "" {
		return "", failf(exitMalformed, "the cookie %q is empty: there is no session in it (a Set-Cookie with an empty value deletes the cookie)", name)
	}
	return v, nil
}

// unquote strips one pair of surrounding double or single quotes.
func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

// defaultCookieName is Flask's SESSION_COOKIE_NAME default.
const defaultCookieName = "session"

// nameFlag registers -name, the session cookie's name.
func nameFlag(fs *flag.FlagSet) *string {
	return fs.String("name", defaultCookieName, "pick the cookie called `name` from pasted cookies or headers (Flask's SESSION_COOKIE_NAME)")
}

// errTooLarge reports input over a size limit.
var errTooLarge = errors.New("input too large")

// readAtMost reads r to the end, failing as soon as it has seen more than max
// bytes, so that memory stays bounded whatever r holds.
func readAtMost(r io.Reader, max int) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, int64(max)+1))
	if err != nil {
		return nil, fmt.Errorf("reading standard input: %w", err)
	}
	if len(b) > max {
		return nil, fail(exitMalformed, fmt.Errorf("%w: more than %d bytes (raise the limit with -max-input)", errTooLarge, max))
	}
	return b, nil
}

// unixFlag is a -now flag: a time given in Unix seconds, or the env's clock
// when not set.
type unixFlag struct {
	set bool
	sec int64
}

func (u *unixFlag) String() string {
	if !u.set {
		return ""
	}
	return strconv.FormatInt(u.sec, 10)
}

func (u *unixFlag) Set(s string) error {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return errors.New("want Unix seconds, such as 1700000000")
	}
	u.set, u.sec = true, n
	return nil
}

func (u *unixFlag) time(e *env) time.Time {
	if u.set {
		return time.Unix(u.sec, 0)
	}
	return e.now()
}

func (e *env) nowFlag(fs *flag.FlagSet) *unixFlag {
	u := new(unixFlag)
	fs.Var(u, "now", "use `unix` seconds as the current time (default: the clock)")
	return u
}

// maxAgeFlag is a -max-age flag: a Go duration ("744h", "2m") or a number of
// seconds as Flask's PERMANENT_SESSION_LIFETIME takes it. Negative means no
// limit.
type maxAgeFlag struct{ d time.Duration }

func (m *maxAgeFlag) String() string { return m.d.String() }

func (m *maxAgeFlag) Set(s string) error {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n > int64(1<<63-1)/int64(time.Second) || n < -int64(1<<63-1)/int64(time.Second) {
			return errors.New("out of range")
		}
		m.d = time.Duration(n) * time.Second
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return errors.New("want a duration such as 744h or 120s, or seconds")
	}
	m.d = d
	return nil
}

// formatAge describes a number of seconds as a duration, falling back to
// plain seconds where a time.Duration would overflow.
func formatAge(sec int64) string {
	const limit = int64(1<<63-1) / int64(time.Second)
	if sec > limit || sec < -limit {
		return strconv.FormatInt(sec, 10) + "s"
	}
	return (time.Duration(sec) * time.Second).String()
}

// ageSeconds returns now-ts, saturating instead of overflowing.
func ageSeconds(now, ts int64) int64 {
	d := now - ts
	if (ts < 0 && d < now) || (ts > 0 && d > now) {
		if ts < 0 {
			return 1<<63 - 1
		}
		return -1 << 63
	}
	return d
}

// formatUnix formats Unix seconds as RFC 3339 in UTC.
func formatUnix(sec int64) string {
	return time.Unix(sec, 0).UTC().Format(time.RFC3339)
}
