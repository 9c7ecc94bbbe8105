package flask

import (
	"slices"
	"sync"
)

// tightDeflate is the last compressor Encode tries when a cookie does not
// fit at the Compressor's best level. compress/flate (and
// github.com/klauspost/compress) never emit matches shorter than 4
// bytes, but zlib, which Flask uses, emits 3-byte ones: on text with
// little redundancy (random tokens, say) the ",\"" between list items is
// the only repetition, and zlib's output is then ~1% smaller, enough for
// Flask to fit a session in 4096 bytes that compress/flate at its best
// level does not. tightDeflate parses as zlib's deflate_slow does at
// level 9 (hash chains, lazy matching, 3-byte matches up to 4096 bytes
// back) and writes one block with Huffman codes built for it, so that a
// session Flask can store, Go can store too. It runs only on that rare
// path, and only on data this package produced.
const (
	tdMaxDist  = 1<<15 - 262 // zlib's MAX_DIST: the window less its lookahead
	tdMinMatch = 3
	tdMaxMatch = 258
	tdHashBits = 15
	tdTooFar   = 4096 // a 3-byte match farther back costs more than its literals (TOO_FAR)
)

// tdParams are zlib's configuration_table entries for deflate_slow.
type tdParams struct {
	good  int // past this length, search a quarter of the chain
	lazy  int // do not look for a longer match past this length
	nice  int // stop searching at this length
	chain int // longest hash chain searched
}

var (
	tdLevel6 = tdParams{good: 8, lazy: 16, nice: 128, chain: 128}
	tdLevel9 = tdParams{good: 32, lazy: 258, nice: 258, chain: 4096}
)

// tdState is the scratch space of one tightDeflate call.
type tdState struct {
	tdParams
	head [1 << tdHashBits]int32 // last position of each hash, -1 for none
	prev []int32                // previous position with the same hash, by position
	toks []uint32               // literal b: b; match: length<<16 | distance
}

var tdPool = sync.Pool{New: func() any { return new(tdState) }}

// tightDeflate appends src as one raw DEFLATE stream (RFC 1951) to dst,
// parsed with zlib's parameters p.
func tightDeflate(dst, src []byte, p tdParams) []byte {
	st := tdPool.Get().(*tdState)
	defer tdPool.Put(st)
	st.tdParams = p
	for i := range st.head {
		st.head[i] = -1
	}
	st.prev = slices.Grow(st.prev[:0], len(src))[:len(src)]
	st.toks = st.lz77(src, st.toks[:0])
	return writeDynamicBlock(dst, st.toks)
}

func tdHash(b []byte) uint32 {
	return (uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2])) * 0x9e3779b1 >> (32 - tdHashBits)
}

// insert records position i (which has at least 3 bytes after it) and
// returns the previous position with the same hash.
func (st *tdState) insert(src []byte, i int) int32 {
	h := tdHash(src[i:])
	p := st.head[h]
	st.prev[i] = p
	st.head[h] = int32(i)
	return p
}

// lz77 turns src into literal and match tokens with lazy matching: a
// match found at i is kept only if the match at i+1 is not longer.
func (st *tdState) lz77(src []byte, toks []uint32) []uint32 {
	n := len(src)
	prevLen, prevDist := 0, 0
	pending := false // src[i-1] is not yet emitted
	for i := 0; i < n; {
		curLen, curDist := 0, 0
		if i+tdMinMatch <= n {
			if p := st.insert(src, i); p >= 0 && prevLen < st.lazy {
				curLen, curDist = st.longest(src, i, int(p), prevLen)
				if curLen == tdMinMatch && curDist > tdTooFar {
					curLen = 0
				}
			}
		}
		if prevLen >= tdMinMatch && curLen <= prevLen {
			toks = append(toks, uint32(prevLen)<<16|uint32(prevDist))
			end := i - 1 + prevLen
			for j := i + 1; j < end; j++ {
				if j+tdMinMatch <= n {
					st.insert(src, j)
				}
			}
			i, pending, prevLen = end, false, 0
			continue
		}
		if pending {
			toks = append(toks, uint32(src[i-1]))
		}
		pending, prevLen, prevDist = true, curLen, curDist
		i++
	}
	if pending {
		toks = append(toks, uint32(src[n-1]))
	}
	return toks
}

// longest returns the longest match for src[i:] longer than atLeast along
// the hash chain starting at p, or 0.
func (st *tdState) longest(src []byte, i, p, atLeast int) (length, dist int) {
	maxLen := min(tdMaxMatch, len(src)-i)
	best := max(atLeast, tdMinMatch-1)
	if best >= maxLen {
		return 0, 0
	}
	nice := min(st.nice, maxLen)
	chain := st.chain
	if atLeast >= st.good {
		chain >>= 2
	}
	for ; p >= 0 && i-p <= tdMaxDist && chain > 0; chain-- {
		if src[p+best] == src[i+best] && src[p] == src[i] {
			l := 0
			for l < maxLen && src[p+l] == src[i+l] {
				l++
			}
			if l > best {
				best, length, dist = l, l, i-p
				if l >= nice {
					break
				}
			}
		}
		p = int(st.prev[p])
	}
	return length, dist
}

var (
	lengthBase  = [29]uint16{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lengthExtra = [29]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase    = [30]uint16{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	distExtra   = [30]uint8{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
	// clOrder is the order of the code length code's lengths (RFC 1951 §3.2.7).
	clOrder = [19]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}
)

func lengthCode(l int) int {
	i := len(lengthBase) - 1
	for int(lengthBase[i]) > l {
		i--
	}
	return i
}

func distCode(d int) int {
	i := len(distBase) - 1
	for int(distBase[i]) > d {
		i--
	}
	return i
}

// bitWriter writes DEFLATE's LSB-first bit stream.
type bitWriter struct {
	out  []byte
	bits uint64
	n    uint
}

func (w *bitWriter) write(v uint32, nbits uint) {
	w.bits |= uint64(v) << w.n
	w.n += nbits
	for w.n >= 8 {
		w.out = append(w.out, byte(w.bits))
		w.bits >>= 8
		w.n -= 8
	}
}

func (w *bitWriter) flush() []byte {
	if w.n > 0 {
		w.out = append(w.out, byte(w.bits))
	}
	return w.out
}

// huffCode is a canonical Huffman code: lengths and bit-reversed codes.
type huffCode struct {
	lengths []uint8
	codes   []uint16
}

func (h *huffCode) put(w *bitWriter, sym int) {
	w.write(uint32(h.codes[sym]), uint(h.lengths[sym]))
}

// buildCode returns a length-limited canonical Huffman code for freq,
// with at least two codes so that every decoder accepts the tree (zlib's
// build_tree does the same).
func buildCode(freq []int32, maxBits int) huffCode {
	n := len(freq)
	h := huffCode{lengths: make([]uint8, n)}
	var syms []int
	for s, f := range freq {
		if f > 0 {
			syms = append(syms, s)
		}
	}
	for s := 0; len(syms) < 2; s++ {
		if freq[s] == 0 {
			syms = append(syms, s)
		}
	}
	slices.SortFunc(syms, func(a, b int) int {
		if freq[a] != freq[b] {
			return int(freq[a]) - int(freq[b])
		}
		return a - b
	})
	// Huffman's algorithm with two queues: the leaves in order of weight,
	// and the internal nodes, which are made in order of weight.
	m := len(syms)
	weight := make([]int64, 2*m-1)
	parent := make([]int, 2*m-1)
	for i, s := range syms {
		weight[i] = max(int64(freq[s]), 1)
	}
	leaf, inner := 0, m
	pick := func(next int) int {
		if leaf < m && (inner >= next || weight[leaf] <= weight[inner]) {
			leaf++
			return leaf - 1
		}
		inner++
		return inner - 1
	}
	for next := m; next < 2*m-1; next++ {
		a, b := pick(next), pick(next)
		weight[next] = weight[a] + weight[b]
		parent[a], parent[b] = next, next
	}
	depth := make([]int, 2*m-1)
	count := make([]int, m+1) // leaves per depth
	maxDepth := 0
	for i := 2*m - 3; i >= 0; i-- {
		depth[i] = depth[parent[i]] + 1
		if i < m {
			count[depth[i]]++
			maxDepth = max(maxDepth, depth[i])
		}
	}
	// Limit the lengths to maxBits (JPEG, Annex K.3): take two leaves from
	// the deepest level, hang one under the other's parent's level...
	for i := maxDepth; i > maxBits; i-- {
		for count[i] > 0 {
			j := i - 2
			for count[j] == 0 {
				j--
			}
			count[i] -= 2
			count[i-1]++
			count[j+1] += 2
			count[j]--
		}
	}
	// The least frequent symbols get the longest codes.
	k := 0
	for l := min(maxDepth, maxBits); l >= 1; l-- {
		for range count[l] {
			h.lengths[syms[k]] = uint8(l)
			k++
		}
	}
	h.assign()
	return h
}

// assign sets the canonical codes of h's lengths (RFC 1951 §3.2.2),
// bit-reversed, as DEFLATE writes Huffman codes from their top bit.
func (h *huffCode) assign() {
	h.codes = make([]uint16, len(h.lengths))
	var blCount [16]int
	for _, l := range h.lengths {
		blCount[l]++
	}
	blCount[0] = 0
	var next [16]int
	code := 0
	for bits := 1; bits < 16; bits++ {
		code = (code + blCount[bits-1]) << 1
		next[bits] = code
	}
	for s, l := range h.lengths {
		if l == 0 {
			continue
		}
		c := next[l]
		next[l]++
		r := 0
		for b := 0; b < int(l); b++ {
			r = r<<1 | c>>b&1
		}
		h.codes[s] = uint16(r)
	}
}

// writeDynamicBlock appends toks, plus the end of block, as one final
// block with dynamic Huffman codes.
func writeDynamicBlock(dst []byte, toks []uint32) []byte {
	var litFreq [286]int32
	var distFreq [30]int32
	for _, t := range toks {
		if l := int(t >> 16); l == 0 {
			litFreq[t]++
		} else {
			litFreq[257+lengthCode(l)]++
			distFreq[distCode(int(t&0xffff))]++
		}
	}
	litFreq[256] = 1
	lit := buildCode(litFreq[:], 15)
	dist := buildCode(distFreq[:], 15)
	nlit, ndist := 286, 30
	for nlit > 257 && lit.lengths[nlit-1] == 0 {
		nlit--
	}
	for ndist > 1 && dist.lengths[ndist-1] == 0 {
		ndist--
	}
	// The code lengths, run-length coded (RFC 1951 §3.2.7): 16 repeats
	// the previous length 3-6 times, 17 and 18 write 3-10 and 11-138 zeros.
	seq := append(append(make([]uint8, 0, nlit+ndist), lit.lengths[:nlit]...), dist.lengths[:ndist]...)
	type clOp struct{ sym, extra, bits uint8 }
	var ops []clOp
	for i := 0; i < len(seq); {
		l := seq[i]
		run := 1
		for i+run < len(seq) && seq[i+run] == l {
			run++
		}
		i += run
		if l == 0 {
			for run >= 11 {
				r := min(run, 138)
				ops = append(ops, clOp{18, uint8(r - 11), 7})
				run -= r
			}
			if run >= 3 {
				ops = append(ops, clOp{17, uint8(run - 3), 3})
				run = 0
			}
		} else if run >= 4 {
			ops = append(ops, clOp{l, 0, 0})
			run--
			for run >= 3 {
				r := min(run, 6)
				ops = append(ops, clOp{16, uint8(r - 3), 2})
				run -= r
			}
		}
		for ; run > 0; run-- {
			ops = append(ops, clOp{l, 0, 0})
		}
	}
	var clFreq [19]int32
	for _, op := range ops {
		clFreq[op.sym]++
	}
	cl := buildCode(clFreq[:], 7)
	nclen := 19
	for nclen > 4 && cl.lengths[clOrder[nclen-1]] == 0 {
		nclen--
	}

	w := bitWriter{out: dst}
	w.write(1, 1) // BFINAL
	w.write(2, 2) // BTYPE: dynamic Huffman codes
	w.write(uint32(nlit-257), 5)
	w.write(uint32(ndist-1), 5)
	w.write(uint32(nclen-4), 4)
	for _, s := range clOrder[:nclen] {
		w.write(uint32(cl.lengths[s]), 3)
	}
	for _, op := range ops {
		cl.put(&w, int(op.sym))
		if op.bits > 0 {
			w.write(uint32(op.extra), uint(op.bits))
		}
	}
	for _, t := range toks {
		l := int(t >> 16)
		if l == 0 {
			lit.put(&w, int(t))
			continue
		}
		lc := lengthCode(l)
		lit.put(&w, 257+lc)
		if e := lengthExtra[lc]; e > 0 {
			w.write(uint32(l-int(lengthBase[lc])), uint(e))
		}
		d := int(t & 0xffff)
		dc := distCode(d)
		dist.put(&w, dc)
		if e := distExtra[dc]; e > 0 {
			w.write(uint32(d-int(distBase[dc])), uint(e))
		}
	}
	lit.put(&w, 256)
	return w.flush()
}
