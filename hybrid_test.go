package session_test

import (
	"context"
	"testing"

	session "github.com/sessionkit/session"
	"github.com/sessionkit/session/memstore"
)

// TestStoreHybridGenerations moves a logged-in session out to the store and
// back with revocation generations on: the cookie it comes back in carries
// the owner's current generation, so it is not refused, while a copy of
// the cookie from before a DestroyAll is.
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
	back := site.do(t, "/small", big).cookie
	if site.idOf(t, back) != "" {
		t.Fatal("shrunk session stayed in the store")
	}
	if res := site.do(t, "/get", back); res.body != "usuario=Maria" {
		t.Fatalf("session back in the cookie: %q; want usuario=Maria", res.body)
	}
}
