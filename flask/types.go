package flask

import (
	"encoding/hex"
	"fmt"
	"math"
	"strings"
	"time"
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

// ParseUUID reads the forms Python's uuid.UUID(str) reads: 32 hex digits,
// optionally with dashes, braces and a "urn:uuid:" prefix, in either case.
func ParseUUID(s string) (UUID, error) {
	var u UUID
	if len(s) > 64 {
		return u, fmt.Errorf("flask: invalid UUID: too long")
	}
	// The same transformations as uuid.UUID.__init__.
	s = strings.ReplaceAll(s, "urn:", "")
	s = strings.ReplaceAll(s, "uuid:", "")
	s = strings.Trim(s, "{}")
	s = strings.ReplaceAll(s, "-", "")
	if len(s) != 32 {
		return u, fmt.Errorf("flask: invalid UUID: want 32 hex digits")
	}
	if _, err := hex.Decode(u[:], []byte(s)); err != nil {
		return UUID{}, fmt.Errorf("flask: invalid UUID: not hex")
	}
	return u, nil
}

// parseHTTPDate reads the date forms werkzeug's parse_date reads in
// practice: RFC 1123 (what Flask writes), RFC 850 and asctime, with "GMT",
// "UT", "UTC", "Z" or a numeric offset. The result is in UTC. Werkzeug's
// parser (email.utils) accepts still looser spellings; a " d" value that
// this function cannot read decodes to nil, as an unparseable one does in
// Flask.
func parseHTTPDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if len(s) > 64 {
		return time.Time{}, false
	}
	for _, layout := range httpDateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			t = t.UTC()
			// email.utils reads any year below 100 as two-digit: 0–68 is
			// 20xx, 69–99 is 19xx. Flask therefore reads back the year
			// 0085 it wrote as 1985; so does this function.
			if y := t.Year(); y < 100 {
				if y <= 68 {
					t = t.AddDate(2000, 0, 0)
				} else {
					t = t.AddDate(1900, 0, 0)
				}
			}
			return t, true
		}
	}
	return time.Time{}, false
}

var httpDateLayouts = []string{
	"Mon, 02 Jan 2006 15:04:05 GMT",
	"Mon, 2 Jan 2006 15:04:05 GMT",
	"Mon, 02 Jan 2006 15:04:05 UTC",
	"Mon, 02 Jan 2006 15:04:05 UT",
	"Mon, 02 Jan 2006 15:04:05 Z",
	"Mon, 02 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"02 Jan 2006 15:04:05 GMT",
	"02 Jan 2006 15:04:05 -0700",
	"Monday, 02-Jan-06 15:04:05 GMT",
	"Mon Jan _2 15:04:05 2006",
}
