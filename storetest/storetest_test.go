package storetest_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/session"
	"github.com/sessionkit/session/memstore"
	"github.com/sessionkit/session/storetest"
)

// The broken stores below each break one rule of the contract, the way
// stores in the wild do. TestSuiteCatchesBrokenStores checks that the suite
// fails each of them in the subtest that covers the rule.

// upsert overwrites on Create, as a plain SET or ON CONFLICT DO UPDATE does.
type upsert struct{ *memstore.Store }

func (s upsert) Create(ctx context.Context, id string, rec session.Record) error {
	s.Store.Delete(ctx, id)
	return s.Store.Create(ctx, id, rec)
}

// lastWriteWins ignores the version the caller loaded.
type lastWriteWins struct{ *memstore.Store }

func (s lastWriteWins) Update(ctx context.Context, id string, rec session.Record) (int64, error) {
	cur, err := s.Store.Load(ctx, id)
	if err != nil {
		return 0, err
	}
	rec.Version = cur.Version
	return s.Store.Update(ctx, id, rec)
}

// resurrects saves a session that is gone by creating it again.
type resurrects struct{ *memstore.Store }

func (s resurrects) Update(ctx context.Context, id string, rec session.Record) (int64, error) {
	v, err := s.Store.Update(ctx, id, rec)
	if errors.Is(err, session.ErrNotFound) {
		return 1, s.Store.Create(ctx, id, rec)
	}
	return v, err
}

// touchRewrites extends the expiry with a full write, changing the version.
type touchRewrites struct{ *memstore.Store }

func (s touchRewrites) Touch(ctx context.Context, id string, expiry time.Time) error {
	cur, err := s.Store.Load(ctx, id)
	if err != nil {
		return err
	}
	cur.Expiry = expiry
	_, err = s.Store.Update(ctx, id, cur)
	return err
}

// renewCopies creates the new record before checking the old one.
type renewCopies struct{ *memstore.Store }

func (s renewCopies) Renew(ctx context.Context, oldID, newID string, rec session.Record) (int64, error) {
	if err := s.Store.Create(ctx, newID, rec); err != nil {
		return 0, err
	}
	if err := s.Store.Delete(ctx, oldID); err != nil {
		return 0, err
	}
	return rec.Version + 1, nil
}

// brokenStores maps each broken store to the subtest that must catch it.
var brokenStores = map[string]struct {
	subtest string
	store   func() session.Store
}{
	"upsert":        {"CreateInsertOnly", func() session.Store { return upsert{memstore.New()} }},
	"lastWriteWins": {"UpdateConflict", func() session.Store { return lastWriteWins{memstore.New()} }},
	"resurrects":    {"UpdateNoResurrection", func() session.Store { return resurrects{memstore.New()} }},
	"touchRewrites": {"Touch", func() session.Store { return touchRewrites{memstore.New()} }},
	"renewCopies":   {"RenewFailuresChangeNothing", func() session.Store { return renewCopies{memstore.New()} }},
	"neverExpires": {"LoadExpired", func() session.Store {
		s := memstore.New()
		s.Now = func() time.Time { return time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC) }
		return s
	}},
}

// TestBrokenStoreHelper runs the suite against the broken store named by
// STORETEST_BROKEN, in a process of its own started by
// TestSuiteCatchesBrokenStores.
func TestBrokenStoreHelper(t *testing.T) {
	name := os.Getenv("STORETEST_BROKEN")
	if name == "" {
		t.Skip("helper process for TestSuiteCatchesBrokenStores")
	}
	storetest.Run(t, func(t *testing.T) session.Store { return brokenStores[name].store() })
}

func TestSuiteCatchesBrokenStores(t *testing.T) {
	for name, b := range brokenStores {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestBrokenStoreHelper$", "-test.v")
			cmd.Env = append(os.Environ(), "STORETEST_BROKEN="+name)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("the suite passed a store that breaks the contract (%s)", name)
			}
			if want := "--- FAIL: TestBrokenStoreHelper/" + b.subtest + " "; !strings.Contains(string(out), want) {
				t.Fatalf("the suite did not fail %s in %s:\n%s", name, b.subtest, out)
			}
		})
	}
}

func TestSuitePassesMemstore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) session.Store { return memstore.New() })
}

func TestGenerationsSuite(t *testing.T) {
	storetest.RunGenerations(t, func(t *testing.T) session.Generations { return memstore.NewGenerations() })
}
