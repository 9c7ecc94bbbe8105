package bench

import (
	"testing"
	"time"
)

// The floor must really be Flask's format, or the comparison means nothing.
func TestFloorReadsFlaskCookies(t *testing.T) {
	cookies := flaskCookies(t)
	f := NewFloor([]byte(Key))
	for _, w := range Workloads() {
		got, err := f.Decode(cookies[w.Name], Frozen.Add(time.Second))
		if err != nil {
			t.Fatalf("%s: %v", w.Name, err)
		}
		if !sameJSON(t, got, w.Values) {
			t.Errorf("%s: decoded %v, want %v", w.Name, got, w.Values)
		}
	}
}

func TestFloorRoundTripAndFlaskBytes(t *testing.T) {
	cookies := flaskCookies(t)
	f := NewFloor([]byte(Key))
	for _, w := range Workloads() {
		for _, mode := range []int{Never, Always, Flask} {
			c, err := f.Encode(w.Values, Frozen, mode)
			if err != nil {
				t.Fatal(err)
			}
			got, err := f.Decode(c, Frozen)
			if err != nil || !sameJSON(t, got, w.Values) {
				t.Errorf("%s mode %d: round trip gave %v, %v", w.Name, mode, got, err)
			}
		}
	}
	// ASCII-only and uncompressed, Go's encoding/json writes Flask's bytes.
	c, err := f.Encode(Workloads()[0].Values, Frozen, Flask)
	if err != nil {
		t.Fatal(err)
	}
	if c != cookies["small"] {
		t.Errorf("floor small cookie\n got %s\nwant %s (Flask)", c, cookies["small"])
	}
	if _, err := f.Decode(c[:len(c)-1]+"A", Frozen); err == nil {
		t.Error("floor accepted a bad signature")
	}
	if _, err := f.Decode(c, Frozen.Add(32*24*time.Hour)); err == nil {
		t.Error("floor accepted an expired cookie")
	}
}
