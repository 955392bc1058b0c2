package export

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/ethereum/go-ethereum/common"
	"github.com/holiman/uint256"

	"github.com/cmt-rewards/cmt-rewards/calc"
	"github.com/cmt-rewards/cmt-rewards/epoch"
	"github.com/cmt-rewards/cmt-rewards/ledger"
)

var (
	// ErrNotFinal is returned for an epoch that is not over yet, or whose
	// end has fewer confirmations than required.
	ErrNotFinal = errors.New("epoch not final yet")
	// ErrEmpty is returned for a final epoch without blocks: it mints
	// nothing and leaves the payout tree unchanged (rewards-v1 §8).
	ErrEmpty = errors.New("epoch has no blocks")
	// ErrHistory is returned when the source does not reach back far
	// enough for the epoch (events since StartBlock, headers since the
	// checkpoint standing needs).
	ErrHistory = errors.New("chain history not available")
)

// Source is where chain data comes from. Export and Forecast read an
// epoch's headers (Blocks, from the standing checkpoint to the epoch's
// last block) before the contract's events (Events, from StartBlock to
// the same last block), so that a source that gets the events of the
// blocks it reads along with them can serve the second from the first.
type Source interface {
	// Head is the highest block available.
	Head(ctx context.Context) (uint64, error)
	// TimeAt is block n's timestamp.
	TimeAt(ctx context.Context, n uint64) (uint64, error)
	// Blocks calls fn with blocks [from, to] in order, in one or more
	// chunks; their events are not needed.
	Blocks(ctx context.Context, from, to uint64, fn func([]ledger.Block) error) error
	// Events calls fn with the contract's events of blocks [from, to] in
	// (block, log_index) order.
	Events(ctx context.Context, from, to uint64, fn func([]ledger.Event) error) error
}

// Params are the settings an export depends on.
type Params struct {
	ChainID    uint64
	StartBlock uint64 // no contract event is before this block
	Schedule   epoch.Schedule
	// Confirmations is how many blocks Export demands between the first
	// block past an epoch and the source's head before the epoch is final
	// (epoch.Locate). It applies to the source as given, so it depends on
	// the source: a node's head needs the configured confirmations
	// (ParamsFrom), while a ledger the follower keeps holds only blocks
	// that already have them, and takes 0 (ForLedger) lest an epoch wait
	// for them twice.
	Confirmations uint64
	CliqueEpoch   uint64
	Standing      epoch.StandingConfig

	RewardPerBlock    uint256.Int
	ValidatorShareBps uint64
	Eligibility       calc.Eligibility
	ForfeitPolicy     calc.ForfeitPolicy
}

// ValidatorStanding summarises one validator's epoch for people: active
// blocks, misses charged to it inside the epoch, and its not-good runs
// with evidence.
type ValidatorStanding struct {
	Validator    common.Address
	ActiveBlocks uint64
	Missed       []uint64 // blocks in the epoch at which a miss was charged
	Runs         []epoch.Run
}

// Epoch is one exported epoch.
type Epoch struct {
	Bounds   epoch.Bounds
	Input    *calc.Input
	Standing []ValidatorStanding // sorted by address, every validator active in the epoch
}

// ForLedger returns p for a LedgerSource: Confirmations 0, because the
// follower stores only blocks at least the configured confirmations below
// the node's head.
func (p Params) ForLedger() Params {
	p.Confirmations = 0
	return p
}

// Export builds epoch k's input. previous is every account's cumulative
// payout before epoch k (nil for epoch 0). The epoch is final when the
// first block past its end is at least p.Confirmations blocks below src's
// head, whatever src is: the rule is the caller's (a ledger caller passes
// p.ForLedger()), never inferred from the source. It returns ErrNotFinal
// for an epoch that is not final, ErrEmpty (with Bounds set) for a final
// epoch without blocks, and an error wrapping epoch.ErrStandingConfig when
// p.Standing does not pass Check.
func Export(ctx context.Context, src Source, p Params, k uint64, previous []calc.Balance) (*Epoch, error) {
	b, head, err := locate(ctx, src, p, "export", k)
	if err != nil {
		return nil, err
	}
	out := &Epoch{Bounds: b}
	if !b.Final {
		return out, fmt.Errorf("epoch %d: %w (head %d)", k, ErrNotFinal, head)
	}
	if b.Empty {
		return out, fmt.Errorf("epoch %d: %w", k, ErrEmpty)
	}
	if b.First < p.StartBlock {
		return out, fmt.Errorf("epoch %d starts at block %d, before the start block %d: %w", k, b.First, p.StartBlock, ErrHistory)
	}
	in, standing, err := build(ctx, src, p, b, previous, nil)
	if err != nil {
		return nil, err
	}
	out.Input, out.Standing = in, standing
	return out, nil
}

// locate checks p.Standing and finds epoch k's blocks at src's head; what
// names the caller in errors.
func locate(ctx context.Context, src Source, p Params, what string, k uint64) (epoch.Bounds, uint64, error) {
	// The standing rules need the signer↔validator map to be one-to-one;
	// a bad one would charge misses or signer-set membership to the wrong
	// validator.
	if err := p.Standing.Check(); err != nil {
		return epoch.Bounds{}, 0, fmt.Errorf("%s epoch %d: %w", what, k, err)
	}
	head, err := src.Head(ctx)
	if err != nil {
		return epoch.Bounds{}, 0, err
	}
	b, err := epoch.Locate(ctx, p.Schedule, k, head, p.Confirmations, src.TimeAt)
	if err != nil {
		return epoch.Bounds{}, 0, fmt.Errorf("locate epoch %d: %w", k, err)
	}
	return b, head, nil
}

// build builds the input of the blocks [b.First, b.Last] of epoch b.Epoch,
// which Export and Forecast share so that a forecast is the settlement's
// own computation over fewer blocks. slot, when not nil, sees every block
// of the range as MissTracker judged it.
func build(ctx context.Context, src Source, p Params, b epoch.Bounds, previous []calc.Balance, slot func(epoch.Slot)) (*calc.Input, []ValidatorStanding, error) {
	k := b.Epoch
	in := &calc.Input{
		ChainID: p.ChainID, Epoch: k, FirstBlock: b.First, LastBlock: b.Last,
		RewardPerBlock: p.RewardPerBlock, ValidatorShareBps: p.ValidatorShareBps,
		Eligibility: p.Eligibility, ForfeitPolicy: p.ForfeitPolicy,
		Events: []calc.Event{}, NotInGoodStanding: []calc.NotGoodRun{},
		PreviousCumulative: slices.Clone(previous),
	}
	if in.PreviousCumulative == nil {
		in.PreviousCumulative = []calc.Balance{}
	}
	slices.SortFunc(in.PreviousCumulative, func(a, b calc.Balance) int { return bytes.Compare(a.Account[:], b.Account[:]) })

	// Standing first: the headers of the epoch and the warm-up before it
	// (a source that reads the contract's events of those blocks along
	// with them, as the auditor's does, then has them at hand for the
	// events below).
	scan, err := scanStanding(ctx, src, p, b.First, b.Last, slot)
	if err != nil {
		return nil, nil, err
	}

	// State at the first block: every event before it, replayed.
	st := newState()
	err = src.Events(ctx, p.StartBlock, b.Last, func(evs []ledger.Event) error {
		for i := range evs {
			ev := &evs[i]
			if ev.Block < b.First {
				if err := st.apply(&ev.Event); err != nil {
					return fmt.Errorf("replay event (%d, %d): %w", ev.Block, ev.LogIndex, err)
				}
				continue
			}
			in.Events = append(in.Events, ev.Event)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	in.ValidatorsAtStart, in.StakesAtStart = st.snapshot()

	// Active ranges inside the epoch, from the active set at its start and
	// the validator events in it (an event in block x takes effect at x+1).
	active := activeRanges(in)

	standing, runs := scan.finish(p, active)
	for _, r := range runs {
		in.NotInGoodStanding = append(in.NotInGoodStanding, calc.NotGoodRun{Validator: r.Validator, FromBlock: r.From, ToBlock: r.To, Reason: r.Reason})
	}
	if err := in.Check(); err != nil {
		return nil, nil, fmt.Errorf("exported epoch %d is inconsistent: %w", k, err)
	}
	return in, standing, nil
}

// standingScan is what standing needs of the headers of [first, last]:
// the misses charged from first−W+1 on and the signer set at each block.
type standingScan struct {
	first, last uint64
	misses      []epoch.Miss
	signers     epoch.SignerHistory
}

// scanStanding replays Clique headers from a checkpoint early enough to
// judge every block from first−W+1, streaming them (only misses and
// signer-set changes are kept), and sees every block of [first, last]
// with slotFn when it is not nil.
func scanStanding(ctx context.Context, src Source, p Params, first, last uint64, slotFn func(epoch.Slot)) (*standingScan, error) {
	judgeFrom := max(p.Standing.MissesFrom(first), 1)
	cp := epoch.WarmCheckpoint(p.CliqueEpoch, judgeFrom, calc.MaxValidators)
	var tracker *epoch.MissTracker
	sc := &standingScan{first: first, last: last}
	err := src.Blocks(ctx, cp, last, func(blocks []ledger.Block) error {
		for i := range blocks {
			h := toHeader(&blocks[i])
			if tracker == nil {
				if h.Number != cp {
					return fmt.Errorf("standing needs headers from checkpoint %d, source starts at %d: %w", cp, h.Number, ErrHistory)
				}
				var err error
				if tracker, err = epoch.NewMissTracker(p.CliqueEpoch, h, judgeFrom); err != nil {
					return err
				}
				continue
			}
			slot, err := tracker.Apply(h)
			if err != nil {
				return err
			}
			if m, ok := p.Standing.MissOf(slot); ok {
				sc.misses = append(sc.misses, m)
			}
			if slot.Block >= first {
				sc.signers.Add(slot.Block, slot.Signers)
				if slotFn != nil {
					slotFn(slot)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("standing for blocks %d-%d: %w", first, last, err)
	}
	if tracker == nil || tracker.Next() != last+1 {
		return nil, fmt.Errorf("standing for blocks %d-%d: headers missing: %w", first, last, ErrHistory)
	}
	return sc, nil
}

// finish derives the not-good runs of [first, last] from the misses and
// the signer set in force at each block of the epoch, given the blocks in
// which each validator is active, and each validator's summary.
func (sc *standingScan) finish(p Params, active map[common.Address][]epoch.Range) ([]ValidatorStanding, []epoch.Run) {
	first, last, misses := sc.first, sc.last, sc.misses
	runs := epoch.NotGoodRuns(p.Standing, misses, sc.signers, active, first, last)

	var out []ValidatorStanding
	for v, ranges := range active {
		vs := ValidatorStanding{Validator: v}
		for _, r := range ranges {
			vs.ActiveBlocks += min(r.To, last) - max(r.From, first) + 1
		}
		for _, m := range misses {
			if m.Block >= first && m.Validator == v {
				vs.Missed = append(vs.Missed, m.Block)
			}
		}
		for _, r := range runs {
			if r.Validator == v {
				vs.Runs = append(vs.Runs, r)
			}
		}
		out = append(out, vs)
	}
	slices.SortFunc(out, func(a, b ValidatorStanding) int { return bytes.Compare(a.Validator[:], b.Validator[:]) })
	return out, runs
}

func toHeader(b *ledger.Block) epoch.Header {
	return epoch.Header{Number: b.Number, Hash: b.Hash, Time: b.Time, Difficulty: b.Difficulty,
		Sealer: b.Sealer, Coinbase: b.Coinbase, VoteAuth: b.VoteAuth, Signers: b.Signers}
}

// activeRanges returns, per validator, the blocks of the epoch in which it
// is active. The input's events were checked by nothing yet, so a removal
// of an inactive validator is simply ignored here; calc.Compute rejects it.
func activeRanges(in *calc.Input) map[common.Address][]epoch.Range {
	since := map[common.Address]uint64{}
	for _, v := range in.ValidatorsAtStart {
		since[v] = in.FirstBlock
	}
	out := map[common.Address][]epoch.Range{}
	for _, ev := range in.Events {
		switch ev.Kind {
		case calc.KindValidatorAdded:
			if _, ok := since[ev.Validator]; !ok && ev.Block < in.LastBlock {
				since[ev.Validator] = ev.Block + 1
			}
		case calc.KindValidatorRemoved:
			if from, ok := since[ev.Validator]; ok {
				if from <= ev.Block {
					out[ev.Validator] = append(out[ev.Validator], epoch.Range{From: from, To: ev.Block})
				}
				delete(since, ev.Validator)
			}
		}
	}
	for v, from := range since {
		out[v] = append(out[v], epoch.Range{From: from, To: in.LastBlock})
	}
	return out
}

// state is the contract's staking state replayed from events.
type state struct {
	active map[common.Address]bool
	stakes map[[2]common.Address]*uint256.Int // (validator, delegator)
}

func newState() *state {
	return &state{active: map[common.Address]bool{}, stakes: map[[2]common.Address]*uint256.Int{}}
}

func (s *state) apply(ev *calc.Event) error {
	k := [2]common.Address{ev.Validator, ev.Delegator}
	switch ev.Kind {
	case calc.KindStake:
		if s.stakes[k] == nil {
			s.stakes[k] = new(uint256.Int)
		}
		if _, over := s.stakes[k].AddOverflow(s.stakes[k], &ev.Amount); over {
			return errors.New("stake overflows 256 bits")
		}
	case calc.KindUnstake:
		cur := s.stakes[k]
		if cur == nil || cur.Lt(&ev.Amount) {
			return fmt.Errorf("unstake of %s exceeds stake", ev.Amount.Dec())
		}
		cur.Sub(cur, &ev.Amount)
	case calc.KindValidatorAdded:
		s.active[ev.Validator] = true
	case calc.KindValidatorRemoved:
		delete(s.active, ev.Validator)
	}
	return nil
}

// snapshot returns the active set and the non-zero stakes, sorted.
func (s *state) snapshot() ([]common.Address, []calc.Stake) {
	vals := make([]common.Address, 0, len(s.active))
	for v := range s.active {
		vals = append(vals, v)
	}
	slices.SortFunc(vals, func(a, b common.Address) int { return bytes.Compare(a[:], b[:]) })
	stakes := make([]calc.Stake, 0, len(s.stakes))
	for k, amt := range s.stakes {
		if !amt.IsZero() {
			stakes = append(stakes, calc.Stake{Validator: k[0], Delegator: k[1], Amount: *amt})
		}
	}
	slices.SortFunc(stakes, func(a, b calc.Stake) int {
		if c := bytes.Compare(a.Validator[:], b.Validator[:]); c != 0 {
			return c
		}
		return bytes.Compare(a.Delegator[:], b.Delegator[:])
	})
	return vals, stakes
}
