package submitter

import (
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
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
	if _, ok := confirmedHeight(2, 4); ok {
		t.Error("confirmedHeight(2, 4) exists")
	}
	if h, ok := confirmedHeight(3, 4); !ok || h.Uint64() != 0 {
		t.Errorf("confirmedHeight(3, 4) = %v, %v", h, ok)
	}
	if h, ok := confirmedHeight(100, 1); !ok || h.Uint64() != 100 {
		t.Errorf("confirmedHeight(100, 1) = %v, %v", h, ok)
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

func TestConfigCheck(t *testing.T) {
	good := Config{Contract: common.Address{1}, ChainID: 1, KeystoreFile: "k", PasswordFile: "p"}
	if err := good.Check(); err != nil {
		t.Fatalf("good config: %v", err)
	}
	d := good.WithDefaults()
	if d.Confirmations != DefaultConfirmations || d.ResendAfter != time.Minute || d.BumpPercent != 15 ||
		d.MaxFeeCap.Uint64() != DefaultMaxFeeCap || d.MaxTipCap.Uint64() != DefaultMaxTipCap {
		t.Fatalf("defaults: %+v", d)
	}
	if low := (Config{MaxFeeCap: big.NewInt(7)}).WithDefaults(); low.MaxTipCap.Int64() != 7 {
		t.Fatalf("default tip cap above a low fee cap: %s", low.MaxTipCap)
	}

	bad := Config{
		Confirmations: MaxConfirmations + 1,
		ResendAfter:   -time.Second,
		BumpPercent:   9,
		MaxFeeCap:     big.NewInt(-1),
		MaxTipCap:     big.NewInt(0),
		PollInterval:  -1,
		RPCTimeout:    -1,
	}
	err := bad.Check()
	if !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("error %v, want ErrInvalidConfig", err)
	}
	for _, field := range []string{"Contract", "ChainID", "KeystoreFile", "PasswordFile", "Confirmations", "ResendAfter",
		"BumpPercent", "MaxFeeCap", "MaxTipCap", "PollInterval", "RPCTimeout"} {
		if !strings.Contains(err.Error(), field+":") {
			t.Errorf("error does not name %s:\n%v", field, err)
		}
	}
	tipAboveFee := good
	tipAboveFee.MaxFeeCap, tipAboveFee.MaxTipCap = big.NewInt(10), big.NewInt(11)
	if err := tipAboveFee.Check(); err == nil || !strings.Contains(err.Error(), "MaxTipCap: 11 wei exceeds MaxFeeCap 10 wei") {
		t.Errorf("tip above fee cap: %v", err)
	}
}

func TestRecordRoundTrip(t *testing.T) {
	v := Vote{Epoch: 3, Root: common.Hash{1}, Total: new(big.Int).Lsh(big.NewInt(1), 200), ResultHash: common.Hash{2}}
	r := record{Version: recordVersion, Epoch: 3, Root: v.Root, Total: v.Total, ResultHash: v.ResultHash, State: recOpen,
		Attempts: []attempt{{Nonce: 7, Hash: common.Hash{9}, Gas: 1, TipCap: big.NewInt(1), FeeCap: big.NewInt(2), Raw: []byte{0x02}, Created: time.Unix(5, 0).UTC()}}}
	b := mustJSON(t, r)
	got, err := decodeRecord(3, b)
	if err != nil {
		t.Fatal(err)
	}
	if !got.vote().Equal(v) || got.Attempts[0].Nonce != 7 || !sameFees(got.Attempts[0].fees(), dyn(1, 2)) {
		t.Fatalf("round trip: %+v", got)
	}
	if _, err := decodeRecord(4, b); err == nil {
		t.Error("record decoded under another epoch's key")
	}
	r.Version = 2
	if _, err := decodeRecord(3, mustJSON(t, r)); err == nil || !strings.Contains(err.Error(), "version 2") {
		t.Errorf("newer record version: %v", err)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
