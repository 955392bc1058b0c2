package submitter

import (
	"context"
	"fmt"
	"math/big"
)

// Every read below is an eth_call of the contract from our address through
// txsend (bounded by its RPCTimeout), with contracts.Reader. A nil block
// means the latest block.

func (s *Submitter) isActive(ctx context.Context) (bool, error) {
	return s.read.IsActive(ctx, nil, s.addr)
}

// chainState is what the contract says about an epoch at one block.
type chainState struct {
	next     uint64 // nextEpoch()
	ours     *Vote  // voteOf(epoch, us), nil if we have no vote
	accepted *Vote  // epochRoot(epoch) when next > epoch
}

// readState reads the contract's view of epoch at block. Errors are
// transient.
func (s *Submitter) readState(ctx context.Context, epoch uint64, block *big.Int) (chainState, error) {
	var st chainState
	next, err := s.read.NextEpoch(ctx, block)
	if err != nil {
		return st, transient("read nextEpoch", err)
	}
	st.next = next
	ours, err := s.read.VoteOf(ctx, block, epoch, s.addr)
	if err != nil {
		return st, transient("read voteOf", err)
	}
	st.ours = ours
	if next > epoch {
		acc, err := s.read.EpochRoot(ctx, block, epoch)
		if err != nil {
			return st, transient("read epochRoot", err)
		}
		if acc == nil {
			return st, transient("read epochRoot", fmt.Errorf("epoch %d is before nextEpoch %d but has no root", epoch, next))
		}
		st.accepted = acc
	}
	return st, nil
}

// View is the contract's view of one epoch at the confirmed height.
type View struct {
	// Block is the confirmed height the view was read at.
	Block     uint64
	NextEpoch uint64
	// Accepted is epochRoot(epoch) once the epoch is accepted, else nil.
	Accepted *Vote
	// Ours is this validator's vote for the epoch (voteOf), nil if none.
	Ours *Vote
	// Available is totalClaimed + rewardFunds, wei: the largest total a
	// root may have (the contract reverts TotalExceedsFunds above it).
	Available *big.Int
}

// View reads the contract's view of epoch at the confirmed height (head −
// Confirmations + 1), retrying nothing: errors are for the caller's next
// pass.
func (s *Submitter) View(ctx context.Context, epoch uint64) (View, error) {
	head, err := s.tx.Header(ctx, nil)
	if err != nil {
		return View{}, fmt.Errorf("read head: %w", err)
	}
	at, ok := confirmedHeight(head.Number.Uint64(), s.cfg.Confirmations)
	if !ok {
		at = big.NewInt(0)
	}
	st, err := s.readState(ctx, epoch, at)
	if err != nil {
		return View{}, err
	}
	v := View{Block: at.Uint64(), NextEpoch: st.next, Accepted: st.accepted, Ours: st.ours}
	claimed, err := s.read.TotalClaimed(ctx, at)
	if err != nil {
		return View{}, err
	}
	funds, err := s.read.RewardFunds(ctx, at)
	if err != nil {
		return View{}, err
	}
	v.Available = new(big.Int).Add(claimed, funds)
	return v, nil
}
