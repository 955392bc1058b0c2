package hexdigit

import (
	"bytes"
	"encoding/hex"
	"math/rand/v2"
	"testing"
)

// checkEncode compares Encode and AppendEncode of src with encoding/hex.
func checkEncode(t testing.TB, src []byte) {
	want := hex.EncodeToString(src)
	// Digits land between guard bytes Encode must leave alone.
	dst := bytes.Repeat([]byte{'#'}, 2*len(src)+2)
	if n := Encode(dst[1:], src); n != 2*len(src) {
		t.Fatalf("Encode(%x) = %d, want %d", src, n, 2*len(src))
	}
	if got := string(dst[1 : 1+2*len(src)]); got != want {
		t.Fatalf("Encode(%x) wrote %s, want %s", src, got, want)
	}
	if dst[0] != '#' || dst[len(dst)-1] != '#' {
		t.Fatalf("Encode(%x) wrote outside its digits: %q", src, dst)
	}
	if got := string(AppendEncode([]byte("0x"), src)); got != "0x"+want {
		t.Fatalf("AppendEncode(%x) = %s, want 0x%s", src, got, want)
	}
}

// TestEncode: every byte value at every position of a word, every length
// up to 40 (a hash, an address, the tails), random inputs.
func TestEncode(t *testing.T) {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	for off := 0; off < 8; off++ {
		checkEncode(t, all[off:])
	}
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n <= 40; n++ {
		for range 50 {
			src := make([]byte, n)
			for i := range src {
				src[i] = byte(r.Uint32())
			}
			checkEncode(t, src)
		}
		checkEncode(t, bytes.Repeat([]byte{0xff}, n))
		checkEncode(t, bytes.Repeat([]byte{0x9a}, n)) // digits 9 and 10 side by side
		checkEncode(t, make([]byte, n))
	}
}

func TestNibbles(t *testing.T) {
	if got := Nibbles(0x12345678); got != 0x0102030405060708 {
		t.Fatalf("Nibbles(0x12345678) = %#x", got)
	}
	if got := Nibbles(0xf0e1d2c3); got != 0x0f000e010d020c03 {
		t.Fatalf("Nibbles(0xf0e1d2c3) = %#x", got)
	}
}

func TestEncodeShortDst(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	Encode(make([]byte, 7), make([]byte, 4))
}

func FuzzEncode(f *testing.F) {
	f.Add([]byte{0x00, 0x09, 0x0a, 0x0f, 0x90, 0xa0, 0xff, 0x5a, 0xa5})
	f.Fuzz(func(t *testing.T, src []byte) { checkEncode(t, src) })
}

// BenchmarkEncode32 encodes a hash, as the tree dump does for every node.
func BenchmarkEncode32(b *testing.B) {
	src := make([]byte, 32)
	for i := range src {
		src[i] = byte(i * 37)
	}
	dst := make([]byte, 64)
	b.SetBytes(32)
	b.Run("hexdigit", func(b *testing.B) {
		for b.Loop() {
			Encode(dst, src)
		}
	})
	b.Run("encoding-hex", func(b *testing.B) {
		for b.Loop() {
			hex.Encode(dst, src)
		}
	})
}
