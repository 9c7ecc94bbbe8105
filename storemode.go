package session

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"time"

	"github.com/sessionkit/session/flask"
)

// Defaults of the Manager fields for server-side sessions.
const (
	// DefaultTouchInterval is how often, at most, a read-only request
	// extends a server-side session's expiry.
	DefaultTouchInterval = time.Minute
	// DefaultMergeRetries is how many times a save that lost a race with
	// another request's save is merged and retried. Between attempts the
	// save waits a random time below 1ms, 2ms, 4ms... (at most
	// maxMergeBackoff), so that a burst of requests writing one session
	// spreads out instead of colliding again.
	DefaultMergeRetries = 10
)

// maxMergeBackoff caps the wait between two merge attempts.
const maxMergeBackoff = 32 * time.Millisecond

// maxIDAttempts bounds how many fresh IDs a new session tries when Create
// (or Renew) finds its ID taken. With 256-bit IDs a second attempt already
// means a broken random source.
const maxIDAttempts = 3

// newStoreBackend builds the backend of a Manager with a Store.
func newStoreBackend(m *Manager) (backend, error) {
	if m.TouchInterval < 0 || m.MergeRetries < 0 || m.HybridThreshold < 0 {
		return nil, errors.New("session: TouchInterval, MergeRetries and HybridThreshold must not be negative; 0 means the default")
	}
	b := &storeBackend{m: m, store: m.Store, touch: DefaultTouchInterval, retries: DefaultMergeRetries,
		hybrid: m.Hybrid, threshold: m.HybridThreshold}
	if m.TouchInterval > 0 {
		b.touch = m.TouchInterval
	}
	if m.MergeRetries > 0 {
		b.retries = m.MergeRetries
	}
	if b.touch > m.Lifetime/2 {
		b.touch = m.Lifetime / 2
	}
	return b, nil
}

// storeBackend keeps sessions in a Store, and in hybrid mode small ones in
// the cookie (through cookieBackend).
type storeBackend struct {
	m         *Manager
	store     Store
	touch     time.Duration
	retries   int
	hybrid    bool
	threshold int
}

// load finds the session ID in the request's cookies and loads its record.
// s.raw keeps the incoming ID cookie; s.id is set only when the record is
// live.
func (b *storeBackend) load(ctx context.Context, r *http.Request, s *Session, now time.Time) error {
	m := b.m
	signer := m.codec.Signer()
	var id, raw string
	seen, data := 0, false
	for _, c := range r.CookiesNamed(m.Cookie.Name) {
		if c.Value == "" {
			continue
		}
		if seen++; seen > maxCandidates {
			break
		}
		if len(c.Value) > flask.MaxCookieSize {
			continue // browsers keep no such cookie; do not hash it
		}
		payload, ts, _, err := signer.Unsign(c.Value)
		if err == nil {
			err = flask.CheckAge(ts, now, m.Lifetime, m.codec.Skew)
		}
		if err != nil {
			continue
		}
		cid, ok := idFromPayload(payload)
		if !ok {
			data = true // session data (hybrid), or a bad ID under a good signature
			continue
		}
		if id != "" && id != cid {
			m.logger().LogAttrs(ctx, slog.LevelWarn,
				"session: several valid session ID cookies (cookie tossing?); refusing all of them",
				slog.String("path", r.URL.Path))
			return nil
		}
		id, raw = cid, c.Value
	}
	if id == "" {
		if b.hybrid && data {
			return cookieBackend{m}.load(ctx, r, s, now)
		}
		return nil
	}
	if b.hybrid && data {
		// A data cookie next to an ID cookie is refused like two
		// different data cookies are in cookie mode.
		m.logger().LogAttrs(ctx, slog.LevelWarn,
			"session: a valid session ID cookie and a valid session data cookie (cookie tossing?); refusing both",
			slog.String("path", r.URL.Path))
		return nil
	}
	s.raw = raw
	rec, err := b.store.Load(ctx, id)
	if errors.Is(err, ErrNotFound) {
		m.logger().LogAttrs(ctx, slog.LevelDebug, "session: no live record for the cookie's id; starting an anonymous session",
			slog.String("id", logID(id)))
		return nil
	}
	if err != nil {
		return storeErr("load", err)
	}
	values, err := flask.Unmarshal(rec.Data)
	if err != nil {
		// The record cannot be read (written by an incompatible version,
		// damaged): end it rather than fail every request of this user
		// until it expires (SECURITY.md F-15).
		m.logger().LogAttrs(ctx, slog.LevelError, "session: undecodable session record; deleting it and starting an anonymous session",
			slog.String("id", logID(id)), slog.String("error", err.Error()))
		if err := b.store.Delete(ctx, id); err != nil {
			return storeErr("delete undecodable record", err)
		}
		return nil
	}
	created, _, _, _ := takeReserved(values)
	if m.AbsoluteTimeout > 0 && created != 0 && now.Unix()-created > int64(m.AbsoluteTimeout/time.Second) {
		m.logger().LogAttrs(ctx, slog.LevelDebug, "session: absolute timeout reached; starting an anonymous session",
			slog.String("id", logID(id)))
		if err := b.store.Delete(ctx, id); err != nil {
			return storeErr("delete timed-out record", err)
		}
		return nil
	}
	s.values, s.owner, s.created = values, rec.Owner, created
	s.id, s.version, s.expiry = id, rec.Version, rec.Expiry
	return nil
}

// commit saves s by the rules in the package documentation ("Server-side
// sessions").
func (b *storeBackend) commit(ctx context.Context, s *Session, now time.Time) (*http.Cookie, error) {
	m := b.m
	if s.setErr != nil {
		return nil, s.setErr
	}
	if s.destroyed && s.id != "" {
		if err := b.store.Delete(ctx, s.id); err != nil {
			m.logger().LogAttrs(ctx, slog.LevelError, "session: logout failed: the session record could not be deleted",
				slog.String("id", logID(s.id)), slog.String("error", err.Error()))
			return nil, storeErr("destroy", err)
		}
		s.id = ""
	}
	if b.hybrid {
		return b.commitHybrid(ctx, s, now)
	}
	if s.destroyOwner != "" && m.Generations != nil {
		if _, err := m.Generations.Bump(ctx, s.destroyOwner); err != nil {
			return nil, storeErr("destroy: bump generation", err)
		}
	}
	if len(s.values) == 0 {
		if s.id != "" && s.modified {
			// Cleared: Flask deletes the cookie; the record goes too.
			if err := b.store.Delete(ctx, s.id); err != nil {
				return nil, storeErr("delete emptied session", err)
			}
			s.id = ""
			return m.deletionCookie(), nil
		}
		if s.modified && s.raw != "" {
			return m.deletionCookie(), nil
		}
		return nil, nil
	}
	return b.save(ctx, s, now)
}

// save writes the non-empty session s to the store as its flags ask, and
// returns its ID cookie (nil for none).
func (b *storeBackend) save(ctx context.Context, s *Session, now time.Time) (*http.Cookie, error) {
	switch {
	case s.id == "":
		if err := b.create(ctx, s, now); err != nil {
			return nil, err
		}
	case s.renewed:
		ok, err := b.renew(ctx, s, now)
		if err != nil || !ok {
			return nil, err
		}
	case s.modified || s.force:
		ok, err := b.update(ctx, s, now)
		if err != nil || !ok {
			return nil, err
		}
	case now.Sub(s.expiry.Add(-b.m.Lifetime)) >= b.touch:
		expiry := now.Add(b.m.Lifetime)
		err := b.store.Touch(ctx, s.id, expiry)
		if errors.Is(err, ErrNotFound) {
			return nil, nil // ended meanwhile; the next request starts anew
		}
		if err != nil {
			return nil, storeErr("touch", err)
		}
		s.expiry = expiry
	case s.permanentLocked() && b.m.RefreshEachRequest:
		// The cookie's Expires slides with every request, as in cookie
		// mode; the record's expiry only once per touch interval.
	default:
		return nil, nil
	}
	return b.idCookie(s, now), nil
}

// idCookie returns the cookie carrying s's ID, signed now.
func (b *storeBackend) idCookie(s *Session, now time.Time) *http.Cookie {
	var expires time.Time
	if s.permanentLocked() {
		expires = now.Add(b.m.Lifetime)
	}
	return b.m.newCookie(b.m.codec.Signer().Sign(idPrefix+s.id, now), expires)
}

// record returns what the store keeps for s, written at now.
func (b *storeBackend) record(s *Session, now time.Time) (Record, error) {
	if b.m.AbsoluteTimeout > 0 && s.created == 0 {
		s.created = now.Unix()
	}
	values := s.values
	if s.created != 0 {
		values = maps.Clone(values)
		values[keyCreated] = s.created
	}
	data, err := flask.Marshal(values)
	if err != nil {
		return Record{}, fmt.Errorf("session: encode: %w", err)
	}
	return Record{Data: data, Expiry: now.Add(b.m.Lifetime), Version: s.version, Owner: s.owner}, nil
}

// create inserts s as a new record under a fresh ID.
func (b *storeBackend) create(ctx context.Context, s *Session, now time.Time) error {
	rec, err := b.record(s, now)
	if err != nil {
		return err
	}
	for range maxIDAttempts {
		id := newStoreID()
		err = b.store.Create(ctx, id, rec)
		if errors.Is(err, ErrExists) {
			b.m.logger().LogAttrs(ctx, slog.LevelError, "session: a new session id was taken; is the random source broken?",
				slog.String("id", logID(id)))
			continue
		}
		if err != nil {
			return storeErr("create", err)
		}
		s.id, s.version, s.expiry = id, 1, rec.Expiry
		return nil
	}
	return storeErr("create", err)
}

// update saves the loaded session s with its version, merging on conflict.
// It reports false when the record is gone and the write was dropped.
func (b *storeBackend) update(ctx context.Context, s *Session, now time.Time) (bool, error) {
	for attempt := 0; ; attempt++ {
		rec, err := b.record(s, now)
		if err != nil {
			return false, err
		}
		v, err := b.store.Update(ctx, s.id, rec)
		switch {
		case err == nil:
			s.version, s.expiry = v, rec.Expiry
			return true, nil
		case errors.Is(err, ErrNotFound):
			b.dropped(ctx, s, "save")
			return false, nil
		case !errors.Is(err, ErrConflict):
			return false, storeErr("save", err)
		case attempt == b.retries:
			return false, storeErr(fmt.Sprintf("save: still conflicting after %d merges", b.retries), err)
		}
		if err := mergeBackoff(ctx, attempt); err != nil {
			return false, storeErr("save: waiting to merge", err)
		}
		if ok, err := b.merge(ctx, s); err != nil || !ok {
			return false, err
		}
	}
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

// renew moves the session s to a new ID, merging on conflict. It reports
// false when the record is gone and the write was dropped.
func (b *storeBackend) renew(ctx context.Context, s *Session, now time.Time) (bool, error) {
	conflicts, taken := 0, 0
	for {
		rec, err := b.record(s, now)
		if err != nil {
			return false, err
		}
		newID := newStoreID()
		v, err := b.store.Renew(ctx, s.id, newID, rec)
		switch {
		case err == nil:
			s.id, s.version, s.expiry = newID, v, rec.Expiry
			return true, nil
		case errors.Is(err, ErrNotFound):
			b.dropped(ctx, s, "renew")
			return false, nil
		case errors.Is(err, ErrExists):
			if taken++; taken == maxIDAttempts {
				return false, storeErr("renew", err)
			}
			continue
		case !errors.Is(err, ErrConflict):
			return false, storeErr("renew", err)
		case conflicts == b.retries:
			return false, storeErr(fmt.Sprintf("renew: still conflicting after %d merges", b.retries), err)
		}
		if err := mergeBackoff(ctx, conflicts); err != nil {
			return false, storeErr("renew: waiting to merge", err)
		}
		conflicts++
		if ok, err := b.merge(ctx, s); err != nil || !ok {
			return false, err
		}
	}
}

// merge reloads s's record after a conflict and applies to it the keys
// this request set or deleted. It reports false when the record is gone.
func (b *storeBackend) merge(ctx context.Context, s *Session) (bool, error) {
	rec, err := b.store.Load(ctx, s.id)
	if errors.Is(err, ErrNotFound) {
		b.dropped(ctx, s, "save")
		return false, nil
	}
	if err != nil {
		return false, storeErr("reload after a conflict", err)
	}
	fresh, err := flask.Unmarshal(rec.Data)
	if err != nil {
		return false, fmt.Errorf("session: reload after a conflict: %w", err)
	}
	created, _, _, _ := takeReserved(fresh)
	if !s.allChanged {
		for k := range s.changed {
			if v, ok := s.values[k]; ok {
				fresh[k] = v
			} else {
				delete(fresh, k)
			}
		}
		s.values = fresh
	}
	if !s.renewed {
		s.created = created
	}
	if !s.ownerChanged {
		s.owner = rec.Owner
	}
	s.version = rec.Version
	return true, nil
}

// dropped logs a write not made because the record is gone.
func (b *storeBackend) dropped(ctx context.Context, s *Session, op string) {
	b.m.logger().LogAttrs(ctx, slog.LevelWarn,
		"session: "+op+" dropped: the session ended (logout, renewal or expiry) while this request ran",
		slog.String("id", logID(s.id)))
	s.id = ""
}
