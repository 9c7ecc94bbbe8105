// Package flask reads and writes Flask's session cookies, byte for byte:
// a Go service and a Flask service that share one SECRET_KEY share their
// users' sessions.
//
// A cookie is payload "." timestamp "." signature (itsdangerous's
// URLSafeTimedSerializer as Flask configures it: salt "cookie-session",
// HMAC key derivation, HMAC-SHA1, unpadded URL-safe base64), where the
// payload is Flask's tagged JSON, zlib-compressed behind a leading "."
// when that pays. The package is pure functions over bytes: no net/http,
// no goroutines, and every type is safe for concurrent use once
// configured.
//
//	s, err := flask.NewSigner(secretKey)          // plus fallbacks to rotate keys
//	c := flask.NewCodec(s)
//	cookie, err := c.Encode(map[string]any{"usuario": "Maria"}, time.Now())
//	values, err := c.Decode(cookie, time.Now())  // errors.Is(err, flask.ErrExpired) …
//
// # Values
//
// Encode writes what Flask writes for the same session: compact JSON with
// keys sorted at every depth, ASCII only (\uXXXX, surrogate pairs), Python's
// float repr, NaN and Infinity as bare tokens, and Flask's tags: Tuple as
// {" t": …} (flash messages are tuples), []byte as {" b": …}, Markup as
// {" m": …}, UUID as {" u": …}, time.Time as {" d": HTTP date} at second
// resolution in UTC, and the {" di": …} escape for a one-key map whose key
// looks like a tag. Decode gives back: nil, bool, string, int64 (*big.Int
// beyond int64, exactly), float64, []any, map[string]any, Tuple, []byte,
// Markup, UUID and time.Time, so that a decoded session encodes to the same
// JSON. Normalize converts other Go values (other integer types, slices,
// string-keyed maps, pointers) to those types, or says which part cannot
// be stored; Encode uses it.
//
// # Lone surrogates
//
// Python strings may hold surrogate code points on their own, which JSON
// writes as "\ud800" and UTF-8 cannot encode: a JSON request body can put
// one in a Flask session. Decode keeps such a string as a Go string in
// WTF-8 (the three bytes UTF-8's pattern gives the surrogate, here ED A0
// 80), and Encode writes it back as "\ud800", so the session survives a
// Go write byte for byte. These strings, and only these, fail
// utf8.ValidString; printing them shows U+FFFD, as encoding/json and
// html/template do. Encode accepts WTF-8 but not a high surrogate directly
// followed by a low one (that pair is one code point in UTF-8), nor other
// invalid UTF-8.
//
// Markup is deliberately not html/template.HTML: whoever holds the key can
// put anything in a cookie, and it must never be trusted as HTML.
//
// # Hostile cookies
//
// Decode checks, in order: length (more than MaxCookieSize bytes is
// ErrTooLarge, before any decoding), structure (ErrMalformed), signature
// (ErrSignature, compared in constant time; nothing is decoded before it
// verifies), age (ErrExpired), then the payload: base64, zlib capped at
// MaxDecompressed (ErrTooLarge, with memory bounded by the cap whatever the
// compression ratio), JSON nesting capped at MaxDepth (ErrTooDeep) and
// tags (ErrPayload). It never panics, and its errors never contain the
// cookie or the key.
//
// Every session Flask writes, Decode reads, and Encode writes back as
// Flask would: zlib streams are read exactly as CPython's zlib.decompress
// reads them (bytes after the checksum ignored, no preset dictionary), and
// DefaultMaxDepth (1000) is deeper than CPython lets Flask read. Decode is
// stricter than Flask only where Flask's leniency serves attackers, on
// forms Flask never writes: padded or non-canonical base64 (so each cookie
// has one spelling), duplicate JSON keys (Python keeps the last, other
// parsers the first), data after the JSON object, a top level that is not
// an object (Flask accepts null, [] and lists of pairs), tags holding the
// wrong type (Flask converts some silently and fails with HTTP 500 on
// others), and a payload inflating past MaxDecompressed (64 KiB; Flask has
// no cap). An unparseable {" d": …} date decodes to nil, exactly as in
// Flask; invalid UTF-8 and integers of more than 4300 digits fail in both.
//
// # Compression
//
// Flask compresses whenever zlib saves at least 2 bytes (CompressFlask).
// Deflate costs 12–25 µs per cookie on a 2-core machine (zlib.BestSpeed;
// the default level costs 1.4–3 times as much for output 2–7% smaller),
// while Flask reads uncompressed cookies just as well. The default,
// CompressAuto, therefore compresses only JSON of AutoCompressMin (512)
// bytes or more, or a cookie that would not fit MaxCookieSize otherwise.
// Measured on the lesson's name lists, 139 bytes of JSON compress from 186
// to 167 payload bytes and 331 bytes from 442 to 305 (15 µs to save 137
// bytes), while 523 bytes go from 698 to 315 and 1467 from 1956 to 335:
// above ~500 bytes compression saves more than half the cookie, which the
// browser sends with every request. docs/FLASK.md has the figures.
package flask
