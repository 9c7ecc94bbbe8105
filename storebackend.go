package session

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/sessionkit/session/flask"
)

// Defaults of the Manager fields for server-side sessions.
const (
	// DefaultTouchInterval is how often, at most, a read-only request
	// extends a server-side session's expiry.
	DefaultTouchInterval = time.Minute
	// DefaultMergeRetries is how many times a save that lost a race with
	// another process's save of the same session is merged and retried.
	// Between attempts the save waits a random time below 1ms, 2ms, 4ms...
	// (at most maxMergeBackoff), so that processes saving one session
	// spread out instead of colliding again; a save that waited for this
	// process's other save of the session merges its first conflict at
	// once. Each process saves one session at a time, so a save competes
	// with one save per other process, but those may have queues: the
	// bound is generous, so that appends and counts from many tabs spread
	// over several processes are not refused for contention alone.
	DefaultMergeRetries = 64
	// DefaultMaxRecordSize is the default of Manager.MaxRecordSize: the
	// decompressed size that the cookie codec accepts
	// (flask.DefaultMaxDecompressed).
	DefaultMaxRecordSize = flask.DefaultMaxDecompressed
)

// maxMergeBackoff caps the wait between two merge attempts.
// A save losing rounds to another process's queue of saves must come back
// soon, not sleep while the queue drains ahead of it.
const maxMergeBackoff = 8 * time.Millisecond

// maxIDAttempts bounds how many fresh IDs a new session tries when Create
// (or Renew) finds its ID taken. With 256-bit IDs a second attempt already
// means a broken random source.
const maxIDAttempts = 3

// errRaced is exec's error for a version conflict: the save is merged and
// retried.
var errRaced = errors.New("session: raced")

// storeBackend keeps sessions in a Store.
type storeBackend struct {
	c     *config
	store Store
	saves keyedMutex
}

func (b *storeBackend) load(ctx context.Context, r *http.Request, s *Session, now time.Time) error {
	v, ok := b.c.find(ctx, r, now, kindID)
	if !ok {
		return nil
	}
	return b.open(ctx, s, v, now)
}

// open loads the record of the verified ID cookie v into s. A record that
// is gone leaves s anonymous; a Store failure is an error: the session's
// state is unknown, not empty.
func (b *storeBackend) open(ctx context.Context, s *Session, v verified, now time.Time) error {
	c := b.c
	s.from = origin{raw: v.raw, payload: v.payload}
	id, ok := idFromPayload(v.payload)
	if !ok {
		c.logger.LogAttrs(ctx, slog.LevelWarn, "session: signed ID cookie with a malformed ID; starting an anonymous session")
		return nil
	}
	rec, err := b.store.Load(ctx, id)
	if errors.Is(err, ErrNotFound) {
		c.logger.LogAttrs(ctx, slog.LevelDebug, "session: no live record for the cookie's id; starting an anonymous session",
			slog.String("id", logID(id)))
		return nil
	}
	if err != nil {
		return storeErr("load", err)
	}
	values, err := b.decode(rec)
	if err != nil {
		// The record cannot be read (written by an incompatible version,
		// damaged, over the size limit): end it rather than fail every
		// request of this user until it expires (SECURITY.md F-15).
		c.logger.LogAttrs(ctx, slog.LevelError, "session: unreadable session record; deleting it and starting an anonymous session",
			slog.String("id", logID(id)), slog.String("error", err.Error()))
		if err := b.store.Delete(ctx, id); err != nil {
			return storeErr("delete unreadable record", err)
		}
		return nil
	}
	created, _, _, _ := takeReserved(values)
	if c.expired(created, now) {
		c.logger.LogAttrs(ctx, slog.LevelDebug, "session: absolute timeout reached; starting an anonymous session",
			slog.String("id", logID(id)))
		if err := b.store.Delete(ctx, id); err != nil {
			return storeErr("delete timed-out record", err)
		}
		return nil
	}
	s.values = values
	s.from = origin{place: placeStore, raw: v.raw, payload: v.payload, legacy: v.legacy,
		id: id, version: rec.Version, expiry: rec.Expiry, data: rec.Data,
		created: created, owner: rec.Owner}
	if c.absTimeout > 0 && created == 0 {
		s.from.created = now.Unix()
		s.from.rewrite = true
	}
	return nil
}

// decode returns the values of rec, refusing a record over MaxRecordSize
// before parsing it.
func (b *storeBackend) decode(rec Record) (map[string]any, error) {
	if len(rec.Data) > b.c.maxRecord {
		return nil, &RecordTooLargeError{Size: len(rec.Data), Limit: b.c.maxRecord}
	}
	return flask.Unmarshal(rec.Data)
}

// save carries out the plan for s, and merges and retries when another
// request saved the session first. Saves of one session in this process
// take turns, so that they merge at most once each; saves in other
// processes are merged up to MergeRetries times.
func (b *storeBackend) save(ctx context.Context, s *Session, now time.Time) (sessionCookie, error) {
	c := b.c
	// waited: another save of this session in this process ran while this
	// one waited for its turn, so the record has most likely moved on: a
	// conflict on the first attempt is then no race to spread out, and the
	// merge starts without a backoff.
	waited := false
	if s.from.id != "" && s.changes.modified {
		turn, w, err := b.saves.lock(ctx, s.from.id)
		if err != nil {
			return sessionCookie{}, storeErr("save: waiting for this session's other saves", err)
		}
		defer b.saves.unlock(s.from.id, turn)
		waited = w
	}
	for round := 0; ; round++ {
		// A session that did not change keeps the record it loaded: a
		// read-only request encodes nothing.
		data := s.from.data
		if s.changes.modified || s.from.rewrite {
			var err error
			if data, err = b.data(s, now); err != nil {
				return sessionCookie{}, err
			}
		}
		ck, err := b.exec(ctx, s, c.planStore(s, data, now), data, now)
		if err != errRaced {
			return ck, err
		}
		if round == c.retries {
			return sessionCookie{}, &ConflictError{Rounds: round}
		}
		if round > 0 || !waited {
			if err := mergeBackoff(ctx, round); err != nil {
				return sessionCookie{}, storeErr("save: waiting to merge", err)
			}
		}
		rec, err := b.store.Load(ctx, s.from.id)
		if errors.Is(err, ErrNotFound) {
			return sessionCookie{}, &ConflictError{Gone: true}
		}
		if err != nil {
			return sessionCookie{}, storeErr("reload after a conflict", err)
		}
		cur, err := b.decode(rec)
		if err != nil {
			return sessionCookie{}, fmt.Errorf("session: reload after a conflict: %w", err)
		}
		if err := rebase(s, rec, cur); err != nil {
			return sessionCookie{}, err
		}
	}
}

// data returns the record s would write, nil when s holds no data worth a
// record (holdsData), or a *RecordTooLargeError.
func (b *storeBackend) data(s *Session, now time.Time) ([]byte, error) {
	if !holdsData(s.values, s.ownerLocked()) {
		return nil, nil
	}
	if s.intent.renew || s.intent.destroy {
		s.from.created = 0
	}
	if b.c.absTimeout > 0 && s.from.created == 0 {
		s.from.created = now.Unix()
	}
	values := s.values
	if s.from.created != 0 {
		values = make(map[string]any, len(s.values)+1)
		for k, v := range s.values {
			values[k] = v
		}
		values[keyCreated] = s.from.created
	}
	data, err := flask.Marshal(values)
	if err != nil {
		return nil, fmt.Errorf("session: encode: %w", err)
	}
	if len(data) > b.c.maxRecord {
		return nil, &RecordTooLargeError{Size: len(data), Limit: b.c.maxRecord}
	}
	return data, nil
}

// exec carries out step for s, whose record would hold data. It returns
// errRaced when the record's version moved on.
func (b *storeBackend) exec(ctx context.Context, s *Session, st step, data []byte, now time.Time) (sessionCookie, error) {
	c := b.c
	switch st {
	case stepErase:
		if s.from.id != "" {
			if err := b.store.Delete(ctx, s.from.id); err != nil {
				// Never tell a user "logged out" while the record lives.
				c.logger.LogAttrs(ctx, slog.LevelError, "session: logout failed: the session record could not be deleted",
					slog.String("id", logID(s.from.id)), slog.String("error", err.Error()))
				return sessionCookie{}, storeErr("delete", err)
			}
			s.from.id = ""
		}
		return eraseCookie, nil
	case stepResend:
		if c.touchDue(s, now) {
			expiry := now.Add(c.lifetime)
			err := b.store.Touch(ctx, s.from.id, expiry)
			if errors.Is(err, ErrNotFound) {
				return sessionCookie{}, nil // ended meanwhile; the next request starts anew
			}
			if err != nil {
				return sessionCookie{}, storeErr("touch", err)
			}
			s.from.expiry = expiry
		}
		return b.idCookie(s, now), nil
	case stepWrite:
		if err := b.write(ctx, s, data, now); err != nil {
			return sessionCookie{}, err
		}
		return b.idCookie(s, now), nil
	}
	return sessionCookie{}, nil
}

// write creates, renews or updates s's record with data.
func (b *storeBackend) write(ctx context.Context, s *Session, data []byte, now time.Time) error {
	rec := Record{Data: data, Expiry: now.Add(b.c.lifetime), Version: s.from.version, Owner: s.ownerLocked()}
	if s.from.id == "" {
		return b.create(ctx, s, rec)
	}
	if s.intent.renew || s.intent.destroy {
		for range maxIDAttempts {
			id := newStoreID()
			v, err := b.store.Renew(ctx, s.from.id, id, rec)
			if errors.Is(err, ErrExists) {
				continue
			}
			if errors.Is(err, ErrNotFound) && s.intent.destroy {
				// Destroyed and given new data; the old record is gone
				// anyway.
				s.from.id = ""
				return b.create(ctx, s, rec)
			}
			if err := b.raced("renew", err, s); err != nil {
				return err
			}
			s.from.id, s.from.version, s.from.expiry = id, v, rec.Expiry
			return nil
		}
		return storeErr("renew", ErrExists)
	}
	v, err := b.store.Update(ctx, s.from.id, rec)
	if err := b.raced("save", err, s); err != nil {
		return err
	}
	s.from.version, s.from.expiry = v, rec.Expiry
	return nil
}

// raced sorts the error of a version-checked write: errRaced for a
// conflict, a *ConflictError when the record is gone, a wrapped store
// error otherwise.
func (b *storeBackend) raced(op string, err error, s *Session) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrConflict):
		return errRaced
	case errors.Is(err, ErrNotFound):
		b.c.logger.LogAttrs(context.Background(), slog.LevelWarn,
			"session: "+op+" refused: the session ended (logout, renewal or expiry) while this request ran",
			slog.String("id", logID(s.from.id)))
		return &ConflictError{Gone: true}
	}
	return storeErr(op, err)
}

// create inserts rec under a fresh ID.
func (b *storeBackend) create(ctx context.Context, s *Session, rec Record) error {
	var err error
	for range maxIDAttempts {
		id := newStoreID()
		err = b.store.Create(ctx, id, rec)
		if errors.Is(err, ErrExists) {
			b.c.logger.LogAttrs(ctx, slog.LevelError, "session: a new session id was taken; is the random source broken?",
				slog.String("id", logID(id)))
			continue
		}
		if err != nil {
			return storeErr("create", err)
		}
		s.from.id, s.from.version, s.from.expiry = id, 1, rec.Expiry
		return nil
	}
	return storeErr("create", err)
}

// idCookie returns the cookie carrying s's ID, signed now by the ID signer.
func (b *storeBackend) idCookie(s *Session, now time.Time) sessionCookie {
	return sessionCookie{value: b.c.idSigner.Sign(idPrefix+s.from.id, now), expires: b.c.expires(s, now)}
}

// mergeBackoff waits before merge attempt+1: a random time below
// min(1ms<<attempt, maxMergeBackoff), or until ctx ends.
func mergeBackoff(ctx context.Context, attempt int) error {
	limit := min(time.Millisecond<<min(attempt, 16), maxMergeBackoff)
	var b [8]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	t := time.NewTimer(time.Duration(binary.LittleEndian.Uint64(b[:]) % uint64(limit)))
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// keyedMutex lets one goroutine at a time hold a key. Entries exist only
// while held or waited for, so its size is bounded by the requests in
// flight; entries no key uses wait in a pool, so that taking a free key
// allocates nothing.
type keyedMutex struct {
	mu   sync.Mutex           // guards m and the entries' refs
	m    map[string]*keyEntry // key -> its turn token
	pool sync.Pool            // of *keyEntry with the token in turn, refs 0
}

type keyEntry struct {
	turn chan struct{} // holds one token while the key is free
	refs int           // holders and waiters; guarded by keyedMutex.mu
}

// lock waits for key's turn, or until ctx ends, and reports whether it had
// to wait. The caller gives the turn back with unlock(key, e).
func (k *keyedMutex) lock(ctx context.Context, key string) (e *keyEntry, waited bool, err error) {
	k.mu.Lock()
	if k.m == nil {
		k.m = make(map[string]*keyEntry)
	}
	e = k.m[key]
	if e == nil {
		if e, _ = k.pool.Get().(*keyEntry); e == nil {
			e = &keyEntry{turn: make(chan struct{}, 1)}
			e.turn <- struct{}{}
		}
		k.m[key] = e
	}
	e.refs++
	k.mu.Unlock()
	select {
	case <-e.turn:
		return e, false, nil
	default:
	}
	select {
	case <-e.turn:
		return e, true, nil
	case <-ctx.Done():
		k.release(key, e)
		return nil, true, ctx.Err()
	}
}

// unlock gives back key's turn, which lock returned as e.
func (k *keyedMutex) unlock(key string, e *keyEntry) {
	e.turn <- struct{}{}
	k.release(key, e)
}

// release drops a holder or waiter of key. The last one retires the entry:
// every holder gave the token back before its release, and waiters that
// gave up never took it, so the token is in turn.
func (k *keyedMutex) release(key string, e *keyEntry) {
	k.mu.Lock()
	e.refs--
	last := e.refs == 0
	if last {
		delete(k.m, key)
	}
	k.mu.Unlock()
	if last {
		k.pool.Put(e)
	}
}

// RecordTooLargeError reports a session whose record would be bigger than
// Manager.MaxRecordSize, or a stored record over it. It wraps
// ErrRecordTooLarge.
type RecordTooLargeError struct {
	Size  int // bytes of the record's data
	Limit int // Manager.MaxRecordSize
}

// ErrRecordTooLarge is wrapped by *RecordTooLargeError.
var ErrRecordTooLarge = errors.New("session: record too large")

func (e *RecordTooLargeError) Error() string {
	return fmt.Sprintf("session: record too large: %d bytes of data, over the limit of %d (Manager.MaxRecordSize); store less in the session", e.Size, e.Limit)
}

// Unwrap returns ErrRecordTooLarge.
func (e *RecordTooLargeError) Unwrap() error { return ErrRecordTooLarge }
