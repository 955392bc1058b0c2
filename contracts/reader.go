package contracts

import (
	"context"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
)

// ErrNoContract is wrapped when a read returns no data: nothing is deployed
// at the address (or it is not a ValidatorSet).
var ErrNoContract = errors.New("no contract")

// Caller runs a read-only call (eth_call) of the validator contract with
// calldata data at block, nil meaning the latest block, and returns what it
// returned. It is where the callers differ: rewardd reads through its
// transaction path from its own address, rewardctl and the API through
// their node clients, each adding its own context to errors.
type Caller func(ctx context.Context, data []byte, block *big.Int) ([]byte, error)

// Reader reads the ValidatorSet contract: the one place the ABI of its views
// is packed and unpacked. Every method takes the block to read at (nil: the
// latest), so a caller that needs several reads to agree passes one height.
// Amounts are wei, times unix seconds. Errors name the view and its
// arguments and wrap the Caller's error, or ErrNoContract for an empty
// answer. A Reader is safe for concurrent use if its Caller is.
type Reader struct {
	call Caller
	vs   *ValidatorSet
}

// NewReader reads the contract through call.
func NewReader(call Caller) *Reader { return &Reader{call: call, vs: NewValidatorSet()} }

// Lot is a still-locked part of a stake.
type Lot struct {
	Amount    *big.Int // wei
	UnlocksAt uint64   // unix seconds
}

// read calls the contract and unpacks the answer.
func read[T any](ctx context.Context, r *Reader, block *big.Int, what string, data []byte, unpack func([]byte) (T, error)) (T, error) {
	var zero T
	out, err := r.call(ctx, data, block)
	if err != nil {
		return zero, fmt.Errorf("read %s: %w", what, err)
	}
	if len(out) == 0 {
		return zero, fmt.Errorf("read %s: %w", what, ErrNoContract)
	}
	v, err := unpack(out)
	if err != nil {
		return zero, fmt.Errorf("decode %s: %w", what, err)
	}
	return v, nil
}

func u64(what string, n *big.Int, err error) (uint64, error) {
	if err != nil {
		return 0, err
	}
	if !n.IsUint64() {
		return 0, fmt.Errorf("%s returned %s, more than 64 bits", what, n)
	}
	return n.Uint64(), nil
}

func k256(k uint64) *big.Int { return new(big.Int).SetUint64(k) }

// vote returns epoch k's vote, nil for the all-zero triple, the contract's
// "none" (a real vote always has a result hash).
func vote(k uint64, root [32]byte, total *big.Int, hash [32]byte) *Vote {
	if root == ([32]byte{}) && hash == ([32]byte{}) && total.Sign() == 0 {
		return nil
	}
	return &Vote{Epoch: k, Root: root, Total: total, ResultHash: hash}
}

// NextEpoch is nextEpoch(): the epoch whose root is voted on now; every
// epoch before it is accepted.
func (r *Reader) NextEpoch(ctx context.Context, block *big.Int) (uint64, error) {
	n, err := read(ctx, r, block, "nextEpoch()", r.vs.PackNextEpoch(), r.vs.UnpackNextEpoch)
	return u64("nextEpoch()", n, err)
}

// EpochRoot is epochRoot(k), nil for an epoch not accepted.
func (r *Reader) EpochRoot(ctx context.Context, block *big.Int, k uint64) (*Vote, error) {
	v, err := read(ctx, r, block, fmt.Sprintf("epochRoot(%d)", k), r.vs.PackEpochRoot(k256(k)), r.vs.UnpackEpochRoot)
	if err != nil {
		return nil, err
	}
	return vote(k, v.Root, v.Total, v.ResultHash), nil
}

// VoteOf is voteOf(k, validator): the validator's counted vote in epoch k,
// nil for none.
func (r *Reader) VoteOf(ctx context.Context, block *big.Int, k uint64, validator common.Address) (*Vote, error) {
	v, err := read(ctx, r, block, fmt.Sprintf("voteOf(%d, %s)", k, validator.Hex()), r.vs.PackVoteOf(k256(k), validator), r.vs.UnpackVoteOf)
	if err != nil {
		return nil, err
	}
	return vote(k, v.Root, v.Total, v.ResultHash), nil
}

// CurrentRoot is currentRoot(): the latest accepted epoch's root (all zeros
// before any), the root claim() verifies proofs against.
func (r *Reader) CurrentRoot(ctx context.Context, block *big.Int) (common.Hash, error) {
	h, err := read(ctx, r, block, "currentRoot()", r.vs.PackCurrentRoot(), r.vs.UnpackCurrentRoot)
	return common.Hash(h), err
}

// Claimed is claimed(account): what account has claimed so far.
func (r *Reader) Claimed(ctx context.Context, block *big.Int, account common.Address) (*big.Int, error) {
	return read(ctx, r, block, fmt.Sprintf("claimed(%s)", account.Hex()), r.vs.PackClaimed(account), r.vs.UnpackClaimed)
}

// TotalClaimed is totalClaimed(): everything claimed so far.
func (r *Reader) TotalClaimed(ctx context.Context, block *big.Int) (*big.Int, error) {
	return read(ctx, r, block, "totalClaimed()", r.vs.PackTotalClaimed(), r.vs.UnpackTotalClaimed)
}

// RewardFunds is rewardFunds(): the awards the contract holds for claims.
func (r *Reader) RewardFunds(ctx context.Context, block *big.Int) (*big.Int, error) {
	return read(ctx, r, block, "rewardFunds()", r.vs.PackRewardFunds(), r.vs.UnpackRewardFunds)
}

// Withdrawable is withdrawable(delegator): unstaked stake to withdraw.
func (r *Reader) Withdrawable(ctx context.Context, block *big.Int, delegator common.Address) (*big.Int, error) {
	return read(ctx, r, block, fmt.Sprintf("withdrawable(%s)", delegator.Hex()), r.vs.PackWithdrawable(delegator), r.vs.UnpackWithdrawable)
}

// UnlockedStakeOf is unlockedStakeOf(delegator, validator): the matured
// part of the stake, which unstake may take.
func (r *Reader) UnlockedStakeOf(ctx context.Context, block *big.Int, delegator, validator common.Address) (*big.Int, error) {
	return read(ctx, r, block, fmt.Sprintf("unlockedStakeOf(%s, %s)", delegator.Hex(), validator.Hex()),
		r.vs.PackUnlockedStakeOf(delegator, validator), r.vs.UnpackUnlockedStakeOf)
}

// LockedLotsOf is lockedLotsOf(delegator, validator): the still-locked lots,
// oldest first.
func (r *Reader) LockedLotsOf(ctx context.Context, block *big.Int, delegator, validator common.Address) ([]Lot, error) {
	what := fmt.Sprintf("lockedLotsOf(%s, %s)", delegator.Hex(), validator.Hex())
	out, err := read(ctx, r, block, what, r.vs.PackLockedLotsOf(delegator, validator), r.vs.UnpackLockedLotsOf)
	if err != nil {
		return nil, err
	}
	if len(out.Amounts) != len(out.UnlocksAt) {
		return nil, fmt.Errorf("decode %s: %d amounts but %d unlock times", what, len(out.Amounts), len(out.UnlocksAt))
	}
	lots := make([]Lot, len(out.Amounts))
	for i, a := range out.Amounts {
		t, err := u64(what+" unlock time", out.UnlocksAt[i], nil)
		if err != nil {
			return nil, err
		}
		lots[i] = Lot{Amount: a, UnlocksAt: t}
	}
	return lots, nil
}

// IsActive is isActive(account): whether account is a validator now.
func (r *Reader) IsActive(ctx context.Context, block *big.Int, account common.Address) (bool, error) {
	return read(ctx, r, block, fmt.Sprintf("isActive(%s)", account.Hex()), r.vs.PackIsActive(account), r.vs.UnpackIsActive)
}

// IsCandidate is isCandidate(account).
func (r *Reader) IsCandidate(ctx context.Context, block *big.Int, account common.Address) (bool, error) {
	return read(ctx, r, block, fmt.Sprintf("isCandidate(%s)", account.Hex()), r.vs.PackIsCandidate(account), r.vs.UnpackIsCandidate)
}

// PendingVotes is pendingVotes(target): the DAO votes on target's open
// ballot.
func (r *Reader) PendingVotes(ctx context.Context, block *big.Int, target common.Address) (uint64, error) {
	what := fmt.Sprintf("pendingVotes(%s)", target.Hex())
	n, err := read(ctx, r, block, what, r.vs.PackPendingVotes(target), r.vs.UnpackPendingVotes)
	return u64(what, n, err)
}

// HasVotedOn is hasVotedOn(voter, target).
func (r *Reader) HasVotedOn(ctx context.Context, block *big.Int, voter, target common.Address) (bool, error) {
	return read(ctx, r, block, fmt.Sprintf("hasVotedOn(%s, %s)", voter.Hex(), target.Hex()), r.vs.PackHasVotedOn(voter, target), r.vs.UnpackHasVotedOn)
}
