package memstore

import (
	"context"
	"sync"

	"github.com/sessionkit/session"
)

// Generations is a session.Generations kept in memory, for a Manager whose
// instances are one process: a restart forgets every bump, so cookies
// revoked before it become valid again. Use the Generations of redisstore or
// pgstore to share them between instances and keep them across restarts.
// Like Store, it fails with session.ErrStoreUnavailable when the context has
// ended. The zero value is ready to use.
type Generations struct {
	mu  sync.Mutex        // guards gen
	gen map[string]uint64 // owner -> generation
}

var _ session.Generations = (*Generations)(nil)

// NewGenerations returns a Generations that knows no owner yet.
func NewGenerations() *Generations { return &Generations{} }

// Generation implements session.Generations: owner's current generation, 0
// if never bumped.
func (g *Generations) Generation(ctx context.Context, owner string) (uint64, error) {
	if err := check(ctx, "generation"); err != nil {
		return 0, err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.gen[owner], nil
}

// Bump implements session.Generations: it increments owner's generation and
// returns the new value.
func (g *Generations) Bump(ctx context.Context, owner string) (uint64, error) {
	if err := check(ctx, "bump"); err != nil {
		return 0, err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.gen == nil {
		g.gen = make(map[string]uint64)
	}
	g.gen[owner]++
	return g.gen[owner], nil
}
