// Package kzlib plugs github.com/klauspost/compress into package flask's
// Codec, for the DEFLATE streams of compressed payloads:
//
//	c := flask.NewCodec(signer)
//	c.Compressor = kzlib.Compressor{}
//
// Package flask keeps writing and checking the zlib framing (header,
// Adler-32) itself, so what a Codec accepts does not change, and Flask
// reads the cookies as it reads any zlib stream. docs/FLASK.md has the
// measurements against the standard library.
package kzlib

import (
	"bytes"
	"fmt"
	"io"
	"sync"

	"github.com/klauspost/compress/flate"
	"github.com/sessionkit/session/flask"
)

// Compressor is a flask.Compressor using github.com/klauspost/compress's
// flate package. The zero value is ready to use and safe for concurrent
// use; writers and readers are pooled.
type Compressor struct{}

var _ flask.Compressor = Compressor{}

var (
	writers [10]sync.Pool // of *pooledWriter, by level
	readers sync.Pool     // of *pooledReader
)

type pooledWriter struct {
	w   *flate.Writer
	out appendWriter
}

// appendWriter is an io.Writer appending to a slice.
type appendWriter struct{ b []byte }

func (a *appendWriter) Write(p []byte) (int, error) {
	a.b = append(a.b, p...)
	return len(p), nil
}

type pooledReader struct {
	src bytes.Reader // an io.ByteReader: flate reads no byte past the stream
	fr  io.ReadCloser
}

// Deflate appends src, compressed as one raw DEFLATE stream at zlib's
// level (1–9), to dst.
func (Compressor) Deflate(dst, src []byte, level int) ([]byte, error) {
	if level < 1 || level > 9 {
		return dst, fmt.Errorf("kzlib: compression level %d outside 1-9", level)
	}
	pw, _ := writers[level].Get().(*pooledWriter)
	if pw == nil {
		pw = new(pooledWriter)
		w, err := flate.NewWriter(&pw.out, level)
		if err != nil {
			return dst, err
		}
		pw.w = w
	}
	pw.out.b = dst
	pw.w.Reset(&pw.out)
	_, err := pw.w.Write(src)
	if err == nil {
		err = pw.w.Close()
	}
	out := pw.out.b
	pw.out.b = nil // no reference to the caller's buffer from the pool
	writers[level].Put(pw)
	return out, err
}

// Inflate appends the data of the raw DEFLATE stream at the start of src
// to dst and returns how many bytes of src it took, failing with an error
// wrapping flask.ErrTooLarge once more than max bytes come out.
func (Compressor) Inflate(dst, src []byte, max int) ([]byte, int, error) {
	pr, _ := readers.Get().(*pooledReader)
	if pr == nil {
		pr = new(pooledReader)
	}
	pr.src.Reset(src)
	if pr.fr == nil {
		pr.fr = flate.NewReader(&pr.src)
	} else if err := pr.fr.(flate.Resetter).Reset(&pr.src, nil); err != nil {
		return dst, 0, err
	}
	out, err := flask.ReadCapped(dst, pr.fr, max)
	n := len(src) - pr.src.Len()
	pr.src.Reset(nil) // no reference to src from the pool
	readers.Put(pr)
	return out, n, err
}
