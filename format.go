package session

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sessionkit/session/flask"
	"github.com/sessionkit/session/seal"
)

// A dataFormat writes a session's data into its cookie and reads it back:
// Flask's signed cookie (readable by the client, as Flask's), or an SK1
// token (package seal: encrypted). Both carry Flask's tagged JSON.
type dataFormat interface {
	// open verifies value, the session cookie's value, at now: its
	// signature (or seal) and age. Nothing of it is decoded before.
	open(value string, now time.Time) (opened, error)
	// decode returns the values of an opened cookie.
	decode(o opened) (map[string]any, error)
	// encode writes values into a cookie value issued at now, or fails
	// with a *CookieTooLargeError (its Size is the value's length; the
	// caller adds the name) or an error wrapping flask.ErrUnsupported. It
	// also returns the key under which the cache of verified cookies
	// keeps the value's content (see opened.cacheKey).
	encode(values map[string]any, now time.Time) (string, cacheKey, error)
	// reissue writes an opened cookie again, unchanged, issued at iat:
	// now for a refresh that slides the expiry, the original issue time for
	// a move to the current key that must not extend the cookie's life.
	reissue(o opened, iat time.Time) (string, error)
}

// opened is a verified session cookie.
type opened struct {
	payload string    // flask: the signed payload; seal: the plaintext
	issued  time.Time // when it was signed or sealed
	// rotate: opened with a key being retired; write it again with the
	// current key (sealed cookies only: Flask does not).
	rotate bool
	// signed: a Flask signed cookie read by a sealed Manager during its
	// migration window; it is written again, sealed.
	signed bool
	// plain: payload is an SK1 token's plaintext (Flask's tagged JSON),
	// not a Flask cookie's signed payload.
	plain bool
}

// cacheKey is the key of o's content in the cache of verified cookies:
// the text decoding reads.
func (o opened) cacheKey() cacheKey {
	if o.plain {
		return cacheKey{cacheSealed, o.payload}
	}
	return cacheKey{cacheFlask, o.payload}
}

// flaskFormat is Flask's signed cookie.
type flaskFormat struct {
	codec *flask.Codec // MaxAge is the Manager's Lifetime
}

func (f flaskFormat) open(value string, now time.Time) (opened, error) {
	if len(value) > flask.MaxCookieSize {
		return opened{}, fmt.Errorf("%w: %d bytes", flask.ErrTooLarge, len(value))
	}
	payload, ts, _, err := f.codec.Signer().Unsign(value)
	if err == nil {
		err = flask.CheckAge(ts, now, f.codec.MaxAge, f.codec.Skew)
	}
	if err != nil {
		return opened{}, err
	}
	return opened{payload: payload, issued: time.Unix(ts, 0)}, nil
}

func (f flaskFormat) decode(o opened) (map[string]any, error) {
	return f.codec.DecodePayload(o.payload)
}

func (f flaskFormat) encode(values map[string]any, now time.Time) (string, cacheKey, error) {
	value, err := f.codec.Encode(values, now)
	if se, ok := errors.AsType[*flask.SizeError](err); ok {
		return "", cacheKey{}, &CookieTooLargeError{Size: se.Size, Limit: flask.MaxCookieSize}
	}
	if errors.Is(err, flask.ErrTooLarge) {
		// More JSON than a reader inflates: too large, whatever the
		// compression.
		return "", cacheKey{}, &CookieTooLargeError{Limit: flask.MaxCookieSize}
	}
	if err != nil {
		return "", cacheKey{}, err
	}
	// The payload is what Unsign returns for value: all before the last
	// two dots.
	i := strings.LastIndexByte(value, '.')
	i = strings.LastIndexByte(value[:max(i, 0)], '.')
	return value, cacheKey{cacheFlask, value[:max(i, 0)]}, nil
}

func (f flaskFormat) reissue(o opened, iat time.Time) (string, error) {
	// One HMAC: the payload is signed again as it is, with no base64,
	// zlib or JSON work. A cookie signed with a fallback key comes back
	// signed with the current key.
	return f.codec.Signer().Sign(o.payload, iat), nil
}

// sealFormat is an SK1 token holding the tagged JSON, for the cookie
// called name. Until acceptSigned, a Flask signed cookie is read too (and
// written back sealed): the one-way migration window.
type sealFormat struct {
	sealer       *seal.Sealer // MaxAge is the Manager's Lifetime, Limit its MaxCookieSize
	name         string
	signed       flaskFormat
	acceptSigned time.Time
}

func (f sealFormat) open(value string, now time.Time) (opened, error) {
	pt, info, err := f.sealer.Open(f.name, value, now)
	if err == nil {
		return opened{payload: string(pt), issued: info.IssuedAt, rotate: info.Key != 0, plain: true}, nil
	}
	var ie seal.InvalidError
	if errors.As(err, &ie) && ie.Reason <= seal.ReasonVersion && now.Before(f.acceptSigned) {
		// Not an SK1 token (a Flask cookie is not one base64 string):
		// perhaps a signed cookie, in the window.
		o, err2 := f.signed.open(value, now)
		if err2 == nil {
			o.signed = true
			return o, nil
		}
	}
	return opened{}, err
}

func (f sealFormat) decode(o opened) (map[string]any, error) {
	if o.signed {
		return f.signed.decode(o)
	}
	return flask.Unmarshal([]byte(o.payload))
}

func (f sealFormat) encode(values map[string]any, now time.Time) (string, cacheKey, error) {
	js, err := flask.Marshal(values)
	if err != nil {
		return "", cacheKey{}, err
	}
	value, err := f.seal(js, now)
	if err != nil {
		return "", cacheKey{}, err
	}
	return value, cacheKey{cacheSealed, string(js)}, nil
}

func (f sealFormat) seal(plaintext []byte, iat time.Time) (string, error) {
	value, err := f.sealer.Seal(f.name, plaintext, iat)
	if se, ok := errors.AsType[*seal.SizeError](err); ok {
		return "", &CookieTooLargeError{Size: se.Size - len(f.name), Limit: se.Limit - len(f.name)}
	}
	return value, err
}

func (f sealFormat) reissue(o opened, iat time.Time) (string, error) {
	if o.signed {
		values, err := f.decode(o)
		if err != nil {
			return "", err
		}
		value, _, err := f.encode(values, iat)
		return value, err
	}
	return f.seal([]byte(o.payload), iat)
}
