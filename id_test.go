package session

import (
	"strings"
	"testing"
)

// SetStoreIDSource makes new server-side session IDs come from next until
// the returned function restores crypto/rand. For tests of this package's
// external test files (ID collisions).
func SetStoreIDSource(next func() string) (restore func()) {
	old := newStoreID
	newStoreID = next
	return func() { newStoreID = old }
}

// CountVerifications makes count run on every session cookie the
// middleware verifies, until the returned function stops it.
func CountVerifications(count func()) (stop func()) {
	testHookVerify = count
	return func() { testHookVerify = nil }
}

func TestNewStoreID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := newStoreID()
		if _, err := parseStoreID(id); err != nil {
			t.Fatalf("parseStoreID(newStoreID() = %q): %v", id, err)
		}
		if seen[id] {
			t.Fatalf("newStoreID returned %q twice", id)
		}
		seen[id] = true
	}
}

func TestParseStoreID(t *testing.T) {
	good := "q2nE1m0fZr4Q6v8Yx3TbW5kL7pJ9sD1cA2eH4gK6mNo"
	for _, tc := range []struct {
		name, id string
		ok       bool
	}{
		{"valid", good, true},
		{"all zero bits", strings.Repeat("A", 43), true},
		{"dash and underscore", "-_" + good[2:], true},
		{"empty", "", false},
		{"one short", good[:42], false},
		{"one long", good + "A", false},
		{"padded", good + "=", false},
		{"standard alphabet plus", "+" + good[1:], false},
		{"standard alphabet slash", "/" + good[1:], false},
		{"dot", "." + good[1:], false},
		{"space", " " + good[1:], false},
		{"nul", "\x00" + good[1:], false},
		{"non-ascii", "é" + good[2:], false},
		{"non-canonical last char", good[:42] + "p", false}, // unused low bits set
		{"sql", "' OR 1=1 --" + good[11:], false},
		{"redis glob", "*" + good[1:], false},
		{"very long", strings.Repeat("A", 1<<16), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseStoreID(tc.id)
			if tc.ok != (err == nil) || (tc.ok && got != tc.id) {
				t.Fatalf("parseStoreID(%q) = %q, %v; want ok=%v", tc.id, got, err, tc.ok)
			}
		})
	}
}

func TestIDFromPayload(t *testing.T) {
	id := newStoreID()
	if got, ok := idFromPayload(idPrefix + id); !ok || got != id {
		t.Fatalf("idFromPayload(prefix+id) = %q, %v", got, ok)
	}
	for _, p := range []string{id, "eyJ1c3VhcmlvIjoiTWFyaWEifQ", ".eJyrVirNK1ayUlA", idPrefix, idPrefix + id + "x", "SK~" + id} {
		if got, ok := idFromPayload(p); ok {
			t.Errorf("idFromPayload(%q) = %q, true; want false", p, got)
		}
	}
}

// FuzzParseStoreID checks that only canonical 43-character base64url
// encodings of 32 bytes pass, and that passing IDs round-trip.
func FuzzParseStoreID(f *testing.F) {
	f.Add(newStoreID())
	f.Add(strings.Repeat("A", 43))
	f.Add(strings.Repeat("_", 43))
	f.Add("")
	f.Add("q2nE1m0fZr4Q6v8Yx3TbW5kL7pJ9sD1cA2eH4gK6mNp")
	f.Add("q2nE1m0fZr4Q6v8Yx3TbW5kL7pJ9sD1cA2eH4gK6mN=")
	f.Fuzz(func(t *testing.T, id string) {
		got, err := parseStoreID(id)
		if err != nil {
			return
		}
		if got != id || len(id) != storeIDLen {
			t.Fatalf("parseStoreID(%q) = %q", id, got)
		}
		for i := 0; i < len(id); i++ {
			if strings.IndexByte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", id[i]) < 0 {
				t.Fatalf("parseStoreID accepted %q with byte %q", id, id[i])
			}
		}
		if _, ok := idFromPayload(idPrefix + id); !ok {
			t.Fatalf("idFromPayload refused the valid id %q", id)
		}
	})
}
