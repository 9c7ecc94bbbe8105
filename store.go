package session

import (
	"context"
	"errors"
	"time"
)

// Errors a Store returns, wrapped with %w so that callers can test them with
// errors.Is. Stores wrap every failure of their backend (network, timeout,
// disk full, server error) in ErrStoreUnavailable; the Manager turns it into
// a 503 through its ErrorHandler and never into a fresh, empty session.
var (
	// ErrNotFound: no live session has this ID (never created, deleted,
	// renewed away or expired).
	ErrNotFound = errors.New("session: not found")
	// ErrExists: Create found the ID taken.
	ErrExists = errors.New("session: id already exists")
	// ErrConflict: Update or Renew found another version than the one the
	// request loaded: another request saved in between.
	ErrConflict = errors.New("session: version conflict")
	// ErrStoreUnavailable: the store could not answer (down, slow, full,
	// refusing writes). The session's state is unknown, not empty.
	ErrStoreUnavailable = errors.New("session: store unavailable")
	// ErrStoreFull: a bounded store has no room for another session. It
	// is also an ErrStoreUnavailable.
	ErrStoreFull = errors.New("session: store full")
)

// Record is what a Store keeps for one session.
type Record struct {
	// Data holds the session's values in Flask's tagged JSON (see
	// flask.Marshal); stores keep it as opaque bytes.
	Data []byte
	// Expiry is the instant after which the record is gone: every read
	// checks it, whatever the backend's own expiry mechanism.
	Expiry time.Time
	// Version counts successful writes. Create stores version 1; every
	// Update and Renew stores the version it was given plus one.
	Version int64
	// Owner optionally names the user the session belongs to, so that
	// DestroyAll can end all of that user's sessions. Empty: no owner.
	Owner string
}

// Store keeps sessions on the server. The cookie then carries only a signed
// session ID. Every method takes the request's context first and honours its
// deadline. Implementations must be safe for concurrent use, and every
// operation must be atomic: a concurrent reader sees a record before or after
// a write, never a mix, and never data without its expiry.
//
// IDs reaching a Store have already passed the Manager's strict format check.
// Stores return ErrStoreUnavailable (wrapped) for every failure of their
// backend; they never report a failed write as success and never turn a
// failure into ErrNotFound.
type Store interface {
	// Create inserts rec under id with Version 1. It never overwrites: if a
	// live record has this id it returns ErrExists and changes nothing.
	Create(ctx context.Context, id string, rec Record) error

	// Load returns the live record stored under id, or ErrNotFound when it
	// is absent or expired.
	Load(ctx context.Context, id string) (Record, error)

	// Update replaces Data, Expiry and Owner of the record under id if its
	// stored version equals rec.Version, and stores rec.Version+1, which it
	// returns. It returns ErrNotFound if no live record has this id (so a
	// destroyed or renewed session is never brought back) and ErrConflict
	// if the version differs.
	Update(ctx context.Context, id string, rec Record) (version int64, err error)

	// Touch sets the expiry of the live record under id to expiry without
	// rewriting its data or changing its version. It returns ErrNotFound if
	// no live record has this id.
	Touch(ctx context.Context, id string, expiry time.Time) error

	// Renew atomically moves the record under oldID to newID: if the live
	// record under oldID has version rec.Version, it is deleted and rec is
	// inserted under newID with version rec.Version+1, which Renew returns.
	// It returns ErrNotFound if oldID is not live, ErrConflict if the version
	// differs, and ErrExists if newID is taken; in each case nothing changes.
	Renew(ctx context.Context, oldID, newID string, rec Record) (version int64, err error)

	// Delete removes the record under id. Deleting an absent id is not an
	// error.
	Delete(ctx context.Context, id string) error

	// DestroyAll deletes every record whose Owner is owner and returns how
	// many it deleted.
	DestroyAll(ctx context.Context, owner string) (n int, err error)
}

// Cleaner is implemented by stores whose expired records stay until removed.
// DeleteExpired removes them once and returns how many; it blocks, starts no
// goroutine, and is meant to be run by the caller on its own schedule.
type Cleaner interface {
	DeleteExpired(ctx context.Context) (n int, err error)
}

// Generations keeps a revocation generation per owner (user). A cookie
// session records its owner's generation when written; when the owner's
// generation moves on (logout everywhere, password change), older cookies are
// refused. Implementations must be safe for concurrent use.
type Generations interface {
	// Generation returns owner's current generation (0 if never bumped).
	Generation(ctx context.Context, owner string) (uint64, error)
	// Bump increments owner's generation and returns the new value.
	Bump(ctx context.Context, owner string) (uint64, error)
}
