package merkle

import (
	"github.com/ethereum/go-ethereum/common"
	"golang.org/x/sys/cpu"
)

// useAVX512BW is set when the hex routines below can run: they widen
// bytes (VPMOVZXBW), look digits up (VPSHUFB) and mask byte loads and
// stores on ZMM registers.
var useAVX512BW = cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW

// hexNodes512 is hexNodesGo of n ≥ 1 nodes from nodes into dst, which
// must have room for n·nodeText bytes.
//
//go:noescape
func hexNodes512(dst *byte, nodes *common.Hash, n int)

// hexAddrs512 writes the 40 lower-case hex digits of each of n ≥ 1
// addresses to dst[40i:].
//
//go:noescape
func hexAddrs512(dst *byte, addrs *common.Address, n int)

// caseAddrs512 is applyChecksum(digits[40i:40i+40], &sums[i]) for i < n,
// n ≥ 1.
//
//go:noescape
func caseAddrs512(digits *byte, sums *common.Hash, n int)
