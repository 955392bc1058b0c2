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

// func hexAddrs512(dst *byte, addrs *common.Address, n int)
//
// hexNodes512's digits for n ≥ 1 20-byte addresses, 40 digits each at
// dst+40i; the loads and stores are masked to the address and its digits.
TEXT ·hexAddrs512(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ addrs+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTI32X4 hexdigits<>(SB), Z2
	MOVL $0x0f0f0f0f, AX
	VPBROADCASTD AX, Z3
	MOVL $0xfffff, AX
	KMOVD AX, K1
	MOVQ $0xffffffffff, AX
	KMOVQ AX, K2

addrloop:
	VMOVDQU8.Z (SI), K1, Y0
	VPMOVZXBW Y0, Z0
	VPSRLW $4, Z0, Z1
	VPSLLW $8, Z0, Z0
	VPTERNLOGQ $0xa8, Z3, Z1, Z0
	VPSHUFB Z0, Z2, Z0
	VMOVDQU8 Z0, K2, (DI)
	ADDQ $20, SI
	ADDQ $40, DI
	DECQ CX
	JNZ addrloop
	VZEROUPPER
	RET

// func caseAddrs512(digits *byte, sums *common.Hash, n int)
//
// applyChecksum of the 40 digits at digits+40i with sums[i], for n ≥ 1.
// Sum byte j, widened to word j, decides digit 2j by its bit 7 (moved to
// bit 5 by >>2) and digit 2j+1 by its bit 3 (to bit 13, the high byte's
// bit 5, by <<10); a letter has bit 6 set, moved to bit 5 by >>1.
TEXT ·caseAddrs512(SB), NOSPLIT, $0-24
	MOVQ digits+0(FP), DI
	MOVQ sums+8(FP), SI
	MOVQ n+16(FP), CX
	MOVL $0x20202020, AX
	VPBROADCASTD AX, Z5
	MOVL $0xfffff, AX
	KMOVD AX, K1
	MOVQ $0xffffffffff, AX
	KMOVQ AX, K2

caseloop:
	VMOVDQU8.Z (SI), K1, Y1
	VPMOVZXBW Y1, Z1
	VPSRLW $2, Z1, Z2
	VPSLLW $10, Z1, Z1
	// Z1 = (Z1 | Z2) & 0x20 per byte: the digits to upper-case if letters
	VPTERNLOGQ $0xa8, Z5, Z2, Z1
	VMOVDQU8.Z (DI), K2, Z0
	VPSRLW $1, Z0, Z4
	// Z0 = Z0 &^ (Z4 & Z1)
	VPTERNLOGQ $0x70, Z1, Z4, Z0
	VMOVDQU8 Z0, K2, (DI)
	ADDQ $32, SI
	ADDQ $40, DI
	DECQ CX
	JNZ caseloop
	VZEROUPPER
	RET
