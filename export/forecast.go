package export

import (
	"context"
	"fmt"

	"github.com/ethereum/go-ethereum/common"

	"github.com/cmt-rewards/cmt-rewards/calc"
	"github.com/cmt-rewards/cmt-rewards/epoch"
	"github.com/cmt-rewards/cmt-rewards/ledger"
)

// Forecast is an epoch as far as the source shows it: its input and
// standing over [Bounds.First, Bounds.Last], where Last is the source's
// head (or through) while the epoch is open. Computing Input with calc
// gives what settlement would pay if the epoch ended at Last; once the
// epoch is final and Last its last block, Input equals Export's.
type Forecast struct {
	Epoch
	// Active and Stakes are the contract's active set and non-zero stakes
	// after block Bounds.Last, replayed from events, sorted as
	// calc.Input's.
	Active []common.Address
	Stakes []calc.Stake
}

// ForecastAt builds epoch k through block min(through, the epoch's last
// block or the source's head), whether or not the epoch is final, with the
// rules Export uses (the same code). slot, when not nil, is called with
// every block of that range, in order, as epoch.MissTracker judged it.
// It returns ErrEmpty (with Bounds set) when the range holds no block.
func ForecastAt(ctx context.Context, src Source, p Params, k, through uint64, slot func(epoch.Slot)) (*Forecast, error) {
	b, _, err := locate(ctx, src, p, "forecast", k)
	if err != nil {
		return nil, err
	}
	if through < b.Last {
		b.Last, b.Final = through, false
	}
	out := &Forecast{Epoch: Epoch{Bounds: b}}
	if b.Empty || b.Last < b.First {
		out.Bounds.Empty = true
		return out, fmt.Errorf("epoch %d through block %d: %w", k, through, ErrEmpty)
	}
	if b.First < p.StartBlock {
		return out, fmt.Errorf("epoch %d starts at block %d, before the start block %d: %w", k, b.First, p.StartBlock, ErrHistory)
	}
	in, standing, err := build(ctx, src, p, b, nil, slot)
	if err != nil {
		return nil, err
	}
	out.Input, out.Standing = in, standing
	st := newState()
	for _, v := range in.ValidatorsAtStart {
		st.active[v] = true
	}
	for _, s := range in.StakesAtStart {
		amt := s.Amount
		st.stakes[[2]common.Address{s.Validator, s.Delegator}] = &amt
	}
	for i := range in.Events {
		if err := st.apply(&in.Events[i]); err != nil {
			return nil, fmt.Errorf("replay event (%d, %d): %w", in.Events[i].Block, in.Events[i].LogIndex, err)
		}
	}
	out.Active, out.Stakes = st.snapshot()
	return out, nil
}

// StateAt returns the contract's active set and non-zero stakes after block
// at, replayed from src's events since p.StartBlock, sorted as
// calc.Input's.
func StateAt(ctx context.Context, src Source, p Params, at uint64) ([]common.Address, []calc.Stake, error) {
	st := newState()
	err := src.Events(ctx, p.StartBlock, at, func(evs []ledger.Event) error {
		for i := range evs {
			if err := st.apply(&evs[i].Event); err != nil {
				return fmt.Errorf("replay event (%d, %d): %w", evs[i].Block, evs[i].LogIndex, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("staking state at block %d: %w", at, err)
	}
	active, stakes := st.snapshot()
	return active, stakes, nil
}

// ActiveRanges returns, per validator, the blocks of in's range in which
// it is active, as the standing rules see them (an event in block x takes
// effect at x+1).
func ActiveRanges(in *calc.Input) map[common.Address][]epoch.Range { return activeRanges(in) }
