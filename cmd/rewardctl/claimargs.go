package main

// What proof and claim share: the source flag, the epoch to claim against
// (the latest accepted by default), and the check that its root is the
// contract's current root, the only one claims verify against.

import (
	"context"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/holiman/uint256"

	"github.com/cmt-rewards/cmt-rewards/audit"
	"github.com/cmt-rewards/cmt-rewards/calc"
	"github.com/cmt-rewards/cmt-rewards/published"
)

// newSource parses --source.
func newSource(loc string) (published.Source, error) {
	s, err := published.NewSource(loc)
	if err != nil {
		return published.Source{}, fmt.Errorf("%w: --source %v", errUsage, err)
	}
	return s, nil
}

// claimEpoch is the epoch given with --epoch (k ≥ 0), or else the latest
// accepted one: from the contract when there is one (c != nil), else from
// rewardd's API at src. It tells on stderr which epoch it chose and why.
func claimEpoch(ctx context.Context, e *env, cmd string, k int64, c *audit.Contract, src published.Source) (uint64, error) {
	if k >= 0 {
		return uint64(k), nil
	}
	var (
		latest uint64
		ok     bool
		from   string
		err    error
	)
	switch {
	case c != nil:
		latest, ok, err = c.LatestAccepted(ctx)
		from = "the contract"
	case src.IsAPI():
		latest, ok, err = src.LatestAccepted(ctx)
		from = "rewardd at " + src.String()
	default:
		return 0, fmt.Errorf("%w: --epoch is required with a publish directory as --source, which does not record which epochs the contract accepted "+
			"(or give --rpc and --contract to read the latest accepted epoch from the chain)", errUsage)
	}
	if err != nil {
		return 0, fmt.Errorf("latest accepted epoch: %w", err)
	}
	if !ok {
		return 0, fmt.Errorf("no epoch is accepted yet (according to %s): nothing to claim", from)
	}
	fmt.Fprintf(e.stderr, "rewardctl %s: epoch %d, the latest accepted according to %s\n", cmd, latest, from)
	return latest, nil
}

// claimArgs are account's claim arguments against res's root; ok is false
// when the account has no leaf.
func claimArgs(res *calc.Result, account common.Address) (cumulative *uint256.Int, proof []common.Hash, ok bool) {
	i, ok := res.Tree.Lookup(account)
	if !ok {
		return nil, nil, false
	}
	return &res.Payouts[i].Cumulative, res.Tree.ProofAt(i), true
}

// notCurrent says why a proof against epoch k's root cannot be claimed
// now, or returns nil when the root is the contract's current root.
func notCurrent(ctx context.Context, c *audit.Contract, k uint64, root common.Hash) error {
	current, err := c.CurrentRoot(ctx)
	if err != nil {
		return fmt.Errorf("read the current root: %w", err)
	}
	if current == root {
		return nil
	}
	latest, ok, err := c.LatestAccepted(ctx)
	switch {
	case err != nil:
		return fmt.Errorf("read the latest accepted epoch: %w", err)
	case !ok:
		return fmt.Errorf("epoch %d's root %s cannot be claimed: the contract has accepted no epoch yet", k, root.Hex())
	case k > latest:
		return fmt.Errorf("epoch %d's root %s is not accepted yet: the contract's current root is %s, epoch %d's; claim against epoch %d (leave --epoch out)",
			k, root.Hex(), current.Hex(), latest, latest)
	}
	return fmt.Errorf("epoch %d's root %s is not the contract's current root %s, which is epoch %d's, the latest accepted: claims verify only against it; claim against epoch %d (leave --epoch out)",
		k, root.Hex(), current.Hex(), latest, latest)
}

// notLatestOnAPI is notCurrent without a chain: what rewardd's API says
// the latest accepted epoch is. It returns nil when k is that epoch, or
// when the source is a directory, which cannot tell.
func notLatestOnAPI(ctx context.Context, src published.Source, k uint64) error {
	if !src.IsAPI() {
		return nil
	}
	latest, ok, err := src.LatestAccepted(ctx)
	switch {
	case err != nil:
		return fmt.Errorf("cannot tell whether epoch %d is the latest accepted: %w", k, err)
	case !ok:
		return fmt.Errorf("rewardd at %s reports no accepted epoch: a claim against epoch %d reverts until it is accepted", src, k)
	case k != latest:
		return fmt.Errorf("epoch %d is not the latest accepted epoch, %d (according to rewardd at %s): the contract verifies claims only against epoch %d's root; "+
			"a claim with this proof reverts InvalidProof (leave --epoch out for epoch %d's)", k, latest, src, latest, latest)
	}
	return nil
}
