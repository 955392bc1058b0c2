package seal

import (
	"encoding/binary"
	"math/bits"
)

// fe is an element of secp256k1's base field, p = 2²⁵⁶ − 2³² − 977, as
// four little-endian 64-bit limbs. Values are kept weakly reduced: any
// 256-bit number, congruent mod p to the element (so p itself is a second
// spelling of zero). Every operation accepts and returns weakly reduced
// values; normalize gives the unique one below p, for comparisons and
// parity. Nothing here is constant-time: the inputs are public (block
// hashes and seals), so timing reveals nothing.
type fe [4]uint64

// pk is 2²⁵⁶ mod p: carries out of the top limb fold back in as pk.
const pk = 0x1000003D1

var feP = fe{0xFFFFFFFEFFFFFC2F, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF}

// setBytes sets z to the big-endian 32 bytes b, weakly reduced as is.
func (z *fe) setBytes(b []byte) {
	z[3] = binary.BigEndian.Uint64(b[0:])
	z[2] = binary.BigEndian.Uint64(b[8:])
	z[1] = binary.BigEndian.Uint64(b[16:])
	z[0] = binary.BigEndian.Uint64(b[24:])
}

// bytes writes z, normalized, big-endian into b[:32].
func (z *fe) bytes(b []byte) {
	n := *z
	n.normalize()
	binary.BigEndian.PutUint64(b[0:], n[3])
	binary.BigEndian.PutUint64(b[8:], n[2])
	binary.BigEndian.PutUint64(b[16:], n[1])
	binary.BigEndian.PutUint64(b[24:], n[0])
}

// normalize reduces z below p: z ≥ p exactly when z + pk carries out of
// 256 bits, and then that wrapped sum is z − p.
func (z *fe) normalize() {
	r0, c := bits.Add64(z[0], pk, 0)
	r1, c := bits.Add64(z[1], 0, c)
	r2, c := bits.Add64(z[2], 0, c)
	r3, c := bits.Add64(z[3], 0, c)
	if c != 0 {
		*z = fe{r0, r1, r2, r3}
	}
}

// isZero reports whether z ≡ 0 (mod p).
func (z *fe) isZero() bool {
	return z[0]|z[1]|z[2]|z[3] == 0 || *z == feP
}

// equal reports whether z ≡ x (mod p).
func (z *fe) equal(x *fe) bool {
	a, b := *z, *x
	a.normalize()
	b.normalize()
	return a == b
}

// add sets z = x + y.
func (z *fe) add(x, y *fe) {
	r0, c := bits.Add64(x[0], y[0], 0)
	r1, c := bits.Add64(x[1], y[1], c)
	r2, c := bits.Add64(x[2], y[2], c)
	r3, c := bits.Add64(x[3], y[3], c)
	// A carry is 2²⁵⁶ ≡ pk. Adding it can carry once more only if the
	// wrapped sum is within pk of 2²⁵⁶, and then the result is tiny.
	r0, c = bits.Add64(r0, pk&-c, 0)
	r1, c = bits.Add64(r1, 0, c)
	r2, c = bits.Add64(r2, 0, c)
	r3, c = bits.Add64(r3, 0, c)
	r0 += pk & -c
	*z = fe{r0, r1, r2, r3}
}

// sub sets z = x − y.
func (z *fe) sub(x, y *fe) {
	if useAsm {
		subAsm(z, x, y)
		return
	}
	z.subGeneric(x, y)
}

// subGeneric is sub in portable Go.
func (z *fe) subGeneric(x, y *fe) {
	r0, b := bits.Sub64(x[0], y[0], 0)
	r1, b := bits.Sub64(x[1], y[1], b)
	r2, b := bits.Sub64(x[2], y[2], b)
	r3, b := bits.Sub64(x[3], y[3], b)
	// A borrow added 2²⁵⁶; subtracting pk makes that + p. If y was above
	// p (weakly reduced) once may not be enough, and twice always is.
	r0, b = bits.Sub64(r0, pk&-b, 0)
	r1, b = bits.Sub64(r1, 0, b)
	r2, b = bits.Sub64(r2, 0, b)
	r3, b = bits.Sub64(r3, 0, b)
	r0, b = bits.Sub64(r0, pk&-b, 0)
	r1, b = bits.Sub64(r1, 0, b)
	r2, b = bits.Sub64(r2, 0, b)
	r3, _ = bits.Sub64(r3, 0, b)
	*z = fe{r0, r1, r2, r3}
}

// mac returns a·b + c + d as (hi, lo); it cannot overflow 128 bits.
func mac(a, b, c, d uint64) (hi, lo uint64) {
	hi, lo = bits.Mul64(a, b)
	var k uint64
	lo, k = bits.Add64(lo, c, 0)
	hi += k
	lo, k = bits.Add64(lo, d, 0)
	hi += k
	return hi, lo
}

// mul sets z = x·y.
func (z *fe) mul(x, y *fe) {
	if useAsm {
		mulAsm(z, x, y)
		return
	}
	z.mulGeneric(x, y)
}

// sqr sets z = x².
func (z *fe) sqr(x *fe) {
	if useAsm {
		mulAsm(z, x, x) // a dedicated squaring saved nothing measurable
		return
	}
	z.sqrGeneric(x)
}

// mulGeneric is mul in portable Go.
func (z *fe) mulGeneric(x, y *fe) {
	x0, x1, x2, x3 := x[0], x[1], x[2], x[3]
	y0, y1, y2, y3 := y[0], y[1], y[2], y[3]
	var c, t0, t1, t2, t3, t4, t5, t6, t7 uint64
	c, t0 = bits.Mul64(x0, y0)
	c, t1 = mac(x0, y1, c, 0)
	c, t2 = mac(x0, y2, c, 0)
	t4, t3 = mac(x0, y3, c, 0)

	c, t1 = mac(x1, y0, t1, 0)
	c, t2 = mac(x1, y1, t2, c)
	c, t3 = mac(x1, y2, t3, c)
	t5, t4 = mac(x1, y3, t4, c)

	c, t2 = mac(x2, y0, t2, 0)
	c, t3 = mac(x2, y1, t3, c)
	c, t4 = mac(x2, y2, t4, c)
	t6, t5 = mac(x2, y3, t5, c)

	c, t3 = mac(x3, y0, t3, 0)
	c, t4 = mac(x3, y1, t4, c)
	c, t5 = mac(x3, y2, t5, c)
	t7, t6 = mac(x3, y3, t6, c)
	z.reduce(t0, t1, t2, t3, t4, t5, t6, t7)
}

// sqrGeneric is sqr in portable Go, computing each cross product once.
func (z *fe) sqrGeneric(x *fe) {
	x0, x1, x2, x3 := x[0], x[1], x[2], x[3]
	// Cross products x_i·x_j, i < j, into t1…t6.
	var c, t1, t2, t3, t4, t5, t6, t7 uint64
	c, t1 = bits.Mul64(x0, x1)
	c, t2 = mac(x0, x2, c, 0)
	t4, t3 = mac(x0, x3, c, 0)
	c, t3 = mac(x1, x2, t3, 0)
	t5, t4 = mac(x1, x3, t4, c)
	t6, t5 = mac(x2, x3, t5, 0)
	// Double them.
	t7 = t6 >> 63
	t6 = t6<<1 | t5>>63
	t5 = t5<<1 | t4>>63
	t4 = t4<<1 | t3>>63
	t3 = t3<<1 | t2>>63
	t2 = t2<<1 | t1>>63
	t1 <<= 1
	// Add the squares x_i² on the diagonal.
	h0, t0 := bits.Mul64(x0, x0)
	h1, l1 := bits.Mul64(x1, x1)
	h2, l2 := bits.Mul64(x2, x2)
	h3, l3 := bits.Mul64(x3, x3)
	t1, c = bits.Add64(t1, h0, 0)
	t2, c = bits.Add64(t2, l1, c)
	t3, c = bits.Add64(t3, h1, c)
	t4, c = bits.Add64(t4, l2, c)
	t5, c = bits.Add64(t5, h2, c)
	t6, c = bits.Add64(t6, l3, c)
	t7, _ = bits.Add64(t7, h3, c)
	z.reduce(t0, t1, t2, t3, t4, t5, t6, t7)
}

// reduce sets z to the 512-bit t0…t7 mod p, weakly: t4…t7 count 2²⁵⁶ ≡ pk
// each, so they fold into the low half times pk, and what carries out of
// that (below 2³⁴) folds in once more.
func (z *fe) reduce(t0, t1, t2, t3, t4, t5, t6, t7 uint64) {
	c, r0 := mac(t4, pk, t0, 0)
	c, r1 := mac(t5, pk, t1, c)
	c, r2 := mac(t6, pk, t2, c)
	c, r3 := mac(t7, pk, t3, c)
	h, l := bits.Mul64(c, pk)
	var k uint64
	r0, k = bits.Add64(r0, l, 0)
	r1, k = bits.Add64(r1, h, k)
	r2, k = bits.Add64(r2, 0, k)
	r3, k = bits.Add64(r3, 0, k)
	// A last carry leaves a wrapped value below 2⁶⁷: adding pk carries at
	// most into r1.
	r0, k = bits.Add64(r0, pk&-k, 0)
	r1 += k
	*z = fe{r0, r1, r2, r3}
}

// sqrN sets z = x^(2ⁿ).
func (z *fe) sqrN(x *fe, n int) {
	z.sqr(x)
	for i := 1; i < n; i++ {
		z.sqr(z)
	}
}

// inv sets z = x⁻¹ = x^(p−2) (zero for zero), by libsecp256k1's addition
// chain: 255 squarings and 15 multiplications. The runs of ones in p − 2
// have lengths 223, 22, 1, 2 (from the top), built from x^(2ᵏ−1) blocks.
func (z *fe) inv(x *fe) {
	var x2, x3, x6, x9, x11, x22, x44, x88, x176, x220, x223, t fe
	x2.sqr(x)
	x2.mul(&x2, x)
	x3.sqr(&x2)
	x3.mul(&x3, x)
	x6.sqrN(&x3, 3)
	x6.mul(&x6, &x3)
	x9.sqrN(&x6, 3)
	x9.mul(&x9, &x3)
	x11.sqrN(&x9, 2)
	x11.mul(&x11, &x2)
	x22.sqrN(&x11, 11)
	x22.mul(&x22, &x11)
	x44.sqrN(&x22, 22)
	x44.mul(&x44, &x22)
	x88.sqrN(&x44, 44)
	x88.mul(&x88, &x44)
	x176.sqrN(&x88, 88)
	x176.mul(&x176, &x88)
	x220.sqrN(&x176, 44)
	x220.mul(&x220, &x44)
	x223.sqrN(&x220, 3)
	x223.mul(&x223, &x3)
	t.sqrN(&x223, 23)
	t.mul(&t, &x22)
	t.sqrN(&t, 5)
	t.mul(&t, x)
	t.sqrN(&t, 3)
	t.mul(&t, &x2)
	t.sqrN(&t, 2)
	z.mul(&t, x)
}

// batchInv sets each of zs to its inverse with one inversion and three
// multiplications per element (Montgomery's trick). No element may be
// zero. scratch must hold len(zs) elements.
func batchInv(zs []*fe, scratch []fe) {
	if len(zs) == 0 {
		return
	}
	acc := *zs[0]
	scratch[0] = acc
	for i := 1; i < len(zs); i++ {
		acc.mul(&acc, zs[i])
		scratch[i] = acc
	}
	acc.inv(&acc)
	for i := len(zs) - 1; i > 0; i-- {
		var t fe
		t.mul(&acc, &scratch[i-1]) // = zs[i]⁻¹
		acc.mul(&acc, zs[i])
		*zs[i] = t
	}
	*zs[0] = acc
}
