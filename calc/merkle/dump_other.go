//go:build !amd64

package merkle

import "github.com/ethereum/go-ethereum/common"

// useAVX512BW is off; a variable so tests set it the same way everywhere.
var useAVX512BW = false

func hexNodes512(dst *byte, nodes *common.Hash, n int) {
	panic("merkle: no vector hex encoder on this architecture")
}

func hexAddrs512(dst *byte, addrs *common.Address, n int) {
	panic("merkle: no vector hex encoder on this architecture")
}

func caseAddrs512(digits *byte, sums *common.Hash, n int) {
	panic("merkle: no vector hex encoder on this architecture")
}
