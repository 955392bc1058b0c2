// Package testnet starts, for tests, an embedded Clique chain (devchain)
// with the real validator contract deployed and a funded delegator, and
// offers the few transactions tests need.
package testnet

import (
	"context"
	"crypto/ecdsa"
	"math/big"
	"path/filepath"
	"testing"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/holiman/uint256"
	"go.uber.org/zap"

	"github.com/cmt-rewards/cmt-rewards/calc"
	"github.com/cmt-rewards/cmt-rewards/contracts"
	"github.com/cmt-rewards/cmt-rewards/devchain"
	"github.com/cmt-rewards/cmt-rewards/epoch"
	"github.com/cmt-rewards/cmt-rewards/export"
	"github.com/cmt-rewards/cmt-rewards/follower"
	"github.com/cmt-rewards/cmt-rewards/ledger"
	"github.com/cmt-rewards/cmt-rewards/settle"
)

// Net is a running chain with the validator contract.
type Net struct {
	Chain    *devchain.Chain
	Signers  []*ecdsa.PrivateKey // also the contract's first validators
	Users    []*ecdsa.PrivateKey // funded delegators
	Contract common.Address
	Deployed uint64 // block of the deployment
}

// Options shape a Net; zero values give 3 signers, 2 users, Clique epoch 50.
type Options struct {
	Signers     int
	Users       int
	CliqueEpoch uint64
	GenesisTime uint64
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
	n := &Net{}
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
	c, err := devchain.New(devchain.Config{Signers: n.Signers, HTTP: true, Epoch: o.CliqueEpoch, Alloc: alloc, GenesisTime: o.GenesisTime})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	n.Chain = c
	var vals []common.Address
	for _, k := range n.Signers {
		vals = append(vals, Addr(k))
	}
	args := contracts.NewValidatorSet().PackConstructor(vals, big.NewInt(1))
	addr, rcpt, err := c.Deploy(context.Background(), n.Users[0], append(common.FromHex(contracts.ValidatorSetMetaData.Bin), args...))
	if err != nil {
		t.Fatal(err)
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

// DirectVoter implements settle.Voter straight through the contract on the
// embedded chain: a plain transaction, mined at once. (rewardd uses the
// submitter, which adds persistence, fee bumping and confirmations; this
// keeps state machine tests about the state machine.)
type DirectVoter struct {
	Net   *Net
	Key   *ecdsa.PrivateKey
	Votes int // votes sent
}

// Call runs a read-only contract call at the head.
func (v *DirectVoter) Call(ctx context.Context, data []byte) []byte {
	out, err := v.Net.Chain.Client().CallContract(ctx, ethereum.CallMsg{To: &v.Net.Contract, Data: data}, nil)
	if err != nil {
		panic(err)
	}
	return out
}

func (v *DirectVoter) NextEpoch(ctx context.Context) (uint64, error) {
	vs := contracts.NewValidatorSet()
	next, err := vs.UnpackNextEpoch(v.Call(ctx, vs.PackNextEpoch()))
	if err != nil {
		return 0, err
	}
	return next.Uint64(), nil
}

func (v *DirectVoter) Vote(ctx context.Context, vote settle.Vote) (settle.Outcome, error) {
	vs := contracts.NewValidatorSet()
	next, _ := v.NextEpoch(ctx)
	if next > vote.Epoch {
		got, err := vs.UnpackEpochRoot(v.Call(ctx, vs.PackEpochRoot(new(big.Int).SetUint64(vote.Epoch))))
		if err != nil {
			return settle.Outcome{}, err
		}
		acc := &settle.Vote{Epoch: vote.Epoch, Root: got.Root, Total: got.Total, ResultHash: got.ResultHash}
		if acc.Root == vote.Root && acc.Total.Cmp(vote.Total) == 0 && acc.ResultHash == vote.ResultHash {
			return settle.Outcome{Kind: settle.Accepted, Accepted: acc}, nil
		}
		return settle.Outcome{Kind: settle.Disputed, Accepted: acc}, nil
	}
	tx, err := v.Net.Chain.SendTx(ctx, v.Key, &v.Net.Contract, nil, vs.PackSubmitRoot(new(big.Int).SetUint64(vote.Epoch), vote.Root, vote.Total, vote.ResultHash))
	if err != nil {
		return settle.Outcome{}, err
	}
	if _, err := v.Net.Chain.Commit(tx); err != nil {
		return settle.Outcome{}, err
	}
	v.Votes++
	return settle.Outcome{Kind: settle.Voted, TxHash: tx.Hash()}, nil
}

// Settlement is a chain with the contract, funded rewards and two stakes, a
// ledger the follower fills, and a Settler voting through a DirectVoter:
// epochs of 60 blocks (60 s at 1 s per block) from block 1.
type Settlement struct {
	N     *Net
	L     *ledger.Ledger
	F     *follower.Follower
	S     *settle.Settler
	Voter *DirectVoter
	Dir   string
}

// NewSettlement starts one; it is torn down with the test.
func NewSettlement(t testing.TB) *Settlement {
	t.Helper()
	n := New(t, Options{})
	ctx := context.Background()
	// Fund the contract's rewards and stake.
	fund, err := n.Chain.SendTx(ctx, n.Users[1], &n.Contract, new(big.Int).Mul(big.NewInt(1e18), big.NewInt(10000)), nil)
	if err != nil {
		t.Fatal(err)
	}
	n.Commit(t, fund)
	n.Commit(t, n.Stake(t, 0, 0, 3e18))
	n.Commit(t, n.Stake(t, 1, 1, 1e18))
	dir := t.TempDir()
	l, err := ledger.Open(filepath.Join(dir, "ledger.db"), ledger.Identity{ChainID: n.Chain.ChainID().Uint64(), Contract: n.Contract}, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	client, err := rpc.Dial(n.Chain.RPCURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Close)
	f := follower.New(follower.Config{Contract: n.Contract, CliqueEpoch: 50, Confirmations: 2}, client, l, zap.NewNop())
	genesis := n.Chain.HeaderByNumber(0).Time
	p := export.Params{
		ChainID: n.Chain.ChainID().Uint64(), Schedule: epoch.Schedule{Start: genesis + 1, Length: 60},
		Confirmations: 2, CliqueEpoch: 50, Standing: epoch.StandingConfig{Window: 30, Threshold: 5},
		RewardPerBlock: *uint256.NewInt(5e18), ValidatorShareBps: 2000, Eligibility: calc.WhileActive, ForfeitPolicy: calc.Retain,
	}
	voter := &DirectVoter{Net: n, Key: n.Signers[0]}
	s := settle.New(settle.Config{Params: p, PublishDir: filepath.Join(dir, "pub")}, l, voter, zap.NewNop(), nil)
	return &Settlement{N: n, L: l, F: f, S: s, Voter: voter, Dir: dir}
}

// Pass syncs the ledger and runs one settlement pass.
func (fx *Settlement) Pass(t testing.TB) {
	t.Helper()
	if _, err := fx.F.SyncOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := fx.S.Pass(context.Background()); err != nil {
		t.Fatal(err)
	}
}
