package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessionkit/session"
	"github.com/sessionkit/session/pgstore"
	"github.com/sessionkit/session/storetest"
)

const dsn = "postgres://postgres@127.0.0.1:5432/test"

// needPostgres returns a pool for dsn configured by configure (if not nil),
// skipping the test when PostgreSQL is not reachable and failing it when
// SESSIONKIT_REQUIRE_ALL=1.
func needPostgres(t testing.TB, configure func(*pgxpool.Config)) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.ConnectTimeout = 2 * time.Second
	if configure != nil {
		configure(cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err == nil {
		err = pool.Ping(ctx)
	}
	if err != nil {
		if os.Getenv("SESSIONKIT_REQUIRE_ALL") == "1" {
			t.Fatalf("PostgreSQL at %s: %v (SESSIONKIT_REQUIRE_ALL=1)", dsn, err)
		}
		t.Skipf("PostgreSQL at %s is not reachable (%v); start one to run this test", dsn, err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// newSchema creates a database schema for one test, with the store's
// tables, and drops it when the test ends.
func newSchema(t testing.TB, pool *pgxpool.Pool) string {
	t.Helper()
	ctx := context.Background()
	name := "sessionkit_test_" + strings.ToLower(strings.NewReplacer("-", "", "_", "").Replace(storetest.NewID()[:16]))
	if _, err := pool.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := pool.Exec(context.Background(), "DROP SCHEMA "+pgx.Identifier{name}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("dropping schema %s: %v", name, err)
		}
	})
	if err := pgstore.Migrate(ctx, pool, name); err != nil {
		t.Fatal(err)
	}
	return name
}

func newStore(t testing.TB, pool *pgxpool.Pool) *pgstore.Store {
	t.Helper()
	s := pgstore.New(pool)
	s.Schema = newSchema(t, pool)
	return s
}

func TestConformance(t *testing.T) {
	pool := needPostgres(t, nil)
	storetest.Run(t, func(t *testing.T) session.Store { return newStore(t, pool) })
}

func TestGenerations(t *testing.T) {
	pool := needPostgres(t, nil)
	storetest.RunGenerations(t, func(t *testing.T) session.Generations { return newStore(t, pool) })
}

func TestMigrateTwice(t *testing.T) {
	pool := needPostgres(t, nil)
	s := newStore(t, pool)
	if err := pgstore.Migrate(context.Background(), pool, s.Schema); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
}

// TestMigrateConcurrently: instances starting together against an empty
// schema all get their tables (CREATE TABLE IF NOT EXISTS alone races).
func TestMigrateConcurrently(t *testing.T) {
	pool := needPostgres(t, nil)
	ctx := context.Background()
	for round := range 5 {
		name := fmt.Sprintf("sessionkit_test_migrate_%d_%s", round, strings.ToLower(strings.NewReplacer("-", "", "_", "").Replace(storetest.NewID()[:12])))
		if _, err := pool.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{name}.Sanitize()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { pool.Exec(context.Background(), "DROP SCHEMA "+pgx.Identifier{name}.Sanitize()+" CASCADE") })
		errs := make(chan error, 4)
		for range cap(errs) {
			go func() { errs <- pgstore.Migrate(ctx, pool, name) }()
		}
		for range cap(errs) {
			if err := <-errs; err != nil {
				t.Fatalf("round %d: concurrent Migrate: %v", round, err)
			}
		}
	}
}

func TestMissingTable(t *testing.T) {
	pool := needPostgres(t, nil)
	s := pgstore.New(pool)
	s.Schema = "sessionkit_no_such_schema"
	_, err := s.Load(context.Background(), storetest.NewID())
	if !errors.Is(err, session.ErrStoreUnavailable) || errors.Is(err, session.ErrNotFound) {
		t.Fatalf("Load without the table = %v; want ErrStoreUnavailable, not ErrNotFound", err)
	}
}

// backendWaitingOnLock returns the process ID of the server backend that
// waits for a lock on behalf of application app.
func backendWaitingOnLock(t *testing.T, pool *pgxpool.Pool, app string) int {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		var pid int
		err := pool.QueryRow(context.Background(),
			`SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`, app).Scan(&pid)
		if err == nil {
			return pid
		}
		time.Sleep(10 * time.Millisecond) // polling for the other request to arrive
	}
	t.Fatal("the store's statement never waited on the lock")
	return 0
}

// lockRow holds a row lock on id from another connection until the test
// ends or the returned function is called.
func lockRow(t *testing.T, pool *pgxpool.Pool, schema, id string) (release func()) {
	t.Helper()
	ctx := context.Background()
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "SELECT 1 FROM "+pgx.Identifier{schema, "sessions"}.Sanitize()+" WHERE id = $1 FOR UPDATE", id); err != nil {
		t.Fatal(err)
	}
	release = func() { tx.Rollback(ctx) }
	t.Cleanup(release)
	return release
}

// TestTerminatedMidRequest kills the server backend that runs a save while
// it waits on a row lock (SECURITY.md F-08): the save fails with
// ErrStoreUnavailable, nothing is half-written, and the next request works.
func TestTerminatedMidRequest(t *testing.T) {
	admin := needPostgres(t, nil)
	app := "sessionkit-test-" + storetest.NewID()[:8]
	pool := needPostgres(t, func(c *pgxpool.Config) { c.ConnConfig.RuntimeParams["application_name"] = app })
	s := newStore(t, admin)
	s.Timeout = 10 * time.Second
	victim := pgstore.New(pool)
	victim.Schema = s.Schema
	ctx := context.Background()
	id := storetest.NewID()
	exp := time.Now().Add(time.Hour).Truncate(time.Millisecond)
	if err := s.Create(ctx, id, session.Record{Data: []byte("before"), Expiry: exp}); err != nil {
		t.Fatal(err)
	}
	for _, op := range []string{"Update", "Touch", "Renew"} {
		t.Run(op, func(t *testing.T) {
			release := lockRow(t, admin, s.Schema, id)
			defer release()
			done := make(chan error, 1)
			go func() {
				var err error
				switch op {
				case "Update":
					_, err = victim.Update(ctx, id, session.Record{Data: []byte("after"), Expiry: exp.Add(time.Hour), Version: 1})
				case "Touch":
					err = victim.Touch(ctx, id, exp.Add(time.Hour))
				case "Renew":
					_, err = victim.Renew(ctx, id, storetest.NewID(), session.Record{Data: []byte("after"), Expiry: exp, Version: 1})
				}
				done <- err
			}()
			pid := backendWaitingOnLock(t, admin, app)
			var ok bool
			if err := admin.QueryRow(ctx, `SELECT pg_terminate_backend($1)`, pid).Scan(&ok); err != nil || !ok {
				t.Fatalf("pg_terminate_backend = %v, %v", ok, err)
			}
			err := <-done
			if !errors.Is(err, session.ErrStoreUnavailable) {
				t.Fatalf("%s whose backend was terminated = %v; want ErrStoreUnavailable", op, err)
			}
			t.Logf("%s: %v", op, err)
			release()
			got, err := s.Load(ctx, id)
			if err != nil || string(got.Data) != "before" || got.Version != 1 || !got.Expiry.Equal(exp) {
				t.Fatalf("record after the failed %s = %+v, %v; want the one before", op, got, err)
			}
			// The pool replaces the dead connection.
			if _, err := victim.Load(ctx, id); err != nil {
				t.Fatalf("Load after the backend was replaced: %v", err)
			}
		})
	}
}

// TestLockTimeout holds the session's row locked longer than the store's
// timeout (SECURITY.md F-10).
func TestLockTimeout(t *testing.T) {
	pool := needPostgres(t, nil)
	s := newStore(t, pool)
	s.Timeout = 200 * time.Millisecond
	ctx := context.Background()
	id := storetest.NewID()
	if err := s.Create(ctx, id, session.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	lockRow(t, pool, s.Schema, id)
	start := time.Now()
	_, err := s.Update(ctx, id, session.Record{Data: []byte("y"), Expiry: time.Now().Add(time.Hour), Version: 1})
	if !errors.Is(err, session.ErrStoreUnavailable) {
		t.Fatalf("Update of a locked row = %v; want ErrStoreUnavailable", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Update of a locked row took %v with a 200ms timeout", d)
	}
	// Reads do not wait for row locks.
	if _, err := s.Load(ctx, id); err != nil {
		t.Fatalf("Load of a locked row: %v", err)
	}
}

// TestReadOnly plays a replica promoted wrongly or a failover in progress
// (SECURITY.md F-09): reads work, writes fail with ErrStoreUnavailable.
func TestReadOnly(t *testing.T) {
	admin := needPostgres(t, nil)
	rw := newStore(t, admin)
	ctx := context.Background()
	id := storetest.NewID()
	exp := time.Now().Add(time.Hour)
	if err := rw.Create(ctx, id, session.Record{Data: []byte("x"), Expiry: exp, Owner: "o"}); err != nil {
		t.Fatal(err)
	}
	pool := needPostgres(t, func(c *pgxpool.Config) {
		c.ConnConfig.RuntimeParams["default_transaction_read_only"] = "on"
	})
	s := pgstore.New(pool)
	s.Schema = rw.Schema
	if _, err := s.Load(ctx, id); err != nil {
		t.Fatalf("Load from a read-only server: %v", err)
	}
	rec := session.Record{Data: []byte("y"), Expiry: exp, Version: 1, Owner: "o"}
	writes := map[string]func() error{
		"Create":        func() error { return s.Create(ctx, storetest.NewID(), rec) },
		"Update":        func() error { _, err := s.Update(ctx, id, rec); return err },
		"Touch":         func() error { return s.Touch(ctx, id, exp) },
		"Renew":         func() error { _, err := s.Renew(ctx, id, storetest.NewID(), rec); return err },
		"Delete":        func() error { return s.Delete(ctx, id) },
		"DestroyAll":    func() error { _, err := s.DestroyAll(ctx, "o"); return err },
		"DeleteExpired": func() error { _, err := s.DeleteExpired(ctx); return err },
		"Bump":          func() error { _, err := s.Bump(ctx, "o"); return err },
	}
	for name, write := range writes {
		if err := write(); !errors.Is(err, session.ErrStoreUnavailable) {
			t.Errorf("%s on a read-only server = %v; want ErrStoreUnavailable", name, err)
		}
	}
	if got, err := rw.Load(ctx, id); err != nil || string(got.Data) != "x" || got.Version != 1 {
		t.Fatalf("record after refused writes = %+v, %v", got, err)
	}
}

func TestUnreachable(t *testing.T) {
	cfg, err := pgxpool.ParseConfig("postgres://postgres@127.0.0.1:1/test")
	if err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	s := pgstore.New(pool)
	start := time.Now()
	_, err = s.Load(context.Background(), storetest.NewID())
	if !errors.Is(err, session.ErrStoreUnavailable) || errors.Is(err, session.ErrNotFound) {
		t.Fatalf("Load from a closed port = %v; want ErrStoreUnavailable", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Load from a closed port took %v", d)
	}
}

func ExampleMigrate() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pool.Close()
	if err := pgstore.Migrate(ctx, pool, ""); err != nil {
		fmt.Println("PostgreSQL is not reachable here")
		return
	}
	store := pgstore.New(pool)
	_ = store // give it to the Manager: m.Store = store; m.Generations = store
}

func benchStore(b *testing.B) session.Store { return newStore(b, needPostgres(b, nil)) }

func BenchmarkLoad(b *testing.B)   { storetest.BenchmarkLoad(b, benchStore(b)) }
func BenchmarkUpdate(b *testing.B) { storetest.BenchmarkUpdate(b, benchStore(b)) }
func BenchmarkTouch(b *testing.B)  { storetest.BenchmarkTouch(b, benchStore(b)) }
func BenchmarkCreate(b *testing.B) { storetest.BenchmarkCreate(b, benchStore(b)) }

// TestReadRetriedOnDeadConnection kills the server backend of an idle
// pooled connection: the next Load, a read, is retried on a new
// connection and succeeds; a write is not retried and fails.
func TestReadRetriedOnDeadConnection(t *testing.T) {
	admin := needPostgres(t, nil)
	pool := needPostgres(t, func(c *pgxpool.Config) { c.MaxConns = 1 })
	s := newStore(t, admin)
	victim := pgstore.New(pool)
	victim.Schema = s.Schema
	ctx := context.Background()
	id := storetest.NewID()
	exp := time.Now().Add(time.Hour)
	if err := s.Create(ctx, id, session.Record{Data: []byte("x"), Expiry: exp}); err != nil {
		t.Fatal(err)
	}
	kill := func() {
		t.Helper()
		var pid int
		if err := pool.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
			t.Fatal(err)
		}
		if _, err := admin.Exec(ctx, `SELECT pg_terminate_backend($1)`, pid); err != nil {
			t.Fatal(err)
		}
	}
	kill()
	if _, err := victim.Load(ctx, id); err != nil {
		t.Fatalf("Load after its connection died: %v; want a retry that succeeds", err)
	}
	kill()
	_, err := victim.Update(ctx, id, session.Record{Data: []byte("y"), Expiry: exp, Version: 1})
	if !errors.Is(err, session.ErrStoreUnavailable) {
		t.Fatalf("Update after its connection died = %v; want ErrStoreUnavailable (writes are not retried)", err)
	}
}

// TestPoolExhausted holds the pool's only connection (SECURITY.md F-05):
// a request waiting for one gives up at the store's timeout.
func TestPoolExhausted(t *testing.T) {
	pool := needPostgres(t, func(c *pgxpool.Config) { c.MaxConns = 1 })
	s := newStore(t, needPostgres(t, nil))
	victim := pgstore.New(pool)
	victim.Schema = s.Schema
	victim.Timeout = 200 * time.Millisecond
	conn, err := pool.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	start := time.Now()
	_, err = victim.Load(context.Background(), storetest.NewID())
	if !errors.Is(err, session.ErrStoreUnavailable) {
		t.Fatalf("Load with no free connection = %v; want ErrStoreUnavailable", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Load with no free connection took %v with a 200ms timeout", d)
	}
}
