// Package testnet starts, for tests, an embedded Clique chain (devchain)
// with the real validator contract deployed and a funded delegator, and
// offers the few transactions tests need.
package testnet

import (
	"context"
	"crypto/ecdsa"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/google/uuid"

	"github.com/cmt-rewards/cmt-rewards/contracts"
	"github.com/cmt-rewards/cmt-rewards/devchain"
)

// BlockAwardWei is CyberMiles 2.0's block award, 5 CMT, in wei: what a Net
// credits to its contract in every block after the genesis.
const BlockAwardWei = 5_000_000_000_000_000_000

// Net is a running chain with the validator contract.
type Net struct {
	Chain      *devchain.Chain
	Signers    []*ecdsa.PrivateKey // Clique signers; the first Validators are the contract's first validators
	Validators int                 // how many of Signers the contract was deployed with
	Users      []*ecdsa.PrivateKey // funded delegators
	Contract   common.Address      // the validator contract, deployed by Users[0] with nonce 0
	Deployed   uint64              // block of the deployment
	// BlockAward is the wei credited to Contract by the chain in every
	// block after the genesis (BlockAwardWei), as CyberMiles 2.0 credits
	// its reward collector; nil with Options.NoAwards.
	BlockAward *big.Int
}

// Options shape a Net; zero values give 3 signers that are all contract
// validators, 2 users, Clique epoch 50 and a block award of BlockAwardWei
// to the contract.
type Options struct {
	Signers     int
	Users       int
	CliqueEpoch uint64
	GenesisTime uint64
	QuorumBps   int64 // the contract's root quorum in basis points of the active set (default 5000)

	// Validators is how many of the signers (the first ones) the contract
	// is deployed with as its validators; the others are Clique signers
	// that are not contract validators. Default (0): all signers.
	Validators int
	// NoAwards turns the block award off: the contract then holds only what
	// tests send it (Net.Fund), for tests of an unfunded contract.
	NoAwards bool
}

// Key returns a deterministic test key.
func Key(i int) *ecdsa.PrivateKey {
	k, err := crypto.ToECDSA(crypto.Keccak256([]byte{byte(i), 'k'}))
	if err != nil {
		panic(err)
	}
	return k
}

// Addr is the address of a key.
func Addr(k *ecdsa.PrivateKey) common.Address { return crypto.PubkeyToAddress(k.PublicKey) }

// New starts a Net that is closed when the test ends.
func New(t testing.TB, o Options) *Net {
	t.Helper()
	if o.Signers == 0 {
		o.Signers = 3
	}
	if o.Users == 0 {
		o.Users = 2
	}
	if o.CliqueEpoch == 0 {
		o.CliqueEpoch = 50
	}
	if o.Validators == 0 {
		o.Validators = o.Signers
	}
	if o.Validators < 0 || o.Validators > o.Signers {
		t.Fatalf("testnet: %d validators out of %d signers", o.Validators, o.Signers)
	}
	n := &Net{Validators: o.Validators}
	for i := 0; i < o.Signers; i++ {
		n.Signers = append(n.Signers, Key(1+i))
	}
	funds, _ := new(big.Int).SetString("1000000000000000000000000", 10)
	alloc := types.GenesisAlloc{}
	for i := 0; i < o.Users; i++ {
		n.Users = append(n.Users, Key(100+i))
		alloc[Addr(n.Users[i])] = types.Account{Balance: funds}
	}
	for _, k := range n.Signers { // validators pay gas for their votes
		alloc[Addr(k)] = types.Account{Balance: funds}
	}
	cfg := devchain.Config{Signers: n.Signers, HTTP: true, Epoch: o.CliqueEpoch, Alloc: alloc, GenesisTime: o.GenesisTime}
	// The contract is Users[0]'s first creation, so its address, the reward
	// collector, is known before the genesis.
	collector := crypto.CreateAddress(Addr(n.Users[0]), 0)
	if !o.NoAwards {
		n.BlockAward = new(big.Int).SetUint64(BlockAwardWei)
		cfg.RewardCollector, cfg.BlockReward = collector, n.BlockAward
	}
	c, err := devchain.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	n.Chain = c
	var vals []common.Address
	for _, k := range n.Signers[:o.Validators] {
		vals = append(vals, Addr(k))
	}
	if o.QuorumBps == 0 {
		o.QuorumBps = 5000
	}
	args := contracts.NewValidatorSet().PackConstructor(vals, big.NewInt(o.QuorumBps))
	addr, rcpt, err := c.Deploy(context.Background(), n.Users[0], append(common.FromHex(contracts.ValidatorSetMetaData.Bin), args...))
	if err != nil {
		t.Fatal(err)
	}
	if addr != collector {
		t.Fatalf("testnet: contract deployed at %s, not at the predicted reward collector %s (was it not Users[0]'s first transaction?)", addr, collector)
	}
	n.Contract, n.Deployed = addr, rcpt.BlockNumber.Uint64()
	return n
}

// Stake sends user u's stake of amount wei to validator (signer) i; the
// transaction is in the pool, not mined.
func (n *Net) Stake(t testing.TB, u, i int, amount int64) *types.Transaction {
	t.Helper()
	tx, err := n.Chain.SendTx(context.Background(), n.Users[u], &n.Contract, big.NewInt(amount), contracts.NewValidatorSet().PackStake(Addr(n.Signers[i])))
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

// SignedStake signs user u's stake with an explicit nonce without sending
// it, e.g. for a competing branch.
func (n *Net) SignedStake(t testing.TB, u, i int, amount int64, nonce uint64) *types.Transaction {
	t.Helper()
	tx, err := types.SignNewTx(n.Users[u], types.LatestSignerForChainID(n.Chain.ChainID()), &types.DynamicFeeTx{
		ChainID: n.Chain.ChainID(), Nonce: nonce, GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(100e9),
		Gas: 300_000, To: &n.Contract, Value: big.NewInt(amount), Data: contracts.NewValidatorSet().PackStake(Addr(n.Signers[i])),
	})
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

// Commit mines until the transactions are included.
func (n *Net) Commit(t testing.TB, txs ...*types.Transaction) {
	t.Helper()
	if _, err := n.Chain.Commit(txs...); err != nil {
		t.Fatal(err)
	}
}

// Mine mines k blocks.
func (n *Net) Mine(t testing.TB, k int) {
	t.Helper()
	if err := n.Chain.MineN(k); err != nil {
		t.Fatal(err)
	}
}

// WriteKeystore stores key as a light-scrypt keystore file and its password
// in a password file, both with mode perm, and returns their paths.
func WriteKeystore(t testing.TB, dir string, key *ecdsa.PrivateKey, password string, perm os.FileMode) (keyFile, passwordFile string) {
	t.Helper()
	id, err := uuid.NewRandom()
	if err != nil {
		t.Fatal(err)
	}
	js, err := keystore.EncryptKey(&keystore.Key{Id: id, Address: Addr(key), PrivateKey: key}, password, keystore.LightScryptN, keystore.LightScryptP)
	if err != nil {
		t.Fatal(err)
	}
	keyFile, passwordFile = filepath.Join(dir, "key.json"), filepath.Join(dir, "password")
	if err := os.WriteFile(keyFile, js, perm); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(passwordFile, []byte(password+"\n"), perm); err != nil {
		t.Fatal(err)
	}
	return keyFile, passwordFile
}

// Fund sends cmt CMT to the contract (from the last user) and mines it. A
// Net's chain already credits BlockAward to the contract in every block;
// Fund is for a contract that must hold more than the awards so far, for
// tests that model a stock-geth-like chain without awards, and with
// Options.NoAwards, for the unfunded case.
func (n *Net) Fund(t testing.TB, cmt int64) {
	t.Helper()
	tx, err := n.Chain.SendTx(context.Background(), n.Users[len(n.Users)-1], &n.Contract, new(big.Int).Mul(big.NewInt(1e18), big.NewInt(cmt)), nil)
	if err != nil {
		t.Fatal(err)
	}
	n.Commit(t, tx)
}

// KeepMining mines a block every interval until ctx ends; the returned
// function waits for the miner to stop (cancel ctx first).
func (n *Net) KeepMining(ctx context.Context, every time.Duration) (wait func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(every):
				n.Chain.Mine()
			}
		}
	}()
	return func() { <-done }
}
