//go:build !amd64

package keccak8

const useAVX512 = false

func permute8(s *state) { panic("keccak8: no vector permutation on this architecture") }
