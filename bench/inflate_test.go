package bench

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"io"
	"strings"
	"testing"

	kzlib "github.com/klauspost/compress/zlib"
)

// BenchmarkInflate isolates the step that makes decoding Flask's compressed
// cookies dearer than decoding uncompressed ones: inflating the zlib payload
// real Flask wrote (testdata), with a pooled reader that is Reset each time,
// in the standard library and in github.com/klauspost/compress (which
// package flask/kzlib plugs into a Codec; compressor_test.go compares the
// two through the Codec).
func BenchmarkInflate(b *testing.B) {
	cookies := flaskCookies(b)
	for _, w := range Workloads() {
		c := cookies[w.Name]
		if !strings.HasPrefix(c, ".") {
			continue
		}
		payload := c[1 : strings.IndexByte(c[1:], '.')+1]
		raw, err := base64.RawURLEncoding.DecodeString(payload)
		if err != nil {
			b.Fatal(err)
		}
		impls := []struct {
			name  string
			first func(io.Reader) (io.ReadCloser, error)
		}{
			{"stdlib", zlib.NewReader},
			{"klauspost", kzlib.NewReader},
		}
		for _, impl := range impls {
			b.Run(w.Name+"/"+impl.name, func(b *testing.B) {
				br := bytes.NewReader(raw)
				r, err := impl.first(br)
				if err != nil {
					b.Fatal(err)
				}
				var out bytes.Buffer
				b.ReportAllocs()
				b.SetBytes(int64(len(raw)))
				for b.Loop() {
					br.Reset(raw)
					if err := r.(zlib.Resetter).Reset(br, nil); err != nil {
						b.Fatal(err)
					}
					out.Reset()
					if _, err := out.ReadFrom(r); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
