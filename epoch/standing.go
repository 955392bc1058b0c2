package epoch

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/ethereum/go-ethereum/common"
)

// ErrStandingConfig is wrapped by every error StandingConfig.Check reports.
var ErrStandingConfig = errors.New("invalid standing config")

// Standing defaults (rewards-v1 §7).
const (
	// DefaultWindow is W: 14400 blocks, 24 hours at 6 s per block.
	DefaultWindow = 14400
	// DefaultThreshold is T: a validator with T or more misses in the window
	// is not in good standing.
	DefaultThreshold = 50
	// ReasonMissedSlots is the Reason of a Run in which the validator had T
	// or more misses in the window, as written in the epoch input's
	// not_in_good_standing[].reason.
	ReasonMissedSlots = "missed-slots"
	// ReasonNotASigner is the Reason of a Run in which the validator's
	// signer was not in the Clique signer set (rewards-v1 §7, 1.1).
	ReasonNotASigner = "not-a-signer"
)

// StandingConfig parameterises good standing (rewards-v1 §7).
type StandingConfig struct {
	// Window is W: Good(i, b) counts i's misses in blocks (b−W, b].
	Window uint64
	// Threshold is T: i is in good standing at b only with fewer than T
	// misses in the window.
	Threshold uint64
	// SignerToValidator maps a Clique signer address to the validator's
	// contract address when the two differ. An address that is neither a
	// key nor a value is its own signer. The map must be one-to-one (Check).
	SignerToValidator map[common.Address]common.Address
}

// DefaultStandingConfig returns W = 14400, T = 50 and no address map.
func DefaultStandingConfig() StandingConfig {
	return StandingConfig{Window: DefaultWindow, Threshold: DefaultThreshold}
}

// Check reports every invalid field, each error wrapping ErrStandingConfig
// (joined with errors.Join): Window 0, Threshold 0, a zero address as key or
// value of SignerToValidator, and a validator address mapped from more than
// one signer. It returns nil for a valid config.
func (c StandingConfig) Check() error {
	var errs []error
	if c.Window == 0 {
		errs = append(errs, fmt.Errorf("%w: Window is 0, must be a positive number of blocks", ErrStandingConfig))
	}
	if c.Threshold == 0 {
		errs = append(errs, fmt.Errorf("%w: Threshold is 0, must be a positive number of misses", ErrStandingConfig))
	}
	from := make(map[common.Address]common.Address)
	for _, s := range sortedKeys(c.SignerToValidator) {
		v := c.SignerToValidator[s]
		if s == (common.Address{}) {
			errs = append(errs, fmt.Errorf("%w: SignerToValidator has the zero address as a signer", ErrStandingConfig))
		}
		if v == (common.Address{}) {
			errs = append(errs, fmt.Errorf("%w: SignerToValidator[%s] is the zero address", ErrStandingConfig, s))
			continue
		}
		if prev, dup := from[v]; dup {
			errs = append(errs, fmt.Errorf("%w: SignerToValidator[%s] and SignerToValidator[%s] both map to validator %s", ErrStandingConfig, prev, s, v))
			continue
		}
		from[v] = s
	}
	return errors.Join(errs...)
}

// ValidatorOf returns the validator contract address whose signer is
// signer (rewards-v1 §7): its SignerToValidator entry; else the signer
// itself, unless the configuration gives that validator another signer
// (the address is a value of the map but not a key), in which case signer
// is no validator's signer and ok is false. With a map that passes Check,
// ValidatorOf and SignerOf are inverse one-to-one mappings.
func (c StandingConfig) ValidatorOf(signer common.Address) (validator common.Address, ok bool) {
	if v, ok := c.SignerToValidator[signer]; ok {
		return v, true
	}
	if c.mappedTo(signer) {
		return common.Address{}, false
	}
	return signer, true
}

// SignerOf returns the Clique signer of a validator (rewards-v1 §7): the
// key of SignerToValidator that maps to it; else the validator's own
// address, unless that address is mapped to another validator (it is a key
// of the map), in which case the validator has no signer and ok is false.
func (c StandingConfig) SignerOf(validator common.Address) (signer common.Address, ok bool) {
	for s, v := range c.SignerToValidator {
		if v == validator {
			return s, true
		}
	}
	if _, mapped := c.SignerToValidator[validator]; mapped {
		return common.Address{}, false
	}
	return validator, true
}

// mappedTo reports whether a is a value of SignerToValidator.
func (c StandingConfig) mappedTo(a common.Address) bool {
	for _, v := range c.SignerToValidator {
		if v == a {
			return true
		}
	}
	return false
}

// MissOf turns a MissTracker verdict into a Miss charged to the in-turn
// signer's validator; ok is false when the slot is not a judged miss, or
// when the in-turn signer is no validator's signer (see ValidatorOf).
func (c StandingConfig) MissOf(s Slot) (m Miss, ok bool) {
	if !s.Judged || !s.Missed {
		return Miss{}, false
	}
	v, ok := c.ValidatorOf(s.InTurn)
	if !ok {
		return Miss{}, false
	}
	return Miss{Block: s.Block, Signer: s.InTurn, Validator: v}, true
}

// MissesFrom returns the first block whose misses NotGoodRuns and MissCounts
// need for the blocks [first, …]: first−W+1, or 0 when that is negative.
// Judge (MissTracker's from) at least from here.
func (c StandingConfig) MissesFrom(first uint64) uint64 {
	if c.Window > first {
		return 0
	}
	return first - c.Window + 1
}

// Miss is one missed slot: block Block was sealed out of turn while its
// in-turn signer Signer was not barred by the recency rule. Validator is
// the validator the miss counts against (StandingConfig.ValidatorOf(Signer));
// when it is zero, NotGoodRuns and MissCounts derive it from Signer (and
// ignore the miss when Signer is no validator's signer).
type Miss struct {
	Block     uint64
	Signer    common.Address
	Validator common.Address
}

// Range is an inclusive range of blocks [From, To].
type Range struct {
	From, To uint64
}

// Run is a maximal range of blocks [From, To] in which Validator is active
// and not in good standing for one reason. Consecutive not-good blocks with
// different reasons are separate runs (rewards-v1 §7, 1.1).
type Run struct {
	Validator common.Address
	From, To  uint64
	// Reason is ReasonNotASigner when the validator's signer is not in
	// signers(b) for the blocks of the run, else ReasonMissedSlots.
	Reason string
	// Missed lists, ascending, the blocks in (From−W, To] at which a miss
	// was charged to Validator: the evidence for a ReasonMissedSlots run.
	// It is empty (not nil, so it encodes as []) for a ReasonNotASigner run,
	// whose evidence is the signer set.
	Missed []uint64
}

// SignerSet is the Clique signer set in force from block From on, until the
// From of the next SignerSet of a SignerHistory.
type SignerSet struct {
	From    uint64
	Signers []common.Address // ascending by address bytes
}

// SignerHistory is signers(b) over a range of blocks, as a list of the sets
// in force, sorted by strictly increasing From: the set in force at b is
// that of the last entry with From ≤ b. Before the first entry no address
// is a signer. Build one with Add from MissTracker's slots.
type SignerHistory []SignerSet

// Add records that signers is signers(b). Blocks must be added in
// increasing order (gaps are fine: a set stays in force until the next
// one); only a change of set is stored, so a history costs memory per
// signer-set change, not per block.
//
// Add keeps signers without copying it when it is sorted (an unsorted set
// is stored as a sorted copy), so the caller must not modify it afterwards.
// It is made for MissTracker's Slot.Signers, which the tracker never
// modifies and replaces when the set changes: an unchanged set is then
// recognised by identity, in constant time, whatever its size.
func (h *SignerHistory) Add(b uint64, signers []common.Address) {
	if n := len(*h); n > 0 && sameSet((*h)[n-1].Signers, signers) {
		return
	}
	byBytes := func(a, b common.Address) int { return bytes.Compare(a[:], b[:]) }
	if !slices.IsSortedFunc(signers, byBytes) {
		signers = slices.Clone(signers)
		slices.SortFunc(signers, byBytes)
	}
	*h = append(*h, SignerSet{From: b, Signers: signers})
}

// sameSet reports whether two sets are equal, comparing identity first.
func sameSet(a, b []common.Address) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) == 0 || &a[0] == &b[0] {
		return true
	}
	return slices.Equal(a, b)
}

// At returns signers(b): the set of the last entry with From ≤ b, or nil
// when b is before the first entry. The slice is shared with h.
func (h SignerHistory) At(b uint64) []common.Address {
	i := sort.Search(len(h), func(i int) bool { return h[i].From > b })
	if i == 0 {
		return nil
	}
	return h[i-1].Signers
}

// ranges returns, per address, the merged inclusive ranges of the blocks of
// [first, last] in which it is in signers(b).
func (h SignerHistory) ranges(first, last uint64) map[common.Address][]Range {
	out := make(map[common.Address][]Range)
	for i, set := range h {
		from, to := max(set.From, first), last
		if i+1 < len(h) {
			if h[i+1].From <= set.From {
				continue // not strictly increasing: the later entry wins
			}
			to = min(to, h[i+1].From-1)
		}
		if from > to {
			continue
		}
		for _, s := range set.Signers {
			out[s] = append(out[s], Range{from, to})
		}
	}
	for s, rs := range out {
		out[s] = normalizeRanges(rs, first, last)
	}
	return out
}

// NotGoodRuns returns the runs of blocks b in [first, last] in which a
// validator is active and not in good standing (rewards-v1 §4, §7): i is
// in good standing at b when i ∈ Active(b), SignerOf(i) ∈ signers(b), and
// i's misses in blocks (b−W, b] number fewer than T. Each run has one
// reason: ReasonNotASigner for active blocks whose signers(b) lacks i's
// signer (whatever its misses: a validator voted out of Clique is
// not-a-signer from the first block it is out), ReasonMissedSlots for the
// other active blocks with T or more misses in the window. Consecutive
// not-good blocks with different reasons make separate runs. The result is
// sorted by validator (address bytes) and then From; it is nil when there
// are none or first > last.
//
// misses must hold every miss in blocks MissesFrom(first) … last (earlier
// and later ones are ignored). A miss counts against Miss.Validator (or
// ValidatorOf(Signer) when that is zero); a second miss for the same
// validator and block counts once. Misses already in block order are used
// as they come (what MissTracker produces); otherwise they are sorted first.
//
// signers must give signers(b) for every block of [first, last] (a block
// before its first entry has no signers, so every active validator is
// not-a-signer there).
//
// active maps a validator address to the inclusive block ranges in which it
// is in Active(b); the ranges may overlap, touch, be unordered or extend
// beyond [first, last]. Ranges with From > To are empty. Validators without
// ranges are never in a run.
//
// cfg should pass Check; NotGoodRuns itself applies the definition as
// written to any W and T (T = 0 makes every active signer block not good,
// W = 0 counts no misses). Cost: O(misses + ranges·log ranges +
// signer-set changes·signers + runs + evidence), independent of
// last−first.
func NotGoodRuns(cfg StandingConfig, misses []Miss, signers SignerHistory, active map[common.Address][]Range, first, last uint64) []Run {
	if first > last {
		return nil
	}
	byVal := groupMisses(cfg, misses, first, last)
	signerRanges := signers.ranges(first, last)
	var runs []Run
	for _, v := range sortedKeys(active) {
		ranges := normalizeRanges(active[v], first, last)
		if len(ranges) == 0 {
			continue
		}
		runs = append(runs, validatorRuns(cfg, v, ranges, signedRanges(cfg, v, signerRanges), byVal[v], first, last)...)
	}
	return runs
}

// signedRanges returns the ranges of blocks in which validator v's signer
// is a Clique signer: nil when v has no signer.
func signedRanges(cfg StandingConfig, v common.Address, signerRanges map[common.Address][]Range) []Range {
	s, ok := cfg.SignerOf(v)
	if !ok {
		return nil
	}
	return signerRanges[s]
}

// validatorRuns returns validator v's runs, sorted by From, given its
// active ranges and the ranges in which its signer is a Clique signer (both
// sorted, merged and inside [first, last]) and its ascending distinct miss
// blocks ms.
func validatorRuns(cfg StandingConfig, v common.Address, active, signed []Range, ms []uint64, first, last uint64) []Run {
	var runs []Run
	for _, r := range subtract(active, signed) {
		runs = append(runs, Run{Validator: v, From: r.From, To: r.To, Reason: ReasonNotASigner, Missed: []uint64{}})
	}
	asSigner := intersect(active, signed)
	for _, r := range intersect(notGoodIntervals(ms, cfg.Window, cfg.Threshold, first, last), asSigner) {
		lo := sort.Search(len(ms), func(i int) bool { return satAdd(ms[i], cfg.Window) > r.From })
		hi := sort.Search(len(ms), func(i int) bool { return ms[i] > r.To })
		runs = append(runs, Run{
			Validator: v,
			From:      r.From,
			To:        r.To,
			Reason:    ReasonMissedSlots,
			Missed:    slices.Clone(ms[lo:hi]),
		})
	}
	slices.SortFunc(runs, func(a, b Run) int { return cmp.Compare(a.From, b.From) })
	return runs
}

// ValidatorStanding summarises one validator's standing over the blocks
// [first, last] (what `rewardctl audit` prints per validator).
type ValidatorStanding struct {
	Validator common.Address
	// ActiveBlocks is the number of blocks of [first, last] in which the
	// validator is in Active(b).
	ActiveBlocks uint64
	// Missed is the number of misses charged to the validator in blocks
	// [first, last], active or not; MissedWhileActive counts those at
	// blocks where it is active.
	Missed, MissedWhileActive uint64
	// PeakWindow is the largest window count (misses in (b−W, b]) over the
	// blocks of [first, last] in which the validator is active; 0 when it
	// is never active.
	PeakWindow uint64
	// NotSignerBlocks is the number of active blocks in which the
	// validator's signer is not in signers(b): the total length of its
	// ReasonNotASigner runs.
	NotSignerBlocks uint64
	// NotGoodBlocks is the number of active blocks in which the validator
	// is not in good standing, for either reason: the total length of its
	// NotGoodRuns.
	NotGoodBlocks uint64
	// Good reports NotGoodBlocks == 0: in good standing in every block of
	// [first, last] in which it is active (no not-good run intersects the
	// range; the `while-active` eligibility of rewards-v1 §4).
	Good bool
	// EntireRange reports Good and active in every block of [first, last]
	// (the default `entire-epoch` eligibility of rewards-v1 §4).
	EntireRange bool
}

// MissCounts returns a ValidatorStanding for every validator that is active
// in at least one block of [first, last] or has a miss there, sorted by
// address bytes; nil when first > last. Inputs are read as NotGoodRuns reads
// them, and the figures agree with NotGoodRuns for the same inputs. Cost:
// O(misses + ranges·log ranges + signer-set changes·signers + validators·log
// validators).
func MissCounts(cfg StandingConfig, misses []Miss, signers SignerHistory, active map[common.Address][]Range, first, last uint64) []ValidatorStanding {
	if first > last {
		return nil
	}
	byVal := groupMisses(cfg, misses, first, last)
	signerRanges := signers.ranges(first, last)
	vals := make(map[common.Address][]Range)
	for v, rs := range active {
		if n := normalizeRanges(rs, first, last); len(n) > 0 {
			vals[v] = n
		}
	}
	for v, ms := range byVal {
		if len(ms) > 0 && ms[len(ms)-1] >= first {
			if _, ok := vals[v]; !ok {
				vals[v] = nil
			}
		}
	}
	out := make([]ValidatorStanding, 0, len(vals))
	for _, v := range sortedKeys(vals) {
		ranges, ms := vals[v], byVal[v]
		s := ValidatorStanding{Validator: v}
		for _, r := range ranges {
			s.ActiveBlocks += r.To - r.From + 1
		}
		// Misses in [first, last], and those in active blocks.
		ri := 0
		for _, m := range ms {
			if m < first {
				continue
			}
			s.Missed++
			for ri < len(ranges) && ranges[ri].To < m {
				ri++
			}
			if ri < len(ranges) && ranges[ri].From <= m {
				s.MissedWhileActive++
			}
		}
		// Peak window count, segment by segment, over active blocks.
		ri = 0
		forEachSegment(ms, cfg.Window, first, last, func(from, to, count uint64) {
			for ri < len(ranges) && ranges[ri].To < from {
				ri++
			}
			if ri < len(ranges) && ranges[ri].From <= to {
				s.PeakWindow = max(s.PeakWindow, count)
			}
		})
		// Not-good blocks: the runs, so that the two always agree.
		for _, r := range validatorRuns(cfg, v, ranges, signedRanges(cfg, v, signerRanges), ms, first, last) {
			s.NotGoodBlocks += r.To - r.From + 1
			if r.Reason == ReasonNotASigner {
				s.NotSignerBlocks += r.To - r.From + 1
			}
		}
		s.Good = s.NotGoodBlocks == 0
		s.EntireRange = s.Good && s.ActiveBlocks == last-first+1
		out = append(out, s)
	}
	return out
}

// groupMisses returns, per validator, the ascending distinct blocks of its
// misses in (first−W, last] ∪ [first, last].
func groupMisses(cfg StandingConfig, misses []Miss, first, last uint64) map[common.Address][]uint64 {
	out := make(map[common.Address][]uint64)
	for _, m := range misses {
		if m.Block > last || (m.Block < first && satAdd(m.Block, cfg.Window) <= first) {
			continue
		}
		v := m.Validator
		if v == (common.Address{}) {
			var ok bool
			if v, ok = cfg.ValidatorOf(m.Signer); !ok {
				continue // a signer of no validator: the miss counts against nobody
			}
		}
		out[v] = append(out[v], m.Block)
	}
	for v, ms := range out {
		if !slices.IsSorted(ms) {
			slices.Sort(ms)
		}
		out[v] = slices.Compact(ms)
	}
	return out
}

// normalizeRanges clips ranges to [first, last] and returns them sorted and
// merged (overlapping or touching ranges become one).
func normalizeRanges(rs []Range, first, last uint64) []Range {
	out := make([]Range, 0, len(rs))
	for _, r := range rs {
		r.From, r.To = max(r.From, first), min(r.To, last)
		if r.From <= r.To {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b Range) int { return cmp.Compare(a.From, b.From) })
	merged := out[:0]
	for _, r := range out {
		if n := len(merged); n > 0 && (merged[n-1].To == math.MaxUint64 || r.From <= merged[n-1].To+1) {
			merged[n-1].To = max(merged[n-1].To, r.To)
			continue
		}
		merged = append(merged, r)
	}
	return merged
}

// notGoodIntervals returns the maximal intervals of blocks in [first, last]
// whose window count is at least t, from the ascending distinct miss blocks
// ms. Between consecutive misses ms[j] ≤ b < ms[j+1] the count is the number
// of ms[0..j] above b−w, so it is ≥ t exactly while b < ms[j−t+1]+w.
func notGoodIntervals(ms []uint64, w, t, first, last uint64) []Range {
	if t == 0 {
		return []Range{{first, last}}
	}
	if w == 0 || uint64(len(ms)) < t {
		return nil
	}
	var out []Range
	for j := int(t - 1); j < len(ms); j++ {
		k := j - int(t-1)
		from := ms[j]
		to := satAdd(ms[k], w-1) // last block at which ms[k] is still in the window
		if j+1 < len(ms) {
			to = min(to, ms[j+1]-1)
		}
		from, to = max(from, first), min(to, last)
		if from > to {
			continue
		}
		if n := len(out); n > 0 && out[n-1].To+1 == from {
			out[n-1].To = to
			continue
		}
		out = append(out, Range{from, to})
	}
	return out
}

// forEachSegment calls f for consecutive maximal segments [from, to] of
// [first, last] on which the window count (misses of ms in (b−w, b]) is
// constant, in order.
func forEachSegment(ms []uint64, w, first, last uint64, f func(from, to, count uint64)) {
	in, out := 0, 0 // misses entered (ms[i] ≤ b) and left (ms[i]+w ≤ b)
	b := first
	for {
		for in < len(ms) && ms[in] <= b {
			in++
		}
		for out < len(ms) && satAdd(ms[out], w) <= b {
			out++
		}
		next := uint64(math.MaxUint64) // next block at which the count changes
		if in < len(ms) {
			next = ms[in]
		}
		if out < len(ms) {
			next = min(next, satAdd(ms[out], w))
		}
		to := last
		if next <= last {
			to = next - 1
		}
		f(b, to, uint64(in-out))
		if to == last {
			return
		}
		b = to + 1
	}
}

// subtract returns the blocks of a that are not in b, as ranges; a and b
// are sorted lists of disjoint, non-touching ranges, and so is the result.
func subtract(a, b []Range) []Range {
	var out []Range
	j := 0
	for _, r := range a {
		for j < len(b) && b[j].To < r.From {
			j++
		}
		from, covered := r.From, false
		for k := j; k < len(b) && b[k].From <= r.To; k++ {
			if b[k].From > from {
				out = append(out, Range{from, b[k].From - 1})
			}
			if b[k].To >= r.To {
				covered = true // also keeps b[k].To+1 from overflowing
				break
			}
			from = b[k].To + 1
		}
		if !covered {
			out = append(out, Range{from, r.To})
		}
	}
	return out
}

// intersect returns the intersections of two sorted lists of disjoint,
// non-touching ranges; the result is sorted, disjoint and non-touching.
func intersect(a, b []Range) []Range {
	var out []Range
	for i, j := 0, 0; i < len(a) && j < len(b); {
		from, to := max(a[i].From, b[j].From), min(a[i].To, b[j].To)
		if from <= to {
			out = append(out, Range{from, to})
		}
		if a[i].To < b[j].To {
			i++
		} else {
			j++
		}
	}
	return out
}

func satAdd(a, b uint64) uint64 {
	if a > math.MaxUint64-b {
		return math.MaxUint64
	}
	return a + b
}

func sortedKeys[V any](m map[common.Address]V) []common.Address {
	keys := make([]common.Address, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b common.Address) int { return bytes.Compare(a[:], b[:]) })
	return keys
}
