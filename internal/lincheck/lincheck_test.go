package lincheck

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/session"
	"github.com/sessionkit/session/memstore"
)

func TestMemstore(t *testing.T) {
	RunStore(t, func(t *testing.T) session.Store { return memstore.New() }, nil)
}

// TestHybrid: a hybrid session held in the store (it starts over the
// threshold) keeps every change, as in store mode.
func TestHybrid(t *testing.T) {
	RunStore(t, func(t *testing.T) session.Store { return memstore.New() }, func(m *session.Manager) {
		m.Hybrid, m.HybridThreshold = true, 200
	})
}

// recordingT collects the failures of a check that must fail.
type recordingT struct {
	testing.TB
	failures []string
}

func (r *recordingT) Fatalf(format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}

func (r *recordingT) Fatal(args ...any) { r.failures = append(r.failures, fmt.Sprint(args...)) }

func (r *recordingT) Helper() {}

// blindStore turns every Update into an overwrite, whatever the version:
// the lost update the Manager's version checks exist to prevent.
type blindStore struct{ session.Store }

func (b blindStore) Update(ctx context.Context, id string, rec session.Record) (int64, error) {
	cur, err := b.Store.Load(ctx, id)
	if err != nil {
		return 0, err
	}
	rec.Version = cur.Version
	return b.Store.Update(ctx, id, rec)
}

// TestCatchesLostUpdates: the checks fail on a store that loses updates,
// and on a history that invents or repeats a value.
func TestCatchesLostUpdates(t *testing.T) {
	m, err := session.New([]byte("lincheck: vQ7nR2xW9tY4uI6oP1aS3dF5gH8jK0"))
	if err != nil {
		t.Fatal(err)
	}
	m.Store = blindStore{memstore.New()}
	srv := httptest.NewServer(m.Handler(Handler()))
	defer srv.Close()
	hc := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	c := &Client{URLs: []string{srv.URL}, HTTP: hc, Cookie: startCookie(t, hc, srv.URL)}
	lost := false
	for try := 0; try < 20 && !lost; try++ {
		r := NewRecorder()
		parallel(16, func(i int) {
			for k := range 4 {
				name := fmt.Sprintf("t%02d-c%02d-%d", try, i, k)
				r.Append(i, name, func() Outcome { return c.Append(name) })
			}
		})
		final := r.ReadList(16, c.List)
		rt := &recordingT{TB: t}
		r.CheckList(rt, final)
		lost = len(rt.failures) > 0
	}
	if !lost {
		t.Fatal("20 rounds of 16 clients appending through a store that overwrites blindly: the check found no lost update")
	}

	// Hand-made histories: a name never sent, a name twice, a counter
	// that skips.
	for name, build := range map[string]func(r *Recorder) func(rt *recordingT){
		"invented name": func(r *Recorder) func(rt *recordingT) {
			r.Append(0, "a", func() Outcome { return Done })
			return func(rt *recordingT) { r.CheckList(rt, []string{"a", "b"}) }
		},
		"refused but applied": func(r *Recorder) func(rt *recordingT) {
			r.Append(0, "a", func() Outcome { return Refused })
			return func(rt *recordingT) { r.CheckList(rt, []string{"a"}) }
		},
		"acknowledged but lost": func(r *Recorder) func(rt *recordingT) {
			r.Append(0, "a", func() Outcome { return Done })
			r.Append(0, "b", func() Outcome { return Done })
			return func(rt *recordingT) { r.CheckList(rt, []string{"b"}) }
		},
		"stale read": func(r *Recorder) func(rt *recordingT) {
			r.Append(0, "a", func() Outcome { return Done })
			r.ReadList(1, func() ([]string, bool) { return nil, true })
			return func(rt *recordingT) { r.CheckList(rt, []string{"a"}) }
		},
		"two increments, one value": func(r *Recorder) func(rt *recordingT) {
			r.Incr(0, func() (int, Outcome) { return 1, Done })
			r.Incr(1, func() (int, Outcome) { return 1, Done })
			return func(rt *recordingT) { r.CheckCounter(rt) }
		},
	} {
		rt := &recordingT{TB: t}
		build(NewRecorder())(rt)
		if len(rt.failures) == 0 {
			t.Errorf("%s: the check passed", name)
		} else if !strings.Contains(rt.failures[0], "not linearizable") {
			t.Errorf("%s: %s", name, rt.failures[0])
		}
	}
}
