// Package pgstore keeps sessions in PostgreSQL through pgx v5.
//
// The store takes a *pgxpool.Pool and never opens one itself. Create its
// tables once with Migrate (or run the statements DDL returns with your own
// migration tool). Every statement checks expiry against the database's
// clock (now()), so all application instances agree on when a session ends
// whatever their own clocks say, and an expired row is never returned even
// before DeleteExpired, which the caller runs every few minutes, removes it.
//
// Store also implements session.Generations, with one row per owner in the
// table session_generations.
package pgstore

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessionkit/session"
	"github.com/sessionkit/session/internal/storeop"
)

// Defaults for the Store fields.
const (
	DefaultSchema  = "public"
	DefaultTimeout = time.Second
)

// DDL returns the statements that create the store's tables and indexes in
// the named database schema (DefaultSchema if empty), which must exist: what
// Migrate(ctx, pool, schema) runs. They can be run more than once. Expiry is
// a timestamptz, kept to the microsecond.
func DDL(schema string) string {
	if schema == "" {
		schema = DefaultSchema
	}
	t := pgx.Identifier{schema, "sessions"}.Sanitize()
	g := pgx.Identifier{schema, "session_generations"}.Sanitize()
	return `
CREATE TABLE IF NOT EXISTS ` + t + ` (
	id      text PRIMARY KEY,
	data    bytea NOT NULL,
	expiry  timestamptz NOT NULL,
	version bigint NOT NULL,
	owner   text NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS sessions_expiry ON ` + t + ` (expiry);
CREATE INDEX IF NOT EXISTS sessions_owner ON ` + t + ` (owner) WHERE owner <> '';
CREATE TABLE IF NOT EXISTS ` + g + ` (
	owner      text PRIMARY KEY,
	generation bigint NOT NULL
);
`
}

// migrateLock is the key of the advisory lock Migrate holds, so that
// instances starting together do not race: PostgreSQL's CREATE TABLE IF NOT
// EXISTS is not safe against a concurrent CREATE of the same table.
const migrateLock = 0x736b_6d69_6772 // "skmigr"

// Migrate creates the store's tables in schema (DefaultSchema if empty) if
// they do not exist yet, running DDL(schema). Several processes may run it
// at once: it takes a transaction-level advisory lock first. A failure wraps
// session.ErrStoreUnavailable.
func Migrate(ctx context.Context, pool *pgxpool.Pool, schema string) error {
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(migrateLock)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, DDL(schema))
		return err
	})
	if err != nil {
		return fail.Unavailable(ctx, "migrate", err)
	}
	return nil
}

// fail words the package's errors.
const fail = storeop.Errors("pgstore")

// Store is a session.Store, session.Cleaner and session.Generations in
// PostgreSQL. Set the fields before the store's first use.
type Store struct {
	// Schema names the database schema that holds the tables (see DDL).
	// Default DefaultSchema.
	Schema string

	// Timeout bounds each operation, waiting for a pooled connection and
	// for row locks included, on top of the caller's context deadline.
	// Default DefaultTimeout.
	// An operation ended by either fails with an error that wraps
	// session.ErrStoreUnavailable and context.DeadlineExceeded.
	Timeout time.Duration

	pool *pgxpool.Pool

	once sync.Once // builds q at first use, once Schema is settled
	q    queries
}

type queries struct {
	create, load, update, touch, renewDelete, renewLive, delete, destroyAll, deleteExpired, generation, bump string
}

var (
	_ session.Store       = (*Store)(nil)
	_ session.Cleaner     = (*Store)(nil)
	_ session.Generations = (*Store)(nil)
)

// New returns a store over pool, whose tables Migrate has created.
func New(pool *pgxpool.Pool) *Store {
	return &Store{pool: pool}
}

func (s *Store) queries() *queries {
	s.once.Do(func() {
		schema := s.Schema
		if schema == "" {
			schema = DefaultSchema
		}
		t := pgx.Identifier{schema, "sessions"}.Sanitize()
		g := pgx.Identifier{schema, "session_generations"}.Sanitize()
		s.q = queries{
			// Insert-only for live rows: an expired row still there is
			// replaced, a live one makes the statement change nothing.
			create: `INSERT INTO ` + t + ` AS t (id, data, expiry, version, owner) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, expiry = EXCLUDED.expiry,
					version = EXCLUDED.version, owner = EXCLUDED.owner
				WHERE t.expiry <= now()`,
			load: `SELECT data, expiry, version, owner FROM ` + t + ` WHERE id = $1 AND expiry > now()`,
			// One round trip: the update, and what was there if it
			// matched nothing (absent: not found; present: conflict).
			update: `WITH cur AS (SELECT version FROM ` + t + ` WHERE id = $1 AND expiry > now()),
				upd AS (UPDATE ` + t + ` SET data = $2, expiry = $3, owner = $4, version = version + 1
					WHERE id = $1 AND version = $5 AND expiry > now() RETURNING version)
				SELECT (SELECT version FROM upd), (SELECT version FROM cur)`,
			touch:         `UPDATE ` + t + ` SET expiry = $2 WHERE id = $1 AND expiry > now()`,
			renewDelete:   `DELETE FROM ` + t + ` WHERE id = $1 AND version = $2 AND expiry > now()`,
			renewLive:     `SELECT version FROM ` + t + ` WHERE id = $1 AND expiry > now()`,
			delete:        `DELETE FROM ` + t + ` WHERE id = $1`,
			destroyAll:    `WITH d AS (DELETE FROM ` + t + ` WHERE owner = $1 RETURNING expiry) SELECT count(*) FILTER (WHERE expiry > now()) FROM d`,
			deleteExpired: `DELETE FROM ` + t + ` WHERE expiry <= now()`,
			generation:    `SELECT generation FROM ` + g + ` WHERE owner = $1`,
			bump: `INSERT INTO ` + g + ` AS g (owner, generation) VALUES ($1, 1)
				ON CONFLICT (owner) DO UPDATE SET generation = g.generation + 1 RETURNING generation`,
		}
	})
	return &s.q
}

func (s *Store) ctx(ctx context.Context) (context.Context, context.CancelFunc) {
	return storeop.Bound(ctx, s.Timeout, DefaultTimeout)
}

// retryable reports whether err means that the connection died under a
// statement (server restart, pg_terminate_backend, network cut) and another
// connection of the pool may well answer.
func retryable(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	if pgconn.SafeToRetry(err) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "57P01" || pgErr.Code == "57P02" // admin_shutdown, crash_shutdown
	}
	var netErr net.Error
	return errors.As(err, &netErr) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// idempotent runs f, and once more if the connection died under it. Only
// statements that may run twice go through it (reads and deletes), as
// SECURITY.md F-08 asks: a write that may have committed is not repeated.
func idempotent[T any](ctx context.Context, f func() (T, error)) (T, error) {
	v, err := f()
	if err != nil && retryable(ctx, err) {
		return f()
	}
	return v, err
}

// Create implements session.Store.
func (s *Store) Create(ctx context.Context, id string, rec session.Record) error {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	tag, err := s.pool.Exec(ctx, s.queries().create, id, storeop.NonNil(rec.Data), rec.Expiry, 1, rec.Owner)
	if err != nil {
		return fail.Unavailable(ctx, "create", err)
	}
	if tag.RowsAffected() == 0 {
		return fail.Exists("create")
	}
	return nil
}

// Load implements session.Store.
func (s *Store) Load(ctx context.Context, id string) (session.Record, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	rec, err := idempotent(ctx, func() (session.Record, error) {
		var rec session.Record
		err := s.pool.QueryRow(ctx, s.queries().load, id).Scan(&rec.Data, &rec.Expiry, &rec.Version, &rec.Owner)
		return rec, err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return session.Record{}, fail.NotFound("load")
	}
	if err != nil {
		return session.Record{}, fail.Unavailable(ctx, "load", err)
	}
	if rec.Data == nil {
		rec.Data = []byte{}
	}
	return rec, nil
}

// Update implements session.Store, in one statement.
func (s *Store) Update(ctx context.Context, id string, rec session.Record) (int64, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	var updated, current *int64
	err := s.pool.QueryRow(ctx, s.queries().update, id, storeop.NonNil(rec.Data), rec.Expiry, rec.Owner, rec.Version).Scan(&updated, &current)
	switch {
	case err != nil:
		return 0, fail.Unavailable(ctx, "update", err)
	case updated != nil:
		return *updated, nil
	case current != nil && *current == rec.Version:
		// The row matched in the statement's snapshot but was changed
		// or deleted by a transaction that committed meanwhile: look
		// again to tell which.
		err := s.pool.QueryRow(ctx, s.queries().renewLive, id).Scan(&current)
		if errors.Is(err, pgx.ErrNoRows) {
			current = nil
		} else if err != nil {
			return 0, fail.Unavailable(ctx, "update", err)
		}
	}
	if current == nil {
		return 0, fail.NotFound("update")
	}
	return 0, fail.Conflict("update", *current, rec.Version)
}

// Touch implements session.Store.
func (s *Store) Touch(ctx context.Context, id string, expiry time.Time) error {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	tag, err := s.pool.Exec(ctx, s.queries().touch, id, expiry)
	if err != nil {
		return fail.Unavailable(ctx, "touch", err)
	}
	if tag.RowsAffected() == 0 {
		return fail.NotFound("touch")
	}
	return nil
}

// Renew implements session.Store, in one transaction.
func (s *Store) Renew(ctx context.Context, oldID, newID string, rec session.Record) (int64, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	q := s.queries()
	v := rec.Version + 1
	var refused error // ErrNotFound, ErrConflict or ErrExists: roll back
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, q.renewDelete, oldID, rec.Version)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			var stored int64
			err := tx.QueryRow(ctx, q.renewLive, oldID).Scan(&stored)
			switch {
			case errors.Is(err, pgx.ErrNoRows):
				refused = fail.NotFound("renew")
			case err != nil:
				return err
			default:
				refused = fail.Conflict("renew", stored, rec.Version)
			}
			return refused
		}
		tag, err = tx.Exec(ctx, q.create, newID, storeop.NonNil(rec.Data), rec.Expiry, v, rec.Owner)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			refused = fail.Exists("renew: new id")
			return refused
		}
		return nil
	})
	switch {
	case refused != nil:
		return 0, refused
	case err != nil:
		return 0, fail.Unavailable(ctx, "renew", err)
	}
	return v, nil
}

// Delete implements session.Store.
func (s *Store) Delete(ctx context.Context, id string) error {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	if _, err := idempotent(ctx, func() (pgconn.CommandTag, error) { return s.pool.Exec(ctx, s.queries().delete, id) }); err != nil {
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
	n, err := idempotent(ctx, func() (int, error) {
		var n int
		err := s.pool.QueryRow(ctx, s.queries().destroyAll, owner).Scan(&n)
		return n, err
	})
	if err != nil {
		return 0, fail.Unavailable(ctx, "destroy all", err)
	}
	return n, nil
}

// DeleteExpired implements session.Cleaner.
func (s *Store) DeleteExpired(ctx context.Context) (int, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	tag, err := s.pool.Exec(ctx, s.queries().deleteExpired)
	if err != nil {
		return 0, fail.Unavailable(ctx, "delete expired", err)
	}
	return int(tag.RowsAffected()), nil
}

// Generation implements session.Generations.
func (s *Store) Generation(ctx context.Context, owner string) (uint64, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	n, err := idempotent(ctx, func() (int64, error) {
		var n int64
		err := s.pool.QueryRow(ctx, s.queries().generation, owner).Scan(&n)
		return n, err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fail.Unavailable(ctx, "generation", err)
	}
	return uint64(n), nil
}

// Bump implements session.Generations.
func (s *Store) Bump(ctx context.Context, owner string) (uint64, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	var n int64
	if err := s.pool.QueryRow(ctx, s.queries().bump, owner).Scan(&n); err != nil {
		return 0, fail.Unavailable(ctx, "bump", err)
	}
	return uint64(n), nil
}
