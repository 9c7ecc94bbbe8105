package session

import (
	"math"
	"math/big"
	"reflect"

	"github.com/sessionkit/session/flask"
)

// convertTo converts v, a value of package flask's types, to T following the
// rules documented on Get.
func convertTo[T any](v any) (T, bool) {
	var zero T
	if p, ok := any(&zero).(*int); ok {
		// Get[int] of a JSON number, the most common conversion, without
		// reflect's allocation; the same rule as convert's.
		i, ok := asInt64(v)
		if !ok || int64(int(i)) != i {
			return zero, false
		}
		*p = int(i)
		return zero, true
	}
	rv, ok := convert(v, reflect.TypeFor[T]())
	if !ok {
		return zero, false
	}
	out, _ := rv.Interface().(T) // a nil interface value gives T's zero value
	return out, true
}

var bigIntType = reflect.TypeFor[*big.Int]()

func convert(v any, t reflect.Type) (reflect.Value, bool) {
	if v == nil {
		switch t.Kind() {
		case reflect.Interface, reflect.Pointer, reflect.Slice, reflect.Map:
			return reflect.Zero(t), true
		}
		return reflect.Value{}, false
	}
	rv := reflect.ValueOf(v)
	if rv.Type().AssignableTo(t) {
		out := reflect.New(t).Elem()
		out.Set(rv)
		return out, true
	}
	out := reflect.New(t).Elem()
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		i, ok := asInt64(v)
		if !ok || out.OverflowInt(i) {
			return reflect.Value{}, false
		}
		out.SetInt(i)
		return out, true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		u, ok := asUint64(v)
		if !ok || out.OverflowUint(u) {
			return reflect.Value{}, false
		}
		out.SetUint(u)
		return out, true
	case reflect.Float32, reflect.Float64:
		var f float64
		switch n := v.(type) {
		case float64:
			f = n
		case int64:
			f = float64(n)
		case *big.Int:
			f, _ = new(big.Float).SetInt(n).Float64()
		default:
			return reflect.Value{}, false
		}
		if t.Kind() == reflect.Float32 && !math.IsInf(f, 0) && !math.IsNaN(f) && out.OverflowFloat(f) {
			return reflect.Value{}, false
		}
		out.SetFloat(f)
		return out, true
	case reflect.String:
		if rv.Kind() != reflect.String {
			return reflect.Value{}, false
		}
		out.SetString(rv.String())
		return out, true
	case reflect.Slice:
		var list []any
		switch l := v.(type) {
		case []any:
			list = l
		case flask.Tuple:
			list = l
		default:
			return reflect.Value{}, false
		}
		out = reflect.MakeSlice(t, len(list), len(list))
		for i, e := range list {
			ev, ok := convert(e, t.Elem())
			if !ok {
				return reflect.Value{}, false
			}
			out.Index(i).Set(ev)
		}
		return out, true
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok || t.Key().Kind() != reflect.String {
			return reflect.Value{}, false
		}
		out = reflect.MakeMapWithSize(t, len(m))
		for k, e := range m {
			ev, ok := convert(e, t.Elem())
			if !ok {
				return reflect.Value{}, false
			}
			out.SetMapIndex(reflect.ValueOf(k).Convert(t.Key()), ev)
		}
		return out, true
	case reflect.Pointer:
		if t == bigIntType {
			if i, ok := v.(int64); ok {
				return reflect.ValueOf(big.NewInt(i)), true
			}
		}
	}
	return reflect.Value{}, false
}

func asInt64(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case *big.Int:
		if n.IsInt64() {
			return n.Int64(), true
		}
	case float64:
		if n == math.Trunc(n) && n >= -(1<<63) && n < 1<<63 {
			return int64(n), true
		}
	}
	return 0, false
}

func asUint64(v any) (uint64, bool) {
	switch n := v.(type) {
	case int64:
		if n >= 0 {
			return uint64(n), true
		}
	case *big.Int:
		if n.IsUint64() {
			return n.Uint64(), true
		}
	case float64:
		if n == math.Trunc(n) && n >= 0 && n < 1<<64 {
			return uint64(n), true
		}
	}
	return 0, false
}

// normalise converts v to package flask's value types, or says which part
// of v Flask cannot store: flask.Normalize, the one place that decides.
func normalise(v any) (any, error) {
	return flask.Normalize(v)
}
