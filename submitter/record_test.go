package submitter

import (
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/cmt-rewards/cmt-rewards/txsend"
)

func TestConfirmations(t *testing.T) {
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

func TestConfigCheck(t *testing.T) {
	good := Config{Config: txsend.Config{ChainID: 1}, Contract: common.Address{1}, KeystoreFile: "k", PasswordFile: "p"}
	if err := good.Check(); err != nil {
		t.Fatalf("good config: %v", err)
	}
	d := good.WithDefaults()
	if d.Confirmations != txsend.DefaultConfirmations || d.ResendAfter != time.Minute || d.BumpPercent != 15 ||
		d.MaxFeeCap.Uint64() != txsend.DefaultMaxFeeCap || d.MaxTipCap.Uint64() != txsend.DefaultMaxTipCap {
		t.Fatalf("defaults: %+v", d)
	}
	if low := (Config{Config: txsend.Config{MaxFeeCap: big.NewInt(7)}}).WithDefaults(); low.MaxTipCap.Int64() != 7 {
		t.Fatalf("default tip cap above a low fee cap: %s", low.MaxTipCap)
	}

	bad := Config{Config: txsend.Config{
		Confirmations: MaxConfirmations + 1,
		ResendAfter:   -time.Second,
		BumpPercent:   9,
		MaxFeeCap:     big.NewInt(-1),
		MaxTipCap:     big.NewInt(0),
		PollInterval:  -1,
		RPCTimeout:    -1,
	}}
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
	if a := got.Attempts[0]; !same(got.vote(), v) || a.Nonce != 7 || a.TipCap.Int64() != 1 || a.FeeCap.Int64() != 2 || a.GasPrice != nil {
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
