package submitter

import (
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common"

	"github.com/cmt-rewards/cmt-rewards/txsend"
)

// MaxConfirmations bounds Confirmations: verdicts are read from the
// contract's state at the confirmed height, and a non-archive geth node
// keeps the state of the last 128 blocks only.
const MaxConfirmations = 128

// Config configures a Submitter. Zero fields get txsend's defaults; Check
// reports what is still wrong.
type Config struct {
	// Config is the transaction path's part, as txsend.Config documents it
	// (units, defaults): ChainID (also what the node must serve),
	// Confirmations (here at most MaxConfirmations), ResendAfter,
	// BumpPercent, MaxFeeCap and MaxTipCap (wei per gas), PollInterval and
	// RPCTimeout (per call).
	txsend.Config
	// Contract is the ValidatorSet's address.
	Contract common.Address
	// KeystoreFile is the validator's go-ethereum keystore JSON file and
	// PasswordFile the file whose first line is its password. Neither may
	// be readable by group or others.
	KeystoreFile string
	PasswordFile string
	// OnStep, if set, is called synchronously at each step of a vote
	// (StepRecorded, StepBroadcast, StepMined); crash tests kill the
	// process there.
	OnStep func(step string, epoch uint64)
}

// WithDefaults returns c with every zero field of the transaction path set
// to its default.
func (c Config) WithDefaults() Config {
	c.Config = c.Config.WithDefaults()
	return c
}

// Check returns every invalid field of c with defaults applied, joined,
// each wrapping ErrInvalidConfig (or txsend.ErrInvalidConfig) and naming
// the field; nil if the configuration is usable. It does not open the key
// files (New does).
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
	return errors.Join(append(errs, c.Config.Check())...)
}
