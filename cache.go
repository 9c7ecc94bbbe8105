package session

import (
	"math"
	"math/big"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sessionkit/session/flask"
	"github.com/sessionkit/session/seal"
)

// This file is the cache of verified cookies. A browser sends the same
// session cookie until the session changes, so most requests bring a
// cookie the Manager has read before (or has just written). The cache
// keeps the decoded values of such cookies, so that such a request costs
// the signature (or seal) and age check, and no base64, zlib or JSON work.
//
// Why a hit gives exactly what decoding would give:
//
//   - The cache is consulted only after the cookie verified: the
//     signature with the Manager's own signer (an SK1 token: its MAC,
//     decryption included) and the age against Lifetime, on every
//     request, hit or miss (format.open, before any lookup). A forged,
//     expired or foreign cookie never reaches the cache.
//   - An entry is keyed by the verified text that decoding reads: the
//     signed payload of a Flask cookie (its base64, compressed or not), or
//     the plaintext of an SK1 token. The values are a pure function of
//     that text (flask.Codec.DecodePayload, flask.Unmarshal: no clock, no
//     key, no state), so equal texts decode to equal values. The
//     timestamp is not part of the key: a refreshed cookie (same payload,
//     newer timestamp) hits too, and its age is still checked from its
//     own, verified, timestamp. For a sealed cookie, caching by the
//     plaintext (rather than by the token) needs no argument about the
//     cipher at all: Open has decrypted and authenticated the token, and
//     the entry depends only on the bytes it returned.
//   - Each Manager has its own caches, and a Handler's configuration
//     shares one only with configurations of the same Manager that read
//     cookies identically (cacheID: the same signer and sealer, the same
//     cookie name, the same decoding limits and Compressor). Two keys, two
//     cookie names or two Managers never meet in one cache.
//   - Entries are never written after they are made. A Session reading
//     an entry copies its map before the first change (Session.own), and
//     copies a value that can change in place (a list, a map, a byte
//     slice, a big integer) before the handler or an update function gets
//     it (Session.lend), so that nothing a handler does reaches the next
//     request; reading a string or a number copies nothing.
//   - An entry made when the Manager writes a cookie (fill) holds what
//     decoding that cookie will give: the values the request neither
//     changed nor lent are the previous entry's own (shared: neither entry
//     is ever written); the others are copied by decodedForm as the
//     decoder returns them, which gives up (no entry) for the values whose
//     decoded form is not a plain copy (times, big integers, NaN).
//
// The cache is bounded in entries and in bytes (an estimate of the memory
// an entry keeps alive, entryCost); eviction runs inline, in the request
// that inserts, with the CLOCK policy (an entry hit since the hand last
// passed gets a second chance). There is no goroutine and no timer: an
// entry whose cookies have all expired is never hit again (their age
// check fails first) and leaves when the hand comes round.

// Defaults of Manager.CacheEntries and Manager.CacheBytes.
const (
	// DefaultCacheEntries is how many verified cookie sessions a Manager
	// keeps decoded by default.
	DefaultCacheEntries = 4096
	// DefaultCacheBytes bounds the memory of those entries (an estimate:
	// the decoded values and their key) by default: 8 MiB.
	DefaultCacheBytes = 8 << 20
)

// cacheKind tells the two key spaces apart.
type cacheKind uint8

const (
	cacheFlask  cacheKind = iota + 1 // the signed payload of a Flask cookie
	cacheSealed                      // the plaintext of an SK1 token
)

type cacheKey struct {
	kind cacheKind
	text string
}

// decoded is a data cookie's content: its values, with the reserved keys
// taken out (takeReserved).
type decoded struct {
	values  map[string]any
	created int64
	owner   string
	gen     uint64
	nonce   string
}

// cacheEntry is one verified cookie's content. Only ref, prev and next
// change after it is made.
type cacheEntry struct {
	key  cacheKey
	data decoded // never written: readers copy before changing (Session.own)
	cost int
	ref  atomic.Bool // hit since the clock hand last passed it
	// The clock's ring, guarded by verifiedCache.mu.
	prev, next *cacheEntry
}

// verifiedCache maps verified cookie texts to their decoded content.
type verifiedCache struct {
	maxEntries, maxBytes int

	mu    sync.RWMutex // guards m, hand and bytes, and the entries' prev and next
	m     map[cacheKey]*cacheEntry
	hand  *cacheEntry // the next entry the clock looks at; nil when empty
	bytes int
}

func newVerifiedCache(maxEntries, maxBytes int) *verifiedCache {
	return &verifiedCache{maxEntries: maxEntries, maxBytes: maxBytes, m: make(map[cacheKey]*cacheEntry)}
}

// get returns the entry for k, or nil.
func (c *verifiedCache) get(k cacheKey) *cacheEntry {
	c.mu.RLock()
	e := c.m[k]
	c.mu.RUnlock()
	if e != nil && !e.ref.Load() {
		e.ref.Store(true)
	}
	return e
}

// put inserts d under k, evicting as needed, unless an entry is there
// already or d alone exceeds the bounds. The caller no longer writes d.
func (c *verifiedCache) put(k cacheKey, d decoded) {
	cost := entryCost(k.text, d)
	if cost > c.maxBytes || c.maxEntries <= 0 {
		return
	}
	e := &cacheEntry{key: k, data: d, cost: cost}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m[k] != nil {
		return
	}
	for len(c.m) >= c.maxEntries || c.bytes+cost > c.maxBytes {
		c.evict()
	}
	c.m[k] = e
	c.bytes += cost
	// Behind the hand: the newest entry is looked at last.
	if c.hand == nil {
		e.prev, e.next = e, e
		c.hand = e
		return
	}
	e.next, e.prev = c.hand, c.hand.prev
	e.prev.next, c.hand.prev = e, e
}

// evict removes one entry: the first one at or after the hand that was
// not hit since the hand last passed it. It ends within one turn of the
// ring, since the hand clears the marks it passes. The caller holds mu
// and knows the cache is not empty.
func (c *verifiedCache) evict() {
	for {
		e := c.hand
		if e.ref.Load() {
			e.ref.Store(false)
			c.hand = e.next
			continue
		}
		delete(c.m, e.key)
		c.bytes -= e.cost
		if e.next == e {
			c.hand = nil
		} else {
			e.prev.next, e.next.prev = e.next, e.prev
			c.hand = e.next
		}
		e.prev, e.next = nil, nil
		return
	}
}

// len returns the number of entries and their cost (for tests).
func (c *verifiedCache) len() (entries, bytes int) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m), c.bytes
}

// Estimated sizes, in bytes, of what an entry keeps alive.
const (
	entryOverhead = 160 // the entry, its map slot and its map's header
	ifaceSize     = 16  // an interface value, or a string header
	sliceSize     = 24
	mapOverhead   = 48
	mapSlotSize   = 48 // a key and a value, with the swiss table's spare room
)

// entryCost estimates the memory an entry for d under text keeps alive: an
// upper bound in practice, since the decoder's strings share one buffer
// (counted here once per string) and its small integers are not boxed.
func entryCost(text string, d decoded) int {
	return entryOverhead + len(text) + len(d.owner) + len(d.nonce) + valueCost(d.values)
}

func valueCost(v any) int {
	switch x := v.(type) {
	case string:
		return ifaceSize + len(x)
	case flask.Markup:
		return ifaceSize + len(x)
	case []byte:
		return ifaceSize + sliceSize + cap(x)
	case []any:
		return ifaceSize + listCost(x)
	case flask.Tuple:
		return ifaceSize + listCost(x)
	case map[string]any:
		n := ifaceSize + mapOverhead
		for k, e := range x {
			n += mapSlotSize + len(k) + valueCost(e)
		}
		return n
	case *big.Int:
		return ifaceSize + 32 + 8*len(x.Bits())
	case time.Time:
		return ifaceSize + 24
	case flask.UUID:
		return ifaceSize + 16
	}
	return ifaceSize + 8
}

func listCost(l []any) int {
	n := sliceSize + ifaceSize*cap(l)
	for _, e := range l {
		n += valueCost(e) - ifaceSize // the interface is in the backing array
	}
	return n
}

// decodedForm returns a copy of v as the flask decoder returns what
// flask.Marshal writes of v, or false when it cannot say so by copying:
// for time.Time (written in whole seconds as an HTTP date), *big.Int (read
// back as int64 when it fits) and NaN (read back as the decoder's own NaN),
// and for any type but the decoder's own. A nil list, map or byte slice
// comes back empty, as the decoder reads "[]" and "{}". Strings are shared:
// they cannot change, and the encoder writes only those it reads back
// byte for byte (UTF-8, or WTF-8 for lone surrogates).
func decodedForm(v any) (any, bool) {
	switch x := v.(type) {
	case nil, bool, int64, string, flask.Markup, flask.UUID:
		return x, true
	case float64:
		return x, !math.IsNaN(x)
	case []byte:
		return append([]byte{}, x...), true
	case []any:
		l, ok := decodedList(x)
		return l, ok
	case flask.Tuple:
		l, ok := decodedList(x)
		return flask.Tuple(l), ok
	case map[string]any:
		m, ok := decodedMap(x)
		return m, ok
	}
	return nil, false
}

func decodedList(l []any) ([]any, bool) {
	out := make([]any, len(l))
	for i, e := range l {
		var ok bool
		if out[i], ok = decodedForm(e); !ok {
			return nil, false
		}
	}
	return out, true
}

func decodedMap(m map[string]any) (map[string]any, bool) {
	out := make(map[string]any, len(m))
	for k, e := range m {
		c, ok := decodedForm(e)
		if !ok {
			return nil, false
		}
		out[k] = c
	}
	return out, true
}

// mutable reports whether v, a value of package flask's types, can be
// changed through the value itself: a list, a map, a byte slice, a big
// integer. Strings, numbers, times and UUIDs cannot.
func mutable(v any) bool {
	switch v.(type) {
	case []any, flask.Tuple, map[string]any, []byte, *big.Int:
		return true
	}
	return false
}

// deepCopy returns a copy of values that shares nothing mutable with it.
func deepCopy(values map[string]any) map[string]any {
	out := make(map[string]any, len(values))
	for k, v := range values {
		out[k] = copyValue(v)
	}
	return out
}

func copyValue(v any) any {
	switch x := v.(type) {
	case []any:
		return copyList(x)
	case flask.Tuple:
		return flask.Tuple(copyList(x))
	case map[string]any:
		if x == nil {
			return x
		}
		return deepCopy(x)
	case []byte:
		if x == nil {
			return x
		}
		return append([]byte{}, x...)
	case *big.Int:
		if x == nil {
			return x
		}
		return new(big.Int).Set(x)
	}
	return v
}

func copyList(l []any) []any {
	if l == nil {
		return nil
	}
	out := make([]any, len(l))
	for i, e := range l {
		out[i] = copyValue(e)
	}
	return out
}

// cacheID is what makes two configurations read a cookie into the same
// values: configurations of one Manager whose cacheIDs are equal share a
// cache.
type cacheID struct {
	name            string        // the cookie's name (an SK1 token is bound to it)
	signer          *flask.Signer // verifies Flask cookies
	sealer          *seal.Sealer  // the Manager's (nil unless NewSealed)
	maxDepth        int           // the codec's decoding limits
	maxDecompressed int
	compressor      flask.Compressor // inflates; compared only when its type is comparable
	entries, bytes  int
}

// sameID reports whether a and b are equal; a Compressor whose type is
// comparable but holds an incomparable value (an interface field holding a
// slice) makes them different.
func sameID(a, b cacheID) (eq bool) {
	defer func() {
		if recover() != nil {
			eq = false
		}
	}()
	return a == b
}

// cacheSet holds a Manager's caches, one per cacheID.
type cacheSet struct {
	mu   sync.Mutex // guards list
	list []cacheSlot
}

type cacheSlot struct {
	id    cacheID
	cache *verifiedCache
}

// get returns the cache for id, made on first use; nil when id's bounds
// turn the cache off.
func (cs *cacheSet) get(id cacheID) *verifiedCache {
	if id.entries <= 0 || id.bytes <= 0 {
		return nil
	}
	comparable := id.compressor == nil || reflect.TypeOf(id.compressor).Comparable()
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if comparable {
		for _, s := range cs.list {
			if sameID(s.id, id) {
				return s.cache
			}
		}
	}
	c := newVerifiedCache(id.entries, id.bytes)
	if comparable {
		cs.list = append(cs.list, cacheSlot{id, c})
	}
	return c
}
