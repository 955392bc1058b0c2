package main

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/google/uuid"
	"go.uber.org/zap"

	"github.com/cmt-rewards/cmt-rewards/config"
	"github.com/cmt-rewards/cmt-rewards/contracts"
	"github.com/cmt-rewards/cmt-rewards/devchain"
)

// Dev mode: a complete local system with no other software. An embedded
// Clique chain with four signers that credits 5 CMT per block to the
// validator contract, as CyberMiles' node credits its reward collector; the
// contract with three of the signers as validators and the fourth a
// candidate the DAO promotes in epoch 1; five delegators with a staking
// history; validator 2's node offline for a stretch of every third epoch;
// epochs of one chain minute (15 seconds of wall time); and a daemon per
// initial validator, so that a real majority (2 of 3, then 3 of 4) accepts
// each root. Validator 0's daemon serves the API.
const (
	devSigners     = 4
	devValidators  = 3 // signers 0..2; each runs a daemon
	devDelegators  = 5
	devBlockEvery  = 250 * time.Millisecond // one block of 1 s chain time
	devEpochLength = 60 * time.Second
	devPassword    = "dev"
)

func devKey(label string, i int) *ecdsa.PrivateKey {
	k, err := crypto.ToECDSA(crypto.Keccak256([]byte(fmt.Sprintf("cmt-rewards dev %s %d", label, i))))
	if err != nil {
		panic(err) // a keccak output is a valid key with overwhelming probability
	}
	return k
}

type devSystem struct {
	blockEvery time.Duration // wall time between blocks
	chain      *devchain.Chain
	signers    []*ecdsa.PrivateKey
	delegators []*ecdsa.PrivateKey
	contract   common.Address
	cfg        config.Config   // validator 0's daemon: the API, the files people look at
	peers      []config.Config // validators 1.. : the rest of the majority
	dir        string
}

// startDev builds the chain and its history and writes the daemon's files
// (configuration, key, password) under dir.
func startDev(ctx context.Context, dir, apiListen string, blockEvery time.Duration, log *zap.Logger) (*devSystem, error) {
	d := &devSystem{dir: dir, blockEvery: blockEvery}
	for i := 0; i < devSigners; i++ {
		d.signers = append(d.signers, devKey("signer", i))
	}
	alloc := types.GenesisAlloc{}
	million := new(big.Int).Mul(big.NewInt(1e18), big.NewInt(1_000_000))
	for i := 0; i < devDelegators; i++ {
		d.delegators = append(d.delegators, devKey("delegator", i))
		alloc[crypto.PubkeyToAddress(d.delegators[i].PublicKey)] = types.Account{Balance: million}
	}
	for _, k := range d.signers {
		alloc[crypto.PubkeyToAddress(k.PublicKey)] = types.Account{Balance: million}
	}
	// The contract is delegator 0's first transaction, so its address is
	// known before genesis and the chain can credit block awards to it from
	// block 1, as CyberMiles' genesis names its reward collector.
	d.contract = crypto.CreateAddress(d.addr(d.delegators[0]), 0)
	chain, err := devchain.New(devchain.Config{ChainID: 4242, Signers: d.signers, Alloc: alloc, HTTP: true, Epoch: 30000,
		RewardCollector: d.contract, BlockReward: new(big.Int).Mul(big.NewInt(5), big.NewInt(1e18))})
	if err != nil {
		return nil, fmt.Errorf("dev chain: %w", err)
	}
	d.chain = chain
	if err := d.history(ctx); err != nil {
		chain.Close()
		return nil, err
	}
	for i := 0; i < devValidators; i++ {
		listen, sub := apiListen, d.dir
		if i > 0 {
			listen, sub = "", filepath.Join(d.dir, fmt.Sprintf("validator-%d", i))
		}
		c, err := d.writeConfig(i, sub, listen)
		if err != nil {
			chain.Close()
			return nil, err
		}
		if i == 0 {
			d.cfg = c
		} else {
			d.peers = append(d.peers, c)
		}
	}
	return d, nil
}

func (d *devSystem) addr(k *ecdsa.PrivateKey) common.Address {
	return crypto.PubkeyToAddress(k.PublicKey)
}

func (d *devSystem) send(ctx context.Context, key *ecdsa.PrivateKey, value *big.Int, data []byte) error {
	tx, err := d.chain.SendTx(ctx, key, &d.contract, value, data)
	if err != nil {
		return err
	}
	rcpts, err := d.chain.Commit(tx)
	if err != nil {
		return err
	}
	if rcpts[0].Status != types.ReceiptStatusSuccessful {
		// Replay it to name the contract's error.
		_, cerr := d.chain.Client().CallContract(ctx, ethereum.CallMsg{From: crypto.PubkeyToAddress(key.PublicKey), To: &d.contract, Value: value, Data: data}, rcpts[0].BlockNumber)
		return fmt.Errorf("dev transaction %s reverted: %s", tx.Hash().Hex(), contracts.DecodeRevert(cerr))
	}
	return nil
}

// history deploys the contract and gives it a staking history before the
// first epoch starts.
func (d *devSystem) history(ctx context.Context) error {
	vs := contracts.NewValidatorSet()
	vals := []common.Address{d.addr(d.signers[0]), d.addr(d.signers[1]), d.addr(d.signers[2])}
	args := vs.PackConstructor(vals, big.NewInt(5000)) // roots by strict majority
	addr, _, err := d.chain.Deploy(ctx, d.delegators[0], append(common.FromHex(contracts.ValidatorSetMetaData.Bin), args...))
	if err != nil {
		return fmt.Errorf("deploy contract: %w", err)
	}
	if addr != d.contract {
		return fmt.Errorf("deploy contract: deployed at %s, block awards go to %s", addr.Hex(), d.contract.Hex())
	}
	cmt := func(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(1e18)) }
	steps := []struct {
		key   *ecdsa.PrivateKey
		value *big.Int
		data  []byte
	}{
		{d.signers[3], nil, vs.PackDeclareCandidacy(crypto.FromECDSAPub(&d.signers[3].PublicKey)[1:])},
		{d.delegators[0], cmt(30_000), vs.PackStake(vals[0])},
		{d.delegators[1], cmt(20_000), vs.PackStake(vals[0])},
		{d.delegators[1], cmt(10_000), vs.PackStake(vals[1])},
		{d.delegators[2], cmt(25_000), vs.PackStake(vals[2])},
		{d.delegators[3], cmt(15_000), vs.PackStake(d.addr(d.signers[3]))}, // at the candidate
		{d.signers[0], cmt(5_000), vs.PackStake(vals[0])},                  // a validator's own stake
	}
	for _, s := range steps {
		if err := d.send(ctx, s.key, s.value, s.data); err != nil {
			return fmt.Errorf("dev history: %w", err)
		}
	}
	// Eight days later delegator 1 takes half of its stake at validator 0
	// back (the 7-day lock has passed).
	if err := d.chain.AdjustTime(8 * 24 * time.Hour); err != nil {
		return err
	}
	if err := d.send(ctx, d.delegators[1], nil, vs.PackUnstake(vals[0], cmt(10_000))); err != nil {
		return fmt.Errorf("dev history: %w", err)
	}
	return nil
}

// writeConfig writes validator i's daemon key, password and configuration
// under dir and returns the configuration. Epoch 0 starts with the next
// block.
func (d *devSystem) writeConfig(i int, dir, apiListen string) (config.Config, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return config.Config{}, err
	}
	id, err := uuid.NewRandom()
	if err != nil {
		return config.Config{}, err
	}
	key := d.signers[i]
	ks, err := keystore.EncryptKey(&keystore.Key{Id: id, Address: d.addr(key), PrivateKey: key}, devPassword, keystore.LightScryptN, keystore.LightScryptP)
	if err != nil {
		return config.Config{}, err
	}
	keyFile, pwFile := filepath.Join(dir, "validator-key.json"), filepath.Join(dir, "validator-password")
	if err := os.WriteFile(keyFile, ks, 0o600); err != nil {
		return config.Config{}, err
	}
	if err := os.WriteFile(pwFile, []byte(devPassword+"\n"), 0o600); err != nil {
		return config.Config{}, err
	}
	start := d.cfg.Epoch.Start
	if i == 0 {
		start = time.Unix(int64(d.chain.Head().Time+1), 0).UTC()
	}
	c := config.Default()
	c.RPCURL, c.ChainID, c.Contract = d.chain.RPCURL(), d.chain.ChainID().Uint64(), d.contract
	c.LedgerPath = filepath.Join(dir, "ledger.db")
	c.Confirmations, c.CliqueEpoch = 2, 30000
	c.Epoch = config.EpochConfig{Start: start, Length: config.Duration(devEpochLength)}
	c.Standing = config.StandingConfig{Window: 30, Threshold: 5}
	c.Follower.PollInterval = config.Duration(500 * time.Millisecond)
	c.Settle = config.SettleConfig{Schedule: "@every 2s", PublishDir: filepath.Join(dir, "published")}
	c.Submit.KeystoreFile, c.Submit.PasswordFile, c.Submit.Confirmations = keyFile, pwFile, 2
	c.Submit.ResendAfter = config.Duration(10 * time.Second)
	c.API.Listen = apiListen
	if err := c.Check(); err != nil {
		return config.Config{}, fmt.Errorf("dev configuration: %w", err)
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return config.Config{}, err
	}
	return c, os.WriteFile(filepath.Join(dir, "rewardd.json"), append(b, '\n'), 0o600)
}

// produce mines a block every blockEvery until ctx ends. In epoch 1 the
// DAO promotes the candidate; in every third epoch validator 2's node is
// offline for 25 blocks.
func (d *devSystem) produce(ctx context.Context, log *zap.Logger) {
	vs := contracts.NewValidatorSet()
	start := uint64(d.cfg.Epoch.Start.Unix())
	promoted := false
	tick := time.NewTicker(d.blockEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		head := d.chain.Head()
		pos := (head.Time + 1 - start) % uint64(devEpochLength/time.Second)
		k := (head.Time + 1 - start) / uint64(devEpochLength/time.Second)
		d.chain.SetOffline(2, k%3 == 2 && pos >= 10 && pos < 35)
		if k == 1 && pos >= 20 && !promoted {
			promoted = true
			// Sent with the daemons' keys while no vote is due (epoch 0's
			// root is accepted in the first seconds of epoch 1); a daemon
			// whose nonce this takes signs its vote again.
			for _, i := range []int{1, 2} {
				if err := d.send(ctx, d.signers[i], nil, vs.PackVotePromote(d.addr(d.signers[3]))); err != nil {
					log.Warn("dev: promotion vote", zap.Error(err))
				}
			}
			continue
		}
		if _, err := d.chain.Mine(); err != nil && ctx.Err() == nil {
			log.Warn("dev: mine", zap.Error(err))
		}
	}
}

func (d *devSystem) printIntro(w io.Writer, apiURL string) {
	cfgPath := filepath.Join(d.dir, "rewardd.json")
	fmt.Fprintf(w, `
cmt-rewards dev system
  chain      %s (chain %d, embedded Clique, 4 signers, a block every %s)
  contract   %s
  validators %s %s %s (+ candidate %s, promoted in epoch 1)
  awards     5 CMT per block credited to the contract (the reward collector)
  daemons    validators 0, 1 and 2 each settle and vote; a majority accepts a root
             (validator %s's daemon serves the API); epochs of %s chain time (~%s wall time)
  offline    validator %s misses slots in epochs 2, 5, 8, ...
  files      %s (configuration rewardd.json, ledger.db, published/)
  api        %s

Try (in another terminal, from the repository):
  go run ./cmd/rewardctl status --api %s
  curl -s %s/v1/epochs
  go run ./cmd/rewardctl proof --epoch 1 --address %s --source %s --calldata
  go run ./cmd/rewardctl audit --epoch 2 --config %s --result %s
  go run ./cmd/rewardctl report --epochs 0-2 --format csv --source %s --config %s

Stop with Ctrl-C.
`, d.chain.RPCURL(), d.cfg.ChainID, d.blockEvery, d.contract.Hex(),
		d.addr(d.signers[0]).Hex(), d.addr(d.signers[1]).Hex(), d.addr(d.signers[2]).Hex(), d.addr(d.signers[3]).Hex(),
		d.addr(d.signers[0]).Hex(), devEpochLength, time.Duration(int64(d.blockEvery)*int64(devEpochLength/time.Second)),
		d.addr(d.signers[2]).Hex(), d.dir, apiURL,
		apiURL, apiURL, d.addr(d.delegators[0]).Hex(), apiURL, cfgPath, filepath.Join(d.cfg.Settle.PublishDir, "epoch-000002-result.json"),
		d.cfg.Settle.PublishDir, cfgPath)
}
