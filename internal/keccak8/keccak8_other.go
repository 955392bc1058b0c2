//go:build !amd64

package keccak8

// The vector paths are off; variables, not constants, so tests can set
// them the same way on every architecture.
var useAVX512, useAVX512BW = false, false

func permute8(s *state) { panic("keccak8: no vector permutation on this architecture") }

func sum8(out *[Lanes][32]byte, msgs *byte, words int, twice bool) {
	panic("keccak8: no vector permutation on this architecture")
}

func pairs8(out *[Lanes][32]byte, nodes *[2 * Lanes][32]byte) {
	panic("keccak8: no vector permutation on this architecture")
}
