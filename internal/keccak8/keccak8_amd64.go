package keccak8

import "golang.org/x/sys/cpu"

var (
	// useAVX512 is set when the CPU and the OS support AVX-512 Foundation
	// (VPROLQ, VPTERNLOGQ, VPGATHERQQ on ZMM registers).
	useAVX512 = cpu.X86.HasAVX512F
	// useAVX512BW is set when pairs8 can also run: it byte-swaps the
	// nodes with VPSHUFB on ZMM registers (AVX-512 BW) to compare them.
	useAVX512BW = cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW
)

// permute8 applies Keccak-f[1600] to each of the eight states.
//
//go:noescape
func permute8(s *state)

// sum8 sets out[i] to the Keccak-256 hash of the 8·words bytes at
// msgs[i·8·words:], for i < 8, or to the hash of that hash when twice.
// words ≤ 16 (the messages fit one block); it reads exactly 64·words bytes.
//
//go:noescape
func sum8(out *[Lanes][32]byte, msgs *byte, words int, twice bool)

// pairs8 sets out[i] to the Keccak-256 hash of min(a, b) ‖ max(a, b) in
// bytewise order, where a, b = nodes[2i], nodes[2i+1]. It reads all of
// nodes before it writes out.
//
//go:noescape
func pairs8(out *[Lanes][32]byte, nodes *[2 * Lanes][32]byte)
