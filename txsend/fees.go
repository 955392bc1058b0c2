package txsend

import (
	"fmt"
	"math/big"
)

// fees is the price of one attempt, in wei per gas: an EIP-1559 tip and fee
// cap, or (GasPrice != nil) a legacy gas price.
type fees struct {
	TipCap, FeeCap *big.Int
	GasPrice       *big.Int
}

func (f fees) legacy() bool { return f.GasPrice != nil }

func (f fees) String() string {
	if f.legacy() {
		return fmt.Sprintf("gas price %s wei", f.GasPrice)
	}
	return fmt.Sprintf("tip %s wei, fee cap %s wei", f.TipCap, f.FeeCap)
}

// maxCost is the most one attempt can cost: gas × fee cap (or gas price).
func (f fees) maxCost(gas uint64) *big.Int {
	p := f.FeeCap
	if f.legacy() {
		p = f.GasPrice
	}
	return new(big.Int).Mul(p, new(big.Int).SetUint64(gas))
}

// dynamicFees prices a new EIP-1559 transaction: the suggested tip capped at
// maxTip, and a fee cap of twice the base fee plus the tip, which stays
// valid through six full blocks of base-fee growth (12.5% each), capped at
// maxFee. The tip never exceeds the fee cap.
func dynamicFees(baseFee, suggestedTip, maxFee, maxTip *big.Int) fees {
	tip := minBig(suggestedTip, maxTip)
	fc := new(big.Int).Lsh(baseFee, 1)
	fc.Add(fc, tip)
	fc = minBig(fc, maxFee)
	return fees{TipCap: minBig(tip, fc), FeeCap: fc}
}

// legacyFees prices a legacy transaction at the suggested gas price capped
// at maxFee.
func legacyFees(suggested, maxFee *big.Int) fees {
	return fees{GasPrice: minBig(suggested, maxFee)}
}

// bumped raises every price of f by percent, rounded up and by at least one
// wei.
func bumped(f fees, percent uint64) fees {
	if f.legacy() {
		return fees{GasPrice: bumpBig(f.GasPrice, percent)}
	}
	return fees{TipCap: bumpBig(f.TipCap, percent), FeeCap: bumpBig(f.FeeCap, percent)}
}

// bumpBig returns ⌈x·(100+percent)/100⌉, and at least x+1.
func bumpBig(x *big.Int, percent uint64) *big.Int {
	n := new(big.Int).Mul(x, new(big.Int).SetUint64(100+percent))
	n.Add(n, big.NewInt(99))
	n.Quo(n, big.NewInt(100))
	if one := new(big.Int).Add(x, big.NewInt(1)); n.Cmp(one) < 0 {
		n = one
	}
	return n
}

// atLeast raises each price of f to market's where that is higher. The
// kinds must match; a market price of the other kind is ignored.
func atLeast(f, market fees) fees {
	if f.legacy() != market.legacy() {
		return f
	}
	if f.legacy() {
		return fees{GasPrice: maxBig(f.GasPrice, market.GasPrice)}
	}
	return fees{TipCap: maxBig(f.TipCap, market.TipCap), FeeCap: maxBig(f.FeeCap, market.FeeCap)}
}

// capped limits f to the configured ceilings and reports whether it had to.
func capped(f fees, maxFee, maxTip *big.Int) (fees, bool) {
	if f.legacy() {
		if f.GasPrice.Cmp(maxFee) > 0 {
			return fees{GasPrice: new(big.Int).Set(maxFee)}, true
		}
		return f, false
	}
	fc := minBig(f.FeeCap, maxFee)
	tip := minBig(minBig(f.TipCap, maxTip), fc)
	return fees{TipCap: tip, FeeCap: fc}, fc.Cmp(f.FeeCap) != 0 || tip.Cmp(f.TipCap) != 0
}

// replaces reports whether go-ethereum's pool takes next in place of a
// pending old with the same nonce: every price strictly higher and at least
// MinBumpPercent higher. Transactions of different kinds are compared as
// geth does, a legacy gas price counting as both tip and fee cap.
func replaces(next, old fees) bool {
	nt, nf := next.TipCap, next.FeeCap
	if next.legacy() {
		nt, nf = next.GasPrice, next.GasPrice
	}
	ot, of := old.TipCap, old.FeeCap
	if old.legacy() {
		ot, of = old.GasPrice, old.GasPrice
	}
	ok := func(n, o *big.Int) bool {
		if n.Cmp(o) <= 0 {
			return false
		}
		// n·100 ≥ o·(100+MinBumpPercent)
		l := new(big.Int).Mul(n, big.NewInt(100))
		r := new(big.Int).Mul(o, big.NewInt(100+MinBumpPercent))
		return l.Cmp(r) >= 0
	}
	return ok(nt, ot) && ok(nf, of)
}

// replacement prices the attempt after old: old bumped by percent, or the
// market price where higher, within the caps. ok is false when the capped
// price would not replace old in the pool: then there is nothing better to
// sign. hitCap reports that a cap lowered the price.
func replacement(old, market fees, percent uint64, maxFee, maxTip *big.Int) (next fees, hitCap, ok bool) {
	next, hitCap = capped(atLeast(bumped(old, percent), market), maxFee, maxTip)
	return next, hitCap, replaces(next, old)
}

func minBig(a, b *big.Int) *big.Int {
	if a.Cmp(b) <= 0 {
		return new(big.Int).Set(a)
	}
	return new(big.Int).Set(b)
}

func maxBig(a, b *big.Int) *big.Int {
	if a.Cmp(b) >= 0 {
		return new(big.Int).Set(a)
	}
	return new(big.Int).Set(b)
}
