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
		usage: "secret [-bytes n] [-format hex|base64url] [-insecure]",
		long: `
Secret prints a new secret key made of n random bytes from the operating
system's cryptographic random source, like Python's secrets.token_hex().
The default, 32 bytes written as 64 hex digits, is what the lesson uses.

Fewer than 32 bytes are refused unless -insecure is given. If the random
source fails, secret prints nothing and exits with status 1.`,
		example: `sessionkit secret > secret_key.txt
sessionkit verify -key-file secret_key.txt COOKIE`,
	}
	fs := e.newFlags(c)
	n := fs.Int("bytes", minSecretBytes, "number of random `bytes`")
	format := fs.String("format", "hex", "output `format`: hex or base64url (unpadded)")
	insecure := fs.Bool("insecure", false, "allow fewer than 32 bytes (for tests only)")
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
		_, err := fmt.Fprintln(e.stdout, out)
		return err
	}
	return c
}
