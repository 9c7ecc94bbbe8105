package session

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sessionkit/session/flask"
)

// This file is the commit planner: what the save of one request does, by
// the rules of the package documentation. Backends (cookie.go,
// storebackend.go, hybrid.go, revoke.go) load a session into an origin and
// carry out the step the planner chooses; they decide nothing themselves.

// place is where a loaded session's data lives.
type place uint8

const (
	placeNone   place = iota // no valid session cookie: a new, anonymous session
	placeCookie              // the data is in the cookie (Flask's format)
	placeStore               // the cookie carries an ID; the data is a Store record
)

// origin is what load found: where the session came from and the
// bookkeeping kept beside its data. load writes it; a merge (rebase)
// moves it to the record another request saved.
type origin struct {
	place   place
	raw     string // the verified incoming session cookie; "" for none
	cookie  opened // raw, opened, when it is a data cookie
	payload string // raw's signed payload, when it is an ID cookie
	// rewrite: the data must be written even if nothing changed (the
	// AbsoluteTimeout clock was started for a session that lacked it; a
	// signed cookie must be sealed).
	rewrite bool
	// legacy: the ID cookie is in an older format and must be sent anew.
	legacy bool

	// A Store record (placeStore).
	id      string
	version int64
	expiry  time.Time
	data    []byte // the record's Data as loaded

	// Reserved keys, kept out of the values.
	created int64  // Unix seconds the session began; 0 unknown
	owner   string // SetOwner
	gen     uint64 // owner's generation the cookie carries
	nonce   string // a cookie session's identity, replaced by Renew
}

// step is what a save does.
type step uint8

const (
	stepNothing step = iota // write nothing, send no Set-Cookie
	stepResend              // send the same session again (a refresh of a permanent cookie, a touch)
	stepWrite               // save the data: a new cookie value, or a record created, updated or renewed
	stepErase               // the session ended or became empty: delete the cookie (and record)
)

// planCookie chooses the step for a session kept in the cookie, as Flask's
// save_session does (FLASK_SESSION_SPEC.md §7): a modified session that is
// empty is deleted; a non-empty one is written when modified, and a
// permanent one is re-sent on every request when RefreshEachRequest is set.
func (c *config) planCookie(s *Session) step {
	switch {
	case len(s.values) == 0 && s.changes.modified:
		return stepErase
	case len(s.values) == 0:
		return stepNothing
	case s.changes.modified || s.from.rewrite || s.intent.renew:
		return stepWrite
	case permanent(s.values) && c.refresh:
		if s.from.raw == "" {
			return stepWrite // a new session that only read: nothing to re-send
		}
		return stepResend
	case s.from.cookie.rotate:
		return stepResend // sealed with a retiring key: move it to the current one
	}
	return stepNothing
}

// planStore chooses the step for a session kept in a Store. data is the
// record the session would write (nil when the session holds no data: a
// session that holds nothing but the permanent flag is never stored, so
// that anonymous visitors cost no record). The store writes only when the
// data, the owner or the identity changed: a Set of the value already
// held writes nothing. A read-only request touches the record once per
// touch interval, and re-sends the ID cookie of a permanent session on
// every request when RefreshEachRequest is set.
func (c *config) planStore(s *Session, data []byte, now time.Time) step {
	switch {
	case s.intent.destroy:
		return stepErase
	case data == nil && s.from.id != "":
		return stepErase
	case data == nil && s.changes.modified && s.from.raw != "":
		return stepErase // an ID cookie whose record is gone
	case data == nil:
		return stepNothing
	case s.from.id == "" || s.intent.renew || s.from.rewrite:
		return stepWrite
	case s.changes.modified && (s.intent.ownerSet && s.intent.owner != s.from.owner || string(data) != string(s.from.data)):
		return stepWrite
	case s.from.legacy, c.touchDue(s, now), permanent(s.values) && c.refresh:
		return stepResend
	}
	return stepNothing
}

// touchDue reports whether a read-only request of a stored session must
// extend the record's expiry: the last write or touch is older than the
// touch interval.
func (c *config) touchDue(s *Session, now time.Time) bool {
	return now.Sub(s.from.expiry.Add(-c.lifetime)) >= c.touch
}

// holdsData reports whether a session with values and owner is worth a
// record: anything beyond the permanent flag.
func holdsData(values map[string]any, owner string) bool {
	if owner != "" || len(values) > 1 {
		return true
	}
	_, onlyFlag := values[keyPermanent]
	return len(values) == 1 && !onlyFlag
}

// expires returns the Expires of the session cookie written at now: none
// for a browser-session cookie, now plus Lifetime for a permanent one,
// capped by the absolute timeout (the browser may as well drop the cookie
// when the server will refuse it).
func (c *config) expires(s *Session, now time.Time) time.Time {
	if !permanent(s.values) {
		return time.Time{}
	}
	exp := now.Add(c.lifetime)
	if c.absTimeout > 0 && s.from.created != 0 {
		if end := time.Unix(s.from.created, 0).Add(c.absTimeout); end.Before(exp) {
			exp = end
		}
	}
	return exp
}

// ConflictError is the error of a save that could not be merged with
// another request's save of the same session: the request read a value
// that the other request changed (Keys), it changed values in place
// (MarkModified), the session ended while it ran (Gone), or the saves kept
// racing (Rounds merges). The handler's response is replaced by the
// ErrorHandler's, by default 409 Conflict, and no Set-Cookie is sent: the
// client keeps its cookie, and the request can be retried. It wraps
// ErrConflict.
type ConflictError struct {
	Keys   []string // keys this request read that another request changed
	Gone   bool     // the session ended (logout, renewal, expiry) meanwhile
	Rounds int      // merges attempted before giving up; 0 for the other causes
}

func (e *ConflictError) Error() string {
	var b strings.Builder
	b.WriteString("session: concurrent change: ")
	switch {
	case e.Gone:
		b.WriteString("the session ended (logout, renewal or expiry) while this request ran")
	case e.Rounds > 0:
		fmt.Fprintf(&b, "other requests kept saving the session; gave up after %d merges", e.Rounds)
	case len(e.Keys) > 0:
		fmt.Fprintf(&b, "another request changed %q, which this request read before changing the session", e.Keys)
	default:
		b.WriteString("another request saved the session after this one changed a value in place (MarkModified)")
	}
	b.WriteString("; nothing was saved, retry the request")
	return b.String()
}

// Unwrap returns ErrConflict.
func (e *ConflictError) Unwrap() error { return ErrConflict }

// rebase replays s's changes on fresh, the record another request saved
// after s was loaded (its Data decoded as cur). This is the merge rule, an
// optimistic transaction's validation per key:
//
//   - a key s read (Get, Has, Pop, Permanent; every key after All, Len or
//     MarkModified) before changing it is part of what s's changes were
//     built on: if the other save changed that key, s's save is refused
//     with a *ConflictError;
//   - otherwise s's changes are applied, in order, to fresh: a Set or a
//     deletion as it was made (a blind write, which does not depend on the
//     value it replaces), an update (Update, Append, Add, Flash, Flashes)
//     by running its function again on the fresh value;
//   - keys s did not change keep the other request's values.
//
// Every save is thus equivalent to running the request after the saves it
// raced, and no change a client was told is saved is ever lost.
func rebase(s *Session, fresh Record, cur map[string]any) error {
	base, err := flask.Unmarshal(s.from.data)
	if err != nil {
		return fmt.Errorf("session: reload after a conflict: %w", err)
	}
	created, _, _, _ := takeReserved(base)
	freshCreated, _, _, _ := takeReserved(cur)
	changed := changedKeys(base, cur)
	switch ch := &s.changes; {
	case len(changed) == 0:
	case ch.inPlace:
		return &ConflictError{}
	case ch.readAll:
		return &ConflictError{Keys: changed}
	default:
		var keys []string
		for _, k := range changed {
			if slices.Contains(ch.reads, k) {
				keys = append(keys, k)
			}
		}
		if keys != nil {
			return &ConflictError{Keys: keys}
		}
	}
	if s.changes.cleared {
		clear(cur)
	}
	for i := range s.changes.log {
		w := &s.changes.log[i]
		if err := w.apply(cur); err != nil {
			if errors.Is(err, ErrConflict) {
				return &ConflictError{Keys: []string{w.key}}
			}
			return err
		}
	}
	s.values, s.base, s.shared = cur, nil, false // no longer a cache entry's values
	if s.from.created == created && !s.intent.renew {
		s.from.created = freshCreated
	}
	s.from.owner = fresh.Owner
	s.from.version, s.from.expiry, s.from.data = fresh.Version, fresh.Expiry, fresh.Data
	return nil
}

// changedKeys returns the sorted keys whose values differ between a and b
// (present in one only, or written differently in Flask's format).
func changedKeys(a, b map[string]any) []string {
	var keys []string
	for k, va := range a {
		if vb, ok := b[k]; !ok || !sameValue(va, vb) {
			keys = append(keys, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}
