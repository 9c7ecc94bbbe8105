package session

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

// TestKeyedMutex checks that holders of one key take turns, that holders
// of different keys do not wait for each other, that a waiter whose
// context ends gives up, and that no entry is left behind. Run it with
// -race.
func TestKeyedMutex(t *testing.T) {
	var k keyedMutex
	ctx := context.Background()
	var inside [3]atomic.Int32
	var wg sync.WaitGroup
	for g := range 12 {
		wg.Go(func() {
			key := string(rune('a' + g%3))
			for range 200 {
				e, _, err := k.lock(ctx, key)
				if err != nil {
					t.Error(err)
					return
				}
				if n := inside[g%3].Add(1); n != 1 {
					t.Errorf("%d holders of key %q at once", n, key)
				}
				inside[g%3].Add(-1)
				k.unlock(key, e)
			}
		})
	}
	wg.Wait()

	// One key held; another is free meanwhile; a waiter gives up.
	held, waited, err := k.lock(ctx, "x")
	if waited {
		t.Errorf("lock of a free key reports a wait")
	}
	if err != nil {
		t.Fatal(err)
	}
	other, _, err := k.lock(ctx, "y")
	if err != nil {
		t.Fatal(err)
	}
	k.unlock("y", other)
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error)
	go func() {
		_, _, err := k.lock(cctx, "x")
		done <- err
	}()
	cancel()
	if err := <-done; err != context.Canceled {
		t.Errorf("waiter whose context ended: %v, want context.Canceled", err)
	}
	// A waiter that gets the turn once the holder unlocks reports the wait.
	got := make(chan bool)
	go func() {
		e, waited, err := k.lock(ctx, "x")
		if err != nil {
			t.Error(err)
		}
		k.unlock("x", e)
		got <- waited
	}()
	for {
		k.mu.Lock()
		refs := k.m["x"].refs
		k.mu.Unlock()
		if refs == 2 {
			break
		}
		runtime.Gosched()
	}
	k.unlock("x", held)
	if !<-got {
		t.Errorf("a lock that waited for the holder reports no wait")
	}
	if e, _, err := k.lock(ctx, "x"); err != nil {
		t.Errorf("key free again: %v", err)
	} else {
		k.unlock("x", e)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.m) != 0 {
		t.Errorf("%d entries left: %v", len(k.m), k.m)
	}
}
