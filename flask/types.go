package flask

import (
	"encoding/hex"
	"fmt"
	"math"
	"math/big"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

var (
	nan    = math.NaN()
	posInf = math.Inf(1)
	negInf = math.Inf(-1)
)

// String returns u in the canonical dashed form,
// e.g. 12345678-1234-5678-1234-567812345678.
func (u UUID) String() string {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}

// ParseUUID reads what Python's uuid.UUID(str) reads: after removing
// every "urn:", "uuid:" and "-" and the braces at both ends, 32 code points
// that Python's int(text, 16) reads (hex digits, optionally with a sign,
// a 0x prefix, underscores between digits, surrounding whitespace, and
// any script's decimal digits): so 32 hex digits, dashed, braced or with a
// urn:uuid: prefix, in either case.
func ParseUUID(s string) (UUID, error) {
	var u UUID
	// The same transformations as uuid.UUID.__init__.
	s = strings.ReplaceAll(s, "urn:", "")
	s = strings.ReplaceAll(s, "uuid:", "")
	s = strings.Trim(s, "{}")
	s = strings.ReplaceAll(s, "-", "")
	if utf8.RuneCountInString(s) != 32 {
		return u, fmt.Errorf("flask: invalid UUID: want 32 hex digits")
	}
	digits, neg, ok := pyIntText(s, 16)
	if !ok || neg && strings.Trim(digits, "0") != "" {
		return u, fmt.Errorf("flask: invalid UUID: not hex")
	}
	digits = strings.Repeat("0", 32-len(digits)) + digits // at most 32 digits
	if _, err := hex.Decode(u[:], []byte(digits)); err != nil {
		return UUID{}, fmt.Errorf("flask: invalid UUID: not hex")
	}
	return u, nil
}

// pyIntText returns the digits (ASCII, without underscores) and the sign
// that Python's int(s, base) reads, for base 10 or 16, as CPython does it:
// non-ASCII whitespace becomes a space and decimal digits of any script
// their ASCII digit; then surrounding whitespace, a sign, for base
// 16 a "0x" prefix (which an underscore may follow), and digits with
// single underscores between them.
func pyIntText(s string, base int) (digits string, neg, ok bool) {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf: // as is: int() strips only " \t\n\r\v\f"
			b = append(b, byte(r))
		case isPySpace(r):
			b = append(b, ' ')
		case unicode.IsDigit(r):
			b = append(b, '0'+decimalValue(r))
		default:
			return "", false, false
		}
	}
	t := strings.Trim(string(b), " \t\n\r\v\f")
	if t != "" && (t[0] == '+' || t[0] == '-') {
		neg = t[0] == '-'
		t = t[1:]
	}
	if base == 16 && len(t) >= 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X') {
		t = t[2:]
		if t != "" && t[0] == '_' {
			t = t[1:]
		}
	}
	if t == "" || t[0] == '_' || t[len(t)-1] == '_' || strings.Contains(t, "__") {
		return "", false, false
	}
	out := make([]byte, 0, len(t))
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case c == '_':
			continue
		case '0' <= c && c <= '9', base == 16 && ('a' <= c && c <= 'f' || 'A' <= c && c <= 'F'):
			out = append(out, c)
		default:
			return "", false, false
		}
	}
	return string(out), neg, true
}

// decimalValue is the value of r, a decimal digit (Unicode category Nd).
// Nd code points come in contiguous runs of whole 0–9 sequences, so the
// value is the distance from the start of the run, modulo 10.
func decimalValue(r rune) byte {
	start := r
	for start > 0 && unicode.IsDigit(start-1) {
		start--
	}
	return byte((r - start) % 10)
}

// dateResult is what werkzeug's parse_date makes of a string.
type dateResult int

const (
	dateNone  dateResult = iota // None: email.utils refused it (TypeError, ValueError)
	dateOK                      // a datetime
	dateError                   // an exception parse_date lets through (OverflowError): HTTP 500
)

// parseHTTPDate reads a " d" value as werkzeug's parse_date does: with
// email.utils's parsedate_to_datetime, whose lenient parser (day names
// optional, RFC 850 and asctime forms, two-digit years, US zone names,
// numeric offsets) is ported here rule for rule, Python's unbounded
// integers included. The result is in UTC. Like werkzeug, it reports
// dateNone (nil in the session) for anything that parser refuses or that
// is not a valid date, and dateError where Python raises OverflowError
// (a field beyond a C int, an offset beyond timedelta's range), which
// parse_date does not catch.
func parseHTTPDate(s string) (time.Time, dateResult) {
	const none = dateNone
	data := strings.FieldsFunc(s, isPySpace)
	if len(data) == 0 {
		return time.Time{}, none
	}
	if strings.HasSuffix(data[0], ",") || isDayName(strings.ToLower(data[0])) {
		data = data[1:]
	} else if i := strings.LastIndexByte(data[0], ','); i >= 0 {
		data[0] = data[0][i+1:]
	}
	if len(data) == 3 { // RFC 850: 14-Nov-23
		if stuff := strings.Split(data[0], "-"); len(stuff) == 3 {
			data = append(stuff, data[1:]...)
		}
	}
	if len(data) == 4 {
		s := data[3]
		i := strings.IndexByte(s, '+')
		if i == -1 {
			i = strings.IndexByte(s, '-')
		}
		if i > 0 {
			data = append(data[:3:3], s[:i], s[i:])
		} else {
			data = append(data, "")
		}
	}
	if len(data) < 5 {
		return time.Time{}, none
	}
	dd, mm, yy, tm, tz := data[0], data[1], data[2], data[3], data[4]
	if dd == "" || mm == "" || yy == "" {
		return time.Time{}, none
	}
	month := monthIndex(strings.ToLower(mm))
	if month == 0 {
		dd, mm = mm, strings.ToLower(dd)
		if month = monthIndex(mm); month == 0 {
			return time.Time{}, none
		}
	}
	dd = strings.TrimSuffix(dd, ",")
	if strings.IndexByte(yy, ':') > 0 {
		yy, tm = tm, yy
	}
	if strings.HasSuffix(yy, ",") {
		if yy = yy[:len(yy)-1]; yy == "" {
			return time.Time{}, none
		}
	}
	if r, _ := utf8.DecodeRuneInString(yy); yy == "" || !unicode.IsDigit(r) { // yy[0].isdigit()
		yy, tz = tz, yy
	}
	tm = strings.TrimSuffix(tm, ",")
	parts := strings.Split(tm, ":")
	if len(parts) == 1 && strings.Contains(tm, ".") {
		parts = strings.Split(tm, ".")
	}
	var thh, tmm, tss string
	switch len(parts) {
	case 2:
		thh, tmm, tss = parts[0], parts[1], "0"
	case 3:
		thh, tmm, tss = parts[0], parts[1], parts[2]
	default:
		return time.Time{}, none
	}
	var n [5]*big.Int
	for i, f := range []string{yy, dd, thh, tmm, tss} {
		v, ok := pyBigInt(f)
		if !ok {
			return time.Time{}, none
		}
		n[i] = v
	}
	year, day, hour, minute, sec := n[0], n[1], n[2], n[3], n[4]
	if year.Cmp(big.NewInt(100)) < 0 {
		if year.Cmp(big.NewInt(68)) > 0 {
			year.Add(year, big.NewInt(1900))
		} else {
			year.Add(year, big.NewInt(2000))
		}
	}
	// The offset in seconds: ±hhmm, as email.utils computes it.
	offset := new(big.Int)
	if o, ok := emailZones[strings.ToUpper(tz)]; ok {
		offset.SetInt64(o)
	} else if o, ok := pyBigInt(tz); ok {
		offset = o
	}
	if offset.Sign() != 0 {
		sign := int64(offset.Sign())
		offset.Abs(offset)
		h, m := new(big.Int).QuoRem(offset, big.NewInt(100), new(big.Int))
		offset = h.Mul(h, big.NewInt(3600)).Add(h, m.Mul(m, big.NewInt(60))).Mul(h, big.NewInt(sign))
		// timedelta(seconds=offset) holds at most 999999999 days;
		// timezone() takes less than a day either way.
		days := new(big.Int).Div(offset, big.NewInt(86400))
		if days.CmpAbs(big.NewInt(999999999)) > 0 {
			return time.Time{}, dateError
		}
		if offset.CmpAbs(big.NewInt(86400)) >= 0 {
			return time.Time{}, none
		}
	}
	// datetime(...) takes C ints, then refuses out-of-range fields.
	for _, v := range n {
		if !v.IsInt64() || v.Int64() > math.MaxInt32 || v.Int64() < math.MinInt32 {
			return time.Time{}, dateError
		}
	}
	y, d, hh, mi, ss := year.Int64(), day.Int64(), hour.Int64(), minute.Int64(), sec.Int64()
	if y < 1 || y > 9999 || d < 1 || d > int64(daysIn(time.Month(month), int(y))) ||
		hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 59 {
		return time.Time{}, none
	}
	t := time.Date(int(y), time.Month(month), int(d), int(hh), int(mi), int(ss), 0, time.UTC)
	return t.Add(-time.Duration(offset.Int64()) * time.Second), dateOK
}

// isPySpace is Python's str.isspace, which str.split() splits on.
func isPySpace(r rune) bool {
	return unicode.IsSpace(r) || r >= 0x1c && r <= 0x1f
}

func isDayName(s string) bool {
	switch s {
	case "mon", "tue", "wed", "thu", "fri", "sat", "sun":
		return true
	}
	return false
}

var monthNames = []string{
	"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
	"january", "february", "march", "april", "may", "june", "july", "august",
	"september", "october", "november", "december",
}

// monthIndex is 1–12 for a month name or abbreviation, else 0.
func monthIndex(s string) int {
	for i, m := range monthNames {
		if s == m {
			return i%12 + 1
		}
	}
	return 0
}

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// emailZones are the zone names email.utils knows, as ±hhmm.
var emailZones = map[string]int64{
	"UT": 0, "UTC": 0, "GMT": 0, "Z": 0,
	"AST": -400, "ADT": -300, "EST": -500, "EDT": -400, "CST": -600,
	"CDT": -500, "MST": -700, "MDT": -600, "PST": -800, "PDT": -700,
}

// pyBigInt is Python's int(s) (see pyIntText), which fails (ValueError)
// past 4300 digits, CPython's default int_max_str_digits.
func pyBigInt(s string) (*big.Int, bool) {
	digits, neg, ok := pyIntText(s, 10)
	if !ok || len(digits) > maxIntDigits {
		return nil, false
	}
	v, ok := new(big.Int).SetString(digits, 10)
	if !ok {
		return nil, false
	}
	if neg {
		v.Neg(v)
	}
	return v, true
}
