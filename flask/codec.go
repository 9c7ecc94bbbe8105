package flask

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// NewCodec returns a Codec using s, with the defaults above.
// A nil s gives a Codec whose methods all fail.
func NewCodec(s *Signer) *Codec {
	return &Codec{
		MaxAge:          DefaultMaxAge,
		Compression:     CompressAuto,
		MaxDecompressed: DefaultMaxDecompressed,
		MaxDepth:        DefaultMaxDepth,
		signer:          s,
	}
}

// errNoSigner is returned by a Codec not made with NewCodec.
var errNoSigner = errors.New("flask: Codec has no Signer: make it with NewCodec")

// Signer returns the codec's signer.
func (c *Codec) Signer() *Signer { return c.signer }

// AutoCompressMin is the JSON size from which CompressAuto compresses
// (when that saves at least 2 bytes, as Flask requires). Below it, the
// cookie is written uncompressed unless it would then exceed
// MaxCookieSize. See the package documentation for the measurements
// behind the figure.
const AutoCompressMin = 512

// bytePool holds scratch buffers for encoding and decoding.
var bytePool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

func getBytes() *[]byte { return bytePool.Get().(*[]byte) }

// putBytes returns b to the pool, unless it grew past what sessions need.
func putBytes(b *[]byte) {
	if cap(*b) <= 128<<10 {
		*b = (*b)[:0]
		bytePool.Put(b)
	}
}

// Encode returns the cookie value for v signed at now. It fails with
// ErrUnsupported for a value Marshal cannot write, and with a *SizeError
// (ErrTooLarge) when the cookie would be longer than MaxCookieSize
// (browsers drop such a cookie silently, and Decode would refuse it).
//
// Compression starts at the fastest level; when the cookie does not fit,
// Encode tries harder (zlib's default and best levels, then a parse with
// 3-byte matches, which compress/flate never makes but zlib does) before
// refusing, so that every session Flask can store in a cookie, Encode can
// store too.
func (c *Codec) Encode(v map[string]any, now time.Time) (string, error) {
	if c.signer == nil {
		return "", errNoSigner
	}
	jp := getBytes()
	defer putBytes(jp)
	e := encoder{buf: (*jp)[:0], maxDepth: c.maxDepth()}
	err := e.object(v, 1)
	*jp = e.buf
	if err != nil {
		return "", err
	}
	js := e.buf
	if len(js) > c.maxDecompressed() {
		return "", fmt.Errorf("%w: the JSON is %d bytes, more than MaxDecompressed (%d): Decode would refuse the cookie", ErrTooLarge, len(js), c.maxDecompressed())
	}
	overhead := cookieOverhead(c.signer, now.Unix())
	plain := b64.EncodedLen(len(js)) + overhead
	compress := false
	switch c.Compression {
	case CompressFlask:
		compress = true
	case CompressAuto:
		compress = len(js) >= AutoCompressMin || plain > MaxCookieSize
	}
	body, n, dot := js, plain, false
	if compress {
		// zp receives each attempt, bp holds the smallest stream so far.
		zp, bp := getBytes(), getBytes()
		defer putBytes(zp)
		defer putBytes(bp)
		comp := c.compressor()
		have := false
		for _, level := range compressionLevels {
			z, err := appendZlib((*zp)[:0], js, comp, level)
			*zp = z
			if err != nil {
				return "", fmt.Errorf("flask: compressing the payload: %w", err)
			}
			// Flask's rule: compress only when it saves at least 2 bytes
			// (spec §1).
			if len(z) < len(js)-1 && (!have || len(z) < len(*bp)) {
				zp, bp, have = bp, zp, true
				body, n, dot = *bp, 1+b64.EncodedLen(len(*bp))+overhead, true
			}
			if n <= MaxCookieSize {
				break
			}
		}
	}
	if n > MaxCookieSize {
		return "", &SizeError{Size: n, Limit: MaxCookieSize}
	}
	op := getBytes()
	defer putBytes(op)
	out := (*op)[:0]
	if dot {
		out = append(out, '.')
	}
	out = b64.AppendEncode(out, body)
	out = c.signer.appendSignedInPlace(out, len(out), now.Unix())
	*op = out
	return string(out), nil
}

// SizeError is Encode's error for a cookie that would be longer than
// MaxCookieSize. It wraps ErrTooLarge.
type SizeError struct {
	Size  int // length of the cookie value Encode would write
	Limit int // MaxCookieSize
}

func (e *SizeError) Error() string {
	return fmt.Sprintf("%v: cookie would be %d bytes, more than %d", ErrTooLarge, e.Size, e.Limit)
}

// Unwrap returns ErrTooLarge.
func (e *SizeError) Unwrap() error { return ErrTooLarge }

// cookieOverhead is the length of "." timestamp "." signature at unix.
func cookieOverhead(s *Signer, unix int64) int {
	var b [12]byte
	return 1 + len(appendTimestamp(b[:0], unix)) + 1 + b64.EncodedLen(s.sumSize)
}

func (c *Codec) maxDepth() int {
	if c.MaxDepth <= 0 {
		return DefaultMaxDepth
	}
	return c.MaxDepth
}

func (c *Codec) maxDecompressed() int {
	if c.MaxDecompressed <= 0 {
		return DefaultMaxDecompressed
	}
	return c.MaxDecompressed
}

// Decode verifies cookie and returns its values.
//
// The order of checks bounds the work an attacker can cause: length (more
// than MaxCookieSize is ErrTooLarge before anything else), structure
// (ErrMalformed), signature (ErrSignature; nothing is decoded before it
// verifies), age (ErrExpired), then the payload: base64, zlib capped at
// MaxDecompressed (ErrTooLarge), JSON capped at MaxDepth (ErrTooDeep), and
// tags (ErrPayload). Errors never contain the cookie or the key.
//
// Values come back as: nil, bool, string (in WTF-8 when it holds a lone
// surrogate, see the package documentation), int64 (integers beyond int64
// as *big.Int, exactly), float64 (NaN and ±Inf included), []any,
// map[string]any, Tuple, []byte, Markup, UUID, and time.Time in UTC; an
// unparseable " d" date is nil, as in Flask. Encode writes each of them
// back as Flask would. The values share no memory with anything a later
// call writes.
func (c *Codec) Decode(cookie string, now time.Time) (map[string]any, error) {
	if c.signer == nil {
		return nil, errNoSigner
	}
	if len(cookie) > MaxCookieSize {
		return nil, fmt.Errorf("%w: cookie is %d bytes, more than %d", ErrTooLarge, len(cookie), MaxCookieSize)
	}
	payload, ts, _, err := c.signer.Unsign(cookie)
	if err != nil {
		return nil, err
	}
	if err := CheckAge(ts, now, c.MaxAge, c.Skew); err != nil {
		return nil, err
	}
	return c.DecodePayload(payload)
}

// DecodePayload returns the values of a cookie's payload field (leading
// "." of a compressed payload included), for a cookie whose signature and
// age the caller has verified with the Codec's Signer and CheckAge. It
// applies Decode's payload checks: base64, zlib capped at MaxDecompressed,
// JSON capped at MaxDepth, and tags.
func (c *Codec) DecodePayload(payload string) (map[string]any, error) {
	if len(payload) > MaxCookieSize {
		return nil, fmt.Errorf("%w: payload is %d bytes, more than %d", ErrTooLarge, len(payload), MaxCookieSize)
	}
	bp := getBytes()
	defer putBytes(bp)
	js, err := payloadJSON((*bp)[:0], payload, c.maxDecompressed(), c.compressor())
	*bp = js
	if err != nil {
		return nil, err
	}
	return unmarshal(string(js), c.maxDepth())
}

// Refresh re-signs the payload of a cookie that Decode accepted with a new
// timestamp, without decoding or re-encoding the payload. It verifies the
// signature and age again (so that it can never turn an unsigned or expired
// value into a valid one), which costs one more HMAC but no base64, zlib or
// JSON work; a cookie signed with a fallback key comes back signed with the
// current key.
func (c *Codec) Refresh(cookie string, now time.Time) (string, error) {
	if c.signer == nil {
		return "", errNoSigner
	}
	if len(cookie) > MaxCookieSize {
		return "", fmt.Errorf("%w: cookie is %d bytes, more than %d", ErrTooLarge, len(cookie), MaxCookieSize)
	}
	payload, ts, _, err := c.signer.Unsign(cookie)
	if err != nil {
		return "", err
	}
	if err := CheckAge(ts, now, c.MaxAge, c.Skew); err != nil {
		return "", err
	}
	op := getBytes()
	defer putBytes(op)
	out := append((*op)[:0], payload...)
	out = c.signer.appendSignedInPlace(out, len(out), now.Unix())
	*op = out
	return string(out), nil
}
