package seal

import (
	"bytes"
	"crypto/fips140"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

var (
	key1 = []byte("first-secret-key-0123456789abcdefghijk")
	key2 = []byte("second-secret-key-0123456789abcdefghij")
	key3 = []byte("third-secret-key-0123456789abcdefghijk")
	t0   = time.Unix(katIAT, 0)
)

func mustNew(t testing.TB, keys Keys, sc Scope) *Sealer {
	t.Helper()
	s, err := New(keys, sc)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustSeal(t testing.TB, s *Sealer, name string, pt []byte, iat time.Time) string {
	t.Helper()
	tok, err := s.Seal(name, pt, iat)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// reasonOf returns the Reason of an Open error, failing t for any other
// kind of error.
func reasonOf(t testing.TB, err error) Reason {
	t.Helper()
	var ie InvalidError
	if !errors.As(err, &ie) || !errors.Is(err, ErrInvalid) {
		t.Fatalf("error %v is not an InvalidError wrapping ErrInvalid", err)
	}
	return ie.Reason
}

func TestRoundTrip(t *testing.T) {
	s := mustNew(t, Keys{Current: key1}, Scope{Purpose: "session", App: "shop"})
	for _, n := range []int{0, 1, 15, 16, 17, 31, 32, 33, 300, 3000, MaxPlaintextLen(DefaultLimit - len("session"))} {
		pt := pattern(n)
		tok := mustSeal(t, s, "session", pt, t0)
		if len(tok) != SealedLen(n) || tok[0] != 's' {
			t.Errorf("n=%d: token of %d characters starting %q, SealedLen %d", n, len(tok), tok[0], SealedLen(n))
		}
		got, info, err := s.Open("session", tok, t0.Add(time.Hour))
		if err != nil || !bytes.Equal(got, pt) {
			t.Fatalf("n=%d: Open = %x, %v", n, got, err)
		}
		if got == nil {
			t.Errorf("n=%d: nil plaintext for an accepted token", n)
		}
		if want := (Info{KeyID: s.KeyIDs()[0], Key: 0, IssuedAt: t0.UTC()}); info != want {
			t.Errorf("n=%d: info %+v, want %+v", n, info, want)
		}
		h, err := Parse(tok)
		if err != nil || h.KeyID != info.KeyID || !h.IssuedAt.Equal(t0) || h.PlaintextLen != n {
			t.Errorf("n=%d: Parse = %+v, %v", n, h, err)
		}
	}
}

// TestPlaintextNotAliased checks that Open returns memory of its own and
// that Seal does not keep the caller's plaintext.
func TestPlaintextNotAliased(t *testing.T) {
	s := mustNew(t, Keys{Current: key1}, Scope{Purpose: "session"})
	pt := []byte(`{"a":1}`)
	tok := mustSeal(t, s, "session", pt, t0)
	pt[2] = 'b'
	a, _, err := s.Open("session", tok, t0)
	if err != nil || string(a) != `{"a":1}` {
		t.Fatalf("Open = %q, %v", a, err)
	}
	b, _, _ := s.Open("session", tok, t0)
	a[0] = 'X'
	if string(b) != `{"a":1}` {
		t.Fatal("two Opens share their result")
	}
}

// TestSizes is T16: SealedLen is exact, the limit holds at its boundary,
// and an oversized Seal fails before any cryptographic work.
func TestSizes(t *testing.T) {
	s := mustNew(t, Keys{Current: key1}, Scope{Purpose: "session"})
	for n := 0; n <= 3100; n++ {
		if got, want := SealedLen(n), len(b64.EncodeToString(make([]byte, n+Overhead))); got != want {
			t.Fatalf("SealedLen(%d) = %d, want %d", n, got, want)
		}
	}
	for l := -1; l <= 5000; l++ {
		n := MaxPlaintextLen(l)
		if l < SealedLen(0) {
			if n != -1 {
				t.Fatalf("MaxPlaintextLen(%d) = %d, want -1", l, n)
			}
			continue
		}
		if SealedLen(n) > l || SealedLen(n+1) <= l {
			t.Fatalf("MaxPlaintextLen(%d) = %d: SealedLen %d, next %d", l, n, SealedLen(n), SealedLen(n+1))
		}
	}
	for _, c := range []struct {
		name string
		max  int
	}{{"session", 3009}, {"__Host-session", 3004}} {
		if got := MaxPlaintextLen(DefaultLimit - len(c.name)); got != c.max {
			t.Errorf("%s holds %d bytes, want %d (ENCRYPTED.md §10)", c.name, got, c.max)
		}
		for n := c.max - 2; n <= c.max+2; n++ {
			macs := countMACs(t)
			tok, err := s.Seal(c.name, pattern(n), t0)
			if n <= c.max {
				if err != nil || len(c.name)+len(tok) > DefaultLimit {
					t.Errorf("%s, %d bytes: %d + %d, %v", c.name, n, len(c.name), len(tok), err)
				}
				if n == c.max && len(c.name)+len(tok) < DefaultLimit-2 {
					t.Errorf("%s, %d bytes: %d, not at the limit", c.name, n, len(c.name)+len(tok))
				}
				continue
			}
			var se *SizeError
			if !errors.As(err, &se) || !errors.Is(err, ErrTooLarge) || se.Limit != DefaultLimit || se.Size != len(c.name)+SealedLen(n) {
				t.Errorf("%s, %d bytes: error %v", c.name, n, err)
			}
			if *macs != 0 {
				t.Errorf("%s, %d bytes: %d MACs computed before refusing", c.name, n, *macs)
			}
		}
	}
	// A name longer than the limit, and absurd sizes, cannot overflow.
	if _, err := s.Seal(strings.Repeat("n", DefaultLimit), nil, t0); !errors.Is(err, ErrTooLarge) {
		t.Errorf("long name: %v", err)
	}
	if SealedLen(math.MaxInt-10) != math.MaxInt {
		t.Error("SealedLen overflows")
	}
	var se *SizeError
	if err := s.checkSize("session", math.MaxInt-3); !errors.As(err, &se) || se.Size <= 0 {
		t.Errorf("checkSize(MaxInt) = %v", err)
	}
	s.Limit = 200
	if _, err := s.Seal("session", pattern(MaxPlaintextLen(200-7)+1), t0); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Limit 200: %v", err)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("SealedLen(-1) did not panic")
			}
		}()
		SealedLen(-1)
	}()
}

// TestNoCompression is T18: the token's length depends on the
// plaintext's length only, never on its content.
func TestNoCompression(t *testing.T) {
	s := mustNew(t, Keys{Current: key1}, Scope{Purpose: "session"})
	redundant := []byte(`{"x":"` + strings.Repeat("a", 2000) + `"}`)
	random := []byte(`{"x":"` + b64.EncodeToString(pattern(1500))[:2000] + `"}`)
	a := mustSeal(t, s, "session", redundant, t0)
	b := mustSeal(t, s, "session", random, t0)
	if len(redundant) != len(random) || len(a) != len(b) {
		t.Errorf("equal plaintext lengths %d, %d give tokens of %d and %d", len(redundant), len(random), len(a), len(b))
	}
}

func TestIssuedAtRange(t *testing.T) {
	s := mustNew(t, Keys{Current: key1}, Scope{Purpose: "session"})
	for _, iat := range []time.Time{time.Unix(-1, 0), time.Unix(math.MaxUint32+1, 0), {}} {
		if _, err := s.Seal("session", nil, iat); err == nil || errors.Is(err, ErrTooLarge) {
			t.Errorf("Seal at %v: %v", iat, err)
		}
	}
	for _, iat := range []time.Time{time.Unix(0, 0), time.Unix(math.MaxUint32, 999)} {
		tok, err := s.Seal("session", nil, iat)
		if err != nil {
			t.Fatal(err)
		}
		if h, _ := Parse(tok); h.IssuedAt.Unix() != iat.Unix() {
			t.Errorf("iat %v came back %v", iat, h.IssuedAt)
		}
	}
}

// TestExpiry is T15: the window's boundaries are exact, no clock value
// overflows, and the MAC is checked before the window.
func TestExpiry(t *testing.T) {
	s := mustNew(t, Keys{Current: key1}, Scope{Purpose: "session"})
	s.MaxAge = time.Hour
	s.Skew = 30 * time.Second
	tok := mustSeal(t, s, "session", []byte("x"), t0)
	cases := []struct {
		now  time.Time
		want Reason
	}{
		{t0, 0},
		{t0.Add(time.Hour), 0},
		{t0.Add(time.Hour + 999*time.Millisecond), 0}, // whole seconds, as Flask
		{t0.Add(time.Hour + time.Second), ReasonExpired},
		{t0.Add(-30 * time.Second), 0},
		{t0.Add(-31 * time.Second), ReasonFuture},
		{time.Unix(math.MinInt64, 0), ReasonFuture},
		{time.Unix(math.MaxInt64, 0), ReasonExpired},
		{time.Unix(-1, 0), ReasonFuture},
		{time.Time{}, ReasonFuture},
	}
	for _, c := range cases {
		_, _, err := s.Open("session", tok, c.now)
		if c.want == 0 {
			if err != nil {
				t.Errorf("now %v: %v", c.now, err)
			}
			continue
		}
		if r := reasonOf(t, err); r != c.want {
			t.Errorf("now %v: reason %v, want %v", c.now, r, c.want)
		}
	}
	// MaxAge of 400 days near the end of the format's range.
	s.MaxAge = 400 * 24 * time.Hour
	end := time.Unix(math.MaxUint32, 0)
	late := mustSeal(t, s, "session", nil, end)
	if _, _, err := s.Open("session", late, end.Add(s.MaxAge)); err != nil {
		t.Errorf("iat 2^32-1, age MaxAge: %v", err)
	}
	if _, _, err := s.Open("session", late, end.Add(s.MaxAge+time.Second)); reasonOf(t, err) != ReasonExpired {
		t.Errorf("iat 2^32-1, age MaxAge+1s: %v", err)
	}
	// Zero and negative settings fail closed.
	s.MaxAge, s.Skew = 0, 0
	if _, _, err := s.Open("session", tok, t0); err != nil {
		t.Errorf("MaxAge 0, same second: %v", err)
	}
	if _, _, err := s.Open("session", tok, t0.Add(time.Second)); reasonOf(t, err) != ReasonExpired {
		t.Errorf("MaxAge 0, a second later: %v", err)
	}
	s.MaxAge, s.Skew = -time.Hour, -time.Hour
	if _, _, err := s.Open("session", tok, t0); err == nil {
		t.Error("negative MaxAge accepted a token")
	}
	// A token that is both forged and expired is reported as forged: the
	// MAC comes first, so nothing unauthenticated decides the outcome.
	s.MaxAge, s.Skew = time.Hour, 0
	raw, _ := b64.DecodeString(tok)
	raw[len(raw)-1] ^= 1
	if _, _, err := s.Open("session", b64.EncodeToString(raw), t0.Add(2*time.Hour)); reasonOf(t, err) != ReasonTag {
		t.Errorf("forged and expired: %v", err)
	}
}

// TestConfig is T14: New refuses every ring it could not use safely, with
// a message that says how to fix it and never shows a secret.
func TestConfig(t *testing.T) {
	many := Keys{Current: key1}
	for i := range MaxKeys {
		many.Fallbacks = append(many.Fallbacks, []byte(strings.Repeat("x", 32)+string(rune('a'+i))))
	}
	cases := []struct {
		name  string
		keys  Keys
		scope Scope
		want  string
	}{
		{"nil current", Keys{}, Scope{Purpose: "session"}, "current secret is empty"},
		{"empty current", Keys{Current: []byte{}}, Scope{Purpose: "session"}, "current secret is empty"},
		{"whitespace current", Keys{Current: []byte(" \t\r\n ")}, Scope{Purpose: "session"}, "only whitespace"},
		{"empty fallback", Keys{Current: key1, Fallbacks: [][]byte{key2, nil}}, Scope{Purpose: "session"}, "fallback secret 1 is empty"},
		{"whitespace fallback", Keys{Current: key1, Fallbacks: [][]byte{[]byte("\n")}}, Scope{Purpose: "session"}, "fallback secret 0 is empty"},
		{"current repeated", Keys{Current: key1, Fallbacks: [][]byte{key2, key1}}, Scope{Purpose: "session"}, "fallback secret 1 repeats the current secret"},
		{"fallback repeated", Keys{Current: key1, Fallbacks: [][]byte{key2, key3, key2}}, Scope{Purpose: "session"}, "fallback secret 2 repeats fallback secret 0"},
		{"too many", many, Scope{Purpose: "session"}, "17 secrets, more than 16"},
		{"empty purpose", Keys{Current: key1}, Scope{}, "empty purpose"},
		{"NUL in purpose", Keys{Current: key1}, Scope{Purpose: "ses\x00sion"}, "purpose contains a NUL"},
		{"NUL in app", Keys{Current: key1}, Scope{Purpose: "session", App: "a\x00"}, "application ID contains a NUL"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := New(c.keys, c.scope)
			if err == nil || s != nil {
				t.Fatalf("New = %v, %v; want an error", s, err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not say %q", err, c.want)
			}
			for _, k := range append([][]byte{c.keys.Current}, c.keys.Fallbacks...) {
				if len(k) > 3 && strings.Contains(err.Error(), string(k)) {
					t.Errorf("error %q shows a secret", err)
				}
			}
		})
	}
	t.Run("kid collision", func(t *testing.T) {
		a, b := kidCollision(t)
		_, err := New(Keys{Current: a, Fallbacks: [][]byte{b}}, Scope{Purpose: "session"})
		if err == nil || !strings.Contains(err.Error(), "same key ID") {
			t.Fatalf("New with colliding key IDs: %v", err)
		}
	})
	t.Run("sixteen is fine", func(t *testing.T) {
		many.Fallbacks = many.Fallbacks[:MaxKeys-1]
		if _, err := New(many, Scope{Purpose: "session"}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("short secret", func(t *testing.T) {
		// The format itself takes any non-empty secret; FIPS 140-only mode
		// refuses those under 112 bits. Strength is session.CheckKeys' job.
		_, err := New(Keys{Current: []byte("13-byte-secre")}, Scope{Purpose: "session"})
		if fips140.Enforced() != (err != nil) {
			t.Errorf("13-byte secret, FIPS 140-only %v: %v", fips140.Enforced(), err)
		}
		if _, err := New(Keys{Current: []byte("14-byte-secret")}, Scope{Purpose: "session"}); err != nil {
			t.Errorf("14-byte secret: %v", err)
		}
	})
}

// kidCollision returns two distinct secrets with the same key ID, found
// by the birthday bound (about 2^16 key IDs).
func kidCollision(t *testing.T) ([]byte, []byte) {
	t.Helper()
	if testing.Short() {
		t.Skip("the key ID collision search is skipped in -short mode")
	}
	seen := make(map[KeyID][]byte, 1<<17)
	for i := 0; i < 1<<20; i++ {
		secret := []byte("collision-search-secret-" + strings.Repeat("0", 8) + itoa(i))
		id, err := KeyIDOf(secret)
		if err != nil {
			t.Fatal(err)
		}
		if prev, ok := seen[id]; ok {
			return prev, secret
		}
		seen[id] = secret
	}
	t.Fatal("no key ID collision in 2^20 secrets")
	return nil, nil
}

func itoa(i int) string {
	var b [20]byte
	n := len(b)
	for {
		n--
		b[n] = byte('0' + i%10)
		if i /= 10; i == 0 {
			return string(b[n:])
		}
	}
}

func TestReasonStrings(t *testing.T) {
	want := []string{"length", "encoding", "version", "key", "tag", "expired", "future"}
	for i, w := range want {
		r := Reason(i + 1)
		if r.String() != w {
			t.Errorf("Reason(%d) = %q, want %q", i+1, r, w)
		}
		if e := (InvalidError{r}); !strings.HasSuffix(e.Error(), "("+w+")") || !errors.Is(e, ErrInvalid) {
			t.Errorf("InvalidError{%v} = %q", r, e)
		}
	}
	if Reason(0).String() != "Reason(0)" || Reason(99).String() != "Reason(99)" {
		t.Error("unknown reasons")
	}
}

func TestParse(t *testing.T) {
	s := mustNew(t, Keys{Current: key1}, Scope{Purpose: "session"})
	tok := mustSeal(t, s, "session", pattern(10), t0)
	for _, c := range []struct {
		value string
		want  Reason
	}{
		{"", ReasonLength},
		{strings.Repeat("A", maxParse+1), ReasonLength},
		{tok + "=", ReasonEncoding},
		{"A" + tok[1:], ReasonVersion},
	} {
		if _, err := Parse(c.value); reasonOf(t, err) != c.want {
			t.Errorf("Parse(%.20q…) = %v, want %v", c.value, err, c.want)
		}
	}
	id, _ := KeyIDOf(key1)
	if h, err := Parse(tok); err != nil || h.KeyID != id || id.String() != hx(id[:]) {
		t.Errorf("Parse = %+v, %v; key ID %v", h, err, id)
	}
}

func TestScopeAndKeyIDs(t *testing.T) {
	sc := Scope{Purpose: "flash", App: "shop"}
	s := mustNew(t, Keys{Current: key1, Fallbacks: [][]byte{key2, key3}}, sc)
	if s.Scope() != sc {
		t.Errorf("Scope = %+v", s.Scope())
	}
	ids := s.KeyIDs()
	for i, k := range [][]byte{key1, key2, key3} {
		if id, _ := KeyIDOf(k); ids[i] != id {
			t.Errorf("KeyIDs()[%d] = %v, want %v", i, ids[i], id)
		}
	}
}
