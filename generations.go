package session

import (
	"context"
	"sync"
)

// MemoryGenerations is a Generations kept in memory, for a single process.
type MemoryGenerations struct {
	mu  sync.Mutex        // guards gen
	gen map[string]uint64 // owner -> generation
}

// NewMemoryGenerations returns an empty MemoryGenerations.
func NewMemoryGenerations() *MemoryGenerations {
	return &MemoryGenerations{gen: make(map[string]uint64)}
}

// Generation returns owner's current generation, 0 if never bumped.
func (g *MemoryGenerations) Generation(ctx context.Context, owner string) (uint64, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.gen[owner], nil
}

// Bump increments owner's generation and returns the new value.
func (g *MemoryGenerations) Bump(ctx context.Context, owner string) (uint64, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.gen[owner]++
	return g.gen[owner], nil
}
