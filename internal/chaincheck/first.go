package chaincheck

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/cmt-rewards/cmt-rewards/contracts"
	"github.com/cmt-rewards/cmt-rewards/epoch"
)

// ErrFirstEpoch is wrapped by Start.Check's errors: the contract would
// never accept the epochs the daemon would settle.
var ErrFirstEpoch = errors.New("settlement cannot start")

// Start is what decides whether settlement can begin where the daemon
// would begin it.
type Start struct {
	Schedule   epoch.Schedule
	FirstEpoch uint64 // settle.first_epoch
	// Current is the first epoch the daemon would settle: the oldest at
	// or after FirstEpoch that its ledger does not hold as accepted.
	Current   uint64
	NextEpoch uint64 // the contract's nextEpoch
	// StartBlock is start_block; Block is the first block the daemon can
	// settle, max(StartBlock, 1), as the genesis is in no epoch.
	StartBlock uint64
	Block      uint64
	// Known reports that the node has block Block; BlockTime is its time
	// and PrevTime block Block−1's, when Block > 1 (HasPrev).
	Known     bool
	BlockTime uint64
	PrevTime  uint64
	HasPrev   bool
}

// ReadStart reads from the node what Start.Check judges besides the
// configuration and the ledger: the contract's nextEpoch (at the latest
// block: a shallow reorg does not change the verdict) and the first
// block's times.
func ReadStart(ctx context.Context, client *rpc.Client, contract common.Address, s epoch.Schedule, firstEpoch, current, startBlock uint64) (Start, error) {
	st := Start{Schedule: s, FirstEpoch: firstEpoch, Current: current, StartBlock: startBlock, Block: max(startBlock, 1)}
	vs := contracts.NewValidatorSet()
	out, err := ethclient.NewClient(client).CallContract(ctx, ethereum.CallMsg{To: &contract, Data: vs.PackNextEpoch()}, nil)
	if err != nil {
		return st, fmt.Errorf("contract: read nextEpoch: %w", err)
	}
	next, err := vs.UnpackNextEpoch(out)
	if err != nil || !next.IsUint64() {
		return st, fmt.Errorf("contract: decode nextEpoch %x: %v", out, err)
	}
	st.NextEpoch = next.Uint64()
	h, err := header(ctx, client, st.Block)
	if errors.Is(err, ethereum.NotFound) {
		return st, nil // the chain has not reached the start block: nothing to judge yet
	}
	if err != nil {
		return st, fmt.Errorf("read block %d: %w", st.Block, err)
	}
	st.Known, st.BlockTime = true, h.Time
	if st.Block > 1 {
		p, err := header(ctx, client, st.Block-1)
		if err != nil {
			return st, fmt.Errorf("read block %d: %w", st.Block-1, err)
		}
		st.HasPrev, st.PrevTime = true, p.Time
	}
	return st, nil
}

// Check applies the rule that lets settlement begin. The contract accepts
// roots strictly in order from its nextEpoch N (submitRoot reverts
// EpochNotNext otherwise), and the daemon settles epochs in order from C
// (Current). With L the epoch length and b0 the first block the ledger can
// settle:
//
//  1. C ≤ N. Epochs C … N−1 are accepted already; the daemon recomputes
//     them and compares (a validator joining late). An epoch after N is
//     never accepted before N … C−1, which this daemon would never vote,
//     and its cumulative amounts would leave them out.
//  2. Epoch C must not reach back before the ledger: block b0−1 must lie
//     before epoch C, start + C·L > time(b0−1). Otherwise exporting epoch C
//     fails for want of history, on every pass.
//  3. Block b0 must lie in epoch C or before it (before epoch 0 counts),
//     start + (C+1)·L > time(b0). Every epoch between C and b0's holds no
//     block of the ledger: settling them one vote each is a misplaced
//     epoch.start. A genesis timestamp of 0 taken as the start puts
//     today's blocks in epoch 29 million, which the contract, at N = 0,
//     would reach after 29 million empty votes.
//
// Any start later than both bounds works; start = time(b0) − C·L makes b0
// the first block of epoch C. Until the node has block b0 only rule 1 is
// judged.
func (s Start) Check() error {
	first := fmt.Sprintf("the first epoch this daemon would settle is %s", group(s.Current))
	if s.Current != s.FirstEpoch {
		first += fmt.Sprintf(" (settle.first_epoch %s; its ledger holds %s to %s as accepted)", group(s.FirstEpoch), group(s.FirstEpoch), group(s.Current-1))
	}
	if s.Current > s.NextEpoch {
		return fmt.Errorf("%w: settle.first_epoch: %s, but the contract expects epoch %s next and accepts epochs only in order; use settle.first_epoch %s or earlier (with an existing ledger, one of this contract and chain)",
			ErrFirstEpoch, first, group(s.NextEpoch), group(s.NextEpoch))
	}
	if !s.Known {
		return nil
	}
	start := s.Schedule.Start
	from0, to0, err := s.Schedule.Span(s.Current) // epoch C is [from0, to0)
	if err != nil {
		return fmt.Errorf("%w: epoch %s: %v", ErrFirstEpoch, group(s.Current), err)
	}
	// lo is the earliest start that satisfies rules 2 and 3.
	lo := sat(s.BlockTime, to0-start) + 1
	if s.HasPrev {
		lo = max(lo, sat(s.PrevTime, from0-start)+1)
	}
	advice := fmt.Sprintf("With settle.first_epoch %s use an epoch.start at or after %s", group(s.FirstEpoch), rfc(lo))
	if exact := sat(s.BlockTime, from0-start); exact >= lo {
		advice += fmt.Sprintf("; %s makes block %d the first of epoch %s", rfc(exact), s.Block, group(s.Current))
	}
	b0 := fmt.Sprintf("block %d (the first the ledger can settle; start_block %d)", s.Block, s.StartBlock)
	switch {
	case s.HasPrev && s.PrevTime >= from0:
		k, _ := s.Schedule.EpochOf(s.PrevTime)
		return fmt.Errorf("%w: epoch.start %s puts block %d, before start_block %d, in epoch %s, and %s: the ledger lacks the history to compute it. %s",
			ErrFirstEpoch, rfc(start), s.Block-1, s.StartBlock, group(k), first, advice)
	case s.BlockTime >= to0:
		k, _ := s.Schedule.EpochOf(s.BlockTime)
		return fmt.Errorf("%w: epoch.start %s puts %s in epoch %s, but %s and the contract expects epoch %s next: epochs %s to %s hold no block of the ledger. %s",
			ErrFirstEpoch, rfc(start), b0, group(k), first, group(s.NextEpoch), group(s.Current), group(k-1), advice)
	}
	return nil
}

// sat is a − b, or 0 when b > a.
func sat(a, b uint64) uint64 {
	if b > a {
		return 0
	}
	return a - b
}

func rfc(unix uint64) string { return time.Unix(int64(unix), 0).UTC().Format(time.RFC3339) }

// group writes n with thousands separators: 29,912,345.
func group(n uint64) string {
	s := strconv.FormatUint(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
