package session_test

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	session "github.com/sessionkit/session"
	"github.com/sessionkit/session/flask"
)

// withSession runs fn with a session loaded from a cookie holding values,
// as the codec decodes them.
func withSession(t *testing.T, values map[string]any, fn func(s *session.Session)) {
	t.Helper()
	f := newFixture(t)
	f.serve(t, func(w http.ResponseWriter, r *http.Request) {
		fn(session.FromContext(r.Context()))
	}, "session="+f.mint(t, values, f.clock.Now()))
}

func TestGetConversions(t *testing.T) {
	huge, _ := new(big.Int).SetString("123456789012345678901234567890", 10)
	values := map[string]any{
		"int": int64(42), "neg": int64(-1), "float": 2.5, "whole": 3.0, "big": huge,
		"maxint": int64(math.MaxInt64), "str": "x", "markup": flask.Markup("<b>"),
		"list": []any{int64(1), int64(2)}, "mixed": []any{int64(1), "a"}, "tuple": flask.Tuple{"a", "b"},
		"dict": map[string]any{"a": int64(1)}, "null": nil, "bool": true,
		"bytes": []byte{0, 1}, "time": time.Unix(1700000000, 0).UTC(),
	}
	type tc struct {
		key  string
		get  func(s *session.Session) (any, bool)
		want any
		ok   bool
	}
	g := func(f func(s *session.Session) (any, bool)) func(s *session.Session) (any, bool) { return f }
	tests := []tc{
		{"int", g(func(s *session.Session) (any, bool) { return session.Get[int](s, "int") }), 42, true},
		{"int", g(func(s *session.Session) (any, bool) { return session.Get[int8](s, "int") }), int8(42), true},
		{"int", g(func(s *session.Session) (any, bool) { return session.Get[uint16](s, "int") }), uint16(42), true},
		{"int", g(func(s *session.Session) (any, bool) { return session.Get[float64](s, "int") }), 42.0, true},
		{"int", g(func(s *session.Session) (any, bool) { return session.Get[string](s, "int") }), "", false},
		{"neg", g(func(s *session.Session) (any, bool) { return session.Get[uint](s, "neg") }), uint(0), false},
		{"maxint", g(func(s *session.Session) (any, bool) { return session.Get[int32](s, "maxint") }), int32(0), false},
		{"float", g(func(s *session.Session) (any, bool) { return session.Get[int](s, "float") }), 0, false},
		{"float", g(func(s *session.Session) (any, bool) { return session.Get[float32](s, "float") }), float32(2.5), true},
		{"whole", g(func(s *session.Session) (any, bool) { return session.Get[int](s, "whole") }), 3, true},
		{"big", g(func(s *session.Session) (any, bool) { return session.Get[int64](s, "big") }), int64(0), false},
		{"big", g(func(s *session.Session) (any, bool) { return session.Get[*big.Int](s, "big") }), huge, true},
		{"int", g(func(s *session.Session) (any, bool) { return session.Get[*big.Int](s, "int") }), big.NewInt(42), true},
		{"str", g(func(s *session.Session) (any, bool) { return session.Get[string](s, "str") }), "x", true},
		{"markup", g(func(s *session.Session) (any, bool) { return session.Get[string](s, "markup") }), "<b>", true},
		{"list", g(func(s *session.Session) (any, bool) { return session.Get[[]int](s, "list") }), []int{1, 2}, true},
		{"list", g(func(s *session.Session) (any, bool) { return session.Get[[]any](s, "list") }), []any{int64(1), int64(2)}, true},
		{"mixed", g(func(s *session.Session) (any, bool) { return session.Get[[]int](s, "mixed") }), []int(nil), false},
		{"tuple", g(func(s *session.Session) (any, bool) { return session.Get[[]string](s, "tuple") }), []string{"a", "b"}, true},
		{"dict", g(func(s *session.Session) (any, bool) { return session.Get[map[string]int](s, "dict") }), map[string]int{"a": 1}, true},
		{"null", g(func(s *session.Session) (any, bool) { return session.Get[any](s, "null") }), nil, true},
		{"null", g(func(s *session.Session) (any, bool) { return session.Get[string](s, "null") }), "", false},
		{"bool", g(func(s *session.Session) (any, bool) { return session.Get[bool](s, "bool") }), true, true},
		{"bytes", g(func(s *session.Session) (any, bool) { return session.Get[[]byte](s, "bytes") }), []byte{0, 1}, true},
		{"time", g(func(s *session.Session) (any, bool) { return session.Get[time.Time](s, "time") }), time.Unix(1700000000, 0).UTC(), true},
		{"time", g(func(s *session.Session) (any, bool) { return session.Get[fmt.Stringer](s, "time") }), time.Unix(1700000000, 0).UTC(), true},
		{"missing", g(func(s *session.Session) (any, bool) { return session.Get[int](s, "missing") }), 0, false},
	}
	withSession(t, values, func(s *session.Session) {
		for _, tt := range tests {
			got, ok := tt.get(s)
			if ok != tt.ok || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Get %q: got %#v, %v; want %#v, %v", tt.key, got, ok, tt.want, tt.ok)
			}
		}
	})
	var nilSession *session.Session
	if v, ok := session.Get[int](nilSession, "x"); ok || v != 0 {
		t.Error("Get on a nil session")
	}
}

type level int

type named string

func TestSetNormalises(t *testing.T) {
	f := newFixture(t)
	rec := f.serve(t, func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		s.Set("int", 7)
		s.Set("uint8", uint8(200))
		s.Set("huge", uint64(math.MaxUint64))
		s.Set("f32", float32(0.5))
		s.Set("level", level(3))
		s.Set("named", named("n"))
		s.Set("strs", []string{"a", "b"})
		s.Set("ints", []int{1, 2})
		s.Set("map", map[string]string{"k": "v"})
		s.Set("nested", map[string][]int{"k": {1}})
		s.Set("ptr", new(int))
		s.Set("nilslice", []string(nil))
	}, "")
	got := f.decode(t, cookieValue(rec.Header(), "session"))
	huge := new(big.Int).SetUint64(math.MaxUint64)
	want := map[string]any{
		"int": int64(7), "uint8": int64(200), "huge": huge, "f32": 0.5, "level": int64(3),
		"named": "n", "strs": []any{"a", "b"}, "ints": []any{int64(1), int64(2)},
		"map": map[string]any{"k": "v"}, "nested": map[string]any{"k": []any{int64(1)}},
		"ptr": int64(0), "nilslice": []any{},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("stored\n%#v\nwant\n%#v", got, want)
	}
}

func TestSetUnsupportedFails(t *testing.T) {
	f := newFixture(t)
	var errs []error
	rec := f.serve(t, func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		errs = append(errs, s.Set("fn", func() {}), s.Set("ch", make(chan int)), s.Set("_sk_owner", "mallory"))
		s.Set("ok", "yes")
	}, "")
	if rec.Code != 200 {
		t.Fatalf("status %d", rec.Code)
	}
	for i, want := range []error{flask.ErrUnsupported, flask.ErrUnsupported, session.ErrReservedKey} {
		if !errors.Is(errs[i], want) {
			t.Errorf("Set %d: %v, want %v", i, errs[i], want)
		}
	}
	if !strings.Contains(errs[0].Error(), `"fn"`) {
		t.Errorf("error does not name the key: %v", errs[0])
	}
	if got := f.decode(t, cookieValue(rec.Header(), "session")); fmt.Sprint(got) != "map[ok:yes]" {
		t.Errorf("stored %v, want only the storable value", got)
	}
}
