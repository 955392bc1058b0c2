package seal

import (
	"math/big"
	"math/rand"
	"testing"
)

var bigP, _ = new(big.Int).SetString("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f", 16)

func (z *fe) big() *big.Int {
	var b [32]byte
	w := *z
	// raw (not normalized) value
	for i := 0; i < 4; i++ {
		for k := 0; k < 8; k++ {
			b[31-8*i-k] = byte(w[i] >> (8 * k))
		}
	}
	return new(big.Int).SetBytes(b[:])
}

// edge values: near 0, near p, near 2²⁵⁶, and limb boundaries.
func edgeFields() []fe {
	max := fe{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}
	pm1 := feP
	pm1[0]--
	pp1 := feP
	pp1[0]++
	return []fe{{}, {1}, {2}, {pk}, {pk - 1}, {pk + 1}, feP, pm1, pp1, max,
		{0, 1}, {0, 0, 1}, {0, 0, 0, 1}, {^uint64(0)}, {^uint64(0), ^uint64(0)}, {0, 0, 0, 1 << 63}}
}

func randField(r *rand.Rand) fe {
	switch r.Intn(4) {
	case 0:
		e := edgeFields()
		return e[r.Intn(len(e))]
	default:
		return fe{r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64()}
	}
}

// TestFieldOps compares every field operation with math/big, on random
// and edge values, including the weakly reduced ones in [p, 2²⁵⁶).
func TestFieldOps(t *testing.T) {
	t.Run("active", testFieldOps)
	if useAsm {
		t.Run("portable", func(t *testing.T) {
			setAsm(t, false)
			testFieldOps(t)
		})
	}
}

func testFieldOps(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	mod := func(x *big.Int) *big.Int { return x.Mod(x, bigP) }
	ops := []struct {
		name string
		fast func(z, x, y *fe)
		ref  func(x, y *big.Int) *big.Int
	}{
		{"add", func(z, x, y *fe) { z.add(x, y) }, func(x, y *big.Int) *big.Int { return mod(new(big.Int).Add(x, y)) }},
		{"sub", func(z, x, y *fe) { z.sub(x, y) }, func(x, y *big.Int) *big.Int { return mod(new(big.Int).Sub(x, y)) }},
		{"mul", func(z, x, y *fe) { z.mul(x, y) }, func(x, y *big.Int) *big.Int { return mod(new(big.Int).Mul(x, y)) }},
		{"sqr", func(z, x, _ *fe) { z.sqr(x) }, func(x, _ *big.Int) *big.Int { return mod(new(big.Int).Mul(x, x)) }},
		{"inv", func(z, x, _ *fe) { z.inv(x) }, func(x, _ *big.Int) *big.Int {
			v := mod(new(big.Int).Set(x))
			if v.Sign() == 0 {
				return v
			}
			return v.ModInverse(v, bigP)
		}},
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			n := 20000
			if op.name == "inv" {
				n = 500
			}
			for i := 0; i < n; i++ {
				x, y := randField(r), randField(r)
				var z fe
				op.fast(&z, &x, &y)
				want := op.ref(x.big(), y.big())
				if got := mod(z.big()); got.Cmp(want) != 0 {
					t.Fatalf("%s(%x, %x) = %x, want %x", op.name, x.big(), y.big(), got, want)
				}
				// in place
				z = x
				op.fast(&z, &z, &y)
				if got := mod(z.big()); got.Cmp(want) != 0 {
					t.Fatalf("%s in place (%x, %x) = %x, want %x", op.name, x.big(), y.big(), got, want)
				}
				n := z
				n.normalize()
				if n.big().Cmp(want) != 0 || n.isZero() != (want.Sign() == 0) {
					t.Fatalf("normalize(%x) = %x, want %x", z.big(), n.big(), want)
				}
			}
		})
	}
}

func TestBatchInv(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	for n := 1; n <= 9; n++ {
		xs := make([]fe, n)
		ps := make([]*fe, n)
		want := make([]*big.Int, n)
		for i := range xs {
			xs[i] = fe{r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64()}
			ps[i] = &xs[i]
			want[i] = new(big.Int).ModInverse(new(big.Int).Mod(xs[i].big(), bigP), bigP)
		}
		batchInv(ps, make([]fe, n))
		for i := range xs {
			if got := new(big.Int).Mod(xs[i].big(), bigP); got.Cmp(want[i]) != 0 {
				t.Fatalf("n=%d, element %d: %x, want %x", n, i, got, want[i])
			}
		}
	}
}

func BenchmarkField(b *testing.B) {
	x := fe{1, 2, 3, 4}
	y := fe{5, 6, 7, 8}
	b.Run("mul", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			x.mul(&x, &y)
		}
	})
	b.Run("sqr", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			x.sqr(&x)
		}
	})
	b.Run("inv", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			x.inv(&x)
		}
	})
	b.Run("madd", func(b *testing.B) {
		g := generator()
		p := jacobian{g.pts[0][5].x, g.pts[0][5].y, feOne}
		for i := 0; i < b.N; i++ {
			p.madd(&g.pts[1][i&127].x, &g.pts[1][i&127].y)
		}
	})
}

// setAsm switches the assembly off or on for one test.
func setAsm(t testing.TB, on bool) {
	old := useAsm
	useAsm = on
	t.Cleanup(func() { useAsm = old })
}
