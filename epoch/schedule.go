package epoch

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
)

var (
	// ErrSchedule is wrapped by the errors Schedule.Check reports.
	ErrSchedule = errors.New("invalid epoch schedule")
	// ErrEpochOverflow is returned for an epoch whose end time does not fit
	// in 64 bits.
	ErrEpochOverflow = errors.New("epoch end time overflows uint64")
	// ErrNotMonotonic is returned by Locate when timeAt reports timestamps
	// that decrease with the block number, which no chain can have.
	ErrNotMonotonic = errors.New("block timestamps decrease")
)

// DefaultEpochLength is L of rewards-v1 §8: 15 days, in seconds.
const DefaultEpochLength = 15 * 24 * 60 * 60

// Schedule places reward epochs on the time axis (rewards-v1 §8): epoch k
// holds the blocks whose timestamp lies in [Start+k·Length,
// Start+(k+1)·Length).
type Schedule struct {
	Start  uint64 // unix seconds at which epoch 0 begins
	Length uint64 // seconds per epoch, DefaultEpochLength by default
}

// Check reports an invalid schedule: Length 0 (wrapping ErrSchedule).
func (s Schedule) Check() error {
	if s.Length == 0 {
		return fmt.Errorf("%w: Length is 0, must be a positive number of seconds", ErrSchedule)
	}
	return nil
}

// EpochOf returns the epoch whose time span contains timestamp t; ok is
// false when t is before Start or Length is 0.
func (s Schedule) EpochOf(t uint64) (k uint64, ok bool) {
	if s.Length == 0 || t < s.Start {
		return 0, false
	}
	return (t - s.Start) / s.Length, true
}

// Span returns epoch k's time span [from, to) in unix seconds. It fails with
// ErrSchedule for an invalid schedule and ErrEpochOverflow when to does not
// fit in 64 bits.
func (s Schedule) Span(k uint64) (from, to uint64, err error) {
	if err := s.Check(); err != nil {
		return 0, 0, err
	}
	if k+1 == 0 || k+1 > (math.MaxUint64-s.Start)/s.Length {
		return 0, 0, fmt.Errorf("%w: epoch %d of length %d from %d", ErrEpochOverflow, k, s.Length, s.Start)
	}
	return s.Start + k*s.Length, s.Start + (k+1)*s.Length, nil
}

// Bounds is the block range of one epoch as far as the chain shows it.
type Bounds struct {
	Epoch uint64
	// First is the first block with a timestamp at or after the epoch's
	// start. Last is the last block before the epoch's end, or the head if
	// no block at or after the end exists yet. The epoch's blocks are
	// [First, Last]; when there are none, Last = First−1.
	First, Last uint64
	// Empty reports that [First, Last] holds no block. Only a Final empty
	// epoch is certain to stay empty; it mints nothing (rewards-v1 §8).
	Empty bool
	// Final reports that the epoch is over: the first block n with a
	// timestamp at or after the epoch's end exists and has the requested
	// confirmations, head − n ≥ confirmations. Until then blocks may still
	// be added to the epoch (and a reorg may change it).
	Final bool
}

// Locate finds the blocks of epoch k on a chain whose head is block head,
// reading block timestamps through timeAt (block numbers 1 … head; the
// genesis block is never part of an epoch: it is not sealed and mints
// nothing). Timestamps must be non-decreasing along the chain, as Clique
// enforces; Locate binary-searches on that, calling timeAt O(log head)
// times (at most 2·⌈log2(head+1)⌉ + 2), and fails with ErrNotMonotonic if
// the answers it sees contradict it.
//
// confirmations is the number of blocks required on top of the first block
// past the epoch before the epoch is Final: with n that block, Final ⇔
// head − n ≥ confirmations (0 = the block's existence is enough).
//
// Errors: those of s.Span, ctx.Err() and timeAt's errors, wrapped.
func Locate(ctx context.Context, s Schedule, k uint64, head uint64, confirmations uint64, timeAt func(ctx context.Context, n uint64) (uint64, error)) (Bounds, error) {
	from, to, err := s.Span(k)
	if err != nil {
		return Bounds{}, fmt.Errorf("locate epoch %d: %w", k, err)
	}
	if head == math.MaxUint64 {
		return Bounds{}, fmt.Errorf("locate epoch %d: head %d out of range", k, head)
	}
	p := prober{ctx: ctx, timeAt: timeAt}
	first, err := p.firstAtLeast(from, 1, head)
	if err != nil {
		return Bounds{}, fmt.Errorf("locate epoch %d: %w", k, err)
	}
	end, err := p.firstAtLeast(to, first, head) // first block past the epoch, or head+1
	if err != nil {
		return Bounds{}, fmt.Errorf("locate epoch %d: %w", k, err)
	}
	return Bounds{
		Epoch: k,
		First: first,
		Last:  end - 1,
		Empty: first == end,
		Final: end <= head && head-end >= confirmations,
	}, nil
}

// probe is one timestamp read by Locate.
type probe struct{ n, t uint64 }

// prober reads timestamps and checks that they never decrease.
type prober struct {
	ctx    context.Context
	timeAt func(ctx context.Context, n uint64) (uint64, error)
	seen   []probe // ascending n
}

func (p *prober) time(n uint64) (uint64, error) {
	i, found := slices.BinarySearchFunc(p.seen, n, func(x probe, n uint64) int {
		switch {
		case x.n < n:
			return -1
		case x.n > n:
			return 1
		}
		return 0
	})
	if found {
		return p.seen[i].t, nil
	}
	if err := p.ctx.Err(); err != nil {
		return 0, err
	}
	t, err := p.timeAt(p.ctx, n)
	if err != nil {
		return 0, fmt.Errorf("time of block %d: %w", n, err)
	}
	if i > 0 && p.seen[i-1].t > t {
		return 0, fmt.Errorf("%w: block %d at %d, block %d at %d", ErrNotMonotonic, p.seen[i-1].n, p.seen[i-1].t, n, t)
	}
	if i < len(p.seen) && p.seen[i].t < t {
		return 0, fmt.Errorf("%w: block %d at %d, block %d at %d", ErrNotMonotonic, n, t, p.seen[i].n, p.seen[i].t)
	}
	p.seen = slices.Insert(p.seen, i, probe{n, t})
	return t, nil
}

// firstAtLeast returns the smallest block n in [lo, hi] with time(n) ≥ x,
// or hi+1 if there is none (lo ≤ hi+1).
func (p *prober) firstAtLeast(x, lo, hi uint64) (uint64, error) {
	end := hi + 1 // the answer lies in [lo, end]
	for lo < end {
		mid := lo + (end-lo)/2
		t, err := p.time(mid)
		if err != nil {
			return 0, err
		}
		if t >= x {
			end = mid
		} else {
			lo = mid + 1
		}
	}
	return lo, nil
}
