// Package bulk holds what the epoch calculation needs to handle a million
// of something quickly: an allocation-free decimal encoding of 256-bit
// integers, an ordered parallel chunk writer for big documents, a
// parallel sort and a parallel loop over chunks.
package bulk

import (
	"encoding/binary"
	"io"
	"math/bits"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/holiman/uint256"
)

// Chunks calls fn(w, lo, hi) for w in [0, workers), worker w taking the
// contiguous share [lo, hi) of [0, n), each on its own goroutine, and
// waits for them; with one worker (or fewer) it calls fn(0, 0, n)
// directly.
func Chunks(n, workers int, fn func(w, lo, hi int)) {
	if workers <= 1 {
		fn(0, 0, n)
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() { fn(w, w*n/workers, (w+1)*n/workers) })
	}
	wg.Wait()
}

// AppendDecimal appends v in decimal without leading zeros, as v.Dec()
// returns it, without allocating.
func AppendDecimal(dst []byte, v *uint256.Int) []byte {
	if v[3]|v[2] == 0 { // below 2^128, as every real amount is
		return appendU128(dst, v[1], v[0])
	}
	const base = 10_000_000_000_000_000_000 // 10^19
	q := [4]uint64(*v)
	var parts [5]uint64 // 2^256 < 10^95
	n := 0
	for q != [4]uint64{} {
		var rem uint64
		for i := 3; i >= 0; i-- {
			q[i], rem = bits.Div64(rem, q[i], base)
		}
		parts[n] = rem
		n++
	}
	dst = strconv.AppendUint(dst, parts[n-1], 10)
	for k := n - 2; k >= 0; k-- {
		var digits [19]byte
		x := parts[k]
		for j := 18; j >= 0; j-- {
			digits[j] = byte('0' + x%10)
			x /= 10
		}
		dst = append(dst, digits[:]...)
	}
	return dst
}

// e16 is 10^16, the base appendU128 splits numbers in: two groups of
// eight digits.
const e16 = 10_000_000_000_000_000

// appendU128 appends hi·2^64 + lo in decimal without leading zeros, in
// groups of 16 digits (a 2^128 has 39 digits: three groups).
func appendU128(dst []byte, hi, lo uint64) []byte {
	if hi == 0 {
		if lo < e16 {
			return appendShort(dst, lo)
		}
		dst = appendShort(dst, lo/e16)
		return append16(dst, lo%e16)
	}
	// hi·2^64 + lo = q·10^16 + r by long division in 64-bit words;
	// q < 2^128/10^16 < 10^23, so one more division leaves q2 < 10^7.
	q1, r := bits.Div64(0, hi, e16)
	q0, r0 := bits.Div64(r, lo, e16)
	if q1 == 0 && q0 < e16 {
		dst = appendShort(dst, q0)
	} else {
		_, r = bits.Div64(0, q1, e16)
		q2, r1 := bits.Div64(r, q0, e16)
		dst = appendShort(dst, q2)
		dst = append16(dst, r1)
	}
	return append16(dst, r0)
}

// appendShort appends v < 10^16 in decimal without leading zeros. The
// leading '0' bytes of a word of digits are its trailing zero bytes once
// '0' is XORed away (the first digit is the lowest byte).
func appendShort(dst []byte, v uint64) []byte {
	const zeros = 0x3030303030303030
	if v >= 100_000_000 {
		hi := digits8(v / 100_000_000)
		var w [8]byte
		binary.LittleEndian.PutUint64(w[:], hi)
		dst = append(dst, w[bits.TrailingZeros64(hi^zeros)/8:]...)
		return binary.LittleEndian.AppendUint64(dst, digits8(v%100_000_000))
	}
	lo := digits8(v)
	var w [8]byte
	binary.LittleEndian.PutUint64(w[:], lo)
	return append(dst, w[min(7, bits.TrailingZeros64(lo^zeros)/8):]...)
}

// append16 appends v < 10^16 as exactly 16 digits, with leading zeros.
func append16(dst []byte, v uint64) []byte {
	return binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(dst, digits8(v/100_000_000)), digits8(v%100_000_000))
}

// digits8 returns the eight decimal digits of v < 10^8 (with leading
// zeros) as ASCII in a little-endian word, the first digit in the lowest
// byte. It splits v into halves of four digits in 32-bit lanes, those
// into pairs in 16-bit lanes, and those into digits in bytes, all lanes
// at once: x·10486 >> 20 is x/100 for x < 10^4 and x·103 >> 10 is x/10
// for x < 100, and no lane's product reaches the next lane.
func digits8(v uint64) uint64 {
	y := v/10000 | v%10000<<32
	h := y * 10486 >> 20 & 0x0000007f0000007f
	y = h | (y-100*h)<<16
	t := y * 103 >> 10 & 0x000f000f000f000f
	y = t | (y-10*t)<<8
	return y | 0x3030303030303030
}

// WriteChunks writes the encoding of n items to w: encode(dst, lo, hi)
// appends the encoding of items [lo, hi) to dst and returns it. Chunks of
// per items are encoded on every core, a bounded number ahead of the
// writer, and written in order, so the output is exactly that of one
// sequential encode(nil, 0, n). encode must be safe to call concurrently on
// disjoint ranges. The first write error stops the writing and is returned.
func WriteChunks(w io.Writer, n, per int, encode func(dst []byte, lo, hi int) []byte) error {
	chunks := (n + per - 1) / per
	workers := min(runtime.GOMAXPROCS(0), chunks)
	if workers <= 1 {
		var buf []byte
		for lo := 0; lo < n; lo += per {
			buf = encode(buf[:0], lo, min(lo+per, n))
			if _, err := w.Write(buf); err != nil {
				return err
			}
		}
		return nil
	}
	type job struct {
		k   int
		out chan []byte
	}
	window := 2 * workers
	free := make(chan []byte, window+workers)
	for range cap(free) {
		free <- nil
	}
	jobs := make(chan job)
	pending := make(chan chan []byte, window)
	go func() {
		for k := range chunks {
			out := make(chan []byte, 1)
			pending <- out
			jobs <- job{k, out}
		}
		close(jobs)
		close(pending)
	}()
	for range workers {
		go func() {
			for j := range jobs {
				lo := j.k * per
				j.out <- encode((<-free)[:0], lo, min(lo+per, n))
			}
		}()
	}
	var err error
	for out := range pending {
		b := <-out
		if err == nil {
			_, err = w.Write(b)
		}
		free <- b
	}
	return err
}

// sortMin is the smallest slice SortFunc sorts on more than one core.
const sortMin = 1 << 15

// SortFunc sorts s as slices.SortFunc does (not stably), on every core:
// each core sorts a run, and the runs are merged pairwise. It uses a buffer
// as large as s.
func SortFunc[T any](s []T, cmp func(a, b T) int) {
	workers := min(runtime.GOMAXPROCS(0), len(s)/sortMin)
	if workers <= 1 {
		slices.SortFunc(s, cmp)
		return
	}
	bounds := make([]int, workers+1)
	for k := range bounds {
		bounds[k] = k * len(s) / workers
	}
	var wg sync.WaitGroup
	for k := range workers {
		wg.Go(func() { slices.SortFunc(s[bounds[k]:bounds[k+1]], cmp) })
	}
	wg.Wait()
	src, dst := s, make([]T, len(s))
	for len(bounds) > 2 {
		next := []int{0}
		for k := 0; k+1 < len(bounds); k += 2 {
			lo, mid, hi := bounds[k], bounds[k+1], bounds[k+1]
			if k+2 < len(bounds) {
				hi = bounds[k+2]
			}
			next = append(next, hi)
			wg.Go(func() { merge(dst[lo:hi], src[lo:mid], src[mid:hi], cmp) })
		}
		wg.Wait()
		src, dst, bounds = dst, src, next
	}
	if &src[0] != &s[0] {
		copy(s, src)
	}
}

// merge merges sorted a and b into dst (len(dst) = len(a)+len(b)).
func merge[T any](dst, a, b []T, cmp func(a, b T) int) {
	i, j, k := 0, 0, 0
	for i < len(a) && j < len(b) {
		if cmp(b[j], a[i]) < 0 {
			dst[k] = b[j]
			j++
		} else {
			dst[k] = a[i]
			i++
		}
		k++
	}
	k += copy(dst[k:], a[i:])
	copy(dst[k:], b[j:])
}

// Index is an open-addressing hash index from keys to int32 positions in
// the caller's own slice, for building a million-entry index much faster
// than a map: the caller hashes the key (with a maphash.Seed, so that no
// input can be made to collide), and key(j) gives the key at position j.
// Each slot holds 32 bits of the hash and the position, so a probe rarely
// touches the caller's data.
type Index[K comparable] struct {
	slots []uint64 // hash>>32 <<32 | position+1; 0 is empty
	mask  uint64
	n     int
	key   func(j int32) K
}

// NewIndex returns an Index with room for n entries before it grows.
func NewIndex[K comparable](n int, key func(j int32) K) *Index[K] {
	size := uint64(16)
	for size < 2*uint64(n) {
		size *= 2
	}
	return &Index[K]{slots: make([]uint64, size), mask: size - 1, key: key}
}

// Insert adds position i, whose key k hashes to h, unless position j
// already has key k: then it returns j and true, and adds nothing.
func (x *Index[K]) Insert(h uint64, i int32, k K) (int32, bool) {
	if j, ok := x.Lookup(h, k); ok {
		return j, true
	}
	if 2*(x.n+1) > len(x.slots) {
		x.grow()
	}
	x.put(h>>32<<32 | uint64(uint32(i)+1))
	x.n++
	return 0, false
}

// Lookup returns the position of key k, which hashes to h, and whether
// there is one.
func (x *Index[K]) Lookup(h uint64, k K) (int32, bool) {
	tag := h >> 32
	for p := tag & x.mask; ; p = (p + 1) & x.mask {
		s := x.slots[p]
		if s == 0 {
			return 0, false
		}
		if s>>32 == tag && x.key(int32(uint32(s)-1)) == k {
			return int32(uint32(s) - 1), true
		}
	}
}

// InsertShared adds position i, whose key k hashes to h, and reports true,
// or reports false if the key is there already. Unlike Insert it may be
// called from many goroutines at once (and from nothing else meanwhile),
// and never grows the index, which must have been made with room for every
// entry; key(i) must be ready before the call. Call Recount after the
// concurrent inserts, before any other method.
func (x *Index[K]) InsertShared(h uint64, i int32, k K) bool {
	tag := h >> 32
	s := tag<<32 | uint64(uint32(i)+1)
	for p := tag & x.mask; ; p = (p + 1) & x.mask {
		cur := atomic.LoadUint64(&x.slots[p])
		if cur == 0 {
			if atomic.CompareAndSwapUint64(&x.slots[p], 0, s) {
				return true
			}
			cur = atomic.LoadUint64(&x.slots[p])
		}
		if cur>>32 == tag && x.key(int32(uint32(cur)-1)) == k {
			return false
		}
	}
}

// InsertAll inserts positions 0 … n−1, whose hashes and keys hk gives
// (key(i) must be ready for every i), on every core. It returns −1, or the
// first position in order whose key an earlier one has, and that earlier
// position, having inserted the positions before it.
func (x *Index[K]) InsertAll(n int, hk func(i int32) (uint64, K)) (dup, first int32) {
	if workers := min(runtime.GOMAXPROCS(0), n/4096); workers > 1 && x.n == 0 && 2*n <= len(x.slots) {
		var failed atomic.Bool
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for i := w * n / workers; i < (w+1)*n/workers && (i&1023 != 0 || !failed.Load()); i++ {
					if h, k := hk(int32(i)); !x.InsertShared(h, int32(i), k) {
						failed.Store(true)
						return
					}
				}
			})
		}
		wg.Wait()
		if !failed.Load() {
			x.Recount()
			return -1, -1
		}
		x.Reset() // a duplicate: find the first one in order
	}
	for i := range int32(n) {
		h, k := hk(i)
		if j, found := x.Insert(h, i, k); found {
			return i, j
		}
	}
	return -1, -1
}

// Recount recounts the entries after InsertShared.
func (x *Index[K]) Recount() {
	x.n = 0
	for _, s := range x.slots {
		if s != 0 {
			x.n++
		}
	}
}

// Reset removes every entry.
func (x *Index[K]) Reset() {
	clear(x.slots)
	x.n = 0
}

// put stores a slot value; its home slot comes from the stored tag, so
// growing needs no rehash by the caller.
func (x *Index[K]) put(s uint64) {
	for p := (s >> 32) & x.mask; ; p = (p + 1) & x.mask {
		if x.slots[p] == 0 {
			x.slots[p] = s
			return
		}
	}
}

func (x *Index[K]) grow() {
	old := x.slots
	x.slots = make([]uint64, 2*len(old))
	x.mask = uint64(len(x.slots) - 1)
	for _, s := range old {
		if s != 0 {
			x.put(s)
		}
	}
}
