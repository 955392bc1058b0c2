package seal

import (
	"math/rand"
	"testing"
)

// TestMadd8: eight lanes of madd8 give what jacobian.madd gives, mod p,
// for random and edge field values (any values: the formula is checked
// as arithmetic, not only on curve points), with lanes outside the mask
// untouched; neg8 negates.
func TestMadd8(t *testing.T) {
	if !useIFMA {
		t.Skip("no AVX-512 IFMA here")
	}
	r := rand.New(rand.NewSource(4))
	for trial := 0; trial < 3000; trial++ {
		var in [lanes]jacobian
		var qs [lanes]affine
		var acc [15][8]uint64
		var q [10][8]uint64
		var s [11 * 5][8]uint64
		mask := uint8(r.Intn(256))
		for ln := 0; ln < lanes; ln++ {
			in[ln] = jacobian{randField(r), randField(r), randField(r)}
			qs[ln] = affine{randField(r), randField(r)}
			put8(&acc, ln, 0, &in[ln].x)
			put8(&acc, ln, 5, &in[ln].y)
			put8(&acc, ln, 10, &in[ln].z)
			x, y := to52(&qs[ln].x), to52(&qs[ln].y)
			for l := 0; l < 5; l++ {
				q[l][ln], q[5+l][ln] = x[l], y[l]
			}
		}
		madd8(&acc, &q, &s, mask)
		for ln := 0; ln < lanes; ln++ {
			want := in[ln]
			if mask&(1<<ln) != 0 {
				if !want.madd(&qs[ln].x, &qs[ln].y) {
					// h ≡ 0: madd8 must leave Z ≡ 0.
					if z := get8(&acc, ln, 10); !z.isZero() {
						t.Fatalf("trial %d lane %d: degenerate sum with Z = %x", trial, ln, z)
					}
					continue
				}
			}
			for c, w := range []*fe{&want.x, &want.y, &want.z} {
				got := get8(&acc, ln, 5*c)
				if !got.equal(w) {
					t.Fatalf("trial %d lane %d (mask %08b) coordinate %d: %x, want %x", trial, ln, mask, c, got, *w)
				}
				checkLimbs(t, &acc, ln, 5*c)
			}
		}
		// neg8
		var y [5][8]uint64
		var ys [lanes]fe
		for l := 0; l < lanes; l++ {
			ys[l] = randField(r)
			v := to52(&ys[l])
			for k := 0; k < 5; k++ {
				y[k][l] = v[k]
			}
		}
		neg8(&y, mask)
		for l := 0; l < lanes; l++ {
			var v fe52
			for k := 0; k < 5; k++ {
				v[k] = y[k][l]
			}
			got := from52(&v)
			want := ys[l]
			if mask&(1<<l) != 0 {
				want.sub(&fe{}, &ys[l])
			}
			if !got.equal(&want) {
				t.Fatalf("neg8 lane %d: %x, want %x", l, got, want)
			}
		}
	}
}

// TestLimbs: to52 and from52 are inverse mod p, including limb patterns
// at their bounds (all limbs 2⁵²−1, a value just below 2²⁶⁰).
func TestLimbs(t *testing.T) {
	r := rand.New(rand.NewSource(5))
	for i := 0; i < 10000; i++ {
		x := randField(r)
		l := to52(&x)
		for _, v := range l {
			if v > mask52 {
				t.Fatalf("to52(%x) limb %x", x, v)
			}
		}
		if y := from52(&l); !y.equal(&x) {
			t.Fatalf("from52(to52(%x)) = %x", x, y)
		}
	}
	top := fe52{mask52, mask52, mask52, mask52, mask52} // 2²⁶⁰ − 1 ≡ R − 1
	got := from52(&top)
	want := fe{pk<<4 - 1}
	if !got.equal(&want) {
		t.Fatalf("from52(2²⁶⁰−1) = %x, want %x", got, want)
	}
}

func put8(acc *[15][8]uint64, lane, row int, x *fe) {
	l := to52(x)
	for k := 0; k < 5; k++ {
		acc[row+k][lane] = l[k]
	}
}

func get8(acc *[15][8]uint64, lane, row int) fe {
	var l fe52
	for k := 0; k < 5; k++ {
		l[k] = acc[row+k][lane]
	}
	return from52(&l)
}

func checkLimbs(t *testing.T, acc *[15][8]uint64, lane, row int) {
	t.Helper()
	for k := 0; k < 5; k++ {
		if acc[row+k][lane] > mask52 {
			t.Fatalf("lane %d row %d: limb %x above 52 bits", lane, row+k, acc[row+k][lane])
		}
	}
}
