package settle_test

import (
	"bytes"
	"context"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"go.uber.org/zap"

	"github.com/cmt-rewards/cmt-rewards/contracts"
	"github.com/cmt-rewards/cmt-rewards/devchain"
	"github.com/cmt-rewards/cmt-rewards/internal/settletest"
	"github.com/cmt-rewards/cmt-rewards/internal/testnet"
	"github.com/cmt-rewards/cmt-rewards/settle"
)

func newFixture(t *testing.T) *settletest.Settlement { return settletest.NewSettlement(t) }

func TestSettleEpochs(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	ctx := context.Background()
	if err := fx.N.Chain.Run(ctx, []devchain.Step{{Blocks: 70}, {Blocks: 30, Offline: []int{2}}, {Blocks: 40}}); err != nil {
		t.Fatal(err)
	}
	fx.Pass(t)
	fx.Pass(t) // a doubled trigger changes nothing
	recs, err := fx.S.Records()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || fx.Voter.Votes != 2 {
		t.Fatalf("%d records, %d votes; want 2 and 2: %+v", len(recs), fx.Voter.Votes, recs)
	}
	for _, r := range recs {
		if r.State != settle.StateAccepted || !r.Accepted || r.Error != "" {
			t.Fatalf("epoch %d: %+v", r.Epoch, r)
		}
		_, _, _, result := settle.FileNames(r.Epoch)
		b, err := os.ReadFile(filepath.Join(fx.Dir, "pub", result))
		if err != nil {
			t.Fatal(err)
		}
		if crypto.Keccak256Hash(b) != r.ResultHash {
			t.Fatalf("epoch %d: published file does not hash to the voted hash", r.Epoch)
		}
		vs := contracts.NewValidatorSet()
		got, _ := vs.UnpackEpochRoot(fx.Voter.Call(ctx, vs.PackEpochRoot(new(big.Int).SetUint64(r.Epoch))))
		if got.Root != r.Root || got.ResultHash != r.ResultHash || got.Total.String() != r.Total {
			t.Fatalf("epoch %d: chain has %x/%s/%x, record %+v", r.Epoch, got.Root, got.Total, got.ResultHash, r)
		}
	}
	// Epoch 1 saw signer 2 offline; its validator is not paid for it.
	res, err := fx.S.Result(1)
	if err != nil {
		t.Fatal(err)
	}
	offline := testnet.Addr(fx.N.Signers[2])
	for _, v := range res.Validators {
		if v.Validator == offline && v.Eligible {
			t.Error("offline validator eligible in epoch 1")
		}
	}
	// A delegator claims epoch 1's cumulative with the published proof.
	user := testnet.Addr(fx.N.Users[0])
	proof, err := res.Tree.Proof(user)
	if err != nil {
		t.Fatal(err)
	}
	i, _ := res.Tree.Lookup(user)
	cum := res.Tree.Leaf(i).Cumulative
	before, _ := fx.N.Chain.Client().BalanceAt(ctx, user, nil)
	var p32 [][32]byte
	for _, h := range proof {
		p32 = append(p32, h)
	}
	tx, err := fx.N.Chain.SendTx(ctx, fx.N.Users[1], &fx.N.Contract, nil, contracts.NewValidatorSet().PackClaim(user, cum.ToBig(), p32))
	if err != nil {
		t.Fatal(err)
	}
	fx.N.Commit(t, tx)
	after, _ := fx.N.Chain.Client().BalanceAt(ctx, user, nil)
	if new(big.Int).Sub(after, before).Cmp(cum.ToBig()) != 0 {
		t.Fatalf("claim paid %s, want %s", new(big.Int).Sub(after, before), cum.Dec())
	}
	// The proofs file carries the same proof.
	_, _, proofsName, _ := settle.FileNames(1)
	pf, _ := os.ReadFile(filepath.Join(fx.Dir, "pub", proofsName))
	if !bytes.Contains(pf, []byte(proof[0].Hex())) {
		t.Error("proofs file lacks the proof")
	}
}

func TestSettleDisputed(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	ctx := context.Background()
	fx.N.Mine(t, 70)
	// The two other validators, a majority, get a different root accepted
	// for epoch 0 first.
	vs := contracts.NewValidatorSet()
	for _, k := range fx.N.Signers[1:] {
		tx, err := fx.N.Chain.SendTx(ctx, k, &fx.N.Contract, nil, vs.PackSubmitRoot(big.NewInt(0), common.Hash{1}, big.NewInt(0), common.Hash{2}))
		if err != nil {
			t.Fatal(err)
		}
		fx.N.Commit(t, tx)
	}
	if _, err := fx.F.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	err := fx.S.Pass(ctx)
	if err == nil || !bytesContains(err.Error(), "epoch disputed") {
		t.Fatalf("pass: %v", err)
	}
	rec, _ := fx.S.Record(0)
	if rec.State != settle.StateDisputed || rec.ChainRoot != (common.Hash{1}) || fx.Voter.Votes != 0 {
		t.Fatalf("record %+v, votes %d", rec, fx.Voter.Votes)
	}
	// Later passes do not vote either.
	if err := fx.S.Pass(ctx); err == nil || fx.Voter.Votes != 0 {
		t.Fatalf("second pass: %v, votes %d", err, fx.Voter.Votes)
	}
}

func bytesContains(s, sub string) bool { return bytes.Contains([]byte(s), []byte(sub)) }

// gateVoter fails every vote until opened, so that a test can hold an
// epoch between compute and vote.
type gateVoter struct {
	*settletest.DirectVoter
	open bool
}

func (v *gateVoter) Vote(ctx context.Context, vote settle.Vote) (settle.Outcome, error) {
	if !v.open {
		return settle.Outcome{}, errors.New("gate closed")
	}
	return v.DirectVoter.Vote(ctx, vote)
}

// TestReorgAfterCompute: epoch 0 is computed and published from one branch,
// then a reorg deeper than the confirmations replaces its last part (a
// stake of 7 CMT becomes 2 CMT). Before voting, the settler finds the
// epoch's anchor block gone, recomputes from the new branch and votes the
// new root; the old one is never sent.
func TestReorgAfterCompute(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	ctx := context.Background()
	gate := &gateVoter{DirectVoter: fx.Voter}
	s := settle.New(settle.Config{Params: fx.Params, PublishDir: filepath.Join(fx.Dir, "pub")}, fx.L, gate, zap.NewNop(), nil)
	fx.N.Mine(t, 40)
	fork := fx.N.Chain.Head().Number.Uint64() // the branch forks here, inside epoch 0
	fx.N.Commit(t, fx.N.Stake(t, 1, 2, 7e18))
	fx.N.Mine(t, 40) // epoch 0 ends at ~60 and is final
	if _, err := fx.F.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Pass(ctx); err == nil || !strings.Contains(err.Error(), "gate closed") {
		t.Fatalf("pass: %v, want the closed gate", err)
	}
	old, _ := s.Record(0)
	if old == nil || old.State != settle.StateSubmitted || old.AnchorHash == (common.Hash{}) {
		t.Fatalf("record before the reorg: %+v", old)
	}

	// The stake is replaced by a smaller one on a heavier branch.
	nonce, err := fx.N.Chain.Client().NonceAt(ctx, testnet.Addr(fx.N.Users[1]), new(big.Int).SetUint64(fork))
	if err != nil {
		t.Fatal(err)
	}
	depth := int(fx.N.Chain.Head().Number.Uint64() - fork)
	if _, err := fx.N.Chain.Reorg(devchain.Fork{Depth: depth, Length: depth + 4, Txs: []*types.Transaction{fx.N.SignedStake(t, 1, 2, 2e18, nonce)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := fx.F.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	gate.open = true
	if err := s.Pass(ctx); err != nil {
		t.Fatal(err)
	}
	rec, _ := s.Record(0)
	if rec.State != settle.StateAccepted || rec.Root == old.Root || rec.AnchorHash == old.AnchorHash {
		t.Fatalf("record after the reorg: %+v (old root %s)", rec, old.Root.Hex())
	}
	if fx.Voter.Votes != 1 {
		t.Fatalf("%d votes, want 1", fx.Voter.Votes)
	}
	vs := contracts.NewValidatorSet()
	got, _ := vs.UnpackEpochRoot(fx.Voter.Call(ctx, vs.PackEpochRoot(big.NewInt(0))))
	if got.Root != rec.Root {
		t.Fatalf("chain root %x, record %s", got.Root, rec.Root.Hex())
	}
	res, err := s.Result(0)
	if err != nil {
		t.Fatal(err)
	}
	in, err := os.ReadFile(filepath.Join(fx.Dir, "pub", "epoch-000000-input.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(in, []byte(`"amount_wei": "2000000000000000000"`)) || bytes.Contains(in, []byte(`"amount_wei": "7000000000000000000"`)) {
		t.Fatalf("published input is not the new branch's:\n%s", in)
	}
	if res.MerkleRoot != rec.Root {
		t.Fatal("stored result is not the voted one")
	}
}

// TestEmptyTreeHasNoDump: with no stake nobody earns, the tree is empty and
// (rewards-v1 §6, 1.1) no dump is published — a stale one is removed — while
// the result and proofs are, and the all-zero root is accepted.
func TestEmptyTreeHasNoDump(t *testing.T) {
	t.Parallel()
	fx := settletest.NewSettlementWith(t, false)
	_, tree, proofs, result := settle.FileNames(0)
	pub := filepath.Join(fx.Dir, "pub")
	if err := os.MkdirAll(pub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(pub, tree), []byte(`{"format":"standard-v1","tree":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	fx.N.Mine(t, 70)
	fx.Pass(t)
	rec, _ := fx.S.Record(0)
	if rec == nil || rec.State != settle.StateAccepted || rec.Root != (common.Hash{}) || rec.Accounts != 0 {
		t.Fatalf("record %+v", rec)
	}
	if _, err := os.Stat(filepath.Join(pub, tree)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("tree dump of an empty tree: %v", err)
	}
	for _, f := range []string{proofs, result} {
		if _, err := os.Stat(filepath.Join(pub, f)); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range rec.Files {
		if f == tree {
			t.Fatalf("record lists the dump: %v", rec.Files)
		}
	}
}
