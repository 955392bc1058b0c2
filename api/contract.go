package api

import (
	"context"
	"math/big"

	"github.com/ethereum/go-ethereum/common"

	"github.com/cmt-rewards/cmt-rewards/contracts"
)

// ContractReader is what the holders' endpoints read from the validator
// contract that the ledger cannot tell: claims, locked lots, withdrawable
// balances, candidacies, DAO ballots and root votes. Amounts are wei;
// times are unix seconds. Implementations must be safe for concurrent
// use; NewContractReader reads through eth_call at the node's head.
type ContractReader interface {
	Claimed(ctx context.Context, account common.Address) (*big.Int, error)
	Withdrawable(ctx context.Context, delegator common.Address) (*big.Int, error)
	UnlockedStakeOf(ctx context.Context, delegator, validator common.Address) (*big.Int, error)
	// LockedLotsOf returns the still-locked lots, oldest first.
	LockedLotsOf(ctx context.Context, delegator, validator common.Address) ([]Lot, error)
	IsCandidate(ctx context.Context, account common.Address) (bool, error)
	PendingVotes(ctx context.Context, target common.Address) (uint64, error)
	HasVotedOn(ctx context.Context, voter, target common.Address) (bool, error)
	NextEpoch(ctx context.Context) (uint64, error)
	// EpochRoot is the accepted root of epoch k; nil for an epoch not
	// accepted.
	EpochRoot(ctx context.Context, k uint64) (*RootVote, error)
	// VoteOf is validator's counted root vote in epoch k; nil for none.
	VoteOf(ctx context.Context, k uint64, validator common.Address) (*RootVote, error)
}

// Lot is a locked part of a stake.
type Lot struct {
	Amount    string `json:"amount_wei"`
	AmountCMT string `json:"amount_cmt"`
	UnlocksAt uint64 `json:"unlocks_at"` // unix seconds
}

// RootVote is a (root, total, result hash) triple, as voted or accepted.
type RootVote struct {
	Root       common.Hash `json:"root"`
	Total      string      `json:"total_wei"`
	ResultHash common.Hash `json:"result_hash"`
}

// CallFunc runs a read-only call of the contract with calldata data at
// the node's head and returns what it returned.
type CallFunc func(ctx context.Context, data []byte) ([]byte, error)

// NewContractReader reads the contract through call, with
// contracts.Reader, at the node's head.
func NewContractReader(call CallFunc) ContractReader {
	return contractReader{r: contracts.NewReader(func(ctx context.Context, data []byte, _ *big.Int) ([]byte, error) {
		return call(ctx, data)
	})}
}

// contractReader presents contracts.Reader's answers as the API shows them.
type contractReader struct{ r *contracts.Reader }

func (c contractReader) Claimed(ctx context.Context, a common.Address) (*big.Int, error) {
	return c.r.Claimed(ctx, nil, a)
}

func (c contractReader) Withdrawable(ctx context.Context, d common.Address) (*big.Int, error) {
	return c.r.Withdrawable(ctx, nil, d)
}

func (c contractReader) UnlockedStakeOf(ctx context.Context, d, v common.Address) (*big.Int, error) {
	return c.r.UnlockedStakeOf(ctx, nil, d, v)
}

func (c contractReader) LockedLotsOf(ctx context.Context, d, v common.Address) ([]Lot, error) {
	lots, err := c.r.LockedLotsOf(ctx, nil, d, v)
	if err != nil {
		return nil, err
	}
	out := make([]Lot, len(lots))
	for i, l := range lots {
		out[i] = Lot{Amount: l.Amount.String(), AmountCMT: cmtOfBig(l.Amount), UnlocksAt: l.UnlocksAt}
	}
	return out, nil
}

func (c contractReader) IsCandidate(ctx context.Context, a common.Address) (bool, error) {
	return c.r.IsCandidate(ctx, nil, a)
}

func (c contractReader) PendingVotes(ctx context.Context, target common.Address) (uint64, error) {
	return c.r.PendingVotes(ctx, nil, target)
}

func (c contractReader) HasVotedOn(ctx context.Context, voter, target common.Address) (bool, error) {
	return c.r.HasVotedOn(ctx, nil, voter, target)
}

func (c contractReader) NextEpoch(ctx context.Context) (uint64, error) {
	return c.r.NextEpoch(ctx, nil)
}

func (c contractReader) EpochRoot(ctx context.Context, k uint64) (*RootVote, error) {
	v, err := c.r.EpochRoot(ctx, nil, k)
	return rootVote(v), err
}

func (c contractReader) VoteOf(ctx context.Context, k uint64, v common.Address) (*RootVote, error) {
	rv, err := c.r.VoteOf(ctx, nil, k, v)
	return rootVote(rv), err
}

// rootVote presents a vote, nil for none.
func rootVote(v *contracts.Vote) *RootVote {
	if v == nil {
		return nil
	}
	return &RootVote{Root: v.Root, Total: v.Total.String(), ResultHash: v.ResultHash}
}
