package main

// rewardctl proof: an account's claim arguments from a published result.

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/cmt-rewards/cmt-rewards/calc/merkle"
	"github.com/cmt-rewards/cmt-rewards/contracts"
)

// proofOutput is what proof prints: the arguments of the contract's
// claim(account, cumulative, proof) against the epoch's root.
type proofOutput struct {
	Epoch      uint64        `json:"epoch"`
	Account    string        `json:"account"` // EIP-55
	Cumulative string        `json:"cumulative_wei"`
	Proof      []common.Hash `json:"proof"`
	MerkleRoot common.Hash   `json:"merkle_root"`
	Calldata   hexutil.Bytes `json:"calldata,omitempty"`
}

func runProof(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "proof", "--epoch N --address ACCOUNT [--source DIR|URL] [--calldata]")
	k := fs.Int64("epoch", -1, "epoch whose published result (and root) to claim against")
	address := fs.String("address", "", "the account to claim for")
	src := fs.String("source", defaultSource, "published epochs: rewardd's publish directory, or its API base URL")
	withCalldata := fs.Bool("calldata", false, "also print the ABI-encoded claim(account, cumulative, proof) calldata")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *k < 0 {
		return fmt.Errorf("%w: --epoch is required (a number ≥ 0)", errUsage)
	}
	if *address == "" {
		return fmt.Errorf("%w: --address is required", errUsage)
	}
	acc, err := parseAddress("--address", *address)
	if err != nil {
		return err
	}
	s, err := newSource(*src)
	if err != nil {
		return err
	}
	n := uint64(*k)
	res, err := s.result(ctx, n)
	if err != nil {
		return err
	}
	i, ok := res.Tree.Lookup(acc)
	if !ok {
		return fmt.Errorf("%s has no leaf in epoch %d's tree (%s): nothing to claim", acc.Hex(), n, s.resultLoc(n))
	}
	p := &res.Payouts[i]
	proof := res.Tree.ProofAt(i)
	if !merkle.Verify(res.MerkleRoot, acc, &p.Cumulative, proof) {
		return fmt.Errorf("internal error: the proof of %s does not verify against epoch %d's root", acc.Hex(), n)
	}
	out := proofOutput{Epoch: n, Account: acc.Hex(), Cumulative: p.Cumulative.Dec(), Proof: proof, MerkleRoot: res.MerkleRoot}
	if *withCalldata {
		p32 := make([][32]byte, len(proof))
		for j := range proof {
			p32[j] = proof[j]
		}
		out.Calldata = contracts.NewValidatorSet().PackClaim(acc, p.Cumulative.ToBig(), p32)
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(append(b, '\n'))
	return err
}
