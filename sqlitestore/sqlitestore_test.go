package sqlitestore_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/sessionkit/session"
	"github.com/sessionkit/session/sqlitestore"
	"github.com/sessionkit/session/storetest"
)

// open opens a fresh database file in WAL mode with a busy timeout, as the
// package documentation recommends, and creates the table.
func open(t testing.TB, busy time.Duration) *sql.DB {
	t.Helper()
	dsn := fmt.Sprintf("file:%s?_pragma=journal_mode(WAL)&_pragma=busy_timeout(%d)",
		filepath.Join(t.TempDir(), "sessions.db"), busy.Milliseconds())
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := sqlitestore.Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) session.Store {
		return sqlitestore.New(open(t, 5*time.Second))
	})
}

func TestMigrateTwice(t *testing.T) {
	db := open(t, time.Second)
	if err := sqlitestore.Migrate(context.Background(), db); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
}

func TestMissingTable(t *testing.T) {
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "empty.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = sqlitestore.New(db).Load(context.Background(), storetest.NewID())
	if !errors.Is(err, session.ErrStoreUnavailable) || errors.Is(err, session.ErrNotFound) {
		t.Fatalf("Load without the table = %v; want ErrStoreUnavailable, not ErrNotFound", err)
	}
}

// TestFull fills the database up to PRAGMA max_page_count (SECURITY.md
// F-12): writes fail with ErrStoreUnavailable, earlier sessions stay
// readable, and once the limit is raised writes work again.
func TestFull(t *testing.T) {
	ctx := context.Background()
	db := open(t, time.Second)
	db.SetMaxOpenConns(1) // max_page_count is a setting of the connection
	s := sqlitestore.New(db)
	exp := time.Now().Add(time.Hour).Truncate(time.Millisecond)
	var ids []string
	for i := range 5 {
		id := storetest.NewID()
		if err := s.Create(ctx, id, session.Record{Data: []byte(fmt.Sprint(i)), Expiry: exp}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	var pages int
	if err := db.QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(fmt.Sprintf(`PRAGMA max_page_count = %d`, pages)); err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte{0xAB}, 64<<10)
	err := s.Create(ctx, storetest.NewID(), session.Record{Data: big, Expiry: exp})
	if !errors.Is(err, session.ErrStoreUnavailable) {
		t.Fatalf("Create in a full database = %v; want ErrStoreUnavailable", err)
	}
	t.Logf("full: %v", err)
	if _, err := s.Update(ctx, ids[0], session.Record{Data: big, Expiry: exp, Version: 1}); !errors.Is(err, session.ErrStoreUnavailable) {
		t.Fatalf("Update in a full database = %v; want ErrStoreUnavailable", err)
	}
	for i, id := range ids {
		rec, err := s.Load(ctx, id)
		if err != nil || string(rec.Data) != fmt.Sprint(i) || rec.Version != 1 {
			t.Fatalf("Load of an earlier session = %+v, %v; want data %d, version 1", rec, err, i)
		}
	}
	if _, err := db.Exec(`PRAGMA max_page_count = 1000000`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, ids[0], session.Record{Data: big, Expiry: exp, Version: 1}); err != nil {
		t.Fatalf("Update after raising the limit: %v", err)
	}
	var check string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check = %q, %v", check, err)
	}
}

// holdWriteLock takes SQLite's write lock on a connection of its own, as
// another process writing would, and returns that connection; it is closed
// when the test ends.
func holdWriteLock(t *testing.T, db *sql.DB) *sql.Conn {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	return conn
}

// TestBusy holds the write lock from another connection (SECURITY.md F-13):
// a write waits out the busy timeout, then fails with ErrStoreUnavailable;
// reads carry on in WAL mode.
func TestBusy(t *testing.T) {
	ctx := context.Background()
	db := open(t, 100*time.Millisecond)
	s := sqlitestore.New(db)
	id := storetest.NewID()
	exp := time.Now().Add(time.Hour)
	if err := s.Create(ctx, id, session.Record{Data: []byte("x"), Expiry: exp}); err != nil {
		t.Fatal(err)
	}
	conn := holdWriteLock(t, db)
	start := time.Now()
	_, err := s.Update(ctx, id, session.Record{Data: []byte("y"), Expiry: exp, Version: 1})
	if !errors.Is(err, session.ErrStoreUnavailable) {
		t.Fatalf("Update while locked = %v; want ErrStoreUnavailable", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Update while locked took %v", d)
	}
	if _, err := s.Load(ctx, id); err != nil {
		t.Fatalf("Load while another connection writes: %v", err)
	}
	if _, err := conn.ExecContext(ctx, `ROLLBACK`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, id, session.Record{Data: []byte("y"), Expiry: exp, Version: 1}); err != nil {
		t.Fatalf("Update after the lock is released: %v", err)
	}
}

// TestTimeout checks that Store.Timeout bounds an operation even when the
// busy timeout is longer.
func TestTimeout(t *testing.T) {
	ctx := context.Background()
	db := open(t, 10*time.Second)
	s := sqlitestore.New(db)
	s.Timeout = 200 * time.Millisecond
	id := storetest.NewID()
	if err := s.Create(ctx, id, session.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	conn := holdWriteLock(t, db)
	defer conn.ExecContext(ctx, `ROLLBACK`)
	start := time.Now()
	err := s.Touch(ctx, id, time.Now().Add(2*time.Hour))
	if !errors.Is(err, session.ErrStoreUnavailable) {
		t.Fatalf("Touch while locked = %v; want ErrStoreUnavailable", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("Touch while locked took %v; want about the 200ms timeout", d)
	}
	t.Logf("gave up after %v: %v", time.Since(start).Round(time.Millisecond), err)
}

func TestExpiryFollowsClock(t *testing.T) {
	ctx := context.Background()
	s := sqlitestore.New(open(t, time.Second))
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	id := storetest.NewID()
	if err := s.Create(ctx, id, session.Record{Data: []byte("x"), Expiry: now.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Minute - time.Millisecond)
	if _, err := s.Load(ctx, id); err != nil {
		t.Fatalf("Load just before expiry: %v", err)
	}
	now = now.Add(time.Millisecond)
	if _, err := s.Load(ctx, id); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("Load at expiry = %v; want ErrNotFound", err)
	}
}

func benchStore(b *testing.B) session.Store { return sqlitestore.New(open(b, 5*time.Second)) }

func BenchmarkLoad(b *testing.B)   { storetest.BenchmarkLoad(b, benchStore(b)) }
func BenchmarkUpdate(b *testing.B) { storetest.BenchmarkUpdate(b, benchStore(b)) }
func BenchmarkTouch(b *testing.B)  { storetest.BenchmarkTouch(b, benchStore(b)) }
func BenchmarkCreate(b *testing.B) { storetest.BenchmarkCreate(b, benchStore(b)) }

// TestReadOnlyDatabase opens the file read-only, as on a read-only mount
// (SECURITY.md F-14): reads work, every write fails with
// ErrStoreUnavailable, and Migrate says so too.
func TestReadOnlyDatabase(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sessions.db")
	rw, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	defer rw.Close()
	if err := sqlitestore.Migrate(ctx, rw); err != nil {
		t.Fatal(err)
	}
	id := storetest.NewID()
	exp := time.Now().Add(time.Hour)
	if err := sqlitestore.New(rw).Create(ctx, id, session.Record{Data: []byte("x"), Expiry: exp, Owner: "o"}); err != nil {
		t.Fatal(err)
	}
	ro, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	s := sqlitestore.New(ro)
	if _, err := s.Load(ctx, id); err != nil {
		t.Fatalf("Load from a read-only database: %v", err)
	}
	rec := session.Record{Data: []byte("y"), Expiry: exp, Version: 1, Owner: "o"}
	for name, err := range map[string]error{
		"Create":        s.Create(ctx, storetest.NewID(), rec),
		"Update":        func() error { _, err := s.Update(ctx, id, rec); return err }(),
		"Touch":         s.Touch(ctx, id, exp),
		"Renew":         func() error { _, err := s.Renew(ctx, id, storetest.NewID(), rec); return err }(),
		"Delete":        s.Delete(ctx, id),
		"DestroyAll":    func() error { _, err := s.DestroyAll(ctx, "o"); return err }(),
		"DeleteExpired": func() error { _, err := s.DeleteExpired(ctx); return err }(),
	} {
		if !errors.Is(err, session.ErrStoreUnavailable) {
			t.Errorf("%s on a read-only database = %v; want ErrStoreUnavailable", name, err)
		}
	}
	other, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "new.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := sqlitestore.Migrate(ctx, other); !errors.Is(err, session.ErrStoreUnavailable) {
		t.Fatalf("Migrate of a read-only, missing database = %v; want ErrStoreUnavailable", err)
	}
}
