//go:build !purego

#include "textflag.h"

// Eight-lane field arithmetic on AVX-512 IFMA for madd8. A field element
// of eight lanes (fe8) is five 512-bit rows in memory, row i holding limb
// i (bits 52i…52i+51) of each lane; limbs are below 2⁵² (IFMA reads only
// 52 bits) and a value below 2²⁶⁰, congruent mod p. 2²⁶⁰ ≡ R = 2⁴·pk.
//
// Constant registers, set by madd8: Z30 = 2⁵²−1, Z31 = R, Z25…Z29 = the
// limbs of 32p written with every limb in [2⁵², 2⁵⁵) (so L − b ≥ 0 limb
// by limb for any b), for subtraction. Z0…Z22 are scratch.

// CARRY(a, b, t): b += a >> 52; a &= 2⁵²−1.
#define CARRY(a, b, t) \
	VPSRLQ $52, a, t; \
	VPANDQ Z30, a, a; \
	VPADDQ t, b, b

// FOLD carries Z10…Z14 into 52-bit limbs and folds the carry out of the
// top limb back in as ·R (2²⁶⁰ ≡ R).
#define FOLD \
	CARRY(Z10, Z11, Z22); \
	CARRY(Z11, Z12, Z22); \
	CARRY(Z12, Z13, Z22); \
	CARRY(Z13, Z14, Z22); \
	VPSRLQ $52, Z14, Z21; \
	VPANDQ Z30, Z14, Z14; \
	VPMADD52LUQ Z31, Z21, Z10

// NORM normalizes Z10…Z14 (limbs below 2⁵⁵): the first FOLD's carry is
// below 2⁴; the second's at most 1, and then the middle limbs wrapped to
// zero, so one more carry out of the bottom limb ends it.
#define NORM \
	FOLD; \
	FOLD; \
	CARRY(Z10, Z11, Z22)

#define STORE(r) \
	VMOVDQU64 Z10, 0(r); \
	VMOVDQU64 Z11, 64(r); \
	VMOVDQU64 Z12, 128(r); \
	VMOVDQU64 Z13, 192(r); \
	VMOVDQU64 Z14, 256(r)

// SUB(a, b, d): d = a − b (pointers).
#define SUB(a, b, d) \
	VPADDQ 0(a), Z25, Z10; \
	VPADDQ 64(a), Z26, Z11; \
	VPADDQ 128(a), Z27, Z12; \
	VPADDQ 192(a), Z28, Z13; \
	VPADDQ 256(a), Z29, Z14; \
	VPSUBQ 0(b), Z10, Z10; \
	VPSUBQ 64(b), Z11, Z11; \
	VPSUBQ 128(b), Z12, Z12; \
	VPSUBQ 192(b), Z13, Z13; \
	VPSUBQ 256(b), Z14, Z14; \
	NORM; \
	STORE(d)

// ROWMUL(ai, k): the products of limb ai (register) with the b limbs
// Z5…Z9 into columns k… (register names given).
#define ROWMUL(ai, c0, c1, c2, c3, c4, c5) \
	VPMADD52LUQ Z5, ai, c0; \
	VPMADD52HUQ Z5, ai, c1; \
	VPMADD52LUQ Z6, ai, c1; \
	VPMADD52HUQ Z6, ai, c2; \
	VPMADD52LUQ Z7, ai, c2; \
	VPMADD52HUQ Z7, ai, c3; \
	VPMADD52LUQ Z8, ai, c3; \
	VPMADD52HUQ Z8, ai, c4; \
	VPMADD52LUQ Z9, ai, c4; \
	VPMADD52HUQ Z9, ai, c5

// MUL(a, b, d): d = a·b (pointers; d may be a or b). Columns c0…c9 are
// Z10…Z19 (each below 2⁵⁶: ten halves of 52 bits). They are carried
// into 52-bit limbs and a c10 (Z20); c5…c9 fold in as ·R into c0…c4 and
// a new c5 (Z21), c10 as ·R into that new c5 (2⁵²⁰ ≡ R·2²⁶⁰); the new c5
// (below 2⁴³ after carrying c0…c4) folds in as ·R again, and a last carry
// out of the top limb (at most 1) as in NORM.
#define MUL(a, b, d) \
	VMOVDQU64 0(a), Z0; \
	VMOVDQU64 64(a), Z1; \
	VMOVDQU64 128(a), Z2; \
	VMOVDQU64 192(a), Z3; \
	VMOVDQU64 256(a), Z4; \
	VMOVDQU64 0(b), Z5; \
	VMOVDQU64 64(b), Z6; \
	VMOVDQU64 128(b), Z7; \
	VMOVDQU64 192(b), Z8; \
	VMOVDQU64 256(b), Z9; \
	VPXORQ Z10, Z10, Z10; \
	VPXORQ Z11, Z11, Z11; \
	VPXORQ Z12, Z12, Z12; \
	VPXORQ Z13, Z13, Z13; \
	VPXORQ Z14, Z14, Z14; \
	VPXORQ Z15, Z15, Z15; \
	VPXORQ Z16, Z16, Z16; \
	VPXORQ Z17, Z17, Z17; \
	VPXORQ Z18, Z18, Z18; \
	VPXORQ Z19, Z19, Z19; \
	ROWMUL(Z0, Z10, Z11, Z12, Z13, Z14, Z15); \
	ROWMUL(Z1, Z11, Z12, Z13, Z14, Z15, Z16); \
	ROWMUL(Z2, Z12, Z13, Z14, Z15, Z16, Z17); \
	ROWMUL(Z3, Z13, Z14, Z15, Z16, Z17, Z18); \
	ROWMUL(Z4, Z14, Z15, Z16, Z17, Z18, Z19); \
	CARRY(Z10, Z11, Z22); \
	CARRY(Z11, Z12, Z22); \
	CARRY(Z12, Z13, Z22); \
	CARRY(Z13, Z14, Z22); \
	CARRY(Z14, Z15, Z22); \
	CARRY(Z15, Z16, Z22); \
	CARRY(Z16, Z17, Z22); \
	CARRY(Z17, Z18, Z22); \
	CARRY(Z18, Z19, Z22); \
	VPSRLQ $52, Z19, Z20; \
	VPANDQ Z30, Z19, Z19; \
	VPXORQ Z21, Z21, Z21; \
	VPMADD52LUQ Z31, Z15, Z10; \
	VPMADD52HUQ Z31, Z15, Z11; \
	VPMADD52LUQ Z31, Z16, Z11; \
	VPMADD52HUQ Z31, Z16, Z12; \
	VPMADD52LUQ Z31, Z17, Z12; \
	VPMADD52HUQ Z31, Z17, Z13; \
	VPMADD52LUQ Z31, Z18, Z13; \
	VPMADD52HUQ Z31, Z18, Z14; \
	VPMADD52LUQ Z31, Z19, Z14; \
	VPMADD52HUQ Z31, Z19, Z21; \
	VPMADD52LUQ Z31, Z20, Z21; \
	CARRY(Z10, Z11, Z22); \
	CARRY(Z11, Z12, Z22); \
	CARRY(Z12, Z13, Z22); \
	CARRY(Z13, Z14, Z22); \
	CARRY(Z14, Z21, Z22); \
	VPMADD52LUQ Z31, Z21, Z10; \
	VPMADD52HUQ Z31, Z21, Z11; \
	FOLD; \
	CARRY(Z10, Z11, Z22); \
	STORE(d)

// The fe8 slots of madd8's scratch (bytes).
#define Z12S 0
#define U2S 320
#define S2S 640
#define HS 960
#define IS 1280
#define H2S 1600
#define H3S 1920
#define TS 2240
#define X3S 2560
#define Y3S 2880
#define WS 3200

// func madd8(acc *[15][8]uint64, q *[10][8]uint64, s *[11 * 5][8]uint64, mask uint8)
// For each lane in mask, acc (X, Y, Z) = acc + q (affine x, y), by the
// same formula as jacobian.madd (8M + 3S). A lane whose sum degenerates
// (acc = ±q) gets Z ≡ 0, and keeps it: the caller checks Z at the end.
TEXT ·madd8(SB), NOSPLIT, $0-25
	MOVQ acc+0(FP), DI
	MOVQ q+8(FP), SI
	MOVQ s+16(FP), BX
	KMOVB mask+24(FP), K1

	MOVQ $0xFFFFFFFFFFFFF, AX
	VPBROADCASTQ AX, Z30
	MOVQ $0x1000003D10, AX
	VPBROADCASTQ AX, Z31
	MOVQ $0x1FFFDFFFFF85E0, AX
	VPBROADCASTQ AX, Z25
	MOVQ $0x1FFFFFFFFFFFFE, AX
	VPBROADCASTQ AX, Z26
	VMOVDQA64 Z26, Z27
	VMOVDQA64 Z26, Z28
	VMOVDQA64 Z26, Z29

	LEAQ 320(DI), R8  // Y1
	LEAQ 640(DI), R9  // Z1
	LEAQ 320(SI), R10 // y2

	LEAQ Z12S(BX), R11
	MUL(R9, R9, R11)        // z12 = Z1²
	LEAQ U2S(BX), R12
	MUL(SI, R11, R12)       // u2 = x2·z12
	LEAQ S2S(BX), R13
	MUL(R10, R11, R13)      // s2 = y2·z12
	MUL(R13, R9, R13)       // s2 = s2·Z1
	LEAQ HS(BX), R14
	SUB(R12, DI, R14)       // h = u2 − X1
	LEAQ IS(BX), R15
	SUB(R13, R8, R15)       // i = s2 − Y1
	LEAQ H2S(BX), R11
	MUL(R14, R14, R11)      // h2 = h²
	LEAQ H3S(BX), R12
	MUL(R14, R11, R12)      // h3 = h·h2
	LEAQ TS(BX), R13
	MUL(DI, R11, R13)       // t = X1·h2
	LEAQ X3S(BX), R11
	MUL(R15, R15, R11)      // x3 = i²
	SUB(R11, R12, R11)      // x3 −= h3
	SUB(R11, R13, R11)      // x3 −= t
	SUB(R11, R13, R11)      // x3 −= t
	LEAQ Y3S(BX), R10
	SUB(R13, R11, R10)      // y3 = t − x3
	MUL(R10, R15, R10)      // y3 = y3·i
	LEAQ WS(BX), R13
	MUL(R8, R12, R13)       // w = Y1·h3
	SUB(R10, R13, R10)      // y3 −= w
	MUL(R9, R14, R14)       // h = Z1·h (Z3)

	// Masked stores of X3, Y3, Z3.
	VMOVDQU64 0(R11), Z0
	VMOVDQU64 Z0, K1, 0(DI)
	VMOVDQU64 64(R11), Z0
	VMOVDQU64 Z0, K1, 64(DI)
	VMOVDQU64 128(R11), Z0
	VMOVDQU64 Z0, K1, 128(DI)
	VMOVDQU64 192(R11), Z0
	VMOVDQU64 Z0, K1, 192(DI)
	VMOVDQU64 256(R11), Z0
	VMOVDQU64 Z0, K1, 256(DI)
	VMOVDQU64 0(R10), Z0
	VMOVDQU64 Z0, K1, 0(R8)
	VMOVDQU64 64(R10), Z0
	VMOVDQU64 Z0, K1, 64(R8)
	VMOVDQU64 128(R10), Z0
	VMOVDQU64 Z0, K1, 128(R8)
	VMOVDQU64 192(R10), Z0
	VMOVDQU64 Z0, K1, 192(R8)
	VMOVDQU64 256(R10), Z0
	VMOVDQU64 Z0, K1, 256(R8)
	VMOVDQU64 0(R14), Z0
	VMOVDQU64 Z0, K1, 0(R9)
	VMOVDQU64 64(R14), Z0
	VMOVDQU64 Z0, K1, 64(R9)
	VMOVDQU64 128(R14), Z0
	VMOVDQU64 Z0, K1, 128(R9)
	VMOVDQU64 192(R14), Z0
	VMOVDQU64 Z0, K1, 192(R9)
	VMOVDQU64 256(R14), Z0
	VMOVDQU64 Z0, K1, 256(R9)
	VZEROUPPER
	RET

// func neg8(y *[5][8]uint64, mask uint8)
// For each lane in mask, y = −y (32p − y, normalized).
TEXT ·neg8(SB), NOSPLIT, $0-9
	MOVQ y+0(FP), DI
	KMOVB mask+8(FP), K1
	MOVQ $0xFFFFFFFFFFFFF, AX
	VPBROADCASTQ AX, Z30
	MOVQ $0x1000003D10, AX
	VPBROADCASTQ AX, Z31
	MOVQ $0x1FFFDFFFFF85E0, AX
	VPBROADCASTQ AX, Z10
	MOVQ $0x1FFFFFFFFFFFFE, AX
	VPBROADCASTQ AX, Z11
	VMOVDQA64 Z11, Z12
	VMOVDQA64 Z11, Z13
	VMOVDQA64 Z11, Z14
	VPSUBQ 0(DI), Z10, Z10
	VPSUBQ 64(DI), Z11, Z11
	VPSUBQ 128(DI), Z12, Z12
	VPSUBQ 192(DI), Z13, Z13
	VPSUBQ 256(DI), Z14, Z14
	NORM
	VMOVDQU64 Z10, K1, 0(DI)
	VMOVDQU64 Z11, K1, 64(DI)
	VMOVDQU64 Z12, K1, 128(DI)
	VMOVDQU64 Z13, K1, 192(DI)
	VMOVDQU64 Z14, K1, 256(DI)
	VZEROUPPER
	RET
