package flask

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash/adler32"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Hand-made DEFLATE streams: the table below needs streams no compressor
// writes (bad trees, far distances, odd headers).

// zhead returns a zlib header with compression info cinfo, method and
// flags flg (FDICT 0x20), with FCHECK set so that it passes.
func zhead(cinfo, method, flg byte) []byte {
	cmf := cinfo<<4 | method
	flg &^= 0x1f
	flg |= byte(31 - (uint(cmf)<<8|uint(flg))%31)
	if (uint(cmf)<<8|uint(flg))%31 != 0 {
		flg -= 31
	}
	return []byte{cmf, flg}
}

// zwrap frames the raw DEFLATE stream body as zlib with the Adler-32 of
// out.
func zwrap(head, body, out []byte) []byte {
	z := append(append([]byte(nil), head...), body...)
	return binary.BigEndian.AppendUint32(z, adler32.Checksum(out))
}

// stored is one stored block holding data.
func stored(w *bitWriter, final bool, data []byte) {
	w.write(uint32(boolInt(final)), 1)
	w.write(0, 2)
	w.flush()
	w.bits, w.n = 0, 0
	w.out = binary.LittleEndian.AppendUint16(w.out, uint16(len(data)))
	w.out = binary.LittleEndian.AppendUint16(w.out, ^uint16(len(data)))
	w.out = append(w.out, data...)
}

// fixedLit writes symbol sym (0–287) of the fixed literal/length code.
func fixedLit(w *bitWriter, sym int) {
	var code, n int
	switch {
	case sym < 144:
		code, n = 0x30+sym, 8
	case sym < 256:
		code, n = 0x190+sym-144, 9
	case sym < 280:
		code, n = sym-256, 7
	default:
		code, n = 0xc0+sym-280, 8
	}
	w.write(uint32(reverse(code, n)), uint(n))
}

func reverse(c, n int) int {
	r := 0
	for b := 0; b < n; b++ {
		r = r<<1 | c>>b&1
	}
	return r
}

// fixedMatch writes a length (3–258) and distance (1–32768) pair with
// the fixed code.
func fixedMatch(w *bitWriter, length, dist int) {
	lc := lengthCode(length)
	fixedLit(w, 257+lc)
	w.write(uint32(length-int(lengthBase[lc])), uint(lengthExtra[lc]))
	dc := distCode(dist)
	w.write(uint32(reverse(dc, 5)), 5)
	w.write(uint32(dist-int(distBase[dc])), uint(distExtra[dc]))
}

// fixedBlock writes a fixed-Huffman block: body writes its symbols, the
// end of block follows.
func fixedBlock(w *bitWriter, final bool, body func()) {
	w.write(uint32(boolInt(final)), 1)
	w.write(1, 2)
	body()
	fixedLit(w, 256)
}

// dynamicHeader writes a dynamic block's header with the code lengths
// lit and dist, coded with clLens (the code length code's lengths, by
// symbol 0–18; symbols 0–15 must have codes), and returns the two codes.
func dynamicHeader(w *bitWriter, final bool, lit, dist []uint8, clLens [19]uint8) (huffCode, huffCode) {
	w.write(uint32(boolInt(final)), 1)
	w.write(2, 2)
	w.write(uint32(len(lit)-257), 5)
	w.write(uint32(len(dist)-1), 5)
	w.write(19-4, 4)
	for _, s := range clOrder {
		w.write(uint32(clLens[s]), 3)
	}
	cl := huffCode{lengths: clLens[:]}
	cl.assign()
	for _, l := range append(append([]uint8(nil), lit...), dist...) {
		cl.put(w, int(l))
	}
	lc := huffCode{lengths: lit}
	lc.assign()
	dc := huffCode{lengths: dist}
	dc.assign()
	return lc, dc
}

// completeCL gives symbols 0–15 4-bit codes: a complete code length code.
var completeCL = [19]uint8{4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4}

func build(f func(w *bitWriter)) []byte {
	var w bitWriter
	f(&w)
	return w.flush()
}

type zlibCase struct {
	name string
	in   []byte
	out  string // the output when accepted
	ok   bool   // CPython's zlib.decompress accepts it
}

// zlibCases are streams on which a zlib reader can differ from CPython's;
// ok and out are what python3 -c 'zlib.decompress(...)' gives
// (TestInflateZlibMatchesPython checks them against it).
func zlibCases() []zlibCase {
	text := []byte(`{"a":"` + strings.Repeat("xy", 100) + `"}`)
	good, _ := appendZlib(nil, text, stdCompressor{}, levelFast)
	body := good[2 : len(good)-4]
	tight, _ := appendZlib(nil, text, nil, levelTight9)
	withHead := func(h []byte) []byte { return zwrap(h, body, text) }
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

	hello := []byte("hello")
	storedHello := build(func(w *bitWriter) { stored(w, true, hello) })
	abc := build(func(w *bitWriter) {
		fixedBlock(w, true, func() {
			for _, c := range "abc" {
				fixedLit(w, int(c))
			}
		})
	})
	h := zhead(7, 8, 0)

	cases := []zlibCase{
		{"valid", good, string(text), true},
		{"valid, level-9 header, 3-byte matches", tight, string(text), true},
		{"trailing junk", cat(good, []byte("junk")), string(text), true},
		{"trailing second stream", cat(good, good), string(text), true},
		{"trailing NUL", cat(good, []byte{0}), string(text), true},
		{"FDICT, dictionary id 1 (Adler-32 of no dictionary)", zwrap(cat(zhead(7, 8, 0x20), []byte{0, 0, 0, 1}), body, text), "", false},
		{"FDICT, other dictionary id", zwrap(cat(zhead(7, 8, 0x20), []byte{1, 2, 3, 4}), body, text), "", false},
		{"FCHECK wrong", withHead([]byte{0x78, 0x9d}), "", false},
		{"method 7", withHead(zhead(7, 7, 0)), "", false},
		{"method 15", withHead(zhead(7, 15, 0)), "", false},
		{"CINFO 8 (64 KiB window)", withHead(zhead(8, 8, 0)), "", false},
		{"CINFO 15", withHead(zhead(15, 8, 0)), "", false},
		{"FLEVEL 0", withHead(zhead(7, 8, 0x00)), string(text), true},
		{"FLEVEL 3", withHead(zhead(7, 8, 0xc0)), string(text), true},
		{"empty", nil, "", false},
		{"one byte", []byte{0x78}, "", false},
		{"header only", good[:2], "", false},
		{"truncated in the stream", good[:len(good)/2], "", false},
		{"no checksum", good[:len(good)-4], "", false},
		{"three bytes of checksum", good[:len(good)-1], "", false},
		{"wrong checksum", cat(good[:len(good)-1], []byte{good[len(good)-1] ^ 1}), "", false},
		{"raw DEFLATE, no header", body, "", false},
		{"gzip", cat([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3}, body), "", false},
		{"stored block", zwrap(h, storedHello, hello), "hello", true},
		{"stored block, LEN and NLEN disagree", zwrap(h, build(func(w *bitWriter) {
			w.write(1, 1)
			w.write(0, 2)
			w.flush()
			w.bits, w.n = 0, 0
			w.out = append(w.out, 5, 0, 0xfa, 0xfe)
			w.out = append(w.out, hello...)
		}), hello), "", false},
		{"empty stored block", zwrap(h, build(func(w *bitWriter) { stored(w, true, nil) }), nil), "", true},
		{"fixed block", zwrap(h, abc, []byte("abc")), "abc", true},
		{"stored then fixed block", zwrap(h, build(func(w *bitWriter) {
			stored(w, false, []byte("ab"))
			fixedBlock(w, true, func() { fixedLit(w, 'c') })
		}), []byte("abc")), "abc", true},
		{"non-final block, then the end", zwrap(h, build(func(w *bitWriter) { stored(w, false, hello) }), hello), "", false},
		{"block type 3", zwrap(h, build(func(w *bitWriter) { w.write(1, 1); w.write(3, 2); w.write(0, 16) }), nil), "", false},
		{"match back to the start", zwrap(h, build(func(w *bitWriter) {
			fixedBlock(w, true, func() { fixedLit(w, 'a'); fixedMatch(w, 3, 1) })
		}), []byte("aaaa")), "aaaa", true},
		{"distance too far back", zwrap(h, build(func(w *bitWriter) {
			fixedBlock(w, true, func() { fixedLit(w, 'a'); fixedMatch(w, 3, 2) })
		}), []byte("aaaa")), "", false},
		{"literal/length symbol 286", zwrap(h, build(func(w *bitWriter) {
			fixedBlock(w, true, func() { fixedLit(w, 'a'); fixedLit(w, 286) })
		}), []byte("a")), "", false},
		{"distance code 30", zwrap(h, build(func(w *bitWriter) {
			fixedBlock(w, true, func() {
				fixedLit(w, 'a')
				fixedLit(w, 257)
				w.write(uint32(reverse(30, 5)), 5)
			})
		}), []byte("aaaa")), "", false},
		{"dynamic: only the end of block, no distance codes", zwrap(h, build(func(w *bitWriter) {
			lit := make([]uint8, 257)
			lit[256] = 1
			lc, _ := dynamicHeader(w, true, lit, []uint8{0}, completeCL)
			lc.put(w, 256)
		}), nil), "", true},
		{"dynamic: one distance code of length 1", zwrap(h, build(func(w *bitWriter) {
			lit := make([]uint8, 258)
			lit['a'], lit[256], lit[257] = 1, 2, 2
			lc, dc := dynamicHeader(w, true, lit, []uint8{1}, completeCL)
			lc.put(w, 'a')
			lc.put(w, 257)
			dc.put(w, 0)
			lc.put(w, 256)
		}), []byte("aaaa")), "aaaa", true},
		{"dynamic: incomplete literal/length code", zwrap(h, build(func(w *bitWriter) {
			lit := make([]uint8, 257)
			lit['a'], lit[256] = 2, 2
			lc, _ := dynamicHeader(w, true, lit, []uint8{0}, completeCL)
			lc.put(w, 'a')
			lc.put(w, 256)
		}), []byte("a")), "", false},
		{"dynamic: over-subscribed literal/length code", zwrap(h, build(func(w *bitWriter) {
			lit := make([]uint8, 257)
			lit['a'], lit['b'], lit[256] = 1, 1, 1
			lc, _ := dynamicHeader(w, true, lit, []uint8{0}, completeCL)
			lc.put(w, 'a')
			lc.put(w, 256)
		}), []byte("a")), "", false},
		{"dynamic: no end-of-block code", zwrap(h, build(func(w *bitWriter) {
			lit := make([]uint8, 257)
			lit['a'], lit['b'] = 1, 1
			lc, _ := dynamicHeader(w, true, lit, []uint8{0}, completeCL)
			lc.put(w, 'a')
		}), []byte("a")), "", false},
		{"dynamic: code length code with a single 1-bit code", zwrap(h, build(func(w *bitWriter) {
			w.write(1, 1)
			w.write(2, 2)
			w.write(0, 5)
			w.write(0, 5)
			w.write(0, 4) // 4 code length code lengths: 16, 17, 18, 0
			w.write(0, 3)
			w.write(0, 3)
			w.write(0, 3)
			w.write(1, 3)
			w.write(0, 16)
		}), nil), "", false},
		{"dynamic: 287 literal/length codes", zwrap(h, build(func(w *bitWriter) {
			w.write(1, 1)
			w.write(2, 2)
			w.write(30, 5)
			w.write(0, 5)
			w.write(15, 4)
			w.write(0, 32)
		}), nil), "", false},
	}
	// Distances far back, past 16 KiB of output (CPython inflates into
	// 16 KiB first, then larger buffers), with every window size in the
	// header: zlib's inflate takes its window from windowBits (15), not
	// from CINFO.
	r := rand.New(rand.NewPCG(7, 7))
	noise := make([]byte, 30000)
	for i := range noise {
		noise[i] = byte(r.Uint32())
	}
	far := build(func(w *bitWriter) {
		stored(w, false, noise)
		fixedBlock(w, true, func() {
			for range 40 {
				fixedMatch(w, 258, 30000)
			}
		})
	})
	farOut := append([]byte(nil), noise...)
	for range 40 * 258 {
		farOut = append(farOut, farOut[len(farOut)-30000])
	}
	for _, cinfo := range []byte{0, 1, 7} {
		cases = append(cases, zlibCase{"distance 30000 after 30000 bytes, CINFO " + string('0'+cinfo), zwrap(zhead(cinfo, 8, 0), far, farOut), string(farOut), true})
	}
	return cases
}

// zlibMax is the output cap the table and the fuzz target use: large
// enough that no case hits it.
const zlibMax = 1 << 20

func TestInflateZlib(t *testing.T) {
	for _, tc := range zlibCases() {
		t.Run(tc.name, func(t *testing.T) {
			got, err := inflateZlib(nil, tc.in, zlibMax, stdCompressor{})
			if tc.ok != (err == nil) {
				t.Fatalf("err = %v, CPython ok = %v", err, tc.ok)
			}
			if err != nil && !errors.Is(err, ErrPayload) {
				t.Fatalf("err = %v, want ErrPayload", err)
			}
			if tc.ok && string(got) != tc.out {
				t.Fatalf("got %.40q…, want %.40q…", got, tc.out)
			}
		})
	}
}

type zlibAnswer struct {
	OK    bool   `json:"ok"`
	Out   string `json:"out"`
	Big   bool   `json:"big"`
	Error string `json:"error"`
}

// TestInflateZlibMatchesPython checks the table's expectations, and the
// fuzz corpus, against CPython's zlib.decompress.
func TestInflateZlibMatchesPython(t *testing.T) {
	if testing.Short() {
		t.Skip("Python skipped in -short mode")
	}
	py := startPy(t, havePython(t, "the zlib comparison"), "testdata/zlib_oracle.py")
	for _, tc := range zlibCases() {
		var ans zlibAnswer
		py.ask(t, map[string]string{"hex": hex.EncodeToString(tc.in)}, &ans)
		if ans.OK != tc.ok {
			t.Errorf("%s: CPython ok=%v (%s), table says %v", tc.name, ans.OK, ans.Error, tc.ok)
			continue
		}
		if out, _ := hex.DecodeString(ans.Out); ans.OK && string(out) != tc.out {
			t.Errorf("%s: CPython gives %.40q…, table says %.40q…", tc.name, out, tc.out)
		}
	}
	files, _ := filepath.Glob("testdata/fuzz/FuzzInflateZlib/*")
	if len(files) == 0 {
		t.Error("no corpus in testdata/fuzz/FuzzInflateZlib")
	}
	for _, name := range files {
		in := readCorpusBytes(t, name)
		compareInflate(t, py, in)
	}
}

// readCorpusBytes reads the []byte of a one-value fuzz corpus file.
func readCorpusBytes(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[1], "[]byte(") {
		t.Fatalf("%s: not a []byte corpus file", name)
	}
	v, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")"))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return []byte(v)
}

// compareInflate checks that inflateZlib and CPython agree on in.
func compareInflate(t *testing.T, py *pyProc, in []byte) {
	t.Helper()
	var ans zlibAnswer
	py.ask(t, map[string]string{"hex": hex.EncodeToString(in)}, &ans)
	got, err := inflateZlib(nil, in, zlibMax, stdCompressor{})
	switch {
	case ans.Big:
		if err == nil || !errors.Is(err, ErrTooLarge) {
			t.Fatalf("%x: CPython inflates past %d bytes, Go: %v", in, zlibMax, err)
		}
	case ans.OK != (err == nil):
		t.Fatalf("%x: CPython ok=%v (%s), Go err=%v", in, ans.OK, ans.Error, err)
	case ans.OK:
		if hex.EncodeToString(got) != ans.Out {
			t.Fatalf("%x: CPython and Go inflate differently", in)
		}
	}
}

// FuzzInflateZlib compares the zlib reader with CPython's zlib.decompress
// (the checked-in corpus runs with every go test; go test -fuzz explores
// further, one Python process per worker).
func FuzzInflateZlib(f *testing.F) {
	for _, tc := range zlibCases() {
		if len(tc.in) < 4096 {
			f.Add(tc.in)
		}
	}
	py := startPy(f, havePython(f, "FuzzInflateZlib"), "testdata/zlib_oracle.py")
	f.Fuzz(func(t *testing.T, in []byte) {
		compareInflate(t, py, in)
	})
}

// FuzzTightDeflate: whatever tightDeflate writes, at zlib's level-9 and
// level-6 parameters, compress/flate and CPython's zlib.decompress read
// back as the input.
func FuzzTightDeflate(f *testing.F) {
	f.Add([]byte(`{"a":"` + strings.Repeat("xy", 100) + `"}`))
	f.Add([]byte{})
	f.Add([]byte("a"))
	f.Add(bytes.Repeat([]byte{0}, 70000))
	for _, v := range loadVectors(f).Sign {
		f.Add([]byte(v.PayloadJSON))
	}
	py := startPy(f, havePython(f, "FuzzTightDeflate"), "testdata/zlib_oracle.py")
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, level := range []int{levelTight9, levelTight6} {
			z, err := appendZlib(nil, data, nil, level)
			if err != nil {
				t.Fatal(err)
			}
			got, err := inflateZlib(nil, z, len(data), stdCompressor{})
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("level %d: compress/flate reads %d bytes (%v), want %d", level, len(got), err, len(data))
			}
			if len(data) > 1<<16 {
				continue
			}
			var ans zlibAnswer
			py.ask(t, map[string]string{"hex": hex.EncodeToString(z)}, &ans)
			if out, _ := hex.DecodeString(ans.Out); !ans.OK || !bytes.Equal(out, data) {
				t.Fatalf("level %d: CPython reads ok=%v %s", level, ans.OK, ans.Error)
			}
		}
	})
}
