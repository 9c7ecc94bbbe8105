package flask

import (
	"bytes"
	"compress/zlib"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

var benchNames = []string{
	"Ana", "Bruno", "Carla", "Daniel", "Eduarda", "Felipe", "Gabriela", "Heitor", "Isabela", "João",
	"Karina", "Lucas", "Mariana", "Nicolas", "Olívia", "Pedro", "Quitéria", "Rafael", "Sofia", "Tiago",
	"Ursula", "Vitor", "Wagner", "Xavier", "Yasmin", "Zeca", "Alice", "Bernardo", "Cecília", "Davi",
}

// benchSessions are the lesson's sessions: Exemplo 01 (small) and the
// Exemplo 02 name list with 30 (medium, ~300 B of JSON) and 150 names
// (large, ~1.5 KB).
func benchSessions() []struct {
	name string
	v    map[string]any
} {
	list := func(n int) []any {
		l := make([]any, n)
		for i := range l {
			l[i] = benchNames[i%len(benchNames)]
		}
		return l
	}
	return []struct {
		name string
		v    map[string]any
	}{
		{"small", map[string]any{"usuario": "Maria"}},
		{"medium", map[string]any{"usuario": "Maria", "nomes": list(30), "_permanent": true}},
		{"large", map[string]any{"usuario": "Maria", "nomes": list(150), "_permanent": true}},
	}
}

var benchNow = time.Unix(1700000000, 0)

func benchCodec(b testing.TB, comp Compression) *Codec {
	c := NewCodec(mustSigner(b, katKey))
	c.Compression = comp
	return c
}

func BenchmarkEncode(b *testing.B) {
	for _, s := range benchSessions() {
		for _, comp := range []struct {
			name string
			c    Compression
		}{{"auto", CompressAuto}, {"flask", CompressFlask}} {
			c := benchCodec(b, comp.c)
			b.Run(s.name+"/"+comp.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := c.Encode(s.v, benchNow); err != nil {
						b.Fatal(err)
					}
				}
			})
			f := newFloor(katKey, comp.c)
			b.Run(s.name+"/"+comp.name+"/floor", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := f.encode(s.v, benchNow); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	for _, s := range benchSessions() {
		// Flask's compression rule: a cookie as Flask writes it.
		cookie, err := benchCodec(b, CompressFlask).Encode(s.v, benchNow)
		if err != nil {
			b.Fatal(err)
		}
		c := benchCodec(b, CompressAuto)
		b.Run(s.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(cookie)))
			for b.Loop() {
				if _, err := c.Decode(cookie, benchNow); err != nil {
					b.Fatal(err)
				}
			}
		})
		own, err := c.Encode(s.v, benchNow)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(s.name+"/own", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(own)))
			for b.Loop() {
				if _, err := c.Decode(own, benchNow); err != nil {
					b.Fatal(err)
				}
			}
		})
		f := newFloor(katKey, CompressFlask)
		b.Run(s.name+"/floor", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(cookie)))
			for b.Loop() {
				if _, err := f.decode(cookie); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkRefresh(b *testing.B) {
	for _, s := range benchSessions() {
		cookie, err := benchCodec(b, CompressFlask).Encode(s.v, benchNow)
		if err != nil {
			b.Fatal(err)
		}
		c := benchCodec(b, CompressAuto)
		b.Run(s.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Refresh(cookie, benchNow); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// floor is a plain standard-library implementation of Flask's cookie
// format, the yardstick for Codec: encoding/json (not byte-exact with
// Flask, no tags), pooled zlib writers and readers, a reused HMAC state
// and the same compression decision as the Codec it is compared with.
type floor struct {
	comp    Compression
	macs    sync.Pool
	writers sync.Pool
	readers sync.Pool
}

func newFloor(key string, comp Compression) *floor {
	d := hmac.New(sha1.New, []byte(key))
	d.Write([]byte(DefaultSalt))
	derived := d.Sum(nil)
	f := &floor{comp: comp}
	f.macs.New = func() any { return hmac.New(sha1.New, derived) }
	f.writers.New = func() any { return zlib.NewWriter(nil) }
	return f
}

func (f *floor) encode(v map[string]any, now time.Time) (string, error) {
	js, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	body, dot := js, ""
	if f.comp == CompressFlask || f.comp == CompressAuto && len(js) >= AutoCompressMin {
		var zb bytes.Buffer
		w := f.writers.Get().(*zlib.Writer)
		w.Reset(&zb)
		w.Write(js)
		w.Close()
		f.writers.Put(w)
		if zb.Len() < len(js)-1 {
			body, dot = zb.Bytes(), "."
		}
	}
	var sb strings.Builder
	sb.WriteString(dot)
	sb.WriteString(b64.EncodeToString(body))
	sb.WriteByte('.')
	sb.WriteString(string(appendTimestamp(nil, now.Unix())))
	m := f.macs.Get().(hash.Hash)
	m.Reset()
	io.WriteString(m, sb.String())
	sum := m.Sum(nil)
	f.macs.Put(m)
	sb.WriteByte('.')
	sb.WriteString(b64.EncodeToString(sum))
	return sb.String(), nil
}

func (f *floor) decode(cookie string) (map[string]any, error) {
	i := strings.LastIndexByte(cookie, '.')
	j := strings.LastIndexByte(cookie[:i], '.')
	if i < 0 || j < 0 {
		return nil, ErrMalformed
	}
	sig, err := b64.DecodeString(cookie[i+1:])
	if err != nil {
		return nil, err
	}
	m := f.macs.Get().(hash.Hash)
	m.Reset()
	io.WriteString(m, cookie[:i])
	ok := hmac.Equal(m.Sum(nil), sig)
	f.macs.Put(m)
	if !ok {
		return nil, ErrSignature
	}
	payload := cookie[:j]
	compressed := strings.HasPrefix(payload, ".")
	raw, err := b64.DecodeString(strings.TrimPrefix(payload, "."))
	if err != nil {
		return nil, err
	}
	if compressed {
		var r io.ReadCloser
		if pr, ok := f.readers.Get().(io.ReadCloser); ok {
			pr.(zlib.Resetter).Reset(bytes.NewReader(raw), nil)
			r = pr
		} else if r, err = zlib.NewReader(bytes.NewReader(raw)); err != nil {
			return nil, err
		}
		raw, err = io.ReadAll(io.LimitReader(r, DefaultMaxDecompressed+1))
		f.readers.Put(r)
		if err != nil {
			return nil, err
		}
		if len(raw) > DefaultMaxDecompressed {
			return nil, errors.New("too large")
		}
	}
	var v map[string]any
	return v, json.Unmarshal(raw, &v)
}

func TestFloorReadsCodecCookies(t *testing.T) {
	// The yardstick must do the same work: it reads what Codec writes.
	for _, s := range benchSessions() {
		cookie, err := benchCodec(t, CompressFlask).Encode(s.v, benchNow)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := newFloor(katKey, CompressFlask).decode(cookie); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		fc, err := newFloor(katKey, CompressFlask).encode(s.v, benchNow)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := benchCodec(t, CompressFlask).Signer().Unsign(fc); err != nil {
			t.Fatalf("%s: floor cookie: %v", s.name, err)
		}
	}
}

// BenchmarkCompressionChoice measures what compressing a name-list session
// costs and saves at several sizes: the figures behind AutoCompressMin.
func BenchmarkCompressionChoice(b *testing.B) {
	for _, n := range []int{5, 10, 30, 50, 70, 150, 300} {
		l := make([]any, n)
		for i := range l {
			l[i] = benchNames[i%len(benchNames)]
		}
		v := map[string]any{"usuario": "Maria", "nomes": l, "_permanent": true}
		js, _ := Marshal(v)
		var zb bytes.Buffer
		compressInto(&zb, js)
		plain := b64.EncodedLen(len(js))
		packed := 1 + b64.EncodedLen(zb.Len())
		b.Run(fmt.Sprintf("json=%d", len(js)), func(b *testing.B) {
			var buf bytes.Buffer
			for b.Loop() {
				buf.Reset()
				compressInto(&buf, js)
			}
			b.ReportMetric(float64(plain), "plain-payload-B")
			b.ReportMetric(float64(packed), "zlib-payload-B")
		})
	}
}
