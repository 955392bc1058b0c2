package settle_test

import (
	"bytes"
	"context"
	"math/big"
	"os"
	"path/filepath"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

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
		if r.State != settle.StateConfirmed || !r.Accepted || r.Error != "" {
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
	// Another validator gets a different root accepted for epoch 0 first.
	vs := contracts.NewValidatorSet()
	tx, err := fx.N.Chain.SendTx(ctx, fx.N.Signers[1], &fx.N.Contract, nil, vs.PackSubmitRoot(big.NewInt(0), common.Hash{1}, big.NewInt(0), common.Hash{2}))
	if err != nil {
		t.Fatal(err)
	}
	fx.N.Commit(t, tx)
	if _, err := fx.F.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	err = fx.S.Pass(ctx)
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
