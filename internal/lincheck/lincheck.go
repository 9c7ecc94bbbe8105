// Package lincheck records what concurrent clients of one session observe
// through the session middleware, and checks that the history is
// linearizable with porcupine: that some order of the requests, each taking
// effect at one instant between its call and its answer, explains every
// answer. An acknowledged change that is lost, a refused change that took
// effect, a change applied twice or a value nobody sent all make a history
// fail.
//
// Two objects are checked. A list that clients append names to (each name
// sent once) and read; and a counter that clients increment by hand (read,
// then write the value plus one, answering the new value), increment with a
// replayable update (answering nothing), and read.
//
// The harness works over HTTP, so the same checks run against one Manager,
// two Managers sharing a store (as two processes would), and the demo's
// processes.
package lincheck

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
)

// Outcome is what a client learned of a change it asked for.
type Outcome uint8

const (
	// Done: the server acknowledged the change (2xx, 3xx).
	Done Outcome = iota
	// Refused: the server said the change was not made (409 Conflict).
	Refused
	// Unknown: no answer, or an answer that does not say (a 5xx, a
	// broken connection): the change may or may not have been made.
	Unknown
)

func (o Outcome) String() string {
	return [...]string{"done", "refused", "unknown"}[o]
}

// OutcomeOf classifies an HTTP status: err is the transport error, if any.
func OutcomeOf(status int, err error) Outcome {
	switch {
	case err != nil:
		return Unknown
	case status >= 200 && status < 400:
		return Done
	case status == 409:
		return Refused
	}
	return Unknown
}

// Recorder collects the operations of concurrent clients. It is safe for
// concurrent use.
type Recorder struct {
	mu    sync.Mutex // guards ops
	ops   []porcupine.Operation
	start time.Time
}

// NewRecorder returns an empty Recorder.
func NewRecorder() *Recorder { return &Recorder{start: time.Now()} }

func (r *Recorder) add(client int, in input, do func() output) output {
	call := time.Since(r.start)
	out := do()
	ret := time.Since(r.start)
	r.mu.Lock()
	r.ops = append(r.ops, porcupine.Operation{ClientId: client, Input: in, Output: out,
		Call: int64(call), Return: int64(ret)})
	r.mu.Unlock()
	return out
}

// input is an operation's request.
type input struct {
	kind string // "append", "read", "incr", "add"
	name string // append: the name sent
}

// output is what the client saw.
type output struct {
	outcome Outcome
	list    []string // read of the list
	n       int      // read of the counter, or incr's answer
}

// Append records client's append of name; do performs it.
func (r *Recorder) Append(client int, name string, do func() Outcome) Outcome {
	return r.add(client, input{kind: "append", name: name}, func() output { return output{outcome: do()} }).outcome
}

// ReadList records client's read of the list; do performs it and reports
// ok false when the read failed (a failed read is not recorded as such: it
// constrains nothing).
func (r *Recorder) ReadList(client int, do func() ([]string, bool)) []string {
	out := r.add(client, input{kind: "read"}, func() output {
		list, ok := do()
		if !ok {
			return output{outcome: Unknown}
		}
		return output{list: list}
	})
	return out.list
}

// Incr records client's read-modify-write increment; do performs it and
// returns the value the server answered (when Done).
func (r *Recorder) Incr(client int, do func() (int, Outcome)) Outcome {
	return r.add(client, input{kind: "incr"}, func() output {
		n, o := do()
		return output{outcome: o, n: n}
	}).outcome
}

// Add records client's replayable increment (whose answer says nothing of
// the value).
func (r *Recorder) Add(client int, do func() Outcome) Outcome {
	return r.add(client, input{kind: "add"}, func() output { return output{outcome: do()} }).outcome
}

// ReadCounter records client's read of the counter.
func (r *Recorder) ReadCounter(client int, do func() (int, bool)) int {
	return r.add(client, input{kind: "read"}, func() output {
		n, ok := do()
		if !ok {
			return output{outcome: Unknown}
		}
		return output{n: n}
	}).n
}

// Operations returns the number of operations recorded and how many of
// each outcome the changes had.
func (r *Recorder) Operations() (n int, outcomes map[Outcome]int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	outcomes = map[Outcome]int{}
	for _, op := range r.ops {
		if op.Input.(input).kind != "read" {
			outcomes[op.Output.(output).outcome]++
		}
	}
	return len(r.ops), outcomes
}

// timeout bounds the search; the models keep it linear in practice.
const timeout = 2 * time.Minute

// CheckList fails t unless the appends and reads recorded are
// linearizable for a list of names, final being the list read after every
// client finished. Each name must have been appended once.
//
// Every linearization ends with that final read, whose value is the list
// the appends built in linearization order: so the successful appends must
// be linearized in final's order, which the model uses to step
// deterministically (the state is how many names of final are in). An
// append whose outcome is unknown took effect exactly when its name is in
// final (names are unique and never removed), and a refused one has no
// effect to place; the history is resolved accordingly before the search.
func (r *Recorder) CheckList(t testing.TB, final []string) {
	t.Helper()
	in := make(map[string]bool, len(final))
	for _, name := range final {
		in[name] = true
	}
	h := r.resolve(func(i input, o output) (output, bool) {
		switch {
		case i.kind != "append" || o.outcome == Done:
			return o, true
		case o.outcome == Unknown && in[i.name]:
			o.outcome = Done
			return o, true
		}
		return o, false // refused, or unknown and absent: no effect
	})
	// The final read, after everything.
	var end int64
	for _, op := range h {
		end = max(end, op.Return)
	}
	h = append(h, porcupine.Operation{ClientId: -1, Input: input{kind: "read"}, Output: output{list: final},
		Call: end + 1, Return: end + 2})
	model := porcupine.Model{
		Init: func() any { return 0 },
		Step: func(state, in, out any) (bool, any) {
			n, i, o := state.(int), in.(input), out.(output)
			if i.kind == "read" {
				return len(o.list) == n && slices.Equal(o.list, final[:n]), n
			}
			return n < len(final) && final[n] == i.name, n + 1
		},
		Hash:              func(s any) uint64 { return uint64(s.(int)) },
		DescribeOperation: describe,
		DescribeState:     func(s any) string { return fmt.Sprintf("%d names", s.(int)) },
	}
	r.check(t, model, h, func() string { return fmt.Sprintf("final list %q", final) })
}

// CheckCounter fails t unless the increments and reads recorded are
// linearizable for a counter starting at zero. Refused increments have no
// effect to place and are left out; an increment with an unknown outcome
// fails t, since a counter cannot tell whether it took effect.
func (r *Recorder) CheckCounter(t testing.TB) {
	t.Helper()
	unknown := 0
	h := r.resolve(func(i input, o output) (output, bool) {
		if o.outcome == Unknown {
			unknown++
		}
		return o, o.outcome != Refused
	})
	if unknown > 0 {
		t.Fatalf("%d increments have no known outcome; the counter check needs them all", unknown)
	}
	model := porcupine.Model{
		Init: func() any { return 0 },
		Step: func(state, in, out any) (bool, any) {
			n, i, o := state.(int), in.(input), out.(output)
			switch i.kind {
			case "read":
				return o.n == n, n
			case "add":
				return true, n + 1
			}
			return o.n == n+1, n + 1 // incr answers the value it wrote
		},
		Hash:              func(s any) uint64 { return uint64(s.(int)) },
		DescribeOperation: describe,
		DescribeState:     func(s any) string { return fmt.Sprint(s.(int)) },
	}
	r.check(t, model, h, func() string { return "counter" })
}

// CheckAdds fails t unless the increments (all replayable adds, none
// refused or unknown) and reads recorded are linearizable for a counter
// starting at zero, by counting: each read must see at least the adds that
// ended before it began and at most those that began before it ended, and
// a read that ended before another began must not see more. For a counter
// that only grows, a history with those properties has a linearization:
// put each read at the instant the count reaches its value within its
// interval, in real-time order, and each add in between.
func (r *Recorder) CheckAdds(t testing.TB) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	var adds, reads []porcupine.Operation
	for _, op := range r.ops {
		i, o := op.Input.(input), op.Output.(output)
		switch {
		case i.kind == "read" && o.outcome == Unknown:
		case i.kind == "read":
			reads = append(reads, op)
		case i.kind != "add" || o.outcome != Done:
			t.Fatalf("CheckAdds: %s; want only acknowledged adds", describe(i, o))
		default:
			adds = append(adds, op)
		}
	}
	for _, rd := range reads {
		v, before, during := rd.Output.(output).n, 0, 0
		for _, a := range adds {
			if a.Return < rd.Call {
				before++
			}
			if a.Call <= rd.Return {
				during++
			}
		}
		if v < before || v > during {
			t.Fatalf("read by client %d saw %d; %d adds had ended before it began and %d had begun before it ended", rd.ClientId, v, before, during)
		}
		for _, other := range reads {
			if other.Return < rd.Call && other.Output.(output).n > v {
				t.Fatalf("read by client %d saw %d after a read by client %d had seen %d", rd.ClientId, v, other.ClientId, other.Output.(output).n)
			}
		}
	}
}

// resolve returns the history with each change's output passed through
// keep, dropping those it reports false for; failed reads are dropped.
func (r *Recorder) resolve(keep func(input, output) (output, bool)) []porcupine.Operation {
	r.mu.Lock()
	defer r.mu.Unlock()
	var h []porcupine.Operation
	for _, op := range r.ops {
		i, o := op.Input.(input), op.Output.(output)
		if i.kind == "read" && o.outcome == Unknown {
			continue
		}
		o, ok := keep(i, o)
		if !ok {
			continue
		}
		op.Output = o
		h = append(h, op)
	}
	return h
}

func (r *Recorder) check(t testing.TB, model porcupine.Model, h []porcupine.Operation, what func() string) {
	t.Helper()
	res, info := porcupine.CheckOperationsVerbose(model, h, timeout)
	switch res {
	case porcupine.Ok:
		return
	case porcupine.Unknown:
		t.Fatalf("the linearizability check of %d operations did not finish in %v", len(h), timeout)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "history of %d operations is not linearizable (%s)", len(h), what())
	if path := visualization(t, model, info); path != "" {
		fmt.Fprintf(&b, "; see %s", path)
	}
	t.Fatal(b.String())
}

func describe(in, out any) string {
	i, o := in.(input), out.(output)
	switch i.kind {
	case "append":
		return fmt.Sprintf("append(%s) %s", i.name, o.outcome)
	case "incr":
		if o.outcome == Done {
			return fmt.Sprintf("incr -> %d", o.n)
		}
		return "incr " + o.outcome.String()
	case "add":
		return "add " + o.outcome.String()
	}
	if o.list != nil {
		return fmt.Sprintf("read -> %d names", len(o.list))
	}
	return fmt.Sprintf("read -> %d", o.n)
}

// visualization writes the history's visualization under
// $SESSIONKIT_ARTIFACTS, if set, and returns its path.
func visualization(t testing.TB, model porcupine.Model, info porcupine.LinearizationInfo) string {
	dir := os.Getenv("SESSIONKIT_ARTIFACTS")
	if dir == "" {
		return ""
	}
	name := strings.NewReplacer("/", "_", " ", "_").Replace(t.Name())
	path := filepath.Join(dir, "lincheck-"+name+".html")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return ""
	}
	if err := porcupine.VisualizePath(model, info, path); err != nil {
		return ""
	}
	return path
}
