package main

import (
	"context"
	"errors"

	"github.com/sessionkit/session/internal/demo"
)

func (e *env) demoCommand() *command {
	c := &command{
		name:  "demo",
		short: "serve the lesson's examples in a browser",
		usage: "demo [-addr host:port] [-secret-key-file file] [-store url] [-lifetime duration] [-lang pt-BR|en]",
		long: `
Demo serves the two examples of the lesson on Flask sessions (log in as
Maria; a list of names in a permanent session of 2 minutes), written in Go
with this library, with pages that show what the session cookie holds and
what it costs. It runs until interrupted.

The secret key comes from -secret-key-file, else from the SECRET_KEY
environment variable, else a fresh random key that lasts until the process
stops. Run "sessionkit demo -h" for every flag.`,
		example: "sessionkit demo -addr 127.0.0.1:8080",
	}
	c.run = func(ctx context.Context, args []string) error {
		// demo.Main parses its own flags and prints their errors and usage.
		err := demo.Main(ctx, args, e.stdout, escapingWriter{e.stderr})
		if errors.Is(err, demo.ErrUsage) {
			return &usageError{}
		}
		return err
	}
	return c
}
