// Package devsys is rewardd's dev system: a complete local system with no
// other software. An embedded Clique chain with four signers that credits
// 5 CMT per block to the validator contract, as CyberMiles' node credits
// its reward collector; the contract with three of the signers as
// validators and the fourth a candidate the DAO promotes in epoch 1; five
// delegators with a staking history; validator 2's node offline for a
// stretch of every third epoch; epochs of one chain minute; and the
// configuration of a daemon per initial validator, so that a real majority
// (2 of 3, then 3 of 4) accepts each root. rewardd runs the daemons.
//
// # The directory
//
// Everything lives in one directory, so that the system survives its
// process: the chain (devchain with a data directory: every block synced,
// every state kept), each validator's key, password, configuration, ledger
// and published files, a version marker (dev-version) and the system's
// state (dev-state.json: the genesis time, which rebuilds the same
// genesis, and the epoch schedule). Open in a directory that holds a
// finished system reopens it: the chain resumes at its last block and the
// history — deployment, stakes, promotion — is not redone. A non-empty
// directory without this version's marker is refused (ErrDir).
package devsys

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"go.uber.org/zap"

	"github.com/cmt-rewards/cmt-rewards/config"
	"github.com/cmt-rewards/cmt-rewards/devchain"
	"github.com/cmt-rewards/cmt-rewards/internal/atomicfile"
)

// The system's shape.
const (
	Signers           = 4
	Validators        = 3 // signers 0..2; each runs a daemon
	Delegators        = 5
	DefaultBlockEvery = 250 * time.Millisecond // wall time per block of 1 s chain time
	EpochLength       = 60 * time.Second       // chain time
	password          = "dev"
	chainID           = 4242
)

// Version is what the marker file dev-version holds. Change it whenever a
// directory written by an older build could not be reopened correctly.
const Version = "cmt-rewards dev system 1"

// Names in the directory.
const (
	markerFile = "dev-version"
	stateFile  = "dev-state.json"
	chainDir   = "chain"
)

// ErrDir is wrapped by Open's errors for a directory it must not use.
var ErrDir = errors.New("unusable dev directory")

// System is an open dev system.
type System struct {
	Dir        string
	BlockEvery time.Duration
	Chain      *devchain.Chain
	// Configs are the daemons' configurations, validator i's at i;
	// validator 0's serves the API and is the one people look at.
	Configs []config.Config
	// Resumed reports that Open reopened an existing system.
	Resumed bool

	signers    []*ecdsa.PrivateKey
	delegators []*ecdsa.PrivateKey
	contract   common.Address
	state      state
}

// state is dev-state.json: what rebuilds the same system.
type state struct {
	GenesisTime uint64    `json:"genesis_time"`
	EpochStart  time.Time `json:"epoch_start"`
}

func key(label string, i int) *ecdsa.PrivateKey {
	return devchain.DerivedKey(fmt.Sprintf("cmt-rewards dev %s %d", label, i))
}

func addr(k *ecdsa.PrivateKey) common.Address { return crypto.PubkeyToAddress(k.PublicKey) }

// Open builds the dev system in dir, or reopens the one there, and sets
// validator 0's API address to apiListen. A new system is ready when Open
// returns: the contract deployed and its history on chain, epoch 0
// starting with the next block. Close it.
func Open(ctx context.Context, dir, apiListen string, blockEvery time.Duration, log *zap.Logger) (*System, error) {
	fresh, err := prepare(dir)
	if err != nil {
		return nil, err
	}
	s := &System{Dir: dir, BlockEvery: blockEvery, Resumed: !fresh}
	for i := 0; i < Signers; i++ {
		s.signers = append(s.signers, key("signer", i))
	}
	for i := 0; i < Delegators; i++ {
		s.delegators = append(s.delegators, key("delegator", i))
	}
	// The contract is delegator 0's first transaction, so its address is
	// known before genesis and the chain can credit block awards to it from
	// block 1, as CyberMiles' genesis names its reward collector.
	s.contract = crypto.CreateAddress(addr(s.delegators[0]), 0)
	if fresh {
		s.state.GenesisTime = uint64(time.Now().Add(-devchain.DefaultGenesisAge).Unix())
	} else if err := readJSON(filepath.Join(dir, stateFile), &s.state); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrDir, dir, err)
	}
	if s.Chain, err = devchain.New(s.chainConfig()); err != nil {
		return nil, fmt.Errorf("dev chain in %s: %w", filepath.Join(dir, chainDir), err)
	}
	if fresh {
		err = s.build(ctx, apiListen, log)
	} else {
		err = s.reopen(ctx, apiListen)
	}
	if err != nil {
		s.Chain.Close()
		return nil, err
	}
	return s, nil
}

// prepare makes dir usable and reports whether a new system is to be
// built there: dir is missing or empty, or holds this version's marker
// but no state (a first start that was interrupted: no daemon ran, and
// what it wrote is removed).
func prepare(dir string) (fresh bool, err error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) || (err == nil && len(entries) == 0) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return false, err
		}
		return true, os.WriteFile(filepath.Join(dir, markerFile), []byte(Version+"\n"), 0o644)
	}
	if err != nil {
		return false, err
	}
	marker, err := os.ReadFile(filepath.Join(dir, markerFile))
	if errors.Is(err, os.ErrNotExist) {
		return false, fmt.Errorf("%w: %s is not empty and has no %s: it is not a dev system directory (or one written before dev systems could restart); use an empty or new --dev-dir",
			ErrDir, dir, markerFile)
	}
	if err != nil {
		return false, err
	}
	if got := string(trimNL(marker)); got != Version {
		return false, fmt.Errorf("%w: %s holds a dev system of version %q, this build runs %q; remove it or use another --dev-dir",
			ErrDir, dir, got, Version)
	}
	if _, err := os.Stat(filepath.Join(dir, stateFile)); err == nil {
		return false, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return false, err
	}
	for _, name := range []string{chainDir, "rewardd.json", "validator-key.json", "validator-password", "validator-1", "validator-2"} {
		if err := os.RemoveAll(filepath.Join(dir, name)); err != nil {
			return false, err
		}
	}
	return true, nil
}

func trimNL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

func (s *System) chainConfig() devchain.Config {
	alloc := types.GenesisAlloc{}
	million := new(big.Int).Mul(big.NewInt(1e18), big.NewInt(1_000_000))
	for _, k := range append(append([]*ecdsa.PrivateKey(nil), s.delegators...), s.signers...) {
		alloc[addr(k)] = types.Account{Balance: million}
	}
	return devchain.Config{ChainID: chainID, Signers: s.signers, Alloc: alloc, HTTP: true, Epoch: 30000,
		GenesisTime: s.state.GenesisTime, DataDir: filepath.Join(s.Dir, chainDir),
		RewardCollector: s.contract, BlockReward: new(big.Int).Mul(big.NewInt(5), big.NewInt(1e18))}
}

// build gives a new chain its history and writes the daemons' files; the
// state file goes last, marking the system finished.
func (s *System) build(ctx context.Context, apiListen string, log *zap.Logger) error {
	if err := s.history(ctx); err != nil {
		return err
	}
	s.state.EpochStart = time.Unix(int64(s.Chain.Head().Time+1), 0).UTC() // epoch 0 starts with the next block
	for i := 0; i < Validators; i++ {
		c, err := s.writeFiles(i, apiListen)
		if err != nil {
			return err
		}
		s.Configs = append(s.Configs, c)
	}
	log.Info("dev system built", zap.String("dir", s.Dir), zap.Uint64("head", s.Chain.Head().Number.Uint64()))
	return writeJSON(filepath.Join(s.Dir, stateFile), s.state)
}

// reopen checks that the history is on the reopened chain and points the
// daemons' configurations at the chain's new RPC address.
func (s *System) reopen(ctx context.Context, apiListen string) error {
	code, err := s.Chain.Client().CodeAt(ctx, s.contract, nil)
	if err != nil || len(code) == 0 {
		return fmt.Errorf("%w: %s: the reopened chain (head %d) has no contract at %s (%v)", ErrDir, s.Dir, s.Chain.Head().Number, s.contract.Hex(), err)
	}
	for i := 0; i < Validators; i++ {
		path := filepath.Join(s.validatorDir(i), "rewardd.json")
		c, err := config.Load(path)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrDir, err)
		}
		c.RPCURL = s.Chain.RPCURL()
		if i == 0 {
			c.API.Listen = apiListen
		}
		if err := writeConfig(path, c); err != nil {
			return err
		}
		s.Configs = append(s.Configs, c)
	}
	return nil
}

// validatorDir is where validator i's files are: the directory itself for
// validator 0, the files people look at.
func (s *System) validatorDir(i int) string {
	if i == 0 {
		return s.Dir
	}
	return filepath.Join(s.Dir, fmt.Sprintf("validator-%d", i))
}

// Contract is the validator contract's address.
func (s *System) Contract() common.Address { return s.contract }

// Validator is validator i's address (its signer's): 0 to 2 run daemons,
// 3 is the candidate.
func (s *System) Validator(i int) common.Address { return addr(s.signers[i]) }

// ValidatorKey is signer i's key (0 to Signers-1; 0 to 2 are the active
// validators the daemons sign with, 3 the candidate), for tests that act
// as a validator, e.g. to vote. Public by design, like DelegatorKey.
func (s *System) ValidatorKey(i int) *ecdsa.PrivateKey { return s.signers[i] }

// DelegatorKey is delegator i's key (0 to Delegators-1), for tests that act
// as a holder. The dev keys are derived from fixed labels: public by design.
func (s *System) DelegatorKey(i int) *ecdsa.PrivateKey { return s.delegators[i] }

// Close stops the chain.
func (s *System) Close() error { return s.Chain.Close() }

func writeConfig(path string, c config.Config) error {
	if err := c.Check(); err != nil {
		return fmt.Errorf("dev configuration: %w", err)
	}
	return writeJSON(path, c)
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, 0o600, func(w io.Writer) error { _, err := w.Write(append(b, '\n')); return err })
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}
