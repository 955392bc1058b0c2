package keccak8

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
)

// check compares Sum256 on k messages of n bytes with crypto.Keccak256.
func check(t testing.TB, msgs []byte, n, k int) {
	out := make([][32]byte, k)
	Sum256(out, msgs, n)
	for i := range out {
		if want := crypto.Keccak256(msgs[i*n : (i+1)*n]); string(want) != string(out[i][:]) {
			t.Fatalf("n=%d k=%d message %d: got %x, want %x (accelerated %v)", n, k, i, out[i], want, useAVX512)
		}
	}
}

func TestSum256EveryLength(t *testing.T) {
	t.Logf("accelerated: %v", Accelerated())
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n <= 3*rate+9; n++ {
		for k := 0; k <= Lanes; k++ {
			msgs := make([]byte, n*k)
			for i := range msgs {
				msgs[i] = byte(r.Uint32())
			}
			check(t, msgs, n, k)
		}
	}
	// All-ones messages exercise every bit of the padding's neighbours.
	for n := 0; n <= 2*rate+1; n++ {
		msgs := make([]byte, n*Lanes)
		for i := range msgs {
			msgs[i] = 0xff
		}
		check(t, msgs, n, Lanes)
	}
}

// TestSumEach hashes messages of mixed lengths, some equal.
func TestSumEach(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, count := range []int{0, 1, 7, 8, 9, 30, 100} {
		msgs := make([][]byte, count)
		for i := range msgs {
			msgs[i] = make([]byte, []int{64, 32, 500, 501, 135, 136, 0}[r.IntN(7)])
			for j := range msgs[i] {
				msgs[i][j] = byte(r.Uint32())
			}
		}
		out := make([][32]byte, count)
		SumEach(out, msgs)
		for i, m := range msgs {
			if want := crypto.Keccak256(m); string(want) != string(out[i][:]) {
				t.Fatalf("count %d message %d (%d bytes): got %x, want %x", count, i, len(m), out[i], want)
			}
		}
	}
}

// portable turns the vector paths off for the rest of the test.
func portable(t testing.TB) {
	saved, savedBW := useAVX512, useAVX512BW
	useAVX512, useAVX512BW = false, false
	t.Cleanup(func() { useAVX512, useAVX512BW = saved, savedBW })
}

// TestSum256Fallback runs the one-at-a-time path the same way.
func TestSum256Fallback(t *testing.T) {
	portable(t)
	msgs := make([]byte, 64*Lanes)
	for i := range msgs {
		msgs[i] = byte(i * 7)
	}
	check(t, msgs, 64, Lanes)
}

// checkTwice compares Sum256Twice on k messages of n bytes with
// crypto.Keccak256 applied twice.
func checkTwice(t testing.TB, msgs []byte, n, k int) {
	out := make([][32]byte, k)
	Sum256Twice(out, msgs, n)
	for i := range out {
		if want := crypto.Keccak256(crypto.Keccak256(msgs[i*n : (i+1)*n])); string(want) != string(out[i][:]) {
			t.Fatalf("n=%d k=%d message %d: got %x, want %x (accelerated %v)", n, k, i, out[i], want, useAVX512)
		}
	}
}

// TestSum256Twice covers every length up to two blocks (the vector path
// takes those of whole words under one block) and every lane count, on
// the vector path and the portable one.
func TestSum256Twice(t *testing.T) {
	for _, mode := range []string{"default", "portable"} {
		t.Run(mode, func(t *testing.T) {
			if mode == "portable" {
				portable(t)
			}
			r := rand.New(rand.NewPCG(5, 6))
			for n := 0; n <= 2*rate+9; n++ {
				for k := 0; k <= Lanes; k++ {
					msgs := make([]byte, n*k)
					for i := range msgs {
						msgs[i] = byte(r.Uint32())
					}
					checkTwice(t, msgs, n, k)
					for i := range msgs {
						msgs[i] = 0xff
					}
					checkTwice(t, msgs, n, k)
				}
			}
		})
	}
}

// pairRef is OpenZeppelin's node hash written out.
func pairRef(a, b [32]byte) [32]byte {
	if bytes.Compare(a[:], b[:]) > 0 {
		a, b = b, a
	}
	return [32]byte(crypto.Keccak256(a[:], b[:]))
}

// pairCases returns node pairs at the edges of the bytewise order (equal
// nodes, nodes differing in one bit of each byte, so at every quadword
// boundary and inside quadwords, either way round) and random ones.
func pairCases(r *rand.Rand) [][2][32]byte {
	var cases [][2][32]byte
	var base [32]byte
	for i := range base {
		base[i] = byte(r.Uint32())
	}
	cases = append(cases, [2][32]byte{base, base}, [2][32]byte{{}, {}})
	var ones [32]byte
	for i := range ones {
		ones[i] = 0xff
	}
	cases = append(cases, [2][32]byte{ones, {}}, [2][32]byte{{}, ones})
	for i := 0; i < 32; i++ {
		for _, bit := range []byte{0x01, 0x80} {
			x := base
			x[i] ^= bit
			cases = append(cases, [2][32]byte{base, x}, [2][32]byte{x, base})
		}
		// A difference in byte i decides against a later, opposite one.
		if i < 31 {
			x, y := base, base
			x[i], y[i] = 1, 2
			x[31], y[31] = 2, 1
			cases = append(cases, [2][32]byte{x, y}, [2][32]byte{y, x})
		}
	}
	for i := 0; i < 200; i++ {
		var a, b [32]byte
		for j := range a {
			a[j], b[j] = byte(r.Uint32()), byte(r.Uint32())
		}
		// Shared prefixes of every length.
		copy(b[:r.IntN(33)], a[:])
		cases = append(cases, [2][32]byte{a, b})
	}
	return cases
}

// TestSumPairs checks every lane count on edge and random pairs, on the
// vector path and the portable one.
func TestSumPairs(t *testing.T) {
	for _, mode := range []string{"default", "portable"} {
		t.Run(mode, func(t *testing.T) {
			if mode == "portable" {
				portable(t)
			}
			r := rand.New(rand.NewPCG(7, 8))
			cases := pairCases(r)
			for k := 0; k <= Lanes; k++ {
				for start := 0; start+k <= len(cases); start += max(k, 1) {
					checkPairs(t, cases[start:start+k])
				}
			}
		})
	}
}

func checkPairs(t testing.TB, cases [][2][32]byte) {
	nodes := make([][32]byte, 0, 2*len(cases))
	for _, c := range cases {
		nodes = append(nodes, c[0], c[1])
	}
	out := make([][32]byte, len(cases))
	SumPairs(out, nodes)
	for i, c := range cases {
		if want := pairRef(c[0], c[1]); out[i] != want {
			t.Fatalf("k=%d pair %d (%x, %x): got %x, want %x (accelerated %v)", len(cases), i, c[0], c[1], out[i], want, useAVX512BW)
		}
	}
}

// TestSumPairsInPlace: out may overlap nodes, as the docs promise.
func TestSumPairsInPlace(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	nodes := make([][32]byte, 2*Lanes)
	for i := range nodes {
		for j := range nodes[i] {
			nodes[i][j] = byte(r.Uint32())
		}
	}
	want := make([][32]byte, Lanes)
	for i := range want {
		want[i] = pairRef(nodes[2*i], nodes[2*i+1])
	}
	SumPairs(nodes[:Lanes], nodes)
	for i := range want {
		if nodes[i] != want[i] {
			t.Fatalf("pair %d: got %x, want %x", i, nodes[i], want[i])
		}
	}
}

func TestSum256Panics(t *testing.T) {
	for _, tc := range []struct {
		name   string
		k, n   int
		length int
	}{
		{"too many", Lanes + 1, 1, Lanes + 1},
		{"short input", 2, 4, 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			Sum256(make([][32]byte, tc.k), make([]byte, tc.length), tc.n)
		})
	}
	for name, f := range map[string]func(){
		"twice, too many": func() { Sum256Twice(make([][32]byte, Lanes+1), make([]byte, Lanes+1), 1) },
		"twice, short":    func() { Sum256Twice(make([][32]byte, 2), make([]byte, 7), 4) },
		"pairs, too many": func() { SumPairs(make([][32]byte, Lanes+1), make([][32]byte, 2*Lanes+2)) },
		"pairs, odd":      func() { SumPairs(make([][32]byte, 2), make([][32]byte, 3)) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			f()
		})
	}
}

func FuzzSumPairs(f *testing.F) {
	f.Add(make([]byte, 64*Lanes))
	f.Fuzz(func(t *testing.T, data []byte) {
		var cases [][2][32]byte
		for len(data) >= 64 && len(cases) < Lanes {
			cases = append(cases, [2][32]byte{[32]byte(data[:32]), [32]byte(data[32:64])})
			data = data[64:]
		}
		checkPairs(t, cases)
	})
}

func FuzzSum256Twice(f *testing.F) {
	f.Add([]byte("hello"), uint8(7))
	f.Fuzz(func(t *testing.T, data []byte, k uint8) {
		k = k%Lanes + 1
		n := len(data) / int(k)
		checkTwice(t, data[:n*int(k)], n, int(k))
	})
}

func FuzzSum256(f *testing.F) {
	f.Add([]byte("hello"), uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, k uint8) {
		k = k%Lanes + 1
		n := len(data) / int(k)
		check(t, data[:n*int(k)], n, int(k))
	})
}

// BenchmarkSum256 compares eight 64-byte messages hashed at once with the
// same eight hashed one by one (go-ethereum's Keccak).
func BenchmarkSum256(b *testing.B) {
	msgs := make([]byte, 64*Lanes)
	out := make([][32]byte, Lanes)
	b.Run("x8", func(b *testing.B) {
		b.SetBytes(int64(len(msgs)))
		for b.Loop() {
			Sum256(out, msgs, 64)
		}
	})
	b.Run("one-by-one", func(b *testing.B) {
		b.SetBytes(int64(len(msgs)))
		for b.Loop() {
			sumEach(out, msgs, 64)
		}
	})
}

// BenchmarkLeaf compares the fused double hash with two Sum256 calls and
// the copy between them (what merkle did before Sum256Twice).
func BenchmarkLeaf(b *testing.B) {
	msgs := make([]byte, 64*Lanes)
	out := make([][32]byte, Lanes)
	b.Run("twice", func(b *testing.B) {
		for b.Loop() {
			Sum256Twice(out, msgs, 64)
		}
	})
	b.Run("portable", func(b *testing.B) {
		portable(b)
		for b.Loop() {
			Sum256Twice(out, msgs, 64)
		}
	})
}

func BenchmarkSumPairs(b *testing.B) {
	nodes := make([][32]byte, 2*Lanes)
	out := make([][32]byte, Lanes)
	b.Run("x8", func(b *testing.B) {
		for b.Loop() {
			SumPairs(out, nodes)
		}
	})
	b.Run("portable", func(b *testing.B) {
		portable(b)
		for b.Loop() {
			SumPairs(out, nodes)
		}
	})
}
