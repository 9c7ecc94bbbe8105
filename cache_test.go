package session

import (
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/big"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sessionkit/session/flask"
	"github.com/sessionkit/session/seal"
)

// The tests of the cache of verified cookies (cache.go). They attack it
// through the middleware, as a client would, and look inside only to
// count decodings (testHookDecode) and entries.

const (
	cacheKeyA = "Zq8vT3nW6yB1cR5mX0kP7sD2fG9hJ4lAe"
	cacheKeyB = "Kf7pQ2vR9sT4uW1xY6zA3bC8dE5gH0jL"
)

var cacheNow = time.Unix(1700000000, 0)

// cacheManager returns a Manager on key at a settable clock, logging
// nowhere; sealed makes it seal its cookies.
func cacheManager(t testing.TB, key string, sealed bool) (*Manager, *time.Time) {
	t.Helper()
	var m *Manager
	var err error
	if sealed {
		m, err = NewSealed(seal.Scope{Purpose: "session"}, []byte(key))
	} else {
		m, err = New([]byte(key))
	}
	if err != nil {
		t.Fatal(err)
	}
	now := cacheNow
	m.Now = func() time.Time { return now }
	m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	return m, &now
}

// countDecodes counts decodings of data cookies (cache misses) until the
// test ends. Tests using it do not run in parallel.
func countDecodes(t testing.TB) *int {
	n := new(int)
	var mu sync.Mutex
	testHookDecode = func() { mu.Lock(); *n++; mu.Unlock() }
	t.Cleanup(func() { testHookDecode = nil })
	return n
}

// dump is a handler answering with the session's values as JSON
// (%#v-like, types included), so that two responses compare equal only
// when the values are equal in type and content.
var dump = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	s := FromContext(r.Context())
	io.WriteString(w, describe(s.values))
})

// describe writes v with its types, floats by their bits, sorted keys.
func describe(v any) string {
	var b strings.Builder
	var walk func(v any)
	walk = func(v any) {
		fmt.Fprintf(&b, "%T(", v)
		switch x := v.(type) {
		case map[string]any:
			fmt.Fprintf(&b, "nil=%v;", x == nil)
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			slicesSort(keys)
			for _, k := range keys {
				fmt.Fprintf(&b, "%q:", k)
				walk(x[k])
				b.WriteString(",")
			}
		case []any:
			fmt.Fprintf(&b, "nil=%v;", x == nil)
			for _, e := range x {
				walk(e)
				b.WriteString(",")
			}
		case flask.Tuple:
			fmt.Fprintf(&b, "nil=%v;", x == nil)
			for _, e := range x {
				walk(e)
				b.WriteString(",")
			}
		case []byte:
			fmt.Fprintf(&b, "nil=%v;%x", x == nil, x)
		case float64:
			fmt.Fprintf(&b, "%#x", math.Float64bits(x))
		case time.Time:
			fmt.Fprintf(&b, "%v %v", x.UnixNano(), x.Location())
		default:
			fmt.Fprintf(&b, "%#v", x)
		}
		b.WriteString(")")
	}
	walk(v)
	return b.String()
}

func slicesSort(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// serveCookie runs h with the session cookie value (none for "") and
// returns the response.
func serveCookie(h http.Handler, value string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", "/", nil)
	if value != "" {
		req.Header.Set("Cookie", "session="+value)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// setCookieValue returns the session cookie's value in rec's Set-Cookie.
func setCookieValue(t testing.TB, rec *httptest.ResponseRecorder) string {
	t.Helper()
	for _, c := range rec.Result().Cookies() {
		if c.Name == "session" {
			return c.Value
		}
	}
	t.Fatalf("no session cookie set; status %d, headers %v", rec.Code, rec.Header())
	return ""
}

// writer returns a handler that sets values, one Set per key.
func writer(t testing.TB, values map[string]any) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := FromContext(r.Context())
		for k, v := range values {
			if err := s.Set(k, v); err != nil {
				t.Errorf("Set(%q): %v", k, err)
			}
		}
	})
}

// testSessions are sessions whose values cover every type Decode returns,
// nested, and the types whose decoded form is not a copy.
func testSessions() map[string]map[string]any {
	u, _ := flask.ParseUUID("12345678-1234-5678-1234-567812345678")
	huge, _ := new(big.Int).SetString("123456789012345678901234567890", 10)
	return map[string]map[string]any{
		"small": {"usuario": "Maria"},
		"names": {"usuario": "Maria", "nomes": []any{"Ana", "João", "Zé"}, "_permanent": true},
		"every type": {
			"s": "a\u00e9\U0001F600\"\\", "t": true, "f": false, "n": nil, "i": int64(-7), "big": int64(1) << 62,
			"x": 1.5, "negzero": math.Copysign(0, -1), "inf": math.Inf(-1),
			"list": []any{"a", int64(1), []any{}, map[string]any{}},
			"map":  map[string]any{"k": []any{map[string]any{"deep": "v"}}},
			"tup":  flask.Tuple{"message", "hi"}, "empty tup": flask.Tuple{},
			"b": []byte("bytes"), "no b": []byte{}, "m": flask.Markup("<b>"), "u": u,
			"tag key":  map[string]any{" t": "escaped"},
			"_flashes": []any{flask.Tuple{"message", "one"}},
		},
		"time":    {"when": time.Date(2024, 5, 6, 7, 8, 9, 123, time.FixedZone("x", 3600))},
		"big int": {"n": huge, "small": big.NewInt(5)},
		"nan":     {"f": math.NaN()},
	}
}

// TestCacheHitEqualsDecode checks that a request served from the cache
// sees exactly what a Manager without a cache decodes from the same
// cookie: cookies written by the Manager (the cache filled on encode) and
// cookies it did not write (filled on the first read), signed and sealed.
func TestCacheHitEqualsDecode(t *testing.T) {
	for _, sealed := range []bool{false, true} {
		for name, values := range testSessions() {
			t.Run(fmt.Sprintf("sealed=%v/%s", sealed, name), func(t *testing.T) {
				decodes := countDecodes(t)
				m, _ := cacheManager(t, cacheKeyA, sealed)
				cold, _ := cacheManager(t, cacheKeyA, sealed)
				cold.CacheEntries = -1
				h, hCold := m.Handler(dump), cold.Handler(dump)
				value := setCookieValue(t, serveCookie(m.Handler(writer(t, values)), ""))
				want := serveCookie(hCold, value).Body.String()
				*decodes = 0
				for i := range 3 {
					if got := serveCookie(h, value).Body.String(); got != want {
						t.Fatalf("request %d: cached session\n%s\nwant what decoding gives\n%s", i, got, want)
					}
				}
				// Times, big integers and NaN are not copied into the
				// cache on encode: the first read decodes.
				wantDecodes := 0
				if name == "time" || name == "big int" || name == "nan" {
					wantDecodes = 1
				}
				if *decodes != wantDecodes {
					t.Errorf("%d decodings for 3 requests after the write, want %d", *decodes, wantDecodes)
				}
				if sealed {
					return
				}
				// A cookie the Manager did not write (Flask's, here a fresh
				// Manager's): decoded once, then served from the cache.
				m, _ = cacheManager(t, cacheKeyA, sealed)
				h = m.Handler(dump)
				minted, err := m.Codec().Encode(values, cacheNow)
				if err != nil {
					t.Fatal(err)
				}
				want = serveCookie(hCold, minted).Body.String()
				*decodes = 0
				for i := range 3 {
					if got := serveCookie(h, minted).Body.String(); got != want {
						t.Fatalf("request %d: cached session\n%s\nwant\n%s", i, got, want)
					}
				}
				if *decodes != 1 {
					t.Errorf("%d decodings for 3 requests with one cookie, want 1", *decodes)
				}
			})
		}
	}
}

// TestCacheRefreshHits checks that a refreshed cookie (same payload, a new
// timestamp) is served from the cache.
func TestCacheRefreshHits(t *testing.T) {
	decodes := countDecodes(t)
	m, now := cacheManager(t, cacheKeyA, false)
	value := setCookieValue(t, serveCookie(m.Handler(writer(t, map[string]any{"_permanent": true, "a": "b"})), ""))
	h := m.Handler(dump)
	*decodes = 0
	for range 5 {
		*now = now.Add(time.Minute)
		rec := serveCookie(h, value)
		next := setCookieValue(t, rec)
		if next == value {
			t.Fatal("the permanent cookie was not refreshed")
		}
		value = next
	}
	if *decodes != 0 {
		t.Errorf("%d decodings of refreshed cookies, want 0", *decodes)
	}
}

// TestCacheWrongKey checks that an entry never vouches for a cookie: two
// Managers with different keys hold entries under the very same payload
// text (a signed cookie's payload does not depend on the key), and each
// refuses the other's cookie.
func TestCacheWrongKey(t *testing.T) {
	values := map[string]any{"usuario": "Maria", "admin": true}
	ma, _ := cacheManager(t, cacheKeyA, false)
	mb, _ := cacheManager(t, cacheKeyB, false)
	va := setCookieValue(t, serveCookie(ma.Handler(writer(t, values)), ""))
	vb := setCookieValue(t, serveCookie(mb.Handler(writer(t, values)), ""))
	pa, _, _ := strings.Cut(va, ".")
	pb, _, _ := strings.Cut(vb, ".")
	if pa != pb {
		t.Fatalf("payloads differ (%q, %q): the test needs equal ones", pa, pb)
	}
	ha, hb := ma.Handler(dump), mb.Handler(dump)
	for _, tc := range []struct {
		name  string
		h     http.Handler
		value string
	}{
		{"A's cookie to B", hb, va},
		{"B's cookie to A", ha, vb},
		{"A's payload with a forged signature", ha, pa + "." + strings.SplitN(va, ".", 3)[1] + "." + strings.Repeat("A", 27)},
	} {
		if got := serveCookie(tc.h, tc.value).Body.String(); got != describe(map[string]any(nil)) {
			t.Errorf("%s: session %s, want none", tc.name, got)
		}
	}
	if got := serveCookie(ha, va).Body.String(); !strings.Contains(got, "Maria") {
		t.Errorf("A's own cookie: %s", got)
	}
}

// TestCacheSeparation checks which configurations share a cache: those of
// one Manager that read cookies alike, and no others.
func TestCacheSeparation(t *testing.T) {
	cacheOf := func(h http.Handler) *verifiedCache { return h.(*handler).cfg.cache }
	m1, _ := cacheManager(t, cacheKeyA, false)
	m2, _ := cacheManager(t, cacheKeyA, false)
	a1, a1again := cacheOf(m1.Handler(dump)), cacheOf(m1.Handler(dump))
	m1.Lifetime = time.Hour // does not change how cookies decode
	a1hour := cacheOf(m1.Handler(dump))
	m1.Cookie.Name = "other"
	b1 := cacheOf(m1.Handler(dump))
	a2 := cacheOf(m2.Handler(dump))
	if a1 == nil || a1 != a1again || a1 != a1hour {
		t.Errorf("Handlers of one Manager with one cookie name do not share a cache")
	}
	if b1 == a1 {
		t.Errorf("two cookie names share a cache")
	}
	if a2 == a1 {
		t.Errorf("two Managers share a cache")
	}
	m2.CacheEntries = -1
	if cacheOf(m2.Handler(dump)) != nil {
		t.Errorf("CacheEntries -1 leaves the cache on")
	}
	m2.CacheEntries, m2.CacheBytes = 0, -1
	if cacheOf(m2.Handler(dump)) != nil {
		t.Errorf("CacheBytes -1 leaves the cache on")
	}
}

// TestCacheOtherManager checks that a cookie another Manager (same key)
// cached is decoded again: no entry crosses Managers.
func TestCacheOtherManager(t *testing.T) {
	decodes := countDecodes(t)
	m1, _ := cacheManager(t, cacheKeyA, false)
	m2, _ := cacheManager(t, cacheKeyA, false)
	value := setCookieValue(t, serveCookie(m1.Handler(writer(t, map[string]any{"a": "b"})), ""))
	*decodes = 0
	serveCookie(m1.Handler(dump), value)
	if *decodes != 0 {
		t.Fatalf("the writing Manager decoded its own cookie")
	}
	serveCookie(m2.Handler(dump), value)
	if *decodes != 1 {
		t.Errorf("another Manager with the same key decoded %d times, want 1", *decodes)
	}
}

// TestCacheOtherCookieName checks that a sealed token, bound to its
// cookie's name, opens under no other name, even with its plaintext in a
// cache of the same Manager.
func TestCacheOtherCookieName(t *testing.T) {
	m, _ := cacheManager(t, cacheKeyA, true)
	value := setCookieValue(t, serveCookie(m.Handler(writer(t, map[string]any{"a": "b"})), ""))
	m.Cookie.Name = "other"
	writeOther := m.Handler(writer(t, map[string]any{"a": "b"}))
	rec := serveCookie(writeOther, "") // the same plaintext, cached under "other"
	if len(rec.Result().Cookies()) == 0 {
		t.Fatal("no cookie written under the other name")
	}
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Cookie", "other="+value)
	rec = httptest.NewRecorder()
	m.Handler(dump).ServeHTTP(rec, req)
	if got := rec.Body.String(); got != describe(map[string]any(nil)) {
		t.Errorf("a token sealed for \"session\" read as \"other\": %s", got)
	}
}

// TestCacheExpired checks that an entry does not outlive its cookies: the
// age of every cookie is checked, hit or not, and so is the absolute
// timeout.
func TestCacheExpired(t *testing.T) {
	for _, sealed := range []bool{false, true} {
		t.Run(fmt.Sprintf("sealed=%v", sealed), func(t *testing.T) {
			m, now := cacheManager(t, cacheKeyA, sealed)
			m.Lifetime = time.Hour
			value := setCookieValue(t, serveCookie(m.Handler(writer(t, map[string]any{"a": "b"})), ""))
			h := m.Handler(dump)
			if got := serveCookie(h, value).Body.String(); !strings.Contains(got, `"a"`) {
				t.Fatalf("fresh cookie: %s", got)
			}
			*now = now.Add(time.Hour + time.Second)
			if got := serveCookie(h, value).Body.String(); got != describe(map[string]any(nil)) {
				t.Errorf("expired cookie read from the cache: %s", got)
			}
			if n, _ := h.(*handler).cfg.cache.len(); n == 0 {
				t.Errorf("the entry left the cache: the test proves nothing")
			}
		})
	}
	t.Run("absolute timeout", func(t *testing.T) {
		m, now := cacheManager(t, cacheKeyA, false)
		m.AbsoluteTimeout = time.Hour
		value := setCookieValue(t, serveCookie(m.Handler(writer(t, map[string]any{"a": "b", "_permanent": true})), ""))
		h := m.Handler(dump)
		for range 2 { // refreshed, the cookie stays young; the session does not
			*now = now.Add(40 * time.Minute)
			rec := serveCookie(h, value)
			if c := rec.Result().Cookies(); len(c) > 0 {
				value = c[0].Value
			}
		}
		if got := serveCookie(h, value).Body.String(); got != describe(map[string]any(nil)) {
			t.Errorf("session past AbsoluteTimeout read from the cache: %s", got)
		}
	})
}

// TestCacheMutation checks that nothing a handler does to the values it
// reads reaches the next request with the same cookie: changes in place,
// without MarkModified, of every kind of value that can change, reached
// through every accessor.
func TestCacheMutation(t *testing.T) {
	values := map[string]any{
		"list":  []any{"a", []any{"nested"}, map[string]any{"k": "v"}},
		"map":   map[string]any{"inner": map[string]any{"k": "v"}, "l": []any{"x"}},
		"tuple": flask.Tuple{"message", "hi"},
		"bytes": []byte("abc"),
		"big":   int64(5),
		"s":     "text",
	}
	var mutate func(v any)
	mutate = func(v any) {
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				mutate(e)
			}
			if len(x) > 0 {
				x[0] = "changed"
			}
		case flask.Tuple:
			for _, e := range x {
				mutate(e)
			}
			x[0] = "changed"
		case map[string]any:
			for k, e := range x {
				mutate(e)
				x[k+"!"] = "added"
				delete(x, k)
			}
		case []byte:
			x[0] = 'Z'
		case *big.Int:
			x.SetInt64(99)
		}
	}
	for _, tc := range []struct {
		name string
		use  func(s *Session)
	}{
		{"Get[any]", func(s *Session) {
			for k := range values {
				v, _ := Get[any](s, k)
				mutate(v)
			}
		}},
		{"Get typed", func(s *Session) {
			l, _ := Get[[]any](s, "list")
			mutate(l)
			m, _ := Get[map[string]any](s, "map")
			mutate(m)
			tu, _ := Get[flask.Tuple](s, "tuple")
			mutate(tu)
			b, _ := Get[[]byte](s, "bytes")
			mutate(b)
		}},
		{"Peek", func(s *Session) {
			for k := range values {
				v, _ := Peek[any](s, k)
				mutate(v)
			}
		}},
		{"All", func(s *Session) {
			for _, v := range s.All() {
				mutate(v)
			}
		}},
		{"Pop", func(s *Session) {
			v, _ := s.Pop("list")
			mutate(v)
			v, _ = s.Pop("map")
			mutate(v)
		}},
		{"Update", func(s *Session) {
			Update(s, "list", func(old []any) []any { mutate(old); return old })
			Update(s, "map", func(old map[string]any) map[string]any { mutate(old); return old })
		}},
		{"Set then Get", func(s *Session) {
			s.Set("other", "x")
			for k := range values {
				v, _ := Get[any](s, k)
				mutate(v)
			}
		}},
		{"Append then Get", func(s *Session) {
			Append(s, "list", "x")
			v, _ := Get[any](s, "list")
			mutate(v)
			Append(s, "tuple", "y")
			v, _ = Get[any](s, "tuple")
			mutate(v)
		}},
		{"Clear then Set", func(s *Session) {
			v, _ := Peek[any](s, "map")
			s.Clear()
			s.Set("map", v)
			mutate(v)
		}},
		{"MarkModified", func(s *Session) {
			v, _ := Get[any](s, "map")
			mutate(v)
			s.MarkModified()
		}},
		{"after the commit", func(s *Session) {
			v, _ := Get[any](s, "list")
			s.Set("list2", v)
			s.commit.done = true // as if the headers were written
			mutate(v)
		}},
	} {
		for _, sealed := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/sealed=%v", tc.name, sealed), func(t *testing.T) {
				m, _ := cacheManager(t, cacheKeyA, sealed)
				value := setCookieValue(t, serveCookie(m.Handler(writer(t, values)), ""))
				h := m.Handler(dump)
				want := serveCookie(h, value).Body.String()
				rec := serveCookie(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					tc.use(FromContext(r.Context()))
				})), value)
				if got := serveCookie(h, value).Body.String(); got != want {
					t.Errorf("the handler's changes reached the next request:\n%s\nwant\n%s", got, want)
				}
				// The cookie a write sent is in the cache too (filled on
				// encode): the handler's later changes must not be.
				if c := rec.Result().Cookies(); len(c) > 0 && c[0].Value != "" {
					cold, _ := cacheManager(t, cacheKeyA, sealed)
					cold.CacheEntries = -1
					if got, want := serveCookie(h, c[0].Value).Body.String(), serveCookie(cold.Handler(dump), c[0].Value).Body.String(); got != want {
						t.Errorf("the cookie written carries\n%s\nbut the cache holds\n%s", want, got)
					}
				}
			})
		}
	}
}

// TestCacheMutationAfterWrite checks that changing a value the handler
// set, after the response went out, does not reach the cache filled on
// encode.
func TestCacheMutationAfterWrite(t *testing.T) {
	m, _ := cacheManager(t, cacheKeyA, false)
	list := []any{"a", map[string]any{"k": "v"}, flask.Tuple{"t"}, []byte("b")}
	bytes := []byte("bytes")
	rec := serveCookie(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := FromContext(r.Context())
		s.Set("list", list)
		s.Set("bytes", bytes)
		io.WriteString(w, "written") // commits: the cookie is encoded and cached
		list[0] = "changed"
		list[1].(map[string]any)["k"] = "changed"
		list[2].(flask.Tuple)[0] = "changed"
		copy(list[3].([]byte), "c")
		copy(bytes, "changed")
	})), "")
	value := setCookieValue(t, rec)
	if got := serveCookie(m.Handler(dump), value).Body.String(); strings.Contains(got, "changed") || strings.Contains(got, "63") {
		t.Errorf("a change made after the write reached the cache: %s", got)
	}
}

// TestCacheBounds checks the bounds in entries and bytes, and that the
// clock keeps an entry that is being hit.
func TestCacheBounds(t *testing.T) {
	entry := func(i int) (cacheKey, decoded) {
		return cacheKey{cacheFlask, fmt.Sprintf("payload-%03d", i)}, decoded{values: map[string]any{"i": int64(i)}}
	}
	k0, d0 := entry(0)
	cost := entryCost(k0.text, d0)

	c := newVerifiedCache(3, 1<<20)
	c.put(k0, d0)
	for i := 1; i < 50; i++ {
		c.get(k0) // hit before every insertion: it keeps its place
		c.put(entry(i))
		if n, b := c.len(); n > 3 || b > 3*cost {
			t.Fatalf("after %d insertions: %d entries, %d bytes; want at most 3", i+1, n, b)
		}
	}
	if c.get(k0) == nil {
		t.Errorf("the entry hit before every insertion was evicted")
	}

	c = newVerifiedCache(1000, 5*cost)
	for i := range 50 {
		c.put(entry(i))
		if n, b := c.len(); b > 5*cost || n > 5 {
			t.Fatalf("after %d insertions: %d entries, %d bytes; want at most %d bytes", i+1, n, b, 5*cost)
		}
	}
	big := decoded{values: map[string]any{"s": strings.Repeat("x", 6*cost)}}
	c.put(cacheKey{cacheFlask, "big"}, big)
	if c.get(cacheKey{cacheFlask, "big"}) != nil {
		t.Errorf("an entry over the byte bound was kept")
	}
	if n, _ := c.len(); n == 0 {
		t.Errorf("an entry over the byte bound emptied the cache")
	}

	// Through the Manager: many sessions, a small cache.
	m, _ := cacheManager(t, cacheKeyA, false)
	m.CacheEntries = 4
	h := m.Handler(dump)
	for i := range 20 {
		v := setCookieValue(t, serveCookie(m.Handler(writer(t, map[string]any{"i": int64(i)})), ""))
		serveCookie(h, v)
	}
	if n, _ := h.(*handler).cfg.cache.len(); n > 4 {
		t.Errorf("%d entries with CacheEntries 4", n)
	}
	m2, _ := cacheManager(t, cacheKeyA, false)
	m2.CacheBytes = 2000
	h = m2.Handler(dump)
	for i := range 20 {
		v := setCookieValue(t, serveCookie(m2.Handler(writer(t, map[string]any{"s": strings.Repeat("y", 300), "i": int64(i)})), ""))
		serveCookie(h, v)
	}
	if _, b := h.(*handler).cfg.cache.len(); b > 2000 || b == 0 {
		t.Errorf("%d bytes with CacheBytes 2000", b)
	}
}

// TestEntryCost checks that the estimate covers what a decoded session
// holds: at least its JSON text.
func TestEntryCost(t *testing.T) {
	for name, values := range testSessions() {
		js, err := flask.Marshal(values)
		if err != nil {
			t.Fatal(err)
		}
		v, err := flask.Unmarshal(js)
		if err != nil {
			t.Fatal(err)
		}
		if c := entryCost("", decoded{values: v}); c < len(js) {
			t.Errorf("%s: cost %d, less than the %d bytes of its JSON", name, c, len(js))
		}
	}
}

// TestCacheConcurrent runs requests of many sessions at once through a
// small cache, handlers changing what they read; run it with -race.
func TestCacheConcurrent(t *testing.T) {
	for _, sealed := range []bool{false, true} {
		t.Run(fmt.Sprintf("sealed=%v", sealed), func(t *testing.T) {
			m, _ := cacheManager(t, cacheKeyA, sealed)
			m.CacheEntries = 5
			var cookies []string
			for i := range 12 {
				v := setCookieValue(t, serveCookie(m.Handler(writer(t, map[string]any{
					"i": int64(i), "list": []any{fmt.Sprint(i), map[string]any{"n": int64(i)}},
				})), ""))
				cookies = append(cookies, v)
			}
			h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s := FromContext(r.Context())
				i, _ := Get[int64](s, "i")
				l, _ := Get[[]any](s, "list")
				fmt.Fprintf(w, "%d %v %v", i, l[0], l[1].(map[string]any)["n"])
				l[0] = "changed"
				l[1].(map[string]any)["n"] = int64(-1)
				if i%3 == 0 {
					Add(s, "visits", 1)
				}
			}))
			var wg sync.WaitGroup
			for g := range 8 {
				wg.Go(func() {
					for j := range 150 {
						i := (g + j) % len(cookies)
						rec := serveCookie(h, cookies[i])
						if got, want := rec.Body.String(), fmt.Sprintf("%d %d %d", i, i, i); got != want {
							t.Errorf("session %d answered %q", i, got)
							return
						}
					}
				})
			}
			wg.Wait()
		})
	}
}

// FuzzCacheFill checks the copy the cache keeps of a cookie the Manager
// writes against what decoding the cookie gives, for any session flask can
// decode: decodedForm must be exact where it claims to be.
func FuzzCacheFill(f *testing.F) {
	for _, values := range testSessions() {
		if js, err := flask.Marshal(values); err == nil {
			f.Add(string(js))
		}
	}
	f.Add(`{"a":[1,2.5,-0.0,NaN,Infinity,"\ud800",{" t":[1]},{" di":{" t__":2}},{" b":""},{" m":"x"}]}`)
	f.Add(`{"d":{" d":"Mon, 01 Jan 2024 00:00:00 GMT"},"n":123456789012345678901234567890}`)
	f.Fuzz(func(t *testing.T, text string) {
		values, err := flask.Unmarshal([]byte(text))
		if err != nil {
			return
		}
		js, err := flask.Marshal(values)
		if err != nil {
			return
		}
		want, err := flask.Unmarshal(js)
		if err != nil {
			t.Fatalf("Unmarshal(Marshal(%s)): %v", text, err)
		}
		got, ok := decodedMap(values)
		if !ok {
			return
		}
		if describe(got) != describe(want) {
			t.Fatalf("decodedForm of %s:\n%s\nwant\n%s", text, describe(got), describe(want))
		}
		// The copy shares nothing that can change.
		if !reflect.DeepEqual(deepCopy(values), values) && !strings.Contains(text, "NaN") {
			t.Fatalf("deepCopy changed %s", text)
		}
	})
}

// FuzzCacheCookie sends any cookie to two Managers with the same key, one
// with a cache and one without, twice each: the sessions must be equal.
func FuzzCacheCookie(f *testing.F) {
	m, _ := cacheManager(f, cacheKeyA, false)
	cold, _ := cacheManager(f, cacheKeyA, false)
	cold.CacheEntries = -1
	for _, values := range testSessions() {
		if v, err := m.Codec().Encode(values, cacheNow); err == nil {
			f.Add(v)
		}
	}
	f.Add("")
	f.Add(".eJw.AAAA.BBBB")
	h, hCold := m.Handler(dump), cold.Handler(dump)
	f.Fuzz(func(t *testing.T, value string) {
		want := serveCookie(hCold, value).Body.String()
		for range 2 {
			if got := serveCookie(h, value).Body.String(); got != want {
				t.Fatalf("cookie %q: cached\n%s\nwant\n%s", value, got, want)
			}
		}
	})
}

// TestConvertIntFastPath checks that Get[int]'s path without reflect
// converts as the reflect path does.
func TestConvertIntFastPath(t *testing.T) {
	huge, _ := new(big.Int).SetString("123456789012345678901234567890", 10)
	for _, v := range []any{nil, int64(0), int64(-5), int64(math.MaxInt64), int64(math.MinInt64), big.NewInt(7), huge,
		1.0, 1.5, -2.0, math.NaN(), math.Inf(1), 9.3e18, -9.223372036854775808e18, "1", true, []any{}, flask.Markup("1")} {
		got, gotOK := convertTo[int](v)
		rv, wantOK := convert(v, reflect.TypeFor[int]())
		var want int
		if wantOK {
			want = int(rv.Int())
		}
		if got != want || gotOK != wantOK {
			t.Errorf("convertTo[int](%#v) = %d, %v; reflect path %d, %v", v, got, gotOK, want, wantOK)
		}
	}
}
