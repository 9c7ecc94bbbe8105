package bench

import (
	"bytes"
	"compress/zlib"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"hash"
	"io"
	"strings"
	"sync"
	"time"
)

// Floor is the simplest fast implementation of Flask's cookie format with the
// standard library alone: encoding/json, zlib writers and readers pooled and
// Reset, and HMAC states reused. It handles plain JSON only (no tags) and is
// the yardstick sessionkit's codec is measured against, not a product.
type Floor struct {
	macs    sync.Pool // *hmac state keyed with the derived key
	writers sync.Pool // *zlib.Writer
	readers sync.Pool // io.ReadCloser that implements zlib.Resetter
	bufs    sync.Pool // *bytes.Buffer
	MaxAge  time.Duration
}

var errFloor = errors.New("floor: bad cookie")

// NewFloor derives the signing key as itsdangerous does (HMAC-SHA1 of the
// salt "cookie-session" under the secret key).
func NewFloor(secret []byte) *Floor {
	d := hmac.New(sha1.New, secret)
	d.Write([]byte("cookie-session"))
	derived := d.Sum(nil)
	f := &Floor{MaxAge: 31 * 24 * time.Hour}
	f.macs.New = func() any { return hmac.New(sha1.New, derived) }
	f.writers.New = func() any { return zlib.NewWriter(nil) }
	f.bufs.New = func() any { return new(bytes.Buffer) }
	return f
}

// Compression decisions the floor can make, to match the codec it is
// compared with.
const (
	Never  = iota // never compress
	Always        // always compress
	Flask         // Flask's rule: compress when it saves at least 2 bytes
)

// Encode signs v at now, compressing the JSON as mode says.
func (f *Floor) Encode(v map[string]any, now time.Time, mode int) (string, error) {
	js := f.bufs.Get().(*bytes.Buffer)
	defer f.put(js)
	js.Reset()
	enc := json.NewEncoder(js)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	raw := bytes.TrimSuffix(js.Bytes(), []byte("\n"))
	out := f.bufs.Get().(*bytes.Buffer)
	defer f.put(out)
	out.Reset()
	if mode != Never {
		z := f.bufs.Get().(*bytes.Buffer)
		defer f.put(z)
		z.Reset()
		w := f.writers.Get().(*zlib.Writer)
		w.Reset(z)
		w.Write(raw)
		err := w.Close()
		f.writers.Put(w)
		if err != nil {
			return "", err
		}
		if mode == Always || z.Len() < len(raw)-1 {
			raw = z.Bytes()
			out.WriteByte('.')
		}
	}
	b64 := base64.RawURLEncoding
	n := out.Len()
	out.Grow(b64.EncodedLen(len(raw)) + 40)
	out.Write(make([]byte, b64.EncodedLen(len(raw))))
	b64.Encode(out.Bytes()[n:], raw)
	out.WriteByte('.')
	var ts [8]byte
	binary.BigEndian.PutUint64(ts[:], uint64(now.Unix()))
	i := 0
	for i < 7 && ts[i] == 0 {
		i++
	}
	var tsb [12]byte
	b64.Encode(tsb[:], ts[i:])
	out.Write(tsb[:b64.EncodedLen(8-i)])
	mac := f.macs.Get().(hash.Hash)
	mac.Reset()
	mac.Write(out.Bytes())
	var sum [sha1.Size]byte
	mac.Sum(sum[:0])
	f.macs.Put(mac)
	out.WriteByte('.')
	var sig [27]byte
	b64.Encode(sig[:], sum[:])
	out.Write(sig[:])
	return out.String(), nil
}

// Decode verifies cookie and returns its values.
func (f *Floor) Decode(cookie string, now time.Time) (map[string]any, error) {
	dot := strings.LastIndexByte(cookie, '.')
	if dot < 0 {
		return nil, errFloor
	}
	signed, sig := cookie[:dot], cookie[dot+1:]
	var want [sha1.Size]byte
	if n, err := base64.RawURLEncoding.Decode(want[:], []byte(sig)); err != nil || n != sha1.Size {
		return nil, errFloor
	}
	mac := f.macs.Get().(hash.Hash)
	mac.Reset()
	io.WriteString(mac, signed)
	var sum [sha1.Size]byte
	mac.Sum(sum[:0])
	f.macs.Put(mac)
	if !hmac.Equal(sum[:], want[:]) {
		return nil, errFloor
	}
	dot = strings.LastIndexByte(signed, '.')
	if dot < 0 {
		return nil, errFloor
	}
	payload, tsText := signed[:dot], signed[dot+1:]
	var tsb [8]byte
	n, err := base64.RawURLEncoding.Decode(tsb[:], []byte(tsText))
	if err != nil || n == 0 || n > 8 {
		return nil, errFloor
	}
	var ts int64
	for _, c := range tsb[:n] {
		ts = ts<<8 | int64(c)
	}
	if age := now.Unix() - ts; age < 0 || age > int64(f.MaxAge/time.Second) {
		return nil, errFloor
	}
	compressed := strings.HasPrefix(payload, ".")
	payload = strings.TrimPrefix(payload, ".")
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return nil, errFloor
	}
	if compressed {
		buf := f.bufs.Get().(*bytes.Buffer)
		defer f.put(buf)
		buf.Reset()
		r, err := f.reader(raw)
		if err != nil {
			return nil, errFloor
		}
		_, err = buf.ReadFrom(io.LimitReader(r, 64<<10))
		f.readers.Put(r)
		if err != nil {
			return nil, errFloor
		}
		raw = buf.Bytes()
	}
	var v map[string]any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, errFloor
	}
	return v, nil
}

func (f *Floor) reader(raw []byte) (io.ReadCloser, error) {
	if r, ok := f.readers.Get().(io.ReadCloser); ok {
		if err := r.(zlib.Resetter).Reset(bytes.NewReader(raw), nil); err == nil {
			return r, nil
		}
	}
	return zlib.NewReader(bytes.NewReader(raw))
}

func (f *Floor) put(b *bytes.Buffer) {
	if b.Cap() <= 64<<10 {
		f.bufs.Put(b)
	}
}
