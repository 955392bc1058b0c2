package keccak8

import "golang.org/x/sys/cpu"

// useAVX512 is set when the CPU and the OS support AVX-512 Foundation
// (VPROLQ, VPTERNLOGQ on ZMM registers).
var useAVX512 = cpu.X86.HasAVX512F

// permute8 applies Keccak-f[1600] to each of the eight states.
//
//go:noescape
func permute8(s *state)
