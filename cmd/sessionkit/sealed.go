package main

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/sessionkit/session/flask"
	"github.com/sessionkit/session/seal"
)

// SK1 sealed tokens (package seal, docs/ENCRYPTED.md) are the other format
// a session cookie can have: the same keys, the same tagged JSON, but
// encrypted. A token is told apart from a Flask cookie by its text alone:
// it has no dot, and its first byte is seal.Version.

// scopeOptions are the flags naming the seal.Scope of SK1 tokens.
type scopeOptions struct {
	purpose, app string
}

// addScopeFlags registers -purpose and -app on fs.
func addScopeFlags(fs *flag.FlagSet) *scopeOptions {
	s := &scopeOptions{}
	fs.StringVar(&s.purpose, "purpose", "session", "SK1 tokens: the `purpose` they are sealed for (seal.Scope.Purpose; sessionkit_seal's SealedSessionInterface uses session)")
	fs.StringVar(&s.app, "app", "", "SK1 tokens: the application `ID` they are bound to (seal.Scope.App; Flask's SESSIONKIT_APP_ID) (default none)")
	return s
}

func (s *scopeOptions) scope() seal.Scope { return seal.Scope{Purpose: s.purpose, App: s.app} }

// describe names the scope and cookie name a token is bound to, for
// messages.
func (s *scopeOptions) describe(name string) string {
	return fmt.Sprintf("cookie name %q, purpose %q and app %q", printable(name), printable(s.purpose), printable(s.app))
}

// scopeGiven reports whether -purpose or -app was set.
func scopeGiven(fs *flag.FlagSet) bool { return isFlagSet(fs, "purpose") || isFlagSet(fs, "app") }

// sealedHeader returns the unverified header of value when it is an SK1
// token: canonical base64url whose first byte is seal.Version.
func sealedHeader(value string) (seal.Header, bool) {
	if strings.IndexByte(value, '.') >= 0 {
		return seal.Header{}, false
	}
	h, err := seal.Parse(value)
	return h, err == nil
}

// malformedCookie explains a value that is neither a Flask cookie nor an
// SK1 token. flaskErr is what flask.Parse said. A value that looks like
// the start of a token (no dot, first character "s") is described as a
// broken token, since that is what it most likely is.
func malformedCookie(value string, flaskErr error) error {
	if strings.IndexByte(value, '.') >= 0 || !strings.HasPrefix(value, "s") {
		return flaskErr
	}
	_, err := seal.Parse(value)
	var ie seal.InvalidError
	if !errors.As(err, &ie) {
		return flaskErr
	}
	why := ""
	switch ie.Reason {
	case seal.ReasonLength:
		why = fmt.Sprintf("%d characters, where a token has at least %d: was it cut when copied?", len(value), seal.SealedLen(0))
	case seal.ReasonEncoding:
		why = "not canonical unpadded base64url: was it cut or changed when copied?"
	case seal.ReasonVersion:
		why = fmt.Sprintf("its first byte is not %#x, SK1's version", seal.Version)
	}
	return fmt.Errorf("neither a Flask cookie nor an SK1 token: %w: %s", err, why)
}

// sealer returns the seal.Sealer for keys in scope, or a usage error
// saying what is wrong with the ring (an empty or repeated key, an empty
// purpose). Key strength is not judged here: verify and decode must read
// what an app with a weak key wrote.
func (s *scopeOptions) sealer(key []byte, fallbacks [][]byte) (*seal.Sealer, error) {
	sl, err := seal.New(seal.Keys{Current: key, Fallbacks: fallbacks}, s.scope())
	if err != nil {
		return nil, usagef("%v", strings.TrimPrefix(err.Error(), "seal: "))
	}
	return sl, nil
}

// keyIDs names the key IDs of key and fallbacks, for messages.
func keyIDs(s *seal.Sealer) string {
	var parts []string
	for i, id := range s.KeyIDs() {
		if i == 0 {
			parts = append(parts, "key "+id.String())
		} else {
			parts = append(parts, fmt.Sprintf("fallback key %d %v", i-1, id))
		}
	}
	return strings.Join(parts, ", ")
}

// keyID returns the SK1 key ID of key, or "" when the cryptographic module
// refuses it (a key shorter than 14 bytes under GODEBUG=fips140=only).
func keyID(key []byte) string {
	id, err := seal.KeyIDOf(key)
	if err != nil {
		return ""
	}
	return id.String()
}

// sealedExit maps a refusal of seal.Open to the exit status table: a
// token that is not one is malformed (3), a key or tag that does not
// match is a failed check (1), and an age outside the window is 4.
func sealedExit(err error) int {
	var ie seal.InvalidError
	if !errors.As(err, &ie) {
		return exitMalformed
	}
	switch ie.Reason {
	case seal.ReasonKey, seal.ReasonTag:
		return exitFail
	case seal.ReasonExpired, seal.ReasonFuture:
		return exitExpired
	}
	return exitMalformed
}

// openSealed verifies and opens token as the session cookie called name at
// now, and returns its session. Every refusal says which check failed and
// what to try.
func (s *scopeOptions) openSealed(sl *seal.Sealer, name, token string, now time.Time) (map[string]any, seal.Info, error) {
	h, _ := seal.Parse(token)
	pt, info, err := sl.Open(name, token, now)
	if err != nil {
		var ie seal.InvalidError
		errors.As(err, &ie)
		var why string
		switch ie.Reason {
		case seal.ReasonLength:
			why = fmt.Sprintf("name and token are %d bytes: at most %d are read, what browsers keep", len(name)+len(token), sl.Limit)
		case seal.ReasonKey:
			why = fmt.Sprintf("it was sealed with key ID %v, which none of the keys given has (%s): give the key that sealed it, or a fallback", h.KeyID, keyIDs(sl))
		case seal.ReasonTag:
			why = fmt.Sprintf("the tag does not match: it was not sealed with this key for %s, or it was changed; see -name, -purpose and -app", s.describe(name))
		case seal.ReasonExpired:
			why = fmt.Sprintf("sealed at %s, more than -max-age %v before %s", formatUnix(h.IssuedAt.Unix()), sl.MaxAge, formatUnix(now.Unix()))
		case seal.ReasonFuture:
			why = fmt.Sprintf("sealed at %s, more than %v after %s (clocks too far apart?)", formatUnix(h.IssuedAt.Unix()), sl.Skew, formatUnix(now.Unix()))
		}
		if why != "" {
			err = fmt.Errorf("%w: %s", err, why)
		}
		return nil, info, fail(sealedExit(ie), err)
	}
	m, err := flask.Unmarshal(pt)
	if err != nil {
		return nil, info, failf(exitMalformed, "the token opened, but its content is not a session in Flask's tagged JSON: %v", err)
	}
	return m, info, nil
}

// maxAgeDuration is -max-age for a seal.Sealer: negative means no limit,
// where the Sealer fails closed.
func maxAgeDuration(d time.Duration) time.Duration {
	if d < 0 {
		return math.MaxInt64
	}
	return d
}
