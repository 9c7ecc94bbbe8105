package session

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/sessionkit/session/flask"
)

// Keys with a meaning to Flask, stored in the session's data as Flask stores
// them (FLASK_SESSION_SPEC.md §6 and §11).
const (
	keyPermanent = "_permanent"
	keyFlashes   = "_flashes"
)

// Reserved keys the Manager adds to a cookie session's data for its own
// features. Flask applications sharing the cookie see them as ordinary keys
// (and must keep them); Go handlers never see them: load lifts them out of
// the values and commit puts them back.
const (
	keyCreated = "_sk_created" // Unix seconds the session began (AbsoluteTimeout)
	keyOwner   = "_sk_owner"   // SetOwner
	keyGen     = "_sk_gen"     // owner's revocation generation (Generations)
	keyNonce   = "_sk_id"      // random value replaced by Renew
)

// ErrCommitted is recorded (see Session.Err) and logged when a handler
// changes the session after the response headers were written: the change
// cannot reach the client.
var ErrCommitted = errors.New("session: changed after the response headers were written; the change is not saved")

// Flash is a message kept in the session until it is read, as Flask's
// flash() and get_flashed_messages() keep them.
type Flash struct {
	Category string // "message" when flashed without one, as in Flask
	Message  string
}

// Session is the session of one request: a map of values plus Flask's
// permanent flag and flash messages. Handlers get it from FromContext. It is
// safe for concurrent use by the goroutines serving the request; values
// returned by Get are shared, not copied, so change nested values by
// setting them again (or call MarkModified).
type Session struct {
	// mu guards every field below. The handler's goroutines and the commit
	// (which runs in whichever goroutine writes the headers first) share it.
	mu sync.Mutex

	m   *Manager
	ctx context.Context // the request's context, for Generations calls

	// values holds the user's data and Flask's own keys (_permanent,
	// _flashes); the reserved _sk_ keys are kept in the fields below.
	values map[string]any
	// changed holds the keys set or deleted by this request, nil until the
	// first change. Store mode merges them when another request saved in
	// between.
	changed map[string]struct{}
	cleared bool // Clear or Destroy dropped every loaded key
	// allChanged: MarkModified ran, so some value may have changed in
	// place under any key; a merge must treat every key as changed.
	allChanged bool
	modified   bool // the data changed: the cookie (or record) must be written
	accessed   bool // the handler looked at the session: the response varies by Cookie
	destroyed  bool // Destroy ran: delete the cookie (and record), revoke the owner
	renewed    bool // Renew ran: new identity
	force      bool // write even if unmodified (a reserved key had to be added)

	flashes     []Flash // what the first Flashes call returned
	flashesRead bool

	// Bookkeeping kept out of values.
	owner        string // SetOwner; "" for none
	ownerChanged bool   // SetOwner ran this request
	destroyOwner string // the owner of a destroyed session, revoked at commit
	gen          uint64 // owner's generation the cookie carries
	created      int64  // Unix seconds the session began; 0 unknown
	nonce        string // cookie mode: identity, replaced by Renew

	// Cookie mode: the verified incoming cookie value ("" for none), kept
	// for the cheap refresh of read-only permanent sessions.
	raw string

	// Store mode (storemode.go): the record's ID, version and expiry.
	id      string
	version int64
	expiry  time.Time

	committed bool  // the session went out with the response headers
	varySent  bool  // the committed headers carry Vary: Cookie
	late      bool  // changed after committed; logged once
	lateRead  bool  // read after committed without Vary; logged once
	setErr    error // a value Set could not hold; reported at commit
	err       error // load or commit error, or ErrCommitted
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

// touch marks the session accessed and, for a change, modified; it notes a
// change made too late to be saved. The caller holds s.mu.
func (s *Session) touch(change bool, key string) {
	s.accessed = true
	if s.committed && !s.varySent && !s.lateRead && !change {
		// The response may now depend on the session, but its headers are
		// gone: a shared cache could serve it to another user.
		s.lateRead = true
		if s.m != nil {
			s.m.logger().LogAttrs(s.ctx, slog.LevelWarn,
				"session: read after the response headers were written, so they lack Vary: Cookie; read the session before writing the response")
		}
	}
	if !change {
		return
	}
	s.modified = true
	if key != "" {
		if s.changed == nil {
			s.changed = make(map[string]struct{}, 4)
		}
		s.changed[key] = struct{}{}
	}
	if s.committed && !s.late {
		s.late = true
		if s.err == nil {
			s.err = ErrCommitted
		}
		if s.m != nil {
			s.m.logger().LogAttrs(s.ctx, levelError, ErrCommitted.Error(), attrKey(key))
		}
	}
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
	s.touch(false, "")
	v, ok := s.values[key]
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
// the old value, as Flask). v is one of package flask's value types
// (string, bool, nil, int64, *big.Int, float64, []any, map[string]any,
// flask.Tuple, []byte, flask.Markup, flask.UUID, time.Time); other integer
// and float types, slices and string-keyed maps of those are converted to
// them. A value that cannot be stored makes the save fail with an error
// naming key.
func (s *Session) Set(key string, v any) {
	nv, err := normalise(v)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.touch(true, key)
	if err != nil && s.setErr == nil {
		s.setErr = fmt.Errorf("session: value under key %q: %w", key, err)
	}
	if s.values == nil {
		s.values = make(map[string]any, 4)
	}
	s.values[key] = nv
}

// Pop removes key and returns its value and whether it was present. As in
// Flask, popping a missing key does not modify the session.
func (s *Session) Pop(key string) (any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.values[key]
	s.touch(ok, key)
	delete(s.values, key)
	return v, ok
}

// Delete removes key. Deleting a missing key does not modify the session.
func (s *Session) Delete(key string) { s.Pop(key) }

// Clear removes every key, including the permanent flag. The cookie is then
// deleted, unless the handler sets new values.
func (s *Session) Clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.touch(true, "")
	s.clearLocked()
}

func (s *Session) clearLocked() {
	for k := range s.values {
		if s.changed == nil {
			s.changed = make(map[string]struct{}, len(s.values))
		}
		s.changed[k] = struct{}{}
	}
	clear(s.values)
	s.cleared = true
	s.created = 0
}

// Has reports whether key is present.
func (s *Session) Has(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.touch(false, "")
	_, ok := s.values[key]
	return ok
}

// All iterates over the keys and values sorted by key, Flask's _permanent
// and _flashes included. It iterates over a snapshot taken when the loop
// starts, so the loop body may change the session.
func (s *Session) All() iter.Seq2[string, any] {
	return func(yield func(string, any) bool) {
		s.mu.Lock()
		s.touch(false, "")
		keys := slices.Sorted(maps.Keys(s.values))
		vals := make([]any, len(keys))
		for i, k := range keys {
			vals[i] = s.values[k]
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
	s.touch(false, "")
	return len(s.values)
}

// Permanent reports whether the session is permanent: its cookie then
// carries an Expires of now plus Manager.Lifetime and outlives the browser
// session. New sessions are not permanent.
func (s *Session) Permanent() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.touch(false, "")
	return s.permanentLocked()
}

func (s *Session) permanentLocked() bool {
	p, _ := s.values[keyPermanent].(bool)
	return p
}

// SetPermanent stores the permanent flag under Flask's _permanent key. As
// in Flask, SetPermanent(false) still stores the key, so the session is not
// empty and a cookie is sent.
func (s *Session) SetPermanent(p bool) {
	s.Set(keyPermanent, p)
}

// Flash adds a message for a later request, stored as Flask stores it (a
// (category, message) tuple appended to the _flashes list), so that Flask's
// get_flashed_messages shows it too. An empty category is Flask's default,
// "message".
func (s *Session) Flash(category, message string) {
	if category == "" {
		category = "message"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.touch(true, keyFlashes)
	old, _ := s.values[keyFlashes].([]any)
	list := make([]any, len(old), len(old)+1)
	copy(list, old)
	list = append(list, flask.Tuple{category, message})
	if s.values == nil {
		s.values = make(map[string]any, 1)
	}
	s.values[keyFlashes] = list
}

// Flashes returns the flash messages and removes them from the session, as
// Flask's get_flashed_messages: the first call in a request takes them out,
// later calls in the same request return the same messages. Entries that
// are not (category, message) pairs are skipped.
func (s *Session) Flashes() []Flash {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.flashesRead {
		s.touch(false, "")
		return slices.Clone(s.flashes)
	}
	s.flashesRead = true
	v, ok := s.values[keyFlashes]
	s.touch(ok, keyFlashes)
	delete(s.values, keyFlashes)
	list, _ := v.([]any)
	for _, e := range list {
		if f, ok := toFlash(e); ok {
			s.flashes = append(s.flashes, f)
		}
	}
	return slices.Clone(s.flashes)
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
// login (session fixation) is worth nothing after it. With a Store the
// record moves to a new ID and the old ID is gone. With cookie sessions the
// cookie is re-issued with a new random identity and, when the Manager has
// Generations and the session an owner, the owner's generation is bumped:
// every older cookie of that owner is refused from now on (revocation of
// stateless cookies is per owner). At login, call Renew before SetOwner to
// leave the user's other sessions alone, or after it to end them. Renew
// also restarts the AbsoluteTimeout clock. It returns the error of the
// Generations call, if any.
func (s *Session) Renew() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.touch(true, "")
	s.renewed = true
	s.created = 0
	if s.m != nil && s.m.Store == nil && s.m.Generations != nil && s.owner != "" {
		g, err := s.m.Generations.Bump(s.ctx, s.owner)
		if err != nil {
			err = storeErr("renew: bump generation", err)
			if s.err == nil {
				s.err = err
			}
			return err
		}
		s.gen = g
		s.ownerChanged = false
	}
	return nil
}

// Destroy ends the session: it empties it, and the response deletes the
// cookie (and, with a Store, the record). When the Manager has Generations
// and the session an owner, the owner's generation is bumped as the
// response is committed, so that copies of the cookie are refused too.
func (s *Session) Destroy() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.touch(true, "")
	s.clearLocked()
	s.destroyed = true
	if s.owner != "" {
		s.destroyOwner = s.owner
	}
	s.owner = ""
	s.ownerChanged = false
	s.nonce = ""
}

// SetOwner tags the session with the user it belongs to (a user ID), for
// Manager.DestroyAll and revocation: with Generations set, the cookie
// records the owner's current generation and is refused once it moves on.
// The owner is kept out of the values that All and Get see; Flask
// applications sharing the cookie see it under "_sk_owner".
func (s *Session) SetOwner(owner string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.touch(true, "")
	s.owner = owner
	s.ownerChanged = true
}

// Owner returns the owner SetOwner recorded, or "".
func (s *Session) Owner() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.touch(false, "")
	return s.owner
}

// MarkModified marks the session changed, so that it is saved: needed after
// changing a nested value in place (appending to a list taken with Get), which
// the session cannot see, as in Flask.
func (s *Session) MarkModified() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.touch(true, "")
	s.allChanged = true
}

// Err returns the first error the session met: a failure to load it (a
// store or Generations outage, which the middleware reports before the
// handler runs), a failure to save it (then the handler's response was
// replaced by the ErrorHandler's), or ErrCommitted for a change made after
// the response headers were written.
func (s *Session) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}
