package demo

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
	session "github.com/sessionkit/session"
	"github.com/sessionkit/session/memstore"
	"github.com/sessionkit/session/pgstore"
	"github.com/sessionkit/session/redisstore"
	"github.com/sessionkit/session/sqlitestore"
)

// storeForms says which -store values the demo takes, for its messages.
const storeForms = "cookie, memory, sqlite:PATH, redis://HOST:PORT/DB or postgres://URL"

// checkStoreSpec refuses a -store value of no known form, or one missing
// what its form needs, with an error wrapping ErrUsage. It looks at the
// text only: whether the store can be opened is openStore's to find out.
func checkStoreSpec(spec string) error {
	switch {
	case spec == "" || spec == "cookie" || spec == "memory":
		return nil
	case spec == "sqlite:":
		return fmt.Errorf("%w: -store sqlite:PATH needs a file path, as in sqlite:demo.db", ErrUsage)
	}
	for _, prefix := range []string{"sqlite:", "redis://", "rediss://", "postgres://", "postgresql://"} {
		if strings.HasPrefix(spec, prefix) && len(spec) > len(prefix) {
			return nil
		}
	}
	return unknownStore(spec)
}

func unknownStore(spec string) error {
	return fmt.Errorf("%w: unknown -store %q: use %s", ErrUsage, spec, storeForms)
}

// openStore opens the session store that the -store flag names:
//
//	cookie              the session lives in the cookie (default, as Flask)
//	memory              in this process's memory
//	sqlite:PATH         in an SQLite database file
//	redis://HOST:PORT/DB     in Redis
//	postgres://...      in PostgreSQL (a pgx connection URL)
//
// It returns the store (nil for cookie), a name for the pages, and a
// function that releases the store's resources.
func openStore(ctx context.Context, spec string) (session.Store, string, func() error, error) {
	if err := checkStoreSpec(spec); err != nil {
		return nil, "", nil, err
	}
	noop := func() error { return nil }
	switch {
	case spec == "" || spec == "cookie":
		return nil, "cookie", noop, nil
	case spec == "memory":
		return memstore.New(), "memory", noop, nil
	case strings.HasPrefix(spec, "sqlite:"):
		path := strings.TrimPrefix(spec, "sqlite:")
		// Open creates the file readable by its owner only (0600).
		db, err := sqlitestore.Open(ctx, path)
		if err != nil {
			return nil, "", nil, fmt.Errorf("demo: opening %s: %w", path, err)
		}
		return sqlitestore.New(db), "SQLite", db.Close, nil
	case strings.HasPrefix(spec, "redis://") || strings.HasPrefix(spec, "rediss://"):
		opts, err := redis.ParseURL(spec)
		if err != nil {
			return nil, "", nil, fmt.Errorf("demo: -store: %w", err)
		}
		// Without it a slow server would hold requests past their deadline.
		opts.ContextTimeoutEnabled = true
		client := redis.NewClient(opts)
		if err := client.Ping(ctx).Err(); err != nil {
			client.Close()
			return nil, "", nil, fmt.Errorf("demo: -store: Redis at %s: %w", opts.Addr, err)
		}
		return redisstore.New(client), "Redis", client.Close, nil
	case strings.HasPrefix(spec, "postgres://") || strings.HasPrefix(spec, "postgresql://"):
		pool, err := pgxpool.New(ctx, spec)
		if err != nil {
			return nil, "", nil, fmt.Errorf("demo: -store: %w", err)
		}
		if err := pool.Ping(ctx); err != nil {
			pool.Close()
			return nil, "", nil, fmt.Errorf("demo: -store: PostgreSQL: %w", err)
		}
		if err := pgstore.Migrate(ctx, pool, ""); err != nil {
			pool.Close()
			return nil, "", nil, fmt.Errorf("demo: %w", err)
		}
		return pgstore.New(pool), "PostgreSQL", func() error { pool.Close(); return nil }, nil
	}
	return nil, "", nil, unknownStore(spec)
}

// setStoreTimeout sets the bound on each operation of the stores that
// have one (SQLite, Redis, PostgreSQL); memory and cookie have none.
func setStoreTimeout(st session.Store, d time.Duration) {
	switch st := st.(type) {
	case *sqlitestore.Store:
		st.Timeout = d
	case *redisstore.Store:
		st.Timeout = d
	case *pgstore.Store:
		st.Timeout = d
	}
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
