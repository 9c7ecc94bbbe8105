package flask

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"sync"
)

// Deflate state is large (~650 µs to allocate a writer): writers and
// readers are pooled and Reset, never created per call.
var (
	zwriters = sync.Pool{New: func() any {
		w, _ := zlib.NewWriterLevel(io.Discard, zlib.DefaultCompression)
		return w
	}}
	zreaders sync.Pool // of io.ReadCloser implementing zlib.Resetter
)

// compressInto appends zlib(data) at the default level (as Python's
// zlib.compress) to dst.
func compressInto(dst *bytes.Buffer, data []byte) {
	w := zwriters.Get().(*zlib.Writer)
	w.Reset(dst)
	w.Write(data)
	w.Close()
	w.Reset(io.Discard) // drop the reference to dst
	zwriters.Put(w)
}

// decompress appends the zlib stream src, inflated, to dst, failing with
// ErrTooLarge once the output would pass max bytes: memory stays bounded
// by max whatever the ratio. Trailing bytes after the stream, which
// Python's zlib ignores, are refused.
func decompress(dst []byte, src []byte, max int) ([]byte, error) {
	br := bytes.NewReader(src)
	var r io.ReadCloser
	if pr, ok := zreaders.Get().(io.ReadCloser); ok {
		if err := pr.(zlib.Resetter).Reset(br, nil); err != nil {
			zreaders.Put(pr)
			return dst, fmt.Errorf("%w: zlib: %v", ErrPayload, err)
		}
		r = pr
	} else {
		nr, err := zlib.NewReader(br)
		if err != nil {
			return dst, fmt.Errorf("%w: zlib: %v", ErrPayload, err)
		}
		r = nr
	}
	defer zreaders.Put(r)
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
