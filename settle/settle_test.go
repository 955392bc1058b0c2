package settle

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"math/big"
	"os"
	"path/filepath"
	"testing"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/holiman/uint256"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/cmt-rewards/cmt-rewards/calc"
	"github.com/cmt-rewards/cmt-rewards/contracts"
	"github.com/cmt-rewards/cmt-rewards/devchain"
	"github.com/cmt-rewards/cmt-rewards/epoch"
	"github.com/cmt-rewards/cmt-rewards/export"
	"github.com/cmt-rewards/cmt-rewards/follower"
	"github.com/cmt-rewards/cmt-rewards/internal/testnet"
	"github.com/cmt-rewards/cmt-rewards/ledger"
)

// chainVoter votes straight through the contract on the embedded chain: a
// plain transaction, mined at once. (rewardd uses the submitter, which adds
// persistence, fee bumping and confirmations; this keeps the state machine
// test about the state machine.)
type chainVoter struct {
	n     *testnet.Net
	key   *ecdsa.PrivateKey
	votes int
}

func (v *chainVoter) call(ctx context.Context, data []byte) []byte {
	out, err := v.n.Chain.Client().CallContract(ctx, ethereum.CallMsg{To: &v.n.Contract, Data: data}, nil)
	if err != nil {
		panic(err)
	}
	return out
}

func (v *chainVoter) NextEpoch(ctx context.Context) (uint64, error) {
	vs := contracts.NewValidatorSet()
	next, err := vs.UnpackNextEpoch(v.call(ctx, vs.PackNextEpoch()))
	if err != nil {
		return 0, err
	}
	return next.Uint64(), nil
}

func (v *chainVoter) Vote(ctx context.Context, vote Vote) (Outcome, error) {
	vs := contracts.NewValidatorSet()
	next, _ := v.NextEpoch(ctx)
	if next > vote.Epoch {
		got, err := vs.UnpackEpochRoot(v.call(ctx, vs.PackEpochRoot(new(big.Int).SetUint64(vote.Epoch))))
		if err != nil {
			return Outcome{}, err
		}
		acc := &Vote{Epoch: vote.Epoch, Root: got.Root, Total: got.Total, ResultHash: got.ResultHash}
		if acc.Root == vote.Root && acc.Total.Cmp(vote.Total) == 0 && acc.ResultHash == vote.ResultHash {
			return Outcome{Kind: Accepted, Accepted: acc}, nil
		}
		return Outcome{Kind: Disputed, Accepted: acc}, nil
	}
	tx, err := v.n.Chain.SendTx(ctx, v.key, &v.n.Contract, nil, vs.PackSubmitRoot(new(big.Int).SetUint64(vote.Epoch), vote.Root, vote.Total, vote.ResultHash))
	if err != nil {
		return Outcome{}, err
	}
	if _, err := v.n.Chain.Commit(tx); err != nil {
		return Outcome{}, err
	}
	v.votes++
	return Outcome{Kind: Voted, TxHash: tx.Hash()}, nil
}

type fixture struct {
	n     *testnet.Net
	l     *ledger.Ledger
	f     *follower.Follower
	s     *Settler
	voter *chainVoter
	dir   string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	n := testnet.New(t, testnet.Options{})
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
	voter := &chainVoter{n: n, key: n.Signers[0]}
	s := New(Config{Params: p, PublishDir: filepath.Join(dir, "pub")}, l, voter, zaptest.NewLogger(t), nil)
	return &fixture{n: n, l: l, f: f, s: s, voter: voter, dir: dir}
}

func (fx *fixture) pass(t *testing.T) {
	t.Helper()
	if _, err := fx.f.SyncOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := fx.s.Pass(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestSettleEpochs(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	ctx := context.Background()
	if err := fx.n.Chain.Run(ctx, []devchain.Step{{Blocks: 70}, {Blocks: 30, Offline: []int{2}}, {Blocks: 40}}); err != nil {
		t.Fatal(err)
	}
	fx.pass(t)
	fx.pass(t) // a doubled trigger changes nothing
	recs, err := fx.s.Records()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || fx.voter.votes != 2 {
		t.Fatalf("%d records, %d votes; want 2 and 2: %+v", len(recs), fx.voter.votes, recs)
	}
	for _, r := range recs {
		if r.State != StateConfirmed || !r.Accepted || r.Error != "" {
			t.Fatalf("epoch %d: %+v", r.Epoch, r)
		}
		_, _, _, result := FileNames(r.Epoch)
		b, err := os.ReadFile(filepath.Join(fx.dir, "pub", result))
		if err != nil {
			t.Fatal(err)
		}
		if crypto.Keccak256Hash(b) != r.ResultHash {
			t.Fatalf("epoch %d: published file does not hash to the voted hash", r.Epoch)
		}
		vs := contracts.NewValidatorSet()
		got, _ := vs.UnpackEpochRoot(fx.voter.call(ctx, vs.PackEpochRoot(new(big.Int).SetUint64(r.Epoch))))
		if got.Root != r.Root || got.ResultHash != r.ResultHash || got.Total.String() != r.Total {
			t.Fatalf("epoch %d: chain has %x/%s/%x, record %+v", r.Epoch, got.Root, got.Total, got.ResultHash, r)
		}
	}
	// Epoch 1 saw signer 2 offline; its validator is not paid for it.
	res, err := fx.s.Result(1)
	if err != nil {
		t.Fatal(err)
	}
	offline := testnet.Addr(fx.n.Signers[2])
	for _, v := range res.Validators {
		if v.Validator == offline && v.Eligible {
			t.Error("offline validator eligible in epoch 1")
		}
	}
	// A delegator claims epoch 1's cumulative with the published proof.
	user := testnet.Addr(fx.n.Users[0])
	proof, err := res.Tree.Proof(user)
	if err != nil {
		t.Fatal(err)
	}
	i, _ := res.Tree.Lookup(user)
	cum := res.Tree.Leaf(i).Cumulative
	before, _ := fx.n.Chain.Client().BalanceAt(ctx, user, nil)
	var p32 [][32]byte
	for _, h := range proof {
		p32 = append(p32, h)
	}
	tx, err := fx.n.Chain.SendTx(ctx, fx.n.Users[1], &fx.n.Contract, nil, contracts.NewValidatorSet().PackClaim(user, cum.ToBig(), p32))
	if err != nil {
		t.Fatal(err)
	}
	fx.n.Commit(t, tx)
	after, _ := fx.n.Chain.Client().BalanceAt(ctx, user, nil)
	if new(big.Int).Sub(after, before).Cmp(cum.ToBig()) != 0 {
		t.Fatalf("claim paid %s, want %s", new(big.Int).Sub(after, before), cum.Dec())
	}
	// The proofs file carries the same proof.
	_, _, proofsName, _ := FileNames(1)
	pf, _ := os.ReadFile(filepath.Join(fx.dir, "pub", proofsName))
	if !bytes.Contains(pf, []byte(proof[0].Hex())) {
		t.Error("proofs file lacks the proof")
	}
}

func TestSettleDisputed(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	ctx := context.Background()
	fx.n.Mine(t, 70)
	// Another validator gets a different root accepted for epoch 0 first.
	vs := contracts.NewValidatorSet()
	tx, err := fx.n.Chain.SendTx(ctx, fx.n.Signers[1], &fx.n.Contract, nil, vs.PackSubmitRoot(big.NewInt(0), common.Hash{1}, big.NewInt(0), common.Hash{2}))
	if err != nil {
		t.Fatal(err)
	}
	fx.n.Commit(t, tx)
	if _, err := fx.f.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	err = fx.s.Pass(ctx)
	if err == nil || !bytesContains(err.Error(), "epoch disputed") {
		t.Fatalf("pass: %v", err)
	}
	rec, _ := fx.s.Record(0)
	if rec.State != StateDisputed || rec.ChainRoot != (common.Hash{1}) || fx.voter.votes != 0 {
		t.Fatalf("record %+v, votes %d", rec, fx.voter.votes)
	}
	// Later passes do not vote either.
	if err := fx.s.Pass(ctx); err == nil || fx.voter.votes != 0 {
		t.Fatalf("second pass: %v, votes %d", err, fx.voter.votes)
	}
}

func bytesContains(s, sub string) bool { return bytes.Contains([]byte(s), []byte(sub)) }
