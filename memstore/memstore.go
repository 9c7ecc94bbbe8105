// Package memstore keeps sessions in the memory of one process.
//
// It suits a single instance, tests and development: sessions die with the
// process and are not shared between instances (use redisstore or pgstore for
// that). The store is bounded in records and in bytes, so a flood of new or
// growing sessions fails with a clear error instead of exhausting memory, and
// it starts no goroutine: expired records are removed when read, when room is
// needed, and by DeleteExpired, which the caller runs on its own schedule.
//
// Generations keeps revocation generations (session.Generations) in memory,
// for a Manager serving cookie sessions from one process.
package memstore

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/sessionkit/session"
)

// Defaults for the Store fields. At a few hundred bytes a session, the
// entry bound is reached first; MaxBytes stops a smaller number of large
// sessions (a flood of 4 KiB ones, or a few growing without end) from taking
// more.
const (
	DefaultMaxEntries = 100_000
	DefaultMaxBytes   = 64 << 20 // 64 MiB
)

// sweepInterval limits how often a full store scans for expired records
// before refusing a new one, so that a flood of creations against a store
// full of live sessions does not rescan the whole map each time.
const sweepInterval = time.Second

// Store is a session.Store held in a map. The zero value is not usable; call
// New. Set the fields before the store's first use and leave them alone
// afterwards.
type Store struct {
	// MaxEntries bounds how many records the store holds, expired records
	// not yet removed included. Zero means DefaultMaxEntries.
	MaxEntries int

	// MaxBytes bounds the bytes the records hold: for each, the length
	// of its Data, of its ID and of its Owner, expired records not yet
	// removed included. The memory the store takes is larger by a
	// bookkeeping cost per record (some hundred bytes), which MaxEntries
	// bounds. Zero means DefaultMaxBytes.
	//
	// A Create, Update or Renew that would cross either bound first
	// removes expired records (at most once a second by Now), then fails
	// with an error that wraps both session.ErrStoreFull and
	// session.ErrStoreUnavailable, and changes nothing. Operations that
	// do not grow the store always proceed.
	MaxBytes int

	// Now tells the store the time, to decide what has expired. Default
	// time.Now.
	Now func() time.Time

	// mu guards records, owners, bytes and lastSweep. Every method holds
	// it for its whole operation, which is what makes each one atomic.
	mu        sync.Mutex
	records   map[string]record
	owners    map[string]map[string]struct{} // owner -> set of ids
	bytes     int                            // size of every record, summed
	lastSweep time.Time
}

type record struct {
	data    []byte
	expiry  time.Time
	version int64
	owner   string
}

// New returns an empty store with the default settings.
func New() *Store {
	return &Store{
		records: make(map[string]record),
		owners:  make(map[string]map[string]struct{}),
	}
}

var (
	_ session.Store   = (*Store)(nil)
	_ session.Cleaner = (*Store)(nil)
)

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Store) maxEntries() int {
	if s.MaxEntries > 0 {
		return s.MaxEntries
	}
	return DefaultMaxEntries
}

func (s *Store) maxBytes() int {
	if s.MaxBytes > 0 {
		return s.MaxBytes
	}
	return DefaultMaxBytes
}

// size is what the record r under id counts against MaxBytes.
func size(id string, r record) int { return len(id) + len(r.data) + len(r.owner) }

// check reports a canceled or expired context as the store being
// unavailable, like a network store would.
func check(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: %s: %w: %w", op, session.ErrStoreUnavailable, err)
	}
	return nil
}

// live returns the record under id if it exists and has not expired.
// Callers hold s.mu.
func (s *Store) live(id string, now time.Time) (record, bool) {
	r, ok := s.records[id]
	if !ok || !now.Before(r.expiry) {
		return record{}, false
	}
	return r, true
}

// put stores r under id and keeps the owner index and the byte count in
// step. Callers hold s.mu.
func (s *Store) put(id string, r record) {
	if old, ok := s.records[id]; ok {
		if old.owner != r.owner {
			s.unindex(id, old.owner)
		}
		s.bytes -= size(id, old)
	}
	s.records[id] = r
	s.bytes += size(id, r)
	if r.owner != "" {
		ids := s.owners[r.owner]
		if ids == nil {
			ids = make(map[string]struct{})
			s.owners[r.owner] = ids
		}
		ids[id] = struct{}{}
	}
}

// remove deletes the record under id, if any. Callers hold s.mu.
func (s *Store) remove(id string) {
	if old, ok := s.records[id]; ok {
		s.unindex(id, old.owner)
		delete(s.records, id)
		s.bytes -= size(id, old)
	}
}

func (s *Store) unindex(id, owner string) {
	if owner == "" {
		return
	}
	if ids := s.owners[owner]; ids != nil {
		delete(ids, id)
		if len(ids) == 0 {
			delete(s.owners, owner)
		}
	}
}

// sweep removes every expired record and returns how many. Callers hold s.mu.
func (s *Store) sweep(now time.Time) int {
	n := 0
	for id, r := range s.records {
		if !now.Before(r.expiry) {
			s.remove(id)
			n++
		}
	}
	s.lastSweep = now
	return n
}

// growth returns how many records and bytes putting r under id, and
// removing the record under gone if not empty, would add. Callers hold s.mu.
func (s *Store) growth(id string, r record, gone string) (entries, bytes int) {
	entries, bytes = 1, size(id, r)
	if old, ok := s.records[id]; ok {
		entries, bytes = entries-1, bytes-size(id, old)
	}
	if old, ok := s.records[gone]; ok && gone != "" && gone != id {
		entries, bytes = entries-1, bytes-size(gone, old)
	}
	return entries, bytes
}

// room returns nil if the store can take putting r under id (and removing
// the record under gone, if not empty) within its bounds, removing expired
// records first if it must and has not done so in the last sweepInterval.
// Otherwise it returns the error for op that wraps ErrStoreFull. Callers
// hold s.mu.
func (s *Store) room(now time.Time, op, id string, r record, gone string) error {
	fits := func() (int, int, bool) {
		e, b := s.growth(id, r, gone)
		return e, b, (e <= 0 || len(s.records)+e <= s.maxEntries()) && (b <= 0 || s.bytes+b <= s.maxBytes())
	}
	if _, _, ok := fits(); ok {
		return nil
	}
	if now.Sub(s.lastSweep) >= sweepInterval {
		s.sweep(now)
	}
	e, b, ok := fits()
	switch {
	case ok:
		return nil
	case e > 0 && len(s.records)+e > s.maxEntries():
		return fmt.Errorf("memstore: %s: %d sessions held (MaxEntries %d): %w: %w",
			op, len(s.records), s.maxEntries(), session.ErrStoreFull, session.ErrStoreUnavailable)
	default:
		return fmt.Errorf("memstore: %s: %d bytes held, %d more asked (MaxBytes %d): %w: %w",
			op, s.bytes, b, s.maxBytes(), session.ErrStoreFull, session.ErrStoreUnavailable)
	}
}

// Create implements session.Store.
func (s *Store) Create(ctx context.Context, id string, rec session.Record) error {
	if err := check(ctx, "create"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if _, ok := s.live(id, now); ok {
		return fmt.Errorf("memstore: create: %w", session.ErrExists)
	}
	// The caller's data is copied only once it is sure to be kept.
	r := record{data: rec.Data, expiry: rec.Expiry, version: 1, owner: rec.Owner}
	if err := s.room(now, "create", id, r, ""); err != nil {
		return err
	}
	r.data = bytes.Clone(rec.Data)
	s.put(id, r)
	return nil
}

// Load implements session.Store. The returned Data is the caller's to keep.
func (s *Store) Load(ctx context.Context, id string) (session.Record, error) {
	if err := check(ctx, "load"); err != nil {
		return session.Record{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.live(id, s.now())
	if !ok {
		s.remove(id) // expired, or absent already
		return session.Record{}, fmt.Errorf("memstore: load: %w", session.ErrNotFound)
	}
	return session.Record{Data: bytes.Clone(r.data), Expiry: r.expiry, Version: r.version, Owner: r.owner}, nil
}

// Update implements session.Store.
func (s *Store) Update(ctx context.Context, id string, rec session.Record) (int64, error) {
	if err := check(ctx, "update"); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	r, ok := s.live(id, now)
	if !ok {
		return 0, fmt.Errorf("memstore: update: %w", session.ErrNotFound)
	}
	if r.version != rec.Version {
		return 0, fmt.Errorf("memstore: update: stored version %d, request loaded %d: %w", r.version, rec.Version, session.ErrConflict)
	}
	v := rec.Version + 1
	r = record{data: rec.Data, expiry: rec.Expiry, version: v, owner: rec.Owner}
	if err := s.room(now, "update", id, r, ""); err != nil {
		return 0, err
	}
	r.data = bytes.Clone(rec.Data)
	s.put(id, r)
	return v, nil
}

// Touch implements session.Store.
func (s *Store) Touch(ctx context.Context, id string, expiry time.Time) error {
	if err := check(ctx, "touch"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.live(id, s.now())
	if !ok {
		return fmt.Errorf("memstore: touch: %w", session.ErrNotFound)
	}
	r.expiry = expiry
	s.records[id] = r
	return nil
}

// Renew implements session.Store.
func (s *Store) Renew(ctx context.Context, oldID, newID string, rec session.Record) (int64, error) {
	if err := check(ctx, "renew"); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	r, ok := s.live(oldID, now)
	if !ok {
		return 0, fmt.Errorf("memstore: renew: %w", session.ErrNotFound)
	}
	if r.version != rec.Version {
		return 0, fmt.Errorf("memstore: renew: stored version %d, request loaded %d: %w", r.version, rec.Version, session.ErrConflict)
	}
	if _, taken := s.live(newID, now); taken {
		return 0, fmt.Errorf("memstore: renew: new id: %w", session.ErrExists)
	}
	v := rec.Version + 1
	r = record{data: rec.Data, expiry: rec.Expiry, version: v, owner: rec.Owner}
	if err := s.room(now, "renew", newID, r, oldID); err != nil {
		return 0, err
	}
	r.data = bytes.Clone(rec.Data)
	s.remove(oldID)
	s.put(newID, r)
	return v, nil
}

// Delete implements session.Store.
func (s *Store) Delete(ctx context.Context, id string) error {
	if err := check(ctx, "delete"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.remove(id)
	return nil
}

// DestroyAll implements session.Store. It removes every record of owner,
// and counts the live ones. The empty owner owns nothing.
func (s *Store) DestroyAll(ctx context.Context, owner string) (int, error) {
	if err := check(ctx, "destroy all"); err != nil {
		return 0, err
	}
	if owner == "" {
		return 0, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	n := 0
	for id := range s.owners[owner] {
		if _, ok := s.live(id, now); ok {
			n++
		}
		s.remove(id)
	}
	return n, nil
}

// DeleteExpired implements session.Cleaner: it removes every expired record
// and returns how many. It holds the store's lock while it scans, so run it
// every few minutes rather than in a tight loop.
func (s *Store) DeleteExpired(ctx context.Context) (int, error) {
	if err := check(ctx, "delete expired"); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sweep(s.now()), nil
}

// Len returns how many records the store holds, expired ones not yet
// removed included: what MaxEntries bounds.
func (s *Store) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.records)
}

// Bytes returns the bytes the records hold, expired ones not yet removed
// included: what MaxBytes bounds.
func (s *Store) Bytes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bytes
}
