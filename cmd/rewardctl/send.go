package main

// Sending transactions from rewardctl: every command that sends (claim,
// and later staking and the DAO's votes) goes through txsend, with its
// write-ahead records in a directory of the user's, so that a command
// killed after it signed resumes the same transaction when run again.

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"flag"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/shopspring/decimal"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/cmt-rewards/cmt-rewards/txsend"
)

// Pacing of a command's transaction: faster than rewardd's defaults,
// because someone is waiting at a terminal.
const (
	cliPollInterval = 500 * time.Millisecond
	cliResendAfter  = 30 * time.Second
)

// txFlags are the flags of a command that sends a transaction.
type txFlags struct {
	maxFeeGwei    *string
	recordDir     *string
	confirmations *uint64
}

// addTxFlags defines --max-fee-gwei, --record-dir and --confirmations.
func addTxFlags(fs *flag.FlagSet) *txFlags {
	defDir := ""
	if cache, err := os.UserCacheDir(); err == nil {
		defDir = filepath.Join(cache, "cmt-rewards", "tx")
	}
	return &txFlags{
		maxFeeGwei: fs.String("max-fee-gwei", decimal.NewFromInt(txsend.DefaultMaxFeeCap).Shift(-9).String(),
			"the highest fee per gas the transaction may bid, in gwei (its tip is capped at the lower of this and 50 gwei)"),
		recordDir: fs.String("record-dir", defDir,
			"directory of the write-ahead records of sent transactions; running a command again resumes its recorded transaction instead of sending another"),
		confirmations: fs.Uint64("confirmations", 1, "blocks on top of the transaction's (its own included) before it counts as done"),
	}
}

// config checks the flags and returns the transaction configuration for
// chainID.
func (f *txFlags) config(chainID uint64) (txsend.Config, error) {
	gwei, err := decimal.NewFromString(*f.maxFeeGwei)
	wei := gwei.Shift(9)
	if err != nil || !wei.IsPositive() || !wei.IsInteger() {
		return txsend.Config{}, fmt.Errorf("%w: --max-fee-gwei %q: want a positive number of gwei, at most 9 decimal places", errUsage, *f.maxFeeGwei)
	}
	if *f.confirmations == 0 {
		return txsend.Config{}, fmt.Errorf("%w: --confirmations must be at least 1", errUsage)
	}
	cfg := txsend.Config{ChainID: chainID, Confirmations: *f.confirmations, MaxFeeCap: wei.BigInt(),
		PollInterval: cliPollInterval, ResendAfter: cliResendAfter}
	if cfg.MaxFeeCap.Cmp(big.NewInt(txsend.DefaultMaxTipCap)) < 0 {
		cfg.MaxTipCap = cfg.MaxFeeCap
	}
	return cfg, nil
}

// sender returns key's Sender on c's chain, recording in
// --record-dir/CHAINID-GENESIS/ADDRESS: one directory per nonce sequence.
// The genesis hash (its first 8 bytes) keeps apart chains that share an ID,
// such as development chains started afresh, so that a record of one chain
// is never resumed on another. Warnings of the transaction path (a fee cap
// reached, a flaky node) go to stderr.
func (f *txFlags) sender(ctx context.Context, e *env, c *ethclient.Client, key *ecdsa.PrivateKey) (*txsend.Sender, *txsend.FileStore, error) {
	if *f.recordDir == "" {
		return nil, nil, fmt.Errorf("%w: --record-dir is required: there is no user cache directory ($XDG_CACHE_HOME or $HOME)", errUsage)
	}
	id, err := c.ChainID(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("read the chain ID: %w", err)
	}
	cfg, err := f.config(id.Uint64())
	if err != nil {
		return nil, nil, err
	}
	genesis, err := c.HeaderByNumber(ctx, new(big.Int))
	if err != nil {
		return nil, nil, fmt.Errorf("read the genesis block: %w", err)
	}
	chain := fmt.Sprintf("%d-%x", id.Uint64(), genesis.Hash().Bytes()[:8])
	from := crypto.PubkeyToAddress(key.PublicKey)
	store, err := txsend.OpenFileStore(filepath.Join(*f.recordDir, chain, from.Hex()))
	if err != nil {
		return nil, nil, err
	}
	enc := zap.NewDevelopmentEncoderConfig()
	enc.TimeKey = ""
	log := zap.New(zapcore.NewCore(zapcore.NewConsoleEncoder(enc), zapcore.AddSync(e.stderr), zapcore.WarnLevel))
	s, err := txsend.New(ctx, cfg, c, key, store, log, nil)
	if err != nil {
		return nil, nil, err
	}
	return s, store, nil
}

// send sends in and waits up to wait for it to be confirmed. A revert is
// an error naming the contract's custom error; a transaction still
// pending after wait, or when ctx ends, is an error saying where it is
// recorded (txsend's cancellation contract: running the command again
// resumes it).
func send(ctx context.Context, s *txsend.Sender, store *txsend.FileStore, in txsend.Intent, wait time.Duration) (txsend.Result, error) {
	wctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	res, err := s.Send(wctx, in)
	switch {
	case err != nil:
		return res, fmt.Errorf("send %s: %w", in.Name, err)
	case res.Status != txsend.Confirmed:
		what := "nothing was sent"
		if res.TxHash != ([32]byte{}) {
			what = fmt.Sprintf("transaction %s may still be mined", res.TxHash.Hex())
		}
		when := fmt.Sprintf("not confirmed within %s", wait)
		if ctx.Err() != nil {
			when = "interrupted"
		}
		return res, fmt.Errorf("%s %s (%s); it is recorded in %s, and running the same command again resumes it",
			in.Name, when, what, store.Path(in.Key))
	}
	return res, nil
}

// loadKeystore decrypts a keystore file with txsend's rules (owner-only
// files, first line of the password file).
func loadKeystore(path, pwPath string) (*ecdsa.PrivateKey, error) {
	k, err := txsend.LoadKey(path, pwPath)
	if errors.Is(err, txsend.ErrWrongPassword) {
		return nil, fmt.Errorf("%s: wrong password (from %s)", path, pwPath)
	}
	return k, err
}
