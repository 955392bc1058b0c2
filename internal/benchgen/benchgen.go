// Package benchgen builds large, valid, deterministic epoch inputs for
// benchmarks: the shape of a full 15-day CyberMiles epoch.
package benchgen

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"slices"

	"github.com/ethereum/go-ethereum/common"
	"github.com/holiman/uint256"

	"github.com/cmt-rewards/cmt-rewards/calc"
)

// Version changes whenever Epoch's output for a given shape and seed does:
// cached benchmark inputs are keyed by it (make bench).
const Version = 3

// Shape sizes an epoch.
type Shape struct {
	Blocks      uint64 // |B|
	Validators  int    // active at start, ≤ calc.MaxValidators
	Candidates  int    // staked-to addresses that are not active at start
	Delegations int    // (validator, delegator) stakes at start
	Events      int    // stake/unstake events in the epoch, plus a few validator changes
	Runs        int    // not-good runs
	Previous    int    // accounts with a previous cumulative
}

// FullEpoch is the benchmark shape: 216,000 blocks (15 days at 6 s),
// 21 validators, 1,000,000 delegations, 50,000 stake events.
var FullEpoch = Shape{Blocks: 216_000, Validators: 21, Candidates: 5, Delegations: 1_000_000, Events: 50_000, Runs: 3, Previous: 500_000}

func address(kind byte, i int) common.Address {
	var a common.Address
	a[0] = kind
	binary.BigEndian.PutUint64(a[12:], uint64(i)*0x9E3779B97F4A7C15) // spread, distinct
	return a
}

// Epoch returns a valid epoch of the given shape. The same seed gives the
// same epoch.
func Epoch(s Shape, seed uint64) *calc.Input {
	r := rand.New(rand.NewPCG(seed, 0xbe4c))
	in := &calc.Input{
		ChainID: 18, Epoch: 12, FirstBlock: 2_592_000, RewardPerBlock: *uint256.NewInt(5e18),
		ValidatorShareBps: 2000, Eligibility: calc.EntireEpoch, ForfeitPolicy: calc.Retain,
	}
	in.LastBlock = in.FirstBlock + s.Blocks - 1
	vals := make([]common.Address, s.Validators+s.Candidates)
	for i := range vals {
		vals[i] = address(0xa0, i)
		if i < s.Validators {
			in.ValidatorsAtStart = append(in.ValidatorsAtStart, vals[i])
		}
	}
	type pos struct {
		v, d  int
		stake uint64 // in units of 10^12 wei, to keep the generator cheap
	}
	nDel := s.Delegations * 2 / 3 // many delegators stake at more than one validator
	poss := make([]pos, 0, s.Delegations)
	seen := make(map[[2]int]bool, s.Delegations)
	for len(poss) < s.Delegations {
		p := pos{v: r.IntN(len(vals)), d: r.IntN(nDel), stake: 1 + uint64(r.ExpFloat64()*1e9)}
		k := [2]int{p.v, p.d}
		if seen[k] {
			continue
		}
		seen[k] = true
		poss = append(poss, p)
	}
	unit := uint256.NewInt(1e12)
	in.StakesAtStart = make([]calc.Stake, len(poss))
	for i, p := range poss {
		st := &in.StakesAtStart[i]
		st.Validator, st.Delegator = vals[p.v], address(0xd0, p.d)
		st.Amount.Mul(uint256.NewInt(p.stake), unit)
	}
	in.Events = make([]calc.Event, 0, s.Events+2)
	step := s.Blocks / uint64(s.Events+1)
	if step == 0 {
		step = 1
	}
	b := in.FirstBlock
	for i := 0; i < s.Events && b <= in.LastBlock; i++ {
		ev := calc.Event{Block: b, LogIndex: uint64(i % 4)}
		p := &poss[r.IntN(len(poss))]
		ev.Validator, ev.Delegator = vals[p.v], address(0xd0, p.d)
		if r.IntN(3) == 0 && p.stake > 1 {
			amt := p.stake / 2
			p.stake -= amt
			ev.Kind = calc.KindUnstake
			ev.Amount.Mul(uint256.NewInt(amt), unit)
		} else {
			amt := 1 + uint64(r.ExpFloat64()*1e8)
			p.stake += amt
			ev.Kind = calc.KindStake
			ev.Amount.Mul(uint256.NewInt(amt), unit)
		}
		in.Events = append(in.Events, ev)
		if i%4 == 3 {
			b += 4 * step
		}
	}
	// One candidate is promoted a third of the way in.
	if s.Candidates > 0 && s.Validators < calc.MaxValidators {
		mid := in.FirstBlock + s.Blocks/3
		for i, ev := range in.Events {
			if ev.Block > mid {
				add := calc.Event{Block: in.Events[i-1].Block, LogIndex: in.Events[i-1].LogIndex + 100, Kind: calc.KindValidatorAdded, Validator: vals[s.Validators]}
				in.Events = append(in.Events[:i], append([]calc.Event{add}, in.Events[i:]...)...)
				break
			}
		}
	}
	for i := 0; i < s.Runs; i++ {
		from := in.FirstBlock + uint64(r.Int64N(int64(s.Blocks)))
		to := min(from+14_400, in.LastBlock)
		in.NotInGoodStanding = append(in.NotInGoodStanding, calc.NotGoodRun{Validator: vals[r.IntN(s.Validators)], FromBlock: from, ToBlock: to, Reason: calc.ReasonMissedSlots})
	}
	for i := 0; i < s.Previous; i++ {
		bal := calc.Balance{Account: address(0xd0, i)}
		bal.Amount.Mul(uint256.NewInt(1+uint64(r.IntN(1e9))), unit)
		in.PreviousCumulative = append(in.PreviousCumulative, bal)
	}
	// In export's orders: stakes by validator then delegator, previous
	// cumulatives by account (a previous result's payouts).
	slices.SortFunc(in.StakesAtStart, func(a, b calc.Stake) int {
		if c := bytes.Compare(a.Validator[:], b.Validator[:]); c != 0 {
			return c
		}
		return bytes.Compare(a.Delegator[:], b.Delegator[:])
	})
	slices.SortFunc(in.PreviousCumulative, func(a, b calc.Balance) int { return bytes.Compare(a.Account[:], b.Account[:]) })
	return in
}
