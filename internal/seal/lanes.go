package seal

import "sync/atomic"

// The eight-lane path (madd8, AVX-512 IFMA): the sums of eight seals are
// computed at once, each lane with its own digits and its own key's
// table. Field elements there have five 52-bit limbs (fe52).

// lanes is how many sums madd8 computes at once.
const lanes = 8

const mask52 = 1<<52 - 1

// fe52 is a field element as five 52-bit limbs, little-endian.
type fe52 [5]uint64

// to52 returns x (normalized or not) as limbs.
func to52(x *fe) fe52 {
	return fe52{
		x[0] & mask52,
		(x[0]>>52 | x[1]<<12) & mask52,
		(x[1]>>40 | x[2]<<24) & mask52,
		(x[2]>>28 | x[3]<<36) & mask52,
		x[3] >> 16,
	}
}

// from52 returns limbs l (each below 2⁵², value below 2²⁶⁰) as an fe:
// the bits above 2²⁵⁶ fold in as ·pk.
func from52(l *fe52) fe {
	x := fe{
		l[0] | l[1]<<52,
		l[1]>>12 | l[2]<<40,
		l[2]>>24 | l[3]<<28,
		l[3]>>36 | l[4]<<16,
	}
	top := fe{(l[4] >> 48) * pk}
	x.add(&x, &top)
	return x
}

// entry52 is a table entry (x, y) as limbs.
type entry52 [10]uint64

// table52 is a table in limbs, for the eight-lane path.
type table52 [digits][entries]entry52

// limbs returns t's entries as limbs, computing them on first use.
func (t *table) limbs() *table52 {
	t.once52.Do(func() {
		l := new(table52)
		for i := range t.pts {
			for j := range t.pts[i] {
				x, y := to52(&t.pts[i][j].x), to52(&t.pts[i][j].y)
				copy(l[i][j][:5], x[:])
				copy(l[i][j][5:], y[:])
			}
		}
		t.t52 = l
	})
	return t.t52
}

// sum8 sets accs[t] = k1s[t]·G + k2s[t]·Q_t for up to eight sums, Q_t
// the point of keys[t], by madd8; ok[t] is false for a sum that is the
// point at infinity. A sum that degenerated on the way comes out with
// Z ≡ 0 (the caller checks).
func sum8(g *table, keys []*table, k1s, k2s [][32]byte, accs []jacobian, ok []bool) {
	n := len(keys)
	var acc [15][8]uint64
	var q [10][8]uint64
	var scratch [11 * 5][8]uint64
	var started uint8
	// The steps: for G's digits then Q's, window by window, each lane's
	// table entry (nil for a zero digit) and sign.
	const steps = 2 * digits
	var ents [steps][lanes]*entry52
	var negs [steps]uint8
	gl := g.limbs()
	for t := 0; t < n; t++ {
		kl := keys[t].limbs()
		for pass, tab := range [2]*table52{gl, kl} {
			k := &k1s[t]
			if pass == 1 {
				k = &k2s[t]
			}
			carry := 0
			for i := 0; i < digits; i++ {
				var d int
				d, carry = digit(k, i, carry)
				st := pass*digits + i
				switch {
				case d > 0:
					ents[st][t] = &tab[i][d-1]
				case d < 0:
					ents[st][t] = &tab[i][-d-1]
					negs[st] |= 1 << t
				}
			}
		}
	}
	var sink uint64
	for st := 0; st < steps; st++ {
		// Touch the next step's entries now, so that their cache misses
		// overlap this step's arithmetic.
		if st+1 < steps {
			for _, e := range ents[st+1][:n] {
				if e != nil {
					sink += e[0] + e[9]
				}
			}
		}
		var mask, negAcc uint8
		for t, e := range ents[st][:n] {
			if e == nil {
				continue
			}
			bit := uint8(1) << t
			if started&bit == 0 {
				for l := 0; l < 10; l++ {
					acc[l][t] = e[l]
				}
				acc[10][t] = 1
				for l := 11; l < 15; l++ {
					acc[l][t] = 0
				}
				started |= bit
				negAcc |= negs[st] & bit
				continue
			}
			for l := 0; l < 10; l++ {
				q[l][t] = e[l]
			}
			mask |= bit
		}
		if negAcc != 0 {
			neg8((*[5][8]uint64)(acc[5:10]), negAcc)
		}
		if mask == 0 {
			continue
		}
		if neg := negs[st] & mask; neg != 0 {
			neg8((*[5][8]uint64)(q[5:10]), neg)
		}
		madd8(&acc, &q, &scratch, mask)
	}
	sinkHole.Store(sink)
	for t := 0; t < n; t++ {
		ok[t] = started&(1<<t) != 0
		var x, y, z fe52
		for l := 0; l < 5; l++ {
			x[l], y[l], z[l] = acc[l][t], acc[5+l][t], acc[10+l][t]
		}
		accs[t] = jacobian{from52(&x), from52(&y), from52(&z)}
	}
}

// sinkHole keeps sum8's touching loads from being optimized away.
var sinkHole atomic.Uint64
