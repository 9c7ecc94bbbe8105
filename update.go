package session

import (
	"fmt"
	"math"

	"slices"

	"github.com/sessionkit/session/flask"
)

// Update replaces the value under key with f(old) and returns it. old is
// the value converted to T as Get converts it, or T's zero value when key
// is absent; if the value present cannot be converted, Update returns an
// error wrapping ErrType and changes nothing. The result is stored as Set
// stores it.
//
// Unlike a Get followed by a Set, an update is replayable: when another
// request saved the session between this request's load and its save, the
// Manager runs f again on the value the other request saved, so that both
// changes are kept (see "Concurrent requests" in the package
// documentation). f must therefore compute its result from old alone, may
// run several times, and must not have side effects. The value Update
// returns is f's result on the value this request loaded; after a replay
// the stored value may differ.
func Update[T any](s *Session, key string, f func(old T) T) (T, error) {
	var zero T
	if err := checkKey(key); err != nil {
		return zero, err
	}
	fn := func(old any, ok bool) (any, bool, error) {
		var o T
		if ok {
			var conv bool
			if o, conv = old.(T); !conv {
				if o, conv = convertTo[T](old); !conv {
					return nil, false, fmt.Errorf("%w: key %q holds %T, not %T", ErrType, key, old, zero)
				}
			}
		}
		nv, err := normalise(f(o))
		if err != nil {
			return nil, false, fmt.Errorf("session: value under key %q: %w", key, err)
		}
		return nv, true, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.record(write{key: key, fn: fn}); err != nil {
		return zero, err
	}
	v, ok := s.values[key].(T)
	if !ok {
		v, _ = convertTo[T](s.values[key])
	}
	return v, nil
}

// Append appends elems to the list under key (creating it when key is
// absent) and is replayed like Update: appends of concurrent requests are
// all kept, in the order their saves succeed. It returns an error wrapping
// ErrType, and changes nothing, when key holds something other than a list.
func Append[E any](s *Session, key string, elems ...E) error {
	if err := checkKey(key); err != nil {
		return err
	}
	add := make([]any, len(elems))
	for i, e := range elems {
		v, err := normalise(e)
		if err != nil {
			return fmt.Errorf("session: value under key %q: %w", key, err)
		}
		add[i] = v
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	fn := appendFn(add)
	if _, err := checkAppend(s.values[key]); err != nil {
		return fmt.Errorf("%w: key %q", err, key)
	}
	return s.record(write{key: key, fn: fn})
}

// appendFn returns the replayable append of add to a list.
func appendFn(add []any) func(old any, ok bool) (any, bool, error) {
	return func(old any, ok bool) (any, bool, error) {
		list, err := checkAppend(old)
		if err != nil {
			return nil, false, err
		}
		// A new slice: the old one may be shared with a value Get returned.
		out := make([]any, 0, len(list)+len(add))
		return append(append(out, list...), add...), true, nil
	}
}

// checkAppend returns the list old holds (nil for none).
func checkAppend(old any) ([]any, error) {
	switch l := old.(type) {
	case nil:
		return nil, nil
	case []any:
		return l, nil
	case flask.Tuple:
		return l, nil
	}
	return nil, fmt.Errorf("%w: %T is not a list", ErrType, old)
}

// takeFn returns the replayable removal of the flashes a request showed:
// each must still be in the list (another request may have shown and
// removed it meanwhile, which is a conflict), and flashes added since stay.
func takeFn(taken []any) func(old any, ok bool) (any, bool, error) {
	return func(old any, ok bool) (any, bool, error) {
		list, _ := old.([]any)
		rest := slices.Clone(list)
		for _, t := range taken {
			i := slices.IndexFunc(rest, func(e any) bool { return sameValue(e, t) })
			if i < 0 {
				return nil, false, errGone
			}
			rest = slices.Delete(rest, i, i+1)
		}
		if len(rest) == 0 {
			return nil, false, nil
		}
		return rest, true, nil
	}
}

// errGone is a replay's error for a value the request consumed that
// another request consumed too.
var errGone = fmt.Errorf("%w: consumed by another request", ErrConflict)

// Add adds delta to the integer under key (0 when absent) and returns the
// sum, replayed like Update: counts of concurrent requests all add up. It
// returns an error wrapping ErrType when key holds something other than an
// integer, or when the sum overflows int64.
func Add(s *Session, key string, delta int64) (int64, error) {
	if err := checkKey(key); err != nil {
		return 0, err
	}
	fn := func(old any, ok bool) (any, bool, error) {
		var n int64
		if ok {
			var conv bool
			if n, conv = asInt64(old); !conv {
				return nil, false, fmt.Errorf("%w: key %q holds %T, not an integer", ErrType, key, old)
			}
		}
		if (delta > 0 && n > math.MaxInt64-delta) || (delta < 0 && n < math.MinInt64-delta) {
			return nil, false, fmt.Errorf("%w: key %q: %d + %d overflows int64", ErrType, key, n, delta)
		}
		return n + delta, true, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.record(write{key: key, fn: fn}); err != nil {
		return 0, err
	}
	n, _ := asInt64(s.values[key])
	return n, nil
}

// sameValue reports whether a and b are the same value in Flask's format.
func sameValue(a, b any) bool {
	ja, err1 := flask.Marshal(map[string]any{"": a})
	jb, err2 := flask.Marshal(map[string]any{"": b})
	return err1 == nil && err2 == nil && string(ja) == string(jb)
}
