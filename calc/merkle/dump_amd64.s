//go:build amd64

#include "textflag.h"

// The lower-case hex digits, once per 128-bit lane for VPSHUFB.
DATA hexdigits<>+0(SB)/8, $0x3736353433323130
DATA hexdigits<>+8(SB)/8, $0x6665646362613938
GLOBL hexdigits<>(SB), RODATA|NOPTR, $16

// func hexNodes512(dst *byte, nodes *common.Hash, n int)
//
// Each node's 32 bytes are widened to 32 words, byte b to b<<8 | b>>4 (its
// high nibble first in memory, the low nibble second, and junk above
// each masked off), and VPSHUFB looks up the 64 digits; the record's
// `,"0x` and `"` are stored around them.
TEXT ·hexNodes512(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ nodes+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTI32X4 hexdigits<>(SB), Z2
	MOVL $0x0f0f0f0f, AX
	VPBROADCASTD AX, Z3

loop:
	VPMOVZXBW (SI), Z0
	VPSRLW $4, Z0, Z1
	VPSLLW $8, Z0, Z0
	// Z0 = (Z0 | Z1) & 0x0f per byte
	VPTERNLOGQ $0xa8, Z3, Z1, Z0
	VPSHUFB Z0, Z2, Z0
	MOVL $0x7830222c, (DI) // ,"0x
	VMOVDQU64 Z0, 4(DI)
	MOVB $0x22, 68(DI)     // "
	ADDQ $32, SI
	ADDQ $69, DI
	DECQ CX
	JNZ loop
	VZEROUPPER
	RET
