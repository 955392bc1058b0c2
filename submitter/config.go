package submitter

import (
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/cmt-rewards/cmt-rewards/txsend"
)

// Defaults applied to zero Config fields: the transaction path's
// (txsend's).
const (
	DefaultConfirmations = txsend.DefaultConfirmations
	DefaultResendAfter   = txsend.DefaultResendAfter
	DefaultBumpPercent   = txsend.DefaultBumpPercent
	DefaultPollInterval  = txsend.DefaultPollInterval
	DefaultRPCTimeout    = txsend.DefaultRPCTimeout

	// MinBumpPercent is go-ethereum's replacement rule: a transaction with
	// the nonce of a pending one replaces it only if both its tip and fee
	// cap are at least 10% higher.
	MinBumpPercent = txsend.MinBumpPercent

	// MaxConfirmations bounds Confirmations: verdicts are read from the
	// contract's state at the confirmed height, and a non-archive geth
	// node keeps the state of the last 128 blocks only.
	MaxConfirmations = 128
)

// DefaultMaxFeeCap and DefaultMaxTipCap are the fee ceilings used when the
// Config leaves them nil, in wei.
const (
	DefaultMaxFeeCap = txsend.DefaultMaxFeeCap
	DefaultMaxTipCap = txsend.DefaultMaxTipCap
)

// Config configures a Submitter. Zero fields get the defaults above; Check
// reports what is still wrong.
type Config struct {
	// Contract is the ValidatorSet's address.
	Contract common.Address
	// ChainID is the chain the node must serve; it is also the chain ID the
	// transactions are signed for.
	ChainID uint64
	// KeystoreFile is the validator's go-ethereum keystore JSON file and
	// PasswordFile the file whose first line is its password. Neither may
	// be readable by group or others.
	KeystoreFile string
	PasswordFile string

	// The transaction path's settings, as txsend.Config documents them
	// (units, defaults): Confirmations (default 12; here at most
	// MaxConfirmations), ResendAfter (1m), BumpPercent (15), MaxFeeCap
	// (500 gwei) and MaxTipCap (50 gwei) in wei per gas, PollInterval (3s;
	// rewardd: submit.poll_interval) and RPCTimeout (10s, per call;
	// rewardd: submit.rpc_timeout).
	Confirmations uint64
	ResendAfter   time.Duration
	BumpPercent   uint64
	MaxFeeCap     *big.Int
	MaxTipCap     *big.Int
	PollInterval  time.Duration
	RPCTimeout    time.Duration
	// OnStep, if set, is called synchronously at each step of a vote
	// (StepRecorded, StepBroadcast, StepMined); crash tests kill the
	// process there.
	OnStep func(step string, epoch uint64)
}

// sendConfig is the transaction path's part of c.
func (c Config) sendConfig() txsend.Config {
	return txsend.Config{
		ChainID: c.ChainID, Confirmations: c.Confirmations, ResendAfter: c.ResendAfter, BumpPercent: c.BumpPercent,
		MaxFeeCap: c.MaxFeeCap, MaxTipCap: c.MaxTipCap, PollInterval: c.PollInterval, RPCTimeout: c.RPCTimeout,
	}
}

// WithDefaults returns c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	d := c.sendConfig().WithDefaults()
	c.Confirmations, c.ResendAfter, c.BumpPercent = d.Confirmations, d.ResendAfter, d.BumpPercent
	c.MaxFeeCap, c.MaxTipCap, c.PollInterval, c.RPCTimeout = d.MaxFeeCap, d.MaxTipCap, d.PollInterval, d.RPCTimeout
	return c
}

// Check returns every invalid field of c with defaults applied, joined,
// each wrapping ErrInvalidConfig and naming the field; nil if the
// configuration is usable. It does not open the key files (New does).
func (c Config) Check() error {
	c = c.WithDefaults()
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: %s: %s", ErrInvalidConfig, field, fmt.Sprintf(format, args...)))
	}
	if c.Contract == (common.Address{}) {
		bad("Contract", "missing; expected the ValidatorSet's address")
	}
	if c.KeystoreFile == "" {
		bad("KeystoreFile", "missing; expected the validator's keystore JSON file")
	}
	if c.PasswordFile == "" {
		bad("PasswordFile", "missing; expected the file holding the keystore password")
	}
	if c.Confirmations > MaxConfirmations {
		bad("Confirmations", "%d exceeds %d (a non-archive node keeps the state of the last %d blocks only)", c.Confirmations, MaxConfirmations, MaxConfirmations)
	}
	return errors.Join(append(errs, c.sendConfig().Check())...)
}
