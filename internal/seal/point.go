package seal

import "sync"

// affine is a curve point (x, y), never the point at infinity.
type affine struct{ x, y fe }

// jacobian is the point (X/Z², Y/Z³).
type jacobian struct{ x, y, z fe }

var feOne = fe{1}

// madd sets p = p + q for affine q. It returns false, leaving p
// unspecified, when p = ±q: the formula divides by their x difference,
// and the callers fall back to the slow path rather than handle doubling
// or infinity, which random scalars never meet. 8M + 3S.
func (p *jacobian) madd(qx, qy *fe) bool {
	var z12, u2, s2, h, i, h2, h3, t fe
	z12.sqr(&p.z)
	u2.mul(qx, &z12)
	s2.mul(qy, &z12)
	s2.mul(&s2, &p.z)
	h.sub(&u2, &p.x)
	if h.isZero() {
		return false
	}
	i.sub(&s2, &p.y)
	h2.sqr(&h)
	h3.mul(&h, &h2)
	t.mul(&p.x, &h2)
	// X3 = i² − h³ − 2t
	var x3 fe
	x3.sqr(&i)
	x3.sub(&x3, &h3)
	x3.sub(&x3, &t)
	x3.sub(&x3, &t)
	// Y3 = i·(t − X3) − Y1·h³
	var y3, w fe
	y3.sub(&t, &x3)
	y3.mul(&y3, &i)
	w.mul(&p.y, &h3)
	y3.sub(&y3, &w)
	p.z.mul(&p.z, &h)
	p.x, p.y = x3, y3
	return true
}

// double sets p = 2p (dbl-2009-l; 2M + 5S). p must not be infinity and
// its y not zero (no point of odd order 2 exists on secp256k1, so y ≠ 0
// for every finite point).
func (p *jacobian) double() {
	var a, b, c, d, e, f, t fe
	a.sqr(&p.x)
	b.sqr(&p.y)
	c.sqr(&b)
	d.add(&p.x, &b)
	d.sqr(&d)
	d.sub(&d, &a)
	d.sub(&d, &c)
	d.add(&d, &d)
	e.add(&a, &a)
	e.add(&e, &a)
	f.sqr(&e)
	var x3, y3, z3 fe
	x3.sub(&f, &d)
	x3.sub(&x3, &d)
	y3.sub(&d, &x3)
	y3.mul(&y3, &e)
	t.add(&c, &c)
	t.add(&t, &t)
	t.add(&t, &t)
	y3.sub(&y3, &t)
	z3.mul(&p.y, &p.z)
	z3.add(&z3, &z3)
	p.x, p.y, p.z = x3, y3, z3
}

// onCurve reports whether y² = x³ + 7.
func (a *affine) onCurve() bool {
	var l, r fe
	l.sqr(&a.y)
	r.sqr(&a.x)
	r.mul(&r, &a.x)
	r.add(&r, &fe{7})
	return l.equal(&r)
}

// window is the width of a table digit in bits: a scalar is 33 signed
// digits in [−128, 128], so a multiplication is at most 33 additions.
const (
	window  = 8
	digits  = 256/window + 1
	entries = 1 << (window - 1)
)

// table holds pts[i][j] = (j+1)·2⁸ⁱ·P for a point P, affine: 270 KiB,
// and the same in limbs for the eight-lane path (340 KiB more, made on
// first use).
type table struct {
	pts    [digits][entries]affine
	once52 sync.Once
	t52    *table52
}

// newTable computes the table of P.
func newTable(p *affine) *table {
	t := new(table)
	base := *p
	var pts [entries]jacobian
	var zs [entries]*fe
	var scratch [entries]fe
	for i := 0; i < digits; i++ {
		pts[0] = jacobian{base.x, base.y, feOne}
		pts[1] = pts[0]
		pts[1].double()
		for j := 2; j < entries; j++ {
			pts[j] = pts[j-1]
			if !pts[j].madd(&base.x, &base.y) {
				// (j)·B = ±B for j < 128 would mean B has order
				// below 256; B is a multiple of a point of prime
				// order n.
				panic("seal: point of small order")
			}
		}
		// next base = 2·128·B
		next := pts[entries-1]
		next.double()
		for j := range pts {
			zs[j] = &pts[j].z
		}
		batchInv(zs[:], scratch[:])
		for j := range pts {
			toAffine(&t.pts[i][j], &pts[j], &pts[j].z)
		}
		var zi fe
		zi.inv(&next.z)
		toAffine(&base, &next, &zi)
	}
	return t
}

// toAffine sets a to p, given zi = 1/p.z.
func toAffine(a *affine, p *jacobian, zi *fe) {
	var zi2, zi3 fe
	zi2.sqr(zi)
	zi3.mul(&zi2, zi)
	a.x.mul(&p.x, &zi2)
	a.y.mul(&p.y, &zi3)
	a.x.normalize()
	a.y.normalize()
}

// digit returns window i's signed digit of k (little-endian bytes) given
// the carry out of window i−1, and the carry out of window i: digits in
// [−127, 128], so a table needs entries multiples per window.
func digit(k *[32]byte, i int, carry int) (d, out int) {
	d = carry
	if i < 32 {
		d += int(k[i])
	}
	if d > entries {
		return d - 1<<window, 1
	}
	return d, 0
}

// mulAdd adds k·P to acc, k given as 32 little-endian bytes (below 2²⁵⁶),
// *started saying whether acc holds a point yet (it starts as infinity).
// It returns false when an addition degenerates (see madd).
func (t *table) mulAdd(acc *jacobian, started *bool, k *[32]byte) bool {
	carry := 0
	for i := 0; i < digits; i++ {
		var d int
		d, carry = digit(k, i, carry)
		if d == 0 {
			continue
		}
		var e *affine
		var y fe
		if d > 0 {
			e = &t.pts[i][d-1]
			y = e.y
		} else {
			e = &t.pts[i][-d-1]
			y.sub(&fe{}, &e.y)
		}
		if !*started {
			*acc = jacobian{e.x, y, feOne}
			*started = true
			continue
		}
		if !acc.madd(&e.x, &y) {
			return false
		}
	}
	return true
}
