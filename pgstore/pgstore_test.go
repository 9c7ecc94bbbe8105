package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessionkit/session"
	"github.com/sessionkit/session/internal/pgtest"
	"github.com/sessionkit/session/internal/testenv"
	"github.com/sessionkit/session/pgstore"
	"github.com/sessionkit/session/storetest"
)

// newStore returns a store over pool in a schema of its own, dropped when
// the test ends. Its Timeout is generous: a test that wants an operation to
// time out shortens it once its records are in place.
func newStore(t testing.TB, pool *pgxpool.Pool) *pgstore.Store {
	t.Helper()
	s := pgstore.New(pool)
	s.Schema = pgtest.Schema(t, pool)
	s.Timeout = testenv.Patience
	if err := pgstore.Migrate(context.Background(), pool, s.Schema); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	pool := pgtest.Pool(t, nil)
	storetest.Run(t, func(t *testing.T) session.Store { return newStore(t, pool) })
}

func TestGenerations(t *testing.T) {
	pool := pgtest.Pool(t, nil)
	storetest.RunGenerations(t, func(t *testing.T) session.Generations { return newStore(t, pool) })
}

func TestMigrateTwice(t *testing.T) {
	pool := pgtest.Pool(t, nil)
	s := newStore(t, pool)
	if err := pgstore.Migrate(context.Background(), pool, s.Schema); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
}

// TestMigrateConcurrently: instances starting together against an empty
// schema all get their tables (CREATE TABLE IF NOT EXISTS alone races).
func TestMigrateConcurrently(t *testing.T) {
	pool := pgtest.Pool(t, nil)
	for round := range 5 {
		schema := pgtest.Schema(t, pool)
		errs := make(chan error, 4)
		for range cap(errs) {
			go func() { errs <- pgstore.Migrate(context.Background(), pool, schema) }()
		}
		for range cap(errs) {
			if err := <-errs; err != nil {
				t.Fatalf("round %d: concurrent Migrate: %v", round, err)
			}
		}
	}
}

// TestDDL: DDL is what Migrate runs, so a migration tool given its
// statements builds tables the store works with.
func TestDDL(t *testing.T) {
	pool := pgtest.Pool(t, nil)
	schema := pgtest.Schema(t, pool)
	if _, err := pool.Exec(context.Background(), pgstore.DDL(schema)); err != nil {
		t.Fatalf("running DDL(%q): %v", schema, err)
	}
	s := pgstore.New(pool)
	s.Schema = schema
	id := storetest.NewID()
	if err := s.Create(context.Background(), id, session.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(pgstore.DDL(""), `"public"."sessions"`) {
		t.Errorf(`DDL("") does not name the public schema:\n%s`, pgstore.DDL(""))
	}
}

func TestMissingTable(t *testing.T) {
	pool := pgtest.Pool(t, nil)
	s := pgstore.New(pool)
	s.Schema, s.Timeout = testenv.Name("sessionkit_no_such_schema_"), testenv.Patience
	_, err := s.Load(context.Background(), storetest.NewID())
	var pgErr *pgconn.PgError
	if !errors.Is(err, session.ErrStoreUnavailable) || errors.Is(err, session.ErrNotFound) || !errors.As(err, &pgErr) || pgErr.Code != "42P01" {
		t.Fatalf("Load without the table = %v; want ErrStoreUnavailable from undefined_table, not ErrNotFound", err)
	}
}

// backendWaitingOnLock returns the process ID of the server backend that
// waits for a lock on behalf of application app.
func backendWaitingOnLock(t *testing.T, pool *pgxpool.Pool, app string) int {
	t.Helper()
	deadline := time.Now().Add(testenv.Patience)
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
	admin := pgtest.Pool(t, nil)
	app := "sessionkit-test-" + storetest.NewID()[:8]
	pool := pgtest.Pool(t, func(c *pgxpool.Config) { c.ConnConfig.RuntimeParams["application_name"] = app })
	s := newStore(t, admin)
	victim := pgstore.New(pool)
	victim.Schema, victim.Timeout = s.Schema, testenv.Patience
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

// TestLockTimeout holds the session's row locked (SECURITY.md F-10): an
// Update waiting for it gives up at the store's timeout, while reads do not
// wait.
func TestLockTimeout(t *testing.T) {
	pool := pgtest.Pool(t, nil)
	s := newStore(t, pool)
	ctx := context.Background()
	id := storetest.NewID()
	if err := s.Create(ctx, id, session.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	lockRow(t, pool, s.Schema, id)
	s.Timeout = 200 * time.Millisecond
	_, err := s.Update(ctx, id, session.Record{Data: []byte("y"), Expiry: time.Now().Add(time.Hour), Version: 1})
	testenv.WantDeadline(t, "Update of a locked row", err)
	s.Timeout = testenv.Patience
	if _, err := s.Load(ctx, id); err != nil {
		t.Fatalf("Load of a locked row: %v", err)
	}
}

// TestReadOnly plays a replica promoted wrongly or a failover in progress
// (SECURITY.md F-09): reads work, writes fail with ErrStoreUnavailable.
func TestReadOnly(t *testing.T) {
	admin := pgtest.Pool(t, nil)
	rw := newStore(t, admin)
	ctx := context.Background()
	id := storetest.NewID()
	exp := time.Now().Add(time.Hour)
	if err := rw.Create(ctx, id, session.Record{Data: []byte("x"), Expiry: exp, Owner: "o"}); err != nil {
		t.Fatal(err)
	}
	pool := pgtest.Pool(t, func(c *pgxpool.Config) {
		c.ConnConfig.RuntimeParams["default_transaction_read_only"] = "on"
	})
	s := pgstore.New(pool)
	s.Schema, s.Timeout = rw.Schema, testenv.Patience
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

// TestUnreachable points the store at a closed port (SECURITY.md F-01):
// every operation fails with ErrStoreUnavailable, never ErrNotFound.
func TestUnreachable(t *testing.T) {
	pool, err := pgxpool.New(context.Background(), "postgres://postgres@"+testenv.ClosedAddr(t)+"/test")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	s := pgstore.New(pool)
	s.Timeout = testenv.Patience
	testenv.WantUnavailable(t, testenv.StoreOps(context.Background(), s, storetest.NewID()))
}

func ExampleMigrate() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, "postgres://postgres@127.0.0.1:5432/test")
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

func benchStore(b *testing.B) session.Store { return newStore(b, pgtest.Pool(b, nil)) }

func BenchmarkLoad(b *testing.B)   { storetest.BenchmarkLoad(b, benchStore(b)) }
func BenchmarkUpdate(b *testing.B) { storetest.BenchmarkUpdate(b, benchStore(b)) }
func BenchmarkTouch(b *testing.B)  { storetest.BenchmarkTouch(b, benchStore(b)) }
func BenchmarkCreate(b *testing.B) { storetest.BenchmarkCreate(b, benchStore(b)) }

// TestReadRetriedOnDeadConnection kills the server backend of an idle
// pooled connection: the next Load, a read, is retried on a new
// connection and succeeds; a write is not retried and fails.
func TestReadRetriedOnDeadConnection(t *testing.T) {
	admin := pgtest.Pool(t, nil)
	pool := pgtest.Pool(t, func(c *pgxpool.Config) { c.MaxConns = 1 })
	s := newStore(t, admin)
	victim := pgstore.New(pool)
	victim.Schema, victim.Timeout = s.Schema, testenv.Patience
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
	pool := pgtest.Pool(t, func(c *pgxpool.Config) { c.MaxConns = 1 })
	s := newStore(t, pgtest.Pool(t, nil))
	victim := pgstore.New(pool)
	victim.Schema, victim.Timeout = s.Schema, 200*time.Millisecond
	conn, err := pool.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	_, err = victim.Load(context.Background(), storetest.NewID())
	testenv.WantDeadline(t, "Load with no free connection", err)
}
