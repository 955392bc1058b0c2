package submitter

import (
	"context"
	"fmt"
	"math/big"

	"github.com/cmt-rewards/cmt-rewards/txsend"
)

// Every read below is an eth_call of the contract from our address through
// txsend (bounded by its RPCTimeout). A nil block means the latest block.

func (s *Submitter) call(ctx context.Context, data []byte, block *big.Int) ([]byte, error) {
	return s.tx.Read(ctx, txsend.Call{To: s.cfg.Contract, Data: data}, block)
}

func (s *Submitter) nextEpoch(ctx context.Context, block *big.Int) (uint64, error) {
	out, err := s.call(ctx, s.abi.PackNextEpoch(), block)
	if err != nil {
		return 0, err
	}
	n, err := s.abi.UnpackNextEpoch(out)
	if err != nil {
		return 0, fmt.Errorf("decode nextEpoch: %w", err)
	}
	if !n.IsUint64() {
		return 0, fmt.Errorf("nextEpoch %s exceeds 64 bits", n)
	}
	return n.Uint64(), nil
}

func (s *Submitter) isActive(ctx context.Context) (bool, error) {
	out, err := s.call(ctx, s.abi.PackIsActive(s.addr), nil)
	if err != nil {
		return false, err
	}
	return s.abi.UnpackIsActive(out)
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
	next, err := s.nextEpoch(ctx, block)
	if err != nil {
		return st, transient("read nextEpoch", err)
	}
	st.next = next
	e := new(big.Int).SetUint64(epoch)
	out, err := s.call(ctx, s.abi.PackVoteOf(e, s.addr), block)
	if err != nil {
		return st, transient("read voteOf", err)
	}
	vo, err := s.abi.UnpackVoteOf(out)
	if err != nil {
		return st, transient("decode voteOf", err)
	}
	if vo.Root != ([32]byte{}) || vo.Total.Sign() != 0 || vo.ResultHash != ([32]byte{}) {
		st.ours = &Vote{Epoch: epoch, Root: vo.Root, Total: vo.Total, ResultHash: vo.ResultHash}
	}
	if next > epoch {
		out, err := s.call(ctx, s.abi.PackEpochRoot(e), block)
		if err != nil {
			return st, transient("read epochRoot", err)
		}
		er, err := s.abi.UnpackEpochRoot(out)
		if err != nil {
			return st, transient("decode epochRoot", err)
		}
		st.accepted = &Vote{Epoch: epoch, Root: er.Root, Total: er.Total, ResultHash: er.ResultHash}
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
	v := View{Block: at.Uint64(), NextEpoch: st.next, Accepted: st.accepted, Ours: st.ours, Available: new(big.Int)}
	for _, read := range []struct {
		name   string
		data   []byte
		unpack func([]byte) (*big.Int, error)
	}{
		{"totalClaimed", s.abi.PackTotalClaimed(), s.abi.UnpackTotalClaimed},
		{"rewardFunds", s.abi.PackRewardFunds(), s.abi.UnpackRewardFunds},
	} {
		out, err := s.call(ctx, read.data, at)
		if err != nil {
			return View{}, fmt.Errorf("read %s: %w", read.name, err)
		}
		n, err := read.unpack(out)
		if err != nil {
			return View{}, fmt.Errorf("decode %s: %w", read.name, err)
		}
		v.Available.Add(v.Available, n)
	}
	return v, nil
}
