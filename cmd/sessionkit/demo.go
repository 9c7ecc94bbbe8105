package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"strconv"
	"strings"
	"sync"
	"syscall"

	session "github.com/sessionkit/session"
	"github.com/sessionkit/session/internal/demo"
)

func (e *env) demoCommand() *command {
	c := &command{
		name:  "demo",
		short: "serve the lesson's examples in a browser",
		usage: "demo [-addr host:port] [-secret-key-file file] [-store url | -sealed] [-lifetime duration] [-lang pt-BR|en]",
		long: `
Demo serves the two examples of the lesson on Flask sessions (log in as
Maria; a list of names in a permanent session of 2 minutes), written in Go
with this library, with pages that show what the session cookie holds and
what it costs, and beside it the same session sealed (encrypted) as an SK1
token. -sealed runs the whole demo with sealed cookies (session.NewSealed).
It runs until interrupted.

The secret key comes from -secret-key-file, else from the SECRET_KEY
environment variable, else a fresh random key that lasts until the process
stops. A key that the library's key policy calls weak is refused. Run
"sessionkit demo -h" for every flag.

Exit status: 0 stopped by Ctrl+C, 1 could not start (weak key, busy port,
store unreachable), 2 usage.`,
		example: "sessionkit demo -addr 127.0.0.1:8080",
	}
	c.run = func(ctx context.Context, args []string) error {
		// What the demo writes on stderr is held until it serves: before
		// that it is its own usage text, which the error replaces.
		held := &heldWriter{w: escapingWriter{e.stderr}}
		err := demo.Main(ctx, args, startWriter{e.stdout, held}, held)
		var (
			we *session.WeakKeyError
			pe *fs.PathError
		)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, flag.ErrHelp):
			e.stdout.Write(held.take())
			return err
		case errors.Is(err, demo.ErrUsage):
			held.take()
			return &usageError{errors.New(strings.TrimPrefix(err.Error(), demo.ErrUsage.Error()+": "))}
		}
		held.release()
		switch {
		case errors.As(err, &we):
			return failf(exitFail, "the secret key is weak: %s; %s", we.Reason, we.Fix)
		case errors.Is(err, syscall.EADDRINUSE):
			return failf(exitFail, "%s", busyPort(err))
		case errors.As(err, &pe):
			return &usageError{err}
		}
		return err
	}
	return c
}

// busyPort explains a listen error on an address in use, and suggests
// the next port.
func busyPort(err error) string {
	addr := "the address"
	next := "127.0.0.1:8081"
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Addr != nil {
		addr = oe.Addr.String()
		if host, port, err := net.SplitHostPort(addr); err == nil {
			if n, err := strconv.Atoi(port); err == nil && n < 65535 {
				next = net.JoinHostPort(host, strconv.Itoa(n+1))
			}
		}
	}
	return fmt.Sprintf("%s is already in use (another demo or server is running there): stop it, or choose another port with -addr %s", addr, next)
}

// heldWriter holds what is written until release, then passes it through.
type heldWriter struct {
	mu       sync.Mutex // guards buf and released
	w        io.Writer
	buf      bytes.Buffer
	released bool
}

func (h *heldWriter) Write(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.released {
		return h.w.Write(p)
	}
	return h.buf.Write(p)
}

// release writes what was held and lets later writes through.
func (h *heldWriter) release() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.released {
		h.released = true
		h.w.Write(h.buf.Bytes())
		h.buf.Reset()
	}
}

// take returns and drops what was held.
func (h *heldWriter) take() []byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	b := bytes.Clone(h.buf.Bytes())
	h.buf.Reset()
	return b
}

// startWriter is the demo's stdout: its first line means the demo is
// serving, so what it holds on stderr is no longer usage text.
type startWriter struct {
	w    io.Writer
	held *heldWriter
}

func (s startWriter) Write(p []byte) (int, error) {
	s.held.release()
	return s.w.Write(p)
}
