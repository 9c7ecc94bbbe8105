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
		short: "check a cookie's signature and age and print its session",
		usage: "verify [-key-file file | -key-env name | -key key] [-fallback key]... [-max-age duration] [-now unix] [-salt salt] [-name name] [cookie | -]",
		long: `
Verify checks a Flask session cookie as Flask does: the signature with the
key (then the fallback keys, newest first), then the age against -max-age
(Flask's PERMANENT_SESSION_LIFETIME, 31 days by default; a timestamp in the
future is rejected too), then the payload. A valid cookie's session is
printed as Flask's canonical tagged JSON: compact, keys sorted, ASCII only,
the bytes Flask itself would write.

The key comes from -key-file, -key-env or -key, else from the SECRET_KEY
environment variable. The key is never printed. The cookie is read as
decode reads it: the argument or standard input, in any pasted form.

Exit status: 0 valid, 1 bad signature, 2 usage, 3 malformed (including a
payload that fails to decode after the signature verified, and input over
a limit), 4 expired or signed in the future.`,
		example: `SECRET_KEY=$(cat secret_key.txt) sessionkit verify -max-age 2m "$COOKIE"`,
	}
	fs := e.newFlags(c)
	keys := addKeyFlags(fs, true, true)
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
		signer, err := keys.signer(key, fallbacks)
		if err != nil {
			return err
		}
		cookie, err := e.readCookie(fs.Args(), *name, *maxInput)
		if err != nil {
			return err
		}
		codec := flask.NewCodec(signer)
		codec.MaxAge = maxAge.d
		m, err := codec.Decode(cookie, now.time(e))
		if err != nil {
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
