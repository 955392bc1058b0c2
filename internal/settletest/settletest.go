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
	Net *testnet.Net
	Key *ecdsa.PrivateKey
	// Peers vote the same root right after Key, standing in for the other
	// honest validators' daemons, so that a majority accepts it.
	Peers []*ecdsa.PrivateKey
	Votes int // votes sent by Key
}

// Call runs a read-only contract call at the head.
func (v *DirectVoter) Call(ctx context.Context, data []byte) []byte {
	out, err := v.Net.Chain.Client().CallContract(ctx, ethereum.CallMsg{From: testnet.Addr(v.Key), To: &v.Net.Contract, Data: data}, nil)
	if err != nil {
		panic(err)
	}
	return out
}

// Chain implements settle.Voter, at the head, with contracts.Reader.
func (v *DirectVoter) Chain(ctx context.Context, k uint64) (settle.ChainView, error) {
	r := contracts.NewReader(func(ctx context.Context, data []byte, block *big.Int) ([]byte, error) {
		return v.Net.Chain.Client().CallContract(ctx, ethereum.CallMsg{From: testnet.Addr(v.Key), To: &v.Net.Contract, Data: data}, block)
	})
	next, err := r.NextEpoch(ctx, nil)
	if err != nil {
		return settle.ChainView{}, err
	}
	view := settle.ChainView{NextEpoch: next}
	if next > k {
		acc, err := r.EpochRoot(ctx, nil, k)
		if err != nil {
			return view, err
		}
		view.Accepted = acc
	}
	ours, err := r.VoteOf(ctx, nil, k, testnet.Addr(v.Key))
	if err != nil {
		return view, err
	}
	view.Ours = ours
	claimed, err := r.TotalClaimed(ctx, nil)
	if err != nil {
		return view, err
	}
	funds, err := r.RewardFunds(ctx, nil)
	if err != nil {
		return view, err
	}
	view.Available = new(big.Int).Add(claimed, funds)
	return view, nil
}

// Vote implements settle.Voter: Key votes, then every peer votes the same.
func (v *DirectVoter) Vote(ctx context.Context, vote settle.Vote) (settle.Outcome, error) {
	view, err := v.Chain(ctx, vote.Epoch)
	if err != nil {
		return settle.Outcome{}, err
	}
	switch {
	case view.Accepted != nil && view.Accepted.Equal(&vote):
		return settle.Outcome{Kind: settle.Accepted, Accepted: view.Accepted}, nil
	case view.Accepted != nil:
		return settle.Outcome{Kind: settle.Disputed, Accepted: view.Accepted}, nil
	case view.Ours.Equal(&vote):
		return settle.Outcome{Kind: settle.Voted}, nil
	}
	data := contracts.NewValidatorSet().PackSubmitRoot(new(big.Int).SetUint64(vote.Epoch), vote.Root, vote.Total, vote.ResultHash)
	tx, err := v.Net.Chain.SendTx(ctx, v.Key, &v.Net.Contract, nil, data)
	if err != nil {
		return settle.Outcome{}, err
	}
	if _, err := v.Net.Chain.Commit(tx); err != nil {
		return settle.Outcome{}, err
	}
	v.Votes++
	for _, p := range v.Peers {
		if ptx, err := v.Net.Chain.SendTx(ctx, p, &v.Net.Contract, nil, data); err == nil {
			v.Net.Chain.Commit(ptx)
		}
	}
	return settle.Outcome{Kind: settle.Voted, TxHash: tx.Hash()}, nil
}

// Settlement is a chain with the contract (funded by block awards) and two
// stakes, a ledger the follower fills, and a Settler voting through a
// DirectVoter with one peer (2 of 3 validators):
// epochs of 60 blocks (60 s at 1 s per block) from block 1.
type Settlement struct {
	N      *testnet.Net
	L      *ledger.Ledger
	F      *follower.Follower
	S      *settle.Settler
	Voter  *DirectVoter
	Dir    string
	Params export.Params // the Settler's, for a second Settler on the same ledger
}

// NewSettlement starts one; it is torn down with the test.
func NewSettlement(t testing.TB) *Settlement { return NewSettlementWith(t, true) }

// NewSettlementWith is NewSettlement, without the two stakes if stakes is
// false (nobody earns: every epoch's tree is empty).
func NewSettlementWith(t testing.TB, stakes bool) *Settlement {
	t.Helper()
	n := testnet.New(t, testnet.Options{}) // block awards fund the contract
	if stakes {
		n.Commit(t, n.Stake(t, 0, 0, 3e18))
		n.Commit(t, n.Stake(t, 1, 1, 1e18))
	}
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
	voter := &DirectVoter{Net: n, Key: n.Signers[0], Peers: n.Signers[1:2]} // 2 of 3: a majority
	s := settle.New(settle.Config{Params: p, PublishDir: filepath.Join(dir, "pub")}, l, voter, zap.NewNop(), nil)
	return &Settlement{N: n, L: l, F: f, S: s, Voter: voter, Dir: dir, Params: p}
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
