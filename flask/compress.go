package flask

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"sync"
)

// compressionLevel is zlib.BestSpeed: for session-sized JSON it costs a
// third to two thirds of the default level's time (whose Reset clears
// 256 KiB of hash chains) for output 2–7% larger; see the package
// documentation. Any level is valid zlib, which is all Flask asks.
const compressionLevel = zlib.BestSpeed

// Deflate state is large (~650 µs to allocate a writer): writers and
// readers are pooled and Reset, never created per call.
var (
	zwriters = sync.Pool{New: func() any {
		w, _ := zlib.NewWriterLevel(io.Discard, compressionLevel)
		return w
	}}
	zreaders sync.Pool // of *inflater
)

// inflater is a pooled zlib reader with the byte reader it reads from.
type inflater struct {
	src bytes.Reader
	zr  io.ReadCloser // implements zlib.Resetter
}

// compressInto appends zlib(data) to dst.
func compressInto(dst *bytes.Buffer, data []byte) {
	w := zwriters.Get().(*zlib.Writer)
	w.Reset(dst)
	w.Write(data)
	w.Close()
	zwriters.Put(w)
}

// appendCompressed appends zlib(data) to dst.
func appendCompressed(dst, data []byte) []byte {
	b := bytes.NewBuffer(dst)
	compressInto(b, data)
	return b.Bytes()
}

// decompress appends the zlib stream src, inflated, to dst, failing with
// ErrTooLarge once the output would pass max bytes: memory stays bounded
// by max whatever the ratio. Trailing bytes after the stream, which
// Python's zlib ignores, are refused.
func decompress(dst []byte, src []byte, max int) ([]byte, error) {
	inf, _ := zreaders.Get().(*inflater)
	if inf == nil {
		inf = new(inflater)
	}
	br := &inf.src
	defer func() {
		br.Reset(nil) // no reference to src from the pool
		zreaders.Put(inf)
	}()
	br.Reset(src)
	if inf.zr == nil {
		zr, err := zlib.NewReader(br)
		if err != nil {
			return dst, fmt.Errorf("%w: zlib: %v", ErrPayload, err)
		}
		inf.zr = zr
	} else if err := inf.zr.(zlib.Resetter).Reset(br, nil); err != nil {
		return dst, fmt.Errorf("%w: zlib: %v", ErrPayload, err)
	}
	r := inf.zr
	start := len(dst)
	for {
		if len(dst) == cap(dst) {
			if len(dst)-start > max {
				break
			}
			dst = append(dst, 0)[:len(dst)]
		}
		limit := cap(dst)
		if l := start + max + 1; limit > l {
			limit = l
		}
		n, err := r.Read(dst[len(dst):limit])
		dst = dst[:len(dst)+n]
		if len(dst)-start > max {
			return dst[:start], fmt.Errorf("%w: payload inflates past %d bytes", ErrTooLarge, max)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return dst[:start], fmt.Errorf("%w: zlib: %v", ErrPayload, err)
		}
	}
	if br.Len() != 0 {
		return dst[:start], fmt.Errorf("%w: data after the zlib stream", ErrPayload)
	}
	return dst, nil
}
