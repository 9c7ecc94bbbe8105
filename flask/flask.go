package flask

import (
	"errors"
	"time"
)

// Defaults, as Flask configures its session cookie.
const (
	// DefaultSalt is the salt Flask's SecureCookieSessionInterface uses.
	DefaultSalt = "cookie-session"
	// DefaultMaxAge is Flask's PERMANENT_SESSION_LIFETIME default.
	DefaultMaxAge = 31 * 24 * time.Hour
	// MaxCookieSize is the largest cookie value Decode looks at (browsers
	// keep at most 4096 bytes of name and value).
	MaxCookieSize = 4096
	// DefaultMaxDecompressed caps the decompressed payload.
	DefaultMaxDecompressed = 64 << 10
	// DefaultMaxDepth caps JSON nesting. CPython (3.11) counts every
	// nested JSON array or object against its recursion limit, 1000 by
	// default, so no Flask reads a session nested deeper; Flask 2.2 reads
	// up to 976 levels in a request, Flask 3.1 up to 491 (docs/FLASK.md).
	DefaultMaxDepth = 1000
)

// Errors returned (wrapped) by this package. Callers tell failures apart
// with errors.Is.
var (
	ErrMalformed   = errors.New("flask: malformed cookie")
	ErrSignature   = errors.New("flask: bad signature")
	ErrExpired     = errors.New("flask: signature expired")
	ErrTooLarge    = errors.New("flask: too large")
	ErrTooDeep     = errors.New("flask: nested too deeply")
	ErrPayload     = errors.New("flask: bad payload")
	ErrUnsupported = errors.New("flask: unsupported value")
)

// Tuple is a Python tuple (tag " t").
type Tuple []any

// Markup is markupsafe.Markup (tag " m"). It is deliberately not
// template.HTML: a cookie's content is never trusted HTML.
type Markup string

// UUID is a uuid.UUID (tag " u").
type UUID [16]byte

// Compression selects when Encode compresses the payload.
type Compression int

const (
	// CompressAuto compresses only when the payload is large or when
	// compression is needed to fit MaxCookieSize.
	CompressAuto Compression = iota
	// CompressFlask follows Flask exactly: compress when it saves >= 2 bytes.
	CompressFlask
	// CompressNever never compresses.
	CompressNever
)

// Codec reads and writes Flask session cookies. Fields may be changed after
// NewCodec and before first use.
type Codec struct {
	// MaxAge is the oldest signature Decode accepts, in whole seconds as
	// Flask counts them: Flask's PERMANENT_SESSION_LIFETIME, which it
	// applies to every cookie. Default DefaultMaxAge; negative: no limit.
	MaxAge time.Duration
	// Skew is how far in the future a signature may be (a clock ahead of
	// ours). Default 0, as in Flask.
	Skew time.Duration
	// Compression selects when Encode compresses. Default CompressAuto.
	Compression Compression
	// MaxDecompressed caps the JSON text of a compressed payload.
	// Default DefaultMaxDecompressed; 0 or less means the default.
	MaxDecompressed int
	// MaxDepth caps JSON nesting, the session object itself counting as 1
	// (a tag such as {" t": [...]} counts its object and its list).
	// Default DefaultMaxDepth; 0 or less means the default.
	MaxDepth int
	// Compressor makes and reads the DEFLATE streams of compressed
	// payloads (the zlib framing around them is the Codec's). Default
	// nil: the standard library's compress/flate.
	Compressor Compressor

	signer *Signer
}

// Parts is a cookie split into its fields, not verified.
type Parts struct {
	Payload    string // as in the cookie, leading "." included when compressed
	Timestamp  int64  // Unix seconds
	Signature  string // URL-safe base64, unpadded, as in the cookie
	Compressed bool   // the payload starts with "." (zlib)
}
