package main

import (
	"context"
	"encoding/json"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/holiman/uint256"

	"github.com/cmt-rewards/cmt-rewards/calc/merkle"
	"github.com/cmt-rewards/cmt-rewards/internal/testnet"
)

// TestProofClaims claims on the contract with the calldata proof prints:
// the account is paid exactly its cumulative amount.
func TestProofClaims(t *testing.T) {
	t.Parallel()
	s := newSettled(t)
	n := s.fx.N
	ctx := context.Background()
	user := testnet.Addr(n.Users[0])

	code, stdout, stderr := runCmd(t, "proof", "--epoch", "1", "--address", strings.ToLower(user.Hex()), "--source", s.pub, "--calldata")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	var p struct {
		Epoch      uint64        `json:"epoch"`
		Account    string        `json:"account"`
		Cumulative string        `json:"cumulative_wei"`
		Proof      []common.Hash `json:"proof"`
		MerkleRoot common.Hash   `json:"merkle_root"`
		Calldata   string        `json:"calldata"`
	}
	if err := json.Unmarshal([]byte(stdout), &p); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	rec, _ := s.fx.S.Record(1)
	cum, err := uint256.FromDecimal(p.Cumulative)
	if err != nil || p.Epoch != 1 || p.Account != user.Hex() || p.MerkleRoot != rec.Root || !merkle.Verify(p.MerkleRoot, user, cum, p.Proof) ||
		!strings.HasPrefix(p.Calldata, "0x") {
		t.Fatalf("proof %+v (%v)", p, err)
	}

	// The API source gives the same claim arguments.
	code, apiOut, stderr := runCmd(t, "proof", "--epoch", "1", "--address", user.Hex(), "--source", s.apiServer(t)+"/", "--calldata")
	if code != 0 || apiOut != stdout {
		t.Fatalf("API source: exit %d: %s\n%s\nwant\n%s", code, stderr, apiOut, stdout)
	}

	before, _ := n.Chain.Client().BalanceAt(ctx, user, nil)
	tx, err := n.Chain.SendTx(ctx, n.Users[1], &n.Contract, nil, common.FromHex(p.Calldata))
	if err != nil {
		t.Fatal(err)
	}
	n.Commit(t, tx)
	rcpt, err := n.Chain.Client().TransactionReceipt(ctx, tx.Hash())
	if err != nil || rcpt.Status != 1 {
		t.Fatalf("claim failed: %v %+v", err, rcpt)
	}
	after, _ := n.Chain.Client().BalanceAt(ctx, user, nil)
	if got := new(big.Int).Sub(after, before); got.Cmp(cum.ToBig()) != 0 {
		t.Fatalf("claim paid %s, want %s", got, p.Cumulative)
	}

	// Without --calldata there is none.
	if _, out, _ := runCmd(t, "proof", "--epoch", "1", "--address", user.Hex(), "--source", s.pub); strings.Contains(out, "calldata") {
		t.Errorf("calldata without --calldata:\n%s", out)
	}
	// An account without a leaf.
	code, _, stderr = runCmd(t, "proof", "--epoch", "1", "--address", "0x000000000000000000000000000000000000dEaD", "--source", s.pub)
	if code != 1 || !strings.Contains(stderr, "0x000000000000000000000000000000000000dEaD has no leaf in epoch 1") {
		t.Fatalf("no leaf: exit %d: %s", code, stderr)
	}
	// An epoch not published.
	code, _, stderr = runCmd(t, "proof", "--epoch", "5", "--address", user.Hex(), "--source", s.pub)
	if code != 1 || !strings.Contains(stderr, "epoch-000005-result.json") {
		t.Fatalf("unpublished: exit %d: %s", code, stderr)
	}
	for _, args := range [][]string{{"--address", user.Hex()}, {"--epoch", "1"}, {"--epoch", "1", "--address", "0xnope"}} {
		if code, _, stderr := runCmd(t, append([]string{"proof", "--source", s.pub}, args...)...); code != 2 || !strings.Contains(stderr, "--") {
			t.Errorf("%v: exit %d: %s", args, code, stderr)
		}
	}
}
