package calc

import (
	"math/rand/v2"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/cmt-rewards/cmt-rewards/internal/hexdigit"
)

// hexAddrTable is the obvious reference for hexAddr512.
func hexAddrTable(src []byte) (a common.Address, ok bool) {
	for i := 0; i < 20; i++ {
		hi, lo := hexdigit.Value[src[2*i]], hexdigit.Value[src[2*i+1]]
		if hi|lo > 0xf {
			return common.Address{}, false
		}
		a[i] = hi<<4 | lo
	}
	return a, true
}

// TestHexAddr512: every byte value at every one of the 40 positions, among
// digits of both cases, and random strings, decode as the table does; a
// refused address leaves dst untouched.
func TestHexAddr512(t *testing.T) {
	if !useHexAddr512 {
		t.Skip("no AVX-512 BW")
	}
	r := rand.New(rand.NewPCG(8, 9))
	const digits = "0123456789abcdefABCDEF"
	check := func(src []byte) {
		t.Helper()
		want, wantOK := hexAddrTable(src)
		sentinel := common.Address{0xee}
		got := sentinel
		ok := hexAddr512(&got, &src[0])
		if ok != wantOK || ok && got != want || !ok && got != sentinel {
			t.Fatalf("hexAddr512(%q) = %x, %v; want %x, %v", src, got, ok, want, wantOK)
		}
	}
	// 40 digits followed by bytes that must not be read as digits.
	buf := make([]byte, 64)
	for pos := 0; pos < 40; pos++ {
		for c := 0; c < 256; c++ {
			for i := range buf {
				buf[i] = digits[r.IntN(len(digits))]
				if i >= 40 {
					buf[i] = 'z'
				}
			}
			buf[pos] = byte(c)
			check(buf)
		}
	}
	for range 20000 {
		for i := range buf[:40] {
			buf[i] = digits[r.IntN(len(digits))]
			if r.IntN(50) == 0 {
				buf[i] = byte(r.Uint32())
			}
		}
		check(buf)
	}
}

// TestScanAddressPaths: the scanner reads addresses the same with and
// without the assembly.
func TestScanAddressPaths(t *testing.T) {
	saved := useHexAddr512
	defer func() { useHexAddr512 = saved }()
	for _, doc := range []string{
		`"0xD00000000000000000000000FFFfc2314700A205"`, `"0x0000000000000000000000000000000000000000"`,
		`"0xffffffffffffffffffffffffffffffffffffffff"`, `"0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFG"`,
		`"0xD00000000000000000000000FFFfc2314700A20"`, `"0xD00000000000000000000000FFFfc2314700A2055"`,
	} {
		var results [2]common.Address
		var oks [2]bool
		for k, on := range []bool{false, saved} {
			useHexAddr512 = on
			s := &scanner{b: []byte(doc)}
			oks[k] = s.address(&results[k])
		}
		if oks[0] != oks[1] || oks[0] && results[0] != results[1] { // a refused address may be half written
			t.Fatalf("%s: table %x %v, assembly %x %v", doc, results[0], oks[0], results[1], oks[1])
		}
	}
}

// FuzzHexAddr512: any 40 bytes decode as the table decodes them.
func FuzzHexAddr512(f *testing.F) {
	f.Add([]byte("D00000000000000000000000FFFfc2314700A205"))
	f.Add([]byte("gggggggggggggggggggggggggggggggggggggggg"))
	f.Fuzz(func(t *testing.T, src []byte) {
		if !useHexAddr512 || len(src) < 40 {
			return
		}
		want, wantOK := hexAddrTable(src[:40])
		var got common.Address
		if ok := hexAddr512(&got, &src[0]); ok != wantOK || ok && got != want {
			t.Fatalf("hexAddr512(%q) = %x, %v; want %x, %v", src[:40], got, ok, want, wantOK)
		}
	})
}
