package main

// rewardctl proof: an account's claim arguments from a published result.

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/cmt-rewards/cmt-rewards/audit"
	"github.com/cmt-rewards/cmt-rewards/calc/merkle"
	"github.com/cmt-rewards/cmt-rewards/contracts"
	"github.com/cmt-rewards/cmt-rewards/published"
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
	fs := newFlags(e, "proof", "[--epoch N] --address ACCOUNT [--source DIR|URL] [--rpc URL --contract ADDR] [--calldata]", commonExits)
	k := fs.Int64("epoch", -1, "epoch whose published result (and root) to claim against (default: the latest accepted, from --rpc and --contract or from rewardd's API)")
	address := fs.String("address", "", "the account to claim for")
	src := fs.String("source", published.DefaultSource, "published epochs: rewardd's publish directory, or its API base URL")
	rpcURL := fs.String("rpc", "", "JSON-RPC URL of a node, to read the latest accepted epoch and check the root against the contract (with --contract)")
	contract := fs.String("contract", "", "validator contract address (with --rpc)")
	withCalldata := fs.Bool("calldata", false, "also print the ABI-encoded claim(account, cumulative, proof) calldata")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *address == "" {
		return fmt.Errorf("%w: --address is required", errUsage)
	}
	if (*rpcURL == "") != (*contract == "") {
		return fmt.Errorf("%w: --rpc and --contract go together", errUsage)
	}
	acc, err := parseAddress("--address", *address)
	if err != nil {
		return err
	}
	s, err := newSource(*src)
	if err != nil {
		return err
	}
	var c *audit.Contract
	if *rpcURL != "" {
		to, err := parseAddress("--contract", *contract)
		if err != nil {
			return err
		}
		eth, err := ethclient.DialContext(ctx, *rpcURL)
		if err != nil {
			return fmt.Errorf("--rpc %s: %w", *rpcURL, err)
		}
		defer eth.Close()
		c = audit.NewContract(eth, to, *rpcURL, 0)
	}
	n, err := claimEpoch(ctx, e, "proof", *k, c, s)
	if err != nil {
		return err
	}
	res, err := s.Result(ctx, n)
	if err != nil {
		return err
	}
	cum, proof, ok := claimArgs(res, acc)
	if !ok {
		return fmt.Errorf("%s has no leaf in epoch %d's tree (%s): nothing to claim", acc.Hex(), n, s.ResultLoc(n))
	}
	if !merkle.Verify(res.MerkleRoot, acc, cum, proof) {
		return fmt.Errorf("internal error: the proof of %s does not verify against epoch %d's root", acc.Hex(), n)
	}
	// An old epoch's proof is printed (it proves the amount) with a
	// warning that it cannot be claimed.
	var warn error
	if c != nil {
		warn = notCurrent(ctx, c, n, res.MerkleRoot)
	} else {
		warn = notLatestOnAPI(ctx, s, n)
	}
	if warn != nil {
		fmt.Fprintf(e.stderr, "rewardctl proof: warning: %v\n", warn)
	}
	out := proofOutput{Epoch: n, Account: acc.Hex(), Cumulative: cum.Dec(), Proof: proof, MerkleRoot: res.MerkleRoot}
	if *withCalldata {
		out.Calldata = contracts.ClaimCalldata(acc, cum, proof)
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(append(b, '\n'))
	return err
}
