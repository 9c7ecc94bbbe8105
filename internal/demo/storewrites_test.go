package demo

import (
	"context"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	session "github.com/sessionkit/session"
	"github.com/sessionkit/session/memstore"
)

// writeCounter counts the writes that reach a store.
type writeCounter struct {
	session.Store
	writes atomic.Int64
}

func (c *writeCounter) Create(ctx context.Context, id string, rec session.Record) error {
	c.writes.Add(1)
	return c.Store.Create(ctx, id, rec)
}

func (c *writeCounter) Update(ctx context.Context, id string, rec session.Record) (int64, error) {
	c.writes.Add(1)
	return c.Store.Update(ctx, id, rec)
}

func (c *writeCounter) Touch(ctx context.Context, id string, expiry time.Time) error {
	c.writes.Add(1)
	return c.Store.Touch(ctx, id, expiry)
}

func (c *writeCounter) Renew(ctx context.Context, oldID, newID string, rec session.Record) (int64, error) {
	c.writes.Add(1)
	return c.Store.Renew(ctx, oldID, newID, rec)
}

func (c *writeCounter) Delete(ctx context.Context, id string) error {
	c.writes.Add(1)
	return c.Store.Delete(ctx, id)
}

// TestReadOnlyViewsWriteNothing: with a server-side store, viewing the
// demo's pages (Exemplo 02 sets the permanent flag it already holds on
// every view) writes nothing to the store inside the touch interval.
func TestReadOnlyViewsWriteNothing(t *testing.T) {
	store := &writeCounter{Store: memstore.New()}
	h := newHarness(t, func(c *Config) { c.Store, c.StoreName = store, "memory" })
	h.client.CheckRedirect = nil
	for _, nome := range []string{"Ana", "João"} {
		if r := h.post("/exemplo02", url.Values{"nome": {nome}}); r.status != 200 {
			t.Fatalf("adding %s: %d", nome, r.status)
		}
	}
	before := store.writes.Load()
	for range 5 {
		for _, page := range []string{"/", "/exemplo01", "/exemplo02", "/inspetor", "/inspetor/painel", "/chave", "/desafio", "/perfil"} {
			if r := h.get(page); r.status != 200 {
				t.Fatalf("GET %s: %d", page, r.status)
			}
		}
		h.clock.Advance(time.Second)
	}
	if n := store.writes.Load() - before; n != 0 {
		t.Errorf("%d store writes for read-only views; want 0", n)
	}
}
