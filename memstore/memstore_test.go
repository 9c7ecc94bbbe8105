package memstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/sessionkit/session"
	"github.com/sessionkit/session/internal/testenv"
	"github.com/sessionkit/session/memstore"
	"github.com/sessionkit/session/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) session.Store { return memstore.New() })
}

func TestExpiryFollowsClock(t *testing.T) {
	ctx := context.Background()
	c := testenv.NewClock(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC))
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
	c := testenv.NewClock(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC))
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

func TestFullOfBytes(t *testing.T) {
	ctx := context.Background()
	c := testenv.NewClock(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC))
	s := memstore.New()
	s.Now = c.Now
	s.MaxBytes = 100
	soon, later := c.Now().Add(time.Minute), c.Now().Add(time.Hour)
	// 1 + 40 + 1 and 1 + 40 + 0 bytes: 83 of 100.
	if err := s.Create(ctx, "a", session.Record{Data: make([]byte, 40), Expiry: soon, Owner: "o"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx, "b", session.Record{Data: make([]byte, 40), Expiry: later}); err != nil {
		t.Fatal(err)
	}
	wantFull := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, session.ErrStoreFull) || !errors.Is(err, session.ErrStoreUnavailable) {
			t.Fatalf("%s = %v; want ErrStoreFull and ErrStoreUnavailable", what, err)
		}
	}
	wantFull("Create of 1+17 bytes", s.Create(ctx, "c", session.Record{Data: make([]byte, 17), Expiry: later}))
	_, err := s.Update(ctx, "b", session.Record{Data: make([]byte, 58), Expiry: later, Version: 1})
	wantFull("Update growing by 18 bytes", err)
	_, err = s.Renew(ctx, "b", "bb", session.Record{Data: make([]byte, 57), Expiry: later, Version: 1})
	wantFull("Renew growing by 18 bytes", err)
	if rec, err := s.Load(ctx, "b"); err != nil || len(rec.Data) != 40 || rec.Version != 1 {
		t.Fatalf("after refused writes, b = %d bytes, version %d, %v; want it unchanged", len(rec.Data), rec.Version, err)
	}
	if got := s.Bytes(); got != 83 {
		t.Fatalf("Bytes = %d; want 83", got)
	}
	// Up to the bound exactly, and writes that shrink, pass.
	if err := s.Create(ctx, "c", session.Record{Data: make([]byte, 16), Expiry: later}); err != nil {
		t.Fatalf("Create filling the store exactly: %v", err)
	}
	if _, err := s.Update(ctx, "b", session.Record{Data: make([]byte, 10), Expiry: later, Version: 1}); err != nil {
		t.Fatalf("Update that shrinks a full store: %v", err)
	}
	if _, err := s.Renew(ctx, "b", "bb", session.Record{Data: make([]byte, 39), Expiry: later, Version: 2}); err != nil {
		t.Fatalf("Renew into the room freed: %v", err)
	}
	if got := s.Bytes(); got != 100 {
		t.Fatalf("Bytes = %d; want 100", got)
	}
	// An expired record's room is taken back when room is needed.
	c.Add(time.Minute)
	if err := s.Create(ctx, "d", session.Record{Data: make([]byte, 40), Expiry: later}); err != nil {
		t.Fatalf("Create after a has expired: %v", err)
	}
	if got, n := s.Bytes(), s.Len(); got != 99 || n != 3 {
		t.Fatalf("Bytes, Len = %d, %d; want 99, 3", got, n)
	}
	// Deletions give room back.
	for _, id := range []string{"c", "d"} {
		s.Delete(ctx, id)
	}
	if n, err := s.DestroyAll(ctx, ""); n != 0 || err != nil {
		t.Fatal(n, err)
	}
	if got := s.Bytes(); got != 41 {
		t.Fatalf("Bytes after deletions = %d; want 41 (bb alone)", got)
	}
}

// TestDefaultBounds: a store left with its defaults refuses what would
// cross them.
func TestDefaultBounds(t *testing.T) {
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	s := memstore.New()
	huge := make([]byte, memstore.DefaultMaxBytes) // with its ID, one byte too many
	if err := s.Create(ctx, "a", session.Record{Data: huge[:len(huge)-1], Expiry: exp}); err != nil {
		t.Fatalf("Create of exactly DefaultMaxBytes: %v", err)
	}
	if err := s.Create(ctx, "b", session.Record{Expiry: exp}); !errors.Is(err, session.ErrStoreFull) {
		t.Fatalf("Create past DefaultMaxBytes = %v; want ErrStoreFull", err)
	}
	s.Delete(ctx, "a")
	for i := range memstore.DefaultMaxEntries {
		if err := s.Create(ctx, fmt.Sprint(i), session.Record{Expiry: exp}); err != nil {
			t.Fatalf("Create number %d: %v", i+1, err)
		}
	}
	if err := s.Create(ctx, "one more", session.Record{Expiry: exp}); !errors.Is(err, session.ErrStoreFull) {
		t.Fatalf("Create past DefaultMaxEntries = %v; want ErrStoreFull", err)
	}
}

// TestFloodStaysBounded sends a flood of new sessions from many goroutines,
// each refused or taken, then lets them expire and floods again: neither
// bound is ever crossed, and expired records give their room back.
func TestFloodStaysBounded(t *testing.T) {
	for _, tc := range []struct {
		name       string
		maxEntries int
		maxBytes   int
		size       int // data bytes per session; the ID adds 43, the owner 4
	}{
		{"entries", 1000, 1 << 30, 100},
		{"bytes", 1 << 30, 1000 * (43 + 4 + 100), 100},
		{"both", 500, 400 * (43 + 4 + 100), 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			c := testenv.NewClock(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC))
			s := memstore.New()
			s.Now = c.Now
			s.MaxEntries, s.MaxBytes = tc.maxEntries, tc.maxBytes
			perRecord := 43 + 4 + tc.size
			room := min(tc.maxEntries, tc.maxBytes/perRecord)
			for round := range 3 {
				var wg sync.WaitGroup
				var mu sync.Mutex // guards taken, refused
				taken, refused := 0, 0
				for range 8 {
					wg.Go(func() {
						for range room / 2 {
							err := s.Create(ctx, storetest.NewID(), session.Record{Data: make([]byte, tc.size), Expiry: c.Now().Add(time.Minute), Owner: "user"})
							mu.Lock()
							switch {
							case err == nil:
								taken++
							case errors.Is(err, session.ErrStoreFull) && errors.Is(err, session.ErrStoreUnavailable):
								refused++
							default:
								t.Error(err)
							}
							mu.Unlock()
							if n, b := s.Len(), s.Bytes(); n > tc.maxEntries || b > tc.maxBytes {
								t.Errorf("%d records of %d bytes: over MaxEntries %d or MaxBytes %d", n, b, tc.maxEntries, tc.maxBytes)
							}
						}
					})
				}
				wg.Wait()
				if taken != room || refused != 8*(room/2)-room || s.Len() != room || s.Bytes() != room*perRecord {
					t.Fatalf("round %d: %d taken, %d refused, Len %d, Bytes %d; want %d taken and held, %d bytes",
						round, taken, refused, s.Len(), s.Bytes(), room, room*perRecord)
				}
				// Everyone leaves; the next round finds the room again.
				c.Add(time.Minute)
			}
		})
	}
}

func TestGenerations(t *testing.T) {
	storetest.RunGenerations(t, func(t *testing.T) session.Generations { return memstore.NewGenerations() })
	t.Run("ZeroValue", func(t *testing.T) {
		var g memstore.Generations
		if n, err := g.Bump(context.Background(), "u"); n != 1 || err != nil {
			t.Fatalf("Bump on the zero value = %d, %v", n, err)
		}
	})
	t.Run("CanceledContext", func(t *testing.T) {
		g := memstore.NewGenerations()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := g.Bump(ctx, "u"); !errors.Is(err, session.ErrStoreUnavailable) {
			t.Errorf("Bump with a canceled context = %v; want ErrStoreUnavailable", err)
		}
		if _, err := g.Generation(ctx, "u"); !errors.Is(err, session.ErrStoreUnavailable) {
			t.Errorf("Generation with a canceled context = %v; want ErrStoreUnavailable", err)
		}
		if n, _ := g.Generation(context.Background(), "u"); n != 0 {
			t.Errorf("a refused Bump moved the generation to %d", n)
		}
	})
}

func ExampleGenerations() {
	ctx := context.Background()
	gens := memstore.NewGenerations()
	// m.Generations = gens: a logout everywhere bumps the user's
	// generation, and cookies written before it are refused.
	gens.Bump(ctx, "maria")
	n, _ := gens.Generation(ctx, "maria")
	fmt.Println("maria is at generation", n)
	// Output:
	// maria is at generation 1
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
