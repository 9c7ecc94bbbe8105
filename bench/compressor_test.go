package bench

import (
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"testing"
	"time"

	kflate "github.com/klauspost/compress/flate"
	"github.com/sessionkit/session/flask"
	"github.com/sessionkit/session/flask/kzlib"
)

// compressorSessions are the sessions the compressor comparison uses:
// medium (35 names, ~700 B of JSON) and large (150 names with surnames,
// ~3 KB).
func compressorSessions(tb testing.TB) []struct {
	name string
	json []byte
	v    map[string]any
} {
	tb.Helper()
	var out []struct {
		name string
		json []byte
		v    map[string]any
	}
	for _, s := range []struct {
		name string
		v    map[string]any
	}{
		{"medium", map[string]any{"usuario": "Maria", "nomes": names(35), "_permanent": true}},
		{"large", Workloads()[2].Values},
	} {
		js, err := flask.Marshal(s.v)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, struct {
			name string
			json []byte
			v    map[string]any
		}{fmt.Sprintf("%s-%dB", s.name, len(js)), js, s.v})
	}
	return out
}

// flateImpl is one DEFLATE implementation, used as package flask's
// Compressor uses it: a pooled writer or reader, Reset per stream.
type flateImpl struct {
	name      string
	newWriter func(io.Writer, int) (io.WriteCloser, func(io.Writer))
	newReader func(io.Reader) io.ReadCloser
}

var flateImpls = []flateImpl{
	{"stdlib",
		func(w io.Writer, level int) (io.WriteCloser, func(io.Writer)) {
			fw, _ := flate.NewWriter(w, level)
			return fw, fw.Reset
		},
		flate.NewReader},
	{"klauspost",
		func(w io.Writer, level int) (io.WriteCloser, func(io.Writer)) {
			fw, _ := kflate.NewWriter(w, level)
			return fw, fw.Reset
		},
		kflate.NewReader},
}

// BenchmarkDeflate compresses the sessions with each implementation at
// zlib's fast, default and best levels (output size as a metric).
func BenchmarkDeflate(b *testing.B) {
	for _, s := range compressorSessions(b) {
		for _, level := range []int{1, 6, 9} {
			for _, impl := range flateImpls {
				b.Run(fmt.Sprintf("%s/level%d/%s", s.name, level, impl.name), func(b *testing.B) {
					var out bytes.Buffer
					w, reset := impl.newWriter(&out, level)
					b.ReportAllocs()
					b.SetBytes(int64(len(s.json)))
					for b.Loop() {
						out.Reset()
						reset(&out)
						w.Write(s.json)
						w.Close()
					}
					b.ReportMetric(float64(out.Len()), "out-B")
				})
			}
		}
	}
}

// BenchmarkInflateImpl inflates the sessions compressed at the default
// level (as Flask compresses) with each implementation.
func BenchmarkInflateImpl(b *testing.B) {
	for _, s := range compressorSessions(b) {
		var z bytes.Buffer
		w, _ := flate.NewWriter(&z, 6)
		w.Write(s.json)
		w.Close()
		for _, impl := range flateImpls {
			b.Run(s.name+"/"+impl.name, func(b *testing.B) {
				br := bytes.NewReader(z.Bytes())
				r := impl.newReader(br)
				var out bytes.Buffer
				b.ReportAllocs()
				b.SetBytes(int64(len(s.json)))
				for b.Loop() {
					br.Reset(z.Bytes())
					r.(flate.Resetter).Reset(br, nil)
					out.Reset()
					if _, err := out.ReadFrom(r); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkCodecCompressor is the whole Codec with Flask's compression
// rule (it compresses both sessions), with the standard library and with
// kzlib plugged in: Encode, and Decode of that cookie.
func BenchmarkCodecCompressor(b *testing.B) {
	s, err := flask.NewSigner([]byte(Key))
	if err != nil {
		b.Fatal(err)
	}
	now := Frozen.Add(time.Second)
	for _, sess := range compressorSessions(b) {
		for _, comp := range []struct {
			name string
			c    flask.Compressor
		}{{"stdlib", nil}, {"kzlib", kzlib.Compressor{}}} {
			c := flask.NewCodec(s)
			c.Compression = flask.CompressFlask
			c.Compressor = comp.c
			cookie, err := c.Encode(sess.v, now)
			if err != nil {
				b.Fatal(err)
			}
			b.Run(sess.name+"/encode/"+comp.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := c.Encode(sess.v, now); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(len(cookie)), "cookie-B")
			})
			b.Run(sess.name+"/decode/"+comp.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := c.Decode(cookie, now); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
