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
	"io/fs"
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
	// Sealed writes the session cookies as SK1 tokens, encrypted and
	// authenticated (session.NewSealed, package seal), instead of Flask's
	// signed cookies, which anyone can read. Server-side sessions (Store)
	// keep a signed ID in the cookie either way, so NewHandler refuses
	// both. Default false: Flask's signed cookies, as in the lesson.
	Sealed bool
	// Ephemeral tells the pages that Key was generated at start and that
	// sessions end when the process stops. Default false.
	Ephemeral bool
	// KeyFile names the file Key was read from, for the pages. Default "":
	// the key was given otherwise.
	KeyFile string
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
	keyFile := fs.String("secret-key-file", "", "read the secret key from `file`, creating it with a random key (mode 0600) if missing (default: env SECRET_KEY, else an ephemeral key)")
	lifetime := fs.Duration("lifetime", DefaultLifetime, "Exemplo 02's permanent session `lifetime`")
	lang := fs.String("lang", "pt-BR", "default `language`: pt-BR or en")
	storeSpec := fs.String("store", "cookie", "where sessions live: cookie, memory, sqlite:PATH, redis://HOST:PORT/DB or postgres://`URL`")
	sealed := fs.Bool("sealed", false, "write sealed (encrypted) session cookies, SK1 tokens, instead of Flask's signed ones")
	storeTimeout := fs.Duration("store-timeout", 0, "bound each operation of the SQLite, Redis or PostgreSQL store by `duration` (0: the store's default, 1s); raise it for a slow or distant database")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: sessionkit demo [flags]\n\n"+
			"Serves the lesson's examples on Flask sessions, with an inspector of the\n"+
			"session cookie. The secret key comes from -secret-key-file (created with a\n"+
			"random key on first use, then reused, so that sessions survive restarts),\n"+
			"else from the SECRET_KEY environment variable, else a fresh key valid until\n"+
			"the process stops.\n\nFlags:\n")
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
	if err := checkStoreSpec(*storeSpec); err != nil {
		return badUsage("%s", strings.TrimPrefix(err.Error(), ErrUsage.Error()+": "))
	}
	if *storeTimeout < 0 {
		return badUsage("-store-timeout must not be negative, got %v", *storeTimeout)
	}
	if *sealed && *storeSpec != "" && *storeSpec != "cookie" {
		return badUsage("-sealed goes with cookie sessions: with -store %s the cookie holds only a signed ID, and the data stays on the server", *storeSpec)
	}

	cfg := Config{Lifetime: *lifetime, Lang: *lang, Sealed: *sealed}
	switch {
	case *keyFile != "":
		key, created, err := keyFromFile(*keyFile, stderr)
		if err != nil {
			return err
		}
		if created {
			fmt.Fprintf(stdout, "Created %s with a new random secret key (mode 0600); the next start reuses it.\n", *keyFile)
		}
		cfg.Key, cfg.KeyFile = key, *keyFile
	case getenv("SECRET_KEY") != "":
		cfg.Key = []byte(getenv("SECRET_KEY"))
	default:
		cfg.Key = newKey()
		cfg.Ephemeral = true
	}
	st, storeName, closeStore, err := openStore(ctx, *storeSpec)
	if err != nil {
		return err
	}
	defer closeStore()
	if *storeTimeout > 0 {
		setStoreTimeout(st, *storeTimeout)
	}
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
		fmt.Fprintln(stdout, "To keep them across restarts: go run ./cmd/sessionkit demo -secret-key-file demo.key")
	}
	if cfg.Sealed {
		fmt.Fprintf(stdout, "Sessions: %s, sealed (SK1: encrypted).\n", storeName)
	} else {
		fmt.Fprintf(stdout, "Sessions: %s.\n", storeName)
	}
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
	if cfg.Sealed && cfg.Store != nil {
		return nil, errors.New("demo: Config.Sealed goes with cookie sessions: with a Store the cookie holds only a signed ID")
	}
	st, err := newSite(cfg)
	if err != nil {
		return nil, err
	}
	return st.routes(), nil
}

var languages = map[string]bool{"pt-BR": true, "en": true}

// newKey returns a fresh random key: 32 bytes, as 64 hex digits.
func newKey() []byte {
	k := make([]byte, 32)
	rand.Read(k) // never fails (crypto/rand documents it)
	return []byte(hex.EncodeToString(k))
}

// keyFromFile reads the secret key from path, a trailing newline ignored.
// When path does not exist it creates it, readable by its owner only, with
// a fresh key, and reports created; it never overwrites a file. A key file
// that others may read is used with a warning on stderr.
func keyFromFile(path string, stderr io.Writer) (key []byte, created bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		key = newKey()
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, false, fmt.Errorf("demo: creating secret key file: %w", err)
		}
		_, err = f.Write(append(key, '\n'))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(path)
			return nil, false, fmt.Errorf("demo: writing secret key file: %w", err)
		}
		return key, true, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("demo: reading secret key: %w", err)
	}
	key = []byte(strings.TrimRight(string(b), "\r\n"))
	if len(key) == 0 {
		return nil, false, fmt.Errorf("demo: secret key file %s is empty; delete it and the demo creates a new key", path)
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		fmt.Fprintf(stderr, "sessionkit demo: warning: %s is readable by others (mode %v); run: chmod 600 %s\n", path, fi.Mode().Perm(), path)
	}
	return key, false, nil
}
