package merkle

import (
	"math/rand"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

// TestChecksum: the EIP-55 forms written one at a time and eight at a
// time are go-ethereum's Address.Hex, for random addresses and the
// all-letter and all-digit ones.
func TestChecksum(t *testing.T) {
	r := rand.New(rand.NewSource(8))
	addrs := []common.Address{{}, common.HexToAddress("0xffffffffffffffffffffffffffffffffffffffff"), common.HexToAddress("0xabcdefabcdefabcdefabcdefabcdefabcdefabcd")}
	for i := 0; i < 5000; i++ {
		var a common.Address
		r.Read(a[:])
		addrs = append(addrs, a)
	}
	hex := make([]byte, 40*len(addrs))
	checksumHex(hex, addrs)
	for i := range addrs {
		want := addrs[i].Hex()
		if got := string(AppendChecksumAddress(nil, &addrs[i])); got != want {
			t.Fatalf("AppendChecksumAddress = %s, want %s", got, want)
		}
		if got := "0x" + string(hex[40*i:40*i+40]); got != want {
			t.Fatalf("checksumHex = %s, want %s", got, want)
		}
	}
}
