package txsend

import (
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"
)

func TestConfigCheck(t *testing.T) {
	t.Parallel()
	good := Config{ChainID: 1}
	if err := good.Check(); err != nil {
		t.Fatalf("good config: %v", err)
	}
	d := good.WithDefaults()
	if d.Confirmations != DefaultConfirmations || d.ResendAfter != DefaultResendAfter || d.BumpPercent != DefaultBumpPercent ||
		d.MaxFeeCap.Uint64() != DefaultMaxFeeCap || d.MaxTipCap.Uint64() != DefaultMaxTipCap ||
		d.PollInterval != DefaultPollInterval || d.RPCTimeout != DefaultRPCTimeout {
		t.Fatalf("defaults: %+v", d)
	}
	feeCap := big.NewInt(7)
	low := Config{MaxFeeCap: feeCap}.WithDefaults()
	if low.MaxTipCap.Int64() != 7 {
		t.Fatalf("default tip cap above a low fee cap: %s", low.MaxTipCap)
	}
	if low.MaxFeeCap.Add(low.MaxFeeCap, big.NewInt(1)); feeCap.Int64() != 7 {
		t.Fatal("WithDefaults shares the caller's fee cap")
	}

	for _, tc := range []struct {
		field string
		cfg   Config
		want  string
	}{
		{"ChainID", Config{}, "ChainID: missing"},
		{"ResendAfter", Config{ChainID: 1, ResendAfter: -time.Second}, "ResendAfter: negative (-1s)"},
		{"BumpPercent", Config{ChainID: 1, BumpPercent: 9}, "BumpPercent: 9 is below 10"},
		{"MaxFeeCap", Config{ChainID: 1, MaxFeeCap: big.NewInt(-1), MaxTipCap: big.NewInt(1)}, "MaxFeeCap: must be positive"},
		{"MaxTipCap", Config{ChainID: 1, MaxTipCap: big.NewInt(0)}, "MaxTipCap: must be positive"},
		{"MaxTipCap above MaxFeeCap", Config{ChainID: 1, MaxFeeCap: big.NewInt(10), MaxTipCap: big.NewInt(11)}, "MaxTipCap: 11 wei exceeds MaxFeeCap 10 wei"},
		{"PollInterval", Config{ChainID: 1, PollInterval: -1}, "PollInterval: negative"},
		{"RPCTimeout", Config{ChainID: 1, RPCTimeout: -1}, "RPCTimeout: negative"},
	} {
		t.Run(tc.field, func(t *testing.T) {
			err := tc.cfg.Check()
			if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want ErrInvalidConfig with %q", err, tc.want)
			}
		})
	}
}
