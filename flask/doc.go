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
// JSON.
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
// It is stricter than Flask where Flask's leniency only serves attackers
// (Flask never writes these forms): padded or non-canonical base64 in the
// signature (so each cookie has one spelling), duplicate JSON keys
// (Python keeps the last, other parsers the first), invalid UTF-8 and lone
// surrogate escapes, data after the JSON object or after the zlib stream,
// a top level that is not an object (Flask accepts null, [] and lists of
// pairs), tags holding the wrong type (Flask converts some silently and
// fails with HTTP 500 on others), and integers of more than 4300 digits
// (CPython's own limit). An unparseable {" d": …} date decodes to nil,
// exactly as in Flask.
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
