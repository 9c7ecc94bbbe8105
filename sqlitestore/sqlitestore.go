// Package sqlitestore keeps sessions in an SQLite database reached through
// database/sql.
//
// New takes an open *sql.DB. Open opens one the recommended way, with the
// pure-Go driver modernc.org/sqlite:
//
//	db, err := sqlitestore.Open(ctx, "/var/lib/myapp/sessions.db")
//	...
//	store := sqlitestore.New(db)
//
// It creates the database file readable and writable by its owner only
// (0600) before SQLite does, since the sessions in it are as good as logged-in
// cookies; SQLite then gives its -wal and -shm files the same mode. It opens
// the database in WAL mode with a busy timeout, so that readers do not wait
// for writers and concurrent writers queue instead of failing at once, with
// synchronous(NORMAL), which is safe in WAL mode and saves an fsync per
// write, and creates the table (Migrate).
//
// With another driver, such as mattn/go-sqlite3, call PrepareFile before
// opening the database with the same settings in that driver's syntax, then
// Migrate.
//
// Every statement checks expiry by the store's clock, so expired rows are
// never returned; DeleteExpired removes them and is meant to be run by the
// caller every few minutes.
package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/sessionkit/session"
	"github.com/sessionkit/session/internal/storeop"
)

// DefaultTimeout is the per-operation timeout used when Store.Timeout is
// zero.
const DefaultTimeout = time.Second

// DDL returns the statements that create the sessions table and its
// indexes: what Migrate(ctx, db) runs, for those who manage their schema
// with their own tools. They can be run more than once. Expiry is kept in
// Unix milliseconds, so Load returns it to the millisecond.
func DDL() string { return ddl }

const ddl = `
CREATE TABLE IF NOT EXISTS sessions (
	id      TEXT PRIMARY KEY,
	data    BLOB NOT NULL,
	expiry  INTEGER NOT NULL,
	version INTEGER NOT NULL,
	owner   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS sessions_expiry ON sessions (expiry);
CREATE INDEX IF NOT EXISTS sessions_owner ON sessions (owner) WHERE owner <> '';
`

// Migrate creates the sessions table in db if it does not exist yet,
// running DDL(). A failure wraps session.ErrStoreUnavailable.
func Migrate(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, ddl); err != nil {
		return fail.Unavailable(ctx, "migrate", err)
	}
	return nil
}

// fail words the package's errors.
const fail = storeop.Errors("sqlitestore")

// Store is a session.Store in the table "sessions" of an SQLite database
// (see DDL). Set the fields before the store's first use.
type Store struct {
	// Timeout bounds each operation, waiting out SQLite's busy timeout
	// included, on top of the caller's context deadline. Default
	// DefaultTimeout.
	// An operation ended by either fails with an error that wraps
	// session.ErrStoreUnavailable and context.DeadlineExceeded.
	Timeout time.Duration

	// Now tells the store the time, to decide what has expired. Default
	// time.Now. Every instance sharing a database should use the same
	// clock source.
	Now func() time.Time

	db *sql.DB
}

var (
	_ session.Store   = (*Store)(nil)
	_ session.Cleaner = (*Store)(nil)
)

// New returns a store over db, whose table Migrate has created.
func New(db *sql.DB) *Store {
	return &Store{db: db}
}

func (s *Store) now() int64 {
	if s.Now != nil {
		return s.Now().UnixMilli()
	}
	return time.Now().UnixMilli()
}

func (s *Store) ctx(ctx context.Context) (context.Context, context.CancelFunc) {
	return storeop.Bound(ctx, s.Timeout, DefaultTimeout)
}

// Create implements session.Store. One statement inserts the row, or
// replaces an expired one; a live row makes it change nothing.
func (s *Store) Create(ctx context.Context, id string, rec session.Record) error {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	n, err := s.insert(ctx, s.db, id, rec, 1)
	if err != nil {
		return fail.Unavailable(ctx, "create", err)
	}
	if n == 0 {
		return fail.Exists("create")
	}
	return nil
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// insert writes rec under id with this version unless a live row has id,
// and returns how many rows it wrote.
func (s *Store) insert(ctx context.Context, db execer, id string, rec session.Record, version int64) (int64, error) {
	return exec(ctx, db, `
		INSERT INTO sessions (id, data, expiry, version, owner) VALUES (?1, ?2, ?3, ?4, ?5)
		ON CONFLICT (id) DO UPDATE SET
			data = excluded.data, expiry = excluded.expiry, version = excluded.version, owner = excluded.owner
		WHERE sessions.expiry <= ?6`,
		id, storeop.NonNil(rec.Data), rec.Expiry.UnixMilli(), version, rec.Owner, s.now())
}

// exec runs query on db and returns how many rows it changed.
func exec(ctx context.Context, db execer, query string, args ...any) (int64, error) {
	res, err := db.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Load implements session.Store.
func (s *Store) Load(ctx context.Context, id string) (session.Record, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	var rec session.Record
	var expiry int64
	err := s.db.QueryRowContext(ctx,
		`SELECT data, expiry, version, owner FROM sessions WHERE id = ?1 AND expiry > ?2`,
		id, s.now()).Scan(&rec.Data, &expiry, &rec.Version, &rec.Owner)
	if errors.Is(err, sql.ErrNoRows) {
		return session.Record{}, fail.NotFound("load")
	}
	if err != nil {
		return session.Record{}, fail.Unavailable(ctx, "load", err)
	}
	if rec.Data == nil {
		rec.Data = []byte{}
	}
	rec.Expiry = time.UnixMilli(expiry)
	return rec, nil
}

// Update implements session.Store.
func (s *Store) Update(ctx context.Context, id string, rec session.Record) (int64, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	n, err := exec(ctx, s.db, `
		UPDATE sessions SET data = ?1, expiry = ?2, owner = ?3, version = version + 1
		WHERE id = ?4 AND version = ?5 AND expiry > ?6`,
		storeop.NonNil(rec.Data), rec.Expiry.UnixMilli(), rec.Owner, id, rec.Version, s.now())
	if err != nil {
		return 0, fail.Unavailable(ctx, "update", err)
	}
	if n == 1 {
		return rec.Version + 1, nil
	}
	return 0, s.whyNot(ctx, s.db, "update", id, rec.Version)
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// whyNot tells why a versioned write of id matched no row: the record is
// gone (ErrNotFound) or another request has saved it (ErrConflict).
func (s *Store) whyNot(ctx context.Context, db querier, op, id string, version int64) error {
	var stored int64
	err := db.QueryRowContext(ctx,
		`SELECT version FROM sessions WHERE id = ?1 AND expiry > ?2`, id, s.now()).Scan(&stored)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fail.NotFound(op)
	case err != nil:
		return fail.Unavailable(ctx, op, err)
	}
	return fail.Conflict(op, stored, version)
}

// Touch implements session.Store.
func (s *Store) Touch(ctx context.Context, id string, expiry time.Time) error {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	n, err := exec(ctx, s.db,
		`UPDATE sessions SET expiry = ?1 WHERE id = ?2 AND expiry > ?3`,
		expiry.UnixMilli(), id, s.now())
	if err != nil {
		return fail.Unavailable(ctx, "touch", err)
	}
	if n == 0 {
		return fail.NotFound("touch")
	}
	return nil
}

// Renew implements session.Store, in one transaction whose first statement
// writes, so that it takes SQLite's write lock (waiting out the busy
// timeout) before it reads anything.
func (s *Store) Renew(ctx context.Context, oldID, newID string, rec session.Record) (v int64, err error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fail.Unavailable(ctx, "renew", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	n, err := exec(ctx, tx,
		`DELETE FROM sessions WHERE id = ?1 AND version = ?2 AND expiry > ?3`,
		oldID, rec.Version, s.now())
	if err != nil {
		return 0, fail.Unavailable(ctx, "renew", err)
	}
	if n == 0 {
		return 0, s.whyNot(ctx, tx, "renew", oldID, rec.Version)
	}
	v = rec.Version + 1
	n, err = s.insert(ctx, tx, newID, rec, v)
	if err != nil {
		return 0, fail.Unavailable(ctx, "renew", err)
	}
	if n == 0 {
		return 0, fail.Exists("renew: new id")
	}
	if err := tx.Commit(); err != nil {
		return 0, fail.Unavailable(ctx, "renew", err)
	}
	return v, nil
}

// Delete implements session.Store.
func (s *Store) Delete(ctx context.Context, id string) error {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	if _, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?1`, id); err != nil {
		return fail.Unavailable(ctx, "delete", err)
	}
	return nil
}

// DestroyAll implements session.Store. It removes every row of owner, and
// counts the live ones. The empty owner owns nothing.
func (s *Store) DestroyAll(ctx context.Context, owner string) (int, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	if owner == "" {
		return 0, nil
	}
	rows, err := s.db.QueryContext(ctx, `DELETE FROM sessions WHERE owner = ?1 RETURNING expiry > ?2`, owner, s.now())
	if err != nil {
		return 0, fail.Unavailable(ctx, "destroy all", err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var live bool
		if err := rows.Scan(&live); err != nil {
			return 0, fail.Unavailable(ctx, "destroy all", err)
		}
		if live {
			n++
		}
	}
	if err := rows.Err(); err != nil {
		return 0, fail.Unavailable(ctx, "destroy all", err)
	}
	return n, nil
}

// DeleteExpired implements session.Cleaner.
func (s *Store) DeleteExpired(ctx context.Context) (int, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	n, err := exec(ctx, s.db, `DELETE FROM sessions WHERE expiry <= ?1`, s.now())
	if err != nil {
		return 0, fail.Unavailable(ctx, "delete expired", err)
	}
	return int(n), nil
}
