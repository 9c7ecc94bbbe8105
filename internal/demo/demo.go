// Package demo is the site behind `sessionkit demo`: the two examples of the
// lesson on Flask sessions, run in Go with package session, with pages that
// show what the session cookie holds, what it costs and why tampering fails.
package demo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	session "github.com/sessionkit/session"
)

// DefaultLifetime is Exemplo 02's permanent session lifetime, as in the
// lesson (PERMANENT_SESSION_LIFETIME = timedelta(minutes=2)).
const DefaultLifetime = 2 * time.Minute

// Config configures the demo site. Key is required; the other fields are
// optional and state their defaults.
type Config struct {
	// Key is the secret key that signs session cookies (Flask's
	// SECRET_KEY). Required.
	Key []byte
	// Lifetime is how long a permanent session lives without activity.
	// Default DefaultLifetime (2 minutes).
	Lifetime time.Duration
	// Lang is the default language, "pt-BR" or "en", used when the
	// visitor chose none and Accept-Language names neither. Default "pt-BR".
	Lang string
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Store keeps sessions on the server when non-nil; the cookie then
	// holds only a signed session ID. Default nil: cookie sessions.
	Store session.Store
	// StoreName describes Store on the pages (for example "memory").
	// Default "cookie" when Store is nil.
	StoreName string
	// Ephemeral tells the pages that Key was generated at start and that
	// sessions end when the process stops. Default false.
	Ephemeral bool
	// Logger receives request errors. Default slog.Default().
	Logger *slog.Logger
}

// ErrUsage wraps Main's errors about its command line: a flag it does not
// know, a bad value, an extra argument. Main has already printed them, with
// the usage.
var ErrUsage = errors.New("demo: bad usage")

// Main runs `sessionkit demo` with args (without the subcommand name): it
// parses its flags, serves the site until ctx is cancelled, then shuts the
// server down gracefully. It prints the site's URL on stdout.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return run(ctx, args, os.Getenv, stdout, stderr)
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sessionkit demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "listen on `host:port`")
	keyFile := fs.String("secret-key-file", "", "read the secret key from `file` (default: env SECRET_KEY, else an ephemeral key)")
	lifetime := fs.Duration("lifetime", DefaultLifetime, "Exemplo 02's permanent session `lifetime`")
	lang := fs.String("lang", "pt-BR", "default `language`: pt-BR or en")
	storeSpec := fs.String("store", "cookie", "where sessions live: cookie, memory, sqlite:PATH, redis://HOST:PORT/DB or postgres://`URL`")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: sessionkit demo [flags]\n\n"+
			"Serves the lesson's examples on Flask sessions, with an inspector of the\n"+
			"session cookie. The secret key comes from -secret-key-file, else from the\n"+
			"SECRET_KEY environment variable, else a fresh key valid until the process stops.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	// badUsage prints what is wrong with the command line, as the flag
	// package does for its own errors, and returns it as an ErrUsage.
	badUsage := func(format string, args ...any) error {
		err := fmt.Errorf("%w: "+format, append([]any{ErrUsage}, args...)...)
		fmt.Fprintln(fs.Output(), err)
		fs.Usage()
		return err
	}
	if fs.NArg() > 0 {
		return badUsage("unexpected argument %q", fs.Arg(0))
	}
	if *lifetime <= 0 {
		return badUsage("-lifetime must be positive, got %v", *lifetime)
	}
	if _, ok := languages[*lang]; !ok {
		return badUsage("-lang must be pt-BR or en, got %q", *lang)
	}

	cfg := Config{Lifetime: *lifetime, Lang: *lang}
	switch {
	case *keyFile != "":
		b, err := os.ReadFile(*keyFile)
		if err != nil {
			return fmt.Errorf("demo: reading secret key: %w", err)
		}
		cfg.Key = []byte(strings.TrimRight(string(b), "\r\n"))
	case getenv("SECRET_KEY") != "":
		cfg.Key = []byte(getenv("SECRET_KEY"))
	default:
		k := make([]byte, 32)
		rand.Read(k)
		cfg.Key = []byte(hex.EncodeToString(k))
		cfg.Ephemeral = true
	}
	st, storeName, closeStore, err := openStore(ctx, *storeSpec)
	if err != nil {
		return err
	}
	defer closeStore()
	cfg.Store, cfg.StoreName = st, storeName
	h, err := NewHandler(cfg)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	if cfg.Ephemeral {
		fmt.Fprintln(stdout, "No SECRET_KEY or -secret-key-file: using a fresh random key; sessions end when this process stops.")
	}
	fmt.Fprintf(stdout, "Sessions: %s.\n", storeName)
	fmt.Fprintf(stdout, "sessionkit demo: http://%s/\n", ln.Addr())
	fmt.Fprintln(stdout, "Press Ctrl+C to stop.")

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	cleanCtx, stopCleaning := context.WithCancel(ctx)
	cleaned := make(chan struct{})
	go func() {
		defer close(cleaned)
		if st != nil {
			cleanExpired(cleanCtx, st, time.Minute, stderr)
		}
	}()
	defer func() { stopCleaning(); <-cleaned }()
	select {
	case err := <-served:
		return fmt.Errorf("demo: %w", err)
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return fmt.Errorf("demo: shutting down: %w", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("demo: %w", err)
	}
	fmt.Fprintln(stdout, "sessionkit demo: stopped")
	return nil
}

// NewHandler returns the demo site's handler.
func NewHandler(cfg Config) (http.Handler, error) {
	if len(cfg.Key) == 0 {
		return nil, errors.New("demo: Config.Key is required")
	}
	if cfg.Lifetime == 0 {
		cfg.Lifetime = DefaultLifetime
	}
	if cfg.Lang == "" {
		cfg.Lang = "pt-BR"
	}
	if _, ok := languages[cfg.Lang]; !ok {
		return nil, fmt.Errorf("demo: unknown language %q (want pt-BR or en)", cfg.Lang)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.StoreName == "" {
		cfg.StoreName = "cookie"
	}
	st, err := newSite(cfg)
	if err != nil {
		return nil, err
	}
	return st.routes(), nil
}

var languages = map[string]bool{"pt-BR": true, "en": true}
