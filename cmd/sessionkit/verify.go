package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/sessionkit/session/flask"
)

// exitCode maps an error of package flask to verify's exit status.
func exitCode(err error) int {
	switch {
	case errors.Is(err, flask.ErrSignature):
		return exitFail
	case errors.Is(err, flask.ErrExpired):
		return exitExpired
	default:
		return exitMalformed
	}
}

// explain adds a hint for a person to a verification error.
func explain(err error) error {
	switch exitCode(err) {
	case exitFail:
		return fmt.Errorf("%w (the cookie was not signed with this key and salt, or it was changed)", err)
	case exitExpired:
		return fmt.Errorf("%w (Flask rejects it; see -max-age and -now)", err)
	}
	return err
}

func (e *env) verifyCommand() *command {
	c := &command{
		name:  "verify",
		short: "check a cookie's signature (or open a sealed one) and print its session",
		usage: "verify [-key-file file | -key-env name | -key key] [-fallback key]... [-max-age duration] [-now unix] [-salt salt | -purpose p -app id] [-name name] [cookie | -]",
		long: `
Verify checks a Flask session cookie as Flask does: the signature with the
key (then the fallback keys, newest first), then the age against -max-age
(Flask's PERMANENT_SESSION_LIFETIME, 31 days by default; a timestamp in the
future is rejected too), then the payload. A valid cookie's session is
printed as Flask's canonical tagged JSON: compact, keys sorted, ASCII only,
the bytes Flask itself would write.

An SK1 sealed token (session.NewSealed, or Flask with
python/sessionkit_seal) is opened with the same keys: the key ID in the
token picks the one key that may open it, its tag is checked for the
cookie's -name and the scope (-purpose, default session; -app, Flask's
SESSIONKIT_APP_ID, default none), then its age (-max-age, and at most 60s
in the future), and only then is it decrypted. A token sealed with a
fallback key is noted, as Flask's fallbacks are.

The key comes from -key-file, -key-env or -key, else from the SECRET_KEY
environment variable. The key is never printed. The cookie is read as
decode reads it: the argument or standard input, in any pasted form.

Exit status: 0 valid, 1 bad signature or tag, or a token sealed with none of
the keys given, 2 usage, 3 malformed (including a payload that fails to
decode after the signature verified, and input over a limit), 4 expired or
signed in the future.`,
		example: `SECRET_KEY=$(cat secret_key.txt) sessionkit verify -max-age 2m "$COOKIE"`,
	}
	fs := e.newFlags(c)
	keys := addKeyFlags(fs, true, true)
	scope := addScopeFlags(fs)
	maxAge := &maxAgeFlag{flask.DefaultMaxAge}
	fs.Var(maxAge, "max-age", "reject cookies signed longer than `duration` ago (Go duration or seconds; negative: no limit)")
	now := e.nowFlag(fs)
	name := nameFlag(fs)
	maxInput := fs.Int("max-input", defaultMaxInput, "read at most `n` bytes of input")
	c.run = func(ctx context.Context, args []string) error {
		if err := e.parse(c, args); err != nil {
			return err
		}
		if *maxInput < 1 {
			return usagef("-max-input must be positive")
		}
		key, fallbacks, err := keys.load(e, c.name)
		if err != nil {
			return err
		}
		cookie, err := e.readCookie(fs.Args(), *name, *maxInput)
		if err != nil {
			return err
		}
		if _, ok := sealedHeader(cookie); ok {
			if isFlagSet(fs, "salt") {
				return usagef("-salt is for Flask's signed cookies; an SK1 token is bound to -name, -purpose and -app instead")
			}
			sl, err := scope.sealer(key, fallbacks)
			if err != nil {
				return err
			}
			sl.MaxAge = maxAgeDuration(maxAge.d)
			m, info, err := scope.openSealed(sl, *name, cookie, now.time(e))
			if err != nil {
				return err
			}
			text, err := flask.Marshal(m)
			if err != nil {
				return fail(exitMalformed, err)
			}
			if info.Key > 0 {
				fmt.Fprintf(e.stderr, "sessionkit verify: note: sealed with fallback key %d (counting from 0, oldest first; key ID %v); sessionkit and sessionkit_seal seal it again with the current key on the next response, keeping its issue time\n", info.Key-1, info.KeyID)
			}
			_, err = fmt.Fprintf(e.stdout, "%s\n", text)
			return err
		}
		if scopeGiven(fs) {
			return usagef("-purpose and -app are for SK1 sealed tokens, and this is not one")
		}
		signer, err := keys.signer(key, fallbacks)
		if err != nil {
			return err
		}
		codec := flask.NewCodec(signer)
		codec.MaxAge = maxAge.d
		m, err := codec.Decode(cookie, now.time(e))
		if err != nil {
			if exitCode(err) == exitMalformed {
				return fail(exitMalformed, malformedCookie(cookie, err))
			}
			return fail(exitCode(err), explain(err))
		}
		text, err := flask.Marshal(m)
		if err != nil {
			return fail(exitMalformed, err)
		}
		if _, _, idx, err := signer.Unsign(cookie); err == nil && idx > 0 {
			fmt.Fprintf(e.stderr, "sessionkit verify: note: signed with fallback key %d (counting from 0, oldest first); Flask signs it with the current key when it next saves the session\n", idx-1)
		}
		_, err = fmt.Fprintf(e.stdout, "%s\n", text)
		return err
	}
	return c
}
