package main

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
)

// Limits of secret -bytes.
const (
	minSecretBytes = 32 // SECURITY.md §4 K2 and J-89
	maxSecretBytes = 1024
)

func (e *env) secretCommand() *command {
	c := &command{
		name:  "secret",
		short: "generate a random secret key",
		usage: "secret [-bytes n] [-format hex|base64url] [-insecure] [-sealed]",
		long: `
Secret prints a new secret key made of n random bytes from the operating
system's cryptographic random source, like Python's secrets.token_hex().
The default, 32 bytes written as 64 hex digits, is what the lesson uses.
The key is its text, as Flask's SECRET_KEY = '...' takes it.

One key serves both cookie formats: Flask's signed cookie
(session.New, Flask's own session) and the SK1 sealed cookie
(session.NewSealed, python/sessionkit_seal's SealedSessionInterface), which
derives its own encryption and MAC keys from it. -sealed also prints, on
standard error, the key's SK1 key ID: every token the key seals carries it,
and decode, verify and audit name keys by it, so that during a rotation you
can tell which key sealed a cookie. A sealed deployment needs nothing else:
the same SECRET_KEY, and the same purpose and application ID on every
service that shares the cookie (session by default, and Flask's
SESSIONKIT_APP_ID).

Fewer than 32 bytes are refused unless -insecure is given. If the random
source fails, secret prints nothing and exits with status 1.`,
		example: `sessionkit secret > secret_key.txt
sessionkit verify -key-file secret_key.txt COOKIE
sessionkit secret -sealed > secret_key.txt`,
	}
	fs := e.newFlags(c)
	n := fs.Int("bytes", minSecretBytes, "number of random `bytes`")
	format := fs.String("format", "hex", "output `format`: hex or base64url (unpadded)")
	insecure := fs.Bool("insecure", false, "allow fewer than 32 bytes (for tests only)")
	sealed := fs.Bool("sealed", false, "also print the key's SK1 key ID (on standard error, so that standard output is the key alone)")
	c.run = func(ctx context.Context, args []string) error {
		if err := e.parse(c, args); err != nil {
			return err
		}
		if fs.NArg() > 0 {
			if _, err := strconv.Atoi(fs.Arg(0)); err == nil {
				return usagef("unexpected argument %q: give the number of bytes with -bytes %s", fs.Arg(0), fs.Arg(0))
			}
			return usagef("unexpected argument %q", fs.Arg(0))
		}
		if *format != "hex" && *format != "base64url" {
			return usagef("-format must be hex or base64url")
		}
		switch {
		case *n < 1 || *n > maxSecretBytes:
			return usagef("-bytes must be between 1 and %d", maxSecretBytes)
		case *n < minSecretBytes && !*insecure:
			return usagef("-bytes %d is too few: a key needs at least %d random bytes (use -insecure to force)", *n, minSecretBytes)
		case *n < minSecretBytes:
			fmt.Fprintf(e.stderr, "sessionkit secret: warning: %d bytes is too short for a production key\n", *n)
		}
		b := make([]byte, *n)
		if _, err := io.ReadFull(e.random, b); err != nil {
			return failf(exitFail, "random source failed: %v", err)
		}
		var out string
		if *format == "hex" {
			out = hex.EncodeToString(b)
		} else {
			out = base64.RawURLEncoding.EncodeToString(b)
		}
		if _, err := fmt.Fprintln(e.stdout, out); err != nil {
			return err
		}
		if *sealed {
			fmt.Fprintf(e.stderr, "SK1 key ID %s: the tokens this key seals carry it (sessionkit decode shows it)\n", keyID([]byte(out)))
		}
		return nil
	}
	return c
}
