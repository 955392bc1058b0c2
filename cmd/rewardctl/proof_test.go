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
	for _, args := range [][]string{
		{"--address", user.Hex()}, // a directory does not say which epoch is the latest accepted
		{"--epoch", "1"},
		{"--epoch", "1", "--address", "0xnope"},
		{"--epoch", "1", "--address", user.Hex(), "--rpc", n.Chain.RPCURL()},
	} {
		if code, _, stderr := runCmd(t, append([]string{"proof", "--source", s.pub}, args...)...); code != exitUsage || !strings.Contains(stderr, "--") {
			t.Errorf("%v: exit %d: %s", args, code, stderr)
		}
	}
}

// TestProofEpoch: without --epoch, proof uses the latest accepted epoch,
// from the contract or from rewardd's API, and says so; a proof of an
// older epoch is printed with a warning that it cannot be claimed, naming
// the epochs and the full roots.
func TestProofEpoch(t *testing.T) {
	t.Parallel()
	s := newSettled(t)
	n := s.fx.N
	user := testnet.Addr(n.Users[0]).Hex()
	api := s.apiServer(t)
	chain := []string{"--rpc", n.Chain.RPCURL(), "--contract", n.Contract.Hex()}
	rec0, _ := s.fx.S.Record(0)
	rec1, _ := s.fx.S.Record(1)
	for _, tc := range []struct {
		name       string
		args       []string
		wantEpoch  string
		wantStderr []string
	}{
		{"latest from the API", []string{"--source", api}, `"epoch": 1,`,
			[]string{"epoch 1, the latest accepted according to rewardd at " + api}},
		{"latest from the chain", append([]string{"--source", s.pub}, chain...), `"epoch": 1,`,
			[]string{"epoch 1, the latest accepted according to the contract"}},
		{"old epoch, API", []string{"--source", api, "--epoch", "0"}, `"epoch": 0,`,
			[]string{"warning: epoch 0 is not the latest accepted epoch, 1"}},
		{"old epoch, chain", append([]string{"--source", s.pub, "--epoch", "0"}, chain...), `"epoch": 0,`,
			[]string{"warning: epoch 0's root " + rec0.Root.Hex() + " is not the contract's current root " + rec1.Root.Hex() + ", which is epoch 1's", "leave --epoch out"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, append([]string{"proof", "--address", user}, tc.args...)...)
			if code != 0 || !strings.Contains(stdout, tc.wantEpoch) {
				t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
			}
			for _, w := range tc.wantStderr {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q lacks %q", stderr, w)
				}
			}
		})
	}
}
