package session_test

import (
	"errors"
	"sync"
	"testing"

	session "github.com/sessionkit/session"
	"github.com/sessionkit/session/memstore"
)

func TestMemoryGenerations(t *testing.T) {
	g := memstore.NewGenerations()
	ctx := t.Context()
	if n, err := g.Generation(ctx, "u1"); n != 0 || err != nil {
		t.Fatalf("fresh owner: %d, %v", n, err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				g.Bump(ctx, "u1")
				g.Generation(ctx, "u2")
			}
		})
	}
	wg.Wait()
	if n, _ := g.Generation(ctx, "u1"); n != 800 {
		t.Errorf("u1 at %d after 800 bumps", n)
	}
	if n, _ := g.Generation(ctx, "u2"); n != 0 {
		t.Errorf("u2 moved to %d", n)
	}
}

func TestDestroyAll(t *testing.T) {
	f := newFixture(t)
	if err := f.m.DestroyAll(t.Context(), "u1"); err != nil {
		t.Errorf("without Store or Generations: %v", err)
	}
	if err := f.m.DestroyAll(t.Context(), ""); err == nil {
		t.Error("empty owner accepted")
	}
	f.m.Generations = failingGenerations{}
	err := f.m.DestroyAll(t.Context(), "u1")
	if !errors.Is(err, session.ErrStoreUnavailable) || !errors.Is(err, errDown) {
		t.Errorf("failing Generations: %v", err)
	}
}
