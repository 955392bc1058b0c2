package calc

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"unsafe"

	"github.com/ethereum/go-ethereum/common"
	"github.com/holiman/uint256"

	"github.com/cmt-rewards/cmt-rewards/calc/merkle"
	"github.com/cmt-rewards/cmt-rewards/internal/bulk"
)

var (
	// ErrOverflow is returned when an intermediate value does not fit 256
	// bits. No real chain gets there (§1); an input that does is rejected.
	ErrOverflow = errors.New("256-bit overflow")
	// ErrInvariant is returned when the conservation invariant of §5 or an
	// internal cross-check fails. It means a bug, never bad input, and no
	// result is returned with it.
	ErrInvariant = errors.New("conservation invariant violated")
)

// Reasons a validator is ineligible, as written in the result's
// validators[].reason. A not-good run's own reason (e.g. "missed-slots") is
// used when one intersects the epoch.
const (
	ReasonMissedSlots = "missed-slots"
	ReasonNotActive   = "not-active-entire-epoch"
)

// Scale is SCALE of rewards-v1 §1, the fixed-point scale of the
// reward-per-stake accumulators: 10^36.
var Scale = func() uint256.Int {
	var s uint256.Int
	s.SetFromDecimal("1000000000000000000000000000000000000")
	return s
}()

// validator is the running state of one validator or candidate.
type validator struct {
	addr         common.Address
	active       bool
	activeBlocks uint64
	total        uint256.Int // S_i, wei
	// accD is Σ inc_d(b) over the blocks of the epoch so far in which the
	// validator was active: the delegators' reward per unit of stake, scaled
	// by SCALE. It only moves while the validator is active, which is what
	// makes stakes at candidates earn nothing.
	accD uint256.Int
	// numV is Σ S_i(b)·inc_v(b) over the same blocks; V_i = numV / SCALE.
	numV uint256.Int
	// startLo, startHi bound the validator's start positions in poss when
	// they were loaded in order (engine.sortedStart), and startWin is
	// where their fence keys start in the delegator's bytes: all of them
	// share the bytes before it.
	startLo, startHi int32
	startWin         int
}

// position is one delegator's stake at one validator, with its share of the
// accumulator settled up to ckpt.
type position struct {
	v     int32
	d     common.Address
	stake uint256.Int
	ckpt  uint256.Int // the validator's accD when num was last settled
	num   uint256.Int // Σ s_ij(b)·inc_d(b) so far; D_ij = num / SCALE (finish replaces num by D_ij)
}

type posKey struct {
	d common.Address
	v int32
}

type engine struct {
	in       *Input
	vals     []validator
	valIndex map[common.Address]int32
	active   []int32 // indices of active validators, ≤ MaxValidators
	poss     []position
	posIndex *bulk.Index[posKey] // over poss (but start positions when sortedStart)
	seed     maphash.Seed
	// sortedStart: the start positions were loaded in order and are found
	// by binary search (loadStartSorted).
	sortedStart bool
	eventStart  []int32     // with sortedStart: each event's start position or −1 (findEventStarts)
	fence       []uint64    // with sortedStart: fence[j] is the fence key of position j·fenceStride
	stakeTotal  uint256.Int // A(b): Σ S_i over active i

	numVScaled, numDScaled uint256.Int // R·bps·SCALE, precomputed
	unallocatedBlocks      uint64

	perWorker int    // positions per goroutine at least; 0: no parallel loops
	breakdown bool   // collect lines
	lines     []Line // with breakdown: every paid amount by account, validator and role
}

// Role is why an account is paid.
type Role string

const (
	RoleValidator      Role = "validator"      // V_i of an eligible validator
	RoleDelegator      Role = "delegator"      // D_ij at an eligible validator
	RoleRedistribution Role = "redistribution" // x_p, its share of forfeits (no validator)
)

// Line is one part of an account's payout for the epoch.
type Line struct {
	Account   common.Address
	Validator common.Address // zero for redistribution
	Role      Role
	Amount    uint256.Int
}

// Compute computes one epoch exactly as rewards-v1 §2–§6 define it and
// returns the result with its payout tree. It replays the input's events and
// rejects, with a *FieldError, what §9 forbids and only the replay can see.
// The conservation invariant and internal cross-checks are verified before
// returning; a failure is an ErrInvariant error and no result.
//
// Cost: O((events + runs)·MaxValidators + delegations) time and
// O(delegations) memory, independent of the number of blocks.
// Compute does not modify in and is safe to call concurrently.
func Compute(in *Input) (*Result, error) {
	res, _, err := compute(in, false)
	return res, err
}

// ComputeBreakdown is Compute that also returns every paid amount split by
// account, validator and role, sorted by (account, validator, role); zero
// amounts are left out. The lines of an account sum to its payout, and all
// lines to distributed_wei. It costs a line per paid delegation.
func ComputeBreakdown(in *Input) (*Result, []Line, error) {
	return compute(in, true)
}

// parPerWorker is the fewest positions worth a goroutine of their own.
const parPerWorker = 4096

func compute(in *Input, breakdown bool) (*Result, []Line, error) {
	return computePar(in, breakdown, parPerWorker)
}

// computePar is compute with parallel loops giving each goroutine at least
// perWorker positions, or none when perWorker is 0 (tests compare both).
func computePar(in *Input, breakdown bool, perWorker int) (*Result, []Line, error) {
	if err := in.Check(); err != nil {
		return nil, nil, err
	}
	e := &engine{
		in:        in,
		perWorker: perWorker,
		breakdown: breakdown,
		valIndex:  make(map[common.Address]int32, len(in.ValidatorsAtStart)+16),
		poss:      make([]position, 0, len(in.StakesAtStart)+len(in.Events)),
		seed:      maphash.MakeSeed(),
	}
	e.posIndex = bulk.NewIndex(len(in.StakesAtStart)+len(in.Events), e.posKeyAt)
	if err := e.precompute(); err != nil {
		return nil, nil, err
	}
	if err := e.loadStart(); err != nil {
		return nil, nil, err
	}
	if e.sortedStart {
		e.findEventStarts()
	}
	var stop atomic.Bool
	defer stop.Store(true) // on an error, the preparation stops
	prepared := e.prepareCredits(&stop)
	// An event in block b takes effect from b+1 (§2): the run of blocks
	// ending at b still has the old state.
	next := in.FirstBlock
	for i := 0; i < len(in.Events); {
		b := in.Events[i].Block
		if err := e.advance(b - next + 1); err != nil {
			return nil, nil, err
		}
		for ; i < len(in.Events) && in.Events[i].Block == b; i++ {
			if err := e.apply(i); err != nil {
				return nil, nil, err
			}
		}
		next = b + 1
	}
	if next <= in.LastBlock {
		if err := e.advance(in.LastBlock - next + 1); err != nil {
			return nil, nil, err
		}
	}
	stop.Store(true)
	res, err := e.finish(<-prepared)
	if err != nil {
		return nil, nil, err
	}
	if breakdown {
		slices.SortFunc(e.lines, func(a, b Line) int {
			if c := bytes.Compare(a.Account[:], b.Account[:]); c != 0 {
				return c
			}
			if c := bytes.Compare(a.Validator[:], b.Validator[:]); c != 0 {
				return c
			}
			return strings.Compare(string(a.Role), string(b.Role))
		})
	}
	return res, e.lines, nil
}

func (e *engine) precompute() error {
	in := e.in
	var bps, t uint256.Int
	bps.SetUint64(in.ValidatorShareBps)
	if _, over := t.MulOverflow(&in.RewardPerBlock, &bps); over {
		return overflowErr("reward_per_block_wei", "R·bps_v")
	}
	if _, over := e.numVScaled.MulOverflow(&t, &Scale); over {
		return overflowErr("reward_per_block_wei", "R·bps_v·SCALE")
	}
	bps.SetUint64(10000 - in.ValidatorShareBps)
	if _, over := t.MulOverflow(&in.RewardPerBlock, &bps); over {
		return overflowErr("reward_per_block_wei", "R·bps_d")
	}
	if _, over := e.numDScaled.MulOverflow(&t, &Scale); over {
		return overflowErr("reward_per_block_wei", "R·bps_d·SCALE")
	}
	var blocks, minted uint256.Int
	blocks.SetUint64(in.Blocks())
	if _, over := minted.MulOverflow(&in.RewardPerBlock, &blocks); over {
		return overflowErr("reward_per_block_wei", "R·|B|")
	}
	return nil
}

func (e *engine) validator(a common.Address) int32 {
	if i, ok := e.valIndex[a]; ok {
		return i
	}
	i := int32(len(e.vals))
	e.vals = append(e.vals, validator{addr: a})
	e.valIndex[a] = i
	return i
}

func (e *engine) loadStart() error {
	for _, a := range e.in.ValidatorsAtStart {
		v := e.validator(a)
		e.vals[v].active = true
		e.active = append(e.active, v)
	}
	// Positions are indexed by a bulk.Index over e.poss rather than a
	// map: a million inserts into a map are most of the replay's time.
	if e.perWorker > 0 && (e.loadStartSorted() || e.loadStartParallel()) {
		return nil
	}
	// A duplicate stake or an overflow: the sequential load finds the
	// first, as the rules order them.
	e.poss = e.poss[:0]
	e.posIndex.Reset()
	for i := range e.vals {
		e.vals[i].total.Clear()
	}
	e.stakeTotal.Clear()
	stakes := e.in.StakesAtStart
	for i := range stakes {
		s := &stakes[i]
		v := e.validator(s.Validator)
		k := posKey{d: s.Delegator, v: v}
		if j, dup := e.posIndex.Insert(e.hash(k), int32(i), k); dup {
			// Positions are created in stakes_at_start order, so j is its index.
			return fieldErr(idx("stakes_at_start", i), "duplicate stake of delegator %s at validator %s (also at index %d)", s.Delegator.Hex(), s.Validator.Hex(), j)
		}
		e.poss = append(e.poss, position{v: v, d: s.Delegator, stake: s.Amount, ckpt: e.vals[v].accD})
		if err := e.addStake(v, &s.Amount, idx("stakes_at_start", i)+".amount_wei"); err != nil {
			return err
		}
	}
	return nil
}

// loadStartParallel loads the start positions on every core and reports
// true, or reports false if there is a duplicate stake or a sum overflows,
// leaving the caller to start again sequentially.
func (e *engine) loadStartParallel() bool {
	stakes := e.in.StakesAtStart
	n := len(stakes)
	vs := make([]int32, n)
	for i := range stakes { // in order, so validators are numbered as before
		vs[i] = e.validator(stakes[i].Validator)
	}
	e.poss = e.poss[:n]
	workers := workersFor(n, e.perWorker)
	totals := make([][]uint256.Int, workers)
	var failed atomic.Bool
	bulk.Chunks(n, workers, func(w, lo, hi int) {
		sum := make([]uint256.Int, len(e.vals))
		totals[w] = sum
		for i := lo; i < hi; i++ {
			s, v := &stakes[i], vs[i]
			// Every accumulator is still zero, so is ckpt.
			e.poss[i] = position{v: v, d: s.Delegator, stake: s.Amount}
			k := posKey{d: s.Delegator, v: v}
			if !e.posIndex.InsertShared(e.hash(k), int32(i), k) {
				failed.Store(true)
				return
			}
			if _, over := sum[v].AddOverflow(&sum[v], &s.Amount); over {
				failed.Store(true)
				return
			}
			if i&1023 == 0 && failed.Load() {
				return
			}
		}
	})
	if failed.Load() {
		return false
	}
	e.posIndex.Recount()
	for _, sum := range totals {
		for v := range sum {
			val := &e.vals[v]
			if _, over := val.total.AddOverflow(&val.total, &sum[v]); over {
				return false
			}
		}
	}
	return e.sumActiveStake()
}

// loadStartSorted loads start positions given in export's order —
// strictly ascending by validator, then delegator — without indexing
// them: a validator's start positions are one ascending run of poss, and
// position finds one there by binary search (only positions that events
// open go into posIndex). It reports false, having changed nothing the
// other loads do not reset, if the stakes are in another order (or
// repeat one: the sequential load reports that) or a sum overflows.
func (e *engine) loadStartSorted() bool {
	stakes := e.in.StakesAtStart
	n := len(stakes)
	if n == 0 || n > math.MaxInt32 {
		return false
	}
	// The order check and the search for where each validator's run
	// starts, on every core: worker w checks the pairs ending in its share.
	workers := workersFor(n, e.perWorker)
	starts := make([][]int, workers)
	var unordered atomic.Bool
	bulk.Chunks(n, workers, func(w, lo, hi int) {
		var st []int
		for i := max(lo, 1); i < hi; i++ {
			a, b := &stakes[i-1], &stakes[i]
			c := cmpAddr(&a.Validator, &b.Validator)
			if c > 0 || c == 0 && cmpAddr(&a.Delegator, &b.Delegator) >= 0 {
				unordered.Store(true)
				return
			}
			if c < 0 {
				st = append(st, i)
			}
		}
		starts[w] = st
	})
	if unordered.Load() {
		return false
	}
	// Validators are numbered in order of first appearance, as the other
	// loads number them; each one's stakes are one run.
	type run struct {
		v      int32
		lo, hi int
	}
	runs := []run{{v: e.validator(stakes[0].Validator)}}
	for _, st := range starts {
		for _, i := range st {
			runs[len(runs)-1].hi = i
			runs = append(runs, run{v: e.validator(stakes[i].Validator), lo: i})
		}
	}
	runs[len(runs)-1].hi = n
	e.poss = e.poss[:n]
	sums := make([][]uint256.Int, workers) // per worker, per run
	var failed atomic.Bool
	bulk.Chunks(n, workers, func(w, lo, hi int) {
		sums[w] = make([]uint256.Int, len(runs))
		for r := range runs {
			a, b := max(lo, runs[r].lo), min(hi, runs[r].hi)
			v, sum := runs[r].v, &sums[w][r]
			for i := a; i < b; i++ {
				s := &stakes[i]
				// Every accumulator is still zero, so is ckpt.
				e.poss[i] = position{v: v, d: s.Delegator, stake: s.Amount}
				if _, over := sum.AddOverflow(sum, &s.Amount); over {
					failed.Store(true)
					return
				}
			}
		}
	})
	if failed.Load() {
		return false
	}
	for r, ru := range runs {
		val := &e.vals[ru.v]
		for w := range sums {
			if _, over := val.total.AddOverflow(&val.total, &sums[w][r]); over {
				return false
			}
		}
		val.startLo, val.startHi = int32(ru.lo), int32(ru.hi)
		first, last := &stakes[ru.lo].Delegator, &stakes[ru.hi-1].Delegator
		for val.startWin < 12 && first[val.startWin] == last[val.startWin] {
			val.startWin++
		}
	}
	if !e.sumActiveStake() {
		return false
	}
	e.fence = make([]uint64, (n+fenceStride-1)/fenceStride)
	for j := range e.fence {
		p := &e.poss[j*fenceStride]
		e.fence[j] = fenceKey(&p.d, e.vals[p.v].startWin)
	}
	e.sortedStart = true
	e.posIndex = bulk.NewIndex(len(e.in.Events), e.posKeyAt) // for positions events open
	return true
}

// sumActiveStake sets A(b) at the start from the validators' totals,
// reporting false if it overflows.
func (e *engine) sumActiveStake() bool {
	for v := range e.vals {
		if val := &e.vals[v]; val.active {
			if _, over := e.stakeTotal.AddOverflow(&e.stakeTotal, &val.total); over {
				return false
			}
		}
	}
	return true
}

// workersFor is how many goroutines split n items, each taking at least
// per of them (one when per is 0: the sequential reference path).
func workersFor(n, per int) int {
	if per <= 0 {
		return 1
	}
	return max(1, min(runtime.GOMAXPROCS(0), n/per))
}

func (e *engine) hash(k posKey) uint64 { return maphash.Comparable(e.seed, k) }

// findEventStarts finds, on every core, the start position each stake
// or unstake event draws on when the start positions were loaded in
// order: eventStart[i] is its index, or −1 (a position an earlier event
// opens, or none). The binary searches (a cache miss each step) are the
// replay's main cost otherwise, and the replay is sequential.
func (e *engine) findEventStarts() {
	evs := e.in.Events
	e.eventStart = make([]int32, len(evs))
	bulk.Chunks(len(evs), workersFor(len(evs), e.perWorker/64+1), func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			e.eventStart[i] = -1
			ev := &evs[i]
			if ev.Kind != KindStake && ev.Kind != KindUnstake {
				continue
			}
			if v, ok := e.valIndex[ev.Validator]; ok { // read only: no validator is added here
				if j, ok := e.startPosition(posKey{d: ev.Delegator, v: v}); ok {
					e.eventStart[i] = j
				}
			}
		}
	})
}

// eventPosition returns the index of event i's position k, and whether
// there is one: a start position loaded in order was found before the
// replay (eventStart), any other is in posIndex.
func (e *engine) eventPosition(i int, k posKey) (int32, bool) {
	if e.eventStart != nil && e.eventStart[i] >= 0 {
		return e.eventStart[i], true
	}
	return e.posIndex.Lookup(e.hash(k), k)
}

// posKeyAt is the key of position j, for posIndex.
func (e *engine) posKeyAt(j int32) posKey { return posKey{d: e.poss[j].d, v: e.poss[j].v} }

// fenceStride is how many start positions a fence key stands for.
const fenceStride = 32

// fenceKey is the eight bytes of d from win, big-endian: within one
// validator's start positions (which share d[:win]) it orders them as
// their addresses do, ties aside.
func fenceKey(d *common.Address, win int) uint64 { return binary.BigEndian.Uint64(d[win:]) }

// startPosition finds k among the start positions loaded in order: first
// among the fence keys of its validator's run (every 32nd position, a
// compact array that stays in cache), then by binary search among the
// positions between two fences. A search straight over the positions
// takes a cache miss a step.
func (e *engine) startPosition(k posKey) (int32, bool) {
	val := &e.vals[k.v]
	lo, hi := val.startLo, val.startHi
	if hi-lo > 2*fenceStride {
		w := val.startWin
		if string(k.d[:w]) != string(e.poss[lo].d[:w]) {
			return 0, false // outside the run's shared prefix
		}
		t := fenceKey(&k.d, w)
		// The fences inside the run are j = jlo … jhi−1. Positions up to
		// a fence whose key is below t are below k; positions from a fence
		// whose key is above t are above it.
		jlo, jhi := (lo+fenceStride-1)/fenceStride, (hi-1)/fenceStride+1
		fs := e.fence[jlo:jhi]
		below, _ := slices.BinarySearch(fs, t) // fs[:below] < t
		above := len(fs)                       // fs[above:] > t
		if t < math.MaxUint64 {
			above, _ = slices.BinarySearch(fs, t+1)
		}
		if below > 0 {
			lo = max(lo, (jlo+int32(below)-1)*fenceStride+1)
		}
		if above < len(fs) {
			hi = min(hi, (jlo+int32(above))*fenceStride)
		}
	}
	// A binary search by hand: slices.BinarySearchFunc would copy every
	// position it compares.
	end := hi
	for lo < hi {
		m := int32(uint32(lo+hi) >> 1)
		if cmpAddr(&e.poss[m].d, &k.d) < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < end && e.poss[lo].d == k.d
}

func (e *engine) newPosition(k posKey) *position {
	e.posIndex.Insert(e.hash(k), int32(len(e.poss)), k)
	e.poss = append(e.poss, position{v: k.v, d: k.d, ckpt: e.vals[k.v].accD})
	return &e.poss[len(e.poss)-1]
}

func (e *engine) addStake(v int32, amt *uint256.Int, path string) error {
	val := &e.vals[v]
	if _, over := val.total.AddOverflow(&val.total, amt); over {
		return overflowErr(path, "total stake at %s", val.addr.Hex())
	}
	if val.active {
		if _, over := e.stakeTotal.AddOverflow(&e.stakeTotal, amt); over {
			return overflowErr(path, "total active stake")
		}
	}
	return nil
}

// advance accrues n blocks with the current state.
func (e *engine) advance(n uint64) error {
	if n == 0 {
		return nil
	}
	for _, v := range e.active {
		e.vals[v].activeBlocks += n
	}
	if e.stakeTotal.IsZero() {
		e.unallocatedBlocks += n
		return nil
	}
	// inc = floor(R·bps·SCALE / (10000·A)), constant over the run.
	var denom, incV, incD, nn uint256.Int
	denom.SetUint64(10000)
	if _, over := denom.MulOverflow(&denom, &e.stakeTotal); over {
		return fmt.Errorf("10000·A(b): %w", ErrOverflow)
	}
	incV.Div(&e.numVScaled, &denom)
	incD.Div(&e.numDScaled, &denom)
	nn.SetUint64(n)
	if _, over := incV.MulOverflow(&incV, &nn); over {
		return fmt.Errorf("n·inc_v: %w", ErrOverflow)
	}
	if _, over := incD.MulOverflow(&incD, &nn); over {
		return fmt.Errorf("n·inc_d: %w", ErrOverflow)
	}
	var t uint256.Int
	for _, v := range e.active {
		val := &e.vals[v]
		if mulOverflow(&t, &val.total, &incV) {
			return fmt.Errorf("S_i·inc_v for %s: %w", val.addr.Hex(), ErrOverflow)
		}
		if _, over := val.numV.AddOverflow(&val.numV, &t); over {
			return fmt.Errorf("Σ S_i·inc_v for %s: %w", val.addr.Hex(), ErrOverflow)
		}
		if _, over := val.accD.AddOverflow(&val.accD, &incD); over {
			return fmt.Errorf("accumulator of %s: %w", val.addr.Hex(), ErrOverflow)
		}
	}
	return nil
}

// settle moves a position's earnings up to its validator's current
// accumulator into num.
func (e *engine) settle(p *position) error {
	acc := &e.vals[p.v].accD
	if p.stake.IsZero() || acc.Eq(&p.ckpt) {
		p.ckpt = *acc
		return nil
	}
	var d uint256.Int
	d.Sub(acc, &p.ckpt)
	if mulOverflow(&d, &d, &p.stake) {
		return fmt.Errorf("s_ij·Δacc for %s at %s: %w", p.d.Hex(), e.vals[p.v].addr.Hex(), ErrOverflow)
	}
	if _, over := p.num.AddOverflow(&p.num, &d); over {
		return fmt.Errorf("Σ s_ij·inc_d for %s at %s: %w", p.d.Hex(), e.vals[p.v].addr.Hex(), ErrOverflow)
	}
	p.ckpt = *acc
	return nil
}

func (e *engine) apply(i int) error {
	ev := &e.in.Events[i]
	p := idx("events", i)
	switch ev.Kind {
	case KindStake, KindUnstake:
		v := e.validator(ev.Validator)
		k := posKey{d: ev.Delegator, v: v}
		pi, ok := e.eventPosition(i, k)
		if !ok {
			if ev.Kind == KindUnstake && !ev.Amount.IsZero() {
				return fieldErr(p+".amount_wei", "unstake of %s exceeds stake 0", ev.Amount.Dec())
			}
			if ev.Amount.IsZero() {
				return nil
			}
			e.newPosition(k)
			pi = int32(len(e.poss) - 1)
		}
		pos := &e.poss[pi]
		if err := e.settle(pos); err != nil {
			return err
		}
		if ev.Kind == KindStake {
			if _, over := pos.stake.AddOverflow(&pos.stake, &ev.Amount); over {
				return overflowErr(p+".amount_wei", "stake")
			}
			return e.addStake(v, &ev.Amount, p+".amount_wei")
		}
		if pos.stake.Lt(&ev.Amount) {
			return fieldErr(p+".amount_wei", "unstake of %s exceeds stake %s", ev.Amount.Dec(), pos.stake.Dec())
		}
		pos.stake.Sub(&pos.stake, &ev.Amount)
		val := &e.vals[v]
		val.total.Sub(&val.total, &ev.Amount)
		if val.active {
			e.stakeTotal.Sub(&e.stakeTotal, &ev.Amount)
		}
	case KindValidatorAdded:
		v := e.validator(ev.Validator)
		val := &e.vals[v]
		if val.active {
			return fieldErr(p+".validator", "%s is already active", ev.Validator.Hex())
		}
		if len(e.active) >= MaxValidators {
			return fieldErr(p+".validator", "adding %s would exceed the maximum of %d active validators", ev.Validator.Hex(), MaxValidators)
		}
		val.active = true
		e.active = append(e.active, v)
		if _, over := e.stakeTotal.AddOverflow(&e.stakeTotal, &val.total); over {
			return overflowErr(p, "total active stake")
		}
	case KindValidatorRemoved:
		v, ok := e.valIndex[ev.Validator]
		if !ok || !e.vals[v].active {
			return fieldErr(p+".validator", "%s is not active", ev.Validator.Hex())
		}
		val := &e.vals[v]
		val.active = false
		e.stakeTotal.Sub(&e.stakeTotal, &val.total)
		for j, a := range e.active {
			if a == v {
				e.active = append(e.active[:j], e.active[j+1:]...)
				break
			}
		}
	}
	return nil
}

func (e *engine) finish(arrays creditArrays) (*Result, error) {
	in := e.in
	res := &Result{Epoch: in.Epoch, FirstBlock: in.FirstBlock, LastBlock: in.LastBlock}

	// Per-validator entitlement and eligibility.
	notGood := make(map[common.Address]string, len(in.NotInGoodStanding))
	for _, g := range in.NotInGoodStanding {
		if _, seen := notGood[g.Validator]; !seen {
			notGood[g.Validator] = g.Reason
		}
	}
	nv := len(e.vals)
	eligible := make([]bool, nv)
	resIdx := make([]int, nv)
	for v := range e.vals {
		resIdx[v] = -1
	}
	for v := range e.vals {
		val := &e.vals[v]
		if val.activeBlocks == 0 {
			continue
		}
		vr := ValidatorResult{Validator: val.addr, ActiveBlocks: val.activeBlocks, Eligible: true}
		vr.ValidatorReward.Div(&val.numV, &Scale)
		if reason, bad := notGood[val.addr]; bad {
			vr.Eligible, vr.Reason = false, reason
		} else if in.Eligibility == EntireEpoch && val.activeBlocks != in.Blocks() {
			vr.Eligible, vr.Reason = false, ReasonNotActive
		}
		eligible[v] = vr.Eligible
		resIdx[v] = len(res.Validators)
		res.Validators = append(res.Validators, vr)
	}

	// Payouts before redistribution. Each amount owed (a credit) is named
	// by a key — its address and a reference to where the amount is: a
	// validator result, a position or a previous cumulative (creditRefs)
	// — and the keys are ordered by address to sum them per account,
	// which also yields the payouts' order and is faster than a map for a
	// million delegations.
	refs := creditRefs{prev: in.PreviousCumulative, vals: res.Validators, poss: e.poss}
	keys := arrays.keys // the previous cumulatives' keys, made during the replay
	if need := len(keys) + len(res.Validators) + len(e.poss); cap(keys) < need {
		keys = append(make([]addrKey, 0, need), keys...)
	}
	var entitled, forfeited uint256.Int // E and F
	for i := range res.Validators {
		vr := &res.Validators[i]
		if _, over := entitled.AddOverflow(&entitled, &vr.ValidatorReward); over {
			return nil, fmt.Errorf("E: %w", ErrOverflow)
		}
		if !vr.Eligible {
			forfeited.Add(&forfeited, &vr.ValidatorReward)
			continue
		}
		keys = append(keys, makeAddrKey(&vr.Validator, refs.val(i)))
		if e.breakdown && !vr.ValidatorReward.IsZero() {
			e.lines = append(e.lines, Line{Account: vr.Validator, Validator: vr.Validator, Role: RoleValidator, Amount: vr.ValidatorReward})
		}
	}
	// Settling every position and dividing by SCALE is independent per
	// position: done on every core, leaving D_ij in num, with each core's
	// tally of what its share adds. The credits are then keyed on every
	// core too, unless something failed or lines are wanted: then the
	// sequential loop meets the first failure where the rules order it.
	tallies, errAt, settleErr := e.settleAll(eligible)
	if !(errAt < 0 && !e.breakdown && e.creditPositions(res, resIdx, eligible, tallies, &entitled, &forfeited, &keys, refs)) {
		if err := e.creditPositionsSeq(res, resIdx, eligible, errAt, settleErr, &entitled, &forfeited, &keys, refs); err != nil {
			return nil, err
		}
	}
	accts, paid := mergeCredits(keys, &refs, e.perWorker, arrays.accts)
	keys = nil

	var blocks uint256.Int
	blocks.SetUint64(in.Blocks())
	res.Minted.Mul(&in.RewardPerBlock, &blocks) // checked in precompute
	blocks.SetUint64(e.unallocatedBlocks)
	res.Unallocated.Mul(&in.RewardPerBlock, &blocks)
	var allocated uint256.Int
	allocated.Sub(&res.Minted, &res.Unallocated)
	if entitled.Gt(&allocated) {
		return nil, fmt.Errorf("entitled %s exceeds minted−unallocated %s: %w", entitled.Dec(), allocated.Dec(), ErrInvariant)
	}
	res.RoundingDust.Sub(&allocated, &entitled)
	res.Distributed.Sub(&entitled, &forfeited)
	res.Forfeited = forfeited

	// T = Σ P_p
	if !paid.Eq(&res.Distributed) {
		return nil, fmt.Errorf("Σ payouts %s ≠ E−F %s: %w", paid.Dec(), res.Distributed.Dec(), ErrInvariant)
	}
	if in.ForfeitPolicy == Redistribute && !paid.IsZero() && !forfeited.IsZero() {
		var x, given uint256.Int
		for i := range accts {
			a := &accts[i]
			if _, over := x.MulOverflow(&forfeited, &a.Amount); over {
				return nil, fmt.Errorf("F·P_p for %s: %w", a.Account.Hex(), ErrOverflow)
			}
			x.Div(&x, &paid)
			a.Amount.Add(&a.Amount, &x)
			if e.breakdown && !x.IsZero() {
				e.lines = append(e.lines, Line{Account: a.Account, Role: RoleRedistribution, Amount: x})
			}
			given.Add(&given, &x)
		}
		if given.Gt(&forfeited) {
			return nil, fmt.Errorf("redistributed %s exceeds forfeited %s: %w", given.Dec(), forfeited.Dec(), ErrInvariant)
		}
		res.Distributed.Add(&res.Distributed, &given)
		forfeited.Sub(&forfeited, &given)
		res.RoundingDust.Add(&res.RoundingDust, &forfeited)
		res.Forfeited.Clear()
	}

	// Cumulative amounts, already in address order; the accounts become
	// the payouts in place.
	sum, zeros, err := cumulate(accts, e.perWorker)
	if err != nil {
		return nil, err
	}
	if zeros > 0 { // no leaf (§6)
		accts = slices.DeleteFunc(accts, func(p Payout) bool { return p.Cumulative.IsZero() })
	}
	res.Payouts = accts
	sort.Slice(res.Validators, func(i, j int) bool {
		return bytes.Compare(res.Validators[i].Validator[:], res.Validators[j].Validator[:]) < 0
	})

	if err := res.checkInvariant(); err != nil {
		return nil, err
	}
	if !sum.Eq(&res.Distributed) {
		return nil, fmt.Errorf("Σ payouts %s ≠ distributed %s: %w", sum.Dec(), res.Distributed.Dec(), ErrInvariant)
	}
	tree, err := res.buildTree()
	if err != nil {
		return nil, err
	}
	res.Tree = tree
	res.MerkleRoot = tree.Root()
	return res, nil
}

// creditTally is what one core's share of the positions adds up to after
// settling: Σ D_ij per validator (index into engine.vals), Σ D_ij (to E),
// the part of it at ineligible validators (to F), and how many credit
// keys its positions at eligible validators make. overflow is set when a
// sum overflowed: the sequential loop then reports the first.
type creditTally struct {
	perVal    []uint256.Int
	entitled  uint256.Int
	forfeited uint256.Int
	keys      int
	overflow  bool
}

// settleAll settles every position and replaces its num by D_ij =
// num / SCALE, on every core, each core tallying its share of the
// positions (eligible is by validator index). It returns the tallies in
// the order of the shares, or the index of the first position that failed
// and its error (−1 and nil when none did). The shares are those of
// bulk.Chunks over the positions with len(tallies) workers.
func (e *engine) settleAll(eligible []bool) ([]creditTally, int, error) {
	n := len(e.poss)
	// Four shares per core: positions at active validators cost more to
	// settle than others, and a core done early takes another share.
	workers := workersFor(n, e.perWorker)
	if workers > 1 {
		workers *= 4
	}
	errAt := make([]int, workers)
	errs := make([]error, workers)
	tallies := make([]creditTally, workers)
	bulk.Chunks(n, workers, func(w, lo, hi int) {
		errAt[w] = -1
		t := &tallies[w]
		t.perVal = make([]uint256.Int, len(e.vals))
		for i := lo; i < hi; i++ {
			p := &e.poss[i]
			if err := e.settle(p); err != nil {
				errAt[w], errs[w] = i, err
				return
			}
			if p.num.IsZero() {
				continue
			}
			if p.num.Div(&p.num, &Scale); p.num.IsZero() {
				continue
			}
			_, o1 := t.perVal[p.v].AddOverflow(&t.perVal[p.v], &p.num)
			_, o2 := t.entitled.AddOverflow(&t.entitled, &p.num)
			t.overflow = t.overflow || o1 || o2
			if !eligible[p.v] {
				t.forfeited.Add(&t.forfeited, &p.num) // ≤ entitled
				continue
			}
			t.keys++
		}
	})
	for w := range workers {
		if errAt[w] >= 0 {
			return nil, errAt[w], errs[w]
		}
	}
	return tallies, -1, nil
}

// creditPositions adds the settled positions' D_ij to their validators'
// results, E and F from the tallies, and appends a credit key for each
// position at an eligible validator, on every core. It reports false,
// having changed nothing, if a sum overflows; the sequential loop then
// says where.
func (e *engine) creditPositions(res *Result, resIdx []int, eligible []bool, tallies []creditTally, entitled, forfeited *uint256.Int, keys *[]addrKey, refs creditRefs) bool {
	delegators := make([]uint256.Int, len(res.Validators))
	for i := range res.Validators {
		delegators[i] = res.Validators[i].DelegatorRewards
	}
	e2, f2 := *entitled, *forfeited
	offs := make([]int, len(tallies)+1)
	offs[0] = len(*keys)
	for w := range tallies {
		t := &tallies[w]
		if t.overflow {
			return false
		}
		for v := range t.perVal {
			if t.perVal[v].IsZero() {
				continue
			}
			if resIdx[v] < 0 { // D_ij > 0 implies the validator was active
				return false
			}
			if _, over := delegators[resIdx[v]].AddOverflow(&delegators[resIdx[v]], &t.perVal[v]); over {
				return false
			}
		}
		if _, over := e2.AddOverflow(&e2, &t.entitled); over {
			return false
		}
		f2.Add(&f2, &t.forfeited)
		offs[w+1] = offs[w] + t.keys
	}
	for i := range res.Validators {
		res.Validators[i].DelegatorRewards = delegators[i]
	}
	*entitled, *forfeited = e2, f2
	ks := (*keys)[:offs[len(tallies)]]
	bulk.Chunks(len(e.poss), len(tallies), func(w, lo, hi int) {
		at := offs[w]
		for i := lo; i < hi; i++ {
			if p := &e.poss[i]; !p.num.IsZero() && eligible[p.v] {
				ks[at] = makeAddrKey(&p.d, refs.pos(i))
				at++
			}
		}
	})
	*keys = ks
	return true
}

// creditPositionsSeq is creditPositions one position at a time, which
// meets the first failure (a settling error at errAt, or an overflow)
// where the rules order it, and collects lines.
func (e *engine) creditPositionsSeq(res *Result, resIdx []int, eligible []bool, errAt int, settleErr error, entitled, forfeited *uint256.Int, keys *[]addrKey, refs creditRefs) error {
	for i := range e.poss {
		if i == errAt {
			return settleErr
		}
		p := &e.poss[i]
		if p.num.IsZero() {
			continue
		}
		d := &p.num
		vr := &res.Validators[resIdx[p.v]] // D_ij > 0 implies the validator was active
		if _, over := vr.DelegatorRewards.AddOverflow(&vr.DelegatorRewards, d); over {
			return fmt.Errorf("Σ D_ij for %s: %w", vr.Validator.Hex(), ErrOverflow)
		}
		if _, over := entitled.AddOverflow(entitled, d); over {
			return fmt.Errorf("E: %w", ErrOverflow)
		}
		if !eligible[p.v] {
			forfeited.Add(forfeited, d)
			continue
		}
		*keys = append(*keys, makeAddrKey(&p.d, refs.pos(i)))
		if e.breakdown {
			e.lines = append(e.lines, Line{Account: p.d, Validator: vr.Validator, Role: RoleDelegator, Amount: *d})
		}
	}
	return nil
}

// creditRefs resolves the references in credit keys: previous
// cumulatives first (their keys are made while the replay runs, before
// the others' numbers are known), then validator results, then positions
// (num holding D_ij), in one int32 space in that order.
type creditRefs struct {
	prev []Balance
	vals []ValidatorResult
	poss []position
}

func prevRef(j int) int32             { return int32(j) }
func (c *creditRefs) val(i int) int32 { return int32(len(c.prev) + i) }
func (c *creditRefs) pos(i int) int32 { return int32(len(c.prev) + len(c.vals) + i) }

// amount returns the amount a reference names, and whether it is a
// previous cumulative.
func (c *creditRefs) amount(ref int32) (*uint256.Int, bool) {
	i := int(ref)
	switch {
	case i < len(c.prev):
		return &c.prev[i].Amount, true
	case i < len(c.prev)+len(c.vals):
		return &c.vals[i-len(c.prev)].ValidatorReward, false
	}
	return &c.poss[i-len(c.prev)-len(c.vals)].num, false
}

// creditArrays are the credit keys (those of the previous cumulatives
// already made) and the room mergeCredits sums them into, made before
// finish needs them.
type creditArrays struct {
	keys  []addrKey
	accts []Payout
}

// prepareCredits makes the credit arrays while the caller runs the
// sequential replay: on another core, it makes the previous cumulatives'
// keys, then touches the pages of the accounts' room (each first write to
// a fresh page is a page fault, about 2 µs here) until stop is set, so
// the parallel phases after the replay take fewer faults. Receiving from
// the channel waits for it. Without parallel loops it does the same at
// once, touching nothing.
func (e *engine) prepareCredits(stop *atomic.Bool) <-chan creditArrays {
	in := e.in
	// At most one key per previous cumulative, validator (one that stakes
	// name, or that an event adds) and position (a start stake, or one an
	// event opens).
	n := len(in.PreviousCumulative) + len(e.vals) + len(in.Events) + len(e.poss) + len(in.Events)
	out := make(chan creditArrays, 1)
	build := func(touch bool) {
		keys := make([]addrKey, len(in.PreviousCumulative), n)
		for j := range in.PreviousCumulative {
			keys[j] = makeAddrKey(&in.PreviousCumulative[j].Account, prevRef(j))
		}
		accts := make([]Payout, n)
		if touch {
			const step = 4096 / int(unsafe.Sizeof(Payout{}))
			for i := 0; i < len(accts) && !stop.Load(); i += 64 * step {
				for k := i; k < min(len(accts), i+64*step); k += step {
					accts[k].Account[0] = 0
				}
			}
		}
		out <- creditArrays{keys, accts}
	}
	if e.perWorker == 0 {
		build(false)
	} else {
		go build(true)
	}
	return out
}

// cumulate adds each account's amount to its previous cumulative (held in
// Cumulative) on every core, and returns Σ Amount and how many
// cumulatives are zero. An overflow is reported for the first account (in
// order) that has one.
func cumulate(accts []Payout, perWorker int) (sum uint256.Int, zeros int, err error) {
	workers := workersFor(len(accts), perWorker)
	sums := make([]uint256.Int, workers)
	zero := make([]int, workers)
	overAt := make([]int, workers)
	bulk.Chunks(len(accts), workers, func(w, lo, hi int) {
		overAt[w] = -1
		for i := lo; i < hi; i++ {
			a := &accts[i]
			if _, over := a.Cumulative.AddOverflow(&a.Cumulative, &a.Amount); over {
				overAt[w] = i
				return
			}
			if a.Cumulative.IsZero() {
				zero[w]++
			}
			sums[w].Add(&sums[w], &a.Amount)
		}
	})
	for w := range workers {
		if i := overAt[w]; i >= 0 {
			return sum, 0, fmt.Errorf("cumulative of %s: %w", accts[i].Account.Hex(), ErrOverflow)
		}
		sum.Add(&sum, &sums[w])
		zeros += zero[w]
	}
	return sum, zeros, nil
}

// addrKey is an address as big-endian words, which compare as its bytes
// do, and the index of what it belongs to.
type addrKey struct {
	hi, mid uint64
	lo      uint32
	i       int32
}

func makeAddrKey(a *common.Address, i int32) addrKey {
	return addrKey{binary.BigEndian.Uint64(a[:8]), binary.BigEndian.Uint64(a[8:16]), binary.BigEndian.Uint32(a[16:]), i}
}

// address returns the address of k.
func (k *addrKey) address() (a common.Address) {
	binary.BigEndian.PutUint64(a[:8], k.hi)
	binary.BigEndian.PutUint64(a[8:16], k.mid)
	binary.BigEndian.PutUint32(a[16:], k.lo)
	return a
}

// sameKeyAddr reports whether two keys have the same address.
func sameKeyAddr(a, b *addrKey) bool { return a.hi == b.hi && a.mid == b.mid && a.lo == b.lo }

// mulOverflow is z.MulOverflow(x, y): z = x·y mod 2^256, reporting
// whether x·y overflows. When both fit 128 bits (as stakes and the
// accumulators' increments do on any real chain) the product is four
// 64-bit multiplications and cannot overflow; otherwise uint256 decides.
// It is the replay's and settling's innermost step, a million times an
// epoch.
func mulOverflow(z, x, y *uint256.Int) bool {
	if x[2]|x[3]|y[2]|y[3] != 0 {
		_, over := z.MulOverflow(x, y)
		return over
	}
	h00, l00 := bits.Mul64(x[0], y[0])
	h01, l01 := bits.Mul64(x[0], y[1])
	h10, l10 := bits.Mul64(x[1], y[0])
	h11, l11 := bits.Mul64(x[1], y[1])
	z1, c1 := bits.Add64(h00, l01, 0)
	z1, c2 := bits.Add64(z1, l10, 0)
	z2, c3 := bits.Add64(h01, h10, c1)
	z2, c4 := bits.Add64(z2, l11, c2)
	z[0], z[1], z[2], z[3] = l00, z1, z2, h11+c3+c4
	return false
}

// cmpAddr orders addresses as their bytes compare: as keys, a word at a
// time.
func cmpAddr(a, b *common.Address) int { return cmpAddrKey(makeAddrKey(a, 0), makeAddrKey(b, 0)) }

// cmpAddrKey orders keys by address, then index.
func cmpAddrKey(a, b addrKey) int {
	switch {
	case a.hi != b.hi:
		return cmpU64(a.hi, b.hi)
	case a.mid != b.mid:
		return cmpU64(a.mid, b.mid)
	case a.lo != b.lo:
		return cmpU64(uint64(a.lo), uint64(b.lo))
	}
	return int(a.i) - int(b.i)
}

func cmpU64(a, b uint64) int {
	if a < b {
		return -1
	}
	return 1
}

// checkInvariant verifies distributed + forfeited + unallocated + dust = minted.
func (r *Result) checkInvariant() error {
	var s uint256.Int
	for _, x := range []*uint256.Int{&r.Distributed, &r.Forfeited, &r.Unallocated, &r.RoundingDust} {
		if _, over := s.AddOverflow(&s, x); over {
			return fmt.Errorf("invariant sum: %w", ErrInvariant)
		}
	}
	if !s.Eq(&r.Minted) {
		return fmt.Errorf("distributed+forfeited+unallocated+dust = %s ≠ minted %s: %w", s.Dec(), r.Minted.Dec(), ErrInvariant)
	}
	return nil
}

func (r *Result) buildTree() (*merkle.Tree, error) {
	accounts := make([]common.Address, len(r.Payouts))
	amounts := make([]uint256.Int, len(r.Payouts))
	n := len(r.Payouts)
	bulk.Chunks(n, workersFor(n, parPerWorker), func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			accounts[i], amounts[i] = r.Payouts[i].Account, r.Payouts[i].Cumulative
		}
	})
	t, err := merkle.BuildFrom(accounts, amounts)
	if err != nil {
		return nil, fmt.Errorf("build payout tree: %w", err)
	}
	return t, nil
}
