package session_test

import (
	"context"
	"strings"
	"testing"

	session "github.com/sessionkit/session"
	"github.com/sessionkit/session/memstore"
)

// TestStoreHybridGenerations: with revocation generations on, a hybrid
// session's cookie from before a DestroyAll is refused, a new login's is
// not, and DestroyAll ends the session once it moved to the store.
func TestStoreHybridGenerations(t *testing.T) {
	clock := newClock()
	gens := session.NewMemoryGenerations()
	gens.Bump(context.Background(), "Maria") // an earlier "log out everywhere"
	site := newSMSite(t, memstore.New(), clock, func(m *session.Manager) {
		m.Hybrid = true
		m.Generations = gens
	})
	before := site.login(t, "Maria")
	if site.idOf(t, before) != "" {
		t.Fatal("small session went to the store")
	}
	if err := site.m.DestroyAll(t.Context(), "Maria"); err != nil {
		t.Fatal(err)
	}
	if res := site.do(t, "/get", before); res.body != "" {
		t.Fatalf("cookie from before DestroyAll: %q; want it refused", res.body)
	}
	again := site.login(t, "Maria")
	big := site.do(t, "/big", again).cookie
	if site.idOf(t, big) == "" {
		t.Fatal("big session stayed in the cookie")
	}
	if res := site.do(t, "/get", big); !strings.HasSuffix(res.body, ",usuario=Maria") {
		t.Fatalf("session in the store: %q", res.body)
	}
	// DestroyAll ends the stored session too.
	if err := site.m.DestroyAll(t.Context(), "Maria"); err != nil {
		t.Fatal(err)
	}
	if res := site.do(t, "/get", big); res.body != "" {
		t.Fatalf("stored session after DestroyAll: %q; want it gone", res.body)
	}
}
