package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
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

// readCookie returns the cookie named by the positional arguments: the
// argument itself, or standard input when it is "-" or absent. At most max
// bytes are read. Surrounding whitespace, one pair of double quotes (as in
// session="…") and a "session=" prefix are removed.
func (e *env) readCookie(args []string, max int) (string, error) {
	var s string
	switch {
	case len(args) > 1:
		return "", usagef("too many arguments: give one cookie, or - for standard input")
	case len(args) == 1 && args[0] != "-":
		s = args[0]
		if len(s) > max {
			return "", failf(exitMalformed, "input is %d bytes, more than the limit of %d (raise it with -max-input)", len(s), max)
		}
	default:
		b, err := readAtMost(e.stdin, max)
		if err != nil {
			return "", err
		}
		s = string(b)
	}
	s = strings.Trim(s, " \t\r\n")
	s = strings.TrimPrefix(s, "session=")
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	if s == "" {
		return "", failf(exitMalformed, "no cookie given")
	}
	return s, nil
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
