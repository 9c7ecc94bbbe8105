package flask

import "unsafe"

// Decoding into map[string]any boxes every string, list and most numbers
// into an interface, and Go allocates each box on its own: 150 names cost
// 150 allocations. A slab instead stores many boxed values of one type in
// one backing array, and builds each interface value pointing at its slot,
// as the runtime would point at a fresh allocation.
//
// Safety: a slot is written once, before its interface value exists, and
// never again; slabs are never pooled or reused by another decode, so the
// values a decode returns share memory with nothing that changes, and the
// garbage collector keeps a backing array alive while any of its slots is
// referenced (interior pointers keep their object alive).

// eface is the layout of an interface value without methods: the
// runtime's eface, which reflect relies on too.
type eface struct {
	typ  unsafe.Pointer
	data unsafe.Pointer
}

func typeWord(v any) unsafe.Pointer { return (*eface)(unsafe.Pointer(&v)).typ }

// The type words of the slab types (boxing their zero values allocates
// nothing).
var (
	stringType  = typeWord("")
	int64Type   = typeWord(int64(0))
	float64Type = typeWord(float64(0))
	listType    = typeWord([]any(nil))
	tupleType   = typeWord(Tuple(nil))
)

// slabsWork reports that interface values have the expected layout: the
// type words of two different strings are the same pointer. Were the
// layout ever different, decoding would box values one by one.
var slabsWork = typeWord("a") == typeWord("b") && typeWord("a") != typeWord(int64(1))

// slab hands out slots of one backing array of T.
type slab[T any] struct{ free []T }

// box returns v as an interface value whose data is a slot of s; typ is
// T's type word. When s is empty it allocates n slots (at least one).
func (s *slab[T]) box(typ unsafe.Pointer, v T, n int) any {
	if !slabsWork {
		return v
	}
	if len(s.free) == 0 {
		s.free = make([]T, max(n, 1))
	}
	p := &s.free[0]
	*p = v
	s.free = s.free[1:]
	var out any
	e := (*eface)(unsafe.Pointer(&out))
	e.typ, e.data = typ, unsafe.Pointer(p)
	return out
}
