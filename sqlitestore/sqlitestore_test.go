package sqlitestore_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/sessionkit/session"
	"github.com/sessionkit/session/internal/testenv"
	"github.com/sessionkit/session/sqlitestore"
	"github.com/sessionkit/session/storetest"
)

// open opens a fresh database file in WAL mode with the busy timeout busy
// and creates the table.
func open(t testing.TB, busy time.Duration) *sql.DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sessions.db")
	if err := sqlitestore.PrepareFile(path); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", fmt.Sprintf("file:%s?_pragma=journal_mode(WAL)&_pragma=busy_timeout(%d)", path, busy.Milliseconds()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := sqlitestore.Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	return db
}

// newStore returns a store over db whose Timeout is generous: a test that
// wants an operation to time out shortens it once its records are in place.
func newStore(db *sql.DB) *sqlitestore.Store {
	s := sqlitestore.New(db)
	s.Timeout = testenv.Patience
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) session.Store {
		return newStore(open(t, testenv.Patience))
	})
}

// TestOpen checks what Open promises: the database and SQLite's files next
// to it are private to their owner, whatever the umask, and every
// connection runs with the recommended settings.
func TestOpen(t *testing.T) {
	old := syscall.Umask(0) // the most permissive: SQLite alone would create 0644
	defer syscall.Umask(old)
	ctx := context.Background()
	wantPrivate := func(t *testing.T, path string, need bool) {
		t.Helper()
		fi, err := os.Stat(path)
		if errors.Is(err, fs.ErrNotExist) && !need {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			t.Errorf("%s has mode %v; want no access for group and others", filepath.Base(path), perm)
		}
	}
	use := func(t *testing.T, db *sql.DB) {
		t.Helper()
		s := newStore(db)
		if err := s.Create(ctx, storetest.NewID(), session.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("new file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "sessions.db")
		db, err := sqlitestore.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		use(t, db)
		// WAL mode keeps -wal and -shm while the database is open.
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			wantPrivate(t, p, true)
		}
		for pragma, want := range map[string]string{"journal_mode": "wal", "busy_timeout": "5000", "synchronous": "1"} {
			var got string
			if err := db.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil || got != want {
				t.Errorf("PRAGMA %s = %q, %v; want %q", pragma, got, err, want)
			}
		}
	})
	t.Run("files left world-readable", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "sessions.db")
		all := []string{path, path + "-wal", path + "-shm", path + "-journal"}
		for _, p := range all {
			if err := os.WriteFile(p, nil, 0o666); err != nil {
				t.Fatal(err)
			}
		}
		if err := sqlitestore.PrepareFile(path); err != nil {
			t.Fatal(err)
		}
		for _, p := range all {
			wantPrivate(t, p, true)
		}
		for _, p := range all[1:] {
			os.Remove(p)
		}
		os.Chmod(path, 0o644)
		db, err := sqlitestore.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		use(t, db)
		for _, p := range all[:3] {
			wantPrivate(t, p, true)
		}
	})
	t.Run("path with URI characters", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "a?b#c%41d.db")
		db, err := sqlitestore.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		use(t, db)
		entries, _ := os.ReadDir(dir)
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		base := filepath.Base(path)
		if want := []string{base, base + "-shm", base + "-wal"}; !slices.Equal(names, want) {
			t.Fatalf("the directory holds %q; want %q", names, want)
		}
	})
	t.Run("control: without PrepareFile", func(t *testing.T) {
		// What Open prevents: SQLite creating the file readable by all.
		path := filepath.Join(t.TempDir(), "sessions.db")
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := sqlitestore.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm()&0o004 == 0 {
			t.Skipf("this SQLite creates %v files on its own; the check above proves nothing more", fi.Mode().Perm())
		}
	})
	t.Run("missing directory", func(t *testing.T) {
		_, err := sqlitestore.Open(ctx, filepath.Join(t.TempDir(), "no-such-dir", "x.db"))
		if !errors.Is(err, session.ErrStoreUnavailable) || !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("Open in a missing directory = %v; want ErrStoreUnavailable and ErrNotExist", err)
		}
	})
}

// TestDDL: DDL is what Migrate runs.
func TestDDL(t *testing.T) {
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "ddl.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for range 2 {
		if _, err := db.Exec(sqlitestore.DDL()); err != nil {
			t.Fatalf("running DDL(): %v", err)
		}
	}
	s := newStore(db)
	if err := s.Create(context.Background(), storetest.NewID(), session.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
}

func TestMigrateTwice(t *testing.T) {
	db := open(t, testenv.Patience)
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
	_, err = newStore(db).Load(context.Background(), storetest.NewID())
	if !errors.Is(err, session.ErrStoreUnavailable) || errors.Is(err, session.ErrNotFound) || !strings.Contains(err.Error(), "no such table") {
		t.Fatalf("Load without the table = %v; want ErrStoreUnavailable for the missing table, not ErrNotFound", err)
	}
}

// TestFull fills the database up to PRAGMA max_page_count (SECURITY.md
// F-12): writes fail with ErrStoreUnavailable, earlier sessions stay
// readable, and once the limit is raised writes work again.
func TestFull(t *testing.T) {
	ctx := context.Background()
	db := open(t, testenv.Patience)
	db.SetMaxOpenConns(1) // max_page_count is a setting of the connection
	s := newStore(db)
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
	s := newStore(db)
	id := storetest.NewID()
	exp := time.Now().Add(time.Hour)
	if err := s.Create(ctx, id, session.Record{Data: []byte("x"), Expiry: exp}); err != nil {
		t.Fatal(err)
	}
	conn := holdWriteLock(t, db)
	_, err := s.Update(ctx, id, session.Record{Data: []byte("y"), Expiry: exp, Version: 1})
	if !errors.Is(err, session.ErrStoreUnavailable) || errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "SQLITE_BUSY") {
		t.Fatalf("Update while locked = %v; want ErrStoreUnavailable from SQLITE_BUSY", err)
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
	db := open(t, testenv.Patience)
	s := newStore(db)
	id := storetest.NewID()
	if err := s.Create(ctx, id, session.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	conn := holdWriteLock(t, db)
	defer conn.ExecContext(ctx, `ROLLBACK`)
	s.Timeout = 200 * time.Millisecond
	err := s.Touch(ctx, id, time.Now().Add(2*time.Hour))
	testenv.WantDeadline(t, "Touch while locked", err)
	t.Logf("gave up: %v", err)
}

func TestExpiryFollowsClock(t *testing.T) {
	ctx := context.Background()
	s := newStore(open(t, testenv.Patience))
	c := testenv.NewClock(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC))
	s.Now = c.Now
	id := storetest.NewID()
	if err := s.Create(ctx, id, session.Record{Data: []byte("x"), Expiry: c.Now().Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	c.Add(time.Minute - time.Millisecond)
	if _, err := s.Load(ctx, id); err != nil {
		t.Fatalf("Load just before expiry: %v", err)
	}
	c.Add(time.Millisecond)
	if _, err := s.Load(ctx, id); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("Load at expiry = %v; want ErrNotFound", err)
	}
}

func benchStore(b *testing.B) session.Store { return newStore(open(b, 5*time.Second)) }

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
	rw, err := sqlitestore.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer rw.Close()
	id := storetest.NewID()
	exp := time.Now().Add(time.Hour)
	if err := newStore(rw).Create(ctx, id, session.Record{Data: []byte("x"), Expiry: exp, Owner: "o"}); err != nil {
		t.Fatal(err)
	}
	ro, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	s := newStore(ro)
	if _, err := s.Load(ctx, id); err != nil {
		t.Fatalf("Load from a read-only database: %v", err)
	}
	errs := testenv.StoreOps(ctx, s, id)
	delete(errs, "Load")
	testenv.WantUnavailable(t, errs)
	other, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "new.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := sqlitestore.Migrate(ctx, other); !errors.Is(err, session.ErrStoreUnavailable) {
		t.Fatalf("Migrate of a read-only, missing database = %v; want ErrStoreUnavailable", err)
	}
}
