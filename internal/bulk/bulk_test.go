package bulk

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/holiman/uint256"
)

func TestAppendDecimal(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	vals := []*uint256.Int{new(uint256.Int), uint256.NewInt(1), uint256.NewInt(1<<64 - 1), new(uint256.Int).SetAllOne()}
	for range 2000 {
		v := new(uint256.Int)
		for k := range v {
			if r.IntN(2) == 0 {
				v[k] = r.Uint64()
			}
		}
		vals = append(vals, v, new(uint256.Int).Exp(uint256.NewInt(10), uint256.NewInt(uint64(r.IntN(78)))))
	}
	// Every length of number, at the edges of the 16-digit groups and of
	// the 64- and 128-bit fast paths.
	one := uint256.NewInt(1)
	for k := 0; k <= 77; k++ {
		p := new(uint256.Int).Exp(uint256.NewInt(10), uint256.NewInt(uint64(k)))
		vals = append(vals, p, new(uint256.Int).Sub(p, one), new(uint256.Int).Add(p, one))
	}
	for _, b := range []uint64{64, 128} {
		p := new(uint256.Int).Lsh(one, uint(b))
		vals = append(vals, p, new(uint256.Int).Sub(p, one), new(uint256.Int).Add(p, one))
	}
	for range 20000 {
		vals = append(vals, &uint256.Int{r.Uint64() >> r.IntN(64), r.Uint64() >> r.IntN(65)})
	}
	for _, v := range vals {
		if got := string(AppendDecimal([]byte("x"), v)); got != "x"+v.Dec() {
			t.Fatalf("AppendDecimal(%s) = %s", v.Dec(), got)
		}
	}
}

// TestDigits8: every value below 10^8 whose last four digits are
// random, and every one of 0–9999 and 10^8−10^4–10^8−1, against strconv.
func TestDigits8(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	check := func(v uint64) {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], digits8(v))
		if want := fmt.Sprintf("%08d", v); string(b[:]) != want {
			t.Fatalf("digits8(%d) = %q, want %q", v, b[:], want)
		}
	}
	for v := uint64(0); v < 10000; v++ {
		check(v)
		check(99_990_000 + v)
		check(v*10000 + uint64(r.IntN(10000)))
	}
}

func TestWriteChunks(t *testing.T) {
	for _, n := range []int{0, 1, 7, 1000, 100_003} {
		for _, per := range []int{1, 3, 64, 1 << 20} {
			var want []byte
			enc := func(dst []byte, lo, hi int) []byte {
				for i := lo; i < hi; i++ {
					dst = append(dst, byte(i), byte(i>>8), ',')
				}
				return dst
			}
			want = enc(nil, 0, n)
			var got bytes.Buffer
			if err := WriteChunks(&got, n, per, enc); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Fatalf("n=%d per=%d: output differs", n, per)
			}
		}
	}
	boom := errors.New("boom")
	if err := WriteChunks(failWriter{boom}, 100_000, 10, func(dst []byte, lo, hi int) []byte { return append(dst, 'x') }); err != boom {
		t.Fatalf("error %v, want %v", err, boom)
	}
}

type failWriter struct{ err error }

func (w failWriter) Write([]byte) (int, error) { return 0, w.err }

func TestSortFunc(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 100, sortMin, 3*sortMin + 17, 300_000} {
		s := make([]int, n)
		for i := range s {
			s[i] = r.IntN(n/3 + 1)
		}
		want := slices.Clone(s)
		slices.Sort(want)
		SortFunc(s, cmp.Compare[int])
		if !slices.Equal(s, want) {
			t.Fatalf("n=%d: not sorted", n)
		}
	}
}

func TestIndex(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	keys := make([]uint64, 0, 50_000)
	seed := maphash.MakeSeed()
	x := NewIndex(10, func(j int32) uint64 { return keys[j] }) // grows
	ref := map[uint64]int32{}
	for i := range 50_000 {
		k := r.Uint64N(30_000)
		keys = append(keys, k)
		j, dup := x.Insert(maphash.Comparable(seed, k), int32(i), k)
		if rj, rdup := ref[k]; rdup != dup || (dup && rj != j) {
			t.Fatalf("insert %d (key %d): got %d %v, want %d %v", i, k, j, dup, rj, rdup)
		}
		if !dup {
			ref[k] = int32(i)
		}
	}
	for k, want := range ref {
		if j, ok := x.Lookup(maphash.Comparable(seed, k), k); !ok || j != want {
			t.Fatalf("lookup %d: %d %v, want %d", k, j, ok, want)
		}
	}
	if _, ok := x.Lookup(maphash.Comparable(seed, uint64(1<<40)), 1<<40); ok {
		t.Fatal("found a missing key")
	}
	// Every hash equal: correct, only slower.
	y := NewIndex(4, func(j int32) uint64 { return keys[j] })
	for i := range 200 {
		y.Insert(42, int32(i), keys[i])
	}
	for i := range 200 {
		if j, ok := y.Lookup(42, keys[i]); !ok || keys[j] != keys[i] {
			t.Fatalf("colliding lookup %d failed", i)
		}
	}
}

func TestInsertAll(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	seed := maphash.MakeSeed()
	for _, n := range []int{0, 1, 100, 20_000, 100_000} {
		for _, dups := range []int{0, 1, 5} {
			keys := make([]uint64, n)
			for i := range keys {
				keys[i] = uint64(i) * 7919
			}
			for range min(dups, n/2) {
				i := 1 + r.IntN(n-1)
				keys[i] = keys[r.IntN(i)]
			}
			wantDup, wantFirst := int32(-1), int32(-1)
			seen := map[uint64]int32{}
			for i, k := range keys {
				if j, ok := seen[k]; ok {
					wantDup, wantFirst = int32(i), j
					break
				}
				seen[k] = int32(i)
			}
			x := NewIndex(n, func(j int32) uint64 { return keys[j] })
			dup, first := x.InsertAll(n, func(i int32) (uint64, uint64) { return maphash.Comparable(seed, keys[i]), keys[i] })
			if dup != wantDup || first != wantFirst {
				t.Fatalf("n=%d dups=%d: %d %d, want %d %d", n, dups, dup, first, wantDup, wantFirst)
			}
			if dup < 0 {
				for i, k := range keys {
					if j, ok := x.Lookup(maphash.Comparable(seed, k), k); !ok || j != int32(i) {
						t.Fatalf("n=%d: lookup %d: %d %v", n, i, j, ok)
					}
				}
			}
		}
	}
}

// TestChunks: the chunks cover [0, n) once, in order of w, for any number
// of workers, including more workers than items.
func TestChunks(t *testing.T) {
	for _, n := range []int{0, 1, 7, 1000} {
		for _, workers := range []int{0, 1, 2, 3, 16} {
			seen := make([]int32, n)
			bounds := make([][2]int, max(workers, 1))
			Chunks(n, workers, func(w, lo, hi int) {
				bounds[w] = [2]int{lo, hi}
				for i := lo; i < hi; i++ {
					atomic.AddInt32(&seen[i], 1)
				}
			})
			for i, c := range seen {
				if c != 1 {
					t.Fatalf("n=%d workers=%d: item %d seen %d times", n, workers, i, c)
				}
			}
			for w := 1; w < len(bounds); w++ {
				if bounds[w][0] != bounds[w-1][1] {
					t.Fatalf("n=%d workers=%d: chunk %d starts at %d, chunk %d ends at %d", n, workers, w, bounds[w][0], w-1, bounds[w-1][1])
				}
			}
		}
	}
}

func BenchmarkAppendDecimal(b *testing.B) {
	v, _ := uint256.FromDecimal("889641278982049610030")
	buf := make([]byte, 0, 128)
	for b.Loop() {
		buf = AppendDecimal(buf[:0], v)
	}
}
