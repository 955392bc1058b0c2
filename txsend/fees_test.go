package txsend

import (
	"errors"
	"math/big"
	"testing"
)

func dyn(tip, fc int64) fees { return fees{TipCap: big.NewInt(tip), FeeCap: big.NewInt(fc)} }
func leg(p int64) fees       { return fees{GasPrice: big.NewInt(p)} }

func sameFees(a, b fees) bool {
	eq := func(x, y *big.Int) bool { return (x == nil && y == nil) || (x != nil && y != nil && x.Cmp(y) == 0) }
	return eq(a.TipCap, b.TipCap) && eq(a.FeeCap, b.FeeCap) && eq(a.GasPrice, b.GasPrice)
}

func TestBumpBig(t *testing.T) {
	for _, tc := range []struct{ x, pct, want int64 }{
		{100, 15, 115},
		{101, 15, 117}, // 116.15 rounds up
		{0, 15, 1},     // at least one wei
		{1, 10, 2},     // 1.1 rounds up to 2
		{7, 10, 8},     // 7.7 → 8
		{1_000_000_000, 15, 1_150_000_000},
	} {
		if got := bumpBig(big.NewInt(tc.x), uint64(tc.pct)); got.Int64() != tc.want {
			t.Errorf("bumpBig(%d, %d%%) = %s, want %d", tc.x, tc.pct, got, tc.want)
		}
	}
}

func TestDynamicFees(t *testing.T) {
	for _, tc := range []struct {
		name                      string
		base, tip, maxFee, maxTip int64
		want                      fees
	}{
		{"plain", 100, 10, 1000, 50, dyn(10, 210)},
		{"tip capped", 100, 80, 1000, 50, dyn(50, 250)},
		{"fee capped", 100, 10, 150, 50, dyn(10, 150)},
		{"tip above capped fee", 100, 40, 30, 50, dyn(30, 30)},
		{"no base fee left", 0, 1, 1000, 50, dyn(1, 1)},
	} {
		got := dynamicFees(big.NewInt(tc.base), big.NewInt(tc.tip), big.NewInt(tc.maxFee), big.NewInt(tc.maxTip))
		if !sameFees(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	if got := legacyFees(big.NewInt(900), big.NewInt(500)); !sameFees(got, leg(500)) {
		t.Errorf("legacy capped: %v", got)
	}
}

func TestReplaces(t *testing.T) {
	for _, tc := range []struct {
		next, old fees
		want      bool
	}{
		{dyn(110, 1100), dyn(100, 1000), true},
		{dyn(109, 1100), dyn(100, 1000), false}, // tip below +10%
		{dyn(110, 1099), dyn(100, 1000), false}, // fee cap below +10%
		{dyn(1, 1), dyn(0, 0), true},            // strictly higher from zero
		{dyn(0, 1), dyn(0, 0), false},           // the tip must rise too
		{leg(110), leg(100), true},
		{leg(109), leg(100), false},
		{dyn(110, 110), leg(100), true}, // a legacy price counts as both
		{leg(1100), dyn(100, 1000), true},
	} {
		if got := replaces(tc.next, tc.old); got != tc.want {
			t.Errorf("replaces(%v, %v) = %v, want %v", tc.next, tc.old, got, tc.want)
		}
	}
}

func TestReplacement(t *testing.T) {
	for _, tc := range []struct {
		name           string
		old, market    fees
		maxFee, maxTip int64
		want           fees
		hitCap, ok     bool
	}{
		{"bump", dyn(100, 1000), dyn(50, 500), 10_000, 1000, dyn(115, 1150), false, true},
		{"market higher", dyn(100, 1000), dyn(200, 3000), 10_000, 1000, dyn(200, 3000), false, true},
		{"market tip only", dyn(100, 1000), dyn(300, 900), 10_000, 1000, dyn(300, 1150), false, true},
		{"capped but replaces", dyn(100, 1000), dyn(0, 0), 1120, 1000, dyn(115, 1120), true, true},
		{"capped below the rule", dyn(100, 1000), dyn(0, 0), 1050, 1000, dyn(115, 1050), true, false},
		{"at the cap", dyn(100, 1000), dyn(0, 0), 1000, 100, dyn(100, 1000), true, false},
		{"legacy", leg(100), leg(90), 1000, 1000, leg(115), false, true},
		{"legacy at cap", leg(1000), leg(90), 1000, 1000, leg(1000), true, false},
		{"kinds differ: market ignored", leg(100), dyn(500, 5000), 10_000, 1000, leg(115), false, true},
	} {
		got, hitCap, ok := replacement(tc.old, tc.market, 15, big.NewInt(tc.maxFee), big.NewInt(tc.maxTip))
		if !sameFees(got, tc.want) || hitCap != tc.hitCap || ok != tc.ok {
			t.Errorf("%s: %v capped=%v ok=%v, want %v capped=%v ok=%v", tc.name, got, hitCap, ok, tc.want, tc.hitCap, tc.ok)
		}
	}
}

func TestConfirmations(t *testing.T) {
	for _, tc := range []struct {
		block, head, c uint64
		want           bool
	}{
		{10, 10, 1, true},
		{10, 10, 2, false},
		{10, 11, 2, true},
		{10, 9, 1, false}, // head behind the receipt (another node's view)
		{0, 0, 1, true},
		{5, 16, 12, true},
		{5, 15, 12, false},
	} {
		if got := confirmed(tc.block, tc.head, tc.c); got != tc.want {
			t.Errorf("confirmed(block %d, head %d, c %d) = %v", tc.block, tc.head, tc.c, got)
		}
	}
}

func TestSendErrorKind(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want sendKind
	}{
		{nil, sendOK},
		{errors.New("already known"), sendKnown},
		{errors.New("nonce too low: next nonce 5, tx nonce 4"), sendKnown},
		{errors.New("replacement transaction underpriced"), sendRetry},
		{errors.New("502 Bad Gateway"), sendRetry},
		{errors.New("insufficient funds for gas * price + value: balance 0"), sendFatal},
		{errors.New("tx fee (2.00 ether) exceeds the configured cap (1.00 ether)"), sendFatal},
	} {
		if got := sendErrorKind(tc.err); got != tc.want {
			t.Errorf("sendErrorKind(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}
