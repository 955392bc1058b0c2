package api

import (
	"context"
	"fmt"
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

// NewContractReader reads the contract through call.
func NewContractReader(call CallFunc) ContractReader {
	return contractReader{call: call, vs: contracts.NewValidatorSet()}
}

type contractReader struct {
	call CallFunc
	vs   *contracts.ValidatorSet
}

// read calls the contract and unpacks the answer, naming the method in
// errors.
func read[T any](ctx context.Context, c contractReader, method string, data []byte, unpack func([]byte) (T, error)) (T, error) {
	var zero T
	out, err := c.call(ctx, data)
	if err != nil {
		return zero, fmt.Errorf("contract %s: %w", method, err)
	}
	v, err := unpack(out)
	if err != nil {
		return zero, fmt.Errorf("contract %s: decode: %w", method, err)
	}
	return v, nil
}

func (c contractReader) Claimed(ctx context.Context, a common.Address) (*big.Int, error) {
	return read(ctx, c, "claimed", c.vs.PackClaimed(a), c.vs.UnpackClaimed)
}

func (c contractReader) Withdrawable(ctx context.Context, d common.Address) (*big.Int, error) {
	return read(ctx, c, "withdrawable", c.vs.PackWithdrawable(d), c.vs.UnpackWithdrawable)
}

func (c contractReader) UnlockedStakeOf(ctx context.Context, d, v common.Address) (*big.Int, error) {
	return read(ctx, c, "unlockedStakeOf", c.vs.PackUnlockedStakeOf(d, v), c.vs.UnpackUnlockedStakeOf)
}

func (c contractReader) LockedLotsOf(ctx context.Context, d, v common.Address) ([]Lot, error) {
	out, err := read(ctx, c, "lockedLotsOf", c.vs.PackLockedLotsOf(d, v), c.vs.UnpackLockedLotsOf)
	if err != nil {
		return nil, err
	}
	if len(out.Amounts) != len(out.UnlocksAt) {
		return nil, fmt.Errorf("contract lockedLotsOf: %d amounts but %d unlock times", len(out.Amounts), len(out.UnlocksAt))
	}
	lots := make([]Lot, len(out.Amounts))
	for i, a := range out.Amounts {
		lots[i] = Lot{Amount: a.String(), AmountCMT: cmtOfBig(a), UnlocksAt: out.UnlocksAt[i].Uint64()}
	}
	return lots, nil
}

func (c contractReader) IsCandidate(ctx context.Context, a common.Address) (bool, error) {
	return read(ctx, c, "isCandidate", c.vs.PackIsCandidate(a), c.vs.UnpackIsCandidate)
}

func (c contractReader) PendingVotes(ctx context.Context, target common.Address) (uint64, error) {
	n, err := read(ctx, c, "pendingVotes", c.vs.PackPendingVotes(target), c.vs.UnpackPendingVotes)
	if err != nil {
		return 0, err
	}
	return n.Uint64(), nil
}

func (c contractReader) HasVotedOn(ctx context.Context, voter, target common.Address) (bool, error) {
	return read(ctx, c, "hasVotedOn", c.vs.PackHasVotedOn(voter, target), c.vs.UnpackHasVotedOn)
}

func (c contractReader) NextEpoch(ctx context.Context) (uint64, error) {
	n, err := read(ctx, c, "nextEpoch", c.vs.PackNextEpoch(), c.vs.UnpackNextEpoch)
	if err != nil {
		return 0, err
	}
	return n.Uint64(), nil
}

func (c contractReader) EpochRoot(ctx context.Context, k uint64) (*RootVote, error) {
	r, err := read(ctx, c, "epochRoot", c.vs.PackEpochRoot(new(big.Int).SetUint64(k)), c.vs.UnpackEpochRoot)
	if err != nil {
		return nil, err
	}
	return rootVote(r.Root, r.Total, r.ResultHash), nil
}

func (c contractReader) VoteOf(ctx context.Context, k uint64, v common.Address) (*RootVote, error) {
	r, err := read(ctx, c, "voteOf", c.vs.PackVoteOf(new(big.Int).SetUint64(k), v), c.vs.UnpackVoteOf)
	if err != nil {
		return nil, err
	}
	return rootVote(r.Root, r.Total, r.ResultHash), nil
}

// rootVote returns nil for the all-zero triple, the contract's "none".
func rootVote(root [32]byte, total *big.Int, hash [32]byte) *RootVote {
	if root == ([32]byte{}) && hash == ([32]byte{}) && total.Sign() == 0 {
		return nil
	}
	return &RootVote{Root: root, Total: total.String(), ResultHash: hash}
}
