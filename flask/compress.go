package flask

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/adler32"
	"io"
	"sync"
)

// A Compressor makes and reads the raw DEFLATE streams (RFC 1951) inside
// compressed payloads. The Codec writes and checks the zlib framing
// around them itself (RFC 1950: header, Adler-32 checksum), so that what
// it accepts does not depend on the Compressor: exactly what CPython's
// zlib.decompress accepts, which is what Flask reads.
//
// A Codec's Compressor is nil by default, which means compress/flate;
// package flask/kzlib plugs in github.com/klauspost/compress. Flask reads
// any valid DEFLATE stream, whichever encoder made it. Implementations
// must be safe for concurrent use.
type Compressor interface {
	// Deflate appends src, compressed as one complete raw DEFLATE stream,
	// to dst. level is zlib's: 1 (fastest) to 9 (smallest), 6 the
	// default.
	Deflate(dst, src []byte, level int) ([]byte, error)
	// Inflate appends the data of the raw DEFLATE stream at the start of
	// src to dst, and returns how many bytes of src the stream took (up to
	// the byte holding the end of its final block; what follows is the
	// zlib trailer). It must not read src past the end of the stream, and
	// it fails, with an error wrapping ErrTooLarge, as soon as more than
	// max bytes come out, so that memory stays bounded by max whatever the
	// compression ratio.
	Inflate(dst, src []byte, max int) (out []byte, n int, err error)
}

// Compression levels, as zlib numbers them.
const (
	levelFast    = 1
	levelDefault = 6
	levelBest    = 9
)

// stdCompressor is compress/flate: the default Compressor.
type stdCompressor struct{}

// Deflate state is large (~650 µs to allocate a writer): writers and
// readers are pooled and Reset, never created per call.
var (
	flateWriters [levelBest + 1]sync.Pool // of *pooledWriter, by level
	flateReaders sync.Pool                // of *pooledReader
)

// pooledWriter is a flate writer with the buffer it writes to.
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

// pooledReader is a flate reader with the byte reader it reads from (an
// io.ByteReader, so that flate reads no byte past the stream's end).
type pooledReader struct {
	src bytes.Reader
	fr  io.ReadCloser // implements flate.Resetter
}

func (stdCompressor) Deflate(dst, src []byte, level int) ([]byte, error) {
	if level < levelFast || level > levelBest {
		return dst, fmt.Errorf("flask: compression level %d outside 1-9", level)
	}
	pw, _ := flateWriters[level].Get().(*pooledWriter)
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
	flateWriters[level].Put(pw)
	return out, err
}

func (stdCompressor) Inflate(dst, src []byte, max int) ([]byte, int, error) {
	pr, _ := flateReaders.Get().(*pooledReader)
	if pr == nil {
		pr = new(pooledReader)
	}
	pr.src.Reset(src)
	if pr.fr == nil {
		pr.fr = flate.NewReader(&pr.src)
	} else if err := pr.fr.(flate.Resetter).Reset(&pr.src, nil); err != nil {
		return dst, 0, err
	}
	out, err := ReadCapped(dst, pr.fr, max)
	n := len(src) - pr.src.Len()
	pr.src.Reset(nil) // no reference to src from the pool
	flateReaders.Put(pr)
	return out, n, err
}

// ReadCapped appends what r gives until io.EOF to dst, failing with an
// error wrapping ErrTooLarge once more than max bytes came: it never asks r
// for more than max+1 bytes in all. A Compressor's Inflate can read its
// decompressor with it, to keep the cap without an intermediate buffer.
func ReadCapped(dst []byte, r io.Reader, max int) ([]byte, error) {
	start := len(dst)
	for {
		if len(dst) == cap(dst) {
			dst = append(dst, 0)[:len(dst)]
		}
		n, err := r.Read(dst[len(dst):min(cap(dst), start+max+1)])
		dst = dst[:len(dst)+n]
		if len(dst)-start > max {
			return dst[:start], fmt.Errorf("%w: payload inflates past %d bytes", ErrTooLarge, max)
		}
		if err == io.EOF {
			return dst, nil
		}
		if err != nil {
			return dst[:start], err
		}
	}
}

func (c *Codec) compressor() Compressor {
	if c.Compressor == nil {
		return stdCompressor{}
	}
	return c.Compressor
}

// appendZlib appends data as a zlib stream (RFC 1950) made by comp at
// level, or by tightDeflate with zlib's level-9 or level-6 parameters for
// the levels past levelBest.
func appendZlib(dst, data []byte, comp Compressor, level int) ([]byte, error) {
	start := len(dst)
	// CMF 0x78: deflate, 32 KiB window; FLG 0x9c/0xda: default or best
	// level, no preset dictionary, FCHECK making the pair a multiple of 31.
	dst = append(dst, 0x78, 0x9c)
	if level >= levelBest {
		dst[start+1] = 0xda
	}
	var err error
	switch level {
	case levelTight9:
		dst = tightDeflate(dst, data, tdLevel9)
	case levelTight6:
		dst = tightDeflate(dst, data, tdLevel6)
	default:
		dst, err = comp.Deflate(dst, data, level)
	}
	if err != nil {
		return dst[:start], err
	}
	return binary.BigEndian.AppendUint32(dst, adler32.Checksum(data)), nil
}

// levelTight9 and levelTight6 are the steps after levelBest: tightDeflate,
// whose output is as small as zlib's at level 9 and at level 6.
const (
	levelTight9 = 10 + iota
	levelTight6
)

// compressionLevels are the levels Encode tries, in order, until the
// cookie fits: fast first (deflate of a few hundred bytes costs more than
// the rest of Encode together), then harder. The 3-byte-match parse at
// level-9 parameters comes before the Compressor's best level: it is
// smaller than compress/flate's best on every near-limit session measured
// (docs/FLASK.md) and takes less time; klauspost's best level is
// sometimes smaller still.
var compressionLevels = [...]int{levelFast, levelDefault, levelTight9, levelBest, levelTight6}

// errNeedDict is zlib's Z_NEED_DICT, which CPython's zlib.decompress
// reports as an error.
var errNeedDict = errors.New("stream needs a preset dictionary")

// inflateZlib appends the data of the zlib stream src to dst, accepting
// exactly what CPython's zlib.decompress(src) accepts (zlib 1.2.13's
// inflate with windowBits 15, Modules/zlibmodule.c): the header checks of
// inflate.c (FCHECK, method 8, window of at most 32 KiB), no preset
// dictionary (FDICT makes inflate ask for one, which decompress reports as
// an error), a complete DEFLATE stream and its Adler-32. Bytes after the
// checksum are ignored, as Python ignores them. More than max bytes of
// output is ErrTooLarge.
func inflateZlib(dst, src []byte, max int, comp Compressor) ([]byte, error) {
	// Failures return dst with the capacity it grew to, for the pools.
	start := len(dst)
	fail := func(err error) ([]byte, error) {
		if errors.Is(err, ErrTooLarge) {
			return dst[:start], err
		}
		return dst[:start], fmt.Errorf("%w: zlib: %v", ErrPayload, err)
	}
	if len(src) < 2 {
		return fail(io.ErrUnexpectedEOF)
	}
	cmf, flg := src[0], src[1]
	switch {
	case (uint(cmf)<<8|uint(flg))%31 != 0:
		return fail(errors.New("incorrect header check"))
	case cmf&0x0f != 8:
		return fail(errors.New("unknown compression method"))
	case cmf>>4 > 7:
		return fail(errors.New("invalid window size"))
	case flg&0x20 != 0:
		return fail(errNeedDict)
	}
	out, n, err := comp.Inflate(dst, src[2:], max)
	if cap(out) >= start {
		dst = out
	}
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return fail(err)
	}
	trailer := src[2+n:]
	if len(trailer) < 4 {
		return fail(io.ErrUnexpectedEOF)
	}
	if binary.BigEndian.Uint32(trailer) != adler32.Checksum(out[start:]) {
		return fail(errors.New("incorrect data check"))
	}
	return out, nil
}

// compressInto appends zlib(data) at the fast level to dst (for tests).
func compressInto(dst *bytes.Buffer, data []byte) {
	z, _ := appendZlib(nil, data, stdCompressor{}, levelFast)
	dst.Write(z)
}
