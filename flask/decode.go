package flask

import (
	"encoding/base64"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// Unmarshal parses Flask's tagged JSON into a session map, with depth capped
// at DefaultMaxDepth. See Codec.Decode for the value types it returns.
func Unmarshal(data []byte) (map[string]any, error) {
	return unmarshal(string(data), DefaultMaxDepth)
}

// maxIntDigits is CPython's default limit on the digits of an int read from
// text (sys.int_info.default_max_str_digits): Flask fails on longer ones,
// and big.Int parsing is superlinear, so they are refused here too.
const maxIntDigits = 4300

// unmarshal parses data. Strings without escapes in the result share
// data's memory (one allocation for the whole text, not one per string).
func unmarshal(data string, maxDepth int) (map[string]any, error) {
	if maxDepth <= 0 {
		maxDepth = DefaultMaxDepth
	}
	d := decoderPool.Get().(*decoder)
	defer d.release()
	d.data, d.pos, d.maxDepth, d.plain = data, 0, maxDepth, false
	d.skipSpace()
	if d.pos >= len(d.data) || d.data[d.pos] != '{' {
		return nil, d.errorf("top level is not an object")
	}
	v, err := d.object(1)
	if err != nil {
		return nil, err
	}
	d.skipSpace()
	if d.pos != len(d.data) {
		return nil, d.errorf("data after the top-level object")
	}
	m, ok := v.(map[string]any)
	if !ok {
		// A top-level {" t": …} untags into a non-map: not a session.
		return nil, d.errorf("top level is a tagged value, not an object")
	}
	return m, nil
}

// decoderPool keeps decoders, so that their scratch space is reused.
var decoderPool = sync.Pool{New: func() any { return new(decoder) }}

// release returns d to the pool without references to the data or to
// the slabs, which belong to the values returned.
func (d *decoder) release() {
	d.data = ""
	d.arena = nil
	d.strs, d.ints, d.floats, d.lists, d.tuples = slab[string]{}, slab[int64]{}, slab[float64]{}, slab[[]any]{}, slab[Tuple]{}
	clear(d.stack) // popped elements were cleared when their container ended
	clear(d.keys)
	d.stack, d.keys = d.stack[:0], d.keys[:0]
	if cap(d.stack) > 4096 || cap(d.keys) > 4096 {
		return
	}
	decoderPool.Put(d)
}

// decoder is a recursive-descent parser of the JSON Python's json module
// reads (NaN and Infinity included), with depth counted so that recursion
// never goes deeper than maxDepth.
type decoder struct {
	data     string
	pos      int
	maxDepth int
	stack    []any    // values of the arrays and objects being read, innermost last
	keys     []string // keys of the objects being read, innermost last
	// arena holds the text of unescaped strings: one allocation for all
	// of them. It is never pooled, and bytes once written never change,
	// which is what unsafe.String requires.
	arena []byte
	// Slabs for the boxes of the values returned (see box.go).
	strs   slab[string]
	ints   slab[int64]
	floats slab[float64]
	lists  slab[[]any]
	tuples slab[Tuple]
	plain  bool // leave tags alone (tests read the oracle's plain JSON)
}

// slabSize is how many slots a numeric or list slab gets: enough for the
// rest of the text if it were made of such values, at most 256.
func (d *decoder) slabSize(minBytes int) int {
	return min((len(d.data)-d.pos)/minBytes+1, 256)
}

// boxString boxes a string value. Its slab is sized by counting the
// quotes left (two per string) less the keys (a quote and a colon), an
// upper bound for Flask's compact JSON, re-counted if it runs out.
func (d *decoder) boxString(s string) any {
	if s == "" {
		return s // boxing "" allocates nothing
	}
	n := 0
	if len(d.strs.free) == 0 {
		rest := d.data[d.pos:]
		n = strings.Count(rest, `"`)/2 - strings.Count(rest, `":`) + 1
	}
	return d.strs.box(stringType, s, n)
}

func (d *decoder) boxInt(i int64) any {
	if i >= 0 && i < 256 {
		return i // the runtime boxes these without allocating
	}
	return d.ints.box(int64Type, i, d.slabSize(8))
}

func (d *decoder) errorf(format string, args ...any) error {
	return fmt.Errorf("%w: json at offset %d: %s", ErrPayload, d.pos, fmt.Sprintf(format, args...))
}

func (d *decoder) skipSpace() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *decoder) value(depth int) (any, error) {
	d.skipSpace()
	if d.pos >= len(d.data) {
		return nil, d.errorf("unexpected end")
	}
	switch c := d.data[d.pos]; c {
	case '{':
		return d.object(depth)
	case '[':
		return d.array(depth)
	case '"':
		str, err := d.string()
		if err != nil {
			return nil, err
		}
		return d.boxString(str), nil
	case 't':
		return true, d.literal("true")
	case 'f':
		return false, d.literal("false")
	case 'n':
		return nil, d.literal("null")
	case 'N':
		return nan, d.literal("NaN")
	case 'I':
		return posInf, d.literal("Infinity")
	default:
		if c == '-' && d.pos+1 < len(d.data) && d.data[d.pos+1] == 'I' {
			d.pos++
			return negInf, d.literal("Infinity")
		}
		if c == '-' || isDigit(c) {
			return d.number()
		}
		return nil, d.errorf("unexpected byte %q", c)
	}
}

func (d *decoder) literal(s string) error {
	if len(d.data)-d.pos < len(s) || d.data[d.pos:d.pos+len(s)] != s {
		return d.errorf("invalid literal")
	}
	d.pos += len(s)
	return nil
}

func (d *decoder) object(depth int) (any, error) {
	if depth > d.maxDepth {
		return nil, fmt.Errorf("%w: more than %d levels", ErrTooDeep, d.maxDepth)
	}
	d.pos++ // '{'
	d.skipSpace()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		return make(map[string]any), nil
	}
	// Keys and values collect on d.keys and d.stack, so that the map is
	// made at its final size, once.
	kbase, vbase := len(d.keys), len(d.stack)
	for {
		d.skipSpace()
		if d.pos >= len(d.data) || d.data[d.pos] != '"' {
			return nil, d.errorf("expected a string key")
		}
		k, err := d.string()
		if err != nil {
			return nil, err
		}
		d.skipSpace()
		if d.pos >= len(d.data) || d.data[d.pos] != ':' {
			return nil, d.errorf("expected ':'")
		}
		d.pos++
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		d.keys = append(d.keys, k)
		d.stack = append(d.stack, v)
		d.skipSpace()
		if d.pos >= len(d.data) {
			return nil, d.errorf("unexpected end in object")
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
		case '}':
			d.pos++
			keys, vals := d.keys[kbase:], d.stack[vbase:]
			if len(keys) == 1 && !d.plain && isTagKey(keys[0]) {
				k, v := keys[0], vals[0]
				d.pop(kbase, vbase)
				return d.untag(k, v)
			}
			m := make(map[string]any, len(keys))
			for i, k := range keys {
				m[k] = vals[i]
			}
			n := len(keys)
			d.pop(kbase, vbase)
			if len(m) != n {
				// Python keeps the last value; other parsers keep the
				// first. Refusing removes the ambiguity (SECURITY F-51).
				return nil, d.errorf("duplicate key")
			}
			return m, nil
		default:
			return nil, d.errorf("expected ',' or '}'")
		}
	}
}

// pop drops the keys and values of the object whose first ones were at
// kbase and vbase.
func (d *decoder) pop(kbase, vbase int) {
	clear(d.keys[kbase:])
	clear(d.stack[vbase:])
	d.keys, d.stack = d.keys[:kbase], d.stack[:vbase]
}

func (d *decoder) array(depth int) (any, error) {
	if depth > d.maxDepth {
		return nil, fmt.Errorf("%w: more than %d levels", ErrTooDeep, d.maxDepth)
	}
	d.pos++ // '['
	d.skipSpace()
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		return d.lists.box(listType, []any{}, d.slabSize(16)), nil
	}
	// Elements collect on d.stack, so that each array costs one
	// allocation of its exact size.
	base := len(d.stack)
	for {
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		d.stack = append(d.stack, v)
		d.skipSpace()
		if d.pos >= len(d.data) {
			return nil, d.errorf("unexpected end in array")
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
		case ']':
			d.pos++
			l := make([]any, len(d.stack)-base)
			copy(l, d.stack[base:])
			clear(d.stack[base:])
			d.stack = d.stack[:base]
			return d.lists.box(listType, l, d.slabSize(16)), nil
		default:
			return nil, d.errorf("expected ',' or ']'")
		}
	}
}

// number reads a JSON number: an int (int64, or *big.Int beyond it) when it
// has no fraction or exponent, else a float64, as Python does.
func (d *decoder) number() (any, error) {
	start := d.pos
	isFloat := false
	if d.data[d.pos] == '-' {
		d.pos++
	}
	switch {
	case d.pos < len(d.data) && d.data[d.pos] == '0':
		d.pos++
	case d.pos < len(d.data) && d.data[d.pos] >= '1' && d.data[d.pos] <= '9':
		for d.pos < len(d.data) && isDigit(d.data[d.pos]) {
			d.pos++
		}
	default:
		return nil, d.errorf("invalid number")
	}
	if d.pos < len(d.data) && d.data[d.pos] == '.' && d.pos+1 < len(d.data) && isDigit(d.data[d.pos+1]) {
		isFloat = true
		d.pos++
		for d.pos < len(d.data) && isDigit(d.data[d.pos]) {
			d.pos++
		}
	}
	if d.pos < len(d.data) && (d.data[d.pos] == 'e' || d.data[d.pos] == 'E') {
		p := d.pos + 1
		if p < len(d.data) && (d.data[p] == '+' || d.data[p] == '-') {
			p++
		}
		if p < len(d.data) && isDigit(d.data[p]) {
			isFloat = true
			for p < len(d.data) && isDigit(d.data[p]) {
				p++
			}
			d.pos = p
		}
	}
	text := d.data[start:d.pos]
	if isFloat {
		f, err := strconv.ParseFloat(text, 64)
		if err != nil && !isRangeErr(err) { // overflow is ±Inf, as in Python
			return nil, d.errorf("invalid number")
		}
		if f == 0 {
			return f, nil
		}
		return d.floats.box(float64Type, f, d.slabSize(4)), nil
	}
	if i, err := strconv.ParseInt(text, 10, 64); err == nil {
		return d.boxInt(i), nil
	}
	if digits := len(text) - boolInt(text[0] == '-'); digits > maxIntDigits {
		return nil, d.errorf("integer has more than %d digits", maxIntDigits)
	}
	b, ok := new(big.Int).SetString(text, 10)
	if !ok {
		return nil, d.errorf("invalid number")
	}
	return b, nil
}

// string reads a JSON string as Python's json module does: it refuses what
// Python's strict decoder refuses (raw control characters, bad escapes,
// and invalid UTF-8, which Flask fails to decode before parsing), and
// joins a high and a low surrogate escape into one code point. A lone
// surrogate escape ("\ud800", which Python keeps and writes back as is)
// becomes that code point in WTF-8: the three bytes UTF-8 would use were
// surrogates allowed (see the package documentation).
func (d *decoder) string() (string, error) {
	d.pos++ // '"'
	start := d.pos
	// Fast path: no escapes.
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		if c == '"' {
			s := d.data[start:d.pos]
			d.pos++
			return s, nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			return "", d.errorf("control character in string")
		}
		if c < utf8.RuneSelf {
			d.pos++
			continue
		}
		r, size := utf8.DecodeRuneInString(d.data[d.pos:])
		if r == utf8.RuneError && size == 1 {
			return "", d.errorf("invalid UTF-8")
		}
		d.pos += size
	}
	if d.arena == nil {
		// Unescaped text is never longer than its source.
		d.arena = make([]byte, 0, len(d.data)-start)
	}
	arenaStart := len(d.arena)
	buf := append(d.arena, d.data[start:d.pos]...)
	for {
		if d.pos >= len(d.data) {
			return "", d.errorf("unterminated string")
		}
		c := d.data[d.pos]
		switch {
		case c == '"':
			d.pos++
			d.arena = buf
			if len(buf) == arenaStart {
				return "", nil
			}
			return unsafe.String(&buf[arenaStart], len(buf)-arenaStart), nil
		case c == '\\':
			d.pos++
			if d.pos >= len(d.data) {
				return "", d.errorf("unterminated string")
			}
			esc := d.data[d.pos]
			d.pos++
			switch esc {
			case '"', '\\', '/':
				buf = append(buf, esc)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, ok := d.hex4()
				if !ok {
					return "", d.errorf("invalid \\u escape")
				}
				// CPython's scanstring: a high surrogate followed by a
				// \u escape reads that escape (failing if it is not hex),
				// and joins it only if it is a low surrogate.
				if r >= 0xd800 && r < 0xdc00 && len(d.data)-d.pos > 6 && d.data[d.pos] == '\\' && d.data[d.pos+1] == 'u' {
					next := d.pos
					d.pos += 2
					r2, ok := d.hex4()
					if !ok {
						return "", d.errorf("invalid \\u escape")
					}
					if r2 >= 0xdc00 && r2 <= 0xdfff {
						r = utf16.DecodeRune(r, r2)
					} else {
						d.pos = next
					}
				}
				buf = appendWTF8(buf, r)
			default:
				return "", d.errorf("invalid escape")
			}
		case c < 0x20:
			return "", d.errorf("control character in string")
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			d.pos++
		default:
			r, size := utf8.DecodeRuneInString(d.data[d.pos:])
			if r == utf8.RuneError && size == 1 {
				return "", d.errorf("invalid UTF-8")
			}
			buf = append(buf, d.data[d.pos:d.pos+size]...)
			d.pos += size
		}
	}
}

func (d *decoder) hex4() (rune, bool) {
	if len(d.data)-d.pos < 4 {
		return 0, false
	}
	var r rune
	for _, c := range d.data[d.pos : d.pos+4] {
		r <<= 4
		switch {
		case '0' <= c && c <= '9':
			r |= rune(c - '0')
		case 'a' <= c && c <= 'f':
			r |= rune(c - 'a' + 10)
		case 'A' <= c && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	d.pos += 4
	return r, true
}

// untag converts a one-key object whose key k is a registered tag (spec
// §5.2) and whose value is v. The value was already untagged: the walk is
// inner first, as in Flask. Where Flask converts an ill-typed tag value
// silently (" t" holding a string) or fails with HTTP 500, untag returns
// ErrPayload: only the type Flask itself writes is accepted for each tag.
func (d *decoder) untag(k string, v any) (any, error) {
	{
		switch k {
		case " t":
			l, ok := v.([]any)
			if !ok {
				return nil, d.errorf(`tag " t" does not hold a list`)
			}
			return d.tuples.box(tupleType, Tuple(l), d.slabSize(16)), nil
		case " b":
			s, ok := v.(string)
			if !ok {
				return nil, d.errorf(`tag " b" does not hold a string`)
			}
			b, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				return nil, d.errorf(`tag " b" is not base64`)
			}
			return b, nil
		case " m":
			s, ok := v.(string)
			if !ok {
				return nil, d.errorf(`tag " m" does not hold a string`)
			}
			return Markup(s), nil
		case " u":
			s, ok := v.(string)
			if !ok {
				return nil, d.errorf(`tag " u" does not hold a string`)
			}
			u, err := ParseUUID(s)
			if err != nil {
				return nil, d.errorf(`tag " u" is not a UUID`)
			}
			return u, nil
		case " d":
			s, ok := v.(string)
			if !ok {
				// werkzeug's parse_date gives None for None and for what
				// email.utils refuses with TypeError or ValueError: any
				// falsy value. Other values fail in it (HTTP 500).
				if falsy(v) {
					return nil, nil
				}
				return nil, d.errorf(`tag " d" does not hold a string`)
			}
			switch t, res := parseHTTPDate(s); res {
			case dateOK:
				return t, nil
			case dateError:
				return nil, d.errorf(`tag " d" makes Python's datetime overflow`)
			}
			return nil, nil // werkzeug's parse_date gives None
		case " di":
			inner, ok := v.(map[string]any)
			if !ok || len(inner) != 1 {
				return nil, d.errorf(`tag " di" does not hold a one-key object`)
			}
			for ik, iv := range inner {
				return map[string]any{dropLastRunes(ik, 2): iv}, nil
			}
		}
	}
	return map[string]any{k: v}, nil
}

// dropLastRunes is Python's key[:-n] on a str (code points, not bytes;
// a WTF-8 surrogate is one code point).
func dropLastRunes(s string, n int) string {
	for ; n > 0 && len(s) > 0; n-- {
		_, size := utf8.DecodeLastRuneInString(s)
		if size == 1 && len(s) >= 3 && isSurrogateWTF8(s[len(s)-3:]) {
			size = 3
		}
		s = s[:len(s)-size]
	}
	return s
}

// appendWTF8 appends r in UTF-8, or, for a surrogate code point, in the
// three bytes UTF-8's pattern gives it (WTF-8).
func appendWTF8(dst []byte, r rune) []byte {
	if utf16.IsSurrogate(r) {
		return append(dst, 0xe0|byte(r>>12), 0x80|byte(r>>6)&0x3f, 0x80|byte(r)&0x3f)
	}
	return utf8.AppendRune(dst, r)
}

// isSurrogateWTF8 reports whether s starts with a surrogate code point in
// WTF-8 (ED A0–BF 80–BF).
func isSurrogateWTF8(s string) bool {
	return len(s) >= 3 && s[0] == 0xed && s[1] >= 0xa0 && s[1] <= 0xbf && s[2] >= 0x80 && s[2] <= 0xbf
}

// falsy reports whether Python's bool() of the value v stands for is
// False.
func falsy(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case bool:
		return !x
	case int64:
		return x == 0
	case float64:
		return x == 0
	case string:
		return x == ""
	case Markup:
		return x == ""
	case []any:
		return len(x) == 0
	case Tuple:
		return len(x) == 0
	case []byte:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
