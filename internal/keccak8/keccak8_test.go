package keccak8

import (
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

// TestSum256Fallback runs the one-at-a-time path the same way.
func TestSum256Fallback(t *testing.T) {
	saved := useAVX512
	useAVX512 = false
	defer func() { useAVX512 = saved }()
	msgs := make([]byte, 64*Lanes)
	for i := range msgs {
		msgs[i] = byte(i * 7)
	}
	check(t, msgs, 64, Lanes)
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
