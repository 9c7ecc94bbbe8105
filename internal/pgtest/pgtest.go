// Package pgtest connects sessionkit's tests to PostgreSQL: the database
// named by SESSIONKIT_POSTGRES_DSN (see internal/testenv) and database
// schemas of their own that are dropped when the test ends.
package pgtest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessionkit/session/internal/testenv"
)

// Pool returns a pool for the shared database, its configuration changed by
// configure if not nil, closed when the test ends. If the database does not
// answer, the test ends through testenv.Missing.
func Pool(t testing.TB, configure func(*pgxpool.Config)) *pgxpool.Pool {
	t.Helper()
	dsn := testenv.PostgresDSN()
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		t.Fatalf("SESSIONKIT_POSTGRES_DSN: %v", err)
	}
	if configure != nil {
		configure(cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), testenv.Patience)
	defer cancel()
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err == nil {
		err = pool.Ping(ctx)
		if err != nil {
			pool.Close()
		}
	}
	if err != nil {
		testenv.Missing(t, "PostgreSQL at %s (SESSIONKIT_POSTGRES_DSN) is not reachable: %v", dsn, err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// Schema creates an empty database schema no other test uses,
// "sessionkit_test_" and a random part, and drops it with everything in it
// when the test ends.
func Schema(t testing.TB, pool *pgxpool.Pool) string {
	t.Helper()
	name := testenv.Name("sessionkit_test_")
	ident := pgx.Identifier{name}.Sanitize()
	ctx, cancel := context.WithTimeout(context.Background(), testenv.Patience)
	defer cancel()
	if _, err := pool.Exec(ctx, "CREATE SCHEMA "+ident); err != nil {
		t.Fatalf("creating schema %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), testenv.Patience)
		defer cancel()
		if _, err := pool.Exec(ctx, "DROP SCHEMA "+ident+" CASCADE"); err != nil {
			t.Errorf("dropping schema %s: %v", name, err)
		}
	})
	return name
}
