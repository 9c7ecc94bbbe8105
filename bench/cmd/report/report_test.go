package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const wrkOut = `Running 5s test @ http://127.0.0.1:4000/
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.10ms    1.00ms  20.00ms   90.00%
  Latency Distribution
     50%  850.00us
     75%    2.00ms
     90%    3.00ms
     99%    1.20s
  100000 requests in 5.00s, 10.00MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 4
Requests/sec:  20000.50
Transfer/sec:      2.00MB
`

func TestParseWrk(t *testing.T) {
	r, ok := parseWrk(wrkOut)
	if !ok {
		t.Fatal("no result")
	}
	want := wrkRun{rps: 20000.50, p50: 0.85, p99: 1200, requests: 100000, errors: 9}
	if r != want {
		t.Errorf("got %+v, want %+v", r, want)
	}
	if _, ok := parseWrk("wrk: connection refused"); ok {
		t.Error("parsed a failed run")
	}
}

func TestParseBenchMedians(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bench.txt")
	text := strings.Join([]string{
		"goos: linux",
		"BenchmarkCodec/medium/sessionkit/decode-2   1000   300 ns/op   10 B/op   2 allocs/op",
		"BenchmarkCodec/medium/sessionkit/decode-2   1000   100 ns/op   10 B/op   2 allocs/op",
		"BenchmarkCodec/medium/sessionkit/decode-2   1000   200 ns/op   10 B/op   2 allocs/op",
		"BenchmarkMiddleware/medium/readonly/sessionkit-redis-2   10   5000 ns/op   0 writes/op   100 B/op   9 allocs/op",
		"PASS",
	}, "\n")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := parseBench(path)
	if err != nil {
		t.Fatal(err)
	}
	d := &data{bench: got}
	tests := []struct {
		name, unit string
		want       float64
	}{
		{"Codec/medium/sessionkit/decode", "ns/op", 200},
		{"Codec/medium/sessionkit/decode", "allocs/op", 2},
		{"Middleware/medium/readonly/sessionkit-redis", "writes/op", 0},
		{"Middleware/medium/readonly/sessionkit-redis", "allocs/op", 9},
	}
	for _, tt := range tests {
		if v, ok := d.med(tt.name, tt.unit); !ok || v != tt.want {
			t.Errorf("%s %s = %v, %v; want %v", tt.name, tt.unit, v, ok, tt.want)
		}
	}
	if s := spread(got["Codec/medium/sessionkit/decode"]["ns/op"]); s != 1 {
		t.Errorf("spread = %v, want 1", s)
	}
}

func TestTargetOutcome(t *testing.T) {
	tests := []struct {
		t    target
		want string
	}{
		{target{value: 0.4, limit: 0.5, atMost: true}, "**met**"},
		{target{value: 0.75, limit: 0.5, atMost: true}, "**missed** by 50%"},
		{target{value: 0.9, limit: 0.85}, "**met**"},
		{target{value: 0.425, limit: 0.85}, "**missed** by 50%"},
		{target{value: 0, limit: 0, atMost: true}, "**met**"},
		{target{why: "skipped"}, "not measured: skipped"},
	}
	for _, tt := range tests {
		if got := tt.t.outcome(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.t, got, tt.want)
		}
	}
}

func TestPairedRatio(t *testing.T) {
	tests := []struct {
		name string
		a, b []float64
		want float64
	}{
		{"per round", []float64{1, 10, 3}, []float64{2, 20, 3}, 0.5},
		{"unpaired falls back to medians", []float64{1, 2, 3}, []float64{4, 4}, 0.5},
		{"missing", nil, []float64{1}, 0},
	}
	for _, tt := range tests {
		if got := pairedRatio(tt.a, tt.b); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
