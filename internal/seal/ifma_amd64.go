//go:build !purego

package seal

import "golang.org/x/sys/cpu"

// useIFMA says Check runs eight seals at once in madd8 (AVX-512 IFMA).
var useIFMA = cpu.X86.HasAVX512F && cpu.X86.HasAVX512IFMA && cpu.X86.HasAVX512DQ

//go:noescape
func madd8(acc *[15][8]uint64, q *[10][8]uint64, s *[11 * 5][8]uint64, mask uint8)

//go:noescape
func neg8(y *[5][8]uint64, mask uint8)
