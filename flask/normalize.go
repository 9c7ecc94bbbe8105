package flask

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Normalize returns v as the value types Decode returns, which are what
// Flask can store: nil, bool, string, int64, *big.Int, float64, []any,
// map[string]any, Tuple, []byte, Markup, UUID and time.Time. It is the one
// place that decides what a session can hold; Marshal and Encode use it
// for every value outside those types.
//
// A value made of those types only is returned as it is, without a copy.
// Otherwise Normalize returns a converted copy: other integer types become
// int64 (*big.Int beyond it), float32 becomes float64, json.Number the
// number Flask would read from it, named string and bool types their
// underlying type, other slices and arrays []any (byte slices []byte),
// maps with string keys map[string]any, and pointers and interfaces the
// value they point to (nil for nil). Nil slices and maps of other types
// become empty ones, as a Python session never holds None for them.
//
// It fails with an error wrapping ErrUnsupported and naming the path of
// the offending part (as in ["cart"][2]) for structs, functions, channels,
// complex numbers, maps with other keys, strings that are neither UTF-8
// nor WTF-8 (see the package documentation), times outside years
// 1–9999, invalid json.Numbers, and nesting deeper than DefaultMaxDepth
// (a map containing itself, say), which wraps ErrTooDeep too.
func Normalize(v any) (any, error) {
	return normalize(v, DefaultMaxDepth)
}

// normalize is Normalize with room for levels more levels of lists and
// maps below v.
func normalize(v any, levels int) (any, error) {
	if native(v, levels) {
		return v, nil
	}
	out, err := rebuild(v, levels)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// native reports whether v is made of the package's value types only, all
// of them valid, within levels levels.
func native(v any, levels int) bool {
	switch x := v.(type) {
	case nil, bool, int64, float64, []byte, UUID:
		return true
	case string:
		return validWTF8(x)
	case Markup:
		return validWTF8(string(x))
	case *big.Int:
		return x != nil
	case time.Time:
		return validYear(x)
	case []any:
		return levels > 0 && nativeList(x, levels-1)
	case Tuple:
		return levels > 0 && nativeList(x, levels-1)
	case map[string]any:
		if levels <= 0 {
			return false
		}
		for k, e := range x {
			if !validWTF8(k) || !native(e, levels-1) {
				return false
			}
		}
		return true
	}
	return false
}

func nativeList(l []any, levels int) bool {
	for _, e := range l {
		if !native(e, levels) {
			return false
		}
	}
	return true
}

func validYear(t time.Time) bool {
	y := t.UTC().Year()
	return y >= 1 && y <= 9999
}

// normError is Normalize's error: what is wrong and where.
type normError struct {
	path    []string // innermost segment first
	msg     string
	tooDeep bool
}

func (e *normError) Error() string {
	var b strings.Builder
	b.WriteString(ErrUnsupported.Error())
	if len(e.path) > 0 {
		b.WriteString(" at ")
		for i := len(e.path) - 1; i >= 0; i-- {
			b.WriteString(e.path[i])
		}
	}
	b.WriteString(": ")
	b.WriteString(e.msg)
	return b.String()
}

func (e *normError) Unwrap() []error {
	if e.tooDeep {
		return []error{ErrUnsupported, ErrTooDeep}
	}
	return []error{ErrUnsupported}
}

// within adds a path segment to err, a *normError.
func within(err error, seg string) error {
	if e, ok := err.(*normError); ok {
		e.path = append(e.path, seg)
	}
	return err
}

func indexSeg(i int) string { return "[" + strconv.Itoa(i) + "]" }

func keySeg(k string) string { return "[" + strconv.Quote(k) + "]" }

func unsupported(format string, args ...any) error {
	return &normError{msg: fmt.Sprintf(format, args...)}
}

// rebuild returns a copy of v made of the package's value types.
func rebuild(v any, levels int) (any, error) {
	switch x := v.(type) {
	case nil, bool, int64, float64, []byte, UUID:
		return v, nil
	case string:
		if !validWTF8(x) {
			return nil, unsupported("string is neither UTF-8 nor WTF-8")
		}
		return v, nil
	case Markup:
		if !validWTF8(string(x)) {
			return nil, unsupported("Markup is neither UTF-8 nor WTF-8")
		}
		return v, nil
	case *big.Int:
		if x == nil {
			return nil, nil
		}
		return v, nil
	case time.Time:
		if !validYear(x) {
			return nil, unsupported("time.Time year %d outside 1-9999", x.UTC().Year())
		}
		return v, nil
	case json.Number:
		return numberValue(x)
	case Tuple:
		l, err := rebuildList(reflect.ValueOf([]any(x)), levels)
		if err != nil {
			return nil, err
		}
		return Tuple(l), nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if u := rv.Uint(); u > math.MaxInt64 {
			return new(big.Int).SetUint64(u), nil
		} else {
			return int64(u), nil
		}
	case reflect.Float32, reflect.Float64:
		return rv.Float(), nil
	case reflect.Bool:
		return rv.Bool(), nil
	case reflect.String:
		s := rv.String()
		if !validWTF8(s) {
			return nil, unsupported("string is neither UTF-8 nor WTF-8")
		}
		return s, nil
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.Uint8 {
			return append([]byte{}, rv.Bytes()...), nil
		}
		return rebuildList(rv, levels)
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return nil, unsupported("%s: map keys must be strings", rv.Type())
		}
		if levels <= 0 {
			return nil, &normError{msg: fmt.Sprintf("nested more than %d levels", DefaultMaxDepth), tooDeep: true}
		}
		m := make(map[string]any, rv.Len())
		for it := rv.MapRange(); it.Next(); {
			k := it.Key().String()
			if !validWTF8(k) {
				return nil, within(unsupported("key is neither UTF-8 nor WTF-8"), keySeg(k))
			}
			e, err := rebuild(it.Value().Interface(), levels-1)
			if err != nil {
				return nil, within(err, keySeg(k))
			}
			m[k] = e
		}
		return m, nil
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return nil, nil
		}
		if levels <= 0 {
			return nil, &normError{msg: fmt.Sprintf("nested more than %d levels", DefaultMaxDepth), tooDeep: true}
		}
		return rebuild(rv.Elem().Interface(), levels-1)
	}
	return nil, unsupported("%s", rv.Type())
}

func rebuildList(rv reflect.Value, levels int) ([]any, error) {
	if levels <= 0 {
		return nil, &normError{msg: fmt.Sprintf("nested more than %d levels", DefaultMaxDepth), tooDeep: true}
	}
	l := make([]any, rv.Len())
	for i := range l {
		e, err := rebuild(rv.Index(i).Interface(), levels-1)
		if err != nil {
			return nil, within(err, indexSeg(i))
		}
		l[i] = e
	}
	return l, nil
}

// numberValue is the value Flask reads from the JSON number n: an int, or
// a float.
func numberValue(n json.Number) (any, error) {
	s := string(n)
	if !validNumber(s) {
		return nil, unsupported("json.Number %q is not a JSON number", s)
	}
	if strings.ContainsAny(s, ".eE") {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil && !isRangeErr(err) {
			return nil, unsupported("json.Number %q", s)
		}
		return f, nil
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i, nil
	}
	if len(s) > maxIntDigits+1 {
		return nil, unsupported("json.Number has more than %d digits", maxIntDigits)
	}
	b, ok := new(big.Int).SetString(s, 10)
	if !ok {
		return nil, unsupported("json.Number %q", s)
	}
	return b, nil
}

// validWTF8 reports whether s is UTF-8 in which surrogate code points
// may appear, one by one (WTF-8): the strings Decode returns. A high
// surrogate directly followed by a low one is refused, as that pair is
// one code point, which UTF-8 writes in four bytes.
func validWTF8(s string) bool {
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			if !isSurrogateWTF8(s[i:]) {
				return false
			}
			if s[i+1] < 0xb0 && isSurrogateWTF8(s[i+3:]) && s[i+4] >= 0xb0 {
				return false // high then low: a CESU-8 pair
			}
			size = 3
		}
		i += size
	}
	return true
}
