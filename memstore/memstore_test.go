package memstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/sessionkit/session"
	"github.com/sessionkit/session/memstore"
	"github.com/sessionkit/session/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) session.Store { return memstore.New() })
}

// clock is a settable clock for the store's Now field.
type clock struct {
	mu sync.Mutex // guards t
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestExpiryFollowsClock(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}
	s := memstore.New()
	s.Now = c.Now
	if err := s.Create(ctx, "a", session.Record{Data: []byte("x"), Expiry: c.Now().Add(2 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	c.Add(2*time.Minute - time.Nanosecond)
	if _, err := s.Load(ctx, "a"); err != nil {
		t.Fatalf("Load just before expiry: %v", err)
	}
	c.Add(time.Nanosecond)
	if _, err := s.Load(ctx, "a"); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("Load at expiry = %v; want ErrNotFound", err)
	}
	if s.Len() != 0 {
		t.Fatalf("Len after reading an expired record = %d; want 0", s.Len())
	}
}

func TestFull(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}
	s := memstore.New()
	s.Now = c.Now
	s.MaxEntries = 3
	for _, id := range []string{"a", "b", "c"} {
		if err := s.Create(ctx, id, session.Record{Expiry: c.Now().Add(time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	err := s.Create(ctx, "d", session.Record{Expiry: c.Now().Add(time.Hour)})
	if !errors.Is(err, session.ErrStoreFull) || !errors.Is(err, session.ErrStoreUnavailable) {
		t.Fatalf("Create in a full store = %v; want ErrStoreFull and ErrStoreUnavailable", err)
	}
	// Existing sessions keep working while the store is full.
	if _, err := s.Update(ctx, "a", session.Record{Expiry: c.Now().Add(time.Minute), Version: 1}); err != nil {
		t.Fatalf("Update in a full store: %v", err)
	}
	if _, err := s.Renew(ctx, "b", "b2", session.Record{Expiry: c.Now().Add(time.Minute), Version: 1}); err != nil {
		t.Fatalf("Renew in a full store: %v", err)
	}
	// Once the records expire, room is made for new ones.
	c.Add(time.Minute)
	if err := s.Create(ctx, "d", session.Record{Expiry: c.Now().Add(time.Hour)}); err != nil {
		t.Fatalf("Create after the others expired: %v", err)
	}
	if s.Len() != 1 {
		t.Fatalf("Len = %d; want 1", s.Len())
	}
}

func TestFloodStaysBounded(t *testing.T) {
	ctx := context.Background()
	s := memstore.New()
	s.MaxEntries = 1000
	var wg sync.WaitGroup
	var mu sync.Mutex // guards full
	full := 0
	for range 8 {
		wg.Go(func() {
			for range 500 {
				err := s.Create(ctx, storetest.NewID(), session.Record{Expiry: time.Now().Add(time.Hour)})
				if errors.Is(err, session.ErrStoreFull) {
					mu.Lock()
					full++
					mu.Unlock()
				} else if err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if s.Len() != 1000 || full != 3000 {
		t.Fatalf("Len = %d, refused = %d; want 1000, 3000", s.Len(), full)
	}
}

func ExampleStore() {
	ctx := context.Background()
	store := memstore.New()
	store.MaxEntries = 10_000

	expiry := time.Now().Add(time.Hour)
	_ = store.Create(ctx, "id-1", session.Record{Data: []byte(`{"usuario":"Maria"}`), Expiry: expiry})

	// A second request saves with the version it loaded...
	rec, _ := store.Load(ctx, "id-1")
	rec.Data = []byte(`{"usuario":"Maria","tema":"escuro"}`)
	v, _ := store.Update(ctx, "id-1", rec)
	fmt.Println("saved version", v)

	// ...and a request that loaded the same version earlier is refused.
	_, err := store.Update(ctx, "id-1", session.Record{Data: []byte(`{}`), Expiry: expiry, Version: 1})
	fmt.Println(errors.Is(err, session.ErrConflict))
	// Output:
	// saved version 2
	// true
}

func benchStore(b *testing.B) session.Store { return memstore.New() }

func BenchmarkLoad(b *testing.B)   { storetest.BenchmarkLoad(b, benchStore(b)) }
func BenchmarkUpdate(b *testing.B) { storetest.BenchmarkUpdate(b, benchStore(b)) }
func BenchmarkTouch(b *testing.B)  { storetest.BenchmarkTouch(b, benchStore(b)) }

func ExampleStore_DeleteExpired() {
	store := memstore.New()
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	// The store starts no goroutine: the application runs the cleanup on
	// its own schedule, here every five minutes until ctx ends.
	go func() {
		tick := time.NewTicker(5 * time.Minute)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				store.DeleteExpired(ctx)
			}
		}
	}()
}
