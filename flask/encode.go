package flask

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// Marshal returns v as Flask's tagged JSON, byte-identical to what Flask
// writes for the same session (spec §5.1, §5.3): compact, keys sorted at
// every depth, ASCII only, Python float repr, tags for tuples, bytes,
// Markup, UUIDs and times, and the " di" escape for one-key dicts whose key
// is a tag.
//
// Accepted values: the types Decode returns, every int and uint type,
// float32, json.Number, []string, map[string]string, and whatever else
// Normalize converts (other slices, arrays and string-keyed maps,
// pointers; a nil slice or map is written empty, as a Python session never
// holds None for them). Strings may hold lone surrogates in WTF-8, as
// Decode returns them. Anything else, and nesting deeper than
// DefaultMaxDepth (a map that contains itself, say), gives ErrUnsupported
// or ErrTooDeep.
func Marshal(v map[string]any) ([]byte, error) {
	// Written into a pooled buffer, then copied out at its size: one
	// allocation, where growing the result would take several.
	bp := getBytes()
	defer putBytes(bp)
	e := encoder{buf: (*bp)[:0], maxDepth: DefaultMaxDepth}
	err := e.object(v, 1)
	*bp = e.buf
	if err != nil {
		return nil, err
	}
	return append([]byte(nil), e.buf...), nil
}

// encoder appends tagged JSON to buf.
type encoder struct {
	buf      []byte
	maxDepth int
}

// tagKeys are the registered tag keys: a one-key dict with one of these
// keys must be escaped with " di" (spec §5.1 rule 1).
func isTagKey(k string) bool {
	switch k {
	case " t", " b", " m", " u", " d", " di":
		return true
	}
	return false
}

func (e *encoder) deeper(depth int) error {
	if depth > e.maxDepth {
		return fmt.Errorf("%w: more than %d levels", ErrTooDeep, e.maxDepth)
	}
	return nil
}

// object writes a map[string]any with sorted keys.
func (e *encoder) object(m map[string]any, depth int) error {
	return writeObject(e, m, depth, e.value)
}

// writeObject writes m with its keys sorted, each value by elem one level
// down, or as an escaped dict when its only key is a tag key (spec §5.1
// rule 1). map[string]any, map[string]string and the string-keyed maps
// reached by reflection all go through it, so they sort and escape alike.
func writeObject[V any](e *encoder, m map[string]V, depth int, elem func(V, int) error) error {
	if err := e.deeper(depth); err != nil {
		return err
	}
	if len(m) == 1 {
		for k, v := range m {
			if isTagKey(k) {
				return e.escapedDict(k, func() error { return elem(v, depth+2) }, depth)
			}
		}
	}
	// Most sessions have few keys: sort them in a stack array.
	var arr [16]string
	keys := arr[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	e.buf = append(e.buf, '{')
	for i, k := range keys {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		if err := e.string(k); err != nil {
			return err
		}
		e.buf = append(e.buf, ':')
		if err := elem(m[k], depth+1); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, '}')
	return nil
}

// list writes a []any. Lists are the long part of a session (Exemplo
// 02's names), so the loop calls value directly: an indirect call per
// element, through a writer shared with []string, costs about 7% of
// Marshal for 150 names.
func (e *encoder) list(l []any, depth int) error {
	if err := e.deeper(depth); err != nil {
		return err
	}
	e.buf = append(e.buf, '[')
	for i, v := range l {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		if err := e.value(v, depth+1); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, ']')
	return nil
}

// stringElem writes a string value of a map; strings have no depth of
// their own.
func (e *encoder) stringElem(s string, _ int) error { return e.string(s) }

// escapedDict writes {" di":{k+"__":v}} (spec §5.1, TagDict).
func (e *encoder) escapedDict(k string, value func() error, depth int) error {
	if err := e.deeper(depth + 1); err != nil {
		return err
	}
	e.buf = append(e.buf, `{" di":`...)
	e.buf = append(e.buf, '{')
	if err := e.string(k + "__"); err != nil {
		return err
	}
	e.buf = append(e.buf, ':')
	if err := value(); err != nil {
		return err
	}
	e.buf = append(e.buf, "}}"...)
	return nil
}

// tagged writes {" x": …} around body.
func (e *encoder) tagged(tag string, depth int, body func() error) error {
	if err := e.deeper(depth); err != nil {
		return err
	}
	e.buf = append(e.buf, `{"`...)
	e.buf = append(e.buf, tag...)
	e.buf = append(e.buf, `":`...)
	if err := body(); err != nil {
		return err
	}
	e.buf = append(e.buf, '}')
	return nil
}

// value writes one value at the given depth (the top-level object is 1).
func (e *encoder) value(v any, depth int) error {
	switch x := v.(type) {
	case nil:
		e.buf = append(e.buf, "null"...)
	case string:
		return e.string(x)
	case bool:
		e.buf = strconv.AppendBool(e.buf, x)
	case int:
		e.buf = strconv.AppendInt(e.buf, int64(x), 10)
	case int64:
		e.buf = strconv.AppendInt(e.buf, x, 10)
	case int32:
		e.buf = strconv.AppendInt(e.buf, int64(x), 10)
	case int16:
		e.buf = strconv.AppendInt(e.buf, int64(x), 10)
	case int8:
		e.buf = strconv.AppendInt(e.buf, int64(x), 10)
	case uint:
		e.buf = strconv.AppendUint(e.buf, uint64(x), 10)
	case uint64:
		e.buf = strconv.AppendUint(e.buf, x, 10)
	case uint32:
		e.buf = strconv.AppendUint(e.buf, uint64(x), 10)
	case uint16:
		e.buf = strconv.AppendUint(e.buf, uint64(x), 10)
	case uint8:
		e.buf = strconv.AppendUint(e.buf, uint64(x), 10)
	case uintptr:
		e.buf = strconv.AppendUint(e.buf, uint64(x), 10)
	case float64:
		e.buf = appendFloat(e.buf, x)
	case float32:
		e.buf = appendFloat(e.buf, float64(x))
	case *big.Int:
		if x == nil {
			e.buf = append(e.buf, "null"...)
		} else {
			e.buf = x.Append(e.buf, 10)
		}
	case map[string]any:
		return e.object(x, depth)
	case []any:
		return e.list(x, depth)
	case Tuple:
		return e.tagged(" t", depth, func() error { return e.list(x, depth+1) })
	case []byte:
		return e.tagged(" b", depth, func() error {
			e.buf = append(e.buf, '"')
			e.buf = base64.StdEncoding.AppendEncode(e.buf, x)
			e.buf = append(e.buf, '"')
			return nil
		})
	case Markup:
		return e.tagged(" m", depth, func() error { return e.string(string(x)) })
	case UUID:
		return e.tagged(" u", depth, func() error {
			e.buf = append(e.buf, '"')
			e.buf = hex.AppendEncode(e.buf, x[:])
			e.buf = append(e.buf, '"')
			return nil
		})
	case time.Time:
		u := x.UTC()
		if y := u.Year(); y < 1 || y > 9999 {
			return fmt.Errorf("%w: time.Time year %d outside 1-9999", ErrUnsupported, y)
		}
		return e.tagged(" d", depth, func() error {
			e.buf = append(e.buf, '"')
			e.buf = u.AppendFormat(e.buf, httpDateLayout)
			e.buf = append(e.buf, '"')
			return nil
		})
	case []string:
		if err := e.deeper(depth); err != nil {
			return err
		}
		e.buf = append(e.buf, '[')
		for i, s := range x {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			if err := e.string(s); err != nil {
				return err
			}
		}
		e.buf = append(e.buf, ']')
		return nil
	case map[string]string:
		return writeObject(e, x, depth, e.stringElem)
	default:
		// Everything else is what Normalize makes of it.
		nv, err := normalize(v, max(e.maxDepth-depth+1, 0))
		if err != nil {
			return err
		}
		return e.value(nv, depth)
	}
	return nil
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// validNumber reports whether s matches JSON's number grammar.
func validNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || !isDigit(s[i]) {
			return false
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || !isDigit(s[i]) {
			return false
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	return i == len(s)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// appendFloat writes f as Python's repr does (spec §5.3): the shortest
// round-trip digits, positional when the decimal exponent is in [-4, 16),
// else scientific with a signed exponent of at least two digits; a
// positional float always has a fraction; NaN and infinities are bare
// tokens.
func appendFloat(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(f, -1):
		return append(dst, "-Infinity"...)
	case f == 0:
		if math.Signbit(f) {
			return append(dst, "-0.0"...)
		}
		return append(dst, "0.0"...)
	}
	var scratch [32]byte
	sci := strconv.AppendFloat(scratch[:0], f, 'e', -1, 64)
	// sci is like -1.2345e+07; the exponent follows the 'e'.
	exp := 0
	for i := len(sci) - 1; i >= 0; i-- {
		if sci[i] == 'e' {
			exp, _ = strconv.Atoi(string(sci[i+1:]))
			break
		}
	}
	if exp < -4 || exp >= 16 {
		return append(dst, sci...)
	}
	start := len(dst)
	dst = strconv.AppendFloat(dst, f, 'f', -1, 64)
	for _, c := range dst[start:] {
		if c == '.' {
			return dst
		}
	}
	return append(dst, ".0"...)
}

const hexDigits = "0123456789abcdef"

// string writes s quoted as Python's json.dumps(ensure_ascii=True) does:
// short escapes for " \ \n \r \t \b \f, \u00XX for other controls and DEL,
// lowercase \uXXXX (surrogate pairs above U+FFFF) for all non-ASCII, and
// nothing else escaped.
func (e *encoder) string(s string) error {
	e.buf = append(e.buf, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f && c != '"' && c != '\\' {
			i++
			continue
		}
		e.buf = append(e.buf, s[start:i]...)
		if c < utf8.RuneSelf {
			switch c {
			case '"':
				e.buf = append(e.buf, '\\', '"')
			case '\\':
				e.buf = append(e.buf, '\\', '\\')
			case '\n':
				e.buf = append(e.buf, '\\', 'n')
			case '\r':
				e.buf = append(e.buf, '\\', 'r')
			case '\t':
				e.buf = append(e.buf, '\\', 't')
			case '\b':
				e.buf = append(e.buf, '\\', 'b')
			case '\f':
				e.buf = append(e.buf, '\\', 'f')
			default:
				e.buf = appendU(e.buf, rune(c))
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			// A lone surrogate in WTF-8, as Decode returns it, is
			// written back as Python writes it: \udXXX.
			if !isSurrogateWTF8(s[i:]) || s[i+1] < 0xb0 && isSurrogateWTF8(s[i+3:]) && s[i+4] >= 0xb0 {
				return fmt.Errorf("%w: string is neither UTF-8 nor WTF-8", ErrUnsupported)
			}
			r, size = rune(s[i]&0x0f)<<12|rune(s[i+1]&0x3f)<<6|rune(s[i+2]&0x3f), 3
		}
		if r > 0xffff {
			r -= 0x10000
			e.buf = appendU(e.buf, 0xd800+(r>>10))
			e.buf = appendU(e.buf, 0xdc00+(r&0x3ff))
		} else {
			e.buf = appendU(e.buf, r)
		}
		i += size
		start = i
	}
	e.buf = append(e.buf, s[start:]...)
	e.buf = append(e.buf, '"')
	return nil
}

func appendU(dst []byte, r rune) []byte {
	return append(dst, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
}

// httpDateLayout is werkzeug's http_date format (spec §5.1).
const httpDateLayout = "Mon, 02 Jan 2006 15:04:05 GMT"
