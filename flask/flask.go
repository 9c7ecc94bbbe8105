// API contract of package flask. The bodies below are placeholders that the
// package's implementation replaces; the exported names and signatures are
// what the rest of the module builds on.

package flask

import (
	"errors"
	"hash"
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
	// DefaultMaxDepth caps JSON nesting.
	DefaultMaxDepth = 64
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

// Signer signs and verifies itsdangerous timestamped values as Flask does.
type Signer struct{}

// NewSigner returns a Signer with Flask's settings (salt "cookie-session",
// HMAC key derivation, SHA-1). key signs; fallbacks only verify and are given
// in SECRET_KEY_FALLBACKS order (oldest first); they are tried newest first
// after key.
func NewSigner(key []byte, fallbacks ...[]byte) (*Signer, error) { panic("unimplemented") }

// NewCustomSigner is NewSigner with another salt and hash.
func NewCustomSigner(salt string, h func() hash.Hash, key []byte, fallbacks ...[]byte) (*Signer, error) {
	panic("unimplemented")
}

// Sign returns payload "." timestamp "." signature.
func (s *Signer) Sign(payload string, now time.Time) string { panic("unimplemented") }

// Unsign verifies value's signature and returns its payload and timestamp
// (Unix seconds). key is 0 when the current key matched and i when
// fallbacks[i-1] did. It does not check the age: see CheckAge.
func (s *Signer) Unsign(value string) (payload string, ts int64, key int, err error) {
	panic("unimplemented")
}

// CheckAge reports ErrExpired when now-ts > maxAge or ts-now > skew.
// A negative maxAge disables the upper bound.
func CheckAge(ts int64, now time.Time, maxAge, skew time.Duration) error { panic("unimplemented") }

// Codec reads and writes Flask session cookies. Fields may be changed after
// NewCodec and before first use.
type Codec struct {
	MaxAge          time.Duration // default DefaultMaxAge; negative: no limit
	Skew            time.Duration // default 0
	Compression     Compression   // default CompressAuto
	MaxDecompressed int           // default DefaultMaxDecompressed
	MaxDepth        int           // default DefaultMaxDepth
}

// NewCodec returns a Codec using s, with the defaults above.
func NewCodec(s *Signer) *Codec { panic("unimplemented") }

// Signer returns the codec's signer.
func (c *Codec) Signer() *Signer { panic("unimplemented") }

// Encode returns the cookie value for v signed at now.
func (c *Codec) Encode(v map[string]any, now time.Time) (string, error) { panic("unimplemented") }

// Decode verifies cookie and returns its values.
func (c *Codec) Decode(cookie string, now time.Time) (map[string]any, error) {
	panic("unimplemented")
}

// Refresh re-signs the payload of a cookie that Decode accepted with a new
// timestamp, without decoding or re-encoding the payload (one HMAC).
func (c *Codec) Refresh(cookie string, now time.Time) (string, error) { panic("unimplemented") }

// Parts is a cookie split into its fields, not verified.
type Parts struct {
	Payload    string // as in the cookie, leading "." included when compressed
	Timestamp  int64  // Unix seconds
	Signature  string
	Compressed bool
}

// Parse splits cookie without verifying it.
func Parse(cookie string) (Parts, error) { panic("unimplemented") }

// PayloadJSON returns the JSON text of a payload field (decompressing at
// most max bytes when it starts with ".").
func PayloadJSON(payload string, max int) ([]byte, error) { panic("unimplemented") }

// Marshal returns v as Flask's tagged JSON, byte-identical to Flask.
func Marshal(v map[string]any) ([]byte, error) { panic("unimplemented") }

// Unmarshal parses Flask's tagged JSON into a session map, with depth capped
// at DefaultMaxDepth.
func Unmarshal(data []byte) (map[string]any, error) { panic("unimplemented") }
