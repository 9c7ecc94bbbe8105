// Package storetest checks that a session.Store keeps the contract written
// in its doc comment, in the manner of testing/slogtest: a store's own tests
// call Run with a function that returns a fresh, empty store.
//
// The suite does not inject a clock: each store expires records by its own
// clock (the process's wall clock, or the database server's). Expiry is
// therefore exercised with instants an hour in the past or future, never by
// sleeping.
package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/sessionkit/session"
)

// Run runs the conformance suite against the stores newStore returns. Each
// subtest calls newStore once and expects an empty store; newStore registers
// any cleanup with t.Cleanup. If the store implements session.Cleaner, its
// DeleteExpired is checked too. Run the suite with -race: several subtests
// call the store from many goroutines.
func Run(t *testing.T, newStore func(t *testing.T) session.Store) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.run(t, newStore(t))
		})
	}
}

// RunGenerations checks a session.Generations implementation. newGen returns
// one that knows no owner yet.
func RunGenerations(t *testing.T, newGen func(t *testing.T) session.Generations) {
	t.Helper()
	t.Run("StartsAtZero", func(t *testing.T) {
		g := newGen(t)
		n, err := g.Generation(context.Background(), "alice")
		if err != nil || n != 0 {
			t.Fatalf("Generation(alice) = %d, %v; want 0, nil", n, err)
		}
	})
	t.Run("BumpIncrements", func(t *testing.T) {
		g := newGen(t)
		ctx := context.Background()
		for want := uint64(1); want <= 3; want++ {
			n, err := g.Bump(ctx, "alice")
			if err != nil || n != want {
				t.Fatalf("Bump(alice) = %d, %v; want %d, nil", n, err, want)
			}
		}
		if n, err := g.Generation(ctx, "alice"); err != nil || n != 3 {
			t.Fatalf("Generation(alice) = %d, %v; want 3, nil", n, err)
		}
		if n, err := g.Generation(ctx, "bob"); err != nil || n != 0 {
			t.Fatalf("Generation(bob) = %d, %v; want 0, nil", n, err)
		}
	})
	t.Run("ConcurrentBumps", func(t *testing.T) {
		g := newGen(t)
		const n = 20
		var wg sync.WaitGroup
		seen := make(chan uint64, n)
		for range n {
			wg.Go(func() {
				v, err := g.Bump(context.Background(), "carol")
				if err != nil {
					t.Errorf("Bump: %v", err)
				}
				seen <- v
			})
		}
		wg.Wait()
		close(seen)
		got := map[uint64]bool{}
		for v := range seen {
			if got[v] {
				t.Errorf("Bump returned %d twice", v)
			}
			got[v] = true
		}
		if v, err := g.Generation(context.Background(), "carol"); err != nil || v != n {
			t.Fatalf("Generation(carol) = %d, %v; want %d, nil", v, err, n)
		}
	})
}

type testCase struct {
	name string
	run  func(t *testing.T, s session.Store)
}

var cases = []testCase{
	{"CreateLoad", testCreateLoad},
	{"CreateInsertOnly", testCreateInsertOnly},
	{"CreateOverExpired", testCreateOverExpired},
	{"LoadAbsent", testLoadAbsent},
	{"LoadExpired", testLoadExpired},
	{"BinaryData", testBinaryData},
	{"DataIsCopied", testDataIsCopied},
	{"Update", testUpdate},
	{"UpdateConflict", testUpdateConflict},
	{"UpdateNoResurrection", testUpdateNoResurrection},
	{"Touch", testTouch},
	{"TouchAbsent", testTouchAbsent},
	{"Renew", testRenew},
	{"RenewFailuresChangeNothing", testRenewFailures},
	{"Delete", testDelete},
	{"DestroyAll", testDestroyAll},
	{"DestroyAllFollowsOwnerChanges", testDestroyAllOwnerChanges},
	{"Cleaner", testCleaner},
	{"CanceledContext", testCanceledContext},
	{"ConcurrentCreate", testConcurrentCreate},
	{"ConcurrentUpdate", testConcurrentUpdate},
	{"ConcurrentRenew", testConcurrentRenew},
	{"ConcurrentUpdateDelete", testConcurrentUpdateDelete},
}

// NewID returns a fresh session ID in the Manager's format: 32 random bytes,
// unpadded base64url.
func NewID() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// future and past return instants far enough from now that no clock skew
// between this process and a database server matters, truncated to the
// millisecond, which every store keeps exactly.
func future() time.Time { return time.Now().Add(time.Hour).Truncate(time.Millisecond) }
func past() time.Time   { return time.Now().Add(-time.Hour).Truncate(time.Millisecond) }

func bg() context.Context { return context.Background() }

func mustCreate(t *testing.T, s session.Store, id string, rec session.Record) {
	t.Helper()
	if err := s.Create(bg(), id, rec); err != nil {
		t.Fatalf("Create(%s): %v", id, err)
	}
}

func mustLoad(t *testing.T, s session.Store, id string) session.Record {
	t.Helper()
	rec, err := s.Load(bg(), id)
	if err != nil {
		t.Fatalf("Load(%s): %v", id, err)
	}
	return rec
}

func wantAbsent(t *testing.T, s session.Store, id string) {
	t.Helper()
	rec, err := s.Load(bg(), id)
	if !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("Load(%s) = %+v, %v; want ErrNotFound", id, rec, err)
	}
	if errors.Is(err, session.ErrStoreUnavailable) {
		t.Fatalf("Load(%s) error %v is both ErrNotFound and ErrStoreUnavailable", id, err)
	}
}

// wantRecord checks that the live record under id has this data, expiry,
// version and owner.
func wantRecord(t *testing.T, s session.Store, id string, want session.Record) {
	t.Helper()
	got := mustLoad(t, s, id)
	if !bytes.Equal(got.Data, want.Data) {
		t.Errorf("Load(%s).Data = %q; want %q", id, got.Data, want.Data)
	}
	if !got.Expiry.Equal(want.Expiry) {
		t.Errorf("Load(%s).Expiry = %v; want %v", id, got.Expiry, want.Expiry)
	}
	if got.Version != want.Version {
		t.Errorf("Load(%s).Version = %d; want %d", id, got.Version, want.Version)
	}
	if got.Owner != want.Owner {
		t.Errorf("Load(%s).Owner = %q; want %q", id, got.Owner, want.Owner)
	}
}

func testCreateLoad(t *testing.T, s session.Store) {
	id := NewID()
	exp := future()
	// The Version given to Create is ignored: Create stores version 1.
	mustCreate(t, s, id, session.Record{Data: []byte(`{"usuario":"Maria"}`), Expiry: exp, Owner: "maria", Version: 42})
	wantRecord(t, s, id, session.Record{Data: []byte(`{"usuario":"Maria"}`), Expiry: exp, Version: 1, Owner: "maria"})

	other := NewID()
	mustCreate(t, s, other, session.Record{Data: []byte(`{}`), Expiry: exp})
	wantRecord(t, s, other, session.Record{Data: []byte(`{}`), Expiry: exp, Version: 1})
}

func testCreateInsertOnly(t *testing.T, s session.Store) {
	id := NewID()
	exp := future()
	mustCreate(t, s, id, session.Record{Data: []byte("first"), Expiry: exp, Owner: "a"})
	err := s.Create(bg(), id, session.Record{Data: []byte("second"), Expiry: exp.Add(time.Hour), Owner: "b"})
	if !errors.Is(err, session.ErrExists) {
		t.Fatalf("second Create = %v; want ErrExists", err)
	}
	wantRecord(t, s, id, session.Record{Data: []byte("first"), Expiry: exp, Version: 1, Owner: "a"})
}

func testCreateOverExpired(t *testing.T, s session.Store) {
	// Only a live record blocks Create: an expired one the backend has
	// not removed yet is dead.
	id := NewID()
	mustCreate(t, s, id, session.Record{Data: []byte("old"), Expiry: past(), Owner: "a"})
	exp := future()
	mustCreate(t, s, id, session.Record{Data: []byte("new"), Expiry: exp, Owner: "b"})
	wantRecord(t, s, id, session.Record{Data: []byte("new"), Expiry: exp, Version: 1, Owner: "b"})
}

func testLoadAbsent(t *testing.T, s session.Store) {
	wantAbsent(t, s, NewID())
}

func testLoadExpired(t *testing.T, s session.Store) {
	id := NewID()
	mustCreate(t, s, id, session.Record{Data: []byte("x"), Expiry: past()})
	wantAbsent(t, s, id)

	// Expired by a touch into the past: the store must check the expiry
	// it keeps with the data, whatever its backend does.
	id2 := NewID()
	mustCreate(t, s, id2, session.Record{Data: []byte("x"), Expiry: future()})
	if err := s.Touch(bg(), id2, past()); err != nil {
		t.Fatalf("Touch into the past: %v", err)
	}
	wantAbsent(t, s, id2)
}

func testBinaryData(t *testing.T, s session.Store) {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	big := bytes.Repeat([]byte("\x00\xff\"'\\\n%_"), 64<<10/8)
	for name, data := range map[string][]byte{
		"every byte":   all,
		"invalid utf8": []byte("\xc3\x28\xa0\xa1\xed\xa0\x80"),
		"nul only":     {0},
		"empty":        {},
		"64KiB":        big,
		"sql-ish":      []byte("'); DROP TABLE sessions; --"),
	} {
		t.Run(name, func(t *testing.T) {
			id := NewID()
			exp := future()
			mustCreate(t, s, id, session.Record{Data: data, Expiry: exp})
			wantRecord(t, s, id, session.Record{Data: data, Expiry: exp, Version: 1})
			grown := append(bytes.Clone(data), 0)
			v, err := s.Update(bg(), id, session.Record{Data: grown, Expiry: exp, Version: 1})
			if err != nil || v != 2 {
				t.Fatalf("Update = %d, %v; want 2, nil", v, err)
			}
			wantRecord(t, s, id, session.Record{Data: grown, Expiry: exp, Version: 2})
		})
	}
}

func testDataIsCopied(t *testing.T, s session.Store) {
	// A store must not keep or hand out the caller's slices.
	id := NewID()
	exp := future()
	data := []byte("abc")
	mustCreate(t, s, id, session.Record{Data: data, Expiry: exp})
	data[0] = 'X'
	got := mustLoad(t, s, id)
	if string(got.Data) != "abc" {
		t.Fatalf("after changing the slice given to Create, Load = %q; want abc", got.Data)
	}
	got.Data[0] = 'Y'
	wantRecord(t, s, id, session.Record{Data: []byte("abc"), Expiry: exp, Version: 1})
}

func testUpdate(t *testing.T, s session.Store) {
	id := NewID()
	mustCreate(t, s, id, session.Record{Data: []byte("v1"), Expiry: future()})
	for want := int64(2); want <= 4; want++ {
		exp := future().Add(time.Duration(want) * time.Minute)
		owner := fmt.Sprintf("owner%d", want)
		data := []byte(fmt.Sprintf("v%d", want))
		v, err := s.Update(bg(), id, session.Record{Data: data, Expiry: exp, Version: want - 1, Owner: owner})
		if err != nil || v != want {
			t.Fatalf("Update(version %d) = %d, %v; want %d, nil", want-1, v, err, want)
		}
		wantRecord(t, s, id, session.Record{Data: data, Expiry: exp, Version: want, Owner: owner})
	}
}

func testUpdateConflict(t *testing.T, s session.Store) {
	id := NewID()
	exp := future()
	mustCreate(t, s, id, session.Record{Data: []byte("v1"), Expiry: exp, Owner: "o"})
	if _, err := s.Update(bg(), id, session.Record{Data: []byte("v2"), Expiry: exp, Version: 1, Owner: "o"}); err != nil {
		t.Fatal(err)
	}
	for _, stale := range []int64{0, 1, 3, -1} {
		v, err := s.Update(bg(), id, session.Record{Data: []byte("lost"), Expiry: exp.Add(time.Hour), Version: stale, Owner: "x"})
		if !errors.Is(err, session.ErrConflict) {
			t.Fatalf("Update(version %d) = %d, %v; want ErrConflict", stale, v, err)
		}
	}
	wantRecord(t, s, id, session.Record{Data: []byte("v2"), Expiry: exp, Version: 2, Owner: "o"})
}

func testUpdateNoResurrection(t *testing.T, s session.Store) {
	rec := session.Record{Data: []byte("stale write"), Expiry: future(), Version: 1}
	t.Run("never created", func(t *testing.T) {
		id := NewID()
		if _, err := s.Update(bg(), id, rec); !errors.Is(err, session.ErrNotFound) {
			t.Fatalf("Update of an absent id = %v; want ErrNotFound", err)
		}
		wantAbsent(t, s, id)
	})
	t.Run("deleted", func(t *testing.T) {
		id := NewID()
		mustCreate(t, s, id, session.Record{Data: []byte("v1"), Expiry: future()})
		if err := s.Delete(bg(), id); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Update(bg(), id, rec); !errors.Is(err, session.ErrNotFound) {
			t.Fatalf("Update after Delete = %v; want ErrNotFound", err)
		}
		wantAbsent(t, s, id)
	})
	t.Run("expired", func(t *testing.T) {
		id := NewID()
		mustCreate(t, s, id, session.Record{Data: []byte("v1"), Expiry: past()})
		if _, err := s.Update(bg(), id, rec); !errors.Is(err, session.ErrNotFound) {
			t.Fatalf("Update of an expired record = %v; want ErrNotFound", err)
		}
		wantAbsent(t, s, id)
	})
	t.Run("renewed away", func(t *testing.T) {
		id, newID := NewID(), NewID()
		mustCreate(t, s, id, session.Record{Data: []byte("v1"), Expiry: future()})
		if _, err := s.Renew(bg(), id, newID, session.Record{Data: []byte("v1"), Expiry: future(), Version: 1}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Update(bg(), id, rec); !errors.Is(err, session.ErrNotFound) {
			t.Fatalf("Update of the old id after Renew = %v; want ErrNotFound", err)
		}
		wantAbsent(t, s, id)
	})
}

func testTouch(t *testing.T, s session.Store) {
	id := NewID()
	mustCreate(t, s, id, session.Record{Data: []byte("keep"), Expiry: future(), Owner: "o"})
	if _, err := s.Update(bg(), id, session.Record{Data: []byte("kept"), Expiry: future(), Version: 1, Owner: "o"}); err != nil {
		t.Fatal(err)
	}
	later := future().Add(24 * time.Hour)
	if err := s.Touch(bg(), id, later); err != nil {
		t.Fatalf("Touch: %v", err)
	}
	wantRecord(t, s, id, session.Record{Data: []byte("kept"), Expiry: later, Version: 2, Owner: "o"})
	// Touch may also shorten.
	sooner := future()
	if err := s.Touch(bg(), id, sooner); err != nil {
		t.Fatalf("Touch: %v", err)
	}
	wantRecord(t, s, id, session.Record{Data: []byte("kept"), Expiry: sooner, Version: 2, Owner: "o"})
	// A touch does not disturb the version check.
	if v, err := s.Update(bg(), id, session.Record{Data: []byte("v3"), Expiry: sooner, Version: 2, Owner: "o"}); err != nil || v != 3 {
		t.Fatalf("Update after Touch = %d, %v; want 3, nil", v, err)
	}
}

func testTouchAbsent(t *testing.T, s session.Store) {
	id := NewID()
	if err := s.Touch(bg(), id, future()); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("Touch of an absent id = %v; want ErrNotFound", err)
	}
	wantAbsent(t, s, id)

	expired := NewID()
	mustCreate(t, s, expired, session.Record{Data: []byte("x"), Expiry: past()})
	if err := s.Touch(bg(), expired, future()); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("Touch of an expired record = %v; want ErrNotFound (touch must not revive it)", err)
	}
	wantAbsent(t, s, expired)

	deleted := NewID()
	mustCreate(t, s, deleted, session.Record{Data: []byte("x"), Expiry: future()})
	if err := s.Delete(bg(), deleted); err != nil {
		t.Fatal(err)
	}
	if err := s.Touch(bg(), deleted, future()); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("Touch after Delete = %v; want ErrNotFound", err)
	}
	wantAbsent(t, s, deleted)
}

func testRenew(t *testing.T, s session.Store) {
	oldID, newID := NewID(), NewID()
	mustCreate(t, s, oldID, session.Record{Data: []byte("anon"), Expiry: future()})
	if _, err := s.Update(bg(), oldID, session.Record{Data: []byte("cart"), Expiry: future(), Version: 1}); err != nil {
		t.Fatal(err)
	}
	exp := future().Add(time.Minute)
	v, err := s.Renew(bg(), oldID, newID, session.Record{Data: []byte("logged in"), Expiry: exp, Version: 2, Owner: "maria"})
	if err != nil || v != 3 {
		t.Fatalf("Renew = %d, %v; want 3, nil", v, err)
	}
	wantAbsent(t, s, oldID)
	wantRecord(t, s, newID, session.Record{Data: []byte("logged in"), Expiry: exp, Version: 3, Owner: "maria"})

	// The new record carries on normally.
	if v, err := s.Update(bg(), newID, session.Record{Data: []byte("more"), Expiry: exp, Version: 3, Owner: "maria"}); err != nil || v != 4 {
		t.Fatalf("Update after Renew = %d, %v; want 4, nil", v, err)
	}
	// The old ID is free again, like any absent ID, and stays unrelated.
	if _, err := s.Renew(bg(), oldID, NewID(), session.Record{Data: []byte("x"), Expiry: exp, Version: 2}); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("second Renew of the old id = %v; want ErrNotFound", err)
	}
}

func testRenewFailures(t *testing.T, s session.Store) {
	exp := future()
	t.Run("old absent", func(t *testing.T) {
		oldID, newID := NewID(), NewID()
		_, err := s.Renew(bg(), oldID, newID, session.Record{Data: []byte("x"), Expiry: exp, Version: 1})
		if !errors.Is(err, session.ErrNotFound) {
			t.Fatalf("Renew = %v; want ErrNotFound", err)
		}
		wantAbsent(t, s, oldID)
		wantAbsent(t, s, newID)
	})
	t.Run("old expired", func(t *testing.T) {
		oldID, newID := NewID(), NewID()
		mustCreate(t, s, oldID, session.Record{Data: []byte("x"), Expiry: past()})
		_, err := s.Renew(bg(), oldID, newID, session.Record{Data: []byte("x"), Expiry: exp, Version: 1})
		if !errors.Is(err, session.ErrNotFound) {
			t.Fatalf("Renew = %v; want ErrNotFound", err)
		}
		wantAbsent(t, s, oldID)
		wantAbsent(t, s, newID)
	})
	t.Run("version differs", func(t *testing.T) {
		oldID, newID := NewID(), NewID()
		mustCreate(t, s, oldID, session.Record{Data: []byte("mine"), Expiry: exp, Owner: "o"})
		_, err := s.Renew(bg(), oldID, newID, session.Record{Data: []byte("theirs"), Expiry: exp, Version: 7})
		if !errors.Is(err, session.ErrConflict) {
			t.Fatalf("Renew = %v; want ErrConflict", err)
		}
		wantRecord(t, s, oldID, session.Record{Data: []byte("mine"), Expiry: exp, Version: 1, Owner: "o"})
		wantAbsent(t, s, newID)
	})
	t.Run("new taken", func(t *testing.T) {
		oldID, newID := NewID(), NewID()
		mustCreate(t, s, oldID, session.Record{Data: []byte("old"), Expiry: exp, Owner: "a"})
		mustCreate(t, s, newID, session.Record{Data: []byte("someone else"), Expiry: exp, Owner: "b"})
		_, err := s.Renew(bg(), oldID, newID, session.Record{Data: []byte("x"), Expiry: exp, Version: 1, Owner: "a"})
		if !errors.Is(err, session.ErrExists) {
			t.Fatalf("Renew = %v; want ErrExists", err)
		}
		wantRecord(t, s, oldID, session.Record{Data: []byte("old"), Expiry: exp, Version: 1, Owner: "a"})
		wantRecord(t, s, newID, session.Record{Data: []byte("someone else"), Expiry: exp, Version: 1, Owner: "b"})
	})
	t.Run("new taken by an expired record", func(t *testing.T) {
		oldID, newID := NewID(), NewID()
		mustCreate(t, s, oldID, session.Record{Data: []byte("old"), Expiry: exp})
		mustCreate(t, s, newID, session.Record{Data: []byte("dead"), Expiry: past()})
		v, err := s.Renew(bg(), oldID, newID, session.Record{Data: []byte("moved"), Expiry: exp, Version: 1})
		if err != nil || v != 2 {
			t.Fatalf("Renew over an expired record = %d, %v; want 2, nil", v, err)
		}
		wantAbsent(t, s, oldID)
		wantRecord(t, s, newID, session.Record{Data: []byte("moved"), Expiry: exp, Version: 2})
	})
}

func testDelete(t *testing.T, s session.Store) {
	id := NewID()
	if err := s.Delete(bg(), id); err != nil {
		t.Fatalf("Delete of an absent id = %v; want nil", err)
	}
	mustCreate(t, s, id, session.Record{Data: []byte("x"), Expiry: future(), Owner: "o"})
	keep := NewID()
	mustCreate(t, s, keep, session.Record{Data: []byte("y"), Expiry: future(), Owner: "o"})
	for range 2 {
		if err := s.Delete(bg(), id); err != nil {
			t.Fatalf("Delete = %v; want nil", err)
		}
		wantAbsent(t, s, id)
	}
	mustLoad(t, s, keep)
	// A deleted record no longer counts for its owner.
	if n, err := s.DestroyAll(bg(), "o"); err != nil || n != 1 {
		t.Fatalf("DestroyAll after Delete = %d, %v; want 1, nil", n, err)
	}
}

func testDestroyAll(t *testing.T, s session.Store) {
	exp := future()
	var alice, bob, nobody []string
	for range 3 {
		id := NewID()
		mustCreate(t, s, id, session.Record{Data: []byte("a"), Expiry: exp, Owner: "alice"})
		alice = append(alice, id)
	}
	for range 2 {
		id := NewID()
		mustCreate(t, s, id, session.Record{Data: []byte("b"), Expiry: exp, Owner: "bob"})
		bob = append(bob, id)
	}
	id := NewID()
	mustCreate(t, s, id, session.Record{Data: []byte("n"), Expiry: exp})
	nobody = append(nobody, id)
	// Owners are compared exactly.
	id = NewID()
	mustCreate(t, s, id, session.Record{Data: []byte("A"), Expiry: exp, Owner: "Alice"})
	nobody = append(nobody, id)

	if n, err := s.DestroyAll(bg(), ""); err != nil || n != 0 {
		t.Fatalf(`DestroyAll("") = %d, %v; want 0, nil (the empty owner means no owner)`, n, err)
	}
	n, err := s.DestroyAll(bg(), "alice")
	if err != nil || n != 3 {
		t.Fatalf("DestroyAll(alice) = %d, %v; want 3, nil", n, err)
	}
	for _, id := range alice {
		wantAbsent(t, s, id)
	}
	for _, id := range append(bob, nobody...) {
		mustLoad(t, s, id)
	}
	if n, err := s.DestroyAll(bg(), "alice"); err != nil || n != 0 {
		t.Fatalf("second DestroyAll(alice) = %d, %v; want 0, nil", n, err)
	}
	if n, err := s.DestroyAll(bg(), "nobody-at-all"); err != nil || n != 0 {
		t.Fatalf("DestroyAll(unknown) = %d, %v; want 0, nil", n, err)
	}
	// Ended sessions stay ended: a stale save cannot bring one back.
	if _, err := s.Update(bg(), alice[0], session.Record{Data: []byte("a"), Expiry: exp, Version: 1, Owner: "alice"}); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("Update after DestroyAll = %v; want ErrNotFound", err)
	}
}

func testDestroyAllOwnerChanges(t *testing.T, s session.Store) {
	exp := future()
	// Anonymous, then logged in through Update.
	a := NewID()
	mustCreate(t, s, a, session.Record{Data: []byte("x"), Expiry: exp})
	if _, err := s.Update(bg(), a, session.Record{Data: []byte("x"), Expiry: exp, Version: 1, Owner: "maria"}); err != nil {
		t.Fatal(err)
	}
	// Logged in through Renew.
	b, b2 := NewID(), NewID()
	mustCreate(t, s, b, session.Record{Data: []byte("x"), Expiry: exp})
	if _, err := s.Renew(bg(), b, b2, session.Record{Data: []byte("x"), Expiry: exp, Version: 1, Owner: "maria"}); err != nil {
		t.Fatal(err)
	}
	// Logged in as maria, then switched to joao.
	c := NewID()
	mustCreate(t, s, c, session.Record{Data: []byte("x"), Expiry: exp, Owner: "maria"})
	if _, err := s.Update(bg(), c, session.Record{Data: []byte("x"), Expiry: exp, Version: 1, Owner: "joao"}); err != nil {
		t.Fatal(err)
	}
	// Logged in as maria, renewed to joao.
	d, d2 := NewID(), NewID()
	mustCreate(t, s, d, session.Record{Data: []byte("x"), Expiry: exp, Owner: "maria"})
	if _, err := s.Renew(bg(), d, d2, session.Record{Data: []byte("x"), Expiry: exp, Version: 1, Owner: "joao"}); err != nil {
		t.Fatal(err)
	}

	n, err := s.DestroyAll(bg(), "maria")
	if err != nil || n != 2 {
		t.Fatalf("DestroyAll(maria) = %d, %v; want 2, nil", n, err)
	}
	wantAbsent(t, s, a)
	wantAbsent(t, s, b2)
	mustLoad(t, s, c)
	mustLoad(t, s, d2)
	if n, err := s.DestroyAll(bg(), "joao"); err != nil || n != 2 {
		t.Fatalf("DestroyAll(joao) = %d, %v; want 2, nil", n, err)
	}
	wantAbsent(t, s, c)
	wantAbsent(t, s, d2)
}

func testCleaner(t *testing.T, s session.Store) {
	c, ok := s.(session.Cleaner)
	if !ok {
		t.Skipf("%T does not implement session.Cleaner", s)
	}
	var live []string
	for range 3 {
		mustCreate(t, s, NewID(), session.Record{Data: []byte("dead"), Expiry: past(), Owner: "o"})
		id := NewID()
		mustCreate(t, s, id, session.Record{Data: []byte("live"), Expiry: future(), Owner: "o"})
		live = append(live, id)
	}
	touched := NewID()
	mustCreate(t, s, touched, session.Record{Data: []byte("x"), Expiry: future()})
	if err := s.Touch(bg(), touched, past()); err != nil {
		t.Fatal(err)
	}
	n, err := c.DeleteExpired(bg())
	if err != nil || n != 4 {
		t.Fatalf("DeleteExpired = %d, %v; want 4, nil", n, err)
	}
	if n, err := c.DeleteExpired(bg()); err != nil || n != 0 {
		t.Fatalf("second DeleteExpired = %d, %v; want 0, nil", n, err)
	}
	for _, id := range live {
		mustLoad(t, s, id)
	}
	if n, err := s.DestroyAll(bg(), "o"); err != nil || n != 3 {
		t.Fatalf("DestroyAll after DeleteExpired = %d, %v; want 3, nil", n, err)
	}
}

func testCanceledContext(t *testing.T, s session.Store) {
	id := NewID()
	exp := future()
	mustCreate(t, s, id, session.Record{Data: []byte("x"), Expiry: exp, Owner: "o"})
	ctx, cancel := context.WithCancel(bg())
	cancel()
	rec := session.Record{Data: []byte("y"), Expiry: future(), Version: 1, Owner: "o"}
	ops := map[string]func() error{
		"Create":     func() error { return s.Create(ctx, NewID(), rec) },
		"Load":       func() error { _, err := s.Load(ctx, id); return err },
		"Update":     func() error { _, err := s.Update(ctx, id, rec); return err },
		"Touch":      func() error { return s.Touch(ctx, id, future()) },
		"Renew":      func() error { _, err := s.Renew(ctx, id, NewID(), rec); return err },
		"Delete":     func() error { return s.Delete(ctx, id) },
		"DestroyAll": func() error { _, err := s.DestroyAll(ctx, "o"); return err },
	}
	if c, ok := s.(session.Cleaner); ok {
		ops["DeleteExpired"] = func() error { _, err := c.DeleteExpired(ctx); return err }
	}
	for name, op := range ops {
		err := op()
		if !errors.Is(err, session.ErrStoreUnavailable) {
			t.Errorf("%s with a canceled context = %v; want ErrStoreUnavailable", name, err)
		}
		if errors.Is(err, session.ErrNotFound) {
			t.Errorf("%s with a canceled context = %v, which claims ErrNotFound", name, err)
		}
	}
	wantRecord(t, s, id, session.Record{Data: []byte("x"), Expiry: exp, Version: 1, Owner: "o"})
}

// race runs f in n goroutines released at the same moment.
func race(n int, f func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			f(i)
		})
	}
	close(start)
	wg.Wait()
}

const racers = 8

func testConcurrentCreate(t *testing.T, s session.Store) {
	for range 5 {
		id := NewID()
		errs := make([]error, racers)
		race(racers, func(i int) {
			errs[i] = s.Create(bg(), id, session.Record{Data: []byte{byte(i)}, Expiry: future()})
		})
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil && winner >= 0:
				t.Fatalf("two concurrent Creates of one id succeeded: %d and %d", winner, i)
			case err == nil:
				winner = i
			case !errors.Is(err, session.ErrExists):
				t.Fatalf("concurrent Create = %v; want nil or ErrExists", err)
			}
		}
		if winner < 0 {
			t.Fatal("no concurrent Create succeeded")
		}
		got := mustLoad(t, s, id)
		if !bytes.Equal(got.Data, []byte{byte(winner)}) {
			t.Fatalf("stored data %v; want the winner's %v", got.Data, []byte{byte(winner)})
		}
	}
}

func testConcurrentUpdate(t *testing.T, s session.Store) {
	id := NewID()
	exp := future()
	mustCreate(t, s, id, session.Record{Data: []byte("start"), Expiry: exp})
	for version := int64(1); version <= 10; version++ {
		errs := make([]error, racers)
		race(racers, func(i int) {
			data := []byte(fmt.Sprintf("v%d by %d", version, i))
			var v int64
			v, errs[i] = s.Update(bg(), id, session.Record{Data: data, Expiry: exp, Version: version})
			if errs[i] == nil && v != version+1 {
				t.Errorf("Update returned version %d; want %d", v, version+1)
			}
		})
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil && winner >= 0:
				t.Fatalf("version %d: two concurrent Updates succeeded (%d and %d): a lost update", version, winner, i)
			case err == nil:
				winner = i
			case !errors.Is(err, session.ErrConflict):
				t.Fatalf("concurrent Update = %v; want nil or ErrConflict", err)
			}
		}
		if winner < 0 {
			t.Fatalf("version %d: no concurrent Update succeeded", version)
		}
		wantRecord(t, s, id, session.Record{Data: []byte(fmt.Sprintf("v%d by %d", version, winner)), Expiry: exp, Version: version + 1})
	}
}

func testConcurrentRenew(t *testing.T, s session.Store) {
	// Several requests of one session renew it at once (a double-clicked
	// login): exactly one new ID wins, the others find the old one gone or
	// changed, and a stale Update can no longer touch the old ID.
	for range 5 {
		oldID := NewID()
		exp := future()
		mustCreate(t, s, oldID, session.Record{Data: []byte("anon"), Expiry: exp, Owner: "u"})
		newIDs := make([]string, racers)
		for i := range newIDs {
			newIDs[i] = NewID()
		}
		errs := make([]error, racers+1)
		race(racers+1, func(i int) {
			if i == racers {
				_, errs[i] = s.Update(bg(), oldID, session.Record{Data: []byte("stale"), Expiry: exp, Version: 1, Owner: "u"})
				return
			}
			_, errs[i] = s.Renew(bg(), oldID, newIDs[i], session.Record{Data: []byte("in"), Expiry: exp, Version: 1, Owner: "u"})
		})
		wins := 0
		for i, err := range errs {
			switch {
			case err == nil:
				wins++
				if i < racers {
					wantRecord(t, s, newIDs[i], session.Record{Data: []byte("in"), Expiry: exp, Version: 2, Owner: "u"})
				}
			case !errors.Is(err, session.ErrConflict) && !errors.Is(err, session.ErrNotFound):
				t.Fatalf("concurrent Renew/Update = %v; want nil, ErrConflict or ErrNotFound", err)
			}
		}
		if wins != 1 {
			t.Fatalf("%d of the concurrent Renews and Update of one version succeeded; want exactly 1", wins)
		}
		live := 0
		for _, id := range newIDs {
			if _, err := s.Load(bg(), id); err == nil {
				live++
			}
		}
		if errs[racers] == nil {
			// The Update won: the old ID lives on, no new one was made.
			wantRecord(t, s, oldID, session.Record{Data: []byte("stale"), Expiry: exp, Version: 2, Owner: "u"})
			if live != 0 {
				t.Fatalf("%d renewed IDs exist after the Update won", live)
			}
		} else {
			wantAbsent(t, s, oldID)
			if live != 1 {
				t.Fatalf("%d renewed IDs exist; want 1", live)
			}
		}
		if n, err := s.DestroyAll(bg(), "u"); err != nil || n != 1 {
			t.Fatalf("DestroyAll = %d, %v; want 1, nil", n, err)
		}
	}
}

func testConcurrentUpdateDelete(t *testing.T, s session.Store) {
	// A logout racing a save: whatever the order, once Delete has returned
	// the record is gone for good.
	for range 10 {
		id := NewID()
		exp := future()
		mustCreate(t, s, id, session.Record{Data: []byte("in"), Expiry: exp})
		race(2, func(i int) {
			if i == 0 {
				if err := s.Delete(bg(), id); err != nil {
					t.Errorf("Delete: %v", err)
				}
				return
			}
			_, err := s.Update(bg(), id, session.Record{Data: []byte("late"), Expiry: exp, Version: 1})
			if err != nil && !errors.Is(err, session.ErrNotFound) {
				t.Errorf("Update racing Delete = %v; want nil or ErrNotFound", err)
			}
		})
		wantAbsent(t, s, id)
	}
}
