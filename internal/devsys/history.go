package devsys

import (
	"context"
	"crypto/ecdsa"
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
)

func (s *System) send(ctx context.Context, k *ecdsa.PrivateKey, value *big.Int, data []byte) error {
	tx, err := s.Chain.SendTx(ctx, k, &s.contract, value, data)
	if err != nil {
		return err
	}
	rcpts, err := s.Chain.Commit(tx)
	if err != nil {
		return err
	}
	if rcpts[0].Status != types.ReceiptStatusSuccessful {
		// Replay it to name the contract's error.
		_, cerr := s.Chain.Client().CallContract(ctx, ethereum.CallMsg{From: addr(k), To: &s.contract, Value: value, Data: data}, rcpts[0].BlockNumber)
		return fmt.Errorf("dev transaction %s reverted: %s", tx.Hash().Hex(), contracts.DecodeRevert(cerr))
	}
	return nil
}

// history deploys the contract and gives it a staking history before the
// first epoch starts.
func (s *System) history(ctx context.Context) error {
	vs := contracts.NewValidatorSet()
	vals := []common.Address{addr(s.signers[0]), addr(s.signers[1]), addr(s.signers[2])}
	args := vs.PackConstructor(vals, big.NewInt(5000)) // roots by strict majority
	deployed, _, err := s.Chain.Deploy(ctx, s.delegators[0], append(common.FromHex(contracts.ValidatorSetMetaData.Bin), args...))
	if err != nil {
		return fmt.Errorf("deploy contract: %w", err)
	}
	if deployed != s.contract {
		return fmt.Errorf("deploy contract: deployed at %s, block awards go to %s", deployed.Hex(), s.contract.Hex())
	}
	cmt := func(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(1e18)) }
	steps := []struct {
		key   *ecdsa.PrivateKey
		value *big.Int
		data  []byte
	}{
		{s.signers[3], nil, vs.PackDeclareCandidacy(crypto.FromECDSAPub(&s.signers[3].PublicKey)[1:])},
		{s.delegators[0], cmt(30_000), vs.PackStake(vals[0])},
		{s.delegators[1], cmt(20_000), vs.PackStake(vals[0])},
		{s.delegators[1], cmt(10_000), vs.PackStake(vals[1])},
		{s.delegators[2], cmt(25_000), vs.PackStake(vals[2])},
		{s.delegators[3], cmt(15_000), vs.PackStake(addr(s.signers[3]))}, // at the candidate
		{s.signers[0], cmt(5_000), vs.PackStake(vals[0])},                // a validator's own stake
	}
	for _, st := range steps {
		if err := s.send(ctx, st.key, st.value, st.data); err != nil {
			return fmt.Errorf("dev history: %w", err)
		}
	}
	// Eight days later delegator 1 takes half of its stake at validator 0
	// back (the 7-day lock has passed).
	if err := s.Chain.AdjustTime(8 * 24 * time.Hour); err != nil {
		return err
	}
	if err := s.send(ctx, s.delegators[1], nil, vs.PackUnstake(vals[0], cmt(10_000))); err != nil {
		return fmt.Errorf("dev history: %w", err)
	}
	return nil
}

// writeFiles writes validator i's daemon key, password and configuration
// and returns the configuration. Only validator 0 serves the API.
func (s *System) writeFiles(i int, apiListen string) (config.Config, error) {
	dir := s.validatorDir(i)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return config.Config{}, err
	}
	id, err := uuid.NewRandom()
	if err != nil {
		return config.Config{}, err
	}
	k := s.signers[i]
	ks, err := keystore.EncryptKey(&keystore.Key{Id: id, Address: addr(k), PrivateKey: k}, password, keystore.LightScryptN, keystore.LightScryptP)
	if err != nil {
		return config.Config{}, err
	}
	keyFile, pwFile := filepath.Join(dir, "validator-key.json"), filepath.Join(dir, "validator-password")
	if err := os.WriteFile(keyFile, ks, 0o600); err != nil {
		return config.Config{}, err
	}
	if err := os.WriteFile(pwFile, []byte(password+"\n"), 0o600); err != nil {
		return config.Config{}, err
	}
	c := config.Default()
	c.RPCURL, c.ChainID, c.Contract = s.Chain.RPCURL(), s.Chain.ChainID().Uint64(), s.contract
	c.LedgerPath = filepath.Join(dir, "ledger.db")
	c.Confirmations, c.CliqueEpoch = 2, 30000
	c.Epoch = config.EpochConfig{Start: s.state.EpochStart, Length: config.Duration(EpochLength)}
	c.Standing = config.StandingConfig{Window: 30, Threshold: 5}
	c.Follower.PollInterval = config.Duration(500 * time.Millisecond)
	c.Settle.Schedule, c.Settle.PublishDir = "@every 2s", filepath.Join(dir, "published")
	c.Submit.KeystoreFile, c.Submit.PasswordFile, c.Submit.Confirmations = keyFile, pwFile, 2
	c.Submit.ResendAfter = config.Duration(10 * time.Second)
	c.Submit.PollInterval = config.Duration(500 * time.Millisecond)
	c.API.Listen = ""
	if i == 0 {
		c.API.Listen = apiListen
	}
	return c, writeConfig(filepath.Join(dir, "rewardd.json"), c)
}

// Produce mines a block every BlockEvery until ctx ends. Where it is in
// the epochs comes from the head's time alone, so a reopened system picks
// up where it stopped: in every third epoch validator 2's node is offline
// for 25 blocks, and from epoch 1 on the DAO promotes the candidate unless
// the contract shows it done.
func (s *System) Produce(ctx context.Context, log *zap.Logger) {
	start := uint64(s.state.EpochStart.Unix())
	length := uint64(EpochLength / time.Second)
	promoted := false
	tick := time.NewTicker(s.BlockEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		next := s.Chain.Head().Time + 1
		k, pos := uint64(0), uint64(0)
		if next >= start {
			k, pos = (next-start)/length, (next-start)%length
		}
		s.Chain.SetOffline(2, k%3 == 2 && pos >= 10 && pos < 35)
		if !promoted && k >= 1 && pos >= 20 {
			promoted = true
			if s.promote(ctx, log) {
				continue // the votes' blocks were this tick's
			}
		}
		if _, err := s.Chain.Mine(); err != nil && ctx.Err() == nil {
			log.Warn("dev: mine", zap.Error(err))
		}
	}
}

// promote has validators 1 and 2 vote to promote the candidate, each vote
// only if the contract would take it: a system reopened after the
// promotion, or after one of the votes, sends nothing twice. Sent with the
// daemons' keys while no root vote is due (epoch 0's root is accepted in
// the first seconds of epoch 1); a daemon whose nonce this takes signs
// its vote again. It reports whether it sent anything.
func (s *System) promote(ctx context.Context, log *zap.Logger) bool {
	vs := contracts.NewValidatorSet()
	candidate := addr(s.signers[3])
	sent := false
	for _, i := range []int{1, 2} {
		data := vs.PackVotePromote(candidate)
		from := addr(s.signers[i])
		if _, err := s.Chain.Client().CallContract(ctx, ethereum.CallMsg{From: from, To: &s.contract, Data: data}, nil); err != nil {
			log.Debug("dev: promotion vote not needed", zap.Int("validator", i), zap.String("reason", contracts.DecodeRevert(err)))
			continue
		}
		if err := s.send(ctx, s.signers[i], nil, data); err != nil {
			log.Warn("dev: promotion vote", zap.Error(err))
		}
		sent = true
	}
	return sent
}

// PrintIntro tells a person what runs and what to try.
func (s *System) PrintIntro(w io.Writer, apiURL string) {
	cfg := s.Configs[0]
	cfgPath := filepath.Join(s.Dir, "rewardd.json")
	resumed := ""
	if s.Resumed {
		resumed = fmt.Sprintf(" (resumed at block %d)", s.Chain.Head().Number)
	}
	fmt.Fprintf(w, `
cmt-rewards dev system%s
  chain      %s (chain %d, embedded Clique, 4 signers, a block every %s)
  contract   %s
  validators %s %s %s (+ candidate %s, promoted in epoch 1)
  awards     5 CMT per block credited to the contract (the reward collector)
  daemons    validators 0, 1 and 2 each settle and vote; a majority accepts a root
             (validator %s's daemon serves the API); epochs of %s chain time (~%s wall time)
  offline    validator %s misses slots in epochs 2, 5, 8, ...
  files      %s (configuration rewardd.json, ledger.db, published/, chain/);
             stop and start again with --dev-dir %s to resume
  api        %s
  web app    %s/?rpc=%s

Try (in another terminal, from the repository, after make build):
  bin/rewardctl status --api %s
  curl -s %s/v1/epochs
  bin/rewardctl proof --address %s --source %s --calldata
  bin/rewardctl audit --epoch 2 --config %s --result %s
  bin/rewardctl report --epochs 0-2 --format csv --source %s --config %s

Stop with Ctrl-C.
`, resumed, s.Chain.RPCURL(), cfg.ChainID, s.BlockEvery, s.contract.Hex(),
		addr(s.signers[0]).Hex(), addr(s.signers[1]).Hex(), addr(s.signers[2]).Hex(), addr(s.signers[3]).Hex(),
		addr(s.signers[0]).Hex(), EpochLength, time.Duration(int64(s.BlockEvery)*int64(EpochLength/time.Second)),
		addr(s.signers[2]).Hex(), s.Dir, s.Dir, apiURL, apiURL, s.Chain.RPCURL(),
		apiURL, apiURL, addr(s.delegators[0]).Hex(), apiURL, cfgPath, filepath.Join(cfg.Settle.PublishDir, "epoch-000002-result.json"),
		cfg.Settle.PublishDir, cfgPath)
}
