package txsend

import (
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/params"
)

// Defaults applied to zero Config fields.
const (
	DefaultConfirmations = 12
	DefaultResendAfter   = time.Minute
	DefaultBumpPercent   = 15
	DefaultPollInterval  = 3 * time.Second
	DefaultRPCTimeout    = 10 * time.Second

	// MinBumpPercent is go-ethereum's replacement rule: a transaction with
	// the nonce of a pending one replaces it only if both its tip and fee
	// cap are at least 10% higher.
	MinBumpPercent = 10
)

// DefaultMaxFeeCap and DefaultMaxTipCap are the fee ceilings used when the
// Config leaves them nil, in wei.
const (
	DefaultMaxFeeCap = 500 * params.GWei
	DefaultMaxTipCap = 50 * params.GWei
)

// Config configures a Sender. Zero fields get the defaults above; Check
// reports what is still wrong.
type Config struct {
	// ChainID is the chain the node must serve and the transactions are
	// signed for. Required.
	ChainID uint64
	// Confirmations is the receipt depth at which a call is Confirmed:
	// head − receiptBlock + 1 ≥ Confirmations, so 1 means "mined".
	// Default 12.
	Confirmations uint64
	// ResendAfter is how long an attempt may stay unmined before it is
	// broadcast again; after a second ResendAfter it is replaced with
	// higher fees. Default 1m.
	ResendAfter time.Duration
	// BumpPercent is how much both fees rise per replacement, at least
	// MinBumpPercent. Default 15.
	BumpPercent uint64
	// MaxFeeCap is the highest fee cap (legacy: gas price) ever bid, in
	// wei per gas. Default 500 gwei.
	MaxFeeCap *big.Int
	// MaxTipCap is the highest priority fee ever bid, in wei per gas; at
	// most MaxFeeCap. Default 50 gwei, or MaxFeeCap if that is lower.
	MaxTipCap *big.Int
	// PollInterval is how often the chain is read while a call is in
	// flight. Default 3s.
	PollInterval time.Duration
	// RPCTimeout bounds every single RPC call. Default 10s.
	RPCTimeout time.Duration
}

// WithDefaults returns c with every zero field set to its default. The
// big.Int fields are copied, never shared with c.
func (c Config) WithDefaults() Config {
	if c.Confirmations == 0 {
		c.Confirmations = DefaultConfirmations
	}
	if c.ResendAfter == 0 {
		c.ResendAfter = DefaultResendAfter
	}
	if c.BumpPercent == 0 {
		c.BumpPercent = DefaultBumpPercent
	}
	if c.MaxFeeCap == nil {
		c.MaxFeeCap = new(big.Int).SetUint64(DefaultMaxFeeCap)
	} else {
		c.MaxFeeCap = new(big.Int).Set(c.MaxFeeCap)
	}
	if c.MaxTipCap == nil {
		c.MaxTipCap = new(big.Int).SetUint64(DefaultMaxTipCap)
		if c.MaxFeeCap.Sign() > 0 && c.MaxTipCap.Cmp(c.MaxFeeCap) > 0 {
			c.MaxTipCap.Set(c.MaxFeeCap)
		}
	} else {
		c.MaxTipCap = new(big.Int).Set(c.MaxTipCap)
	}
	if c.PollInterval == 0 {
		c.PollInterval = DefaultPollInterval
	}
	if c.RPCTimeout == 0 {
		c.RPCTimeout = DefaultRPCTimeout
	}
	return c
}

// Check returns every invalid field of c with defaults applied, joined,
// each wrapping ErrInvalidConfig and naming the field ("BumpPercent: 9 is
// below 10, …"); nil if the configuration is usable.
func (c Config) Check() error {
	c = c.WithDefaults()
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: %s: %s", ErrInvalidConfig, field, fmt.Sprintf(format, args...)))
	}
	if c.ChainID == 0 {
		bad("ChainID", "missing")
	}
	if c.ResendAfter < 0 {
		bad("ResendAfter", "negative (%s)", c.ResendAfter)
	}
	if c.BumpPercent < MinBumpPercent {
		bad("BumpPercent", "%d is below %d, go-ethereum's replacement rule", c.BumpPercent, MinBumpPercent)
	}
	if c.MaxFeeCap.Sign() <= 0 {
		bad("MaxFeeCap", "must be positive, got %s wei", c.MaxFeeCap)
	}
	if c.MaxTipCap.Sign() <= 0 {
		bad("MaxTipCap", "must be positive, got %s wei", c.MaxTipCap)
	} else if c.MaxFeeCap.Sign() > 0 && c.MaxTipCap.Cmp(c.MaxFeeCap) > 0 {
		bad("MaxTipCap", "%s wei exceeds MaxFeeCap %s wei", c.MaxTipCap, c.MaxFeeCap)
	}
	if c.PollInterval < 0 {
		bad("PollInterval", "negative (%s)", c.PollInterval)
	}
	if c.RPCTimeout < 0 {
		bad("RPCTimeout", "negative (%s)", c.RPCTimeout)
	}
	return errors.Join(errs...)
}
