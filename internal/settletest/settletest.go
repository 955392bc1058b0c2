// Package settletest builds, for tests, a settlement on the embedded
// chain: the contract with funded rewards and stakes, a ledger the
// follower fills, and a Settler that votes through the contract directly.
package settletest

import (
	"context"
	"crypto/ecdsa"
	"math/big"
	"path/filepath"
	"testing"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/holiman/uint256"
	"go.uber.org/zap"

	"github.com/cmt-rewards/cmt-rewards/calc"
	"github.com/cmt-rewards/cmt-rewards/contracts"
	"github.com/cmt-rewards/cmt-rewards/epoch"
	"github.com/cmt-rewards/cmt-rewards/export"
	"github.com/cmt-rewards/cmt-rewards/follower"
	"github.com/cmt-rewards/cmt-rewards/internal/testnet"
	"github.com/cmt-rewards/cmt-rewards/ledger"
	"github.com/cmt-rewards/cmt-rewards/settle"
)

// DirectVoter implements settle.Voter straight through the contract on the
// embedded chain: a plain transaction, mined at once. (rewardd uses the
// submitter, which adds persistence, fee bumping and confirmations; this
// keeps state machine tests about the state machine.)
type DirectVoter struct {
	Net   *testnet.Net
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
	N     *testnet.Net
	L     *ledger.Ledger
	F     *follower.Follower
	S     *settle.Settler
	Voter *DirectVoter
	Dir   string
}

// NewSettlement starts one; it is torn down with the test.
func NewSettlement(t testing.TB) *Settlement {
	t.Helper()
	n := testnet.New(t, testnet.Options{})
	// Fund the contract's rewards and stake.
	n.Fund(t, 10000)
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
