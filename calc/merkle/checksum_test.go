package merkle

import (
	"math/rand"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

// TestChecksum: the EIP-55 forms written one at a time and eight at a
// time (with AVX-512 BW and in Go) are go-ethereum's Address.Hex, for
// random addresses and the all-letter and all-digit ones, in batches of
// every size up to 17 and one large one.
func TestChecksum(t *testing.T) {
	r := rand.New(rand.NewSource(8))
	addrs := []common.Address{{}, common.HexToAddress("0xffffffffffffffffffffffffffffffffffffffff"), common.HexToAddress("0xabcdefabcdefabcdefabcdefabcdefabcdefabcd")}
	for i := 0; i < 5000; i++ {
		var a common.Address
		r.Read(a[:])
		addrs = append(addrs, a)
	}
	for _, mode := range []string{"default", "portable"} {
		t.Run(mode, func(t *testing.T) {
			if mode == "portable" {
				portableHex(t)
			}
			for n := 0; n <= 17; n++ {
				checkChecksumHex(t, addrs[n:2*n])
			}
			checkChecksumHex(t, addrs)
			for i := range addrs {
				want := addrs[i].Hex()
				if got := string(AppendChecksumAddress(nil, &addrs[i])); got != want {
					t.Fatalf("AppendChecksumAddress = %s, want %s", got, want)
				}
			}
		})
	}
}

// checkChecksumHex compares checksumHex of addrs with Address.Hex.
func checkChecksumHex(t testing.TB, addrs []common.Address) {
	hex := make([]byte, 40*len(addrs))
	checksumHex(hex, addrs)
	for i := range addrs {
		if got, want := "0x"+string(hex[40*i:40*i+40]), addrs[i].Hex(); got != want {
			t.Fatalf("checksumHex of %d addresses, %d: %s, want %s (AVX-512 BW %v)", len(addrs), i, got, want, useAVX512BW)
		}
	}
}

func FuzzChecksumHex(f *testing.F) {
	f.Add(make([]byte, 20*9))
	f.Fuzz(func(t *testing.T, data []byte) {
		addrs := make([]common.Address, len(data)/20)
		for i := range addrs {
			addrs[i] = common.Address(data[20*i:])
		}
		checkChecksumHex(t, addrs)
	})
}
