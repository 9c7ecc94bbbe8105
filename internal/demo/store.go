package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	session "github.com/sessionkit/session"
	"github.com/sessionkit/session/memstore"
	"github.com/sessionkit/session/sqlitestore"

	_ "modernc.org/sqlite" // database/sql driver "sqlite", pure Go
)

// openStore opens the session store that the -store flag names:
//
//	cookie              the session lives in the cookie (default, as Flask)
//	memory              in this process's memory
//	sqlite:PATH         in an SQLite database file
//
// It returns the store (nil for cookie), a name for the pages, and a
// function that releases the store's resources.
func openStore(ctx context.Context, spec string) (session.Store, string, func() error, error) {
	noop := func() error { return nil }
	switch {
	case spec == "" || spec == "cookie":
		return nil, "cookie", noop, nil
	case spec == "memory":
		return memstore.New(), "memory", noop, nil
	case strings.HasPrefix(spec, "sqlite:"):
		path := strings.TrimPrefix(spec, "sqlite:")
		if path == "" {
			return nil, "", nil, errors.New("demo: -store sqlite:PATH needs a file path")
		}
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)")
		if err != nil {
			return nil, "", nil, fmt.Errorf("demo: opening %s: %w", path, err)
		}
		if err := sqlitestore.Migrate(ctx, db); err != nil {
			db.Close()
			return nil, "", nil, fmt.Errorf("demo: preparing %s: %w", path, err)
		}
		return sqlitestore.New(db), "SQLite", db.Close, nil
	}
	return nil, "", nil, fmt.Errorf("demo: unknown -store %q (want cookie, memory or sqlite:PATH)", spec)
}

// cleanExpired runs the store's DeleteExpired every interval until ctx
// ends, for stores that keep expired records until removed.
func cleanExpired(ctx context.Context, st session.Store, interval time.Duration, stderr io.Writer) {
	c, ok := st.(session.Cleaner)
	if !ok {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := c.DeleteExpired(ctx); err != nil && ctx.Err() == nil {
				fmt.Fprintf(stderr, "sessionkit demo: removing expired sessions: %v\n", err)
			}
		}
	}
}
