package session_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	session "github.com/sessionkit/session"
	"github.com/sessionkit/session/memstore"
)

// TestStoreHybrid: a session lives in the Flask cookie while it fits, moves
// to the store when it grows, and comes back when it shrinks.
func TestStoreHybrid(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newStore func(*testing.T, *clock) session.Store) {
		clock := newClock()
		site := newSMSite(t, newStore(t, clock), clock, func(m *session.Manager) {
			m.Hybrid = true
		})
		small := site.do(t, "/set?usuario=Maria", "").cookie
		if site.idOf(t, small) != "" {
			t.Fatalf("small session went to the store")
		}
		if v, err := site.m.Codec().Decode(small, clock.Now()); err != nil || v["usuario"] != "Maria" {
			t.Fatalf("small session cookie is not a Flask cookie: %v, %v", v, err)
		}
		if w := site.store.writes(); w != 0 {
			t.Fatalf("%d store writes for a small session", w)
		}
		big := site.do(t, "/big", small)
		id := site.idOf(t, big.cookie)
		if big.status != 200 || id == "" {
			t.Fatalf("big session: %+v; want an id cookie", big)
		}
		if res := site.do(t, "/get", big.cookie); !strings.Contains(res.body, "usuario=Maria") || !strings.Contains(res.body, "big=") {
			t.Fatalf("big session read back: %.60q", res.body)
		}
		back := site.do(t, "/small", big.cookie)
		if site.idOf(t, back.cookie) != "" {
			t.Fatalf("shrunk session stayed in the store")
		}
		if _, err := site.store.Load(context.Background(), id); !errors.Is(err, session.ErrNotFound) {
			t.Fatalf("record after moving back to the cookie: %v", err)
		}
		if res := site.do(t, "/get", back.cookie); res.body != "usuario=Maria" {
			t.Fatalf("after moving back: %q", res.body)
		}
	})
}

func TestStoreHybridThreshold(t *testing.T) {
	clock := newClock()
	site := newSMSite(t, memstore.New(), clock, func(m *session.Manager) {
		m.Hybrid, m.HybridThreshold = true, 100
	})
	if c := site.do(t, "/set?a=1", "").cookie; site.idOf(t, c) != "" {
		t.Fatalf("tiny session went to the store")
	}
	c := site.do(t, "/set?a="+strings.Repeat("y", 120), "").cookie
	if site.idOf(t, c) == "" {
		t.Fatalf("session over HybridThreshold stayed in the cookie (%d bytes)", len(c))
	}
}

// TestStoreHybridGenerations moves a logged-in session out to the store and
// back with revocation generations on: the cookie it comes back in carries
// the owner's current generation, so it is not refused, while a copy of
// the cookie from before the login's Renew is.
func TestStoreHybridGenerations(t *testing.T) {
	clock := newClock()
	gens := memstore.NewGenerations()
	gens.Bump(context.Background(), "Maria") // an earlier "log out everywhere"
	site := newSMSite(t, memstore.New(), clock, func(m *session.Manager) {
		m.Hybrid = true
		m.Generations = gens
	})
	before := site.login(t, "Maria")
	if site.idOf(t, before) != "" {
		t.Fatal("small session went to the store")
	}
	again := site.do(t, "/login?u=Maria", before).cookie
	if res := site.do(t, "/get", before); res.body != "" {
		t.Fatalf("cookie from before the second login (Renew): %q; want it refused", res.body)
	}
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
