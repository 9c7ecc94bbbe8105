package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"strings"

	_ "modernc.org/sqlite" // database/sql driver "sqlite", pure Go
)

// fileMode is the mode PrepareFile gives the database file, and through it
// SQLite's -wal, -shm and -journal files: read and write for the owner only.
const fileMode fs.FileMode = 0o600

// PrepareFile makes the database file at path safe to hold sessions before
// SQLite opens it. It creates the file with mode 0600 if it does not exist
// (SQLite would create it readable by everyone, 0644 under the usual umask),
// and removes the group's and others' permissions from the file and from
// its -wal, -shm and -journal files if they exist. SQLite creates those
// files with the mode of the database file, so they stay private too.
//
// Open calls it; call it yourself before opening the database with another
// driver. A failure wraps session.ErrStoreUnavailable.
func PrepareFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, fileMode)
	if err != nil {
		return fail.Unavailable(context.Background(), "prepare file", err)
	}
	err = f.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		fi, serr := os.Stat(p)
		if errors.Is(serr, fs.ErrNotExist) {
			continue
		}
		if serr == nil && fi.Mode().Perm()&^fileMode != 0 {
			serr = os.Chmod(p, fi.Mode().Perm()&fileMode)
		}
		err = errors.Join(err, serr)
	}
	if err != nil {
		return fail.Unavailable(context.Background(), "prepare file", err)
	}
	return nil
}

// Open opens the SQLite database file at path with modernc.org/sqlite, as
// the package documentation recommends: PrepareFile first, then WAL mode,
// a busy timeout of 5 seconds and synchronous(NORMAL) on every connection,
// then Migrate. The caller closes the returned database. A failure wraps
// session.ErrStoreUnavailable.
func Open(ctx context.Context, path string) (*sql.DB, error) {
	if err := PrepareFile(path); err != nil {
		return nil, err
	}
	// In SQLite's file: URIs, % starts an escape and ? and # end the path.
	name := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	db, err := sql.Open("sqlite", "file:"+name+
		"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=synchronous(NORMAL)")
	if err != nil {
		return nil, fail.Unavailable(ctx, "open", err)
	}
	if err := Migrate(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}
