package flask

import (
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestNormalize(t *testing.T) {
	type level int
	type name string
	type flag bool
	type bytesType []byte
	type cart map[string][]int
	self := map[string]any{}
	self["me"] = self
	u := UUID{1}
	when := time.Date(2024, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600))
	huge := new(big.Int).SetUint64(math.MaxUint64)
	for _, tc := range []struct {
		name string
		in   any
		want any
		err  string // a substring of the error; "" for none
	}{
		{"nil", nil, nil, ""},
		{"string", "Olá", "Olá", ""},
		{"WTF-8 string", "a\xed\xa0\x80", "a\xed\xa0\x80", ""},
		{"int", 7, int64(7), ""},
		{"int8", int8(-8), int64(-8), ""},
		{"uint64 max", uint64(math.MaxUint64), huge, ""},
		{"uintptr", uintptr(9), int64(9), ""},
		{"float32", float32(0.5), 0.5, ""},
		{"named int", level(3), int64(3), ""},
		{"named string", name("n"), "n", ""},
		{"named bool", flag(true), true, ""},
		{"json.Number int", json.Number("12"), int64(12), ""},
		{"json.Number float", json.Number("1.50"), 1.5, ""},
		{"json.Number big", json.Number("123456789012345678901234567890"), func() *big.Int {
			b, _ := new(big.Int).SetString("123456789012345678901234567890", 10)
			return b
		}(), ""},
		{"nil *big.Int", (*big.Int)(nil), nil, ""},
		{"[]string", []string{"a", "b"}, []any{"a", "b"}, ""},
		{"nil []string", []string(nil), []any{}, ""},
		{"array", [2]int{1, 2}, []any{int64(1), int64(2)}, ""},
		{"named byte slice", bytesType("hi"), []byte("hi"), ""},
		{"map[string]string", map[string]string{"k": "v"}, map[string]any{"k": "v"}, ""},
		{"nil map", map[string]int(nil), map[string]any{}, ""},
		{"named map", cart{"x": {1}}, map[string]any{"x": []any{int64(1)}}, ""},
		{"pointer", new(int), int64(0), ""},
		{"nil pointer", (*int)(nil), nil, ""},
		{"tuple of ints", Tuple{1, "a"}, Tuple{int64(1), "a"}, ""},
		{"[]any with an int", []any{1, nil}, []any{int64(1), nil}, ""},
		{"tags kept", []any{Markup("<b>"), u, when, []byte{1}}, []any{Markup("<b>"), u, when, []byte{1}}, ""},
		{"struct", struct{ A int }{1}, nil, "unsupported value: struct { A int }"},
		{"func in a list", []any{1, func() {}}, nil, "unsupported value at [1]: func()"},
		{"chan in a map", map[string]any{"a": []any{map[string]any{"b": make(chan int)}}}, nil, `unsupported value at ["a"][0]["b"]: chan int`},
		{"complex", complex(1, 2), nil, "complex128"},
		{"int-keyed map", map[int]string{1: "a"}, nil, "map keys must be strings"},
		{"invalid UTF-8", []string{"ok", "a\xffb"}, nil, "at [1]: string is neither UTF-8 nor WTF-8"},
		{"invalid key", map[string]int{"\xff": 1}, nil, `at ["\xff"]: key is neither`},
		{"surrogate pair in WTF-8", "\xed\xa0\xbd\xed\xb8\x80", nil, "neither UTF-8 nor WTF-8"},
		{"year 10000", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), nil, "year 10000"},
		{"bad json.Number", json.Number("007"), nil, "not a JSON number"},
		{"cycle", self, nil, "nested more than 1000 levels"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Normalize(tc.in)
			if tc.err != "" {
				if err == nil || !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want ErrUnsupported with %q", err, tc.err)
				}
				if got != nil {
					t.Fatalf("got %#v with an error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %#v, want %#v", got, tc.want)
			}
			// Whatever Normalize returns, Marshal writes as it writes the
			// original, and Normalize returns as it is.
			a, err1 := Marshal(map[string]any{"v": tc.in})
			b, err2 := Marshal(map[string]any{"v": got})
			if err1 != nil || err2 != nil || string(a) != string(b) {
				t.Fatalf("Marshal: %s (%v) vs %s (%v)", a, err1, b, err2)
			}
			if again, err := Normalize(got); err != nil || !reflect.DeepEqual(again, got) {
				t.Fatalf("Normalize(Normalize(v)) = %#v, %v", again, err)
			}
		})
	}
	if err := func() error { _, err := Normalize(self); return err }(); !errors.Is(err, ErrTooDeep) {
		t.Errorf("cycle: %v does not wrap ErrTooDeep", err)
	}
}

// TestNormalizeKeepsNative: values already made of the package's types
// come back as they are, not copied.
func TestNormalizeKeepsNative(t *testing.T) {
	m := map[string]any{"l": []any{"a", int64(1), Tuple{1.5}}, "m": map[string]any{}}
	got, err := Normalize(m)
	if err != nil {
		t.Fatal(err)
	}
	if reflect.ValueOf(got).UnsafePointer() != reflect.ValueOf(m).UnsafePointer() {
		t.Fatal("a native map was copied")
	}
	if !raceEnabled {
		if n := testing.AllocsPerRun(100, func() { Normalize(m) }); n != 0 {
			t.Fatalf("Normalize of a native value allocates %v times", n)
		}
	}
}
