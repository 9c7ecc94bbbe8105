package flask

import (
	"fmt"
)

// Parse splits cookie without verifying it: for tools that show what a
// cookie holds (the result must be labelled unverified). It checks the
// structure only: three fields split from the right, a well-formed
// timestamp, a base64url signature.
func Parse(cookie string) (Parts, error) {
	payload, ts, sig, err := split(cookie)
	if err != nil {
		return Parts{}, err
	}
	t, err := decodeTimestamp(ts)
	if err != nil {
		return Parts{}, err
	}
	if _, err := b64.DecodeString(sig); err != nil || sig == "" {
		return Parts{}, fmt.Errorf("%w: signature is not base64url", ErrMalformed)
	}
	return Parts{
		Payload:    payload,
		Timestamp:  t,
		Signature:  sig,
		Compressed: len(payload) > 0 && payload[0] == '.',
	}, nil
}

// PayloadJSON returns the JSON text of a payload field (decompressing at
// most max bytes when it starts with "."). A max of 0 or less means
// DefaultMaxDecompressed. It fails with ErrPayload for bad base64 or zlib
// and ErrTooLarge past max.
func PayloadJSON(payload string, max int) ([]byte, error) {
	if max <= 0 {
		max = DefaultMaxDecompressed
	}
	return payloadJSON(nil, payload, max, stdCompressor{})
}

// payloadJSON appends the JSON text of payload to dst.
func payloadJSON(dst []byte, payload string, max int, comp Compressor) ([]byte, error) {
	compressed := len(payload) > 0 && payload[0] == '.'
	if compressed {
		payload = payload[1:]
	}
	if payload == "" {
		return dst, fmt.Errorf("%w: empty payload", ErrPayload)
	}
	n := b64.DecodedLen(len(payload))
	if !compressed && n > max {
		return dst, fmt.Errorf("%w: payload is %d bytes, more than %d", ErrTooLarge, n, max)
	}
	// The base64 decoder reads bytes: copy the text into a pooled buffer
	// rather than converting (which allocates).
	sp := getBytes()
	defer putBytes(sp)
	src := append((*sp)[:0], payload...)
	*sp = src
	if compressed {
		zp := getBytes()
		defer putBytes(zp)
		z, err := b64.AppendDecode((*zp)[:0], src)
		*zp = z
		if err != nil {
			return dst, fmt.Errorf("%w: payload is not base64url", ErrPayload)
		}
		return inflateZlib(dst, z, max, comp)
	}
	out, err := b64.AppendDecode(dst, src)
	if err != nil {
		return dst, fmt.Errorf("%w: payload is not base64url", ErrPayload)
	}
	return out, nil
}
