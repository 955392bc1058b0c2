#include "textflag.h"

// Byte constants, four to a word, broadcast from memory.
DATA hexc<>+0(SB)/4, $0x30303030  // '0'
DATA hexc<>+4(SB)/4, $0x09090909  // 9
DATA hexc<>+8(SB)/4, $0x20202020  // the lower-case bit
DATA hexc<>+12(SB)/4, $0x61616161 // 'a'
DATA hexc<>+16(SB)/4, $0x05050505 // 5
DATA hexc<>+20(SB)/4, $0x0a0a0a0a // 10
DATA hexc<>+24(SB)/4, $0x01100110 // signed weights 16, 1 for each pair
GLOBL hexc<>(SB), RODATA|NOPTR, $28

// func hexAddr512(dst *common.Address, src *byte) bool
//
// The 40 hex digits at src (any case) become 20 bytes at dst, all at once:
// a digit's value is c−'0' when that is at most 9, else (c|0x20)−'a'+10
// when (c|0x20)−'a' is at most 5; pairs become bytes by a multiply-add
// (16·hi + lo) and words narrow to bytes. It returns false, writing
// nothing, if any of the 40 bytes is not a hex digit.
TEXT ·hexAddr512(SB), NOSPLIT, $0-17
	MOVQ src+8(FP), SI
	MOVQ $0xffffffffff, AX // 40 bytes
	KMOVQ AX, K1
	VMOVDQU8.Z (SI), K1, Z0

	VPBROADCASTD hexc<>+0(SB), Z1
	VPSUBB Z1, Z0, Z2 // c − '0'
	VPBROADCASTD hexc<>+4(SB), Z1
	VPCMPUB $2, Z1, Z2, K2 // ≤ 9: a digit

	VPBROADCASTD hexc<>+8(SB), Z1
	VPORQ Z1, Z0, Z3
	VPBROADCASTD hexc<>+12(SB), Z1
	VPSUBB Z1, Z3, Z3 // (c|0x20) − 'a'
	VPBROADCASTD hexc<>+16(SB), Z1
	VPCMPUB $2, Z1, Z3, K3 // ≤ 5: a letter
	VPBROADCASTD hexc<>+20(SB), Z1
	VPADDB Z1, Z3, K3, Z2 // letters' values over the digits'

	KORQ K2, K3, K4
	KMOVQ K4, BX
	ANDQ AX, BX
	CMPQ BX, AX
	JNE bad

	VPBROADCASTD hexc<>+24(SB), Z1
	VPMADDUBSW Z1, Z2, Z2 // 16·hi + lo in each word
	VPMOVWB Z2, Y2
	MOVQ dst+0(FP), DI
	MOVL $0xfffff, AX // 20 bytes
	KMOVD AX, K1
	VMOVDQU8 Y2, K1, (DI)
	VZEROUPPER
	MOVB $1, ret+16(FP)
	RET

bad:
	VZEROUPPER
	MOVB $0, ret+16(FP)
	RET
