//go:build !purego

#include "textflag.h"

// One row of the schoolbook product: DX·x added into R(a)…R(d), R(e)
// (R(e) zero on entry), with the low halves on the CF chain (ADCX) and the
// high halves on the OF chain (ADOX). CX is zero.
#define ROW(a, b, c, d, e) \
	XORQ  CX, CX; \
	MULXQ 0(SI), AX, BX; \
	ADCXQ AX, a; \
	ADOXQ BX, b; \
	MULXQ 8(SI), AX, BX; \
	ADCXQ AX, b; \
	ADOXQ BX, c; \
	MULXQ 16(SI), AX, BX; \
	ADCXQ AX, c; \
	ADOXQ BX, d; \
	MULXQ 24(SI), AX, BX; \
	ADCXQ AX, d; \
	ADOXQ BX, e; \
	ADCXQ CX, e

// REDUCE folds R12…R15 (each 2²⁵⁶ ≡ pk) into R8…R11 (a carry out of
// that, below 2³⁴, once more; a last carry leaves a value below 2⁶⁷, so
// adding pk then carries at most into the second limb) and stores the
// result at z.
#define REDUCE \
	MOVQ  $0x1000003D1, DX; \
	XORQ  CX, CX; \
	MULXQ R12, AX, BX; \
	ADCXQ AX, R8; \
	ADOXQ BX, R9; \
	MULXQ R13, AX, BX; \
	ADCXQ AX, R9; \
	ADOXQ BX, R10; \
	MULXQ R14, AX, BX; \
	ADCXQ AX, R10; \
	ADOXQ BX, R11; \
	MULXQ R15, AX, R12; \
	ADCXQ AX, R11; \
	ADOXQ CX, R12; \
	ADCXQ CX, R12; \
	MULXQ R12, AX, BX; \
	ADDQ  AX, R8; \
	ADCQ  BX, R9; \
	ADCQ  $0, R10; \
	ADCQ  $0, R11; \
	SBBQ AX, AX; \
	ANDQ DX, AX; \
	ADDQ AX, R8; \
	ADCQ $0, R9; \
	MOVQ z+0(FP), DI; \
	MOVQ R8, 0(DI); \
	MOVQ R9, 8(DI); \
	MOVQ R10, 16(DI); \
	MOVQ R11, 24(DI);

// func mulAsm(z, x, y *fe)
// z = x·y mod p, weakly reduced; z may alias x or y (it is written last).
TEXT ·mulAsm(SB), NOSPLIT, $0-24
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DI

	// Row 0: R8…R12 = y0·x.
	MOVQ  0(DI), DX
	MULXQ 0(SI), R8, R9
	MULXQ 8(SI), AX, R10
	ADDQ  AX, R9
	MULXQ 16(SI), AX, R11
	ADCQ  AX, R10
	MULXQ 24(SI), AX, R12
	ADCQ  AX, R11
	ADCQ  $0, R12

	MOVQ 8(DI), DX
	XORQ R13, R13
	ROW(R9, R10, R11, R12, R13)
	MOVQ 16(DI), DX
	XORQ R14, R14
	ROW(R10, R11, R12, R13, R14)
	MOVQ 24(DI), DX
	XORQ R15, R15
	ROW(R11, R12, R13, R14, R15)

	REDUCE
	RET

// func subAsm(z, x, y *fe)
// z = x − y, weakly reduced: a borrow means 2²⁵⁶ was added, and taking pk
// off makes that p; if y was above p that can borrow once more, and a
// second pk always suffices.
TEXT ·subAsm(SB), NOSPLIT, $0-24
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DI
	MOVQ 0(SI), R8
	MOVQ 8(SI), R9
	MOVQ 16(SI), R10
	MOVQ 24(SI), R11
	SUBQ 0(DI), R8
	SBBQ 8(DI), R9
	SBBQ 16(DI), R10
	SBBQ 24(DI), R11
	MOVQ $0x1000003D1, DX
	SBBQ AX, AX
	ANDQ DX, AX
	SUBQ AX, R8
	SBBQ $0, R9
	SBBQ $0, R10
	SBBQ $0, R11
	SBBQ AX, AX
	ANDQ DX, AX
	SUBQ AX, R8
	MOVQ z+0(FP), DI
	MOVQ R8, 0(DI)
	MOVQ R9, 8(DI)
	MOVQ R10, 16(DI)
	MOVQ R11, 24(DI)
	RET
