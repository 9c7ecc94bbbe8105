package session

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/sessionkit/session/flask"
)

// Keys with a meaning to Flask, stored in the session's data as Flask stores
// them (FLASK_SESSION_SPEC.md §6 and §11).
const (
	keyPermanent = "_permanent"
	keyFlashes   = "_flashes"
)

// ReservedPrefix starts the keys the Manager keeps in a cookie session's
// data for its own features ("_sk_created", "_sk_owner", "_sk_gen",
// "_sk_id"). Flask applications sharing the cookie see them as ordinary
// keys (and must keep them); Go handlers never see them, and Set refuses
// them, so that no user input can set a session's owner.
const ReservedPrefix = "_sk_"

// The reserved keys: load lifts them out of the values, the save puts them
// back.
const (
	keyCreated = ReservedPrefix + "created" // Unix seconds the session began (AbsoluteTimeout)
	keyOwner   = ReservedPrefix + "owner"   // SetOwner
	keyGen     = ReservedPrefix + "gen"     // owner's revocation generation (Generations)
	keyNonce   = ReservedPrefix + "id"      // random identity replaced by Renew
)

// Errors of the Session's methods and of saving it.
var (
	// ErrCommitted is recorded (see Session.Err) and logged when a handler
	// changes the session after the response headers were written: the
	// change cannot reach the client.
	ErrCommitted = errors.New("session: changed after the response headers were written; the change is not saved")
	// ErrReservedKey is returned by Set and the update functions for a key
	// that starts with ReservedPrefix.
	ErrReservedKey = errors.New("session: key is reserved for the Manager (" + ReservedPrefix + "...)")
	// ErrType is returned (wrapped) by Update, Append and Add when the
	// value under the key cannot be converted to what they work on.
	ErrType = errors.New("session: value has another type")
)

// Flash is a message kept in the session until it is read, as Flask's
// flash() and get_flashed_messages() keep them.
type Flash struct {
	Category string // "message" when flashed without one, as in Flask
	Message  string
}

// Session is the session of one request: a map of values plus Flask's
// permanent flag and flash messages. Handlers get it from FromContext. It is
// safe for concurrent use by the goroutines serving the request; values
// returned by Get are shared, not copied: change a value through Set or the
// update functions (Update, Append, Add), or call MarkModified after
// changing one in place.
//
// A Session does no I/O. It records what the request read, what it changed
// and what it asks for (Renew, Destroy, a new owner); the Manager decides
// what to write when the response is committed (see "Concurrent requests"
// in the package documentation).
type Session struct {
	// mu guards every field below. The handler's goroutines and the commit
	// (which runs in whichever goroutine writes the headers first) share it.
	mu sync.Mutex

	h   *handler        // the middleware, for its logger; nil outside it
	ctx context.Context // the request's context, for log lines

	from   origin         // what load found; the commit's starting point
	values map[string]any // the data as the handler sees it, Flask's _permanent and _flashes included
	// base holds the values of a cache entry (cache.go), which other
	// requests read and nobody writes; nil when the values were not read
	// through the cache. While shared, values is base itself: own copies
	// it before the first change. A key's value that can change in place
	// (a list, a map...) and is still base's is copied before the handler
	// or an update function gets it (lend), and the key noted in lent.
	base    map[string]any
	shared  bool
	lent    []string
	lentBuf [2]string
	changes changes     // what the handler read and changed
	intent  intent      // what the handler asked for beyond data
	flashes flashCache  // what Flashes returned
	commit  commitState // how far the response went
}

// changes is the record of a request's reads and writes that lets a save
// that raced another save of the same session be replayed on the fresh
// record (plan.go, rebase).
type changes struct {
	log   []write  // the changes, in order
	reads []string // keys read before this request changed them
	// Room for the first changes and reads, inside the request's one
	// allocation (handler.ServeHTTP).
	logBuf   [2]write
	readBuf  [4]string
	readAll  bool // All, Len or MarkModified: every key counts as read
	cleared  bool // Clear or Destroy: the log applies to an empty session
	inPlace  bool // MarkModified: values may have changed without a write
	modified bool // Flask's session.modified: something was written
	accessed bool // the session was looked at: the response varies by Cookie
}

// intent holds what the handler asked for beyond data.
type intent struct {
	renew    bool   // Renew, or a new owner: a new identity at save
	destroy  bool   // Destroy: end the session, revoke its owner's copies
	owner    string // SetOwner's value when ownerSet
	ownerSet bool
}

// flashCache keeps what the first Flashes call returned.
type flashCache struct {
	read bool
	list []Flash
}

// commitState tracks the commit, for reporting late changes.
type commitState struct {
	done     bool  // the session went out (or failed) with the response headers
	varySent bool  // the committed headers carry Vary: Cookie
	late     bool  // changed after done; logged once
	lateRead bool  // read after done without Vary; logged once
	err      error // load or save error, or ErrCommitted
}

// write is one change of one key: a value set, a deletion, or a replayable
// function of the key's previous value.
type write struct {
	key string
	fn  func(old any, ok bool) (any, bool, error) // replayable; nil for set or delete
	v   any                                       // the value set, when fn is nil and keep
	del bool                                      // a deletion, when fn is nil
}

// apply performs w on values.
func (w *write) apply(values map[string]any) error {
	if w.fn == nil {
		if w.del {
			delete(values, w.key)
		} else {
			values[w.key] = w.v
		}
		return nil
	}
	old, ok := values[w.key]
	v, keep, err := w.fn(old, ok)
	if err != nil {
		return err
	}
	if keep {
		values[w.key] = v
	} else {
		delete(values, w.key)
	}
	return nil
}

type contextKey struct{}

// sessionKey is the context key under which the middleware stores the
// *Session.
var sessionKey = &contextKey{}

// FromContext returns the session that the Manager's middleware put in ctx
// (the request's context), or nil outside the middleware. Get accepts a nil
// *Session (it holds nothing); the methods do not.
func FromContext(ctx context.Context) *Session {
	s, _ := ctx.Value(sessionKey).(*Session)
	return s
}

// logger returns the Manager's logger.
func (s *Session) logger() *slog.Logger {
	if s.h != nil {
		return s.h.cfg.logger
	}
	return slog.Default()
}

// look marks the session accessed, and notes a read made after the
// response headers went out without Vary: Cookie. The caller holds s.mu.
func (s *Session) look() {
	s.changes.accessed = true
	if c := &s.commit; c.done && !c.varySent && !c.lateRead {
		// The response may now depend on the session, but its headers are
		// gone: a shared cache could serve it to another user.
		c.lateRead = true
		s.logger().LogAttrs(s.ctx, slog.LevelWarn,
			"session: read after the response headers were written, so they lack Vary: Cookie; read the session before writing the response")
	}
}

// read records that the handler saw the value under key. The caller holds
// s.mu.
func (s *Session) read(key string) {
	s.look()
	ch := &s.changes
	if ch.readAll || ch.cleared || slices.Contains(ch.reads, key) {
		return
	}
	for i := range ch.log {
		if ch.log[i].key == key {
			return // the request reads its own write
		}
	}
	if ch.reads == nil {
		ch.reads = ch.readBuf[:0]
	}
	ch.reads = append(ch.reads, key)
}

// own gives the session its own map of values, before it changes one:
// the values themselves stay base's until lend copies them. The caller
// holds s.mu.
func (s *Session) own() {
	if s.shared {
		s.values = maps.Clone(s.base)
		s.shared = false
	}
}

// pristine reports whether the value under key is still the cache
// entry's: neither written nor lent since the session was loaded. The
// caller holds s.mu.
func (s *Session) pristine(key string) bool {
	if _, in := s.base[key]; !in || s.changes.cleared || slices.Contains(s.lent, key) {
		return false
	}
	for i := range s.changes.log {
		if s.changes.log[i].key == key {
			return false
		}
	}
	return true
}

// lend returns the value under key for the handler (or an update
// function), and whether it is present: a copy, kept in values from then
// on, when the value can change in place and is still the cache entry's.
// The caller holds s.mu.
func (s *Session) lend(key string) (any, bool) {
	v, ok := s.values[key]
	if ok && mutable(v) && s.pristine(key) {
		s.own()
		v = copyValue(v)
		s.values[key] = v
		if s.lent == nil {
			s.lent = s.lentBuf[:0]
		}
		s.lent = append(s.lent, key)
	}
	return v, ok
}

// readEverything records that the handler saw every value.
func (s *Session) readEverything() {
	s.look()
	s.changes.readAll = true
}

// change marks the session modified and notes a change made too late to be
// saved. The caller holds s.mu.
func (s *Session) change(key string) {
	s.changes.accessed = true
	s.changes.modified = true
	if c := &s.commit; c.done && !c.late {
		c.late = true
		if c.err == nil {
			c.err = ErrCommitted
		}
		s.logger().LogAttrs(s.ctx, slog.LevelError, ErrCommitted.Error(), slog.String("key", key))
	}
}

// record applies w to the values and logs it for a replay. The caller
// holds s.mu.
func (s *Session) record(w write) error {
	s.own()
	if w.fn != nil {
		s.lend(w.key) // the function gets the old value: a copy of base's
	}
	if s.values == nil {
		s.values = make(map[string]any, 4)
	}
	if err := w.apply(s.values); err != nil {
		return err
	}
	s.change(w.key)
	if s.changes.log == nil {
		s.changes.log = s.changes.logBuf[:0]
	}
	s.changes.log = append(s.changes.log, w)
	return nil
}

// checkKey refuses the reserved keys.
func checkKey(key string) error {
	if strings.HasPrefix(key, ReservedPrefix) {
		return fmt.Errorf("%w: %q", ErrReservedKey, key)
	}
	return nil
}

// Get returns the value under key converted to T, and whether the key is
// present and convertible. Values come as Flask's JSON gives them; Get
// converts:
//
//   - int64 and *big.Int to any integer type, float64 to any float type
//     (and integral floats to integers), failing on overflow or a fraction;
//   - integers to any float type;
//   - []any and flask.Tuple to []E, map[string]any to map[string]E,
//     element by element, failing if any element fails;
//   - a value to any interface type it implements (Get[any] never converts).
//
// A nil *Session holds nothing.
func Get[T any](s *Session, key string) (T, bool) {
	var zero T
	if s == nil {
		return zero, false
	}
	s.mu.Lock()
	s.read(key)
	v, ok := s.lend(key)
	s.mu.Unlock()
	if !ok {
		return zero, false
	}
	if t, ok := v.(T); ok {
		return t, true
	}
	return convertTo[T](v)
}

// Peek is Get for a read this request's changes do not depend on: a
// display, a soft limit. A value read with Get and then changed by another
// request makes this request's save fail with a *ConflictError, since
// what it wrote may have been computed from it; a value read with Peek
// does not. Use it only when acting on a slightly stale value is harmless:
// a limit checked with Peek can be passed by requests racing each other.
func Peek[T any](s *Session, key string) (T, bool) {
	var zero T
	if s == nil {
		return zero, false
	}
	s.mu.Lock()
	s.look()
	v, ok := s.lend(key)
	s.mu.Unlock()
	if !ok {
		return zero, false
	}
	if t, ok := v.(T); ok {
		return t, true
	}
	return convertTo[T](v)
}

// Set stores v under key and marks the session modified (even when v equals
// the old value, as in Flask; a server-side store then writes nothing). v is
// one of package flask's value types (string, bool, nil, int64, *big.Int,
// float64, []any, map[string]any, flask.Tuple, []byte, flask.Markup,
// flask.UUID, time.Time); other integer and float types, slices and
// string-keyed maps of those are converted to them. Set returns an error,
// and changes nothing, for a value that Flask's format cannot hold (it wraps
// flask.ErrUnsupported) and for a reserved key (ErrReservedKey).
//
// Set does not depend on the value it replaces. A value computed from the
// one read with Get makes the save fail with a *ConflictError if another
// request changed the key meanwhile; Update, Append and Add instead are
// replayed on the other request's value.
func (s *Session) Set(key string, v any) error {
	if err := checkKey(key); err != nil {
		return err
	}
	nv, err := normalise(v)
	if err != nil {
		return fmt.Errorf("session: value under key %q: %w", key, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.record(write{key: key, v: nv})
}

// Pop removes key and returns its value and whether it was present. As in
// Flask, popping a missing key does not modify the session.
func (s *Session) Pop(key string) (any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.read(key)
	v, ok := s.lend(key)
	if ok {
		s.record(write{key: key, del: true})
	}
	return v, ok
}

// Delete removes key. Unlike Pop, it does not read the value, so it never
// conflicts with another request's change of key. Deleting a missing key
// does not modify the session.
func (s *Session) Delete(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.look()
	if _, ok := s.values[key]; ok {
		s.record(write{key: key, del: true})
	}
}

// Clear removes every key, including the permanent flag. The cookie is then
// deleted, unless the handler sets new values.
func (s *Session) Clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clearLocked()
}

func (s *Session) clearLocked() {
	s.change("")
	if s.shared {
		s.values, s.shared = nil, false
	}
	clear(s.values) // base's values are no longer any key's
	s.changes.log = s.changes.log[:0]
	s.changes.cleared = true
}

// Has reports whether key is present.
func (s *Session) Has(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.read(key)
	_, ok := s.values[key]
	return ok
}

// All iterates over the keys and values sorted by key, Flask's _permanent
// and _flashes included. It iterates over a snapshot taken when the loop
// starts, so the loop body may change the session.
func (s *Session) All() iter.Seq2[string, any] {
	return func(yield func(string, any) bool) {
		s.mu.Lock()
		s.readEverything()
		keys := slices.Sorted(maps.Keys(s.values))
		vals := make([]any, len(keys))
		for i, k := range keys {
			vals[i], _ = s.lend(k)
		}
		s.mu.Unlock()
		for i, k := range keys {
			if !yield(k, vals[i]) {
				return
			}
		}
	}
}

// Len returns the number of keys, Flask's _permanent and _flashes included.
func (s *Session) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.readEverything()
	return len(s.values)
}

// Permanent reports whether the session is permanent: its cookie then
// carries an Expires of now plus Manager.Lifetime and outlives the browser
// session. New sessions are not permanent.
func (s *Session) Permanent() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.read(keyPermanent)
	return permanent(s.values)
}

func permanent(values map[string]any) bool {
	p, _ := values[keyPermanent].(bool)
	return p
}

// SetPermanent stores the permanent flag under Flask's _permanent key. As
// in Flask, SetPermanent(false) still stores the key, so the session is not
// empty and a cookie is sent.
func (s *Session) SetPermanent(p bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.record(write{key: keyPermanent, v: p})
}

// Flash adds a message for a later request, stored as Flask stores it (a
// (category, message) tuple appended to the _flashes list), so that Flask's
// get_flashed_messages shows it too. An empty category is Flask's default,
// "message". Flashes of concurrent requests are all kept.
func (s *Session) Flash(category, message string) {
	if category == "" {
		category = "message"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.record(write{key: keyFlashes, fn: appendFn([]any{flask.Tuple{category, message}})})
}

// Flashes returns the flash messages and removes them from the session, as
// Flask's get_flashed_messages: the first call in a request takes them out,
// later calls in the same request return the same messages. Entries that
// are not (category, message) pairs of strings, which Flask applications
// may flash, are left in the session for them.
func (s *Session) Flashes() []Flash {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.flashes.read {
		s.look()
		return slices.Clone(s.flashes.list)
	}
	s.flashes.read = true
	s.look()
	list, _ := s.values[keyFlashes].([]any)
	var taken []any
	for _, e := range list {
		if f, ok := toFlash(e); ok {
			s.flashes.list = append(s.flashes.list, f)
			taken = append(taken, e)
		}
	}
	if len(taken) > 0 {
		s.record(write{key: keyFlashes, fn: takeFn(taken)})
	}
	return slices.Clone(s.flashes.list)
}

func toFlash(e any) (Flash, bool) {
	var pair []any
	switch e := e.(type) {
	case flask.Tuple:
		pair = e
	case []any:
		pair = e
	case string: // a bare message, as Flask accepts on read
		return Flash{Category: "message", Message: e}, true
	}
	if len(pair) != 2 {
		return Flash{}, false
	}
	cat, ok1 := flashText(pair[0])
	msg, ok2 := flashText(pair[1])
	return Flash{Category: cat, Message: msg}, ok1 && ok2
}

func flashText(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case flask.Markup:
		return string(v), true
	}
	return "", false
}

// Renew gives the session a new identity and keeps its data: call it when
// the user logs in or gains privileges, so that an identity planted before
// login (session fixation) is worth nothing after it. SetOwner with a new
// owner renews too. With a Store the record moves to a new ID when the
// response is committed, and the old ID is gone; a cookie session gets a new
// random identity. Renew also restarts the AbsoluteTimeout clock.
func (s *Session) Renew() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.change("")
	s.intent.renew = true
}

// Destroy ends the session: it empties it, and the response deletes the
// cookie (and, with a Store, the record). When the Manager has Generations
// and the session an owner, the owner's generation is bumped as the
// response is committed, so that copies of the owner's cookies are refused
// too.
func (s *Session) Destroy() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clearLocked()
	s.intent = intent{destroy: true, ownerSet: true}
}

// SetOwner tags the session with the user it belongs to (a user ID), for
// Manager.DestroyAll and revocation: with Generations set, the cookie
// records the owner's current generation and is refused once it moves on.
// A new owner is a privilege change: the session is renewed (see Renew).
// The owner is kept out of the values that All and Get see; Flask
// applications sharing the cookie see it under "_sk_owner".
func (s *Session) SetOwner(owner string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.change("")
	if owner != s.ownerLocked() {
		s.intent.renew = true
	}
	s.intent.owner, s.intent.ownerSet = owner, true
}

// Owner returns the owner SetOwner recorded, or "".
func (s *Session) Owner() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.look()
	return s.ownerLocked()
}

func (s *Session) ownerLocked() string {
	if s.intent.ownerSet {
		return s.intent.owner
	}
	return s.from.owner
}

// MarkModified marks the session changed, so that it is saved: needed after
// changing a nested value in place (appending to a list taken with Get),
// which the session cannot see, as in Flask. Such a change cannot be
// replayed: if another request saved the session meanwhile, the save fails
// with a *ConflictError.
func (s *Session) MarkModified() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.change("")
	s.changes.readAll = true
	s.changes.inPlace = true
}

// Err returns the first error the session met: a failure to load it (a
// store or Generations outage, which the middleware reports before the
// handler runs), a failure to save it (then the handler's response was
// replaced by the ErrorHandler's), or ErrCommitted for a change made after
// the response headers were written.
func (s *Session) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.commit.err
}
